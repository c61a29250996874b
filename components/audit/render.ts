/**
 * Renderings of an audit report: markdown for a pull request, JSON for machines, mermaid
 * for the trust picture. All work from the masked report, so none can print a secret.
 */
import type { OriginGatewayConfig } from "../gateway/zuplo-policies";
import { type OriginSide, originSide } from "./origin-side";
import type { AuditOrigin, AuditReport, AuditResource } from "./report";
import type { OriginChange } from "./diff";

export type { OriginChange } from "./diff";

export type AuditFormat = "markdown" | "json" | "mermaid";
export const AUDIT_FORMATS: readonly AuditFormat[] = ["markdown", "json", "mermaid"];

export function render(report: AuditReport, format: AuditFormat, options: MarkdownOptions = {}): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "markdown":
      return renderMarkdown(report, options);
    case "mermaid":
      return renderMermaid(report);
  }
}

/** What fails CI (`--fail-on`): errors always; warnings too; or any trust change since the baseline. */
export type FailOn = "errors" | "warnings" | "trust-changes";
export const FAIL_ON: readonly FailOn[] = ["errors", "warnings", "trust-changes"];

/** Pure function of the report: 1 when it fails what `failOn` names, else 0. */
export function exitCodeOf(report: AuditReport, failOn: FailOn = "errors"): number {
  if (!report.ok) return 1;
  if (failOn === "warnings" && report.findings.length > 0) return 1;
  if (failOn === "trust-changes" && report.diff?.changes.some((c) => c.trust)) return 1;
  return 0;
}

/** GitHub refuses a pull-request comment longer than this (in characters). */
export const GITHUB_COMMENT_LIMIT = 65_536;


export interface MarkdownOptions {
  /**
   * Per origin name, how it compares with a baseline (default: the report's own `diff`, from
   * `--baseline`). Given, the origin table gains a `change` column, and an origin marked
   * `removed`, which the report no longer holds, gets a row of its own. Absent, the markdown
   * says nothing about changes.
   */
  readonly changes?: ReadonlyMap<string, OriginChange>;
  /** Keep the markdown shorter than this many characters (default {@link GITHUB_COMMENT_LIMIT}). */
  readonly limit?: number;
}

/** Escapes for a table cell: no line break, no cell-ending pipe. */
function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\r?\n/g, " ");
}

/**
 * Prose from the report, shown as written: outside code spans, `<`/`>` are escaped (GitHub
 * would take `projects/<number>` for a tag and drop it) and `*` too (a wildcard subject is
 * not emphasis).
 */
