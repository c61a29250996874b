/**
 * `gatelock audit --baseline`: each kind of change between two audits of the example stack
 * is found, said in words, and marked as a trust change or not; `--fail-on` turns them into
 * exit codes.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { type CliDeps, EXIT, main } from "../components/cli/main";
import { type AuditChange, type AuditDiff, diffReports, parseBaseline } from "../components/audit/diff";
import { filterReport } from "../components/audit/filter";
import { renderMarkdown } from "../components/audit/render";
import { type AuditReport, runAudit } from "../components/audit/report";
import { renderTerminal } from "../components/audit/terminal";
import { PROJECT_DIR } from "./harness";

type Origin = Record<string, any>;
const EXAMPLE = parse(fs.readFileSync(path.join(PROJECT_DIR, "stacks", "Pulumi.example.yaml"), "utf8")) as { config: Record<string, any> };
const dirs: string[] = [];

/** A project whose `example` stack is the example with its origins changed by `edit`. */
function project(edit: (origins: Origin[]) => void): string {
  const doc = structuredClone(EXAMPLE);
  edit(doc.config["gatelock:origins"] as Origin[]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-diff-"));
  dirs.push(dir);
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.writeFileSync(path.join(dir, "stacks", "Pulumi.example.yaml"), stringify(doc));
  return dir;
}

const byName = (origins: Origin[], name: string) => origins.find((o) => o.name === name)!;
let base: AuditReport;

async function diffAfter(edit: (origins: Origin[]) => void): Promise<AuditDiff> {
  const report = await runAudit({ projectDir: project(edit), stack: "example" });
  expect(report.ok, JSON.stringify(report.findings)).toBe(true);
  return diffReports(base, report);
}

const messages = (d: AuditDiff, pick: (c: AuditChange) => boolean = () => true) => d.changes.filter(pick).map((c) => c.message);

beforeAll(async () => {
  base = await runAudit({ projectDir: PROJECT_DIR, stack: "example" });
}, 60_000);

afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe("diffReports: each kind of change", () => {
  it("an unchanged stack has no change, and every origin is unchanged", async () => {
    const d = await diffAfter(() => undefined);
    expect(d.changes).toEqual([]);
    expect(Object.values(d.origins).every((c) => c === "unchanged")).toBe(true);
  });

  it("a reader added is a grant, said as who can now read what", async () => {
    const d = await diffAfter((os) => byName(os, "orders").aws.readers.push("arn:aws:iam::123456789012:role/batch"));
    expect(d.origins.orders).toBe("changed");
    const grants = d.changes.filter((c) => c.kind === "grant");
    expect(grants).toEqual([{ kind: "grant", change: "added", origin: "orders", trust: true, message: "`orders` can now be read by `arn:aws:iam::123456789012:role/batch`." }]);
    // The secret's resource policy changes too, and that is a trust change as well.
    expect(d.changes.some((c) => c.kind === "resource" && c.change === "changed" && c.trust && c.message.includes("aws:secretsmanager/secretPolicy:SecretPolicy"))).toBe(true);
    expect(d.changes.filter((c) => c.origin !== "orders")).toEqual([]);
  });

  it("a reader removed is a grant removed; a GCP reader's IAM member resource is deleted", async () => {
    const d = await diffAfter((os) => (byName(os, "billing").gcp.readers = ["other-api@acme-prod.iam.gserviceaccount.com"]));
    expect(messages(d, (c) => c.kind === "grant")).toEqual([
      "`billing` can now be read by `serviceAccount:other-api@acme-prod.iam.gserviceaccount.com`.",
      "`billing` can no longer be read by `serviceAccount:billing-api@acme-prod.iam.gserviceaccount.com`.",
    ]);
    const resources = d.changes.filter((c) => c.kind === "resource");
    expect(resources.map((c) => c.change).sort()).toEqual(["added", "removed"]);
    expect(resources.every((c) => c.trust && c.origin === "billing")).toBe(true);
  });

  it("a subject added to a federated origin changes its trust conditions", async () => {
    const d = await diffAfter((os) => byName(os, "reports").federated.subjects.push("atcl_9zY8xW7vU6tS5rQ4pO3n"));
    const trust = d.changes.filter((c) => c.kind === "trust-condition");
    expect(trust.length).toBeGreaterThanOrEqual(2);
    expect(trust.every((c) => c.trust && c.origin === "reports")).toBe(true);
    expect(trust.some((c) => c.change === "added" && c.message.startsWith("`reports` is now reachable by") && c.message.includes("atcl_9zY8xW7vU6tS5rQ4pO3n"))).toBe(true);
    expect(trust.some((c) => c.message.startsWith("`reports` now accepts") && c.message.includes("(was: "))).toBe(true);
    // A new federated identity credential on the managed identity.
    expect(d.changes.some((c) => c.kind === "resource" && c.change === "added" && c.message.includes("FederatedIdentityCredential") && c.trust)).toBe(true);
  });

  it("an origin added lists its grants; one removed says what `pulumi up` deletes", async () => {
    const d = await diffAfter((os) => {
      const orders = byName(os, "orders");
      os.push({ ...structuredClone(orders), name: "refunds", url: "https://refunds.internal.acme.example" });
      os.splice(os.indexOf(byName(os, "ledger")), 1);
    });
    expect(d.origins.refunds).toBe("added");
    expect(d.origins.ledger).toBe("removed");
    expect(messages(d, (c) => c.kind === "origin")).toEqual([
      expect.stringMatching(/^`refunds` is new: shared-secret on aws, reachable by /),
      "`ledger` is gone: gatelock no longer locks it, and `pulumi up` deletes what it created for it.",
    ]);
    expect(messages(d, (c) => c.kind === "grant")).toEqual(["`refunds` can now be read by `arn:aws:iam::123456789012:role/orders-api`."]);
    expect(messages(d, (c) => c.kind === "variable" && c.change === "added")).toEqual(
      expect.arrayContaining([expect.stringMatching(/^gateway variable `REFUNDS_SHARED_SECRET` is new \(secret, for `refunds`/)]),
    );
    expect(messages(d, (c) => c.kind === "variable" && c.change === "removed").length).toBeGreaterThan(0);
    expect(d.changes.filter((c) => c.kind === "resource" && c.change === "removed").every((c) => c.origin === "ledger")).toBe(true);
  });

  it("a method or URL change is an origin change; only the method is one of trust", async () => {
    const d = await diffAfter((os) => (byName(os, "users").url = "https://users-api-v2.azurewebsites.net"));
    expect(d.changes.filter((c) => c.kind === "origin")).toEqual([
      { kind: "origin", change: "changed", origin: "users", trust: false, message: "`users`'s URL is now `https://users-api-v2.azurewebsites.net` (was `https://users-api.azurewebsites.net`)." },
    ]);
    expect(d.changes.filter((c) => c.kind !== "resource").every((c) => !c.trust && c.origin === "users")).toBe(true);
  });

  it("a rotation change is not a trust change", async () => {
    const d = await diffAfter((os) => (byName(os, "users").sharedSecret.rotateAfterDays = 30));
    expect(messages(d, (c) => c.kind === "origin")).toEqual(["`users`'s secret now rotates every 30 days with 14 days' overlap (was every 60 days with 14 days' overlap)."]);
    expect(d.changes.filter((c) => c.kind !== "resource").every((c) => !c.trust)).toBe(true);
  });

  it("a header change changes the proof and the gateway configuration", async () => {
    const d = await diffAfter((os) => (byName(os, "orders").sharedSecret.header = "x-orders-secret"));
    expect(messages(d, (c) => c.kind === "trust-condition" && c.message.includes("now accepts"))).toEqual([
      "`orders` now accepts header `x-orders-secret` equals the current (or, during an overlap, previous) secret (was: header `x-gateway-secret` equals the current (or, during an overlap, previous) secret).",
    ]);
    expect(messages(d, (c) => c.kind === "gateway-policy")).toEqual([expect.stringMatching(/^`orders`'s gateway configuration changed: `/)]);
  });

  it("a variable made plain is a trust change (compared on the report, as a hand-edited baseline would be)", () => {
    const plainBefore: AuditReport = { ...base, variables: base.variables.map((v) => (v.isSecret ? { ...v, isSecret: false } : v)) };
    const d = diffReports(plainBefore, base);
    expect(d.changes.every((c) => c.kind === "variable" && !c.trust)).toBe(true);
    const back = diffReports(base, plainBefore);
    expect(back.changes.length).toBeGreaterThan(0);
    expect(back.changes.every((c) => c.kind === "variable" && c.trust && c.message.endsWith("is no longer secret."))).toBe(true);
  });

  it("trust changes come first, then by origin in config order", async () => {
    const d = await diffAfter((os) => {
      byName(os, "users").sharedSecret.rotateAfterDays = 30;
      byName(os, "orders").aws.readers.push("arn:aws:iam::123456789012:role/batch");
    });
    const firstPlain = d.changes.findIndex((c) => !c.trust);
    expect(firstPlain).toBeGreaterThan(0);
    expect(d.changes.slice(firstPlain).every((c) => !c.trust)).toBe(true);
    expect(d.changes[0]!.origin).toBe("orders");
  });
});

describe("the diff in the report", () => {
  it("markdown: a change column and the changes in words, trust ones marked; the terminal names them", async () => {
    const d = await diffAfter((os) => byName(os, "orders").aws.readers.push("arn:aws:iam::123456789012:role/batch"));
    const md = renderMarkdown({ ...base, diff: d });
    expect(md).toContain("| origin | method | cloud | reachable by | proof | change |");
    expect(md).toMatch(/\| orders \| shared-secret \| aws \|.*\| changed \|\n/);
    expect(md).toMatch(/## Changes since the baseline \(\d+, \d+ to trust\)\n\n- \*\*trust:\*\* `orders` can now be read by `arn:aws:iam::123456789012:role\/batch`\.\n/);
    expect(md.indexOf("## Changes since the baseline")).toBeLessThan(md.indexOf("## Findings"));
    const tty = renderTerminal({ ...base, diff: d }, { colour: false });
    expect(tty).toContain("since the baseline");
    expect(tty).toContain("orders can now be read by arn:aws:iam::123456789012:role/batch.");
  });

  it("--origin keeps only that origin's changes", async () => {
    const d = await diffAfter((os) => {
      byName(os, "users").sharedSecret.rotateAfterDays = 30;
      byName(os, "orders").aws.readers.push("arn:aws:iam::123456789012:role/batch");
    });
    const only = filterReport({ ...base, diff: d }, ["users"]);
    expect(only.diff!.changes.length).toBeGreaterThan(0);
    expect(only.diff!.changes.every((c) => c.origin === "users" || c.origin === undefined)).toBe(true);
    expect(Object.keys(only.diff!.origins)).toEqual(["users"]);
  });

  it("parseBaseline refuses what is not an audit report, without quoting it", () => {
    expect(() => parseBaseline("{not json", "a.json")).toThrow("--baseline a.json is not JSON");
    expect(() => parseBaseline(JSON.stringify({ stack: "x", origins: "zpka_secret" }), "a.json")).toThrow(/is not a gatelock audit report \(at origins\)/);
    try {
      parseBaseline(JSON.stringify({ stack: "x", origins: "zpka_secret" }), "a.json");
    } catch (e) {
      expect((e as Error).message).not.toContain("zpka_secret");
    }
    expect(parseBaseline(JSON.stringify(base), "a.json").stack).toBe("example");
  });
});

describe("gatelock audit --baseline --fail-on", () => {
  async function cli(args: string[], deps?: CliDeps) {
    let out = "";
    let err = "";
    const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
    const code = await main(args, io, deps);
    return { code, out, err };
  }
  let baselineFile: string;
  let changed: string;

  beforeAll(async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-baseline-"));
    dirs.push(dir);
    baselineFile = path.join(dir, "audit.json");
    const first = await cli(["audit", "--stack", "example", "--format", "json", "--output", baselineFile, "--cwd", PROJECT_DIR]);
    expect(first.code).toBe(EXIT.OK);
    changed = project((os) => byName(os, "orders").aws.readers.push("arn:aws:iam::123456789012:role/batch"));
  }, 60_000);

  it("no change: exit 0 even with --fail-on trust-changes, and the JSON says so", async () => {
    const r = await cli(["audit", "--stack", "example", "--format", "json", "--baseline", baselineFile, "--fail-on", "trust-changes", "--cwd", PROJECT_DIR]);
    expect(r.code).toBe(EXIT.OK);
    expect((JSON.parse(r.out) as AuditReport).diff).toMatchObject({ baselineStack: "example", changes: [] });
  });

  it("a trust change: exit 0 by default, 1 with --fail-on trust-changes", async () => {
    const plain = await cli(["audit", "--stack", "example", "--format", "markdown", "--baseline", baselineFile, "--cwd", changed]);
    expect(plain.code).toBe(EXIT.OK);
    expect(plain.out).toContain("`orders` can now be read by `arn:aws:iam::123456789012:role/batch`.");
    const strict = await cli(["audit", "--stack", "example", "--format", "json", "--baseline", baselineFile, "--fail-on", "trust-changes", "--cwd", changed]);
    expect(strict.code).toBe(EXIT.REFUSED);
  });

  it("--fail-on warnings fails on the example's warnings; errors (the default) does not", async () => {
    expect((await cli(["audit", "--stack", "example", "--format", "json", "--fail-on", "warnings", "--cwd", PROJECT_DIR])).code).toBe(EXIT.REFUSED);
    expect((await cli(["audit", "--stack", "example", "--format", "json", "--fail-on", "errors", "--cwd", PROJECT_DIR])).code).toBe(EXIT.OK);
  });

  it("usage errors: an unknown --fail-on (with a did-you-mean), trust-changes without a baseline, a missing or foreign baseline", async () => {
    const typo = await cli(["audit", "--stack", "example", "--fail-on", "trust-change", "--cwd", PROJECT_DIR]);
    expect(typo.code).toBe(EXIT.USAGE);
    expect(typo.err).toContain("did you mean `trust-changes`?");
    const alone = await cli(["audit", "--stack", "example", "--fail-on", "trust-changes", "--cwd", PROJECT_DIR]);
    expect(alone.code).toBe(EXIT.USAGE);
    expect(alone.err).toContain("needs --baseline");
    const missing = await cli(["audit", "--stack", "example", "--baseline", "nope.json", "--cwd", PROJECT_DIR]);
    expect([missing.code, missing.err]).toEqual([EXIT.USAGE, expect.stringContaining("--baseline nope.json: no such file")]);
    const foreign = path.join(path.dirname(baselineFile), "package.json");
    fs.copyFileSync(path.join(PROJECT_DIR, "package.json"), foreign);
    const notAudit = await cli(["audit", "--stack", "example", "--baseline", foreign, "--cwd", PROJECT_DIR]);
    expect([notAudit.code, notAudit.err]).toEqual([EXIT.USAGE, expect.stringContaining("is not a gatelock audit report")]);
  });
});
