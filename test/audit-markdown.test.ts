/**
 * `gatelock audit`'s markdown, the pull-request comment (issue 8): origins first, then
 * findings, a checklist of what to do after `pulumi up` (gateway side and origin side per
 * origin), gateway variables, the policy configuration and the resources grouped by origin;
 * under GitHub's comment limit at 100 origins; secrets masked; the same report, the same text.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";
import { beforeAll, describe, expect, it } from "vitest";
import { filterReport } from "../components/audit/filter";
import { originSide, readProof } from "../components/audit/origin-side";
import { GITHUB_COMMENT_LIMIT, render, renderMarkdown } from "../components/audit/render";
import { type AuditOrigin, type AuditReport, runAudit } from "../components/audit/report";
import { ZUPLO_ISSUER, ZUPLO_JWKS_URI } from "../components/model/identity";
import type { RecordedResource } from "../components/testing/engine";
import { isSecretValue, reveal } from "../components/testing/fakes";
import { PROJECT_DIR } from "./harness";

/** Every string held inside a Pulumi secret in the raw run: what the markdown must never show. */
function secretsOf(resources: readonly RecordedResource[]): string[] {
  const found = new Set<string>();
  const walk = (v: unknown, inSecret: boolean): void => {
    if (isSecretValue(v)) return walk(reveal(v), true);
    if (typeof v === "string") {
      if (inSecret && v.length >= 8) found.add(v);
      // A secret document (JSON) holds secrets too.
      if (inSecret && v.startsWith("{")) {
        try {
          walk(JSON.parse(v), true);
        } catch {
          /* not JSON */
        }
      }
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, inSecret));
    else if (v && typeof v === "object") {
      // A Google key file: only `private_key` is secret; the account, project and endpoints are public.
      const keyFile = (v as { type?: unknown }).type === "service_account";
      for (const [k, x] of Object.entries(v)) walk(x, inSecret && (!keyFile || k === "private_key"));
    }
  };
  for (const r of resources) walk(r.inputs, false);
  // Timestamps inside the secret document are not secret.
  return [...found].filter((s) => !/^\d{4}-\d\d-\d\dT/.test(s));
}

/** A project whose stack `many` holds the example stack's origins, repeated to `n` with distinct names. */
function manyOrigins(n: number): string {
  const doc = parse(fs.readFileSync(path.join(PROJECT_DIR, "stacks", "Pulumi.example.yaml"), "utf8")) as { config: Record<string, unknown> };
  const base = doc.config["gatelock:origins"] as Array<Record<string, any>>;
  const origins = Array.from({ length: n }, (_, i) => {
    const o = structuredClone(base[i % base.length]!);
    const k = Math.floor(i / base.length);
    if (k > 0) {
      o.name = `${o.name}${k}`;
      // Audiences are per origin: a shared one is refused.
      if (o.federated?.audience) o.federated.audience = `${o.federated.audience}:${k}`;
      // A custom domain and a proxy name are one per account or project.
      if (o.method === "mtls" && o.aws?.apiGateway) o.aws.apiGateway.domainName = `k${k}.${o.aws.apiGateway.domainName}`;
      if (o.gcp?.targetHttpsProxy) o.gcp.targetHttpsProxy.name = `${o.gcp.targetHttpsProxy.name}-${k}`;
    }
    return o;
  });
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-md-"));
  fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(dir, "stacks"));
  fs.writeFileSync(path.join(dir, "stacks", "Pulumi.many.yaml"), `config:\n  gatelock:gateway: ${JSON.stringify(doc.config["gatelock:gateway"])}\n  gatelock:origins: ${JSON.stringify(origins)}\n`);
  return dir;
}

interface Audited {
  readonly report: AuditReport;
  readonly secrets: readonly string[];
  /** The pull-request comment (shortened to GitHub's limit). */
  readonly md: string;
  /** The same, with nothing left out. */
  readonly full: string;
}

