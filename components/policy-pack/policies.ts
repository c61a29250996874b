/**
 * Every rule of gatelock's policy pack, in one list the pack, the docs and the tests share.
 * Importing this module starts nothing (pack.ts is what serves them).
 */
import type { PolicyPackArgs } from "@pulumi/policy";
import { awsOidcTrustRule } from "./aws-oidc-trust";
import { azureFederatedSubjectRule } from "./azure-federated-subject";
import { cloudRunNotPublicRule } from "./cloud-run-public";
import { gcpPoolWideGrantRule } from "./gcp-pool-wide-grant";
import { gcpWorkloadIdentityProviderRule } from "./gcp-workload-identity-provider";
import { mtlsEnforcedRule } from "./mtls-enforced";
import type { RuleFacts } from "./rule";
import { secretStackOutputRule } from "./secret-stack-output";
import { secretStoreNotPublicRule } from "./secret-store-public";

/** The pack's name, as `pulumi preview` prints it and as policy config files key it. */
export const PACK_NAME = "gatelock";

export const gatelockPolicies = [
  awsOidcTrustRule,
  gcpWorkloadIdentityProviderRule,
  gcpPoolWideGrantRule,
  azureFederatedSubjectRule,
  secretStoreNotPublicRule,
  mtlsEnforcedRule,
  cloudRunNotPublicRule,
  secretStackOutputRule,
] as const satisfies readonly (PolicyPackArgs["policies"][number] & RuleFacts)[];

export const packArgs: PolicyPackArgs = {
  description: "gatelock: the gateway-trust mistakes gatelock refuses (unpinned OIDC trust, pool-wide grants, public secrets and invokers, optional mTLS, secrets in stack outputs), checked on any Pulumi program.",
  displayName: "gatelock: lock origins to the gateway",
  policies: [...gatelockPolicies],
};
