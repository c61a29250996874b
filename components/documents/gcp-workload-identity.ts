/**
 * GCP workload identity federation, as documents (pure: no Pulumi, no cloud SDK).
 *
 * From a federated trust this builds what the OIDC provider needs (the attribute mapping and
 * the attribute condition, both CEL) and the IAM members that may impersonate the origin's
 * service account. The model uses it to check limits before anything is registered; the
 * component wires its results into resources; tests evaluate the CEL with a real evaluator.
 */
import { ZUPLO_ISSUER } from "../model/identity";
import type { FederatedTrust } from "../model/federated/trust";

/** The role that lets a federated principal impersonate a service account. */
export const WORKLOAD_IDENTITY_USER_ROLE = "roles/iam.workloadIdentityUser";
/** The role that lets a service account call a Cloud Run service. */
export const RUN_INVOKER_ROLE = "roles/run.invoker";

/** GCP limits (IAM API, WorkloadIdentityPoolProvider). */
export const MAX_CONDITION_LENGTH = 4096;
export const MAX_MAPPING_EXPRESSION_LENGTH = 2048;
export const MAX_CUSTOM_ATTRIBUTES = 50;
/** Custom attribute keys: `attribute.<name>`, name of [a-z0-9_], at most 100 characters. */
export const ATTRIBUTE_NAME = /^[a-z0-9_]{1,100}$/;

/** The attribute gatelock maps the token's `sub` to, when subjects are pinned. */
export const SUBJECT_ATTRIBUTE = "sub";

/** Zuplo's own claims (ID token docs); gatelock maps them all for a Zuplo gateway. */
const ZUPLO_CLAIMS = ["account", "project", "deployment", "environment_type"] as const;

const CEL_RESERVED = new Set([
  "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
  "import", "let", "loop", "package", "namespace", "return", "var", "void", "while",
]);

/**
 * A CEL string literal for any string, so a configured value can never change the
 * expression around it (`" || true || "` stays a string). Double-quoted; escapes the quote,
 * the backslash and every control character.
 */
export function celString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const code = ch.codePointAt(0)!;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (code < 0x20 || code === 0x7f || (code >= 0x80 && code <= 0x9f)) out += `\\u${code.toString(16).padStart(4, "0")}`;
    else if (code >= 0xd800 && code <= 0xdfff) throw new RangeError("a lone surrogate cannot appear in a CEL string");
    else out += ch;
  }
  return `${out}"`;
}

/** `assertion.<claim>`, or `assertion["<claim>"]` when the name is not a plain CEL identifier. */
export function assertionField(claim: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(claim) && !CEL_RESERVED.has(claim) ? `assertion.${claim}` : `assertion[${celString(claim)}]`;
}

function attributeField(name: string): string {
  return CEL_RESERVED.has(name) ? `attribute[${celString(name)}]` : `attribute.${name}`;
}

/** Is this the Zuplo preset's issuer (whose tokens carry account, project, deployment, environment_type)? */
export function isZuploTrust(trust: Pick<FederatedTrust, "issuer">): boolean {
  return trust.issuer === ZUPLO_ISSUER;
}

function exactSubjects(trust: FederatedTrust): string[] {
  return trust.subjects.filter((s) => !isSubjectPattern(s));
}
function patternSubjects(trust: FederatedTrust): string[] {
  return trust.subjects.filter(isSubjectPattern);
}
function isSubjectPattern(s: string): boolean {
  return /[*?]/.test(s);
}

/**
 * The provider's attribute mapping: target attribute → CEL over `assertion`.
 *
 * For Zuplo this is Zuplo's documented mapping (`google.subject` =
 * `zuplo::<account>::<project>::<deployment>`, readable in Cloud Audit Logs, and
 * `attribute.account/project/deployment`) plus `attribute.environment_type`; for a custom
 * issuer `google.subject` is the token's `sub`. Every pinned claim gets an attribute, and
 * `attribute.sub` carries the token's `sub` whenever subjects are pinned.
 */
export function attributeMapping(trust: FederatedTrust): Record<string, string> {
  const mapping: Record<string, string> = {};
  if (isZuploTrust(trust)) {
    mapping["google.subject"] = `"zuplo::" + ${assertionField("account")} + "::" + ${assertionField("project")} + "::" + ${assertionField("deployment")}`;
    for (const c of ZUPLO_CLAIMS) mapping[`attribute.${c}`] = assertionField(c);
  } else {
    mapping["google.subject"] = assertionField("sub");
  }
  for (const claim of Object.keys(trust.claims)) mapping[`attribute.${claim}`] = assertionField(claim);
  if (trust.subjects.length > 0) mapping[`attribute.${SUBJECT_ATTRIBUTE}`] = assertionField("sub");
  return mapping;
}

/** An anchored RE2 pattern for a subject glob (`*` any run, `?` one character; nothing else special). */
export function subjectPatternRegex(glob: string): string {
  let re = "";
  for (const ch of glob) {
    if (ch === "*") re += ".*";
    else if (ch === "?") re += ".";
    else re += /[\\^$.|?*+()[\]{}]/.test(ch) ? `\\${ch}` : ch;
  }
  return `^${re}$`;
}

/**
 * The attribute condition: every pinned claim must equal its value, and the subject must be
 * one of the pinned subjects (or match a pinned pattern, behind the escape hatch). It is
 * never empty: a trust that pins nothing throws, because GCP would then admit every token
 * from the issuer, which for Zuplo is every Zuplo customer.
 */
