/**
 * `gatelock-azure-federated-subject-exact`: an Entra federated identity credential must name
 * one exact subject. Entra compares `subject` exactly, so a `*` there is either a mistake
 * (it matches nothing) or a sign that a flexible credential's `claimsMatchingExpression`
 * should be reviewed: a `matches` pattern on `sub` admits every matching token.
 */
import { isPattern } from "../documents/names";
import { resourceRule } from "./rule";

export const AZURE_FEDERATED_CREDENTIAL_TYPES = [
  "azuread:index/applicationFederatedIdentityCredential:ApplicationFederatedIdentityCredential",
  "azuread:index/applicationFlexibleFederatedIdentityCredential:ApplicationFlexibleFederatedIdentityCredential",
  "azure-native:managedidentity:FederatedIdentityCredential",
] as const;

export function azureFederatedSubjectProblems(props: Record<string, unknown>, type: string): string[] {
  if (type === AZURE_FEDERATED_CREDENTIAL_TYPES[1]) {
    const expression = typeof props.claimsMatchingExpression === "string" ? props.claimsMatchingExpression : "";
    // `claims['sub'] matches '…*…'`: a pattern on the subject.
    const wildcard = /claims\s*\[\s*['"]sub['"]\s*\]\s+matches\s+'[^']*[*?][^']*'/i.test(expression);
    return wildcard ? ["matches the subject with a wildcard pattern in `claimsMatchingExpression`: every token whose subject matches is trusted."] : [];
  }
  const subject = typeof props.subject === "string" ? props.subject : "";
  if (subject === "") return ["has no subject."];
  return isPattern(subject) ? [`has the wildcard subject \`${subject}\`: name the one subject that may federate.`] : [];
}

export const azureFederatedSubjectRule = resourceRule({
  name: "gatelock-azure-federated-subject-exact",
  description:
    "An Azure federated identity credential must trust one exact subject. " +
    "Fix: set `subject` to the gateway's exact `sub` (Zuplo: the environment's `atcl_…` client ID), one credential per subject; on a flexible credential, use `eq` on `claims['sub']` instead of a `matches` pattern.",
  enforcementLevel: "mandatory",
  severity: "high",
  types: AZURE_FEDERATED_CREDENTIAL_TYPES,
  previewLimits: "Reads `subject` (or `claimsMatchingExpression`), set from literals or config: known in preview.",
  check: (props, type) => azureFederatedSubjectProblems(props, type),
});
