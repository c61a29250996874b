import * as pulumi from "@pulumi/pulumi";
import { ServiceIamMember } from "@pulumi/gcp/cloudrunv2/serviceIamMember";
import { WorkloadIdentityPool } from "@pulumi/gcp/iam/workloadIdentityPool";
import { WorkloadIdentityPoolProvider } from "@pulumi/gcp/iam/workloadIdentityPoolProvider";
import { Account } from "@pulumi/gcp/serviceaccount/account";
import { IAMMember } from "@pulumi/gcp/serviceaccount/iammember";
import { RandomId } from "@pulumi/random/randomId";
import { checkOrigin } from "../component/checked-origin";
import { grantIdentity } from "../component/grant-names";
import { federatedConfig, type FederatedSettings, isFederatedOn } from "../federated/origin-args";
import type { GatewayVariable } from "../gateway/environment";
import { gcpFederatedVariables } from "../gateway/federated/gcp";
import { pairVariables } from "../gateway/variables";
import { principalAttributeOf } from "../model/federated/gcp";
import type { Finding } from "../model/safety";
import { attributeCondition, attributeMapping, impersonators, poolNameOfProvider, principalSetMember, principalValues, WORKLOAD_IDENTITY_USER_ROLE } from "../documents/gcp-workload-identity";

export interface GcpFederatedOriginArgs extends FederatedSettings {
  /** Project that holds the workload identity pool, its provider and the gateway's service account. */
  readonly project: string;
  /** Adopt this existing workload identity pool (then exact subjects are required); default: a dedicated pool. */
  readonly pool?: string;
  /** ID of the service account gatelock creates for the gateway (default `gl-<stack>-<origin>`). */
  readonly serviceAccountId?: string;
  /** The mapped attribute the impersonation binding pins: `sub` (default with exact subjects) or a pinned claim. */
  readonly principalAttribute?: string;
  /** The Cloud Run service the gateway's service account may invoke, and nothing else. */
  readonly cloudRun: {
    /** Name of the service (it must require authentication). */
    readonly service: pulumi.Input<string>;
    /** Region of the service. */
    readonly location: string;
    /** Project of the service (default: `project`). */
    readonly project?: string;
    /** Audience of the ID token the gateway sends: the service's run.app URL or a custom audience (default: `url`). */
    readonly audience?: pulumi.Input<string>;
    /** Invoker role (default `roles/run.invoker`); administrator roles are refused. */
    readonly role?: string;
  };
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
  readonly audience: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: GcpFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gcp:FederatedOrigin", name, {}, opts);
    const { project, pool: adoptPool, serviceAccountId, principalAttribute, cloudRun } = args;
    const check = checkOrigin({
      component: name,
      gateway: args.gateway,
      config: federatedConfig(name, "gcp", args, { project, pool: adoptPool, serviceAccountId, principalAttribute, cloudRun }),
      placeholders: {
        "gcp.cloudRun.service": () => "gatelock-pending",
        "gcp.cloudRun.audience": () => "https://gatelock-pending.a.run.app",
        url: () => "https://gatelock-pending.a.run.app",
      },
      is: isFederatedOn("gcp"),
    });
    const origin = check.known;
    const target = origin.target;
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

    // One binding per pinned value, named by what it grants: adding or reordering subjects
    // leaves the others untouched. The member needs the pool's name, known once the provider exists.
    const attribute = principalAttributeOf(trust, target);
    const values = principalValues(trust, attribute);
    const bindings = values.map((value, i) => {
      const grants = [attribute, value, WORKLOAD_IDENTITY_USER_ROLE, target.project, target.serviceAccountId];
      const { name: grant, aliases } = grantIdentity(name, "impersonator", i, grants, { parent: this, resourceClass: IAMMember });
      return new IAMMember(
        grant,
        { serviceAccountId: sa.name, role: WORKLOAD_IDENTITY_USER_ROLE, member: provider.name.apply((n) => principalSetMember(poolNameOfProvider(n), attribute, value)) },
        { parent: this, aliases },
      );
    });

    const run = target.cloudRun;
    const invoker = new ServiceIamMember(
      `${name}-invoker`,
      { project: run.project, location: run.location, name: check.value(["gcp.cloudRun.service"], (m) => m.target.cloudRun.service), role: run.role, member: sa.member },
      { parent: this },
    );

    this.workloadIdentityProvider = provider.name;
    this.serviceAccountEmail = sa.email;
    this.impersonators = provider.name.apply((n) => impersonators(poolNameOfProvider(n), trust, attribute));
    this.audience = pulumi.output(check.value(["gcp.cloudRun.audience", "url"], (m) => m.target.cloudRun.audience));
    this.findings = check.findings;

    // The gateway may start exchanging tokens only once the whole chain exists.
    const ready: pulumi.Resource[] = [provider, ...bindings, invoker];
    this.gatewayVariables = pairVariables(
      gcpFederatedVariables(origin),
      { workloadIdentityProvider: provider.name, serviceAccount: sa.email, audience: this.audience, url: origin.url ? check.value(["url"], (m) => m.url!) : undefined },
      { workloadIdentityProvider: ready, serviceAccount: ready, audience: ready },
    );
    this.summary = {
      workloadIdentityProvider: this.workloadIdentityProvider,
      serviceAccount: this.serviceAccountEmail,
      impersonators: this.impersonators,
      attributeCondition: attributeCondition(trust),
      invoker: { service: pulumi.interpolate`projects/${run.project}/locations/${run.location}/services/${check.value(["gcp.cloudRun.service"], (m) => m.target.cloudRun.service)}`, role: run.role },
      audience: this.audience,
    };
    this.registerOutputs(this.summary);
  }
}
