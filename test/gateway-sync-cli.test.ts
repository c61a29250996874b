/**
 * `gatelock gateway sync` through `main([...])`: --check exits 1 when out of date and changes
 * nothing, --dry-run prints the same diff and exits 0, a write brings the project in sync (and
 * --check then passes), and the usual exit codes for a wrong call.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { PROJECT_DIR } from "./harness";
import { runCli } from "./harness/cli";

const FIXTURE = path.join(__dirname, "fixtures", "zuplo-projects", "docs-routes");

const cli = (args: string[]) => runCli(args);

function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else files[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return files;
}

describe("gatelock gateway sync", () => {
  let project: string;
  const sync = (...extra: string[]) => cli(["gateway", "sync", "--stack", "example", "--project", project, "--cwd", PROJECT_DIR, ...extra]);

  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-sync-cli-"));
    fs.cpSync(FIXTURE, project, { recursive: true });
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  it("--check: prints the diff and the unlocked routes, changes nothing, exits 1", async () => {
    const before = snapshot(project);
    const r = await sync("--check");
    expect(r.code).toBe(1);
    expect(r.out).toContain("--- a/config/policies.json\n+++ b/config/policies.json\n");
    expect(r.out).toContain('+            "inbound": ["api-key-inbound", "rate-limit-inbound", "gatelock-orders-shared-secret"]');
    expect(r.out).toContain("--- /dev/null\n+++ b/modules/gatelock-aws-forward.ts\n");
    expect(r.err).toContain("error: config/routes.oas.json#/paths/~1orders/get: GET /orders forwards to the locked origin orders without its policy `gatelock-orders-shared-secret`");
    expect(r.err).toContain("[ERR_ROUTE_UNLOCKED]");
    expect(r.err).toContain("[WARN_ROUTE_UNKNOWN_ORIGIN]");
    expect(r.err).toContain("is out of date with stack example");
    expect(snapshot(project)).toEqual(before);
  });

  it("--dry-run: the same diff, nothing written, exit 0", async () => {
    const before = snapshot(project);
    const check = await sync("--check");
    const dry = await sync("--dry-run");
    expect(dry.code).toBe(0);
    expect(dry.out).toBe(check.out);
    expect(snapshot(project)).toEqual(before);
  });

  it("writes the project, which --check then passes; a second run changes nothing", async () => {
    const diff = (await sync("--dry-run")).out;
    const r = await sync();
    expect(r.code).toBe(0);
    expect(r.out).toBe("");
    expect(r.err).toContain(`gatelock: wrote ${path.relative(PROJECT_DIR, path.join(project, "config", "policies.json"))}\n`);
    expect(r.err).not.toContain("ERR_ROUTE_UNLOCKED");
    const synced = snapshot(project);
    expect(Object.keys(synced).filter((f) => f.startsWith("modules/"))).toEqual(["modules/gatelock-aws-forward.ts", "modules/gatelock-azure-federated.ts", "modules/gatelock-id-token.ts"]);
    expect(diff.length).toBeGreaterThan(0);

    const check = await sync("--check");
    expect([check.code, check.out]).toEqual([0, ""]);
    expect(check.err).toContain("is in sync with stack example");
    const again = await sync();
    expect(again.code).toBe(0);
    expect(again.err).toContain("already in sync");
    expect(snapshot(project)).toEqual(synced);
  });

  it("keeps the files' modes", async () => {
    fs.chmodSync(path.join(project, "config", "routes.oas.json"), 0o600);
    expect((await sync()).code).toBe(0);
    expect(fs.statSync(path.join(project, "config", "routes.oas.json")).mode & 0o777).toBe(0o600);
  });

  it("a wrong call exits 2: no --stack or --project, an unknown stack, a folder that is not a Zuplo project, --check with --dry-run", async () => {
    expect((await cli(["gateway", "sync", "--project", project])).err).toContain("--stack is required");
    expect((await cli(["gateway", "sync", "--stack", "example"])).code).toBe(2);
    const unknown = await cli(["gateway", "sync", "--stack", "nope", "--project", project, "--cwd", PROJECT_DIR]);
    expect([unknown.code, unknown.err]).toEqual([2, expect.stringContaining("[ERR_STACK_NOT_FOUND]")]);
    const notProject = await cli(["gateway", "sync", "--stack", "example", "--project", os.tmpdir(), "--cwd", PROJECT_DIR]);
    expect([notProject.code, notProject.err]).toEqual([2, expect.stringContaining("[ERR_GATEWAY_PROJECT_NOT_FOUND]")]);
    expect((await sync("--check", "--dry-run")).code).toBe(2);
    const typo = await cli(["gateway", "snyc"]);
    expect([typo.code, typo.err]).toEqual([2, expect.stringContaining("did you mean `sync`?")]);
    const flag = await sync("--chek");
    expect([flag.code, flag.err]).toEqual([2, expect.stringContaining("did you mean `--check`?")]);
  });

  it("a routes file that is not JSON exits 1 with its line and column", async () => {
    fs.writeFileSync(path.join(project, "config", "routes.oas.json"), '{\n  "paths": {\n    "/x": nope\n  }\n}\n');
    const r = await sync("--check");
    expect(r.code).toBe(1);
    expect(r.err).toMatch(/^gatelock: config\/routes\.oas\.json:3:11: [^\n]*\[ERR_CONFIG_SYNTAX\]\n$/);
  });

  it("--help, and the top-level usage lists the new commands", async () => {
    const help = await cli(["gateway", "sync", "--help"]);
    expect([help.code, help.out]).toEqual([0, expect.stringContaining("--check")]);
    const usage = await cli(["--help"]);
    expect(usage.out).toContain("gatelock gateway sync --stack <name> --project <zuplo project>");
    expect(usage.out).toContain("gatelock init --from <zuplo project>");
  });
});
