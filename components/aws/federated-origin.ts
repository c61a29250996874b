import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { getCallerIdentityOutput } from "@pulumi/aws/getCallerIdentity";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { RolePolicyAttachment } from "@pulumi/aws/iam/rolePolicyAttachment";
import { Permission } from "@pulumi/aws/lambda/permission";
import { checkOrigin } from "../component/checked-origin";
import { federatedConfig, type FederatedSettings, isFederatedOn } from "../federated/origin-args";
import type { GatewayVariable } from "../gateway/environment";
import { awsFederatedVariables } from "../gateway/federated/aws";
import { pairVariables } from "../gateway/variables";
import { issuerHostPath, partitionOf } from "../documents/names";
import { isZuploIssuer, ZUPLO_ISSUER } from "../model/identity";
import type { Finding } from "../model/safety";
import { invokePermissionPolicy, lambdaUrlPermissions, webIdentityTrustPolicy } from "../documents/aws-trust-policy";

export interface AwsFederatedOriginArgs extends FederatedSettings {
  /** Region of the API or function, and of the STS endpoint the gateway calls. */
  readonly region: string;
  /**
   * ARN of the IAM OIDC provider for the gateway's issuer (AWS allows one per issuer per
   * account): an `AwsOidcProvider`'s `arn`, with this origin's audience among its client IDs.
   */
  readonly oidcProviderArn: pulumi.Input<string>;
  /** Account the origin lives in (default: looked up from the provider's credentials). */
  readonly accountId?: string;
  /** Name of the role the gateway assumes (default `gatelock-<stack>-<origin>`). */
  readonly roleName?: string;
  /** Longest session the gateway may request, 3600 to 43200 seconds (default 3600). */
  readonly maxSessionDurationSeconds?: number;
  /** ARN of a managed policy that bounds the role's permissions. */
  readonly permissionsBoundary?: pulumi.Input<string>;
  /** An API Gateway API with `AWS_IAM` authorization: the role may invoke exactly these routes. */
  readonly apiGateway?: {
    /** ID of the REST or HTTP API. */
    readonly apiId: pulumi.Input<string>;
    /** Stage the gateway calls. */
    readonly stage: string;
    /** Exact routes, `METHOD /path`; `*` and `ANY` are refused. */
    readonly routes: string[];
  };
  /** A Lambda function URL with `AuthType: AWS_IAM`: the role may call the URL and nothing else on the function. */
  readonly lambdaUrl?: {
    /** Name of the function (not its ARN). */
    readonly functionName: pulumi.Input<string>;
    /** Alias the function URL belongs to, if any. */
    readonly qualifier?: string;
  };
  /** Extra managed policies for the role: customer-managed ARNs, or an allowlisted invoke-only AWS policy. */
  readonly additionalManagedPolicyArns?: pulumi.Input<string>[];
  /** Extra Allow statements with exact actions and resources (judged against AWS's action catalog). */
  readonly additionalStatements?: { readonly actions: string[]; readonly resources: string[]; readonly dangerouslyAllowWildcardResources?: boolean }[];
}

/**
 * A federated origin on AWS: the gateway's own ID token, from the IAM OIDC provider for the
 * gateway's issuer, may assume one role, only with the pinned audience and subjects; the role
 * may invoke exactly the configured API Gateway routes or Lambda function URL. The gateway
 * gets the role ARN and region; no secret exists anywhere.
 */
