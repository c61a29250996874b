/**
 * `gatelock-gcp-wif-provider-pinned`: a workload identity pool provider must have an attribute
 * condition, and on Zuplo's shared issuer that condition must pin the Zuplo account, as
 * gatelock's own condition does (documents/gcp-workload-identity.ts `attributeCondition`).
 * Without it, every token the issuer signs may federate, which for Zuplo is every customer's.
 */
import { isSharedZuploIssuer } from "../model/identity";
import { isRecord } from "./json-document";
import { pinnedClaims } from "./cel-pins";
import { resourceRule } from "./rule";

export const WIF_PROVIDER_TYPE = "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider";
/** The claim that tells one Zuplo customer from another (model/identity.ts ZUPLO_PINNED_CLAIMS). */
const ZUPLO_ACCOUNT_CLAIM = "account";

export function workloadIdentityProviderProblems(props: Record<string, unknown>): string[] {
  const condition = typeof props.attributeCondition === "string" ? props.attributeCondition.trim() : "";
  const oidc = isRecord(props.oidc) ? props.oidc : undefined;
  const issuer = typeof oidc?.issuerUri === "string" ? oidc.issuerUri : undefined;
  if (!condition) {
    return [`has no \`attributeCondition\`: every token ${issuer ? `from ${issuer}` : "the provider accepts"} may federate into the pool${issuer && isSharedZuploIssuer(issuer) ? ", and Zuplo's issuer signs every Zuplo customer's tokens" : ""}.`];
  }
  const mapping = isRecord(props.attributeMapping) ? props.attributeMapping : {};
  const claims = pinnedClaims(condition, mapping);
  if (issuer && isSharedZuploIssuer(issuer)) {
    if (!claims.has(ZUPLO_ACCOUNT_CLAIM)) {
      return [`trusts Zuplo's shared issuer but its \`attributeCondition\` does not pin the account: it needs a top-level \`attribute.account == "<your account>"\` (with \`attribute.account\` mapped from \`assertion.account\`) or \`assertion.account == "<your account>"\`, joined to the rest with \`&&\`.`];
    }
  } else if (claims.size === 0) {
    return ["has an `attributeCondition` that pins no claim to a literal value with a top-level `==` or `in [...]` (joined with `&&`), so it may admit tokens of other tenants of the issuer."];
  }
  return [];
}

export const gcpWorkloadIdentityProviderRule = resourceRule({
  name: "gatelock-gcp-wif-provider-pinned",
  description:
    "A GCP workload identity pool provider must have an `attributeCondition` that pins who may federate; on Zuplo's shared issuer it must pin the Zuplo account. " +
    'Fix: set `attributeCondition` to e.g. `attribute.account == "<account>" && attribute.project == "<project>" && attribute.sub == "<client id>"`, with `attribute.account` mapped from `assertion.account` in `attributeMapping`.',
  enforcementLevel: "mandatory",
  severity: "critical",
  types: [WIF_PROVIDER_TYPE],
  previewLimits: "Reads `attributeCondition`, `attributeMapping` and `oidc.issuerUri`, which programs set from literals or config: known in preview.",
  check: (props) => workloadIdentityProviderProblems(props),
});
