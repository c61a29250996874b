import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliDeps, EXIT, main } from "../components/cli/main";
import { render } from "../components/audit/render";
import { type AuditReport, runAudit } from "../components/audit/report";
import { MockRunError, type RecordedResource } from "../components/testing/engine";
import { FakeCloud, isSecretValue, reveal } from "../components/testing/fakes";
import { PROJECT_DIR } from "./harness";

async function cli(args: string[], deps?: CliDeps) {
  let out = "";
  let err = "";
  const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
  const code = await main(args, io, deps);
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

  it("an unknown stack is a usage error: exit 2, naming the stacks that exist", async () => {
    const { code, err } = await cli(["audit", "--stack", "nope", "--cwd", PROJECT_DIR]);
    expect(code).toBe(2);
    expect(err).toContain("ERR_STACK_NOT_FOUND");
    expect(err).toMatch(/example.*local|local.*example/);
  });

  it("no Pulumi project in --cwd or above is a usage error: exit 2", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-noproject-"));
    const { code, err } = await cli(["audit", "--stack", "example", "--cwd", dir]);
    expect(code).toBe(2);
    expect(err).toContain("ERR_STACK_NOT_FOUND");
  });

  it("exits 2 on usage errors", async () => {
    expect((await cli(["audit"])).code).toBe(2);
    expect((await cli(["audit", "--stack", "example", "--format", "yaml"])).code).toBe(2);
    expect((await cli(["audit", "--stack", "example", "--frobnicate"])).code).toBe(2);
    expect((await cli(["audit", "--stack", "example", "stray-positional"])).code).toBe(2);
    expect((await cli(["frobnicate"])).code).toBe(2);
  });
});

describe("gatelock audit: exit codes", () => {
  it("USAGE documents every exit code, and --help prints it with exit 0", async () => {
    const { code, out } = await cli(["audit", "--help"]);
    expect(code).toBe(0);
    expect(out).toMatch(/Exit codes:\n\s+0\s+ok[^\n]*\n\s+1\s+refused[\s\S]*\n\s+2\s+usage[\s\S]*\n\s+3\s+internal error/);
    expect(out).toContain("GATELOCK_DEBUG=1");
    expect(await cli(["--help"])).toEqual({ code: 0, out, err: "" });
    expect(EXIT).toEqual({ OK: 0, REFUSED: 1, USAGE: 2, INTERNAL: 3 });
  });

  const planted = "zpka_live_Yx3Vn8Qw2Lk7Pd5Rt1Hc9Mb4";
  const crash = async () => {
    // What an unexpected failure deep in the program looks like: its message quotes a value.
    throw new TypeError(`Invalid URL: https://orders.example/?key=${planted}`);
  };

  it("an unexpected failure exits 3 with one line, ERR_INTERNAL and no config value", async () => {
    const { code, out, err } = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR], { runAudit: crash, env: {} });
    expect(code).toBe(3);
    expect(out).toBe("");
    expect(err.trim().split("\n")).toHaveLength(1);
    expect(err).toMatch(/^gatelock: internal error: TypeError\. .*please report it.*\[ERR_INTERNAL\]\n$/);
    expect(err).not.toContain(planted);
    expect(err).not.toContain("orders.example");
  });

  it("names the cause of a failed program run, still without its message", async () => {
    const failed = async () => {
      throw new MockRunError(new RangeError(`Invalid array length ${planted}`), []);
    };
    const { code, err } = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR], { runAudit: failed, env: {} });
    expect(code).toBe(3);
    expect(err).toContain("internal error: MockRunError (caused by RangeError)");
    expect(err).not.toContain(planted);
  });

  it("prints the stack trace only with GATELOCK_DEBUG=1", async () => {
    const { code, err } = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR], { runAudit: crash, env: { GATELOCK_DEBUG: "1" } });
    expect(code).toBe(3);
    expect(err).toContain("[ERR_INTERNAL]");
    expect(err).toMatch(/TypeError: Invalid URL[^\n]*\n\s+at /);
  });
});

