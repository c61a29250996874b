/**
 * Method 5's connector on AWS, `AwsTunnelOrigin` under the mock engine with faithful fakes:
 * an ECS Fargate service in private subnets with no public IP, a security group with no ingress
 * and egress only as listed, the tunnel's token in Secrets Manager reaching the container through
 * `secrets` pinned to its version, and an execution role that may read that secret and nothing
 * else (judged by an IAM policy simulator). A token rotation is followed across two deployments.
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { runSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import { AwsTunnelOrigin, type AwsTunnelOriginArgs } from "../components/aws/index";
import { connectorEgressRules, ecrRepositoryArn, executionRolePolicy, tokenValueFrom } from "../components/documents/aws-tunnel";
import { ConfigError } from "../components/errors";
import { TunnelServiceOrigin } from "../components/tunnel/service-origin";
import type { TunnelService } from "../components/tunnel/origin-args";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { type PriorResource, UNFAKED } from "../components/testing/fakes";
import { isSecretValue, ofType, one, plainStrings, type RecordedResource, reveal } from "./harness";

const ACCOUNT = "123456789012";
const REGION = "eu-west-1";
const DIGEST = `zuplo/tunnel@sha256:${"a".repeat(64)}`;
const VPC = "vpc-0a1b2c3d4e5f60718";
const SUBNETS = ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"];
const CLUSTER = `arn:aws:ecs:${REGION}:${ACCOUNT}:cluster/platform`;

const T = {
  secret: "aws:secretsmanager/secret:Secret",
  version: "aws:secretsmanager/secretVersion:SecretVersion",
  logGroup: "aws:cloudwatch/logGroup:LogGroup",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  sg: "aws:ec2/securityGroup:SecurityGroup",
  cluster: "aws:ecs/cluster:Cluster",
  task: "aws:ecs/taskDefinition:TaskDefinition",
  service: "aws:ecs/service:Service",
};

const newToken = () => `tk_${randomBytes(24).toString("base64url")}`;
const args = (token: pulumi.Input<string>, over: Partial<AwsTunnelOriginArgs> = {}, tunnel: Partial<AwsTunnelOriginArgs["tunnel"]> = {}): AwsTunnelOriginArgs => ({
  tunnel: { token, name: "gl-prod", endpoint: "http://10.0.3.12:8080", image: DIGEST, ...tunnel },
  region: REGION,
  vpcId: VPC,
  subnets: SUBNETS,
  ...over,
});

interface Deployed {
  readonly resources: readonly RecordedResource[];
  readonly produced: ReadonlyMap<string, PriorResource>;
  /** Stack outputs, resolved (secrets would show here revealed). */
  readonly outputs: Record<string, any>;
}

async function deploy(a: AwsTunnelOriginArgs, prior?: ReadonlyMap<string, PriorResource>): Promise<Deployed> {
  const run = await runUnderMocks(
    () => {
      const o = new AwsTunnelOrigin("warehouse", a);
      return {
        summary: o.summary,
        variables: o.gatewayVariables.map((v) => ({ name: v.name, isSecret: v.isSecret, value: v.value })),
        tunnelService: o.tunnelService,
        findings: o.findings.map((f) => [f.code, f.path]),
        taskDefinitionArn: o.taskDefinitionArn,
      };
    },
    { stack: "prod", fakes: prior ? { prior } : {} },
  );
  return { resources: run.resources, produced: run.fakes.produced, outputs: run.outputs as Record<string, any> };
}

const inputs = (d: Deployed, type: string) => reveal(one(d.resources, type).inputs) as Record<string, any>;
const state = (d: Deployed, type: string): Record<string, any> => {
  const r = one(d.resources, type);
  const s = d.produced.get(`${type}::${r.name}`);
  if (!s) throw new Error(`nothing produced for ${type}`);
  return { id: s.id, ...(reveal(s.state) as Record<string, any>) };
};
const containers = (d: Deployed) => JSON.parse(inputs(d, T.task).containerDefinitions) as Array<Record<string, any>>;

