/** `gatelock/aws`: AWS translators and components. Loads only AWS SDK submodules. */
import { type BuildContext, type CloudModule, expectMethod, federatedArgs, mtlsArgs, sharedSecretArgs, tunnelOriginArgs } from "../program/translator";
import type * as pulumi from "@pulumi/pulumi";
import type { FederatedOrigin, GatelockModel } from "../model/model";
import { AwsFederatedOrigin } from "./federated-origin";
import { AwsMtlsOrigin } from "./mtls-origin";
import { AwsTunnelOrigin } from "./tunnel-origin";
import { AwsOidcProvider, oidcProviderName } from "./oidc-provider";
import { AwsSharedSecretOrigin } from "./shared-secret-origin";

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

/**
 * The stack's IAM OIDC provider for the gateway's issuer, when an AWS federated origin does
 * not adopt one: one per issuer (AWS allows one per account), with every such origin's audience.
 */
function sharedOidcProvider(model: GatelockModel, ctx: BuildContext): { oidcProviderArn?: pulumi.Output<string> } {
  const creating = model.origins.filter((o): o is FederatedOrigin => o.method === "federated" && o.target.cloud === "aws" && o.target.oidcProvider.kind === "create");
  if (creating.length === 0) return {};
  const issuer = creating[0]!.trust.issuer;
  const clientIds = [...new Set(creating.map((o) => o.trust.audience))].sort();
  return { oidcProviderArn: new AwsOidcProvider(oidcProviderName(issuer), { issuer, clientIds }, ctx.opts).arn };
}

export const cloud: CloudModule = {
  cloud: "aws",
  shared: sharedOidcProvider,
  outputs: (o) => (o.method === "federated" && o.target.cloud === "aws" ? { oidcProvider: o.target.oidcProvider.kind === "adopt" ? "adopted" : "created by this stack" } : {}),
  builders: {
    tunnel: (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new AwsTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.aws! }, ctx.opts);
    },
    "shared-secret": (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new AwsSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.aws! }, ctx.opts);
    },
    federated: (raw, ctx) => {
      const o = expectMethod(raw, "federated");
      const { oidcProviderArn, ...aws } = o.aws!;
      const arn = oidcProviderArn ?? ctx.oidcProviderArn;
      if (arn === undefined) throw new TypeError(`gatelock: ${o.name} needs the stack's OIDC provider`);
      return new AwsFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...aws, oidcProviderArn: arn }, ctx.opts);
    },
    mtls: (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new AwsMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...o.aws! }, ctx.opts);
    },
  },
};
