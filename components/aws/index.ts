/** `gatelock/aws`: AWS translators and components. Loads only AWS SDK submodules. */
import { type CloudModule, componentTranslator } from "../program/translator";
import { AwsFederatedOrigin } from "./federated-origin";
import { AwsSharedSecretOrigin } from "./shared-secret-origin";

export { AwsSharedSecretOrigin, type AwsSharedSecretOriginArgs } from "./shared-secret-origin";
export { secretReadPolicy, SECRET_READ_ACTIONS, type PolicyDocument, type PolicyStatement } from "./documents";
export { AwsFederatedOrigin, type AwsFederatedOriginArgs } from "./federated-origin";
export { AwsOidcProvider, type AwsOidcProviderArgs, sharedOidcProvider, type SharedOidcProvider } from "./oidc-provider";
export {
  executeApiArn,
  type IamPolicyDocument,
  type IamStatement,
  invokePermissionPolicy,
  lambdaFunctionArn,
  lambdaUrlPermissions,
  type LambdaUrlPermission,
  oidcProviderArn,
  WEB_IDENTITY_ACTION,
  webIdentityConditionKeys,
  webIdentityTrustPolicy,
} from "./trust-policy";

export const cloud: CloudModule = {
  cloud: "aws",
  translators: {
    "shared-secret": componentTranslator(AwsSharedSecretOrigin),
    federated: componentTranslator(AwsFederatedOrigin),
  },
};
