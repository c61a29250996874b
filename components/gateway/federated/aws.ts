/**
 * What the gateway needs for a federated origin on AWS (pure): the variable names (values
 * come from the translator) and the Zuplo configuration to add.
 *
 * Zuplo's Upstream AWS Federated Auth policy (runtime 7.6.4, beta) gets the gateway's own ID
 * token for `audience`, exchanges it with STS `AssumeRoleWithWebIdentity` for the role, and
 * registers the credentials for `AwsLambdaHandler` and `AwsClient.fromContext(context)`. It
 * does not sign requests to other upstreams itself.
 *
 * Caveat: the `policyType` and export name follow Zuplo's naming pattern and the runtime's
 * class name (`UpstreamAwsFederatedAuthInboundPolicy`); Zuplo's docs page for this policy was
 * not fully retrieved, so check them against it (docs/federated/aws.md).
 */
import type { FederatedOrigin } from "../../model/model";
import { type KeyedVariables, urlVariableSpec } from "../variable-spec";
import type { OriginGatewayConfig } from "../zuplo-policies";

export const AWS_FEDERATED_POLICY_TYPE = "upstream-aws-federated-auth-inbound";
export const AWS_FEDERATED_POLICY_EXPORT = "UpstreamAwsFederatedAuthInboundPolicy";

function prefix(originName: string): string {
  return originName.toUpperCase().replace(/-/g, "_");
}

export function awsRoleArnVariable(originName: string): string {
  return `${prefix(originName)}_AWS_ROLE_ARN`;
}

export function awsRegionVariable(originName: string): string {
  return `${prefix(originName)}_AWS_REGION`;
}

export function awsFederatedPolicyName(originName: string): string {
  return `gatelock-${originName}-aws-federated`;
}

/** Neither value is a secret: the role trusts tokens, not whoever knows its ARN. */
export function awsFederatedVariables(origin: FederatedOrigin): KeyedVariables<"roleArn" | "region"> {
  return {
    roleArn: { name: awsRoleArnVariable(origin.name), isSecret: false, origin: origin.name, description: `IAM role the gateway assumes with its ID token to call ${origin.name}` },
    region: { name: awsRegionVariable(origin.name), isSecret: false, origin: origin.name, description: `AWS region of ${origin.name} (and of the STS endpoint)` },
    ...urlVariableSpec(origin),
  };
}

export function awsFederatedGatewayConfig(origin: FederatedOrigin): OriginGatewayConfig {
  if (origin.target.cloud !== "aws") throw new TypeError(`awsFederatedGatewayConfig needs an origin on aws, got ${origin.target.cloud}`);
  const name = awsFederatedPolicyName(origin.name);
  return {
    origin: origin.name,
    policies: [
      {
        name,
        policyType: AWS_FEDERATED_POLICY_TYPE,
        handler: {
          export: AWS_FEDERATED_POLICY_EXPORT,
          module: "$import(@zuplo/runtime)",
          options: {
            roleArn: `$env(${awsRoleArnVariable(origin.name)})`,
            region: `$env(${awsRegionVariable(origin.name)})`,
            // Always explicit: the policy's default, `sts.amazonaws.com`, is every tenant's.
            audience: origin.trust.audience,
          },
        },
      },
    ],
    inbound: [name],
  };
}