async function failure(p: Promise<unknown>): Promise<MockRunError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MockRunError);
  return e as MockRunError;
}

/** Everything wrong with a security group's rules for a connector, by the issue's rules; empty when it is right. */
function sgViolations(sg: { ingress?: unknown[]; egress?: unknown[] }, origin: { cidr: string; port: number }): string[] {
  const out: string[] = [];
  for (const r of (sg.ingress ?? []) as Array<Record<string, any>>) out.push(`ingress ${r.protocol} ${r.fromPort}-${r.toPort}`);
  const allowed = new Set([`tcp/7844/7844/0.0.0.0/0`, `tcp/443/443/0.0.0.0/0`, `tcp/${origin.port}/${origin.port}/${origin.cidr}`]);
  const seen = new Set<string>();
  for (const r of (sg.egress ?? []) as Array<Record<string, any>>) {
    for (const peer of [...(r.ipv6CidrBlocks ?? []), ...(r.prefixListIds ?? []), ...(r.securityGroups ?? []), ...(r.self ? ["self"] : [])]) out.push(`egress to ${peer}`);
    for (const c of r.cidrBlocks ?? []) {
      const key = `${String(r.protocol).toLowerCase()}/${r.fromPort}/${r.toPort}/${c}`;
      if (!allowed.has(key)) out.push(`egress ${key}`);
      seen.add(key);
    }
  }
  for (const k of allowed) if (!seen.has(k)) out.push(`missing egress ${k}`);
  return out;
}

