/**
 * Method 5 through gatelock's program: a stack-file tunnel origin becomes the gateway's tunnel
 * (created first: the connector needs its token), the connector holding exactly that token,
 * the tunnel's services configuration (once the connector exists), and the gateway's
 * `service://` variable (once the service is provisioned); a rotation gives every one of
 * them the new token, and nothing else is replaced.
 */
import { describe, expect, it } from "vitest";
import { isSecretValue, one, type ProgramRun, reveal, runProgram } from "./harness";

const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main", environment: { developerApi: true, apiUrl: "http://127.0.0.1:1" } };
const DIGEST = `zuplo/tunnel@sha256:${"c".repeat(64)}`;
const origin = (rotation = 0) => ({
  name: "warehouse",
  method: "tunnel",
  cloud: "aws",
  tunnel: { endpoint: "http://10.0.3.12:8080", image: DIGEST, rotation, accessibleBy: ["production", "preview"] },
  aws: { region: "eu-west-1", vpcId: "vpc-0a1b2c3d", subnets: ["subnet-0a1b2c3d4e5f60718", "subnet-0b2c3d4e5f6071829"] },
});
const T = {
  tunnel: "pulumi-nodejs:dynamic/gatelock:ZuploTunnel",
  services: "pulumi-nodejs:dynamic/gatelock:ZuploTunnelServices",
  variable: "pulumi-nodejs:dynamic/gatelock:ZuploVariable",
  version: "aws:secretsmanager/secretVersion:SecretVersion",
  task: "aws:ecs/taskDefinition:TaskDefinition",
};
const deploy = (rotation = 0, prior?: ProgramRun) => runProgram({ gateway, origins: [origin(rotation)] }, { stack: "prod", fakes: prior ? { prior: prior.fakes.produced } : {} });
const tokenOf = (run: ProgramRun) => String((run.fakes.produced.get(`${T.tunnel}::tunnel-gl-prod-warehouse-tunnel`)!.state.token as { value: string }).value);

