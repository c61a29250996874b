/**
 * How the stack-file program builds AWS origins: one builder per method, each loaded with its
 * component only when a stack has such an origin (a shared-secret stack never loads the ECS,
 * load balancer or API Gateway SDK modules the other methods need).
 */
import type * as pulumi from "@pulumi/pulumi";
import type { FederatedOrigin, GatelockModel } from "../model/model";
import { type BuildContext, type CloudModule, expectMethod, federatedArgs, lazyMethod, mtlsArgs, sharedSecretArgs, tunnelOriginArgs } from "../program/translator";

/**
 * The stack's IAM OIDC provider for the gateway's issuer, when an AWS federated origin does
 * not adopt one: one per issuer (AWS allows one per account), with every such origin's audience.
 */
async function sharedOidcProvider(model: GatelockModel, ctx: BuildContext): Promise<{ oidcProviderArn?: pulumi.Output<string> }> {
  const creating = model.origins.filter((o): o is FederatedOrigin => o.method === "federated" && o.target.cloud === "aws" && o.target.oidcProvider.kind === "create");
  if (creating.length === 0) return {};
  const { AwsOidcProvider, oidcProviderName } = await import("./oidc-provider");
  const issuer = creating[0]!.trust.issuer;
  const clientIds = [...new Set(creating.map((o) => o.trust.audience))].sort();
  return { oidcProviderArn: new AwsOidcProvider(oidcProviderName(issuer), { issuer, clientIds }, ctx.opts).arn };
}

export const cloud: CloudModule = {
  cloud: "aws",
  shared: sharedOidcProvider,
  outputs: (o) => (o.method === "federated" && o.target.cloud === "aws" ? { oidcProvider: o.target.oidcProvider.kind === "adopt" ? "adopted" : "created by this stack" } : {}),
  methods: {
    tunnel: lazyMethod(() => import("./tunnel-origin"), ({ AwsTunnelOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new AwsTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.aws! }, ctx.opts);
    }),
    "shared-secret": lazyMethod(() => import("./shared-secret-origin"), ({ AwsSharedSecretOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new AwsSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.aws! }, ctx.opts);
    }),
    federated: lazyMethod(() => import("./federated-origin"), ({ AwsFederatedOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "federated");
      const { oidcProviderArn, ...aws } = o.aws!;
      const arn = oidcProviderArn ?? ctx.oidcProviderArn;
      if (arn === undefined) throw new TypeError(`gatelock: ${o.name} needs the stack's OIDC provider`);
      return new AwsFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...aws, oidcProviderArn: arn }, ctx.opts);
    }),
    mtls: lazyMethod(() => import("./mtls-origin"), ({ AwsMtlsOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new AwsMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...o.aws! }, ctx.opts);
    }),
  },
};
