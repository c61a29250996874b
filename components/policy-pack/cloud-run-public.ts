/**
 * `gatelock-cloud-run-not-public`: a Cloud Run service whose invokers include `allUsers` or
 * `allAuthenticatedUsers` can be called around the gateway. gatelock grants
 * `roles/run.invoker` only to the gateway's service account.
 */
import { RUN_INVOKER_ROLE } from "../documents/gcp-workload-identity";
import { gcpGrants, PUBLIC_MEMBERS } from "./json-document";
import { resourceRule } from "./rule";

export const CLOUD_RUN_IAM_TYPES = [
  "gcp:cloudrun/iamMember:IamMember",
  "gcp:cloudrun/iamBinding:IamBinding",
  "gcp:cloudrun/iamPolicy:IamPolicy",
  "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  "gcp:cloudrunv2/serviceIamBinding:ServiceIamBinding",
  "gcp:cloudrunv2/serviceIamPolicy:ServiceIamPolicy",
] as const;

export function cloudRunPublicProblems(props: Record<string, unknown>, type: string): string[] {
  return gcpGrants(props, type)
    .filter((g) => g.role === RUN_INVOKER_ROLE)
    .flatMap((g) => g.members.filter((m) => PUBLIC_MEMBERS.has(m)))
    .map((m) => `lets \`${m}\` invoke the service (\`${RUN_INVOKER_ROLE}\`): anyone can call it around the gateway.`);
}

export const cloudRunNotPublicRule = resourceRule({
  name: "gatelock-cloud-run-not-public",
  description:
    "A Cloud Run service must not be invokable by `allUsers` or `allAuthenticatedUsers`. " +
    "Fix: grant `roles/run.invoker` only to the gateway's service account (gatelock's service-auth or federated method) and remove the public member.",
  enforcementLevel: "mandatory",
  severity: "high",
  types: CLOUD_RUN_IAM_TYPES,
  previewLimits: "Reads `role` and `member`/`members` (or `policyData`): known in preview unless built from outputs of resources created in the same update.",
  check: (props, type) => cloudRunPublicProblems(props, type),
});
