/**
 * `gatelock audit --program <dir>`: a user's own Pulumi program (test/fixtures/platform-program,
 * which builds its own IAM role, service account, bucket and Cloud Run service and passes
 * their Outputs to gatelock's components) audited under the mock engine.
 */
import * as fs from "node:fs";
import Module, { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { runProgramAudit } from "../components/audit/program-audit";
import type { AuditReport } from "../components/audit/report";
import { GenericFakeCloud } from "../components/testing/fakes-generic";
import { runCli } from "./harness/cli";

const FIXTURE = path.resolve(__dirname, "fixtures/platform-program");
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

const cli = (args: string[]) => runCli(args, {});

/** A copy of the fixture outside the repo (so nothing resolves from gatelock's own node_modules), with edits. */
function variant(edit: (files: Record<string, string>) => Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-program-"));
  temps.push(dir);
  const files = Object.fromEntries(fs.readdirSync(FIXTURE).map((f) => [f, fs.readFileSync(path.join(FIXTURE, f), "utf8")]));
  for (const [name, text] of Object.entries(edit(files))) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

describe("the platform program's audit", () => {
  let report: AuditReport;
  it("lists its origins with the principals its own resources' Outputs resolve to, placeholders where invented", async () => {
    report = await runProgramAudit({ programDir: FIXTURE, stack: "dev", env: {} });
    expect(report.ok).toBe(true);
    expect(report.gateway).toBe("zuplo acme/platform-api@dev");
    expect(report.origins.map((o) => [o.name, o.method, o.cloud])).toEqual([
      ["orders", "shared-secret", "aws"],
      ["billing", "shared-secret", "gcp"],
      ["shipments", "federated", "gcp"],
    ]);
    const origin = (name: string) => report.origins.find((o) => o.name === name)!;
    // role.arn: the deploying account and Pulumi's auto-name suffix are only known at deploy time.
    expect(origin("orders").store.readers).toEqual(["arn:aws:iam::<deploying account>:role/orders-api-<random>"]);
    // sa.email: fully decided by the program's own inputs, so shown as is.
    expect(origin("billing").store.readers).toEqual(["serviceAccount:billing-api@acme-platform-dev.iam.gserviceaccount.com"]);
    // The Cloud Run service has no faithful fake: its name and URL are marked placeholders.
    expect(origin("shipments").url).toBe("<url of shipments-api>");
    expect(origin("shipments").store.location).toContain("services/<name of shipments-api>");
    expect(origin("shipments").reachableBy[0]).toContain("sub ∈ {atcl_01JDEVSHIPMENTS7Q9X2B}");
    expect(report.placeholders).toEqual(expect.arrayContaining(["<deploying account>", "<random>", "<arn of orders-assets>", "<name of shipments-api>", "<url of shipments-api>"]));
  });

  it("lists the ZuploEnvironment's variables and the gateway policies", () => {
    expect(report.variables.map((v) => [v.name, v.isSecret, v.origin])).toEqual([
      ["ORDERS_SHARED_SECRET", true, "orders"],
      ["ORDERS_ORIGIN_URL", false, "orders"],
      ["BILLING_SHARED_SECRET", true, "billing"],
      ["SHIPMENTS_GCP_WORKLOAD_IDENTITY_PROVIDER", false, "shipments"],
      ["SHIPMENTS_GCP_SERVICE_ACCOUNT", false, "shipments"],
      ["SHIPMENTS_GCP_AUDIENCE", false, "shipments"],
      ["SHIPMENTS_ORIGIN_URL", false, "shipments"],
    ]);
    expect(report.gatewayPolicies.map((p) => p.origin)).toEqual(["orders", "billing", "shipments"]);
    expect(report.policiesJson.policies.length).toBeGreaterThanOrEqual(3);
  });

  it("marks the resources it faked generically, says so in a finding, and masks secrets", () => {
    const generic = report.resources.filter((r) => r.fake === "generic").map((r) => r.type);
    // The bucket has a faithful fake now (mTLS trust stores live in S3); the Cloud Run service does not.
    expect(generic.sort()).toEqual(["gcp:cloudrunv2/service:Service"]);
    expect(report.resources.find((r) => r.type === "aws:iam/role:Role")).not.toHaveProperty("fake");
    expect(report.findings.find((f) => f.code === "WARN_GENERIC_FAKE")?.message).toContain("gcp:cloudrunv2/service:Service");
    // The bucket's ARN the program put into its own role policy is a placeholder, not a guess.
    const rolePolicy = report.resources.find((r) => r.type === "aws:iam/rolePolicy:RolePolicy")!;
    expect(String(rolePolicy.inputs.policy)).toContain('"Resource":["<arn of orders-assets>/*"]');
    const version = report.resources.find((r) => r.type === "aws:secretsmanager/secretVersion:SecretVersion")!;
    expect(version.inputs.secretString).toBe("[secret]");
    expect(report.findings.some((f) => f.code === "ERR_SECRET_IN_OUTPUT")).toBe(false);
  });

  it("exits 0 through the CLI, and two runs are byte-identical", async () => {
    const args = ["audit", "--program", FIXTURE, "--stack", "dev"];
    const [a, b] = [await cli([...args, "--format", "json"]), await cli([...args, "--format", "json"])];
    expect([a.code, b.code]).toEqual([0, 0]);
    expect(a.out).toBe(b.out);
    const [m1, m2] = [await cli(args), await cli(args)];
    expect(m1.code).toBe(0);
    expect(m1.out).toBe(m2.out);
    expect(m1.out).toContain("orders");
  });

  it("leaves the process as it found it: resolver, `.ts` loader and working directory", async () => {
    const internals = Module as unknown as { _resolveFilename: unknown; _extensions: Record<string, unknown> };
    const before = [internals._resolveFilename, internals._extensions[".ts"], process.cwd()];
    await runProgramAudit({ programDir: FIXTURE, stack: "dev" });
    expect([internals._resolveFilename, internals._extensions[".ts"], process.cwd()]).toEqual(before);
  });
});

describe("a program that fails", () => {
  it("a reader Output that resolves to `*`: exit 1, with the component and the arg", async () => {
    const dir = variant((f) => ({ ...f, "index.ts": f["index.ts"]!.replace("readers: [role.arn],", 'readers: [role.arn.apply(() => "*")],') }));
    const { code, out } = await cli(["audit", "--program", dir, "--stack", "dev", "--format", "json"]);
    expect(code).toBe(1);
    const r = JSON.parse(out) as AuditReport;
    expect(r.ok).toBe(false);
    expect(r.findings.map((x) => [x.code, x.path])).toEqual([["ERR_TRUST_UNSAFE", "orders: readers[0]"]]);
  });

  it("a syntax error: a finding at its file, line and column, not an internal error", async () => {
    const dir = variant((f) => ({ ...f, "roles.ts": f["roles.ts"]!.replace("const role = new", "const role = = new") }));
    const { code, out } = await cli(["audit", "--program", dir, "--stack", "dev", "--format", "json"]);
    expect(code).toBe(1);
    const [finding] = (JSON.parse(out) as AuditReport).findings;
    expect(finding).toMatchObject({ severity: "error", code: "ERR_PROGRAM_FAILED", path: expect.stringMatching(/^roles\.ts:6:\d+$/) });
  });

  it("a throw (a TypeError at run time): a finding naming the program file and line", async () => {
    const dir = variant((f) => ({ ...f, "index.ts": f["index.ts"]!.replace("const gcpProject =", "(undefined as unknown as () => void)();\nconst gcpProject =") }));
    const { code, out, err } = await cli(["audit", "--program", dir, "--stack", "dev", "--format", "json"]);
    expect([code, err]).toEqual([1, ""]);
    const [finding] = (JSON.parse(out) as AuditReport).findings;
    const line = f_line(path.join(dir, "index.ts"), "(undefined as unknown");
    expect(finding).toMatchObject({ code: "ERR_PROGRAM_FAILED", path: expect.stringMatching(new RegExp(`^index\\.ts:${line}:\\d+$`)) });
    expect(finding!.message).toContain("TypeError");
  });

  it("no Pulumi.yaml: a usage error (exit 2)", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-program-"));
    temps.push(dir);
    const { code, err } = await cli(["audit", "--program", dir, "--stack", "dev"]);
    expect(code).toBe(2);
    expect(err).toContain("Pulumi.yaml");
  });

  it("a Python program: refused as a usage error (exit 2), by runtime", async () => {
    const dir = variant((f) => ({ ...f, "Pulumi.yaml": "name: platform\nruntime: python\n" }));
    const { code, err } = await cli(["audit", "--program", dir, "--stack", "dev"]);
    expect(code).toBe(2);
    expect(err).toContain("runtime `python`");
  });
});

describe("the program's modules", () => {
  it("its `@pulumi/pulumi` is the engine's instance, even beside its own copy", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-program-"));
    temps.push(dir);
    fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: probe\nruntime: nodejs\nmain: index.js\n");
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), "config: {}\n");
    // A stale copy of its own, which must not be used.
    fs.mkdirSync(path.join(dir, "node_modules/@pulumi/pulumi"), { recursive: true });
    fs.writeFileSync(path.join(dir, "node_modules/@pulumi/pulumi/package.json"), '{"name":"@pulumi/pulumi","version":"0.0.1","main":"index.js"}');
    fs.writeFileSync(path.join(dir, "node_modules/@pulumi/pulumi/index.js"), "module.exports = { stale: true };");
    fs.writeFileSync(
      path.join(dir, "index.js"),
      [
        'const pulumi = require("@pulumi/pulumi");',
        "globalThis.__gatelockProbe = { pulumi, stack: pulumi.getStack() };",
        'new pulumi.CustomResource("acme:index:Widget", "widget", { size: 3 });',
      ].join("\n"),
    );
    const r = await runProgramAudit({ programDir: dir, stack: "dev" });
    const probe = (globalThis as { __gatelockProbe?: { pulumi: unknown; stack: string } }).__gatelockProbe!;
    expect(probe.pulumi).toBe(createRequire(__filename)("@pulumi/pulumi"));
    expect(probe.stack).toBe("dev");
    // Registered with the engine's runtime, so recorded, and faked generically.
    expect(r.resources.find((x) => x.type === "acme:index:Widget")).toMatchObject({ name: "widget", inputs: { size: 3 }, fake: "generic" });
  });
});

