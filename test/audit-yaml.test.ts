/**
 * Issue 6: a stack file (or Pulumi.yaml) that is not valid YAML is reported by file, line,
 * column and `ERR_CONFIG_SYNTAX`, exits 1, and never echoes a byte of the file: the broken
 * line may be a plain-text API key. Each case plants one on (or near) the broken line.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it, vi } from "vitest";
import { readStackConfig, YamlFileError } from "../components/audit/stack-file";
import { GatelockError } from "../components/errors";
import { PROJECT_DIR } from "./harness";
import { runCli } from "./harness/cli";

const SECRET = "zpka_live_7Qm2Xc9Lr4Tz8Vb1Nd6Hs3Kw";

const cli = (args: string[]) => runCli(args);

const PULUMI_YAML = fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8");

function project(stacks: Record<string, string | Buffer>, pulumiYaml: string | Buffer = PULUMI_YAML): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-yaml-"));
  fs.writeFileSync(path.join(dir, "Pulumi.yaml"), pulumiYaml);
  fs.mkdirSync(path.join(dir, "stacks"));
  for (const [name, body] of Object.entries(stacks)) fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${name}.yaml`), body);
  return dir;
}

const GATEWAY = "  gatelock:gateway: {kind: zuplo, account: acme, project: p, branch: main}\n";

/** [name, file, expected line:column]: each is a way a hand-edited stack file breaks. */
const broken: [string, string | Buffer, string][] = [
  ["duplicate-key", `config:\n${GATEWAY}  gatelock:zuploApiKey: x\n  gatelock:zuploApiKey: ${SECRET}\n`, "4:3"],
  ["missing-quote", `config:\n${GATEWAY}  gatelock:zuploApiKey: "${SECRET}\n  gatelock:origins: []\n`, "3:25"],
  ["missing-single-quote", `config:\n  gatelock:zuploApiKey: '${SECRET}\n  gatelock:origins: []\n`, "2:25"],
  ["bad-indentation", `config:\n${GATEWAY}    gatelock:zuploApiKey: ${SECRET}\n`, "3:1"],
  ["tab-indentation", `config:\n\tgatelock:zuploApiKey: ${SECRET}\n`, "2:1"],
  ["unclosed-flow", `config:\n  gatelock:origins: [{name: ${SECRET}\n`, "3:1"],
  ["bad-escape", `config:\n  gatelock:zuploApiKey: "\\q${SECRET}"\n`, "2:26"],
  ["reserved-start", `config:\n  gatelock:zuploApiKey: @${SECRET}\n`, "2:25"],
  [
    "alias-bomb",
    `config:\n  a: &a ["${SECRET}","${SECRET}","${SECRET}","${SECRET}","${SECRET}","${SECRET}","${SECRET}","${SECRET}"]\n` +
      "  b: &b [*a,*a,*a,*a,*a,*a,*a,*a]\n  c: &c [*b,*b,*b,*b,*b,*b,*b,*b]\n  d: &d [*c,*c,*c,*c,*c,*c,*c,*c]\n  e: &e [*d,*d,*d,*d,*d,*d,*d,*d]\n  f: [*e,*e,*e,*e,*e,*e,*e,*e]\n",
    "7:6",
  ],
  ["alias-bomb-small", "config:\n  a: &a [x,x,x,x,x,x,x,x,x]\n  b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n  c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\n  d: [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n" + `  gatelock:zuploApiKey: ${SECRET}\n`, "3:10"],
  ["alias-cycle", `config:\n  gatelock:origins: &o [*o, ${SECRET}]\n`, "2:25"],
  ["alias-to-nothing", `config:\n  gatelock:zuploApiKey: *${SECRET}\n`, "2:25"],
  ["multiple-documents", `config:\n${GATEWAY}---\nconfig:\n  gatelock:zuploApiKey: ${SECRET}\n`, "3:1"],
  ["top-level-scalar", `${SECRET}\n`, "1:1"],
  ["top-level-sequence", `- config:\n    gatelock:zuploApiKey: ${SECRET}\n`, "1:1"],
  ["config-scalar", `config: ${SECRET}\n`, "1:9"],
  ["config-sequence", `config:\n  - gatelock:zuploApiKey: ${SECRET}\n`, "2:3"],
  ["config-non-string-key", `config:\n  [${SECRET}]: 1\n`, "2:3"],
  ["not-utf8", Buffer.concat([Buffer.from(`config:\n  gatelock:zuploApiKey: ${SECRET}`), Buffer.from([0xff, 0xfe, 0x00, 0x01])]), "2:59"],
  ["utf16", Buffer.from(`\ufeffconfig:\n  gatelock:zuploApiKey: ${SECRET}\n`, "utf16le"), "1:1"],
  ["binary", Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, ...Buffer.from(SECRET), 0x00, 0x00]), "1:1"],
  ["control-character", `config:\n  gatelock:zuploApiKey: ${SECRET}\u0000\n`, "2:59"],
  ["deep-nesting", `config:\n  gatelock:origins: ${"[".repeat(20_000)}${SECRET}${"]".repeat(20_000)}\n`, "2:83"],
  // The 65th collection, counting the file's top-level mapping as the first, in each place one can nest.
  ["deep-block-maps", `config:\n${Array.from({ length: 63 }, (_, i) => `${"  ".repeat(i + 1)}k:\n`).join("")}${"  ".repeat(64)}k: ${SECRET}\n`, "65:129"],
  ["deep-block-sequences", `config:\n  k:\n    ${"- ".repeat(63)}${SECRET}\n`, "3:129"],
  ["deep-in-a-key", `config:\n  ? ${"[".repeat(63)}${SECRET}${"]".repeat(63)}\n  : v\n`, "2:67"],
  ["deep-flow-maps", `config:\n  k: ${"{a: ".repeat(63)}${SECRET}${"}".repeat(63)}\n`, "2:254"],
];