describe("gatelock audit: renderings", () => {
  it("markdown has origins, findings, the checklist, variables, the policy to paste and the resources, in that order", async () => {
    const { out } = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR]);
    const at = ["## Origins", "## Findings", "## Checklist: before and after `pulumi up`", "## Gateway variables", "## Gateway policy configuration", "## Resources `pulumi up` would create"].map((h) => out.indexOf(`\n${h}`));
    expect(at.every((x) => x > 0)).toBe(true);
    expect(at).toEqual([...at].sort((a, b) => a - b));
    expect(out).toContain("| orders | shared-secret | aws |");
    expect(out).toContain('"$env(ORDERS_SHARED_SECRET)"');
  });

  it("mermaid draws gateway → origin trust and each store's readers", async () => {
    const { out } = await cli(["audit", "--stack", "example", "--format", "mermaid", "--cwd", PROJECT_DIR]);
    expect(out.startsWith("```mermaid\nflowchart LR\n")).toBe(true);
    expect(out.endsWith("\n```\n")).toBe(true);
    expect(out).toContain('gateway -- "shared-secret: ORDERS_SHARED_SECRET, ORDERS_ORIGIN_URL" --> origin_orders');
    expect(out).toContain('store_orders -. "read by arn:aws:iam::123456789012:role/orders-api" .-> origin_orders');
    // Long labels are cut (the full principal is in the markdown and the JSON).
    expect(out).toMatch(/store_shipments -\. "trusts oidc-provider\/dev\.zuplo\.com[^"]*…" \.-> origin_shipments/);
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

describe("gatelock audit: the leak guard and a dotenv file (issue 6)", () => {
  /** The example stack, writing the gateway's variables to `.env` as well as the Developer API. */
  const exampleWithDotenv = (developerApi = true) => {
    const yaml = fs.readFileSync(path.join(PROJECT_DIR, "stacks", "Pulumi.example.yaml"), "utf8");
    const edited = yaml.replace(/^(\s+)developerApi: true.*$/m, `$1developerApi: ${developerApi}\n$1dotenv: .env`);
    expect(edited).not.toBe(yaml);
    // Tunnels are created with the Developer API: without it, the stack has none.
    return developerApi ? edited : edited.replace(/^ {4}- name: warehouse\n[\s\S]*$/m, "");
  };
  const zuploVariable = (rs: readonly RecordedResource[], name: string) => rs.find((r) => r.type.endsWith(":ZuploVariable") && r.inputs.name === name)!;
  const dotenvEntries = (rs: readonly RecordedResource[]) => {
    const entries = rs.find((r) => r.type.endsWith(":DotenvFile"))!.inputs.entries;
    expect(isSecretValue(entries)).toBe(true);
    return (entries as { value: Record<string, string> }).value;
  };

  it("the example stack with `dotenv: .env` passes: exit 0, no ERR_SECRET_IN_OUTPUT for its plain origin URLs", async () => {
    const dir = project({ example: exampleWithDotenv() });
    const { code, out } = await cli(["audit", "--stack", "example", "--format", "json", "--cwd", dir]);
    const r = JSON.parse(out) as AuditReport;
    expect(r.findings.map((f) => f.code)).not.toContain("ERR_SECRET_IN_OUTPUT");
    expect(code).toBe(0);
    expect(r.variables.find((v) => v.name === "ORDERS_ORIGIN_URL")?.sinks).toEqual(["zuplo-developer-api", "dotenv:.env"]);
    // The plain values are printed, as they are without dotenv.
    expect(out).toContain('"value": "https://orders.internal.acme.example"');
  });

  it("...and still prints none of the generated secrets", async () => {
    const dir = project({ example: exampleWithDotenv() });
    const secrets: string[] = [];
    const report = await runAudit({
      projectDir: dir,
      stack: "example",
      observe: (rs) => {
        const entries = dotenvEntries(rs);
        for (const r of rs.filter((x) => x.type.endsWith(":ZuploVariable") && x.inputs.isSecret)) {
          const value = String(reveal(r.inputs.value));
          expect(entries[String(r.inputs.name)]).toBe(value);
          secrets.push(value);
        }
      },
    });
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    expect(report.ok).toBe(true);
    for (const format of ["json", "markdown", "mermaid"] as const) {
      const text = render(report, format);
      for (const s of secrets) expect(text).not.toContain(s);
    }
  });

  // A program bug that wires a generated secret into a variable declared plain: the value
  // lands in the plain Developer API variable and in that variable's slot of the dotenv map.
  it("still catches a generated secret leaked into a plain variable, in both sinks", async () => {
    const dir = project({ example: exampleWithDotenv() });
    let leaked = "";
    const report = await runAudit({
      projectDir: dir,
      stack: "example",
      observe: (rs) => {
        leaked = String(reveal(zuploVariable(rs, "ORDERS_SHARED_SECRET").inputs.value));
        (zuploVariable(rs, "ORDERS_ORIGIN_URL").inputs as Record<string, unknown>).value = leaked;
        dotenvEntries(rs).ORDERS_ORIGIN_URL = leaked;
      },
    });
    expect(leaked).toHaveLength(48);
    expect(report.ok).toBe(false);
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "ERR_SECRET_IN_OUTPUT", path: "audit" }));
  });

  it("still catches it with dotenv as the only sink, when the secret also sits in a plain dotenv slot", async () => {
    const dir = project({ example: exampleWithDotenv(false) });
    let leaked = "";
    const report = await runAudit({
      projectDir: dir,
      stack: "example",
      observe: (rs) => {
        expect(rs.some((r) => r.type.endsWith(":ZuploVariable"))).toBe(false);
        const entries = dotenvEntries(rs);
        leaked = entries.ORDERS_SHARED_SECRET!;
        entries.ORDERS_ORIGIN_URL = leaked;
        // ...and printed through some plain input.
        const secret = rs.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        (secret.inputs as Record<string, unknown>).description = `for ${leaked}`;
      },
    });
    expect(leaked).toHaveLength(48);
    expect(report.findings.map((f) => f.code)).toContain("ERR_SECRET_IN_OUTPUT");
  });
});