describe("generic fakes", () => {
  it("synthesise outputs in the cloud's format, each recorded with a placeholder naming the resource", () => {
    const cloud = new GenericFakeCloud({ inventAvoiding: "" }, { "aws:region": "eu-west-1" });
    const queue = cloud.newResource({ type: "aws:sqs/queue:Queue", name: "jobs", inputs: {}, custom: true });
    expect(queue.state.arn).toMatch(/^arn:aws:sqs:eu-west-1:\d{12}:queue\/jobs-[0-9a-f]{7}$/);
    expect(cloud.invented.get(String(queue.state.arn))).toBe("<arn of jobs>");
    expect(cloud.invented.get(String(queue.state.name))).toBe("<name of jobs>");
    const account = cloud.newResource({ type: "gcp:iam/workforcePoolAccount:WorkforcePoolAccount", name: "ops", inputs: { project: "acme", accountId: "ops-bot" }, custom: true });
    expect(account.state.email).toBe("ops-bot@acme.iam.gserviceaccount.com");
    expect(cloud.invented.get("ops-bot@acme.iam.gserviceaccount.com")).toBe("<email of ops>");
    // What the program set is its own: kept as given, never marked.
    const named = cloud.newResource({ type: "aws:sns/topic:Topic", name: "alerts", inputs: { name: "alerts-prod" }, custom: true });
    expect([named.id, named.state.name, cloud.invented.has("alerts-prod")]).toEqual(["alerts-prod", "alerts-prod", false]);
    expect([...cloud.generic].sort()).toEqual(["aws:sns/topic:Topic::alerts", "aws:sqs/queue:Queue::jobs", "gcp:iam/workforcePoolAccount:WorkforcePoolAccount::ops"]);
  });
});

/** The 1-based line of the first line containing `text`. */
function f_line(file: string, text: string): number {
  return fs.readFileSync(file, "utf8").split("\n").findIndex((l) => l.includes(text)) + 1;
}
