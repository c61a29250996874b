/** `gatelock/azure`: Azure translators and components. Loads only azure-native submodules. */
import { type CloudModule, expectMethod, federatedArgs, mtlsArgs, serviceAuthArgs, sharedSecretArgs, tunnelOriginArgs } from "../program/translator";
import { AzureFederatedOrigin } from "./federated-origin";
import { AzureMtlsOrigin } from "./mtls-origin";
import { AzureTunnelOrigin } from "./tunnel-origin";
import { AzureSharedSecretOrigin } from "./shared-secret-origin";

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

/** Loaded only for a stack with an Azure service-auth origin: it needs `@pulumi/azuread`. */
let entra: Pick<typeof import("../azuread"), "AzureServiceAuthOrigin"> | undefined;

export const cloud: CloudModule = {
  cloud: "azure",
  prepare: {
    "service-auth": {
      pkg: "@pulumi/azuread",
      load: async () => {
        const { AzureServiceAuthOrigin } = await import("../azuread");
        entra = { AzureServiceAuthOrigin };
      },
    },
  },
  builders: {
    tunnel: (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new AzureTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.azure! }, ctx.opts);
    },
    "shared-secret": (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new AzureSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.azure! }, ctx.opts);
    },
    federated: (raw, ctx) => {
      const o = expectMethod(raw, "federated");
      return new AzureFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...o.azure! }, ctx.opts);
    },
    "service-auth": (raw, ctx) => {
      const o = expectMethod(raw, "service-auth");
      if (!entra) throw new TypeError("gatelock: the program builds Azure service-auth origins only after preparing them (loading @pulumi/azuread)");
      return new entra.AzureServiceAuthOrigin(o.name, { ...serviceAuthArgs(o), ...o.azure! }, ctx.opts);
    },
    mtls: (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new AzureMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...o.azure! }, ctx.opts);
    },
  },
};
