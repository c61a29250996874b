import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment";
import { Permission } from "@pulumi/aws/lambda/permission";
import type { GatewayVariable } from "../gateway/environment";
import { awsFederatedVariables } from "../gateway/federated/aws";
import { pairVariables } from "../gateway/variables";
import type { AwsFederatedTarget } from "../model/federated/aws";
import type { FederatedOrigin } from "../model/model";
import { sharedOidcProvider } from "./oidc-provider";
import { invokePermissionPolicy, lambdaUrlPermissions, webIdentityTrustPolicy } from "./trust-policy";

export interface AwsFederatedOriginArgs {
  /** A validated federated origin on AWS (from `buildModel`). */
  readonly origin: FederatedOrigin;
}

/**
 * A federated origin on AWS: the gateway's own ID token, from the stack's IAM OIDC provider
 * for the gateway's issuer, may assume one role, only with the pinned audience and subjects;
 * the role may invoke exactly the configured API Gateway routes or Lambda function URL. The
 * gateway gets the role ARN and region; no secret exists anywhere.
 */
export class AwsFederatedOrigin extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;

  constructor(name: string, args: AwsFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:aws:FederatedOrigin", name, {}, opts);
    const { origin } = args;
    const target = origin.target;
    if (target.cloud !== "aws") throw new TypeError(`AwsFederatedOrigin needs a federated origin on aws, got ${target.cloud}`);

    // One provider per issuer per account, shared by the stack's origins (or adopted).
    const provider = sharedOidcProvider({
      issuer: origin.trust.issuer,
      audience: origin.trust.audience,
      originKey: origin.key,
      ...(target.oidcProvider.kind === "adopt" ? { adoptArn: target.oidcProvider.arn } : {}),
      ...(opts ? { opts } : {}),
    });
    const accountId: pulumi.Output<string> = target.accountId ? pulumi.output(target.accountId) : getCallerIdentityOutput({}, { parent: this }).accountId;

    const role = new Role(
      `${name}-role`,
      {
        name: target.roleName,
        description: `gatelock: assumed with the gateway's ID token to call ${origin.name}`,
        assumeRolePolicy: provider.arn.apply((arn) => JSON.stringify(webIdentityTrustPolicy(origin.trust, arn))),
        maxSessionDuration: target.maxSessionDurationSeconds,
        ...(target.permissionsBoundary ? { permissionsBoundary: target.permissionsBoundary } : {}),
        tags: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      { parent: this, ...(provider.component ? { dependsOn: [provider.component] } : {}) },
    );
    const grants: pulumi.Resource[] = [
      new RolePolicy(
        `${name}-invoke`,
        { role: role.name, name: "gatelock-invoke", policy: accountId.apply((account) => JSON.stringify(invokePermissionPolicy(target, account))) },
        { parent: this },
      ),
    ];
    for (const policyArn of target.managedPolicyArns) {
      const id = createHash("sha256").update(policyArn).digest("hex").slice(0, 8);
      grants.push(new RolePolicyAttachment(`${name}-attach-${id}`, { role: role.name, policyArn }, { parent: this }));
    }
    // A Lambda function URL also checks the function's resource-based policy.
    for (const p of lambdaUrlPermissions(target)) {
      grants.push(
        new Permission(
          `${name}-${p.suffix}`,
          {
            function: p.functionName,
            ...(p.qualifier ? { qualifier: p.qualifier } : {}),
            action: p.action,
            principal: role.arn,
            statementId: p.statementId,
            region: target.region,
            ...(p.functionUrlAuthType ? { functionUrlAuthType: p.functionUrlAuthType } : {}),
            ...(p.invokedViaFunctionUrl ? { invokedViaFunctionUrl: p.invokedViaFunctionUrl } : {}),
          },
          { parent: this },
        ),
      );
    }

    this.roleArn = role.arn;
    this.oidcProviderArn = provider.arn;
    this.gatewayVariables = awsGatewayVariables(origin, target, role.arn, [role, ...grants]);
    this.summary = {
      roleArn: this.roleArn,
      oidcProviderArn: this.oidcProviderArn,
      oidcProvider: target.oidcProvider.kind === "adopt" ? "adopted" : "created by this stack",
      region: target.region,
      audience: origin.trust.audience,
      subjects: origin.trust.subjects,
    };
    this.registerOutputs(this.summary);
  }
}

/**
 * The gateway's variables: role ARN and region (not secret), and the origin URL when known.
 * They wait for the role and its grants, so the gateway never assumes a role that cannot
 * call the origin yet.
 */
function awsGatewayVariables(origin: FederatedOrigin, target: AwsFederatedTarget, roleArn: pulumi.Output<string>, ready: pulumi.Resource[]): GatewayVariable[] {
  return pairVariables(awsFederatedVariables(origin), { roleArn, region: target.region, url: origin.url }, { roleArn: ready });
}
