/**
 * What the gateway needs for a federated origin on GCP (pure): the variables Zuplo's
 * `upstream-gcp-federated-auth-inbound` policy reads, and the policy entry to paste.
 *
 * At runtime the policy asks Zuplo for an ID token with audience
 * `https://iam.googleapis.com/<provider>`, exchanges it at Google's STS through the workload
 * identity provider, impersonates the service account, and sends an ID token minted for the
 * Cloud Run audience as `Authorization: Bearer`. None of the three values is a secret.
 */
import type { FederatedOrigin } from "../../model/model";
import { type KeyedVariables, urlVariableSpec } from "../variable-spec";
import type { OriginGatewayConfig, ZuploPolicy } from "../zuplo-policies";

export interface GcpFederatedVariableNames {
  /** Full provider name `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
  readonly workloadIdentityProvider: string;
  /** The service account the gateway impersonates. */
  readonly serviceAccount: string;
  /** Audience of the ID token sent to the origin (its run.app URL or a custom audience). */
  readonly audience: string;
}

export function gcpFederatedVariableNames(originName: string): GcpFederatedVariableNames {
  const prefix = originName.toUpperCase().replace(/-/g, "_");
  return {
    workloadIdentityProvider: `${prefix}_GCP_WORKLOAD_IDENTITY_PROVIDER`,
    serviceAccount: `${prefix}_GCP_SERVICE_ACCOUNT`,
    audience: `${prefix}_GCP_AUDIENCE`,
  };
}

export function gcpFederatedVariables(origin: FederatedOrigin): KeyedVariables<keyof GcpFederatedVariableNames> {
  const names = gcpFederatedVariableNames(origin.name);
  return {
    workloadIdentityProvider: { name: names.workloadIdentityProvider, isSecret: false, origin: origin.name, description: `workload identity provider that trusts the gateway's ID token for ${origin.name}` },
    serviceAccount: { name: names.serviceAccount, isSecret: false, origin: origin.name, description: `service account the gateway impersonates to call ${origin.name}` },
    audience: { name: names.audience, isSecret: false, origin: origin.name, description: `audience of the ID token sent to ${origin.name}` },
    ...urlVariableSpec(origin),
  };
}

export function gcpFederatedPolicyName(originName: string): string {
  return `gatelock-${originName}-gcp-federated`;
}

export function gcpFederatedGatewayConfig(origin: FederatedOrigin): OriginGatewayConfig {
  const names = gcpFederatedVariableNames(origin.name);
  const name = gcpFederatedPolicyName(origin.name);
  const policy: ZuploPolicy = {
    name,
    policyType: "upstream-gcp-federated-auth-inbound",
    handler: {
      export: "UpstreamGcpFederatedAuthInboundPolicy",
      module: "$import(@zuplo/runtime)",
      options: {
        audience: `$env(${names.audience})`,
        serviceAccountEmail: `$env(${names.serviceAccount})`,
        workloadIdentityProvider: `$env(${names.workloadIdentityProvider})`,
      },
    },
  };
  return { origin: origin.name, policies: [policy], inbound: [name] };
}