function prose(s: string): string {
  return s
    .split(/(`[^`]*`)/)
    .map((part, i) => (i % 2 === 1 ? part : part.replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/\*/g, "\\*")))
    .join("");
}

/** A value as a code span, whatever backticks it holds. */
function code(s: string): string {
  const ticks = "`".repeat(Math.max(0, ...[...s.matchAll(/`+/g)].map((m) => m[0].length)) + 1);
  return ticks.length === 1 ? `\`${s}\`` : `${ticks} ${s} ${ticks}`;
}

/** Code-unit order, with runs of digits compared as numbers: `origins[2]` before `origins[10]`. */
function naturalCompare(a: string, b: string): number {
  const xs = a.match(/\d+|\D+/g) ?? [];
  const ys = b.match(/\d+|\D+/g) ?? [];
  for (let i = 0; i < Math.min(xs.length, ys.length); i++) {
    const x = xs[i]!;
    const y = ys[i]!;
    if (x === y) continue;
    if (/^\d/.test(x) && /^\d/.test(y) && Number(x) !== Number(y)) return Number(x) - Number(y);
    return x < y ? -1 : 1;
  }
  return xs.length - ys.length;
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const SEVERITY_ORDER: Readonly<Record<string, number>> = { error: 0, warning: 1 };

/** An origin's component: the resource an origin's other resources hang under (as in `filterReport`). */
const ORIGIN_COMPONENT = /^gatelock:[a-z-]+:[A-Za-z]*Origin$/;
const GATEWAY_COMPONENT = /^gatelock:gateway:/;

/** Type and name from `urn:pulumi:<stack>::<project>::<parent types$type>::<name>`. */
function urnParts(urn: string): { type: string; name: string } {
  const [, , qualified = "", ...name] = urn.split("::");
  return { type: qualified.split("$").pop() ?? "", name: name.join("::") };
}

interface ResourceGroup {
  readonly title: string;
  readonly resources: readonly AuditResource[];
}

/**
 * Resources by origin, in the report's origin order: an origin's group is its component and
 * everything under it; then the gateway environment's; then what the origins share (the
 * stack, the AWS OIDC provider). Inside a group, the component first, then by name and type.
 */
function groupResources(r: AuditReport): ResourceGroup[] {
  const names = new Set(r.origins.map((o) => o.name));
  const byUrn = new Map(r.resources.map((x) => [x.urn, x]));
  // Read from the URN, so a parent the report left out (`--origin` keeps no gateway component) still counts.
  const ownerOf = (urn: string): string | undefined => {
    const { type, name } = urnParts(urn);
    if (ORIGIN_COMPONENT.test(type) && names.has(name)) return `origin:${name}`;
    if (GATEWAY_COMPONENT.test(type)) return "gateway";
    return undefined;
  };
  const groupOf = (x: AuditResource): string => {
    const seen = new Set<string>();
    // Up the parents by URN: the last one may be absent from the report, and still counts.
    for (let urn: string | null | undefined = x.urn; urn && !seen.has(urn); urn = byUrn.get(urn)?.parent) {
      seen.add(urn);
      const found = ownerOf(urn);
      if (found) return found;
    }
    return "shared";
  };
  const members = new Map<string, AuditResource[]>();
  for (const x of r.resources) {
    const key = groupOf(x);
    if (!members.has(key)) members.set(key, []);
    members.get(key)!.push(x);
  }
  const order = (xs: readonly AuditResource[]) =>
    [...xs].sort((a, b) => Number(ownerOf(b.urn) !== undefined) - Number(ownerOf(a.urn) !== undefined) || compare(a.name, b.name) || compare(a.type, b.type) || compare(a.urn, b.urn));
  const groups: ResourceGroup[] = [];
  for (const o of r.origins) {
    const xs = members.get(`origin:${o.name}`);
    if (xs) groups.push({ title: o.name, resources: order(xs) });
  }
  const gateway = members.get("gateway");
  if (gateway) groups.push({ title: "Gateway environment", resources: order(gateway) });
  const shared = members.get("shared");
  if (shared) groups.push({ title: "Shared by the origins, and the stack", resources: order(shared) });
  return groups;
}

/**
 * Inputs to show: object keys sorted, and every string that holds a JSON object or array (an
 * IAM `policy`, an `assumeRolePolicy`) parsed, so it prints pretty rather than escaped on one
 * line. Returns the paths of the strings parsed. Only what the masked report holds is shown:
 * a masked value is the string "[secret]", which is not JSON and stays as it is.
 */
function showInputs(inputs: Record<string, unknown>): { value: unknown; parsed: string[] } {
  const parsed: string[] = [];
  const walk = (v: unknown, at: string): unknown => {
    if (typeof v === "string") {
      const doc = jsonDocument(v);
      if (doc === undefined) return v;
      parsed.push(at);
      return doc;
    }
    if (Array.isArray(v)) return v.map((x, i) => walk(x, `${at}[${i}]`));
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v)
          .sort(compare)
          .map((k) => [k, walk((v as Record<string, unknown>)[k], at ? `${at}.${k}` : k)]),
      );
    }
    return v;
  };
  return { value: walk(inputs, ""), parsed };
}

function jsonDocument(s: string): object | undefined {
  const t = s.trim();
  if (!(t.startsWith("{") && t.endsWith("}")) && !(t.startsWith("[") && t.endsWith("]"))) return undefined;
  try {
    const v = JSON.parse(t) as unknown;
    return v !== null && typeof v === "object" ? v : undefined;
  } catch {
    return undefined;
  }
}

/** `$import(./modules/gatelock-id-token)` → `modules/gatelock-id-token.ts`: a file of the Zuplo project. */
function modulePath(module: string): string | undefined {
  const m = /^\$import\(\.\/(.+)\)$/.exec(module);
  return m ? `${m[1]}.ts` : undefined;
}

