/** `gatelock/aws`: AWS translators and components. Loads only AWS SDK submodules. */
import { type CloudModule, componentTranslator } from "../program/translator";
import { AwsSharedSecretOrigin } from "./shared-secret-origin";

export { AwsSharedSecretOrigin, type AwsSharedSecretOriginArgs } from "./shared-secret-origin";
export { secretReadPolicy, SECRET_READ_ACTIONS, type PolicyDocument, type PolicyStatement } from "./documents";

export const cloud: CloudModule = {
  cloud: "aws",
  translators: { "shared-secret": componentTranslator(AwsSharedSecretOrigin) },
};
