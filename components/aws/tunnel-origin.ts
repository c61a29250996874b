import * as pulumi from "@pulumi/pulumi";
import { LogGroup } from "@pulumi/aws/cloudwatch/logGroup";
import { SecurityGroup } from "@pulumi/aws/ec2/securityGroup";
import { Cluster } from "@pulumi/aws/ecs/cluster";
import { Service } from "@pulumi/aws/ecs/service";
import { TaskDefinition } from "@pulumi/aws/ecs/taskDefinition";
import { Role } from "@pulumi/aws/iam/role";
import { RolePolicy } from "@pulumi/aws/iam/rolePolicy";
import { Secret } from "@pulumi/aws/secretsmanager/secret";
import { SecretVersion } from "@pulumi/aws/secretsmanager/secretVersion";
import { checkOrigin } from "../component/checked-origin";
import {
  CONNECTOR_INGRESS,
  connectorContainerDefinitions,
  connectorEgressRules,
  connectorNames,
  executionRolePolicy,
  executionRoleTrustPolicy,
} from "../documents/aws-tunnel";
import type { GatewayVariable } from "../gateway/environment";
import { tunnelVariables } from "../gateway/tunnel";
import { pairVariables } from "../gateway/variable-spec";
import { stackSlug } from "../model/names";
import type { Finding } from "../model/safety";
import { isTunnelOn, tunnelConfig, type TunnelOriginArgsBase, tunnelService, type TunnelService, carriedArg, carriedConfigs, carriedServices } from "../tunnel/origin-args";

/** `AwsTunnelOrigin`'s args: the stack file's `aws` block of a tunnel origin, besides the tunnel. */
export interface AwsTunnelOriginArgs extends TunnelOriginArgsBase {
  /** Region of the connector and its token's secret (e.g. `us-east-1`). */
  readonly region: string;
  /** The VPC the connector runs in (`vpc-…`): its security group's. */
  readonly vpcId: pulumi.Input<string>;
  /**
   * Private subnets for the connector's tasks (`subnet-…`), with a NAT gateway (or VPC
   * endpoints and a route to the internet for TCP 7844) for egress; no public IP is ever assigned.
   */
  readonly subnets: pulumi.Input<string>[];
  /** An existing ECS cluster's ARN (default: gatelock creates one for the connector). */
  readonly clusterArn?: pulumi.Input<string>;
  /**
   * Where the origin is, for the connector's only egress rule inside the network (e.g.
   * `10.0.3.12/32`; default: the endpoint's address /32, when it is an IP address).
   */
  readonly originCidr?: string;
}

/**
 * A tunnel origin's connector on AWS: `zuplo/tunnel` as an ECS Fargate service in private
 * subnets, without a public IP, behind a security group with no ingress and egress only to the
 * tunnel's edge, the AWS endpoints it starts from, and the origin. The tunnel's token lives in
 * Secrets Manager and reaches the container through the task definition's `secrets`, pinned to
 * its version: a rotated token is a new version, a new task definition revision, and a rolling
 * deployment that starts new replicas before it stops old ones (and rolls back if they fail).
 */