async function audit(projectDir: string, stack: string): Promise<Audited> {
  let secrets: string[] = [];
  // No ZUPLO_API_KEY: the example stack warns WARN_NO_API_KEY.
  const report = await runAudit({ projectDir, stack, env: {}, observe: (rs) => (secrets = secretsOf(rs)) });
  return { report, secrets, md: renderMarkdown(report), full: renderMarkdown(report, { limit: Number.POSITIVE_INFINITY }) };
}

/** The text of one `## ` section (heading included), up to the next. */
function section(md: string, heading: string): string {
  const at = md.indexOf(`\n## ${heading}`);
  expect(at, heading).toBeGreaterThan(-1);
  const next = md.indexOf("\n## ", at + 1);
  return md.slice(at + 1, next < 0 ? undefined : next + 1);
}

/** Every ```json fenced block. */
function jsonBlocks(md: string): string[] {
  return [...md.matchAll(/^```json\n([\s\S]*?)\n```$/gm)].map((m) => m[1]!);
}

let example: Audited;
let many100: Audited;
let many20: Audited;

beforeAll(async () => {
  example = await audit(PROJECT_DIR, "example");
  many20 = await audit(manyOrigins(20), "many");
  many100 = await audit(manyOrigins(100), "many");
}, 120_000);

describe("the example stack's markdown", () => {
  it("is in order: origins, certificates, findings, the checklist, variables, the policy configuration, resources", () => {
    const md = example.full;
    expect(md.startsWith(
      "# gatelock audit: stack `example`\n\n✅ 0 error(s), 6 warning(s) · gateway: zuplo acme/orders-api@main\n\n" +
        "Values in angle brackets, such as `<deploying account>`, are known only when `pulumi up` runs: the audit shows a placeholder rather than make them up.\n\n## Origins (19)\n",
    )).toBe(true);
    const headings = md.split("\n").filter((l) => l.startsWith("## "));
    expect(headings).toEqual([
      "## Origins (19)",
      "## Certificates (mTLS)",
      "## Tunnel connectors",
      "## Findings",
      "## Checklist: before and after `pulumi up`",
      "## Gateway variables (38)",
      "## Gateway policy configuration",
      `## Resources \`pulumi up\` would create (${example.report.resources.length})`,
    ]);
    expect(md).not.toContain("Shortened");
    // The comment for 19 origins leaves out resource inputs only, and says so.
    expect(example.md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(example.md.split("\n").find((l) => l.startsWith("> **Shortened"))).toMatch(/Left out: the inputs of \d+ resources\. `gatelock audit --stack example --format json` prints everything\.$/);
    expect(example.md.split("\n").filter((l) => l.startsWith("## "))).toEqual(headings);
  });

  it("gives each origin one line: name, method, cloud, who can reach it and how", () => {
    const table = section(example.full, "Origins").split("\n").filter((l) => l.startsWith("| "));
    expect(table[0]).toBe("| origin | method | cloud | reachable by | proof |");
    const rows = table.slice(1);
    expect(rows).toHaveLength(19);
    example.report.origins.forEach((o, i) => {
      const cells = rows[i]!.slice(2, -2).split(" | ");
      expect(cells.slice(0, 3)).toEqual([o.name, o.method, o.cloud]);
      expect(cells[3]).toBe(o.reachableBy.join("; "));
      expect(cells[4]!.replace(/&lt;/g, "<").replace(/&gt;/g, ">")).toBe(o.proof);
    });
    expect(rows.map((r) => r.split(" | ")[0])).toEqual(["| orders", "| billing", "| users", "| shipments", "| invoices", "| reports", "| ledger", "| payments", "| analytics", "| catalog", "| statements", "| settlements", "| claims", "| warehouse", "| stockroom", "| inventory", "| archive", "| mainframe", "| lab"]);
  });

  it("has a change column only when a baseline comparison is given (the hook for --baseline)", () => {
    const changes = new Map([
      ["orders", "changed"],
      ["ledger", "added"],
      ["gone", "removed"],
    ] as const);
    const md = renderMarkdown(example.report, { changes });
    const rows = section(md, "Origins").split("\n").filter((l) => l.startsWith("| "));
    expect(rows[0]).toBe("| origin | method | cloud | reachable by | proof | change |");
    expect(rows.find((r) => r.startsWith("| orders |"))!.endsWith(" changed |")).toBe(true);
    expect(rows.find((r) => r.startsWith("| ledger |"))!.endsWith(" added |")).toBe(true);
    expect(rows.find((r) => r.startsWith("| billing |"))!.endsWith(" unknown |")).toBe(true);
    expect(rows).toContain("| gone | | | | | removed |");
  });

  it("lists the findings after the origins, errors first", () => {
    const findings = section(example.full, "Findings");
    expect(findings).toContain("| warning | WARN_NO_API_KEY | `gatelock:gateway.environment.developerApi` |");
    // The same finding about several keys is one row naming them all.
    expect(findings).toContain("| warning | WARN_KEY_CREATION_BLOCKED | `gatelock:origins[8].gcp`, `gatelock:origins[9].gcp` |");
    expect(findings.match(/WARN_KEY_CREATION_BLOCKED/g)).toHaveLength(1);
    const report: AuditReport = {
      ...example.report,
      ok: false,
      findings: [
        { severity: "warning", code: "WARN_NO_OVERLAP", path: "gatelock:origins[10]", message: "b" },
        { severity: "error", code: "ERR_PLAINTEXT_API_KEY", path: "gatelock:origins[2]", message: "a" },
        { severity: "warning", code: "WARN_NO_ORIGINS", path: "gatelock:origins[2]", message: "a" },
      ],
    };
    const rows = section(renderMarkdown(report), "Findings").split("\n").filter((l) => /^\| (error|warning) /.test(l));
    expect(rows.map((r) => r.split(" | ")[1])).toEqual(["ERR_PLAINTEXT_API_KEY", "WARN_NO_ORIGINS", "WARN_NO_OVERLAP"]);
    expect(section(renderMarkdown(report), "Checklist: before and after `pulumi up`")).toContain("- [ ] Fix the 1 error finding above first.");
  });

  describe("the checklist of what to do after `pulumi up`", () => {
    const checklist = () => section(example.full, "Checklist: before and after `pulumi up`");
    const entry = (name: string) => {
      const text = checklist();
      const at = text.indexOf(`- **${name}** (`);
      expect(at, name).toBeGreaterThan(-1);
      const end = text.indexOf("\n- ", at + 1);
      return text.slice(at, end < 0 ? undefined : end);
    };

    it("asks for the Developer API key when the audit warned WARN_NO_API_KEY, and only then", () => {
      expect(checklist()).toContain("- [ ] Set the Zuplo Developer API key before `pulumi up`");
      expect(checklist()).toContain("`pulumi config set --secret gatelock:zuploApiKey <key>`");
      const withKey: AuditReport = { ...example.report, findings: [] };
      expect(section(renderMarkdown(withKey), "Checklist: before and after `pulumi up`")).not.toContain("Developer API key");
    });

    it("names each custom policy module, who uses it, and --write-modules", () => {
      expect(checklist()).toContain(
        "- [ ] Add the custom policy module `modules/gatelock-azure-federated.ts` to the Zuplo project (used by reports); `gatelock audit --stack example --write-modules <dir>` writes it.",
      );
      expect(checklist()).toContain(
        "- [ ] Add the custom policy module `modules/gatelock-id-token.ts` to the Zuplo project (used by ledger); `gatelock audit --stack example --write-modules <dir>` writes it.",
      );
    });

    it("per origin, the gateway side: its policies into config/policies.json and onto the routes that forward to it", () => {
      for (const c of example.report.gatewayPolicies.filter((x) => x.policies.length > 0)) {
        const text = entry(c.origin);
        const gateway = text.split("\n").find((l) => l.startsWith("  - [ ] Gateway: "))!;
        expect(gateway).toContain(`add \`${c.policies[0]!.name}\` to \`config/policies.json\` and to the inbound policies`);
        expect(gateway).toContain(`every route that forwards to ${c.origin}`);
        expect(gateway).toContain(`\`baseUrl: "\${env.${c.origin.toUpperCase()}_ORIGIN_URL}"\``);
      }
    });

    it("shared secret: the header, and where the origin reads the secret", () => {
      expect(entry("orders")).toContain(
        "  - [ ] Origin: accept only header `x-gateway-secret` equal to the secret in AWS Secrets Manager `gatelock/example/orders/shared-secret (us-east-1)` (`current`, or `previous` for 14 days after a rotation), read by arn:aws:iam::123456789012:role/orders-api.",
      );
      expect(entry("billing")).toContain("GCP Secret Manager `projects/acme-prod/secrets/gatelock-example-billing-shared-secret`");
      expect(entry("billing")).toContain("for 7 days");
      expect(entry("users")).toContain("Azure Key Vault `kv-acme-users-prod/gatelock-example-users-shared-secret (resource group rg-users-prod)`");
      expect(entry("users")).toContain("read by principal 0f8fad5b-d9cb-469f-a165-70867728950e.");
    });

    it("federated on a cloud: nothing to install, and what must stay switched on", () => {
      expect(entry("shipments")).toContain("Origin: nothing to install, AWS IAM checks the token");
      expect(entry("shipments")).toContain("may invoke API Gateway a1b2c3d4e5 stage prod: GET /orders, GET /orders/{id}, POST /orders");
      expect(entry("shipments")).toContain("keep `AWS_IAM` authorization");
      expect(entry("invoices")).toContain("keep the Cloud Run service requiring authentication (no `allUsers`");
      // GitHub would drop `<random>` as a tag: escaped.
      expect(entry("invoices")).toContain("gl-example-invoices-&lt;random&gt;");
      expect(entry("reports")).toContain("Microsoft Entra ID checks the token");
    });

    it("federated on `other`: the token verifier's issuer, JWKS URI, audience, subjects and claims", () => {
      expect(entry("ledger")).toContain(
        "  - [ ] Origin: verify the token in `authorization` (`createTokenVerifier`): " +
          `issuer \`${ZUPLO_ISSUER}\`; JWKS URI \`${ZUPLO_JWKS_URI}\`; audience \`https://ledger.internal.acme.example\`; ` +
          "subjects `atcl_2fQ9xLr7TnC4vW1mZpK8sYbH`; claims `account = acme`, `environment_type = production`, `project = orders-api`.",
      );
    });
  });

  it("shows the gateway policy configuration as one pretty-printed, JSON-parsable block", () => {
    const policies = section(example.full, "Gateway policy configuration");
    const blocks = jsonBlocks(policies);
    expect(blocks).toHaveLength(1);
    expect(JSON.parse(blocks[0]!)).toEqual(example.report.policiesJson);
    expect(blocks[0]).toBe(JSON.stringify(example.report.policiesJson, null, 2));
  });

  it("shows IAM policy documents parsed and pretty-printed, never as escaped one-line strings", () => {
    const { md, report } = example;
    const blocks = jsonBlocks(md).map((b) => JSON.parse(b) as Record<string, unknown>);
    const role = report.resources.find((r) => r.type === "aws:iam/role:Role" && r.name === "shipments-role")!;
    const shown = blocks.find((b) => b.name === role.inputs.name && "assumeRolePolicy" in b)!;
    expect(shown.assumeRolePolicy).toEqual(JSON.parse(role.inputs.assumeRolePolicy as string));
    expect(md).toContain(`**${role.name}** \`aws:iam/role:Role\` · \`assumeRolePolicy\` is a JSON string, shown parsed`);
    const secretPolicy = report.resources.find((r) => r.type === "aws:secretsmanager/secretPolicy:SecretPolicy")!;
    expect(blocks.some((b) => JSON.stringify(b.policy) === JSON.stringify(JSON.parse(secretPolicy.inputs.policy as string)))).toBe(true);
    // No escaped document anywhere, and every fenced JSON block parses.
    expect(md).not.toContain('\\"Statement\\"');
    expect(md).not.toContain('"{\\"Version');
    expect(md).toMatch(/^ {4}"Statement": \[$/m);
  });

  it("groups the resources under each origin's heading, then the gateway environment's, then the shared ones", () => {
    const { full: md, report } = example;
    const resources = section(md, "Resources");
    const groups = resources.split(/\n(?=### )/).slice(1);
    const titles = groups.map((g) => g.split("\n")[0]);
    const component = (name: string) => report.resources.find((r) => /^gatelock:[a-z-]+:[A-Za-z]*Origin$/.test(r.type) && r.name === name)!;
    const expected = report.origins.map((o) => `### ${o.name} (${report.resources.filter((r) => r.urn === component(o.name).urn || r.parent === component(o.name).urn).length})`);
    const n = report.origins.length;
    expect(titles.slice(0, n)).toEqual(expected);
    expect(titles.slice(n).map((t) => t!.replace(/ \(\d+\)$/, ""))).toEqual(["### Gateway environment", "### Shared by the origins, and the stack"]);
    const listed = (g: string) => g.split("\n").filter((l) => /^\| [^-]/.test(l) && !l.startsWith("| name |")).map((l) => l.split(" | ")[0]!.slice(2));
    report.origins.forEach((o, i) => {
      const c = component(o.name);
      const mine = report.resources.filter((r) => r.urn === c.urn || r.parent === c.urn).map((r) => r.name);
      expect(listed(groups[i]!).sort()).toEqual(mine.sort());
      // The component heads its group.
      expect(listed(groups[i]!)[0]).toBe(o.name);
    });
    expect(listed(groups[n]!)).toContain("gateway");
    expect(listed(groups[n]!).filter((x) => x.startsWith("gateway-") && !x.startsWith("gateway-mtls-"))).toHaveLength(report.variables.length);
    // One certificate in Zuplo's store per mTLS origin.
    expect(listed(groups[n]!).filter((x) => x.startsWith("gateway-mtls-")).sort()).toEqual(["gateway-mtls-claims", "gateway-mtls-settlements", "gateway-mtls-statements"]);
    expect(listed(groups[n + 1]!).some((x) => x.startsWith("gatelock-oidc-"))).toBe(true);
    expect(listed(groups[n + 1]!).some((x) => x.startsWith("gcp-gateway-svc"))).toBe(true);
    // Every resource is listed exactly once.
    expect(groups.flatMap(listed).sort()).toEqual(report.resources.map((r) => r.name).sort());
    for (const b of jsonBlocks(md)) expect(() => JSON.parse(b)).not.toThrow();
  });

  it("keeps the groups in a report narrowed with --origin, which holds no gateway component", () => {
    const narrowed = filterReport(example.report, ["orders", "ledger"]);
    expect(narrowed.resources.some((r) => r.type === "gatelock:gateway:GatewayEnvironment")).toBe(false);
    const md = renderMarkdown(narrowed);
    const titles = md.split("\n").filter((l) => l.startsWith("### "));
    expect(titles).toEqual(["### orders (7)", "### ledger (1)", "### Gateway environment (4)"]);
  });

  it("prints no secret from the run, and keeps the masks", () => {
    const { full: md, secrets } = example;
    expect(secrets.length).toBeGreaterThanOrEqual(3);
    for (const s of secrets) expect(md).not.toContain(s);
    for (const s of secrets) expect(example.md).not.toContain(s);
    expect(md).toContain('"secretString": "[secret]"');
    expect(md).toContain('"value": "[secret]"');
    expect(example.report.findings.map((f) => f.code)).not.toContain("ERR_SECRET_IN_OUTPUT");
  });

  it("renders the same report to the same text, whatever order the run listed things in", () => {
    const { report, md } = example;
    expect(renderMarkdown(report)).toBe(md);
    expect(renderMarkdown(report, { limit: Number.POSITIVE_INFINITY })).toBe(example.full);
    expect(render(report, "markdown")).toBe(md);
    const reversed = <T>(xs: readonly T[]) => [...xs].reverse();
    const reorder = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reorder) : v && typeof v === "object" ? Object.fromEntries(reversed(Object.entries(v)).map(([k, x]) => [k, reorder(x)])) : v;
    const shuffled: AuditReport = {
      ...report,
      resources: reversed(report.resources).map((r) => ({ ...r, inputs: reorder(r.inputs) as Record<string, unknown> })),
      variables: reversed(report.variables),
      findings: reversed(report.findings),
    };
    expect(renderMarkdown(shuffled)).toBe(md);
    expect(renderMarkdown(structuredClone(report))).toBe(md);
  });
});

describe("a refused stack", () => {
  it("shows the findings and what to fix, and no empty sections", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-md-bad-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(
      path.join(dir, "stacks", "Pulumi.bad.yaml"),
      `config:\n  gatelock:gateway: {kind: zuplo, account: acme, project: p, branch: main}\n  gatelock:origins:\n    - {name: orders, method: shared-secret, cloud: aws, aws: {region: us-east-1, readers: ["*"]}}\n`,
    );
    const report = await runAudit({ projectDir: dir, stack: "bad", env: {} });
    const md = renderMarkdown(report);
    expect(md.split("\n").filter((l) => l.startsWith("## "))).toEqual(["## Origins", "## Findings", "## Checklist: before and after `pulumi up`"]);
    expect(md).toContain("❌ 1 error(s), 0 warning(s)");
    expect(section(md, "Origins")).toContain("None.");
    expect(section(md, "Findings")).toContain("| error | ERR_TRUST_UNSAFE | `gatelock:origins[0].aws.readers[0]` |");
    expect(section(md, "Checklist: before and after `pulumi up`")).toBe("## Checklist: before and after `pulumi up`\n\n- [ ] Fix the 1 error finding above first.\n\n");
  });
});

describe("size: a pull-request comment at any number of origins", () => {
  it(`stays under GitHub's ${GITHUB_COMMENT_LIMIT} characters at 100 origins, with every origin's line and checklist item`, () => {
    const { md, report } = many100;
    expect(report.ok).toBe(true);
    expect(report.origins).toHaveLength(100);
    expect(md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    const rows = section(md, "Origins").split("\n").filter((l) => l.startsWith("| ") && !l.startsWith("| origin |"));
    expect(rows.map((r) => r.split(" | ")[0]!.slice(2))).toEqual(report.origins.map((o) => o.name));
    const checklist = section(md, "Checklist: before and after `pulumi up`");
    for (const o of report.origins) expect(checklist).toContain(`- [ ] **${o.name}** origin: `);
    expect(checklist).toContain(`- [ ] Gateway: run \`gatelock gateway sync --stack ${report.stack} --project <zuplo project>\`: it writes every policy of \`policiesJson\` into \`config/policies.json\``);
  });

  it("says what it left out, resource inputs first, and points at --format json", () => {
    const note = (md: string) => md.split("\n").find((l) => l.startsWith("> **Shortened"));
    // 20 origins: only some resource inputs are left out; every resource is still listed.
    expect(many20.md.length).toBeLessThan(GITHUB_COMMENT_LIMIT);
    expect(note(many20.md)).toMatch(/Left out: the inputs of \d+ resources\. `gatelock audit --stack many --format json` prints everything\.$/);
    expect(section(many20.md, "Resources")).toMatch(/Inputs are shown for the first \d+ groups of \d+ only/);
    for (const r of many20.report.resources) expect(many20.md).toContain(`| ${r.name} | \`${r.type}\` |`);
    expect(many20.md).toContain("## Gateway variables (");
    expect(many20.md).toContain("## Gateway policy configuration");
    // 100 origins: resources, variables and the policy configuration give way to the origins and the checklist.
    expect(note(many100.md)).toContain(`all ${many100.report.resources.length} resources`);
    expect(note(many100.md)).toContain("the gateway variables");
    expect(note(many100.md)).toContain("the gateway policy configuration");
    expect(note(many100.md)).toContain("the certificates table");
    expect(note(many100.md)).toContain("`gatelock audit --stack many --format json` prints everything.");
    expect(section(many100.md, "Resources")).toContain("Left out to fit a pull-request comment: `gatelock audit --stack many --format json` lists them, with their inputs.");
  });

  it("cuts rows last, and says how many, when even the origins do not fit", () => {
    const limit = 20_000;
    const md = renderMarkdown(many100.report, { limit });
    expect(md.length).toBeLessThan(limit);
    expect(md).toMatch(/Left out: [^\n]*\d+ of 100 origins \(their rows and checklist items\)/);
    expect(md).toMatch(/…and \d+ more origins, left out \(see `gatelock audit --stack many --format json`\)\./);
    expect(md.startsWith("# gatelock audit: stack `many`\n")).toBe(true);
  });

  it("prints no secret at 100 origins either, and renders deterministically", () => {
    const { md, secrets, report } = many100;
    // At least the shared secrets, one in every 13 origins at most three of them.
    expect(secrets.length).toBeGreaterThanOrEqual(Math.floor(100 / 13) * 3);
    for (const s of secrets) expect(md).not.toContain(s);
    expect(renderMarkdown(structuredClone(report))).toBe(md);
  });
});

describe("the origin side, from an audited origin (pure)", () => {
  const ledger = () => example.report.origins.find((o) => o.name === "ledger")!;

  it("every origin carries its cloud target as data, for tools", () => {
    const target = (name: string) => example.report.origins.find((o) => o.name === name)!.cloudTarget;
    expect(target("orders")).toMatchObject({ cloud: "aws", region: "us-east-1", readers: ["arn:aws:iam::123456789012:role/orders-api"] });
    expect(target("billing")).toMatchObject({ cloud: "gcp", project: "acme-prod" });
    expect(target("shipments")).toMatchObject({ cloud: "aws", region: "us-east-1", partition: "aws" });
    expect(target("invoices")).toMatchObject({ cloud: "gcp", cloudRun: { service: "invoices", location: "europe-west1" } });
    expect(target("reports")).toMatchObject({ cloud: "azure" });
    expect(target("ledger")).toEqual({ cloud: "other" });
  });

  it("takes a `cloud: other` origin's verifier settings from the report", () => {
    expect(ledger().verifier).toEqual({
      issuer: ZUPLO_ISSUER,
      jwksUri: ZUPLO_JWKS_URI,
      audience: "https://ledger.internal.acme.example",
      subjects: ["atcl_2fQ9xLr7TnC4vW1mZpK8sYbH"],
      claims: { account: "acme", project: "orders-api", environment_type: "production" },
    });
    expect(originSide(ledger(), example.report.gatewayPolicies)).toMatchObject({ kind: "token", jwksUri: ZUPLO_JWKS_URI, source: "verifier", missing: [] });
  });

  it("reads a `cloud: other` origin's verifier settings back from its proof when a report lacks them (an older baseline)", () => {
    const { verifier: _, ...older } = ledger();
    expect(originSide(older, example.report.gatewayPolicies)).toEqual({
      kind: "token",
      origin: "ledger",
      header: "authorization",
      issuer: ZUPLO_ISSUER,
      jwksUri: ZUPLO_JWKS_URI,
      audience: "https://ledger.internal.acme.example",
      subjects: ["atcl_2fQ9xLr7TnC4vW1mZpK8sYbH"],
      claims: [
        ["account", "acme"],
        ["environment_type", "production"],
        ["project", "orders-api"],
      ],
      source: "proof",
      missing: [],
    });
  });

  it("uses the report's verifier settings when it carries them, and the policy's token header", () => {
    const verifier = { issuer: "https://id.acme.example", jwksUri: "https://id.acme.example/keys", audience: "ledger", subjects: ["gw-1", "gw-2"], claims: { tenant: "acme" } };
    const policies = example.report.gatewayPolicies.map((c) =>
      c.origin === "ledger" ? { ...c, policies: c.policies.map((p) => ({ ...p, handler: { ...p.handler, options: { ...p.handler.options, header: "x-gateway-token" } } })) } : c,
    );
    expect(originSide({ ...ledger(), verifier }, policies)).toMatchObject({
      kind: "token",
      header: "x-gateway-token",
      issuer: "https://id.acme.example",
      jwksUri: "https://id.acme.example/keys",
      audience: "ledger",
      subjects: ["gw-1", "gw-2"],
      claims: [["tenant", "acme"]],
      source: "verifier",
      missing: [],
    });
  });

  it("says which field is missing when the JWKS URI cannot be known from the report", () => {
    const { verifier: _, ...older } = ledger();
    const custom: AuditOrigin = { ...older, proof: "a token from https://id.acme.example with aud = ledger, sub ∈ {gw-1, gw-2}, tenant = acme" };
    const side = originSide(custom, []);
    expect(side).toMatchObject({ kind: "token", issuer: "https://id.acme.example", jwksUri: undefined, audience: "ledger", subjects: ["gw-1", "gw-2"], missing: ["verifier.jwksUri"] });
    const md = renderMarkdown({ ...example.report, origins: [custom], gatewayPolicies: [] });
    expect(md).toContain("JWKS URI not in this report (see the stack output `origins.ledger.resources.verifier`)");
  });

  it("reads proofs without subjects or claims, and refuses to guess at another shape", () => {
    expect(readProof("a token from https://i.example with aud = a, b")).toEqual({ issuer: "https://i.example", audience: "a, b", subjects: [], claims: [] });
    expect(readProof("a token from https://i.example with aud = x, team = a = b")).toEqual({ issuer: "https://i.example", audience: "x", subjects: [], claims: [["team", "a = b"]] });
    expect(readProof("header `x` equals the secret")).toEqual({ issuer: undefined, audience: undefined, subjects: [], claims: [] });
  });

  it("shared secret: the header from the gateway policy, the store and the overlap", () => {
    const orders = example.report.origins.find((o) => o.name === "orders")!;
    expect(originSide(orders, example.report.gatewayPolicies)).toEqual({
      kind: "shared-secret",
      origin: "orders",
      header: "x-gateway-secret",
      store: orders.store,
      overlapDays: 14,
      missing: [],
    });
  });

  it("service auth: who checks the token follows the origin's target (Easy Auth, Cloud Run, Endpoints)", () => {
    const side = (name: string) => originSide(example.report.origins.find((o) => o.name === name)!, example.report.gatewayPolicies);
    expect(side("payments")).toMatchObject({ kind: "cloud-iam", checkedBy: "Easy Auth (App Service) with Microsoft Entra ID" });
    expect(side("analytics")).toMatchObject({ kind: "cloud-iam", checkedBy: "Google Cloud IAM" });
    expect(side("catalog")).toMatchObject({ kind: "cloud-iam", checkedBy: "Cloud Endpoints (ESPv2) or API Gateway" });
    expect((side("catalog") as { keep: string }).keep).toContain("`origins.catalog.resources.endpointsSecurity`");
    const { cloudTarget: _, ...bare } = example.report.origins.find((o) => o.name === "payments")!;
    expect(originSide({ ...bare, cloudTarget: { cloud: "azure" } }, [])).toMatchObject({ checkedBy: "the origin itself" });
  });

  it("federated on a cloud: who checks the token and what the origin must keep", () => {
    for (const [name, cloud] of [
      ["shipments", "aws"],
      ["invoices", "gcp"],
      ["reports", "azure"],
    ] as const) {
      const o = example.report.origins.find((x) => x.name === name)!;
      expect(originSide(o, example.report.gatewayPolicies)).toMatchObject({ kind: "cloud-iam", origin: name, cloud, target: o.store, missing: [] });
    }
  });
});
