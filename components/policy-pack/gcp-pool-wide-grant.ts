/**
 * `gatelock-gcp-no-pool-wide-impersonation`: `roles/iam.workloadIdentityUser` on a service
 * account granted to a whole workload identity pool (`principalSet://…/workloadIdentityPools/<pool>/*`)
 * lets every identity any provider of the pool admits act as that account. gatelock never
 * grants one; the predicate is gatelock's own (`isWholePoolMember`).
 */
import { isWholePoolMember, WORKLOAD_IDENTITY_USER_ROLE } from "../documents/gcp-workload-identity";
import { gcpGrants } from "./json-document";
import { resourceRule } from "./rule";

export const SERVICE_ACCOUNT_IAM_TYPES = [
  "gcp:serviceaccount/iAMMember:IAMMember",
  "gcp:serviceaccount/iAMBinding:IAMBinding",
  "gcp:serviceaccount/iAMPolicy:IAMPolicy",
] as const;

export function poolWideGrantProblems(props: Record<string, unknown>, type: string): string[] {
  return gcpGrants(props, type)
    .filter((g) => g.role === WORKLOAD_IDENTITY_USER_ROLE)
    .flatMap((g) => g.members.filter(isWholePoolMember))
    .map((member) => `grants \`${WORKLOAD_IDENTITY_USER_ROLE}\` to \`${member}\`, every identity of the pool.`);
}

export const gcpPoolWideGrantRule = resourceRule({
  name: "gatelock-gcp-no-pool-wide-impersonation",
  description:
    "`roles/iam.workloadIdentityUser` must not be granted to a whole workload identity pool. " +
    "Fix: grant it to `principal://…/subject/<subject>` or `principalSet://…/attribute.<name>/<value>` for an attribute the provider pins (e.g. `attribute.sub/<client id>`).",
  enforcementLevel: "mandatory",
  severity: "high",
  types: SERVICE_ACCOUNT_IAM_TYPES,
  previewLimits:
    "Reads `role` and `member`/`members` (or `policyData`). A member built from the pool's `name` output of a pool created in the same update is unknown in preview; build it from the project number and pool ID (as gatelock does) and it is known.",
  check: (props, type) => poolWideGrantProblems(props, type),
});
