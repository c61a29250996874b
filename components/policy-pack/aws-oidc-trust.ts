/**
 * `gatelock-aws-oidc-trust-pinned`: an IAM role that trusts an OIDC provider must pin both the
 * token's audience and its subject with `StringEquals`, the way gatelock's own trust policy
 * does (documents/aws-trust-policy.ts). The verdict is the IAM policy simulator's: a statement
 * is flagged exactly when a token with another `sub` or `aud` (or none) could assume the role
 * through it (test/policy-pack-simulator.test.ts proves the agreement).
 *
 * - `ForAllValues:` is true when the token lacks the key, and `ForAnyValue:`/`StringLike` with
 *   `*` or `?` match more than one value; used *instead of* the `StringEquals` pin they are
 *   flagged, and the message says which one. Beside a `StringEquals` pin they can only narrow
 *   it further (all conditions of a statement must hold), so they are not flagged.
 * - Each Allow statement counts on its own: one unpinned statement is enough to get in.
 */
import { WEB_IDENTITY_ACTION, webIdentityConditionKeys } from "../documents/aws-trust-policy";
import { isPattern } from "../documents/names";
import { asList, isRecord, parseDocument, statements, strings } from "./json-document";
import { resourceRule } from "./rule";

export const AWS_ROLE_TYPE = "aws:iam/role:Role";
const OIDC_PROVIDER = ":oidc-provider/";

/** IAM action patterns (`sts:*`, `sts:AssumeRole*`) match case-insensitively. */
function actionMatches(pattern: string, action: string): boolean {
  const re = new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".")}$`, "i");
  return re.test(action);
}

function allowsWebIdentity(statement: Record<string, unknown>): boolean {
  if (statement.NotAction !== undefined) return !strings(statement.NotAction).some((p) => actionMatches(p, WEB_IDENTITY_ACTION));
  return strings(statement.Action).some((p) => actionMatches(p, WEB_IDENTITY_ACTION));
}

/** The `<host/path>` of each OIDC provider a statement's `Principal.Federated` names. */
function oidcProviders(statement: Record<string, unknown>): string[] {
  const principal = statement.Principal;
  if (!isRecord(principal)) return [];
  return strings(principal.Federated)
    .filter((arn) => arn.includes(OIDC_PROVIDER))
    .map((arn) => arn.slice(arn.indexOf(OIDC_PROVIDER) + OIDC_PROVIDER.length));
}

/** The operators a statement applies to a condition key (keys compare case-insensitively, as IAM does). */
function operatorsOn(condition: Record<string, unknown>, key: string): { operator: string; values: string[] }[] {
  const out: { operator: string; values: string[] }[] = [];
  for (const [operator, block] of Object.entries(condition)) {
    if (!isRecord(block)) continue;
    for (const [k, v] of Object.entries(block)) if (k.toLowerCase() === key.toLowerCase()) out.push({ operator, values: asList(v).map(String) });
  }
  return out;
}

function why(uses: { operator: string; values: string[] }[]): string {
  if (uses.length === 0) return "no condition at all";
  return uses
    .map(({ operator, values }) => {
      if (/^ForAllValues:/i.test(operator)) return `\`${operator}\`, which is true when the token lacks the claim`;
      if (/^ForAnyValue:/i.test(operator)) return `\`${operator}\`, a set operator meant for multi-valued keys`;
      if (/IfExists$/.test(operator)) return `\`${operator}\`, which is true when the token lacks the claim`;
      if (values.some(isPattern) && /Like$/.test(operator)) return `\`${operator}\` with a wildcard`;
      if (values.length === 0) return `\`${operator}\` with no value`;
      return `\`${operator}\` instead of \`StringEquals\``;
    })
    .join(" and ");
}

/** Problems of one trust policy (a JSON string or object); none when it trusts no OIDC provider. */
export function oidcTrustProblems(policy: unknown): string[] {
  const doc = parseDocument(policy);
  if (!doc) return [];
  const problems: string[] = [];
  statements(doc).forEach((statement, i) => {
    if (statement.Effect !== "Allow" || !allowsWebIdentity(statement)) return;
    const label = typeof statement.Sid === "string" && statement.Sid ? `statement \`${statement.Sid}\`` : `statement ${i}`;
    const condition = isRecord(statement.Condition) ? statement.Condition : {};
    for (const hostPath of oidcProviders(statement)) {
      // The same key names gatelock's own trust policy pins.
      const keys = webIdentityConditionKeys(`https://${hostPath}`);
      for (const claim of ["aud", "sub"] as const) {
        const uses = operatorsOn(condition, keys[claim]);
        const pinned = uses.some((u) => u.operator === "StringEquals" && u.values.length > 0 && u.values.every((v) => v.length > 0));
        if (!pinned) {
          problems.push(`${label} trusts oidc-provider/${hostPath} without \`StringEquals\` on \`${keys[claim]}\` (it has ${why(uses)}): a token with another ${claim === "aud" ? "audience" : "subject"} may assume the role.`);
        }
      }
    }
  });
  return problems;
}

export const awsOidcTrustRule = resourceRule({
  name: "gatelock-aws-oidc-trust-pinned",
  description:
    "An IAM role that trusts an OIDC provider must pin the token's audience and subject with `StringEquals` on `<issuer>:aud` and `<issuer>:sub`. " +
    "Fix: give every Allow statement with a `Federated` oidc-provider principal `\"Condition\": {\"StringEquals\": {\"<issuer>:aud\": \"<your audience>\", \"<issuer>:sub\": \"<exact subject>\"}}`; " +
    "never `ForAllValues:`/`ForAnyValue:`, `…IfExists` or `StringLike` wildcards in their place. On a shared issuer such as Zuplo's, the subject is all that separates you from other customers.",
  enforcementLevel: "mandatory",
  severity: "critical",
  types: [AWS_ROLE_TYPE],
  previewLimits:
    "Reads `assumeRolePolicy`. When that JSON embeds a value unknown in preview (typically the ARN of an OIDC provider created in the same update), the whole string is unknown and the check runs only on `pulumi up`. Adopting an existing provider by its ARN keeps it known.",
  check: (props) => oidcTrustProblems(props.assumeRolePolicy),
});
