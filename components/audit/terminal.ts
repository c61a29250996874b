/**
 * The audit for a person at a terminal: a short summary, one line per origin and per finding,
 * in colour unless `NO_COLOR` is set. The full report is one flag away (`--format markdown`).
 */
import type { AuditReport } from "./report";

export interface TerminalStyle {
  readonly colour: boolean;
}

export function renderTerminal(r: AuditReport, style: TerminalStyle): string {
  const paint = (code: number) => (s: string) => (style.colour ? `\x1b[${code}m${s}\x1b[0m` : s);
  const [red, green, yellow, dim, bold] = [paint(31), paint(32), paint(33), paint(2), paint(1)];
  const errors = r.findings.filter((f) => f.severity === "error");
  const warnings = r.findings.filter((f) => f.severity === "warning");
  const out: string[] = [];
  const verdict = r.ok ? green("ok") : red("refused");
  out.push(`${bold(`gatelock audit: stack ${r.stack}`)}  ${verdict}  ${errors.length} error(s), ${warnings.length} warning(s)${r.gateway ? dim(`  gateway ${r.gateway}`) : ""}`);
  for (const o of r.origins) out.push(`  ${bold(o.name)}  ${o.method} on ${o.cloud}  ${dim("reachable by")} ${o.reachableBy.join("; ")}`);
  if (r.diff) {
    const trust = r.diff.changes.filter((c) => c.trust);
    out.push(`  ${bold("since the baseline")}  ${r.diff.changes.length} change(s), ${trust.length ? yellow(`${trust.length} to trust`) : "none to trust"}`);
    for (const c of trust) out.push(`    ${c.message.replace(/`/g, "")}`);
  }
  for (const f of [...errors, ...warnings]) {
    const tag = f.severity === "error" ? red("error") : yellow("warning");
    out.push(`  ${tag} ${f.code} ${f.path}: ${f.message}${f.fix ? dim(` Fix: ${f.fix}`) : ""}`);
  }
  out.push(dim(`  ${r.resources.length} resource(s), ${r.variables.length} gateway variable(s). Full report: --format markdown | json | mermaid, or --output <file>.`));
  return `${out.join("\n")}\n`;
}
