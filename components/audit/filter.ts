/**
 * `gatelock audit --origin <name>`: the report narrowed to some origins (pure). Findings and
 * resources are kept when they are about one of them; the verdict (`ok`) stays the whole
 * stack's, so a filtered audit never hides an error elsewhere.
 */
import type { AuditReport } from "./report";

export function filterReport(report: AuditReport, names: readonly string[]): AuditReport {
  const wanted = new Set(names);
  const origins = report.origins.filter((o) => wanted.has(o.name));
  const variables = report.variables.filter((v) => wanted.has(v.origin));
  const variableNames = new Set(variables.map((v) => v.name));
  // Origins are reported in config order, so origins[i] is `gatelock:origins[i]`.
  const keys = report.origins.flatMap((o, i) => (wanted.has(o.name) ? [`gatelock:origins[${i}]`] : []));
  // An origin's component, everything under it, and the gateway variables it needs.
  const components = new Set(report.resources.filter((r) => /^gatelock:[a-z-]+:[A-Za-z]*Origin$/.test(r.type) && wanted.has(r.name)).map((r) => r.urn));
  const inOrigin = (urn: string | null): boolean => urn !== null && components.has(urn);
  const resources = report.resources.filter(
    (r) => components.has(r.urn) || inOrigin(r.parent) || (r.type.endsWith(":ZuploVariable") && variableNames.has(String(r.inputs.name))),
  );
  const findings = report.findings.filter((f) => keys.some((k) => f.path === k || f.path.startsWith(`${k}.`) || f.path.startsWith(`${k}[`)) || !/^gatelock:origins\[/.test(f.path));
  const gatewayPolicies = report.gatewayPolicies.filter((p) => wanted.has(p.origin));
  const policyNames = new Set(gatewayPolicies.flatMap((p) => p.policies.map((x) => x.name)));
  return {
    ...report,
    origins,
    variables,
    gatewayPolicies,
    policiesJson: { policies: report.policiesJson.policies.filter((p) => policyNames.has(p.name)) },
    findings,
    resources,
    ...(report.diff
      ? { diff: { ...report.diff, origins: Object.fromEntries(Object.entries(report.diff.origins).filter(([name]) => wanted.has(name))), changes: report.diff.changes.filter((c) => c.origin === undefined || wanted.has(c.origin)) } }
      : {}),
  };
}