describe("the built `gatelock` process: exit codes CI sees", () => {
  // Compile the CLI as `npm run build` does, into a scratch directory inside the repo (so it
  // resolves the same node_modules), without touching dist/.
  let build: string;
  const planted = "zpka_live_Pp4Qx8Rm2Tn6Vb1Wc9Yd3Zf";

  beforeAll(() => {
    const cache = path.join(PROJECT_DIR, "node_modules", ".cache");
    fs.mkdirSync(cache, { recursive: true });
    build = fs.mkdtempSync(path.join(cache, "gatelock-cli-test-"));
    const tsc = require.resolve("typescript/bin/tsc");
    // Type errors elsewhere in a working tree do not stop tsc from emitting; the CLI must exist.
    spawnSync(process.execPath, [tsc, "-p", path.join(PROJECT_DIR, "tsconfig.build.json"), "--outDir", build, "--declaration", "false", "--sourceMap", "false"], { stdio: "ignore", timeout: 110_000 });
    expect(fs.existsSync(path.join(build, "cli", "main.js"))).toBe(true);
    // A stand-in for a bug deep in the program: the audit throws an error quoting a config value.
    fs.writeFileSync(
      path.join(build, "crash.js"),
      `require("./audit/report.js").runAudit = async () => { throw new RangeError("Invalid array length for ${planted}"); };\n`,
    );
  }, 120_000);

  afterAll(() => {
    if (build) fs.rmSync(build, { recursive: true, force: true });
  });

  const gatelock = (args: string[], options: { preload?: string; env?: NodeJS.ProcessEnv } = {}) => {
    const { GATELOCK_DEBUG: _, ...env } = process.env;
    const r = spawnSync(process.execPath, [...(options.preload ? ["-r", path.join(build, options.preload)] : []), path.join(build, "cli", "main.js"), ...args], {
      encoding: "utf8",
      env: { ...env, ...options.env },
      timeout: 60_000,
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("two processes print byte-identical reports, in every format", () => {
    for (const format of ["json", "markdown", "mermaid"]) {
      const [a, b] = [1, 2].map(() => gatelock(["audit", "--stack", "example", "--format", format, "--cwd", PROJECT_DIR]));
      expect(a!.status, format).toBe(0);
      expect(a!.stdout.length, format).toBeGreaterThan(1000);
      expect(b!.stdout, format).toBe(a!.stdout);
    }
    // Six audits of the 18-origin example, one process each.
  }, 120_000);

  it("0 for a clean audit", () => {
    const r = gatelock(["audit", "--stack", "example", "--format", "mermaid", "--cwd", PROJECT_DIR]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("1 for a stack file that is not valid YAML: one line, no stack trace, nothing of the file", () => {
    const dir = project({ broken: `config:\n  gatelock:zuploApiKey: "${planted}\n  gatelock:origins: []\n` });
    const r = gatelock(["audit", "--stack", "broken", "--cwd", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^gatelock: stacks\/Pulumi\.broken\.yaml:2:25: [^\n]*\[ERR_CONFIG_SYNTAX\]\n$/);
    expect(r.stderr).not.toContain(planted);
  });

  it("2 for usage errors, an unknown stack included", () => {
    expect(gatelock(["audit"]).status).toBe(2);
    expect(gatelock(["audit", "--stack", "nope", "--cwd", PROJECT_DIR]).status).toBe(2);
  });

  it("3 for an internal error: one line with ERR_INTERNAL, no config value; the stack trace only with GATELOCK_DEBUG=1", () => {
    const r = gatelock(["audit", "--stack", "example", "--cwd", PROJECT_DIR], { preload: "crash.js" });
    expect(r.status).toBe(3);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/^gatelock: internal error: RangeError\. [^\n]*\[ERR_INTERNAL\]\n$/);
    expect(r.stderr).not.toContain(planted);

    const debug = gatelock(["audit", "--stack", "example", "--cwd", PROJECT_DIR], { preload: "crash.js", env: { GATELOCK_DEBUG: "1" } });
    expect(debug.status).toBe(3);
    expect(debug.stderr).toMatch(/\[ERR_INTERNAL\]\nRangeError: Invalid array length[^\n]*\n\s+at /);
  });
});
