/**
 * The CLI's own basics: --help on every command, --version, "did you mean" for commands,
 * flags and values, --origin, --output, and a short coloured summary on a terminal.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { main } from "../components/cli/main";
import { AZURE_FEDERATED_POLICY_MODULE } from "../components/gateway/federated/azure";
import { GATELOCK_ID_TOKEN_MODULE_SOURCE } from "../components/gateway/federated/other";
import { PROJECT_DIR } from "./harness";

async function cli(args: string[], tty: { out?: boolean; err?: boolean } = {}, env: NodeJS.ProcessEnv = {}) {
  let out = "";
  let err = "";
  const io = { out: { write: (s: string) => ((out += s), true), isTTY: tty.out === true }, err: { write: (s: string) => ((err += s), true), isTTY: tty.err === true } };
  const code = await main(args, io, { env });
  return { code, out, err };
}

describe("gatelock's command line", () => {
  it("--version prints the package's version", async () => {
    const { version } = JSON.parse(fs.readFileSync(path.join(PROJECT_DIR, "package.json"), "utf8"));
    expect(await cli(["--version"])).toEqual({ code: 0, out: `gatelock ${version}\n`, err: "" });
  });

  it("--help works on every command", async () => {
    for (const args of [["--help"], ["audit", "--help"], ["schema", "--help"], ["help"]]) {
      const r = await cli(args);
      expect(r.code, args.join(" ")).toBe(0);
      expect(r.out).toMatch(/Usage:/);
      expect(r.err).toBe("");
    }
    expect((await cli(["schema", "--help"])).out).not.toContain("--stack");
  });

  it("suggests what was meant: commands, flags and formats (exit 2)", async () => {
    const typo = await cli(["adit", "--stack", "example"]);
    expect([typo.code, typo.err]).toEqual([2, expect.stringContaining("did you mean `audit`?")]);
    const flag = await cli(["audit", "--stak", "example"]);
    expect([flag.code, flag.err]).toEqual([2, expect.stringContaining("unknown option --stak; did you mean `--stack`?")]);
    const format = await cli(["audit", "--stack", "example", "--format", "markdwn"]);
    expect([format.code, format.err]).toEqual([2, expect.stringContaining("did you mean `markdown`?")]);
    const origin = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR, "--origin", "order"]);
    expect([origin.code, origin.err]).toEqual([2, expect.stringContaining("did you mean `orders`?")]);
  });

  it("--origin narrows the report to those origins, and keeps the whole stack's verdict", async () => {
    const full = JSON.parse((await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR, "--format", "json"])).out);
    const r = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR, "--format", "json", "--origin", "orders", "--origin", "billing"]);
    expect(r.code).toBe(0);
    const part = JSON.parse(r.out);
    expect(part.origins.map((o: { name: string }) => o.name)).toEqual(["orders", "billing"]);
    expect(part.variables.every((v: { origin: string }) => v.origin === "orders" || v.origin === "billing")).toBe(true);
    expect(part.resources.length).toBeGreaterThan(0);
    expect(part.resources.length).toBeLessThan(full.resources.length);
    expect(part.resources.some((x: { type: string }) => x.type === "aws:secretsmanager/secret:Secret")).toBe(true);
    expect(part.resources.some((x: { type: string }) => x.type.startsWith("azure-native:"))).toBe(false);
    expect(part.ok).toBe(full.ok);
  });

  it("--output writes the report to a file, and nothing to standard output", async () => {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-out-")), "audit.json");
    const r = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR, "--format", "json", "--output", file]);
    expect([r.code, r.out]).toEqual([0, ""]);
    expect(JSON.parse(fs.readFileSync(file, "utf8")).stack).toBe("example");
  });

  it("a terminal gets a short summary in colour; NO_COLOR and pipes get plain text", async () => {
    const tty = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR], { out: true });
    expect(tty.code).toBe(0);
    expect(tty.out).toContain("\x1b[");
    expect(tty.out.split("\n").length).toBeLessThan(30);
    expect(tty.out).toMatch(/orders\S* +shared-secret on aws/);
    const noColour = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR], { out: true }, { NO_COLOR: "1" });
    expect(noColour.out).not.toContain("\x1b[");
    const piped = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR]);
    expect(piped.out).toMatch(/^# gatelock audit: stack `example`/);
  });

  it("--write-modules writes the policy modules the configuration imports into the Zuplo project, and nothing else", async () => {
    const zuplo = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-zuplo-"));
    fs.mkdirSync(path.join(zuplo, "modules"));
    fs.writeFileSync(path.join(zuplo, "modules", "mine.ts"), "export const mine = 1;\n");
    const r = await cli(["audit", "--stack", "example", "--cwd", PROJECT_DIR, "--format", "json", "--write-modules", zuplo]);
    expect(r.code).toBe(0);
    const report = JSON.parse(r.out);
    const imports = new Set(report.policiesJson.policies.map((p: { handler: { module: string } }) => p.handler.module).filter((m: string) => m.startsWith("$import(./modules/")));
    expect([...imports].sort()).toEqual(["$import(./modules/gatelock-azure-federated)", "$import(./modules/gatelock-id-token)"]);
    // And the route handler module the AWS federated origin's routes use (test/federated-aws-forward.test.ts).
    expect(fs.readdirSync(path.join(zuplo, "modules")).sort()).toEqual(["gatelock-aws-forward.ts", "gatelock-azure-federated.ts", "gatelock-id-token.ts", "mine.ts"]);
    expect(fs.readFileSync(path.join(zuplo, "modules", "gatelock-azure-federated.ts"), "utf8")).toBe(AZURE_FEDERATED_POLICY_MODULE);
    expect(fs.readFileSync(path.join(zuplo, "modules", "gatelock-id-token.ts"), "utf8")).toBe(GATELOCK_ID_TOKEN_MODULE_SOURCE);
    expect(fs.readFileSync(path.join(zuplo, "modules", "mine.ts"), "utf8")).toBe("export const mine = 1;\n");
  });
});
