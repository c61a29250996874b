/**
 * `gatelock audit --baseline <audit.json>`: what changed since an earlier audit, stated in
 * words a reviewer can check ("`orders` can now be read by `arn:…/batch`"), with each change
 * marked as a trust change or not so CI can fail on one (`--fail-on trust-changes`).
 *
 * Pure: two reports in, a list of changes out. Reports are deterministic (invented values are
 * placeholders), so an unchanged stack gives no change at all.
 */
import { z } from "zod";
import type { OriginGatewayConfig } from "../gateway/zuplo-policies";
import type { VariableSummary } from "../gateway/environment";
import type { AuditOrigin, AuditReport, AuditResource } from "./report";

/** How an origin compares with the baseline. */
export type OriginChange = "added" | "changed" | "unchanged" | "removed";

export type ChangeKind = "origin" | "grant" | "trust-condition" | "variable" | "gateway-policy" | "resource";

export interface AuditChange {
  readonly kind: ChangeKind;
  readonly change: "added" | "removed" | "changed";
  /** The origin it is about, when it is about one. */
  readonly origin?: string;
  /**
   * It changes who can reach an origin, or what they must prove: a grant, a trust condition,
   * an origin added or removed, a secret variable made plain, an IAM resource's inputs.
   */
  readonly trust: boolean;
  /** The change in words; values in code spans. */
  readonly message: string;
}

export interface AuditDiff {
  /** The stack the baseline was taken of (a different stack is allowed, and said). */
  readonly baselineStack: string;
  /** Every origin of either report, by name. */
  readonly origins: Readonly<Record<string, OriginChange>>;
  /** Trust changes first, then by origin (config order), then the rest; stable. */
  readonly changes: readonly AuditChange[];
}

/** Resource types whose inputs decide who may do what: a change there is a trust change. */
const TRUST_RESOURCE = /iam|IamMember|RoleAssignment|SecretPolicy|secretPolicy|FederatedIdentityCredential|workloadIdentity|OpenIdConnectProvider|lambda\/permission|ApplicationPassword|AppRoleAssignment/i;

const code = (s: string) => `\`${s.replace(/`/g, "'")}\``;

export function diffReports(baseline: AuditReport, current: AuditReport): AuditDiff {
  const changes: AuditChange[] = [];
  const origins: Record<string, OriginChange> = {};
  const before = new Map(baseline.origins.map((o) => [o.name, o]));
  const after = new Map(current.origins.map((o) => [o.name, o]));

  for (const o of current.origins) {
    const was = before.get(o.name);
    if (!was) {
      changes.push({ kind: "origin", change: "added", origin: o.name, trust: true, message: `${code(o.name)} is new: ${o.method} on ${o.cloud}, reachable by ${o.reachableBy.join("; ")}.` });
      for (const r of o.store.readers) changes.push(grant("added", o, r));
    } else changes.push(...originChanges(was, o));
  }
  for (const o of baseline.origins) {
    if (!after.has(o.name)) changes.push({ kind: "origin", change: "removed", origin: o.name, trust: true, message: `${code(o.name)} is gone: gatelock no longer locks it, and \`pulumi up\` deletes what it created for it.` });
  }

  changes.push(...variableChanges(baseline.variables, current.variables));
  changes.push(...policyChanges(baseline.gatewayPolicies, current.gatewayPolicies));
  changes.push(...resourceChanges(baseline, current));

  for (const o of current.origins) origins[o.name] = before.has(o.name) ? (changes.some((c) => c.origin === o.name) ? "changed" : "unchanged") : "added";
  for (const o of baseline.origins) if (!after.has(o.name)) origins[o.name] = "removed";

  const order = new Map([...current.origins, ...baseline.origins].map((o, i) => [o.name, i] as const).reverse());
  const rank = (c: AuditChange) => (c.origin === undefined ? Number.MAX_SAFE_INTEGER : (order.get(c.origin) ?? Number.MAX_SAFE_INTEGER));
  const sorted = changes
    .map((c, i) => ({ c, i }))
    .sort((a, b) => Number(b.c.trust) - Number(a.c.trust) || rank(a.c) - rank(b.c) || a.i - b.i)
    .map(({ c }) => c);
  return { baselineStack: baseline.stack, origins, changes: sorted };
}

function grant(change: "added" | "removed", o: AuditOrigin, reader: string): AuditChange {
  const verb = o.method === "shared-secret" ? (change === "added" ? "can now be read by" : "can no longer be read by") : change === "added" ? "now admits" : "no longer admits";
  return { kind: "grant", change, origin: o.name, trust: true, message: `${code(o.name)} ${verb} ${code(reader)}.` };
}