export class AwsTunnelOrigin extends pulumi.ComponentResource {
  /** ARN of the token's secret. */
  readonly tokenSecretArn: pulumi.Output<string>;
  /** ARN of the task definition revision the service runs (a new one per token). */
  readonly taskDefinitionArn: pulumi.Output<string>;
  /** ARN of the ECS service. */
  readonly serviceArn: pulumi.Output<string>;
  /** The connector's security group. */
  readonly securityGroupId: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  /** What the gateway's tunnel configuration needs for this origin. */
  readonly tunnelService: TunnelService;
  /** Every service of the tunnel this connector carries: this origin's, then those in `tunnel.alsoCarries` (for `GatewayTunnel.carry`). */
  readonly tunnelServices: readonly TunnelService[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: AwsTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:aws:TunnelOrigin", name, {}, opts);
    const { region, vpcId, subnets, clusterArn, originCidr } = args;
    const check = checkOrigin({
      component: name,
      config: tunnelConfig(name, "aws", args, { region, vpcId, subnets, clusterArn, originCidr }),
      siblings: carriedConfigs(name, "aws", args, { region, vpcId, subnets, clusterArn, originCidr }),
      siblingArg: carriedArg,
      placeholders: {
        "aws.vpcId": () => "vpc-00000000",
        "aws.subnets[]": (n) => `subnet-${n.toString(16).padStart(8, "0")}`,
        "aws.clusterArn": () => "arn:aws:ecs:us-east-1:000000000000:cluster/gatelock-pending",
      },
      is: isTunnelOn("aws"),
    });
    const origin = check.known;
    const target = origin.target;
    const parent = { parent: this };
    const names = connectorNames(stackSlug(pulumi.getStack()), origin.tunnel.tunnelName);
    const tags = { "managed-by": "gatelock", "gatelock-origin": origin.name, "gatelock-tunnel": origin.tunnel.tunnelName };

    const secret = new Secret(
      `${name}-tunnel-token`,
      { name: target.tokenSecretName, region: target.region, description: `gatelock: connector token of tunnel ${origin.tunnel.tunnelName}`, tags },
      parent,
    );
    const version = new SecretVersion(
      `${name}-tunnel-token-version`,
      // Wrapped again: a caller's plain string must not become a plain input.
      { secretId: secret.id, secretString: pulumi.secret(args.tunnel.token), region: target.region },
      parent,
    );
    const logGroup = new LogGroup(`${name}-tunnel-logs`, { name: names.logGroup, region: target.region, retentionInDays: 30, tags }, parent);

    const role = new Role(
      `${name}-tunnel-exec`,
      { description: `gatelock: starts the connector of tunnel ${origin.tunnel.tunnelName} (reads its token, writes its logs)`, assumeRolePolicy: JSON.stringify(executionRoleTrustPolicy()), tags },
      parent,
    );
    const rolePolicy = new RolePolicy(
      `${name}-tunnel-exec-policy`,
      {
        role: role.name,
        name: "gatelock-tunnel-connector",
        policy: pulumi.all([secret.arn, logGroup.arn]).apply(([secretArn, logGroupArn]) => JSON.stringify(executionRolePolicy({ secretArn, logGroupArn, image: origin.tunnel.image }))),
      },
      parent,
    );

    const securityGroup = new SecurityGroup(
      `${name}-tunnel-sg`,
      {
        name: names.base,
        // Constant: a changed description replaces the group, and its name would clash.
        description: "gatelock tunnel connector: no ingress, egress to the tunnel edge and the origin only",
        vpcId: check.value(["aws.vpcId"], (m) => m.target.vpcId),
        ingress: CONNECTOR_INGRESS.map((r) => ({ ...r, cidrBlocks: [...r.cidrBlocks] })),
        egress: connectorEgressRules(target).map((r) => ({ ...r, cidrBlocks: [...r.cidrBlocks] })),
        region: target.region,
        tags,
      },
      parent,
    );

    const cluster = target.clusterArn ? undefined : new Cluster(`${name}-tunnel-cluster`, { name: names.base, region: target.region, tags }, parent);
    const taskDefinition = new TaskDefinition(
      `${name}-tunnel-task`,
      {
        family: names.base,
        region: target.region,
        requiresCompatibilities: ["FARGATE"],
        networkMode: "awsvpc",
        runtimePlatform: { operatingSystemFamily: "LINUX", cpuArchitecture: "X86_64" },
        cpu: "256",
        memory: "512",
        executionRoleArn: role.arn,
        // No task role: the connector calls no AWS API, so the task gets no credentials.
        containerDefinitions: pulumi
          .all([secret.arn, version.versionId, logGroup.name])
          .apply(([secretArn, versionId, group]) => connectorContainerDefinitions({ image: origin.tunnel.image, secretArn, versionId, logGroup: group, region: target.region })),
        tags,
      },
      parent,
    );
    const service = new Service(
      `${name}-tunnel-service`,
      {
        name: names.base,
        region: target.region,
        cluster: cluster ? cluster.arn : check.value(["aws.clusterArn"], (m) => m.target.clusterArn!),
        taskDefinition: taskDefinition.arn,
        launchType: "FARGATE",
        // Secrets pinned to a version need Fargate 1.4.0 or later, which LATEST is.
        platformVersion: "LATEST",
        desiredCount: origin.tunnel.replicas,
        networkConfiguration: {
          subnets: target.subnets.map((_, i) => check.value([`aws.subnets[${i}]`], (m) => m.target.subnets[i]!)),
          // Never left out: the VPC's default group would be used, which allows much more.
          securityGroups: [securityGroup.id],
          assignPublicIp: false,
        },
        // A new token starts new replicas beside the old ones, which stop only once the new run;
        // replicas that fail to start roll the service back to the revision that worked.
        deploymentMinimumHealthyPercent: 100,
        deploymentMaximumPercent: 200,
        deploymentCircuitBreaker: { enable: true, rollback: true },
        // A shell in the container would read the token from its environment.
        enableExecuteCommand: false,
        // `pulumi up` ends only when the new replicas run (a rotation is done, not just begun).
        waitForSteadyState: true,
        tags,
      },
      // The role must be able to read the token before a task starts.
      { parent: this, dependsOn: [rolePolicy] },
    );

    this.tokenSecretArn = secret.arn;
    this.taskDefinitionArn = taskDefinition.arn;
    this.serviceArn = service.id;
    this.securityGroupId = securityGroup.id;
    this.findings = check.findings;
    this.tunnelService = tunnelService(origin, args.tunnel.dangerouslyAllowPublicEndpoint);
    this.tunnelServices = carriedServices(origin, this.tunnelService);
    this.gatewayVariables = pairVariables(tunnelVariables(origin), { url: origin.url });
    this.summary = {
      tunnel: origin.tunnel.tunnelName,
      service: origin.url,
      cluster: cluster ? cluster.arn : check.value(["aws.clusterArn"], (m) => m.target.clusterArn!),
      ecsService: this.serviceArn,
      taskDefinition: this.taskDefinitionArn,
      securityGroup: this.securityGroupId,
      egress: connectorEgressRules(target).map((r) => `${r.protocol.toUpperCase()} ${r.fromPort} to ${r.cidrBlocks.join(", ")}`),
      replicas: origin.tunnel.replicas,
      image: origin.tunnel.image,
      tokenSecretArn: this.tokenSecretArn,
      logGroup: logGroup.name,
    };
    this.registerOutputs(this.summary);
  }
}
