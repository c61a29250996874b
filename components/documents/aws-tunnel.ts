/**
 * The documents of a tunnel connector on ECS Fargate, as pure functions (no Pulumi), so tests
 * can judge every rule, every permission and the container definition on their own:
 *
 * - the security group's rules: no ingress at all, and egress only to what the connector needs;
 * - the container definition: the token only through `secrets`, pinned to one secret version;
 * - the task execution role's trust, and its policy, which reads only the token's secret.
 *
 * The connector needs no AWS API at run time, so the task has no task role at all.
 */

/** Cloudflare's tunnel edge, where cloudflared dials with `--protocol http2` (TCP). */
export const TUNNEL_EDGE_PORT = 7844;
/** The environment variable `zuplo/tunnel` reads its token from. */
export const TUNNEL_TOKEN_ENV = "TUNNEL_TOKEN";
/** The container's name in the task definition. */
export const CONNECTOR_CONTAINER = "tunnel";
/** The AWS service that assumes a task execution role. */
export const ECS_TASKS_SERVICE = "ecs-tasks.amazonaws.com";

export interface ConnectorStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal?: { readonly Service: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
}

export interface ConnectorPolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly ConnectorStatement[];
}

export interface SecurityGroupRule {
  readonly protocol: "tcp";
  readonly fromPort: number;
  readonly toPort: number;
  readonly cidrBlocks: readonly string[];
  readonly description: string;
}

/**
 * The connector's security group has no ingress rule, ever: a tunnel connector only dials out,
 * and the ECS service's security group must not let anything reach it.
 */
export const CONNECTOR_INGRESS: readonly SecurityGroupRule[] = [];

/**
 * Egress, the whole list (the provider removes AWS's default allow-all egress rule):
 *
 * - TCP 7844 anywhere: Cloudflare's edge, whose addresses are not a documented, stable list;
 * - TCP 443 anywhere: Fargate 1.4+ pulls the image and the secret and ships logs through the
 *   task's own network interface, so the registry, Secrets Manager and CloudWatch Logs (or the
 *   VPC endpoints standing in for them) are reached over it;
 * - TCP to each origin the connector carries, on its port, at its address range: the origins,
 *   and nothing else in the VPC.
 *
 * No DNS rule: security groups do not filter traffic to the Amazon-provided resolver (VPC+2,
 * 169.254.169.253). A VPC whose DHCP options name other DNS servers needs a rule to them,
 * which this connector does not add.
 */