function originChanges(was: AuditOrigin, now: AuditOrigin): AuditChange[] {
  const out: AuditChange[] = [];
  const name = code(now.name);
  const changed = (trust: boolean, message: string, kind: ChangeKind = "trust-condition") => out.push({ kind, change: "changed", origin: now.name, trust, message });
  if (was.method !== now.method || was.cloud !== now.cloud) changed(true, `${name} now uses ${now.method} on ${now.cloud} (was ${was.method} on ${was.cloud}).`, "origin");
  if (was.url !== now.url) changed(false, `${name}'s URL is now ${now.url ? code(now.url) : "unset"} (was ${was.url ? code(was.url) : "unset"}).`, "origin");
  if (was.proof !== now.proof) changed(true, `${name} now accepts ${now.proof} (was: ${was.proof}).`);
  for (const r of setMinus(now.reachableBy, was.reachableBy)) out.push({ kind: "trust-condition", change: "added", origin: now.name, trust: true, message: `${name} is now reachable by ${r}.` });
  for (const r of setMinus(was.reachableBy, now.reachableBy)) out.push({ kind: "trust-condition", change: "removed", origin: now.name, trust: true, message: `${name} is no longer reachable by ${r}.` });
  if (was.store.kind !== now.store.kind || was.store.location !== now.store.location) {
    changed(true, `${name}'s ${now.method === "shared-secret" ? "secret store" : "trust target"} is now ${now.store.kind} ${code(now.store.location)} (was ${was.store.kind} ${code(was.store.location)}).`, "grant");
  }
  for (const r of setMinus(now.store.readers, was.store.readers)) out.push(grant("added", now, r));
  for (const r of setMinus(was.store.readers, now.store.readers)) out.push(grant("removed", now, r));
  const rotation = (o: AuditOrigin) => (o.rotation ? `every ${o.rotation.rotateAfterDays} days with ${o.rotation.overlapDays} days' overlap` : "never");
  if (rotation(was) !== rotation(now)) changed(false, `${name}'s secret now rotates ${rotation(now)} (was ${rotation(was)}).`, "origin");
  return out;
}

function variableChanges(was: readonly VariableSummary[], now: readonly VariableSummary[]): AuditChange[] {
  const out: AuditChange[] = [];
  const before = new Map(was.map((v) => [v.name, v]));
  const after = new Map(now.map((v) => [v.name, v]));
  for (const v of now) {
    const b = before.get(v.name);
    if (!b) out.push({ kind: "variable", change: "added", origin: v.origin, trust: false, message: `gateway variable ${code(v.name)} is new (${v.isSecret ? "secret" : "not secret"}, for ${code(v.origin)}, written to ${v.sinks.join(", ")}).` });
    else {
      if (b.isSecret && !v.isSecret) out.push({ kind: "variable", change: "changed", origin: v.origin, trust: true, message: `gateway variable ${code(v.name)} is no longer secret.` });
      if (!b.isSecret && v.isSecret) out.push({ kind: "variable", change: "changed", origin: v.origin, trust: false, message: `gateway variable ${code(v.name)} is now secret.` });
      if (b.sinks.join(",") !== v.sinks.join(",")) out.push({ kind: "variable", change: "changed", origin: v.origin, trust: false, message: `gateway variable ${code(v.name)} is now written to ${v.sinks.join(", ") || "nothing"} (was ${b.sinks.join(", ") || "nothing"}).` });
      if (b.origin !== v.origin) out.push({ kind: "variable", change: "changed", origin: v.origin, trust: false, message: `gateway variable ${code(v.name)} now belongs to ${code(v.origin)} (was ${code(b.origin)}).` });
    }
  }
  for (const v of was) if (!after.has(v.name)) out.push({ kind: "variable", change: "removed", origin: v.origin, trust: false, message: `gateway variable ${code(v.name)} is no longer written.` });
  return out;
}

function policyChanges(was: readonly OriginGatewayConfig[], now: readonly OriginGatewayConfig[]): AuditChange[] {
  const before = new Map(was.map((c) => [c.origin, c]));
  const out: AuditChange[] = [];
  for (const c of now) {
    const b = before.get(c.origin);
    if (b && canonical(b) !== canonical(c)) {
      const names = [...new Set([...b.policies, ...c.policies].map((p) => p.name))].filter((n) => canonical(b.policies.find((p) => p.name === n)) !== canonical(c.policies.find((p) => p.name === n)));
      out.push({ kind: "gateway-policy", change: "changed", origin: c.origin, trust: false, message: `${code(c.origin)}'s gateway configuration changed${names.length ? `: ${names.map(code).join(", ")}` : " (routes or handler)"}; update \`config/policies.json\`.` });
    }
  }
  return out;
}

