/** `gatelock/gcp`: GCP translators and components. Loads only GCP SDK submodules. */
import type { GatelockModel } from "../model/model";
import type { GcpServiceAuthTarget, GcpTokenKind } from "../model/service-auth/target";
import { type BuildContext, type CloudModule, expectMethod, federatedArgs, mtlsArgs, sharedSecretArgs, tunnelOriginArgs } from "../program/translator";
import { GcpFederatedOrigin } from "./federated-origin";
import { GcpGatewayServiceAccount } from "./gateway-service-account";
import { GcpMtlsOrigin } from "./mtls-origin";
import { GcpTunnelOrigin } from "./tunnel-origin";
import { GcpServiceAuthOrigin } from "./service-auth-origin";
import { GcpSharedSecretOrigin } from "./shared-secret-origin";

export { GcpSharedSecretOrigin, type GcpSharedSecretOriginArgs, SECRET_ACCESSOR_ROLE } from "./shared-secret-origin";
export { GcpFederatedOrigin, type GcpFederatedOriginArgs } from "./federated-origin";
export { GcpGatewayServiceAccount, type GcpGatewayServiceAccountArgs } from "./gateway-service-account";
export { GcpServiceAuthOrigin, type GcpServiceAuthOriginArgs } from "./service-auth-origin";
export { GcpMtlsOrigin, type GcpMtlsOriginArgs, type GcpMtlsTargetHttpsProxyArgs } from "./mtls-origin";
export { GcpTunnelOrigin, type GcpTunnelOriginArgs, TUNNEL_VPC_EGRESS, workerPoolName } from "./tunnel-origin";
export { clientValidationTrustConfig, GCP_TRUST_CONFIG_PEM_MAX_BYTES, gcpTrustAnchors } from "../documents/gcp-trust-config";
export { endpointsServiceAccountSecurity, type EndpointsSecurity } from "../documents/gcp-endpoints-auth";
export {
  assertNotWholePool,
  attributeCondition,
  attributeMapping,
  celString,
  impersonators,
  isWholePoolMember,
  principalMember,
  principalSetMember,
  RUN_INVOKER_ROLE,
  WORKLOAD_IDENTITY_USER_ROLE,
} from "../documents/gcp-workload-identity";

/**
 * The gateway's service account for each kind of GCP token the stack's service-auth origins
 * use, created once: Zuplo's runtime keeps the first account it parses per policy type, so
 * every origin of a kind is reached with the same account (the model refuses two).
 */
function gatewayServiceAccounts(model: GatelockModel, ctx: BuildContext): Pick<BuildContext, "gcpGatewayServiceAccounts"> {
  const accounts: Partial<Record<GcpTokenKind, GcpGatewayServiceAccount>> = {};
  for (const o of model.origins) {
    if (o.method !== "service-auth" || o.target.cloud !== "gcp") continue;
    const t: GcpServiceAuthTarget = o.target;
    accounts[t.token] ??= new GcpGatewayServiceAccount(
      `gcp-gateway-${t.token === "id-token" ? "svc" : "jwt"}`,
      { project: t.project, accountId: t.serviceAccountId, token: t.token, rotation: o.credential },
      ctx.opts,
    );
  }
  return Object.keys(accounts).length ? { gcpGatewayServiceAccounts: accounts } : {};
}

export const cloud: CloudModule = {
  cloud: "gcp",
  shared: gatewayServiceAccounts,
  builders: {
    tunnel: (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new GcpTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.gcp! }, ctx.opts);
    },
    "shared-secret": (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new GcpSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.gcp! }, ctx.opts);
    },
    federated: (raw, ctx) => {
      const o = expectMethod(raw, "federated");
      return new GcpFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...o.gcp! }, ctx.opts);
    },
    "service-auth": (raw, ctx) => {
      const o = expectMethod(raw, "service-auth");
      const { project: _project, token, serviceAccountId: _id, ...target } = o.gcp!;
      const serviceAccount = ctx.gcpGatewayServiceAccounts?.[token];
      if (!serviceAccount) throw new TypeError(`gatelock: no gateway service account for ${token} (the program creates one per token kind)`);
      return new GcpServiceAuthOrigin(o.name, { serviceAccount, ...(o.url !== undefined ? { url: o.url } : {}), ...target }, ctx.opts);
    },
    mtls: (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new GcpMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...o.gcp! }, ctx.opts);
    },
  },
};
