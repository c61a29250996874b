/** `gatelock/aws`: the AWS components and the documents they build. Loads only AWS SDK submodules. */
export { AwsSharedSecretOrigin, type AwsSharedSecretOriginArgs } from "./shared-secret-origin";
export { AwsTunnelOrigin, type AwsTunnelOriginArgs } from "./tunnel-origin";
export {
  CONNECTOR_INGRESS,
  connectorContainerDefinitions,
  connectorEgressRules,
  type ConnectorPolicyDocument,
  type ConnectorStatement,
  ecrRepositoryArn,
  executionRolePolicy,
  executionRoleTrustPolicy,
  type SecurityGroupRule,
  tokenValueFrom,
  TUNNEL_EDGE_PORT,
} from "../documents/aws-tunnel";
export { secretReadPolicy, SECRET_READ_ACTIONS, type PolicyDocument, type PolicyStatement } from "../documents/aws-secret-policy";
export { AwsFederatedOrigin, type AwsFederatedOriginArgs } from "./federated-origin";
export { AwsOidcProvider, type AwsOidcProviderArgs, oidcProviderName } from "./oidc-provider";
export { ALB_SSL_POLICY, API_GATEWAY_SECURITY_POLICY, type AwsMtlsAlbArgs, type AwsMtlsApiGatewayArgs, AwsMtlsOrigin, type AwsMtlsOriginArgs } from "./mtls-origin";
export { MIN_TLS_VERSION, s3Uri, truststoreBucketPolicy, type TruststorePolicyDocument, type TruststoreStatement } from "../documents/aws-truststore";
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
} from "../documents/aws-trust-policy";
