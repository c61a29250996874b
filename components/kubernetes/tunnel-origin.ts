import * as pulumi from "@pulumi/pulumi";
import { Deployment } from "@pulumi/kubernetes/apps/v1/deployment";
import { Secret } from "@pulumi/kubernetes/core/v1/secret";
import { NetworkPolicy } from "@pulumi/kubernetes/networking/v1/networkPolicy";
import { PodDisruptionBudget } from "@pulumi/kubernetes/policy/v1/podDisruptionBudget";
import { checkOrigin } from "../component/checked-origin";
import {
  connectorDeployment,
  connectorNetworkPolicy,
  connectorPodDisruptionBudget,
  connectorSecret,
  type KubernetesConnectorSpec,
  type OriginPeer,
  kubernetesConnectorNames,
  originPeer,
  TOKEN_KEY,
  tokenVersion,
} from "../documents/kubernetes-tunnel";
import type { GatewayVariable } from "../gateway/environment";
import { tunnelVariables } from "../gateway/tunnel";
import { pairVariables } from "../gateway/variables";
import { stackSlug } from "../model/names";
import type { Finding } from "../model/safety";
import { connectorEgress } from "../model/tunnel/describe";
import { isTunnelOn, tokenRevision, type TunnelOriginArgsBase, type TunnelService, tunnelConfig, tunnelService, carriedArg, carriedConfigs, carriedServices } from "../tunnel/origin-args";

/** `KubernetesTunnelOrigin`'s args: the tunnel, and the stack file's `kubernetes` block. */
export interface KubernetesTunnelOriginArgs extends TunnelOriginArgsBase {
  /** The namespace the connector runs in (default `default`); it must exist. May be a Namespace resource's output. */
  readonly namespace?: pulumi.Input<string>;
  /** Add a NetworkPolicy: no ingress, egress only to DNS, the tunnel's edge (7844, 443) and the origin (default true). */
  readonly networkPolicy?: boolean;
  /** Where the origin is, for the NetworkPolicy (default: the endpoint's address /32 when it is an IPv4 address; a cluster Service's namespace otherwise). */
  readonly originCidr?: string;
}

/**
 * A tunnel origin whose connector runs on Kubernetes (on-premises, bare metal, any cluster): a
 * Deployment of at least two `zuplo/tunnel` replicas that only dial out, the token in a Secret
 * they read it from, a PodDisruptionBudget, an optional NetworkPolicy, and no Service. The
 * gateway reaches the origin as `service://<service>` through the tunnel.
 */
export class KubernetesTunnelOrigin extends pulumi.ComponentResource {
  /** The connector's Deployment, PodDisruptionBudget and NetworkPolicy name. */
  readonly deploymentName: string;
  /** The Secret holding the token (key `token`). */
  readonly secretName: string;
  readonly namespace: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly tunnelService: TunnelService;
  /** Every service of the tunnel this connector carries: this origin's, then those in `tunnel.alsoCarries` (for `GatewayTunnel.carry`). */
  readonly tunnelServices: readonly TunnelService[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: KubernetesTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:kubernetes:TunnelOrigin", name, {}, opts);
    const { namespace, networkPolicy, originCidr } = args;
    const check = checkOrigin({
      component: name,
      config: tunnelConfig(name, "kubernetes", args, { namespace, networkPolicy, originCidr }),
      siblings: carriedConfigs(name, "kubernetes", args, { namespace, networkPolicy, originCidr }),
      siblingArg: carriedArg,
      placeholders: { "kubernetes.namespace": () => "gatelock-pending" },
      is: isTunnelOn("kubernetes"),
    });
    const origin = check.known;
    const t = origin.tunnel;
    const target = origin.target;
    const parent = { parent: this };
    const names = kubernetesConnectorNames(stackSlug(pulumi.getStack()), t.tunnelName);
    const ns = pulumi.output(check.value(["kubernetes.namespace"], (m) => m.target.namespace));

    const spec = (namespace: string, version: string): KubernetesConnectorSpec => {
      const peers = target.networkPolicy ? target.reaches.map((r) => originPeer(r.endpoint, r.cidr, r.port, namespace)) : [];
      if (peers.some((p) => p === undefined)) throw new TypeError(`${name}: the NetworkPolicy needs originCidr (the model refuses this)`);
      return { names, namespace, image: t.image, replicas: t.replicas, tokenVersion: version, tunnel: t.tunnelName, service: t.service, ...(target.networkPolicy ? { networkPolicy: { origins: peers as OriginPeer[] } } : {}) };
    };
    // Structure (which objects exist) from known values; namespaces and the token when they resolve.
    const shape = spec("default", "");
    const secretDoc = ns.apply((n) => connectorSecret(spec(n, "")));
    const secret = new Secret(
      `${name}-token`,
      { metadata: secretDoc.metadata, type: secretDoc.type, stringData: { [TOKEN_KEY]: pulumi.secret(args.tunnel.token) } },
      parent,
    );
    // A hash, so a rotated token rolls the pods (see `connectorDeployment`). It is declassified on
    // purpose: one-way and cut short it is not the token, and as a secret it would make the k8s
    // provider hide the whole pod template in every diff.
    const version = tokenRevision(args.tunnel, tokenVersion);
    // The policy before the pods, so they never run a moment without it.
    const np = connectorNetworkPolicy(shape) ? ns.apply((n) => connectorNetworkPolicy(spec(n, ""))!) : undefined;
    const policy = np ? new NetworkPolicy(`${name}-egress`, { metadata: np.metadata, spec: np.spec as never }, parent) : undefined;
    const deploymentDoc = pulumi.all([ns, version]).apply(([n, v]) => connectorDeployment(spec(n, v)));
    // The Secret first too: a new pod must find the new token when the template changes.
    new Deployment(`${name}-connector`, { metadata: deploymentDoc.metadata, spec: deploymentDoc.spec as never }, { parent: this, dependsOn: policy ? [secret, policy] : [secret] });
    if (connectorPodDisruptionBudget(shape)) {
      const pdb = ns.apply((n) => connectorPodDisruptionBudget(spec(n, ""))!);
      new PodDisruptionBudget(`${name}-pdb`, { metadata: pdb.metadata, spec: pdb.spec as never }, parent);
    }

    this.deploymentName = names.base;
    this.secretName = names.secret;
    this.namespace = ns;
    this.findings = check.findings;
    this.tunnelService = tunnelService(origin, args.tunnel.dangerouslyAllowPublicEndpoint);
    this.tunnelServices = carriedServices(origin, this.tunnelService);
    this.gatewayVariables = pairVariables(tunnelVariables(origin), { url: origin.url });
    this.summary = {
      tunnel: t.tunnelName,
      service: origin.url,
      connector: "kubernetes",
      namespace: ns,
      deployment: names.base,
      replicas: t.replicas,
      image: t.image,
      tokenStore: `Secret ${names.secret}`,
      networkPolicy: target.networkPolicy,
      egress: connectorEgress(target, t),
    };
    this.registerOutputs(this.summary);
  }
}
