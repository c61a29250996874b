/**
 * How the stack-file program builds GCP origins: one builder per method, each loaded with its
 * component only when a stack has such an origin (a shared-secret stack never loads the Cloud
 * Run, load balancer or certificate SDK modules the other methods need).
 */
import type { GatelockModel } from "../model/model";
import type { GcpTokenKind } from "../model/service-auth/target";
import { type BuildContext, type CloudModule, expectMethod, federatedArgs, lazyMethod, mtlsArgs, sharedSecretArgs, tunnelOriginArgs } from "../program/translator";
import type { GcpGatewayServiceAccount } from "./gateway-service-account";

/**
 * The gateway's service account for each kind of GCP token the stack's service-auth origins
 * use, created once: Zuplo's runtime keeps the first account it parses per policy type, so
 * every origin of a kind is reached with the same account (the model refuses two).
 */
async function gatewayServiceAccounts(model: GatelockModel, ctx: BuildContext): Promise<Pick<BuildContext, "gcpGatewayServiceAccounts">> {
  const origins = model.origins.flatMap((o) => (o.method === "service-auth" && o.target.cloud === "gcp" ? [{ target: o.target, rotation: o.credential }] : []));
  if (origins.length === 0) return {};
  const { GcpGatewayServiceAccount } = await import("./gateway-service-account");
  const accounts: Partial<Record<GcpTokenKind, GcpGatewayServiceAccount>> = {};
  for (const { target: t, rotation } of origins) {
    accounts[t.token] ??= new GcpGatewayServiceAccount(`gcp-gateway-${t.token === "id-token" ? "svc" : "jwt"}`, { project: t.project, accountId: t.serviceAccountId, token: t.token, rotation }, ctx.opts);
  }
  return { gcpGatewayServiceAccounts: accounts };
}

export const cloud: CloudModule = {
  cloud: "gcp",
  shared: gatewayServiceAccounts,
  methods: {
    tunnel: lazyMethod(() => import("./tunnel-origin"), ({ GcpTunnelOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new GcpTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.gcp! }, ctx.opts);
    }),
    "shared-secret": lazyMethod(() => import("./shared-secret-origin"), ({ GcpSharedSecretOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new GcpSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.gcp! }, ctx.opts);
    }),
    federated: lazyMethod(() => import("./federated-origin"), ({ GcpFederatedOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "federated");
      return new GcpFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...o.gcp! }, ctx.opts);
    }),
    "service-auth": lazyMethod(() => import("./service-auth-origin"), ({ GcpServiceAuthOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "service-auth");
      const { project: _project, token, serviceAccountId: _id, ...target } = o.gcp!;
      const serviceAccount = ctx.gcpGatewayServiceAccounts?.[token];
      if (!serviceAccount) throw new TypeError(`gatelock: no gateway service account for ${token} (the program creates one per token kind)`);
      return new GcpServiceAuthOrigin(o.name, { serviceAccount, ...(o.url !== undefined ? { url: o.url } : {}), ...target }, ctx.opts);
    }),
    mtls: lazyMethod(() => import("./mtls-origin"), ({ GcpMtlsOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new GcpMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...o.gcp! }, ctx.opts);
    }),
  },
};
