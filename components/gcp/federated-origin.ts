import * as pulumi from "@pulumi/pulumi";
import { ServiceIamMember } from "@pulumi/gcp/cloudrunv2/serviceIamMember";
import { WorkloadIdentityPool } from "@pulumi/gcp/iam/workloadIdentityPool";
import { WorkloadIdentityPoolProvider } from "@pulumi/gcp/iam/workloadIdentityPoolProvider";
import { Account } from "@pulumi/gcp/serviceaccount/account";
import { IAMMember } from "@pulumi/gcp/serviceaccount/iammember";
import { RandomId } from "@pulumi/random/randomId";
import type { GatewayVariable } from "../gateway/environment";
import { gcpFederatedVariables } from "../gateway/federated/gcp";
import { pairVariables } from "../gateway/variables";
import { principalAttributeOf } from "../model/federated/gcp";
import type { FederatedOrigin } from "../model/model";
import { attributeCondition, attributeMapping, impersonators, poolNameOfProvider, WORKLOAD_IDENTITY_USER_ROLE } from "./workload-identity";

export interface GcpFederatedOriginArgs {
  /** A validated federated origin on GCP. */
  readonly origin: FederatedOrigin;
}

/**
 * A federated origin on GCP: a workload identity pool (created with a random suffix, or
 * adopted) with an OIDC provider for the gateway's issuer whose attribute condition pins the
 * gateway; a service account only the pinned principal may impersonate; and the invoker role
 * on the configured Cloud Run service for that service account alone.
 */
export class GcpFederatedOrigin extends pulumi.ComponentResource {
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
  readonly workloadIdentityProvider: pulumi.Output<string>;
  readonly serviceAccountEmail: pulumi.Output<string>;
  /** Who may impersonate the service account. */
  readonly impersonators: pulumi.Output<string[]>;
  readonly audience: string;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;

  constructor(name: string, args: GcpFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:gcp:FederatedOrigin", name, {}, opts);
    const { origin } = args;
    const target = origin.target;
    if (target.cloud !== "gcp") throw new TypeError(`GcpFederatedOrigin needs a federated origin on gcp, got ${target.cloud}`);
    const { trust } = origin;

    // Deleted pool and provider IDs stay reserved for 30 days: a random suffix, kept in state,
    // lets a destroyed stack be recreated at once. It changes only if the project does.
    const suffix = new RandomId(
      `${name}-id-suffix`,
      { byteLength: 3, keepers: { project: target.project, pool: target.pool.adopt ? target.pool.id : "" } },
      { parent: this },
    );

    const pool = target.pool.adopt
      ? undefined
      : new WorkloadIdentityPool(
          `${name}-pool`,
          {
            project: target.project,
            workloadIdentityPoolId: pulumi.interpolate`${target.pool.idPrefix}-${suffix.hex}`,
            displayName: `gatelock ${origin.name}`.slice(0, 32),
            description: `gatelock: the gateway's tokens for ${origin.name} (${trust.issuer})`.slice(0, 256),
          },
          { parent: this },
        );
    const poolId: pulumi.Input<string> = pool ? pool.workloadIdentityPoolId : (target.pool as { id: string }).id;

    const provider = new WorkloadIdentityPoolProvider(
      `${name}-provider`,
      {
        project: target.project,
        workloadIdentityPoolId: poolId,
        workloadIdentityPoolProviderId: pulumi.interpolate`${target.providerIdPrefix}-${suffix.hex}`,
        displayName: `gatelock ${origin.name}`.slice(0, 32),
        description: `gatelock: trusts ${trust.issuer} for ${origin.name}`.slice(0, 256),
        attributeMapping: attributeMapping(trust),
        attributeCondition: attributeCondition(trust),
        // Empty: the token's audience must be this provider's own URL, which is what Zuplo's
        // GCP federated policy requests; no audience another service could share.
        oidc: { issuerUri: trust.issuer, allowedAudiences: [] },
      },
      { parent: this },
    );

    const sa = new Account(
      `${name}-sa`,
      {
        project: target.project,
        accountId: target.serviceAccountId,
        displayName: `gatelock gateway → ${origin.name}`.slice(0, 100),
        description: `gatelock: the gateway impersonates this account to invoke ${origin.name}; it holds no other role.`.slice(0, 256),
      },
      { parent: this },
    );

    const attribute = principalAttributeOf(trust, target);
    const members = impersonatorsFor(trust, attribute);
    const bindings = members.count.map(
      (i) =>
        new IAMMember(
          `${name}-impersonator-${i}`,
          { serviceAccountId: sa.name, role: WORKLOAD_IDENTITY_USER_ROLE, member: provider.name.apply((n) => members.at(n, i)) },
          { parent: this },
        ),
    );

    const run = target.cloudRun;
    const invoker = new ServiceIamMember(
      `${name}-invoker`,
      { project: run.project, location: run.location, name: run.service, role: run.role, member: sa.member },
      { parent: this },
    );

    this.workloadIdentityProvider = provider.name;
    this.serviceAccountEmail = sa.email;
    this.impersonators = provider.name.apply((n) => impersonators(poolNameOfProvider(n), trust, attribute));
    this.audience = run.audience;

    // The gateway may start exchanging tokens only once the whole chain exists.
    const ready: pulumi.Resource[] = [provider, ...bindings, invoker];
    this.gatewayVariables = pairVariables(
      gcpFederatedVariables(origin),
      { workloadIdentityProvider: provider.name, serviceAccount: sa.email, audience: run.audience, url: origin.url },
      { workloadIdentityProvider: ready, serviceAccount: ready, audience: ready },
    );
    this.summary = {
      workloadIdentityProvider: this.workloadIdentityProvider,
      serviceAccount: this.serviceAccountEmail,
      impersonators: this.impersonators,
      attributeCondition: attributeCondition(trust),
      invoker: { service: `projects/${run.project}/locations/${run.location}/services/${run.service}`, role: run.role },
      audience: this.audience,
    };
    this.registerOutputs(this.summary);
  }
}

/** One binding per pinned value; the member needs the pool name, known once the provider exists. */
function impersonatorsFor(trust: FederatedOrigin["trust"], attribute: string) {
  // Validate now (with a placeholder pool) so a bad trust fails before any binding is registered.
  const placeholder = "projects/0/locations/global/workloadIdentityPools/gl-validate";
  const count = impersonators(placeholder, trust, attribute).map((_, i) => i);
  return { count, at: (providerName: string, i: number) => impersonators(poolNameOfProvider(providerName), trust, attribute)[i]! };
}