describe("a tunnel origin, deployed by the program", () => {
  it("creates the tunnel, gives its token to the connector only, carries the service, and points the gateway at service://", async () => {
    const run = await deploy();
    const tunnel = one(run.resources, T.tunnel);
    expect(tunnel.inputs).toMatchObject({ account: "acme", name: "gl-prod-warehouse", apiUrl: "http://127.0.0.1:1" });
    // The connector's secret store holds exactly the tunnel's token, as a secret.
    const version = one(run.resources, T.version);
    expect(isSecretValue(version.inputs.secretString)).toBe(true);
    expect(reveal(version.inputs.secretString) === tokenOf(run)).toBe(true);
    // The services configuration: this origin, from the environments asked for, after the connector.
    const services = one(run.resources, T.services);
    expect(reveal(services.inputs.services)).toEqual([{ name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", configurations: [{ project: "orders-api", accessibleBy: ["production", "preview"] }] }]);
    // Waiting for the component is waiting for its children: the ECS service among them.
    expect(services.dependsOn).toContain(one(run.resources, "aws:ecs/service:Service").urn);
    // The gateway's URL variable is plain, is the service, and waits for the service to exist.
    const variable = run.resources.find((r) => r.type === T.variable && r.inputs.name === "WAREHOUSE_ORIGIN_URL")!;
    expect(variable.inputs).toMatchObject({ value: "service://warehouse-prod", isSecret: false });
    expect(variable.dependsOn).toContain(services.urn);
    // The token is nowhere else: not in the stack outputs, not in any other input in plain text.
    const token = tokenOf(run);
    expect(JSON.stringify(run.outputs).includes(token)).toBe(false);
    for (const r of run.resources) {
      if (r.type === T.version) continue;
      expect(JSON.stringify(r.inputs).includes(token), r.name).toBe(false);
    }
  });

  it("a rotation gives the connector the new token as a new version, and rolls its task definition; the tunnel and the service stay", async () => {
    const first = await deploy(0);
    const next = await deploy(1, first);
    expect(tokenOf(next) === tokenOf(first)).toBe(false);
    const id = (run: ProgramRun, type: string) => [...run.fakes.produced.entries()].find(([k]) => k.startsWith(`${type}::`))![1];
    expect(id(next, T.tunnel).state.tunnelId).toBe(id(first, T.tunnel).state.tunnelId);
    expect(id(next, T.version).state.versionId).not.toBe(id(first, T.version).state.versionId);
    expect(id(next, T.task).state.revision).not.toBe(id(first, T.task).state.revision);
    expect(reveal(one(next.resources, T.version).inputs.secretString) === tokenOf(next)).toBe(true);
    // Without a rotation, nothing changes: the same token, version and revision.
    const again = await deploy(1, next);
    expect(tokenOf(again) === tokenOf(next)).toBe(true);
    expect(id(again, T.version).state.versionId).toBe(id(next, T.version).state.versionId);
    expect(id(again, T.task).state.revision).toBe(id(next, T.task).state.revision);
  });
});

describe("origins sharing one tunnel, deployed by the program", () => {
  const ledger = { ...origin(), name: "ledger", tunnel: { ...origin().tunnel, name: "gl-prod-warehouse", endpoint: "http://10.0.4.20:9090", accessibleBy: ["production"] } };

  it("one tunnel and one connector, whose egress reaches both origins; one services configuration lists both; each gateway URL waits for it", async () => {
    const run = await runProgram({ gateway, origins: [origin(), ledger] }, { stack: "prod" });
    expect(run.resources.filter((r) => r.type === T.tunnel)).toHaveLength(1);
    expect(run.resources.filter((r) => r.type === "aws:ecs/service:Service")).toHaveLength(1);
    expect(run.resources.filter((r) => r.type === T.version)).toHaveLength(1);
    const group = one(run.resources, "aws:ec2/securityGroup:SecurityGroup");
    const egress = (group.inputs.egress as { fromPort: number; cidrBlocks: string[] }[]).map((r) => `${r.cidrBlocks.join(",")}:${r.fromPort}`);
    expect(egress).toEqual(["0.0.0.0/0:7844", "0.0.0.0/0:443", "10.0.3.12/32:8080", "10.0.4.20/32:9090"]);
    const services = one(run.resources, T.services);
    expect(reveal(services.inputs.services)).toEqual([
      { name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", configurations: [{ project: "orders-api", accessibleBy: ["production", "preview"] }] },
      { name: "ledger-prod", endpoint: "http://10.0.4.20:9090", configurations: [{ project: "orders-api", accessibleBy: ["production"] }] },
    ]);
    for (const [name, url] of [["WAREHOUSE_ORIGIN_URL", "service://warehouse-prod"], ["LEDGER_ORIGIN_URL", "service://ledger-prod"]] as const) {
      const variable = run.resources.find((r) => r.type === T.variable && r.inputs.name === name)!;
      expect(variable.inputs).toMatchObject({ value: url, isSecret: false });
      expect(variable.dependsOn).toContain(services.urn);
    }
    // The token is only ever the one connector's secret version, as a secret.
    const token = tokenOf(run);
    for (const r of run.resources) expect(JSON.stringify(r.type === T.version ? { ...r.inputs, secretString: null } : r.inputs).includes(token), r.name).toBe(false);
    expect(JSON.stringify(run.outputs).includes(token)).toBe(false);
    // The carried origin is a component of its own, with no resource under it.
    const carried = one(run.resources, "gatelock:tunnel:ServiceOrigin", "ledger");
    expect(run.resources.filter((r) => r.parent === carried.urn)).toEqual([]);
    // The audit's story of the carried origin names its carrier's connector.
    expect((run.outputs.origins.ledger as { connector?: { runsOn: string } }).connector?.runsOn).toMatch(/^warehouse's connector/);
    expect((run.outputs.origins.warehouse as { connector?: { egress: string[] } }).connector?.egress.at(-1)).toBe("10.0.3.12/32 port 8080, 10.0.4.20/32 port 9090 (the origins)");
  });

  it("refuses origins on one tunnel that disagree on its connector, before any resource exists", async () => {
    const other = { ...ledger, aws: { ...ledger.aws, subnets: ["subnet-0c2c3d4e5f6071829"] } };
    await expect(runProgram({ gateway, origins: [origin(), other] }, { stack: "prod" })).rejects.toThrow(/origins\[1\]\.aws[\s\S]*carried by/);
  });
});
