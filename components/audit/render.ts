/**
 * Renderings of an audit report: markdown for a pull request, JSON for machines, mermaid
 * for the trust picture. All work from the masked report, so none can print a secret.
 */
import type { AuditReport } from "./report";

export type AuditFormat = "markdown" | "json" | "mermaid";
export const AUDIT_FORMATS: readonly AuditFormat[] = ["markdown", "json", "mermaid"];

export function render(report: AuditReport, format: AuditFormat): string {
  switch (format) {
    case "json":
      return `${JSON.stringify(report, null, 2)}\n`;
    case "markdown":
      return renderMarkdown(report);
    case "mermaid":
      return renderMermaid(report);
  }
}

/** Pure function of the report: 1 when anything is an error, else 0. */
export function exitCodeOf(report: AuditReport): number {
  return report.ok ? 0 : 1;
}

function cell(s: string): string {
  return s.replace(/\|/g, "\\|").replace(/\n/g, " ");
}

export function renderMarkdown(r: AuditReport): string {
  const out: string[] = [];
  const errors = r.findings.filter((f) => f.severity === "error").length;
  const warnings = r.findings.length - errors;
  out.push(`# gatelock audit: stack \`${r.stack}\``, "");
  out.push(`${r.ok ? "✅" : "❌"} ${errors} error(s), ${warnings} warning(s)${r.gateway ? ` · gateway: ${r.gateway}` : ""}`, "");

  out.push("## Findings", "");
  if (r.findings.length === 0) out.push("None.", "");
  else {
    out.push("| severity | code | key | message | fix |", "|---|---|---|---|---|");
    for (const f of r.findings) out.push(`| ${f.severity} | ${f.code} | \`${cell(f.path)}\` | ${cell(f.message)} | ${cell(f.fix ?? "")} |`);
    out.push("");
  }

  if (r.origins.length > 0) {
    out.push("## Origins", "");
    out.push("| origin | method | cloud | proof | reachable by | credential store | readers |", "|---|---|---|---|---|---|---|");
    for (const o of r.origins) {
      out.push(`| ${o.name} | ${o.method} | ${o.cloud} | ${cell(o.proof)} | ${cell(o.reachableBy.join("; "))} | ${cell(`${o.store.kind}: ${o.store.location}`)} | ${cell(o.store.readers.join(", "))} |`);
    }
    out.push("");
  }

  if (r.variables.length > 0) {
    out.push("## Gateway variables", "", "| name | secret | origin | written to |", "|---|---|---|---|");
    for (const v of r.variables) out.push(`| \`${v.name}\` | ${v.isSecret ? "yes" : "no"} | ${v.origin} | ${v.sinks.join(", ")} |`);
    out.push("");
  }

  if (r.gatewayPolicies.length > 0) {
    out.push("## Gateway configuration to add", "");
    out.push("Add these entries to `config/policies.json`, and each origin's policy names to its routes' `x-zuplo-route.policies.inbound`:", "");
    out.push("```json", JSON.stringify(r.policiesJson, null, 2), "```", "");
    for (const c of r.gatewayPolicies) {
      out.push(`- **${c.origin}**: inbound \`${JSON.stringify(c.inbound)}\`${c.handler ? `; handler \`urlForwardHandler\` with \`baseUrl: "${c.handler.options.baseUrl}"\`` : ""}`);
    }
    out.push("");
  }

  if (r.resources.length > 0) {
    out.push(`## Resources \`pulumi up\` would create (${r.resources.length})`, "");
    out.push("| type | name | parent |", "|---|---|---|");
    for (const res of r.resources) out.push(`| \`${res.type}\` | ${res.name} | ${res.parent ? res.parent.split("::").pop() : ""} |`);
    out.push("", "<details><summary>Inputs (secrets masked)</summary>", "");
    for (const res of r.resources.filter((x) => Object.keys(x.inputs).length > 0)) {
      out.push(`**${res.name}** \`${res.type}\``, "", "```json", JSON.stringify(res.inputs, null, 2), "```", "");
    }
    out.push("</details>", "");
  }
  return out.join("\n");
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