describe("AwsTunnelOrigin: what it registers", () => {
  let d: Deployed;
  let token: string;
  beforeAll(async () => {
    UNFAKED.length = 0;
    token = newToken();
    d = await deploy(args(pulumi.secret(token)));
  }, 60_000);

  it("the connector's resources, every one faked, in the connector's region, under the component", () => {
    expect(UNFAKED.filter((t) => t.startsWith("aws:"))).toEqual([]);
    for (const t of Object.values(T)) expect(ofType(d.resources, t), t).toHaveLength(1);
    const component = d.resources.find((r) => r.type === "gatelock:aws:TunnelOrigin")!;
    for (const r of d.resources.filter((x) => x.custom)) {
      expect(r.parent, r.type).toBe(component.urn);
      // IAM is global: roles and their policies take no region.
      if (!r.type.startsWith("aws:iam/")) expect(reveal(r.inputs.region), r.type).toBe(REGION);
    }
    expect(inputs(d, T.secret).name).toBe("gatelock/prod/tunnel/gl-prod/token");
    expect(inputs(d, T.logGroup)).toMatchObject({ name: "/gatelock/prod/tunnel/gl-prod", retentionInDays: 30 });
  });

  it("the security group: no ingress at all, egress exactly 7844 and 443 anywhere and the origin's port to its /32, in the given VPC", () => {
    const sg = inputs(d, T.sg);
    expect(sg.vpcId).toBe(VPC);
    expect(sg.ingress).toEqual([]);
    expect(sg.egress.map((r: any) => [r.protocol, r.fromPort, r.toPort, r.cidrBlocks])).toEqual([
      ["tcp", 7844, 7844, ["0.0.0.0/0"]],
      ["tcp", 443, 443, ["0.0.0.0/0"]],
      ["tcp", 8080, 8080, ["10.0.3.12/32"]],
    ]);
    // What the group holds once created, as the provider leaves it (no default allow-all egress).
    const created = state(d, T.sg);
    expect(sgViolations(created, { cidr: "10.0.3.12/32", port: 8080 })).toEqual([]);
    expect(sgViolations(sg, { cidr: "10.0.3.12/32", port: 8080 })).toEqual([]);
  });

  it("the judge of the security group is not vacuous: an allow-all egress, an ingress rule, a wider origin or a missing rule are each caught", () => {
    const sg = inputs(d, T.sg);
    const origin = { cidr: "10.0.3.12/32", port: 8080 };
    expect(sgViolations({ ...sg, egress: [...sg.egress, { protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }, origin)).toEqual(["egress -1/0/0/0.0.0.0/0"]);
    expect(sgViolations({ ...sg, ingress: [{ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["0.0.0.0/0"] }] }, origin)).toEqual(["ingress tcp 22-22"]);
    expect(sgViolations({ ...sg, egress: [sg.egress[0], sg.egress[1], { ...sg.egress[2], cidrBlocks: ["10.0.0.0/8"] }] }, origin)).toEqual(["egress tcp/8080/8080/10.0.0.0/8", "missing egress tcp/8080/8080/10.0.3.12/32"]);
    expect(sgViolations({ ...sg, egress: [sg.egress[0], sg.egress[2]] }, origin)).toEqual(["missing egress tcp/443/443/0.0.0.0/0"]);
    expect(sgViolations({ ...sg, egress: [...sg.egress, { protocol: "tcp", fromPort: 0, toPort: 0, cidrBlocks: [], ipv6CidrBlocks: ["::/0"] }] }, origin)).toEqual(["egress to ::/0"]);
  });

  it("the service: Fargate in the given subnets, no public IP, only the connector's group, circuit breaker with rollback, rolling 100/200, two replicas", () => {
    const svc = inputs(d, T.service);
    expect(svc.networkConfiguration).toEqual({ subnets: SUBNETS, securityGroups: [state(d, T.sg).id], assignPublicIp: false });
    expect(svc).toMatchObject({
      launchType: "FARGATE",
      desiredCount: 2,
      deploymentCircuitBreaker: { enable: true, rollback: true },
      deploymentMinimumHealthyPercent: 100,
      deploymentMaximumPercent: 200,
      enableExecuteCommand: false,
      cluster: state(d, T.cluster).arn,
      taskDefinition: state(d, T.task).arn,
    });
    // The service starts only once its role may read the token.
    expect(one(d.resources, T.service).dependsOn).toContain(one(d.resources, T.rolePolicy).urn);
    const task = inputs(d, T.task);
    expect(task).toMatchObject({ requiresCompatibilities: ["FARGATE"], networkMode: "awsvpc", runtimePlatform: { operatingSystemFamily: "LINUX" }, cpu: "256", memory: "512", executionRoleArn: state(d, T.role).arn });
    expect(task.taskRoleArn).toBeUndefined();
    const [c, ...more] = containers(d);
    expect(more).toEqual([]);
    expect(c).toMatchObject({ image: DIGEST, essential: true, readonlyRootFilesystem: true, linuxParameters: { capabilities: { drop: ["ALL"] } } });
    expect(c!.portMappings).toBeUndefined();
    expect(c!.logConfiguration).toEqual({ logDriver: "awslogs", options: { "awslogs-group": "/gatelock/prod/tunnel/gl-prod", "awslogs-region": REGION, "awslogs-stream-prefix": "tunnel" } });
  });

  it("the token: a secret in the SecretVersion only, referenced by ARN and version in `secrets`, never in `environment`, an output or the summary", () => {
    const version = one(d.resources, T.version);
    expect(isSecretValue(version.inputs.secretString)).toBe(true);
    expect(reveal(version.inputs.secretString)).toBe(token);
    expect(version.inputs.secretId).toBe(state(d, T.secret).id);
    const [c] = containers(d);
    expect(c!.secrets).toEqual([{ name: "TUNNEL_TOKEN", valueFrom: `${state(d, T.secret).arn}:::${state(d, T.version).versionId}` }]);
    expect(c!.environment).toBeUndefined();
    // The definition itself holds no secret, so the audit can show it whole.
    expect(isSecretValue(one(d.resources, T.task).inputs.containerDefinitions)).toBe(false);
    // Nowhere in plain text: not in any input, nor in what the fakes return, nor in the outputs.
    for (const r of d.resources) expect(plainStrings(r.inputs).filter((s) => s.includes(token)), r.type).toEqual([]);
    for (const [key, p] of d.produced) expect(plainStrings(p.state).filter((s) => s.includes(token)), key).toEqual([]);
    expect(JSON.stringify(d.outputs)).not.toContain(token);
  });

  it("the execution role: trusted by ECS tasks only, with one inline policy and no managed one", () => {
    const role = inputs(d, T.role);
    expect(JSON.parse(role.assumeRolePolicy)).toEqual({ Version: "2012-10-17", Statement: [{ Sid: "EcsTasksAssume", Effect: "Allow", Principal: { Service: "ecs-tasks.amazonaws.com" }, Action: "sts:AssumeRole" }] });
    expect(role.managedPolicyArns).toBeUndefined();
    expect(ofType(d.resources, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")).toEqual([]);
    expect(inputs(d, T.rolePolicy).role).toBe(state(d, T.role).name);
    // A Docker Hub image: no ECR permission at all.
    expect(JSON.stringify(JSON.parse(inputs(d, T.rolePolicy).policy))).not.toContain("ecr:");
  });

  it("the gateway side: a plain service:// URL variable, the tunnel's services entry, the summary without the token", () => {
    expect(d.outputs.variables).toEqual([{ name: "WAREHOUSE_ORIGIN_URL", isSecret: false, value: "service://warehouse-prod" }]);
    expect(d.outputs.tunnelService).toEqual({ origin: "warehouse", tunnel: "gl-prod", name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production"] });
    expect(d.outputs.findings).toEqual([]);
    expect(d.outputs.summary).toMatchObject({
      tunnel: "gl-prod",
      service: "service://warehouse-prod",
      replicas: 2,
      image: DIGEST,
      egress: ["TCP 7844 to 0.0.0.0/0", "TCP 443 to 0.0.0.0/0", "TCP 8080 to 10.0.3.12/32"],
      tokenSecretArn: state(d, T.secret).arn,
      taskDefinition: state(d, T.task).arn,
      securityGroup: state(d, T.sg).id,
    });
  });
});

describe("the execution role's policy, judged by an IAM policy simulator", () => {
  let policy: unknown;
  let secretArn: string;
  let logGroupArn: string;
  let principal: string;
  beforeAll(async () => {
    const d = await deploy(args(pulumi.secret(newToken())));
    policy = JSON.parse(inputs(d, T.rolePolicy).policy);
    secretArn = state(d, T.secret).arn;
    logGroupArn = state(d, T.logGroup).arn;
    principal = `arn:aws:sts::${ACCOUNT}:assumed-role/${state(d, T.role).name}/ecs-task`;
  }, 60_000);

  async function decide(action: string, resource: string, doc: unknown = policy) {
    const sim: Simulation = {
      request: { principal, action, resource: { resource, accountId: ACCOUNT }, contextVariables: {} },
      identityPolicies: [{ name: "gatelock-tunnel-connector", policy: doc }],
      serviceControlPolicies: [],
      resourceControlPolicies: [],
    };
    const result = await runSimulation(sim, {});
    if (result.resultType === "error") throw new Error(`simulator refused the request: ${JSON.stringify(result.errors)}`);
    return result.overallResult;
  }

  it("may read the token's secret (the allowed case first), and no other secret of the account", async () => {
    expect(secretArn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatelock\/prod\/tunnel\/gl-prod\/token-\w{6}$/);
    expect(await decide("secretsmanager:GetSecretValue", secretArn)).toBe("Allowed");
    expect(await decide("secretsmanager:GetSecretValue", `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:gatelock/prod/orders/shared-secret-AbCdEf`)).toBe("ImplicitlyDenied");
    expect(await decide("secretsmanager:GetSecretValue", `${secretArn.slice(0, -6)}ZZZZZZ`)).toBe("ImplicitlyDenied");
  });

  it("may only read it: no writes, no rotation, no policy changes, no listing", async () => {
    for (const action of ["secretsmanager:PutSecretValue", "secretsmanager:UpdateSecret", "secretsmanager:DeleteSecret", "secretsmanager:PutResourcePolicy", "secretsmanager:RotateSecret", "secretsmanager:DescribeSecret"]) {
      expect(await decide(action, secretArn), action).toBe("ImplicitlyDenied");
    }
    expect(await decide("secretsmanager:ListSecrets", "*")).toBe("ImplicitlyDenied");
  });

  it("writes logs to the connector's log group only", async () => {
    expect(logGroupArn).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/gatelock/prod/tunnel/gl-prod`);
    const stream = `${logGroupArn}:log-stream:tunnel/tunnel/0123456789abcdef`;
    expect(await decide("logs:CreateLogStream", stream)).toBe("Allowed");
    expect(await decide("logs:PutLogEvents", stream)).toBe("Allowed");
    const other = `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/billing`;
    expect(await decide("logs:CreateLogStream", `${other}:log-stream:x`)).toBe("ImplicitlyDenied");
    // A group whose name starts with the connector's is another group.
    expect(await decide("logs:PutLogEvents", `${logGroupArn}-other:log-stream:x`)).toBe("ImplicitlyDenied");
    expect(await decide("logs:PutLogEvents", `${other}:log-stream:x`)).toBe("ImplicitlyDenied");
    expect(await decide("logs:DeleteLogGroup", logGroupArn)).toBe("ImplicitlyDenied");
  });

  it("pulls from ECR only when the image is there, and only from that repository", async () => {
    const image = `${ACCOUNT}.dkr.ecr.${REGION}.amazonaws.com/mirror/zuplo-tunnel@sha256:${"b".repeat(64)}`;
    const repo = ecrRepositoryArn(image)!;
    expect(repo).toBe(`arn:aws:ecr:${REGION}:${ACCOUNT}:repository/mirror/zuplo-tunnel`);
    const doc = executionRolePolicy({ secretArn, logGroupArn, image });
    expect(await decide("ecr:BatchGetImage", repo, doc)).toBe("Allowed");
    expect(await decide("ecr:GetDownloadUrlForLayer", repo, doc)).toBe("Allowed");
    expect(await decide("ecr:BatchGetImage", `arn:aws:ecr:${REGION}:${ACCOUNT}:repository/other`, doc)).toBe("ImplicitlyDenied");
    expect(await decide("ecr:PutImage", repo, doc)).toBe("ImplicitlyDenied");
    expect(await decide("ecr:BatchGetImage", repo)).toBe("ImplicitlyDenied");
    expect(ecrRepositoryArn("zuplo/tunnel:latest")).toBeUndefined();
  });
});

describe("token rotation across deployments", () => {
  it("a new token is a new secret version, a new task definition revision, and the service runs it; nothing else is replaced", async () => {
    const first = newToken();
    const second = newToken();
    const d1 = await deploy(args(pulumi.secret(first)));
    const d2 = await deploy(args(pulumi.secret(second)), d1.produced);
    expect(state(d2, T.secret).arn).toBe(state(d1, T.secret).arn);
    expect(state(d2, T.version).versionId).not.toBe(state(d1, T.version).versionId);
    expect(reveal(one(d2.resources, T.version).inputs.secretString)).toBe(second);
    expect(state(d1, T.task).revision).toBe(1);
    expect(state(d2, T.task).revision).toBe(2);
    expect(state(d2, T.task).arn).toBe(`arn:aws:ecs:${REGION}:${ACCOUNT}:task-definition/gatelock-prod-gl-prod:2`);
    expect(containers(d2)[0]!.secrets).toEqual([{ name: "TUNNEL_TOKEN", valueFrom: `${state(d2, T.secret).arn}:::${state(d2, T.version).versionId}` }]);
    expect(inputs(d2, T.service).taskDefinition).toBe(state(d2, T.task).arn);
    expect(d2.outputs.taskDefinitionArn).toBe(state(d2, T.task).arn);
    // The same service, group and cluster: the rotation is a rolling deployment, not a new connector.
    expect(state(d2, T.service).id).toBe(state(d1, T.service).id);
    expect(state(d2, T.sg).id).toBe(state(d1, T.sg).id);
    expect(state(d2, T.cluster).arn).toBe(state(d1, T.cluster).arn);
    expect(inputs(d2, T.service)).toMatchObject({ deploymentMinimumHealthyPercent: 100, deploymentMaximumPercent: 200, deploymentCircuitBreaker: { enable: true, rollback: true } });
    for (const t of [first, second]) for (const r of d2.resources) expect(plainStrings(r.inputs).filter((s) => s.includes(t)), r.type).toEqual([]);
  }, 60_000);
});

describe("options", () => {
  it("an existing cluster: no cluster is created and the service runs in it", async () => {
    const d = await deploy(args(pulumi.secret(newToken()), { clusterArn: CLUSTER }));
    expect(ofType(d.resources, T.cluster)).toEqual([]);
    expect(inputs(d, T.service).cluster).toBe(CLUSTER);
  });

  it("a name for the origin and its originCidr: the egress rule takes the CIDR and the endpoint's port", async () => {
    const d = await deploy(args(pulumi.secret(newToken()), { originCidr: "10.0.3.0/24" }, { endpoint: "https://orders.internal" }));
    expect(sgViolations(inputs(d, T.sg), { cidr: "10.0.3.0/24", port: 443 })).toEqual([]);
    expect(inputs(d, T.sg).egress.map((r: any) => [r.fromPort, r.cidrBlocks])).toEqual([[7844, ["0.0.0.0/0"]], [443, ["0.0.0.0/0"]], [443, ["10.0.3.0/24"]]]);
  });

  it("the single-replica hatch runs one replica and says so; a tag instead of a digest is a finding", async () => {
    const d = await deploy(args(pulumi.secret(newToken()), {}, { replicas: 1, dangerouslyAllowSingleReplica: true, image: "zuplo/tunnel:latest" }));
    expect(inputs(d, T.service).desiredCount).toBe(1);
    expect(d.outputs.findings).toEqual([
      ["WARN_SINGLE_REPLICA", "warehouse: tunnel.replicas"],
      ["WARN_IMAGE_NOT_PINNED", "warehouse: tunnel.image"],
    ]);
  });

  it("a token given as a plain string is still only a secret", async () => {
    const token = newToken();
    const d = await deploy(args(token));
    expect(isSecretValue(one(d.resources, T.version).inputs.secretString)).toBe(true);
    for (const r of d.resources) expect(plainStrings(r.inputs).filter((s) => s.includes(token)), r.type).toEqual([]);
  });

  it("the pure egress rules never list one rule twice (an origin on 443 reached through 0.0.0.0/0)", () => {
    expect(connectorEgressRules({ reaches: [{ cidr: "0.0.0.0/0", port: 443 }] }).map((r) => r.fromPort)).toEqual([7844, 443]);
    expect(() => connectorEgressRules({ reaches: [{ port: 443 }] })).toThrow(TypeError);
    expect(() => tokenValueFrom("arn:aws:ssm:eu-west-1:123456789012:parameter/x", "v")).toThrow(TypeError);
  });
});

describe("refusals", () => {
  const run = (program: () => void) => runUnderMocks(async () => void program(), { stack: "prod" });

  it("a public endpoint, or one replica without the hatch, throws ConfigError naming `warehouse: tunnel.<field>` before any child", async () => {
    const e1 = await failure(run(() => new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), {}, { endpoint: "http://203.0.113.10:8080" }))));
    expect(e1.cause).toBeInstanceOf(ConfigError);
    expect((e1.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_TRUST_UNSAFE", "warehouse: tunnel.endpoint"]]);
    expect(e1.resources.filter((r) => r.custom)).toEqual([]);
    const e2 = await failure(run(() => new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), {}, { replicas: 1 }))));
    expect((e2.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_CONFIG_INVALID", "warehouse: tunnel.replicas"]]);
    expect(e2.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("a known malformed subnet is refused at construction, naming it", async () => {
    const e = await failure(run(() => new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), { subnets: [SUBNETS[0]!, "subnet-XYZ"] }))));
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["warehouse: subnets[1]"]);
    expect(e.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("an Output subnet that resolves to an invalid ID fails the run, and the service is never created", async () => {
    const e = await failure(run(() => new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), { subnets: [SUBNETS[0]!, pulumi.output("sn-0a1b2c3d")] }))));
    expect(e.cause).toBeInstanceOf(ConfigError);
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["warehouse: subnets[1]"]);
    expect(ofType(e.resources, T.service)).toEqual([]);
  });

  it("Outputs that resolve to good values build the same connector", async () => {
    const r = await runUnderMocks(
      async () => {
        new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), { vpcId: pulumi.output(VPC), subnets: SUBNETS.map((s) => pulumi.output(s)), clusterArn: pulumi.output(CLUSTER) }));
      },
      { stack: "prod" },
    );
    const svc = reveal(one(r.resources, T.service).inputs) as Record<string, any>;
    expect(svc.networkConfiguration.subnets).toEqual(SUBNETS);
    expect(svc.cluster).toBe(CLUSTER);
    expect(reveal(one(r.resources, T.sg).inputs.vpcId)).toBe(VPC);
  });
});

describe("one connector carrying two origins (a shared tunnel)", () => {
  const run = (program: () => void) => runUnderMocks(async () => void program(), { stack: "prod" });
  const ledger = () => new TunnelServiceOrigin("ledger", { tunnel: { name: "gl-prod", endpoint: "http://10.0.4.20:9090" } });

  it("the carried origin's service is listed by the connector, and its egress allows it too; the carried origin has no resource", async () => {
    let services: readonly TunnelService[] = [];
    const r = await run(() => {
      const l = ledger();
      services = new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), {}, { alsoCarries: [l.tunnelService] })).tunnelServices;
    });
    expect(services.map((s) => [s.origin, s.name, s.endpoint])).toEqual([
      ["warehouse", "warehouse-prod", "http://10.0.3.12:8080"],
      ["ledger", "ledger-prod", "http://10.0.4.20:9090"],
    ]);
    const egress = (one(r.resources, T.sg).inputs.egress as { fromPort: number; cidrBlocks: string[] }[]).map((e) => `${e.cidrBlocks.join(",")}:${e.fromPort}`);
    expect(egress).toEqual(["0.0.0.0/0:7844", "0.0.0.0/0:443", "10.0.3.12/32:8080", "10.0.4.20/32:9090"]);
    const carried = one(r.resources, "gatelock:tunnel:ServiceOrigin", "ledger");
    expect(r.resources.filter((x) => x.parent === carried.urn)).toEqual([]);
  });

  it("a carried origin the connector cannot carry is refused at construction, named as its `tunnel.alsoCarries` entry", async () => {
    // On another tunnel.
    const e1 = await failure(run(() => new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), {}, { alsoCarries: [new TunnelServiceOrigin("ledger", { tunnel: { name: "gl-other", endpoint: "http://10.0.4.20:9090" } }).tunnelService] }))));
    expect((e1.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_CONFIG_CONFLICT", "warehouse: tunnel.alsoCarries[0].tunnel"]]);
    // A name the security group cannot allow (no `originCidr`), and a public address given by hand.
    const byName = { origin: "ledger", tunnel: "gl-prod", name: "ledger-prod", endpoint: "http://ledger.internal:9090", accessibleBy: ["production" as const] };
    const e2 = await failure(run(() => new AwsTunnelOrigin("warehouse", args(pulumi.secret(newToken()), {}, { alsoCarries: [byName, { ...byName, origin: "mail", name: "mail-prod", endpoint: "http://198.51.100.7:25" }] }))));
    expect((e2.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([
      ["ERR_CONFIG_INVALID", "warehouse: originCidr"],
      ["ERR_TRUST_UNSAFE", "warehouse: tunnel.alsoCarries[1].endpoint"],
    ]);
    expect(e2.resources.filter((x) => x.custom)).toEqual([]);
  });
});
