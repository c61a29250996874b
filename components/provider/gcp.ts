/** The GCP components as the package publishes them: `gatelock:index:Gcp…`. */
import type * as pulumi from "@pulumi/pulumi";
import { GcpFederatedOrigin as Federated, type GcpFederatedOriginArgs as FederatedArgs } from "../gcp/federated-origin";
import { GcpSharedSecretOrigin as SharedSecret, type GcpSharedSecretOriginArgs } from "../gcp/shared-secret-origin";
import { type Finding, type GatewayVariable, packageFindings, packageVariables } from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A shared-secret origin on GCP: the secret in Secret Manager, with `secretAccessor` on that
 * secret alone for each of the origin's service accounts.
 */
export class GcpSharedSecretOrigin extends packageBase<GcpSharedSecretOriginArgs>(SharedSecret) {
  static readonly packageType = "gatelock:index:GcpSharedSecretOrigin";
  /** Resource name of the secret (`projects/<project>/secrets/<id>`). */
  declare readonly secretName: pulumi.Output<string>;
  /** The service accounts that may read the secret, as checked. */
  declare readonly readers: pulumi.Output<string[]>;
  /** The secret's rotation generation (increases by one at every rotation). */
  declare readonly generation: pulumi.Output<number>;
  /** The variables the gateway needs (the secret, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: GcpSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, SharedSecret);
    publish<GcpSharedSecretOrigin>(this, {
      secretName: built.secretName,
      readers: built.readers,
      generation: built.generation,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/** The Cloud Run service the gateway's service account may invoke, and nothing else. */
export interface GcpCloudRun {
  /** Name of the service (it must require authentication). */
  readonly service: pulumi.Input<string>;
  /** Region of the service. */
  readonly location: string;
  /** Project of the service (default: the origin's `project`). */
  readonly project?: string;
  /** Audience of the ID token the gateway sends: the service's run.app URL or a custom audience (default: `url`). */
  readonly audience?: pulumi.Input<string>;
  /** Invoker role (default `roles/run.invoker`); administrator roles are refused. */
  readonly role?: string;
}

/** `GcpFederatedOrigin`'s args, with its Cloud Run block as a named type (the schema has no anonymous ones). */
export interface GcpFederatedOriginArgs extends FederatedArgs {
  /** The Cloud Run service the gateway's service account may invoke, and nothing else. */
  readonly cloudRun: GcpCloudRun;
}

/**
 * A federated origin on GCP: a workload identity pool with an OIDC provider for the gateway's
 * issuer whose attribute condition pins the gateway; a service account only the pinned
 * principal may impersonate; and the invoker role on the Cloud Run service for it alone.
 */
export class GcpFederatedOrigin extends packageBase<GcpFederatedOriginArgs>(Federated) {
  static readonly packageType = "gatelock:index:GcpFederatedOrigin";
  /** `projects/<number>/locations/global/workloadIdentityPools/<pool>/providers/<provider>`. */
  declare readonly workloadIdentityProvider: pulumi.Output<string>;
  /** Email of the service account the gateway impersonates. */
  declare readonly serviceAccountEmail: pulumi.Output<string>;
  /** Who may impersonate the service account. */
  declare readonly impersonators: pulumi.Output<string[]>;
  /** Audience of the ID token the gateway sends to Cloud Run. */
  declare readonly audience: pulumi.Output<string>;
  /** The variables the gateway needs (provider, service account, audience, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: GcpFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Federated);
    publish<GcpFederatedOrigin>(this, {
      workloadIdentityProvider: built.workloadIdentityProvider,
      serviceAccountEmail: built.serviceAccountEmail,
      impersonators: built.impersonators,
      audience: built.audience,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
