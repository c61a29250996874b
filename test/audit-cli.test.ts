import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../components/cli/main";
import { type AuditReport, runAudit } from "../components/audit/report";
import { FakeCloud } from "../components/testing/fakes";
import { PROJECT_DIR } from "./harness";

async function cli(args: string[]) {
  let out = "";
  let err = "";
  const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } } as any;
  const code = await main(args, io);
  return { code, out, err };
}

function project(stacks: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-cli-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(dir, "stacks"));
  for (const [name, yaml] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${name}.yaml`), yaml);
  return dir;
}

describe("gatelock audit --stack example --format json", () => {
  it("prints the contract: origins[] on all three clouds and resources[] with type, name, parent, inputs", async () => {
    const { code, out } = await cli(["audit", "--stack", "example", "--format", "json", "--cwd", PROJECT_DIR]);
    expect(code).toBe(0);
    const r = JSON.parse(out) as AuditReport;
    const byMethod = (m: string) => r.origins.filter((o) => o.method === m).map((o) => [o.name, o.cloud]);
    expect(byMethod("shared-secret")).toEqual([
      ["orders", "aws"],
      ["billing", "gcp"],
      ["users", "azure"],
    ]);
    expect(byMethod("federated").map(([, cloud]) => cloud).sort()).toEqual(["aws", "azure", "gcp", "other"]);
    for (const o of r.origins) {
      // Shared secrets are written to the branch; federated trusts admit what they pin.
      expect(o.reachableBy[0]).toContain(o.method === "shared-secret" ? "zuplo acme/orders-api@main" : "acme/orders-api");
      expect(o.store.readers.length).toBeGreaterThan(0);
    }
    const types = new Set(r.resources.map((x) => x.type));
    for (const t of [
      "aws:secretsmanager/secret:Secret",
      "aws:secretsmanager/secretPolicy:SecretPolicy",
      "gcp:secretmanager/secretIamMember:SecretIamMember",
      "azure-native:keyvault:Secret",
      "azure-native:authorization:RoleAssignment",
      "random:index/randomPassword:RandomPassword",
      "pulumi-nodejs:dynamic/gatelock:ZuploVariable",
      "gatelock:aws:SharedSecretOrigin",
    ]) expect(types.has(t), t).toBe(true);
    for (const res of r.resources) {
      expect(Object.keys(res).sort()).toEqual(["inputs", "name", "parent", "type", "urn"]);
    }
    const version = r.resources.find((x) => x.type === "aws:secretsmanager/secretVersion:SecretVersion")!;
    expect(version.inputs.secretString).toBe("[secret]");
    expect(version.parent).toMatch(/gatelock:aws:SharedSecretOrigin::orders$/);
    // Variables are listed with secrecy, never with values.
    expect(r.variables.find((v) => v.name === "ORDERS_SHARED_SECRET")).toEqual({
      name: "ORDERS_SHARED_SECRET",
      isSecret: true,
      origin: "orders",
      description: expect.any(String),
      sinks: ["zuplo-developer-api"],
    });
    expect(r.variables.every((v) => !("value" in v))).toBe(true);
    expect(r.policiesJson.policies.map((p) => p.handler.options)).toContainEqual({
      headers: [{ name: "x-gateway-secret", value: "$env(ORDERS_SHARED_SECRET)", overwrite: true }],
    });
  });

  it("warns when no Developer API key is configured", async () => {
    const prev = process.env.ZUPLO_API_KEY;
    delete process.env.ZUPLO_API_KEY;
    try {
      const r = JSON.parse((await cli(["audit", "-s", "example", "-f", "json", "--cwd", PROJECT_DIR])).out) as AuditReport;
      expect(r.findings.map((f) => f.code)).toContain("WARN_NO_API_KEY");
      expect(r.ok).toBe(true);
    } finally {
      if (prev !== undefined) process.env.ZUPLO_API_KEY = prev;
    }
  });
});

describe("gatelock audit: failures", () => {
  it("exits 1 with findings that name the keys when the config is invalid", async () => {
    const dir = project({
      bad: `config:\n  gatelock:gateway: {kind: zuplo, account: acme, project: p, branch: main}\n  gatelock:origins:\n    - {name: orders, method: shared-secret, cloud: aws, aws: {region: us-east-1, readers: ["*"]}}\n`,
    });
    const { code, out } = await cli(["audit", "--stack", "bad", "--format", "json", "--cwd", dir]);
    expect(code).toBe(1);
    const r = JSON.parse(out) as AuditReport;
    expect(r.ok).toBe(false);
    expect(r.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].aws.readers[0]" }));
    expect(r.resources).toEqual([]);
  });

  it("exits 1 on a plain-text API key in the stack file", async () => {
    const dir = project({
      plain: `config:\n  gatelock:zuploApiKey: zpka_0123456789abcdef\n  gatelock:gateway: {kind: zuplo, account: acme, project: p, branch: main}\n  gatelock:origins: []\n`,
    });
    const { code, out } = await cli(["audit", "--stack", "plain", "--cwd", dir]);
    expect(code).toBe(1);
    expect(out).toContain("ERR_PLAINTEXT_API_KEY");
    expect(out).not.toContain("zpka_0123456789abcdef");
  });

  it("names the stacks that exist when the stack is unknown", async () => {
    const { code, err } = await cli(["audit", "--stack", "nope", "--cwd", PROJECT_DIR]);
    expect(code).toBe(1);
    expect(err).toContain("ERR_STACK_NOT_FOUND");
    expect(err).toMatch(/example.*local|local.*example/);
  });

  it("exits 2 on usage errors", async () => {
    expect((await cli(["audit"])).code).toBe(2);
    expect((await cli(["audit", "--stack", "example", "--format", "yaml"])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
  });
});

describe("gatelock audit: renderings", () => {
  it("markdown has findings, origins, variables, the policy to paste and the resources", async () => {
    const { out } = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR]);
    for (const h of ["## Findings", "## Origins", "## Gateway variables", "## Gateway configuration to add", "## Resources `pulumi up` would create"]) {
      expect(out).toContain(h);
    }
    expect(out).toContain("| orders | shared-secret | aws |");
    expect(out).toContain('"$env(ORDERS_SHARED_SECRET)"');
  });

  it("mermaid draws gateway → origin trust and each store's readers", async () => {
    const { out } = await cli(["audit", "--stack", "example", "--format", "mermaid", "--cwd", PROJECT_DIR]);
    expect(out.startsWith("flowchart LR\n")).toBe(true);
    expect(out).toContain('gateway -- "shared-secret: ORDERS_SHARED_SECRET, ORDERS_ORIGIN_URL" --> origin_orders');
    expect(out).toContain("read by arn:aws:iam::123456789012:role/orders-api");
    expect(out).toMatch(/store_shipments -\. "trusts [^"]*sub = atcl_3c5VqX0pQ7JmA1bT9kLwZr2e, aud = aws:acme:prod" \.-> origin_shipments/);
  });
});

describe("gatelock audit: what the cloud itself would refuse", () => {
  it("reports a resource the cloud API would refuse as an error finding instead of crashing", async () => {
    const dir = project({
      aws: `config:\n  gatelock:gateway: {kind: zuplo, account: acme, project: orders-api, branch: main}\n  gatelock:origins:\n    - {name: shipments, method: federated, cloud: aws, federated: {audience: "aws:acme:prod", subjects: [atcl_3c5VqX0pQ7JmA1bT9kLwZr2e]}, aws: {region: us-east-1, apiGateway: {apiId: a1b2c3d4e5, stage: prod, routes: ["GET /orders"]}}}\n`,
    });
    // One fake AWS account, audited twice without state in between: the account already holds
    // an OIDC provider for Zuplo's issuer, and IAM allows only one per URL.
    const fakes = new FakeCloud();
    const first = await runAudit({ projectDir: dir, stack: "aws", fakes });
    expect(first.ok).toBe(true);
    const second = await runAudit({ projectDir: dir, stack: "aws", fakes });
    expect(second.ok).toBe(false);
    expect(second.findings).toEqual([
      expect.objectContaining({ severity: "error", code: "ERR_RESOURCE_REFUSED", message: expect.stringMatching(/OpenIdConnectProvider .* was refused: .*EntityAlreadyExists/) }),
    ]);
  });
});