function plural(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/**
 * The report as a pull-request comment. In order: one line per origin, the findings, a
 * checklist of what to do after `pulumi up` (per origin: the gateway side and the origin
 * side), the gateway variables, the gateway policy configuration, and the resources grouped
 * by origin with their inputs. Secrets stay masked as the report masks them.
 *
 * It stays shorter than GitHub's comment limit: what does not fit is left out, resource
 * inputs first, then resource lists, the gateway variables and the policy configuration, and
 * a note at the top says what is missing and that `--format json` has everything. The same
 * report always renders to the same text.
 */
export function renderMarkdown(r: AuditReport, options: MarkdownOptions = {}): string {
  const limit = options.limit ?? GITHUB_COMMENT_LIMIT;
  const changes = options.changes ?? (r.diff ? new Map(Object.entries(r.diff.origins)) : undefined);
  const everything = `\`gatelock audit --stack ${r.stack} --format json\``;
  const errors = r.findings.filter((f) => f.severity === "error").length;
  const warnings = r.findings.length - errors;
  const configs = new Map(r.gatewayPolicies.map((c) => [c.origin, c]));

  // Always shown (cut by row only if nothing else is left to cut).
  const heading = `# gatelock audit: stack \`${r.stack}\`\n\n${r.ok ? "✅" : "❌"} ${errors} error(s), ${warnings} warning(s)${r.gateway ? ` · gateway: ${prose(r.gateway)}` : ""}\n\n`;
  const legend = r.placeholders.length
    ? `Values in angle brackets, such as ${code(r.placeholders.includes("<deploying account>") ? "<deploying account>" : r.placeholders[0]!)}, are known only when \`pulumi up\` runs: the audit shows a placeholder rather than make them up.\n\n`
    : "";
  const title = heading + legend;

  const removed = changes ? [...changes].filter(([name, c]) => c === "removed" && !r.origins.some((o) => o.name === name)).map(([name]) => name).sort(compare) : [];
  const originsHead =
    r.origins.length + removed.length === 0
      ? "## Origins\n\nNone.\n"
      : `## Origins (${r.origins.length})\n\n| origin | method | cloud | reachable by | proof |${changes ? " change |" : ""}\n|---|---|---|---|---|${changes ? "---|" : ""}\n`;
  const originRows = [
    ...r.origins.map(
      (o) => `| ${cell(o.name)} | ${o.method} | ${o.cloud} | ${cell(prose(o.reachableBy.join("; ")))} | ${cell(prose(o.proof))} |${changes ? ` ${changes.get(o.name) ?? "unknown"} |` : ""}\n`,
    ),
    ...removed.map((name) => `| ${cell(name)} | | | | | removed |\n`),
  ];

  const pki = r.origins.filter((o) => o.certificates?.length);
  const certificateRows = pki.flatMap((o) =>
    o.certificates!.map((c) => `| ${cell(o.name)} | ${c.role} | ${cell(prose(c.subject))} | ${c.key} | ${c.validDays} days | after ${c.renewedAfterDays} days | ${c.uses.map((u) => code(u)).join(", ")} |\n`),
  );
  const certificatesSection = pki.length
    ? `## Certificates (mTLS)\n\nIssued by \`pulumi up\`; private keys exist only in Pulumi secrets. Each certificate expires *valid* days after it is issued, and \`pulumi up\` issues its successor after *renewed* days, well before.\n\n| origin | certificate | subject | key | valid | renewed | uses |\n|---|---|---|---|---|---|---|\n${certificateRows.join("")}\n`
    : "";

  const tunnels = r.origins.filter((o) => o.connector);
  const connectorsSection = tunnels.length
    ? `## Tunnel connectors\n\nEach origin is reached only through its own tunnel: the connector dials out, nothing listens. Its token rotates in \`pulumi up\`, replica by replica.\n\n| origin | tunnel → service | runs on | replicas | image | egress | token |\n|---|---|---|---|---|---|---|\n${tunnels
        .map((o) => {
          const c = o.connector!;
          return `| ${cell(o.name)} | ${code(c.tunnel)} → ${code(`service://${c.service}`)} | ${cell(prose(c.runsOn))} | ${c.replicas} | ${code(c.image)} | ${cell(prose(c.egress.join("; ")))} | ${cell(prose(c.tokenStore))} |\n`;
        })
        .join("")}\n`
    : "";

  const diff = r.diff;
  const trustChanges = diff?.changes.filter((c) => c.trust).length ?? 0;
  const changesHead = !diff
    ? ""
    : `## Changes since the baseline${diff.changes.length ? ` (${diff.changes.length}, ${trustChanges} to trust)` : ""}\n\n${diff.baselineStack !== r.stack ? `The baseline is an audit of stack ${code(diff.baselineStack)}.\n\n` : ""}${diff.changes.length ? "" : "None.\n"}`;
  const changeRows = (diff?.changes ?? []).map((c) => `- ${c.trust ? "**trust:** " : ""}${prose(c.message)}\n`);

  const findings = [...r.findings].sort(
    (a, b) => (SEVERITY_ORDER[a.severity] ?? 2) - (SEVERITY_ORDER[b.severity] ?? 2) || naturalCompare(a.path, b.path) || compare(a.code, b.code) || compare(a.message, b.message),
  );
  const findingsHead = findings.length === 0 ? "## Findings\n\nNone.\n" : "## Findings\n\n| severity | code | key | message | fix |\n|---|---|---|---|---|\n";
  // The same finding about several keys (a warning every GCP key-holding origin gets) is one
  // row naming every key: a reviewer reads it once, and the comment stays short.
  const grouped = new Map<string, { finding: (typeof findings)[number]; paths: string[] }>();
  for (const f of findings) {
    const key = JSON.stringify([f.severity, f.code, f.message, f.fix ?? ""]);
    const g = grouped.get(key);
    if (g) g.paths.push(f.path);
    else grouped.set(key, { finding: f, paths: [f.path] });
  }
  const findingRows = [...grouped.values()].map(
    ({ finding: f, paths }) => `| ${f.severity} | ${f.code} | ${paths.map((p) => code(cell(p))).join(", ")} | ${cell(prose(f.message))} | ${cell(prose(f.fix ?? ""))} |\n`,
  );

  const checklistHead = `## Checklist: before and after \`pulumi up\`\n\n`;
  const checklistGlobal: string[] = [];
  if (errors > 0) checklistGlobal.push(`- [ ] Fix the ${plural(errors, "error finding")} above first.\n`);
  const noKey = findings.find((f) => f.code === "WARN_NO_API_KEY");
  if (noKey) checklistGlobal.push(`- [ ] Set the Zuplo Developer API key before \`pulumi up\`, or it cannot write the gateway's variables: ${prose(noKey.fix ?? "export ZUPLO_API_KEY.")}\n`);
  const modules = new Map<string, { kind: string; users: string[] }>();
  for (const c of r.gatewayPolicies) {
    const imports = [...c.policies.map((p) => ({ kind: "policy", module: p.handler.module })), ...(c.handler ? [{ kind: "route handler", module: c.handler.module }] : [])];
    for (const { kind, module } of imports) {
      const file = modulePath(module);
      if (!file) continue;
      if (!modules.has(file)) modules.set(file, { kind, users: [] });
      if (!modules.get(file)!.users.includes(c.origin)) modules.get(file)!.users.push(c.origin);
    }
  }
  for (const [file, { kind, users }] of [...modules].sort(([a], [b]) => compare(a, b))) {
    // Always shown, so bounded: each origin's own item names the module again.
    const usedBy = users.length > 4 ? `${users.slice(0, 3).join(", ")} and ${users.length - 3} more` : users.join(", ");
    checklistGlobal.push(
      `- [ ] Add the custom ${kind} module ${code(file)} to the Zuplo project (used by ${usedBy}); \`gatelock audit --stack ${r.stack} --write-modules <dir>\` writes it.\n`,
    );
  }
  const sides = r.origins.map((o) => originSide(o, r.gatewayPolicies));
  const checklistIntro = r.origins.length
    ? `Gateway items are for the Zuplo project (\`gatelock gateway sync --stack ${r.stack} --project <zuplo project>\` does them), origin items for whoever runs the origin (\`gatelock/origin\` has \`createSharedSecretVerifier\` and \`createTokenVerifier\`).\n\n`
    : "";
  const checklistEntries = r.origins.map((o, i) => checklistEntry(o, configs.get(o.name), sides[i]!, true));
  // The shorter form, when the comment would be too long: one gateway item for all origins.
  const checklistGatewayAll = r.gatewayPolicies.some((c) => c.policies.length > 0)
    ? `- [ ] Gateway: run \`gatelock gateway sync --stack ${r.stack} --project <zuplo project>\`: it writes every policy of \`policiesJson\` into \`config/policies.json\` and each origin's into the inbound policies of the routes that forward to it (\`--check\` in the gateway's CI).\n`
    : "";
  const checklistEntriesShort = r.origins.map((o, i) => checklistEntry(o, configs.get(o.name), sides[i]!, false));

  // Left out first when the comment would be too long: resource inputs, then resource lists,
  // then the gateway variables, then the policy configuration.
  const variables = [...r.variables].sort((a, b) => {
    const at = (name: string) => {
      const i = r.origins.findIndex((o) => o.name === name);
      return i < 0 ? r.origins.length : i;
    };
    return at(a.origin) - at(b.origin) || compare(a.origin, b.origin) || compare(a.name, b.name);
  });
  const variablesSection =
    variables.length === 0
      ? ""
      : `## Gateway variables (${variables.length})\n\n| name | secret | origin | written to |\n|---|---|---|---|\n${variables
          .map((v) => `| ${code(v.name)} | ${v.isSecret ? "yes" : "no"} | ${cell(v.origin)} | ${cell(v.sinks.join(", "))} |\n`)
          .join("")}\n`;
  const policiesSection =
    r.policiesJson.policies.length === 0
      ? ""
      : `## Gateway policy configuration\n\n\`gatelock gateway sync --stack ${r.stack} --project <zuplo project>\` merges these entries into \`config/policies.json\` (replacing gatelock's earlier ones, leaving every other entry alone).\n\n<details><summary>${plural(r.policiesJson.policies.length, "policy", "policies")} for \`config/policies.json\`</summary>\n\n\`\`\`json\n${JSON.stringify(r.policiesJson, null, 2)}\n\`\`\`\n\n</details>\n\n`;
  const groups = groupResources(r);
  const groupTables = groups.map(
    (g) => `### ${cell(g.title)} (${g.resources.length})\n\n| name | type |\n|---|---|\n${g.resources.map((x) => `| ${cell(x.name)} | ${code(cell(x.type))} |\n`).join("")}\n`,
  );
  const groupInputs = groups.map((g) => {
    const shown = g.resources.filter((x) => Object.keys(x.inputs).length > 0);
    if (shown.length === 0) return "";
    const blocks = shown.map((x) => {
      const { value, parsed } = showInputs(x.inputs);
      const note = parsed.length ? ` · ${parsed.map((p) => code(p)).join(", ")} ${parsed.length === 1 ? "is a JSON string" : "are JSON strings"}, shown parsed` : "";
      return `**${cell(x.name)}** ${code(x.type)}${note}\n\n\`\`\`json\n${JSON.stringify(value, null, 2)}\n\`\`\`\n\n`;
    });
    return `<details><summary>Inputs (secrets masked)</summary>\n\n${blocks.join("")}</details>\n\n`;
  });
  const inputCounts = groups.map((g) => g.resources.filter((x) => Object.keys(x.inputs).length > 0).length);

  /** Optional chunks, by priority: the first k are shown. */
  const optional = [certificatesSection + connectorsSection, policiesSection, variablesSection, ...groupTables, ...groupInputs];
  const G = groups.length;

  const assemble = (k: number, rows: number, perOriginGateway = true): string[] => {
    const shows = (i: number) => i < k;
    const showTable = (g: number) => shows(3 + g);
    const showInputsOf = (g: number) => shows(3 + G + g);
    const out: string[] = [];
    // What is left out, for the note at the top.
    const left: string[] = [];
    const originsCut = Math.max(0, r.origins.length - rows);
    const findingsCut = Math.max(0, findingRows.length - rows);
    if (!perOriginGateway && checklistGatewayAll) left.push("the gateway items per origin (one item for all instead)");
    if (originsCut) left.push(`${originsCut} of ${r.origins.length} origins (their rows and checklist items)`);
    if (findingsCut) left.push(`${findingsCut} of ${findingRows.length} findings`);
    if (changeRows.length > rows) left.push(`${changeRows.length - rows} of ${changeRows.length} changes`);
    if (certificatesSection && !shows(0)) left.push("the certificates table");
    if (connectorsSection && !shows(0)) left.push("the tunnel connectors table");
    if (policiesSection && !shows(1)) left.push("the gateway policy configuration");
    if (variablesSection && !shows(2)) left.push("the gateway variables");
    const resourcesCut = groups.reduce((n, g, i) => n + (showTable(i) ? 0 : g.resources.length), 0);
    const inputsCut = groups.reduce((n, _g, i) => n + (showTable(i) && !showInputsOf(i) ? inputCounts[i]! : 0), 0);
    if (resourcesCut) left.push(resourcesCut === r.resources.length ? `all ${r.resources.length} resources` : `${resourcesCut} of ${r.resources.length} resources`);
    if (inputsCut) left.push(`the inputs of ${plural(inputsCut, "resource")}${resourcesCut ? " listed" : ""}`);

    out.push(title);
    if (left.length) out.push(`> **Shortened to fit a pull-request comment** (GitHub allows ${String(limit).replace(/\B(?=(\d{3})+$)/g, ",")} characters). Left out: ${left.join("; ")}. ${everything} prints everything.\n\n`);
    out.push(originsHead, ...originRows.slice(0, rows), originsCut ? `\n…and ${originsCut} more origins, left out (see ${everything}).\n\n` : "\n");
    if (shows(0)) out.push(certificatesSection, connectorsSection);
    const changesCut = Math.max(0, changeRows.length - rows);
    if (diff) out.push(changesHead, ...changeRows.slice(0, rows), changesCut ? `\n…and ${changesCut} more changes, left out (see ${everything}).\n\n` : "\n");
    out.push(findingsHead, ...findingRows.slice(0, rows), findingsCut ? `\n…and ${findingsCut} more findings, left out (see ${everything}).\n\n` : "\n");
    const entries = perOriginGateway ? checklistEntries : [...(checklistGatewayAll ? [checklistGatewayAll] : []), ...checklistEntriesShort];
    out.push(checklistHead, checklistIntro, ...checklistGlobal, ...entries.slice(0, rows + entries.length - checklistEntries.length));
    out.push(checklistGlobal.length + entries.length === 0 ? "Nothing to do.\n\n" : "\n");
    if (shows(2)) out.push(variablesSection);
    if (shows(1)) out.push(policiesSection);
    if (G > 0) {
      out.push(`## Resources \`pulumi up\` would create (${r.resources.length})\n\n`);
      const listed = groups.filter((_g, i) => showTable(i)).length;
      if (listed === 0) out.push(`Left out to fit a pull-request comment: ${everything} lists them, with their inputs.\n\n`);
      else if (resourcesCut) {
        out.push(`Only the first ${plural(listed, "group")} of ${G} are listed, without inputs, to fit a pull-request comment (${plural(resourcesCut, "resource")} left out): ${everything} lists them all, with their inputs.\n\n`);
      } else if (inputsCut) {
        const withInputs = groups.filter((_g, i) => showInputsOf(i)).length;
        out.push(`Inputs are shown for the first ${plural(withInputs, "group")} of ${G} only, to fit a pull-request comment (the inputs of ${plural(inputsCut, "resource")} left out): ${everything} has them all.\n\n`);
      }
      for (let g = 0; g < G; g++) {
        if (showTable(g)) out.push(groupTables[g]!);
        if (showTable(g) && showInputsOf(g)) out.push(groupInputs[g]!);
      }
    }
    return out;
  };
  const length = (parts: readonly string[]) => parts.reduce((n, p) => n + p.length, 0);

  // The most that fits: every row, and as many optional chunks as fit, in priority order.
  const all = Math.max(r.origins.length + removed.length, findingRows.length, changeRows.length);
  let best: string[] | undefined;
  for (let k = optional.length; k >= 0 && !best; k--) {
    const parts = assemble(k, all);
    if (length(parts) < limit) best = parts;
  }
  // Then one gateway item for all origins instead of one per origin.
  if (!best && length(assemble(0, all, false)) < limit) best = assemble(0, all, false);
  // Even that is too long (hundreds of origins or findings): as many rows as fit.
  if (!best) {
    let lo = 0;
    let hi = all;
    while (lo < hi) {
      const mid = Math.ceil((lo + hi) / 2);
      if (length(assemble(0, mid, false)) < limit) lo = mid;
      else hi = mid - 1;
    }
    best = assemble(0, lo, false);
  }
  const text = best.join("");
  return text.length < limit ? text : `${text.slice(0, Math.max(0, limit - 200)).replace(/\n[^\n]*$/, "\n")}\n…cut here to fit a pull-request comment; ${everything} prints everything.\n`;
}

/** The gateway side of one origin: its policies, into `config/policies.json` and onto the routes that forward to it. */
function gatewayStep(o: AuditOrigin, config: OriginGatewayConfig | undefined): string {
  if (o.method === "mtls") {
    const handler = config?.handler;
    return handler && handler.export === "urlForwardHandler" && "mtlsCertificate" in handler.options
      ? `no policy; every route that forwards to ${cell(o.name)} uses \`urlForwardHandler\`, ${code(`baseUrl: "${handler.options.baseUrl}"`)}, ${code(`mtlsCertificate: "${handler.options.mtlsCertificate}"`)}.`
      : `no policy; every route that forwards to ${cell(o.name)} sets \`mtlsCertificate\` to the certificate the gateway variable names (the origin has no \`url\`, so the report has no handler).`;
  }
  if (o.method === "tunnel") {
    const handler = config?.handler;
    return `no policy; every route that forwards to ${cell(o.name)} uses \`urlForwardHandler\`${handler && handler.export === "urlForwardHandler" ? `, ${code(`baseUrl: "${handler.options.baseUrl}"`)}` : ""} (the variable holds ${code(o.url ?? "service://…")}).`;
  }
  if (!config || config.policies.length === 0) return `the report holds no gateway policy for ${cell(o.name)} (see \`gatewayPolicies\` in \`--format json\`).`;
  const names = config.policies.map((p) => code(p.name)).join(", ");
  const inbound = config.inbound.map((n) => code(n)).join(", ");
  const routes = `the inbound policies (\`x-zuplo-route.policies.inbound\`) of every route that forwards to ${cell(o.name)}${config.handler ? ` (${routeHandlerText(config.handler)})` : ""}`;
  return names === inbound ? `add ${names} to \`config/policies.json\` and to ${routes}.` : `add ${names} to \`config/policies.json\`, and ${inbound} to ${routes}.`;
}

/** What a forwarding route's handler must be: Zuplo's `urlForwardHandler`, or gatelock's module that signs for AWS. */
function routeHandlerText(handler: NonNullable<OriginGatewayConfig["handler"]>): string {
  if (handler.export === "urlForwardHandler") return `\`urlForwardHandler\`, ${code(`baseUrl: "${handler.options.baseUrl}"`)}`;
  const file = modulePath(handler.module) ?? handler.module;
  const { baseUrl, service, region } = handler.options;
  // "not urlForwardHandler": one left on the route sends the request unsigned, and AWS refuses it.
  return `not \`urlForwardHandler\`: the \`${handler.export}\` export of ${code(file)}, which signs with the policy's credentials, ${code(`baseUrl: "${baseUrl}"`)}, ${code(`service: "${service}"`)}, ${code(`region: "${region}"`)}`;
}

/** One origin's checklist entry: the gateway side (unless collapsed into one item for all), then the origin side. */
function checklistEntry(o: AuditOrigin, config: OriginGatewayConfig | undefined, side: OriginSide, perOriginGateway: boolean): string {
  // The short form leaves method and cloud to the origin table.
  if (!perOriginGateway) return `- [ ] **${cell(o.name)}** origin: ${originSideText(side, false)}\n`;
  return `- **${cell(o.name)}** (${o.method} on ${o.cloud})\n  - [ ] Gateway: ${gatewayStep(o, config)}\n  - [ ] Origin: ${originSideText(side, true)}\n`;
}

/** What the origin side must configure, as one sentence; `full` adds what a cloud's trust admits to. */
function originSideText(side: OriginSide, full: boolean): string {
  switch (side.kind) {
    case "shared-secret": {
      const header = side.header ? `header ${code(side.header)}` : "the gateway policy's header";
      const overlap = side.overlapDays !== undefined ? ` for ${plural(side.overlapDays, "day")}` : "";
      return `accept only ${header} equal to the secret in ${prose(side.store.kind)} ${code(side.store.location)} (\`current\`, or \`previous\`${overlap} after a rotation), read by ${prose(side.store.readers.join(", "))}.`;
    }
    case "token": {
      const output = `stack output ${code(`origins.${side.origin}.resources.verifier`)}`;
      const verify = `verify the token in ${code(side.header)} (\`createTokenVerifier\`)`;
      if (side.issuer === undefined) return `${verify} with the settings in the ${output}; this report does not carry them.`;
      const settings = [
        `issuer ${code(side.issuer)}`,
        side.jwksUri !== undefined ? `JWKS URI ${code(side.jwksUri)}` : `JWKS URI not in this report (see the ${output})`,
        side.audience !== undefined ? `audience ${code(side.audience)}` : `audience not in this report (see the ${output})`,
        side.subjects.length ? `subjects ${side.subjects.map((s) => code(s)).join(", ")}` : "no subjects",
        side.claims.length ? `claims ${side.claims.map(([k, v]) => code(`${k} = ${v}`)).join(", ")}` : "no claims",
      ];
      return `${verify}: ${settings.join("; ")}.`;
    }
    case "cloud-iam":
      return `nothing to install, ${side.checkedBy} checks the token${full ? ` (${prose(side.target.kind)}: ${prose(side.target.location)})` : ""}; keep ${side.keep}.`;
    case "tunnel":
      return `nothing to install; keep the origin without a public address, reachable from its connector (${prose(side.connector)}) and nothing else.`;
    case "mtls":
      return `${side.checkedBy} requires the gateway's client certificate from the bundle in ${prose(side.store.kind)}${full ? ` ${code(side.store.location)}` : ""}; keep ${side.keep}.`;
  }
}

/** The longest label the diagram shows; the full facts are in the markdown and JSON. */
export const MERMAID_LABEL_MAX = 60;

/**
 * A label Mermaid shows as written: no `"` (it ends the label), no `<`/`>` (its sanitiser
 * strips anything that looks like a tag: `projects/<number>` would render as `projects/`), no
 * `#` (it starts an entity code), one line, at most MERMAID_LABEL_MAX characters.
 */
function mermaidLabel(s: string): string {
  const clean = s.replace(/"/g, "'").replace(/</g, "‹").replace(/>/g, "›").replace(/#/g, "№").replace(/\s+/g, " ").trim();
  return clean.length <= MERMAID_LABEL_MAX ? clean : `${clean.slice(0, MERMAID_LABEL_MAX - 1)}…`;
}

/** The trust picture, fenced so GitHub renders it: gateway → origin, and each store or trust → origin. */
export function renderMermaid(r: AuditReport): string {
  const id = (s: string) => s.replace(/[^A-Za-z0-9_]/g, "_");
  const q = mermaidLabel;
  const lines = ["```mermaid", "flowchart LR", `  gateway["${q(r.gateway ?? "gateway (config invalid)")}"]`];
  for (const o of r.origins) {
    const origin = `origin_${id(o.name)}`;
    const store = `store_${id(o.name)}`;
    lines.push(`  ${origin}["${q(`${o.name} (${o.cloud})`)}"]`);
    lines.push(`  ${store}[("${q(o.store.kind)}")]`);
    lines.push(`  gateway -- "${q(`${o.method}: ${o.variables.join(", ")}`)}" --> ${origin}`);
    // A stored secret is read by the origin's identities; a federated trust admits principals.
    const verb = o.method === "shared-secret" ? "read by" : "trusts";
    const [first = "nobody", ...more] = o.store.readers;
    lines.push(`  ${store} -. "${q(`${verb} ${more.length ? `${more.length + 1}: ` : ""}${first}`)}" .-> ${origin}`);
  }
  for (const f of r.findings.filter((x) => x.severity === "error")) {
    lines.push(`  %% error ${f.code} at ${q(f.path)}`);
  }
  lines.push("```");
  return `${lines.join("\n")}\n`;
}
