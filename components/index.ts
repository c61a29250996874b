/**
 * `gatelock`: the model of trust and the gateway side. Loads no cloud SDK; the program
 * loads `gatelock/aws`, `gatelock/gcp` or `gatelock/azure` only for clouds a stack uses.
 */

// Errors
export {
  ConfigError,
  DependencyMissingError,
  GatelockError,
  GatewayApiError,
  missingDependencyError,
  formatIssue,
  type ConfigIssue,
  type GatelockErrorCode,
  type IssueReason,
} from "./errors";

// Model
export {
  buildModel,
  tryBuildModel,
  type BuildOptions,
  type GatelockModel,
  type GatewayModel,
  type OriginModel,
  type SecretStore,
  type SharedSecretModel,
  type SharedSecretOrigin,
} from "./model/model";
export { GatelockConfig, type GatelockConfigInput, CONFIG_NAMESPACE } from "./model/config";
export { ZUPLO_ISSUER, ZUPLO_JWKS_URI, zuploIdentity, type GatewayIdentity } from "./model/identity";
export { MIN_SECRET_LENGTH, type Finding } from "./model/safety";
export { describeOrigin, type OriginDescription } from "./model/describe";
export { stackJsonSchema } from "./model/json-schema";

// Gateway side
export { ZuploEnvironment, type ZuploEnvironmentArgs, type GatewayVariable, type VariableSummary } from "./gateway/environment";
export { variableSpecs, type VariableSpec } from "./gateway/variables";
export { gatewayConfigFor, policiesDocument, type OriginGatewayConfig, type ZuploPolicy } from "./gateway/zuplo-policies";

// Shared secret (cloud-agnostic parts)
export { createSharedSecret, type SharedSecret, type SharedSecretArgs } from "./shared-secret/shared-secret";
export type { SharedSecretSettings } from "./shared-secret/origin-args";
export { advanceRotation, initialRotation, type RotationInputs, type RotationState } from "./shared-secret/rotation";
export { encodeSecretDocument, decodeSecretDocument, type SecretDocument } from "./shared-secret/document";
export { LocalSharedSecretOrigin, type LocalSharedSecretOriginArgs } from "./local/shared-secret-origin";
export { LocalMtlsOrigin, type LocalMtlsOriginArgs } from "./local/mtls-origin";

// The program
export { deploy, readStackConfig, type DeployOptions, type Deployment, type GatelockOutputs } from "./program/deploy";
export type { BuildContext, CloudModule, OriginBuilder, OriginComponent, OriginDeployment } from "./program/translator";

// Components' shared args
export { customGateway, zuploGateway, type GatewayArgs } from "./component/checked-origin";
export type { FederatedSettings } from "./federated/origin-args";
export { GatewayTunnel, type GatewayTunnelArgs } from "./gateway/tunnel-gateway";
export { TunnelServiceOrigin, type TunnelServiceOriginArgs } from "./tunnel/service-origin";
export type { TunnelService } from "./tunnel/origin-args";
