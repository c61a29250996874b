/** `gatelock/azure`: the Azure components and the documents they build. Loads only azure-native submodules. */
export {
  AzureSharedSecretOrigin,
  type AzureSharedSecretOriginArgs,
  KEY_VAULT_SECRETS_USER,
  roleDefinitionId,
} from "./shared-secret-origin";
export { AzureFederatedOrigin, type AzureFederatedOriginArgs } from "./federated-origin";
export { AzureMtlsOrigin, type AzureMtlsAppGatewayArgs, type AzureMtlsAppServiceArgs, type AzureMtlsOriginArgs, type AzureMtlsVaultArgs } from "./mtls-origin";
export { AzureTunnelOrigin, type AzureTunnelOriginArgs, keyVaultName, TOKEN_VERSION_VARIABLE, tokenFingerprint, TUNNEL_TOKEN_SECRET } from "./tunnel-origin";
export {
  APP_GATEWAY_SSL_POLICY,
  appGatewayId,
  appGatewayMtlsFragments,
  appGatewaySubResourceId,
  appServiceMtlsSettings,
  type AppGatewayMtlsFragments,
  type AppServiceMtlsSettings,
} from "../documents/azure-mtls";
export {
  ADMIN_ROLES,
  DATA_PLANE_ROLES,
  UNLISTED_KNOWN_ROLES,
  adminKind,
  classifyScope,
  isListedRole,
  normaliseScope,
  resolveRole,
  roleDefinitionIdIn,
  type AdminKind,
  type BuiltInRole,
  type NormalisedScope,
  type ResolvedRole,
  type ScopeLevel,
  type ScopeProblem,
} from "../documents/azure-roles";
export { credentialName, defaultIdentityName, subjectHash } from "../documents/azure-names";
export {
  AZURE_FEDERATED_MODULE_PATH,
  AZURE_FEDERATED_POLICY_MODULE,
  azureFederatedGatewayConfig,
  azureFederatedVariables,
} from "../gateway/federated/azure";