export class AwsFederatedOrigin extends pulumi.ComponentResource {
  readonly roleArn: pulumi.Output<string>;
  readonly oidcProviderArn: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: AwsFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:aws:FederatedOrigin", name, {}, opts);
    const { region, oidcProviderArn, accountId, roleName, maxSessionDurationSeconds, permissionsBoundary, apiGateway, lambdaUrl, additionalManagedPolicyArns, additionalStatements } = args;
    const check = checkOrigin({
      component: name,
      gateway: args.gateway,
      config: federatedConfig(name, "aws", args, {
        region,
        oidcProviderArn,
        accountId,
        roleName,
        maxSessionDurationSeconds,
        permissionsBoundary,
        apiGateway,
        lambdaUrl,
        additionalManagedPolicyArns,
        additionalStatements,
      }),
      placeholders: {
        // The provider of this issuer in this partition (and account, when known): what the check expects.
        "aws.oidcProviderArn": () => `arn:${partitionOf(region)}:iam::${accountId ?? "000000000000"}:oidc-provider/${issuerHostPath(issuerOf(args))}`,
        "aws.permissionsBoundary": () => "arn:aws:iam::000000000000:policy/gatelock-pending",
        "aws.apiGateway.apiId": () => "pendingapi",
        "aws.lambdaUrl.functionName": () => "gatelock-pending",
        "aws.additionalManagedPolicyArns[]": (n) => `arn:aws:iam::000000000000:policy/gatelock-pending-${n}`,
        url: () => "https://gatelock-pending.invalid",
      },
      is: isFederatedOn("aws"),
    });
    const origin = check.known;
    const target = origin.target;

    const providerArn = check.value(["aws.oidcProviderArn"], (m) => (m.target.oidcProvider as { arn: string }).arn);
    const account: pulumi.Output<string> = target.accountId ? pulumi.output(target.accountId) : getCallerIdentityOutput({}, { parent: this }).accountId;
    const role = new Role(
      `${name}-role`,
      {
        name: target.roleName,
        description: `gatelock: assumed with the gateway's ID token to call ${origin.name}`,
        assumeRolePolicy: pulumi.output(providerArn).apply((arn) => JSON.stringify(webIdentityTrustPolicy(origin.trust, arn))),
        maxSessionDuration: target.maxSessionDurationSeconds,
        ...(target.permissionsBoundary ? { permissionsBoundary: check.value(["aws.permissionsBoundary"], (m) => m.target.permissionsBoundary!) } : {}),
        tags: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      { parent: this },
    );
    const invokeTarget = check.value(["aws.apiGateway", "aws.lambdaUrl"], (m) => m.target);
    const grants: pulumi.Resource[] = [
      new RolePolicy(
        `${name}-invoke`,
        {
          role: role.name,
          name: "gatelock-invoke",
          policy: pulumi.all([pulumi.output(invokeTarget), account]).apply(([t, a]) => JSON.stringify(invokePermissionPolicy(t, a))),
        },
        { parent: this },
      ),
    ];
    target.managedPolicyArns.forEach((known, i) => {
      const path = `aws.additionalManagedPolicyArns[${i}]`;
      // Named by the policy, so adding one in front renames nothing; an Output ARN by position.
      const id = check.isUnknown(path) ? String(i) : createHash("sha256").update(known).digest("hex").slice(0, 8);
      grants.push(new RolePolicyAttachment(`${name}-attach-${id}`, { role: role.name, policyArn: check.value([path], (m) => m.target.managedPolicyArns[i]!) }, { parent: this }));
    });
    // A Lambda function URL also checks the function's resource-based policy.
    lambdaUrlPermissions(target).forEach((p, k) => {
      grants.push(
        new Permission(
          `${name}-${p.suffix}`,
          {
            function: check.value(["aws.lambdaUrl.functionName"], (m) => lambdaUrlPermissions(m.target)[k]!.functionName),
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
    });

    this.roleArn = role.arn;
    this.oidcProviderArn = pulumi.output(providerArn);
    this.findings = check.findings;
    // The gateway waits for the role and its grants: it never assumes a role that cannot call the origin yet.
    this.gatewayVariables = pairVariables(
      awsFederatedVariables(origin),
      { roleArn: role.arn, region: target.region, url: origin.url ? check.value(["url"], (m) => m.url!) : undefined },
      { roleArn: [role, ...grants] },
    );
    this.summary = {
      roleArn: this.roleArn,
      oidcProviderArn: this.oidcProviderArn,
      region: target.region,
      audience: origin.trust.audience,
      subjects: origin.trust.subjects,
    };
    this.registerOutputs(this.summary);
  }
}

/** The issuer the gateway args stand for, as the model spells it (Zuplo's unless a custom one is given). */
function issuerOf(args: FederatedSettings): string {
  const issuer = args.gateway.issuer;
  return issuer === undefined || isZuploIssuer(issuer) ? ZUPLO_ISSUER : issuer;
}