export function connectorEgressRules(target: { readonly reaches: readonly { readonly cidr?: string; readonly port: number }[] }): SecurityGroupRule[] {
  const rules: SecurityGroupRule[] = [
    { protocol: "tcp", fromPort: TUNNEL_EDGE_PORT, toPort: TUNNEL_EDGE_PORT, cidrBlocks: ["0.0.0.0/0"], description: "tunnel edge (cloudflared http2)" },
    { protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"], description: "image, secret and log endpoints" },
    ...target.reaches.map((r): SecurityGroupRule => {
      if (!r.cidr) throw new TypeError("the connector's egress needs each origin's CIDR (the model refuses an AWS tunnel origin without one)");
      return { protocol: "tcp", fromPort: r.port, toPort: r.port, cidrBlocks: [r.cidr], description: target.reaches.length > 1 ? "an origin" : "the origin" };
    }),
  ];
  // EC2 refuses a rule twice in one group (an origin on 443 or 7844 reached at 0.0.0.0/0).
  const seen = new Set<string>();
  return rules.filter((r) => {
    const key = `${r.protocol}/${r.fromPort}/${r.toPort}/${r.cidrBlocks.join(",")}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}

/**
 * `valueFrom` for the token: `<secret ARN>:<json key>:<version stage>:<version id>` with the key
 * and stage empty, so a task always starts with exactly this version. A rotated token is a new
 * version, so a new task definition revision, so a rolling deployment of the connector.
 */
export function tokenValueFrom(secretArn: string, versionId: string): string {
  if (!/^arn:aws[\w-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:.+-[A-Za-z0-9]{6}$/.test(secretArn)) throw new TypeError(`not a Secrets Manager secret ARN: ${secretArn}`);
  if (!versionId) throw new TypeError("the token's secret version is needed");
  return `${secretArn}:::${versionId}`;
}

export interface ConnectorContainerArgs {
  /** The connector image (`zuplo/tunnel@sha256:…`). */
  readonly image: string;
  /** The token's secret, and the version the task must start with. */
  readonly secretArn: string;
  readonly versionId: string;
  /** The CloudWatch log group and its region. */
  readonly logGroup: string;
  readonly region: string;
}

/**
 * The one container of the connector's task, as ECS's `containerDefinitions` JSON:
 *
 * - the token only in `secrets` (never `environment`), injected by ECS when the task starts;
 * - a read-only root filesystem: run with a token, `zuplo/tunnel` (cloudflared with
 *   `--no-autoupdate`) writes no file, only logs to stdout;
 * - every Linux capability dropped; no port mappings (nothing listens for the outside);
 * - `stopTimeout` longer than cloudflared's 30-second grace period, so a replaced replica
 *   finishes its requests before it is killed.
 */
export function connectorContainerDefinitions(c: ConnectorContainerArgs): string {
  return JSON.stringify([
    {
      name: CONNECTOR_CONTAINER,
      image: c.image,
      essential: true,
      secrets: [{ name: TUNNEL_TOKEN_ENV, valueFrom: tokenValueFrom(c.secretArn, c.versionId) }],
      readonlyRootFilesystem: true,
      linuxParameters: { capabilities: { drop: ["ALL"] } },
      stopTimeout: 45,
      logConfiguration: {
        logDriver: "awslogs",
        options: { "awslogs-group": c.logGroup, "awslogs-region": c.region, "awslogs-stream-prefix": CONNECTOR_CONTAINER },
      },
    },
  ]);
}

/**
 * Trust of the task execution role: ECS tasks only. No `aws:SourceAccount`/`aws:SourceArn`
 * condition, which the ECS documentation does not give for execution roles; a role can only be
 * passed to ECS by a principal of its own account with `iam:PassRole`.
 */
export function executionRoleTrustPolicy(): ConnectorPolicyDocument {
  return {
    Version: "2012-10-17",
    Statement: [{ Sid: "EcsTasksAssume", Effect: "Allow", Principal: { Service: ECS_TASKS_SERVICE }, Action: "sts:AssumeRole" }],
  };
}

/** `123456789012.dkr.ecr.us-east-1.amazonaws.com/mirror/tunnel:tag` → its repository's ARN. */
export function ecrRepositoryArn(image: string): string | undefined {
  const m = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([a-z0-9._/-]+?)(?::[A-Za-z0-9._-]+)?(?:@sha256:[0-9a-f]{64})?$/.exec(image);
  if (!m) return undefined;
  return `arn:${m[3] ? "aws-cn" : "aws"}:ecr:${m[2]}:${m[1]}:repository/${m[4]}`;
}

export interface ExecutionPolicyArgs {
  readonly secretArn: string;
  readonly logGroupArn: string;
  readonly image: string;
}

/**
 * The execution role's inline policy, instead of the AWS-managed one (which reads every ECR
 * repository and writes every log group):
 *
 * - `secretsmanager:GetSecretValue` on the token's secret, and nothing else of Secrets Manager;
 * - creating streams in and writing to the connector's log group only (both act on log
 *   streams, `<group ARN>:log-stream:<name>`);
 * - pulling the image, only when it is in ECR (Docker Hub needs no permission).
 */
export function executionRolePolicy(a: ExecutionPolicyArgs): ConnectorPolicyDocument {
  const statements: ConnectorStatement[] = [
    { Sid: "ReadTunnelToken", Effect: "Allow", Action: "secretsmanager:GetSecretValue", Resource: a.secretArn },
    { Sid: "WriteConnectorLogs", Effect: "Allow", Action: ["logs:CreateLogStream", "logs:PutLogEvents"], Resource: `${a.logGroupArn}:log-stream:*` },
  ];
  const repo = ecrRepositoryArn(a.image);
  if (repo) {
    statements.push(
      { Sid: "EcrAuth", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
      { Sid: "PullConnectorImage", Effect: "Allow", Action: ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"], Resource: repo },
    );
  }
  return { Version: "2012-10-17", Statement: statements };
}

/** Names of the connector's AWS resources: one connector per tunnel and stack. */
export function connectorNames(stackSlug: string, tunnelName: string): { readonly base: string; readonly logGroup: string } {
  return { base: `gatelock-${stackSlug}-${tunnelName}`.slice(0, 255), logGroup: `/gatelock/${stackSlug}/tunnel/${tunnelName}` };
}