describe("gatelock audit: a stack file that is not valid YAML", () => {
  it.each(broken)("%s: exit 1, names the file, line and column, ERR_CONFIG_SYNTAX, echoes nothing of the file", async (name, body, at) => {
    const dir = project({ [name]: body });
    const { code, out, err } = await cli(["audit", "--stack", name, "--cwd", dir]);
    expect(code).toBe(1);
    expect(out).toBe("");
    expect(err).toContain(`stacks/Pulumi.${name}.yaml:${at}: `);
    expect(err).toContain("[ERR_CONFIG_SYNTAX]");
    expect(err).not.toContain(SECRET);
    expect(err).not.toContain("zpka");
    expect(err).not.toMatch(/\n\s+at /); // no stack trace
    expect(err.trim().split("\n")).toHaveLength(1);
  });

  it("reports it as a YamlFileError with the position, for library callers", () => {
    const dir = project({ dup: `config:\n  a: 1\n  a: ${SECRET}\n` });
    let caught: unknown;
    try {
      readStackConfig(dir, "dup");
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(YamlFileError);
    expect(caught).toBeInstanceOf(GatelockError);
    expect(caught).toMatchObject({ code: "ERR_CONFIG_SYNTAX", file: "stacks/Pulumi.dup.yaml", line: 3, column: 3 });
    expect((caught as Error).message).not.toContain(SECRET);
  });

  it("still reads what is valid: empty files, comments only, an empty config, CRLF line ends, a BOM", () => {
    const dir = project({
      empty: "",
      comments: "# nothing yet\n",
      nullconfig: "config:\n",
      crlf: "config:\r\n  gatelock:gateway: {kind: zuplo}\r\n",
      bom: "\ufeffconfig:\n  gatelock:origins: []\n",
      aliases: "config:\n  gatelock:x: &r [a, b]\n  gatelock:y: *r\n",
      // 64 levels, the most allowed: the top-level mapping, config's, then 62 flow mappings.
      deepest: `config:\n  gatelock:x: ${"{a: ".repeat(62)}1${"}".repeat(62)}\n`,
    });
    expect(readStackConfig(dir, "empty").config).toEqual({});
    expect(readStackConfig(dir, "comments").config).toEqual({});
    expect(readStackConfig(dir, "nullconfig").config).toEqual({});
    expect(readStackConfig(dir, "crlf").config).toEqual({ "gatelock:gateway": '{"kind":"zuplo"}' });
    expect(readStackConfig(dir, "bom").config).toEqual({ "gatelock:origins": "[]" });
    expect(readStackConfig(dir, "aliases").config).toEqual({ "gatelock:x": '["a","b"]', "gatelock:y": '["a","b"]' });
    expect(readStackConfig(dir, "deepest").config["gatelock:x"]).toBe(`${'{"a":'.repeat(62)}1${"}".repeat(62)}`);
  });
});

describe("gatelock audit: a Pulumi.yaml that is not valid YAML", () => {
  const pulumi: [string, string, string][] = [
    ["duplicate key", `name: gatelock\nname: ${SECRET}\nstackConfigDir: stacks\n`, "2:1"],
    ["missing quote", `name: "${SECRET}\nstackConfigDir: stacks\n`, "1:7"],
    ["bad indentation", `name: gatelock\n  stackConfigDir: ${SECRET}\n`, "1:7"],
    ["not a mapping", `- ${SECRET}\n`, "1:1"],
    ["stackConfigDir not a string", `name: gatelock\nstackConfigDir: [${SECRET}]\n`, "2:17"],
    ["name not a string", `name: {${SECRET}: 1}\nstackConfigDir: stacks\n`, "1:7"],
    ["multiple documents", `name: gatelock\nstackConfigDir: stacks\n---\nname: ${SECRET}\n`, "3:1"],
  ];
  it.each(pulumi)("%s: exit 1 with Pulumi.yaml:line:column and ERR_CONFIG_SYNTAX, nothing of the file", async (_, body, at) => {
    const dir = project({ example: `config:\n${GATEWAY}` }, body);
    const { code, err } = await cli(["audit", "--stack", "example", "--cwd", dir]);
    expect(code).toBe(1);
    expect(err).toContain(`gatelock: Pulumi.yaml:${at}: `);
    expect(err).toContain("[ERR_CONFIG_SYNTAX]");
    expect(err).not.toContain(SECRET);
    expect(err).not.toMatch(/\n\s+at /);
  });
});

describe("gatelock audit: a refusal raised while the program runs is a refusal, not a crash", () => {
  it("Azure service auth without @pulumi/azuread: exit 1 with ERR_DEPENDENCY_MISSING naming it; other Azure origins never need it", async () => {
    // As in a project without @pulumi/azuread: loading gatelock's Entra components fails.
    vi.doMock("../components/azuread", () => ({
      get AzureServiceAuthOrigin() {
        throw Object.assign(new Error("Cannot find module '@pulumi/azuread'"), { code: "MODULE_NOT_FOUND" });
      },
    }));
    try {
      const payments = `    - {name: payments, method: service-auth, cloud: azure, url: "https://payments-api.azurewebsites.net", azure: {tenantId: 72f988bf-86f1-41af-91ab-2d7cd011db47}}\n`;
      const users = `    - {name: users, method: shared-secret, cloud: azure, azure: {resourceGroup: rg-users, vault: kv-acme-users, readers: ["0f8fad5b-d9cb-469f-a165-70867728950e"]}}\n`;
      const dir = project({ entra: `config:\n${GATEWAY}  gatelock:origins:\n${payments}${users}`, vault: `config:\n${GATEWAY}  gatelock:origins:\n${users}` });
      const refused = await cli(["audit", "--stack", "entra", "--cwd", dir]);
      expect(refused.err).toContain("npm install @pulumi/azuread");
      expect(refused.err).toContain("[ERR_DEPENDENCY_MISSING]");
      expect(refused.code).toBe(1);
      const fine = await cli(["audit", "--stack", "vault", "--format", "json", "--cwd", dir]);
      expect(fine.code).toBe(0);
    } finally {
      vi.doUnmock("../components/azuread");
    }
  });


  it("a missing optional cloud SDK (@pulumi/gcp) exits 1 with ERR_DEPENDENCY_MISSING, not 3", async () => {
    // As in a project that never installed @pulumi/gcp: loading the GCP component the stack
    // needs fails (its SDK submodules are not there).
    vi.doMock("../components/gcp/shared-secret-origin", () => ({
      get GcpSharedSecretOrigin() {
        throw Object.assign(new Error("Cannot find module '@pulumi/gcp'"), { code: "MODULE_NOT_FOUND" });
      },
    }));
    try {
      const dir = project({
        gcp: `config:\n${GATEWAY}  gatelock:origins:\n    - {name: billing, method: shared-secret, cloud: gcp, gcp: {project: acme-prod, readers: ["billing-api@acme-prod.iam.gserviceaccount.com"]}}\n`,
      });
      const { code, out, err } = await cli(["audit", "--stack", "gcp", "--cwd", dir]);
      expect(err).toContain("npm install @pulumi/gcp");
      expect(err).toContain("[ERR_DEPENDENCY_MISSING]");
      expect(err).not.toContain("ERR_INTERNAL");
      expect(out).toBe("");
      expect(code).toBe(1);
    } finally {
      vi.doUnmock("../components/gcp/shared-secret-origin");
    }
  });
});