function resourceChanges(baseline: AuditReport, current: AuditReport): AuditChange[] {
  const out: AuditChange[] = [];
  const before = new Map(baseline.resources.map((r) => [r.urn, r]));
  const after = new Map(current.resources.map((r) => [r.urn, r]));
  const ownerNow = owners(current);
  const ownerBefore = owners(baseline);
  const about = (r: AuditResource, owner: ReadonlyMap<string, string>) => {
    const origin = owner.get(r.urn);
    return origin === undefined ? {} : { origin };
  };
  for (const r of current.resources) {
    const b = before.get(r.urn);
    const what = `${code(r.name)} (${code(r.type)})`;
    if (!b) out.push({ kind: "resource", change: "added", ...about(r, ownerNow), trust: TRUST_RESOURCE.test(r.type), message: `resource ${what} is new.` });
    else {
      const keys = [...new Set([...Object.keys(b.inputs), ...Object.keys(r.inputs)])].sort().filter((k) => canonical(b.inputs[k]) !== canonical(r.inputs[k]));
      if (keys.length) out.push({ kind: "resource", change: "changed", ...about(r, ownerNow), trust: TRUST_RESOURCE.test(r.type), message: `resource ${what} changes ${keys.map(code).join(", ")}.` });
    }
  }
  for (const r of baseline.resources) {
    if (!after.has(r.urn)) out.push({ kind: "resource", change: "removed", ...about(r, ownerBefore), trust: TRUST_RESOURCE.test(r.type), message: `resource ${code(r.name)} (${code(r.type)}) is deleted.` });
  }
  return out;
}

/**
 * Resource URN → the origin it is for: the one whose component holds it (gatelock names an
 * origin's component after it), or whose gateway variable it writes.
 */
function owners(report: AuditReport): Map<string, string> {
  const names = new Set(report.origins.map((o) => o.name));
  const byUrn = new Map(report.resources.map((r) => [r.urn, r]));
  const out = new Map<string, string>();
  // A gateway variable sits under the gateway's component but belongs to its origin.
  const variableOrigin = new Map(report.variables.map((v) => [v.name, v.origin]));
  for (const r of report.resources) {
    const origin = r.type.endsWith(":ZuploVariable") ? variableOrigin.get(String(r.inputs.name)) : undefined;
    if (origin !== undefined) {
      out.set(r.urn, origin);
      continue;
    }
    for (let at: AuditResource | undefined = r, hops = 0; at && hops < 32; at = at.parent ? byUrn.get(at.parent) : undefined, hops++) {
      if (/^gatelock:[a-z-]+:[A-Za-z]*Origin$/.test(at.type) && names.has(at.name)) {
        out.set(r.urn, at.name);
        break;
      }
    }
  }
  return out;
}

function setMinus(a: readonly string[], b: readonly string[]): string[] {
  const sb = new Set(b);
  return [...new Set(a)].filter((x) => !sb.has(x));
}

/** JSON with sorted keys: equal values, equal text. */
function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v)) ?? "undefined";
}

/** The part of a report the diff reads: enough to refuse a file that is not an audit. */
const BASELINE_SCHEMA = z.object({
  stack: z.string(),
  origins: z.array(
    z.object({
      name: z.string(),
      method: z.string(),
      cloud: z.string(),
      url: z.string().optional(),
      proof: z.string(),
      reachableBy: z.array(z.string()),
      store: z.object({ kind: z.string(), location: z.string(), readers: z.array(z.string()) }),
      rotation: z.object({ rotateAfterDays: z.number(), overlapDays: z.number() }).optional(),
    }),
  ),
  variables: z.array(z.object({ name: z.string(), isSecret: z.boolean(), origin: z.string(), sinks: z.array(z.string()) })),
  gatewayPolicies: z.array(z.object({ origin: z.string(), policies: z.array(z.object({ name: z.string() })) })),
  resources: z.array(z.object({ urn: z.string(), type: z.string(), name: z.string(), parent: z.string().nullable(), inputs: z.record(z.string(), z.unknown()) })),
});

/**
 * Read a baseline (`gatelock audit --format json` output). Throws a plain message for the CLI
 * to print as a usage error: what is wrong with the file, never its contents.
 */
export function parseBaseline(text: string, file: string): AuditReport {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new Error(`--baseline ${file} is not JSON; give it the output of \`gatelock audit --format json\``);
  }
  const parsed = BASELINE_SCHEMA.safeParse(json);
  if (!parsed.success) {
    const where = parsed.error.issues[0]?.path.join(".") ?? "";
    throw new Error(`--baseline ${file} is not a gatelock audit report (at ${where || "the top"}); give it the output of \`gatelock audit --format json\``);
  }
  return json as AuditReport;
}