export function attributeCondition(trust: FederatedTrust): string {
  const clauses: string[] = [];
  for (const [claim, value] of Object.entries(trust.claims)) clauses.push(`${attributeField(claim)} == ${celString(value)}`);
  const sub = attributeField(SUBJECT_ATTRIBUTE);
  const exact = exactSubjects(trust);
  const subjectTests = [
    ...(exact.length === 1 ? [`${sub} == ${celString(exact[0]!)}`] : exact.length > 1 ? [`${sub} in [${exact.map(celString).join(", ")}]`] : []),
    ...patternSubjects(trust).map((p) => `${sub}.matches(${celString(subjectPatternRegex(p))})`),
  ];
  if (subjectTests.length === 1) clauses.push(subjectTests[0]!);
  else if (subjectTests.length > 1) clauses.push(`(${subjectTests.join(" || ")})`);
  if (clauses.length === 0) throw new RangeError("an attribute condition must pin at least one claim or subject");
  if (isZuploTrust(trust) && trust.claims.account === undefined) throw new RangeError("a trust of Zuplo's shared issuer must pin the account");
  return clauses.join(" && ");
}

/**
 * Which attribute the workloadIdentityUser binding names: `sub` when exact subjects are
 * pinned (one binding per subject), otherwise the account (Zuplo), otherwise the first
 * pinned claim. Never the whole pool.
 */
export function defaultPrincipalAttribute(trust: FederatedTrust): string {
  if (trust.subjects.length > 0 && patternSubjects(trust).length === 0) return SUBJECT_ATTRIBUTE;
  if (trust.claims.account !== undefined) return "account";
  const first = Object.keys(trust.claims).sort()[0];
  if (first === undefined) throw new RangeError("no pinned subject or claim to bind the service account to");
  return first;
}

/** The values the binding pins for an attribute: each exact subject, or the pinned claim's value. */
export function principalValues(trust: FederatedTrust, attribute: string): string[] {
  if (attribute === SUBJECT_ATTRIBUTE && trust.claims[SUBJECT_ATTRIBUTE] === undefined) {
    const exact = exactSubjects(trust);
    if (exact.length === 0 || patternSubjects(trust).length > 0) throw new RangeError("binding on `sub` needs exact subjects only");
    return exact;
  }
  const value = trust.claims[attribute];
  if (value === undefined) throw new RangeError(`attribute ${attribute} is not pinned by the trust`);
  return [value];
}

const POOL_NAME = /^projects\/(\d+)\/locations\/global\/workloadIdentityPools\/([a-z0-9-]{4,32})$/;
const PROVIDER_NAME = /^(projects\/\d+\/locations\/global\/workloadIdentityPools\/[a-z0-9-]{4,32})\/providers\/[a-z0-9-]{4,32}$/;

/** `projects/<n>/locations/global/workloadIdentityPools/<pool>` from a provider's full name. */
export function poolNameOfProvider(providerName: string): string {
  const m = PROVIDER_NAME.exec(providerName);
  if (!m) throw new RangeError(`not a workload identity pool provider name: ${providerName}`);
  return m[1]!;
}

/** `principalSet://iam.googleapis.com/<pool>/attribute.<name>/<value>`, refusing anything broader. */
export function principalSetMember(poolName: string, attribute: string, value: string): string {
  if (!POOL_NAME.test(poolName)) throw new RangeError(`not a workload identity pool name: ${poolName}`);
  if (!ATTRIBUTE_NAME.test(attribute)) throw new RangeError(`not an attribute name: ${attribute}`);
  if (value.length === 0 || value === "*") throw new RangeError("a principalSet needs a concrete attribute value");
  const member = `principalSet://iam.googleapis.com/${poolName}/attribute.${attribute}/${value}`;
  assertNotWholePool(member);
  return member;
}

/** `principal://iam.googleapis.com/<pool>/subject/<google.subject>`. */
export function principalMember(poolName: string, subject: string): string {
  if (!POOL_NAME.test(poolName)) throw new RangeError(`not a workload identity pool name: ${poolName}`);
  if (subject.length === 0 || subject.length > 127) throw new RangeError("google.subject is 1 to 127 characters");
  return `principal://iam.googleapis.com/${poolName}/subject/${subject}`;
}

/**
 * True for members that name every identity of a pool: `principalSet://…/workloadIdentityPools/<pool>/*`
 * and the bare pool set (with or without a trailing slash). Such a grant admits whatever any
 * provider in the pool admits, so gatelock never produces one.
 */
export function isWholePoolMember(member: string): boolean {
  const m = /^principalSet:\/\/iam\.googleapis\.com\/projects\/[^/]+\/locations\/[^/]+\/workloadIdentityPools\/[^/]+(\/.*)?$/.exec(member.trim());
  if (!m) return false;
  const rest = m[1] ?? "";
  if (rest === "" || rest === "/" || rest === "/*") return true;
  // `…/attribute.x/*` or `…/group/*`: a wildcard value is the whole set too.
  return /\/\*$/.test(rest) || /^\/(attribute\.[^/]+|group)\/?$/.test(rest);
}

export function assertNotWholePool(member: string): void {
  if (isWholePoolMember(member)) throw new RangeError("refusing a principalSet over the whole workload identity pool");
}

/** The members that may impersonate the service account, for a pool and trust. */
export function impersonators(poolName: string, trust: FederatedTrust, attribute: string): string[] {
  return principalValues(trust, attribute).map((v) => principalSetMember(poolName, attribute, v));
}

/** `<accountId>@<project>.iam.gserviceaccount.com`. */
export function serviceAccountEmail(accountId: string, project: string): string {
  return `${accountId}@${project}.iam.gserviceaccount.com`;
}
