/** The Kubernetes components as the package publishes them: `gatelock:index:Kubernetes…` (need `@pulumi/kubernetes`). */
import type * as pulumi from "@pulumi/pulumi";
import { KubernetesTunnelOrigin as Tunnel, type KubernetesTunnelOriginArgs as TunnelArgs } from "../kubernetes/tunnel-origin";
import { type Finding, type GatewayVariable, packageFindings, packageTunnelService, packageVariables, type TunnelService } from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";
import type { TunnelOriginSettings } from "./tunnel";

/**
 * `KubernetesTunnelOrigin`'s args, as another language passes them: the tunnel, and the stack
 * file's `kubernetes` block. (Restated, not `Omit`ted: the schema analyzer reads no `Omit<…>`.)
 */
export interface KubernetesTunnelOriginArgs extends TunnelOriginSettings {
  /** The namespace the connector runs in (default `default`); it must exist. May be a Namespace resource's output. */
  readonly namespace?: pulumi.Input<string>;
  /** Add a NetworkPolicy: no ingress, egress only to DNS, the tunnel's edge (7844, 443) and the origin (default true). */
  readonly networkPolicy?: boolean;
  /** Where the origin is, for the NetworkPolicy (default: the endpoint's address /32 when it is an IPv4 address; a cluster Service's namespace otherwise). */
  readonly originCidr?: string;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedTunnel: Record<Exclude<keyof TunnelArgs, keyof KubernetesTunnelOriginArgs>, never> = {};
void restatedTunnel;

/**
 * A tunnel origin whose connector runs on Kubernetes (method 5; on-premises, bare metal, any
 * cluster): a Deployment of at least two `zuplo/tunnel` replicas that only dial out, the
 * tunnel's token (a `GatewayTunnel`'s) in a Secret they read it from, a PodDisruptionBudget, an
 * optional NetworkPolicy, and no Service. The gateway reaches the origin as `service://<service>`.
 */
export class KubernetesTunnelOrigin extends packageBase<TunnelArgs>(Tunnel) {
  static readonly packageType = "gatelock:index:KubernetesTunnelOrigin";
  /** The connector's Deployment, PodDisruptionBudget and NetworkPolicy name. */
  declare readonly deploymentName: string;
  /** The Secret holding the token (key `token`). */
  declare readonly secretName: string;
  /** The namespace the connector runs in. */
  declare readonly namespace: pulumi.Output<string>;
  /** What the tunnel's services configuration needs for this origin: pass it to `GatewayTunnelServices`' `services`. */
  declare readonly tunnelService: pulumi.Output<TunnelService>;
  /** The variables the gateway needs (the origin's `service://` URL): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: KubernetesTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Tunnel);
    publish<KubernetesTunnelOrigin>(this, {
      deploymentName: built.deploymentName,
      secretName: built.secretName,
      namespace: built.namespace,
      tunnelService: packageTunnelService(this, built.tunnelService),
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
