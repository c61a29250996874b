/**
 * `gatelock-secret-store-not-public`: a secret store's resource policy must not let anyone
 * read it. AWS: an Allow statement of a Secrets Manager resource policy with `Principal: "*"`
 * (or `{"AWS": "*"}`, or `NotPrincipal`, which is everyone but the listed). A Deny with `"*"`
 * (gatelock's own deny of insecure transport) is fine. GCP: `allUsers` or
 * `allAuthenticatedUsers` in a Secret Manager secret's IAM.
 */
import { gcpGrants, isRecord, parseDocument, PUBLIC_MEMBERS, statements, strings } from "./json-document";
import { resourceRule } from "./rule";

export const AWS_SECRET_POLICY_TYPE = "aws:secretsmanager/secretPolicy:SecretPolicy";
export const GCP_SECRET_IAM_TYPES = [
  "gcp:secretmanager/secretIamMember:SecretIamMember",
  "gcp:secretmanager/secretIamBinding:SecretIamBinding",
  "gcp:secretmanager/secretIamPolicy:SecretIamPolicy",
  "gcp:secretmanager/regionalSecretIamMember:RegionalSecretIamMember",
  "gcp:secretmanager/regionalSecretIamBinding:RegionalSecretIamBinding",
  "gcp:secretmanager/regionalSecretIamPolicy:RegionalSecretIamPolicy",
] as const;

function isEveryone(principal: unknown): boolean {
  if (principal === "*") return true;
  return isRecord(principal) && strings(principal.AWS).includes("*");
}

export function awsSecretPolicyProblems(policy: unknown): string[] {
  const doc = parseDocument(policy);
  if (!doc) return [];
  const problems: string[] = [];
  statements(doc).forEach((s, i) => {
    if (s.Effect !== "Allow") return;
    const label = typeof s.Sid === "string" && s.Sid ? `statement \`${s.Sid}\`` : `statement ${i}`;
    if (isEveryone(s.Principal)) problems.push(`${label} allows \`Principal: "*"\`: anyone (any AWS account) may use the secret as far as the statement's actions and conditions allow.`);
    else if (s.NotPrincipal !== undefined) problems.push(`${label} allows with \`NotPrincipal\`: everyone but the listed principals.`);
  });
  return problems;
}

export function gcpSecretIamProblems(props: Record<string, unknown>, type: string): string[] {
  return gcpGrants(props, type).flatMap((g) =>
    g.members.filter((m) => PUBLIC_MEMBERS.has(m)).map((m) => `grants \`${g.role}\` on the secret to \`${m}\`.`),
  );
}

export const secretStoreNotPublicRule = resourceRule({
  name: "gatelock-secret-store-not-public",
  description:
    "A secret store must not be readable by everyone: no Allow statement with `Principal: \"*\"` (or `NotPrincipal`) in a Secrets Manager resource policy, no `allUsers`/`allAuthenticatedUsers` on a Secret Manager secret. " +
    "Fix: name the exact IAM roles (AWS) or service accounts (GCP) that read the secret; keep `Principal: \"*\"` for Deny statements only.",
  enforcementLevel: "mandatory",
  severity: "critical",
  types: [AWS_SECRET_POLICY_TYPE, ...GCP_SECRET_IAM_TYPES],
  previewLimits:
    "Reads the SecretPolicy's `policy` JSON. If it embeds a value unknown in preview (e.g. the new secret's ARN as `Resource`), the check runs only on `pulumi up`; write `\"Resource\": \"*\"` (a resource policy's resource is its own secret), as gatelock does, and it is known. GCP members are known unless built from outputs.",
  check: (props, type) => (type === AWS_SECRET_POLICY_TYPE ? awsSecretPolicyProblems(props.policy) : gcpSecretIamProblems(props, type)),
});
