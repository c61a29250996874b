/**
 * The manifests of a tunnel connector on Kubernetes, as pure functions (no Pulumi), so tests can
 * validate them against the Kubernetes schema and judge every security-relevant field:
 *
 * - a Secret holding only the token (the component adds it as `stringData`, a Pulumi secret);
 * - a Deployment of `zuplo/tunnel` (cloudflared), which only dials out: non-root, read-only
 *   root filesystem, no capabilities, no service account token, the token from the Secret;
 * - a PodDisruptionBudget, so a node drain never takes every replica at once;
 * - optionally a NetworkPolicy: no ingress, egress only to DNS, the tunnel's edge and the origin.
 *
 * No Service: nothing needs to reach the connector.
 */
import { createHash } from "node:crypto";

/** Cloudflare's tunnel edge, where cloudflared dials with `--protocol http2` (TCP). */
export const TUNNEL_EDGE_PORT = 7844;
/** The environment variable `zuplo/tunnel` reads its token from. */
export const TUNNEL_TOKEN_ENV = "TUNNEL_TOKEN";
/** The Secret's key holding the token. */
export const TOKEN_KEY = "token";
/** cloudflared's user in its image (`USER 65532:65532`, the distroless `nonroot`). */
export const CONNECTOR_UID = 65532;
/**
 * Where cloudflared serves `/ready` (`TUNNEL_METRICS` is its `--metrics` flag): fixed so the
 * readiness probe can find it. Reached by the kubelet only: there is no Service, and the
 * NetworkPolicy admits no ingress (traffic from the pod's own node is always allowed).
 */
export const METRICS_PORT = 2000;
/** The pod annotation that changes, and so rolls the pods, when the token does. */
export const TOKEN_VERSION_ANNOTATION = "gatelock/tunnel-token-version";

/**
 * Address ranges that are never Cloudflare's edge: the connector's 7844 and 443 egress skips
 * them, so it cannot reach other services of the network on those ports (the origin has its own
 * rule).
 */
export const NON_PUBLIC_IPV4 = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16"] as const;

/** Resource requests and limits: cloudflared with a handful of connections needs little. */
export const CONNECTOR_RESOURCES = { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "500m", memory: "256Mi" } } as const;

export interface KubernetesConnectorNames {
  /** The Deployment, the PodDisruptionBudget and the NetworkPolicy. */
  readonly base: string;
  /** The Secret holding the token. */
  readonly secret: string;
}

/**
 * Names of the connector's objects: one connector per tunnel and stack, as on AWS. Lower case
 * (tunnel names may have capitals), at most 56 characters so `-token` still fits in 63; a
 * longer name is cut and given a hash of the whole, so two long names never meet.
 */
export function kubernetesConnectorNames(stackSlug: string, tunnelName: string): KubernetesConnectorNames {
  const full = `gatelock-${stackSlug}-${tunnelName}`.toLowerCase().replace(/-+$/, "");
  const base = full.length <= 56 ? full : `${full.slice(0, 47).replace(/-+$/, "")}-${createHash("sha256").update(full).digest("hex").slice(0, 8)}`;
  return { base, secret: `${base}-token` };
}

/**
 * What goes in the pod annotation for a token: the first 16 hex digits of a SHA-256 over the
 * token, behind a label so it matches no other hash of it. One-way and cut short: the annotation
 * (readable by whoever can read Deployments, a wider audience than Secrets) tells only that the
 * token changed, never anything that helps to guess it (the token is a long random value).
 */
export function tokenVersion(token: string): string {
  return createHash("sha256").update("gatelock tunnel token version\0").update(token, "utf8").digest("hex").slice(0, 16);
}

/** Where the NetworkPolicy lets the connector reach the origin. */
export type OriginPeer =
  /** An address range and the origin's port. */
  | { readonly cidr: string; readonly port: number }
  /**
   * A Service in the cluster: its namespace, on any port. The policy sees the backing pod's
   * `targetPort`, which the Service may map from another port, so the endpoint's port would be
   * the wrong one to allow.
   */
  | { readonly namespace: string };

export interface KubernetesConnectorSpec {
  readonly names: KubernetesConnectorNames;
  readonly namespace: string;
  readonly image: string;
  readonly replicas: number;
  /** `tokenVersion(token)`: a new value rolls the pods. */
  readonly tokenVersion: string;
  /** The tunnel and service, for labels and annotations a reader of the cluster sees. */
  readonly tunnel: string;
  readonly service: string;
  /** The NetworkPolicy's origin rules (one per origin the connector carries); undefined for no NetworkPolicy. */
  readonly networkPolicy?: { readonly origins: readonly OriginPeer[] };
}

type Labels = Readonly<Record<string, string>>;

/** What selects the connector's pods: never changes for a Deployment (its selector is immutable). */
export function selectorLabels(names: KubernetesConnectorNames): Labels {
  return { "app.kubernetes.io/name": "zuplo-tunnel", "app.kubernetes.io/instance": names.base };
}

function labels(names: KubernetesConnectorNames): Labels {
  return { ...selectorLabels(names), "app.kubernetes.io/component": "connector", "app.kubernetes.io/managed-by": "gatelock" };
}

function metadata(spec: KubernetesConnectorSpec, name: string) {
  return {
    name,
    namespace: spec.namespace,
    labels: labels(spec.names),
    annotations: { "gatelock/tunnel": spec.tunnel, "gatelock/service": spec.service },
  };
}

/** The Secret, without its data: the component adds the token as `stringData`, a Pulumi secret. */
export function connectorSecret(spec: KubernetesConnectorSpec) {
  return { apiVersion: "v1", kind: "Secret", metadata: metadata(spec, spec.names.secret), type: "Opaque" } as const;
}

/** The container's security context, also set at pod level where Kubernetes has the field. */
const CONTAINER_SECURITY = {
  runAsNonRoot: true,
  runAsUser: CONNECTOR_UID,
  runAsGroup: CONNECTOR_UID,
  readOnlyRootFilesystem: true,
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  seccompProfile: { type: "RuntimeDefault" },
} as const;

/**
 * The Deployment. A rotated token rolls it one pod at a time: the pod annotation holds
 * `tokenVersion(token)`, so a new token is a new pod template; with `maxUnavailable: 0` and
 * `maxSurge: 1` Kubernetes starts one new pod (reading the new token from the Secret, which the
 * component updates first), waits until cloudflared reports `/ready` (connected to the edge),
 * and only then stops an old one, which finishes its requests within cloudflared's 30-second
 * grace period.
 */
export function connectorDeployment(spec: KubernetesConnectorSpec) {
  const selector = selectorLabels(spec.names);
  return {
    apiVersion: "apps/v1",
    kind: "Deployment",
    metadata: metadata(spec, spec.names.base),
    spec: {
      replicas: spec.replicas,
      revisionHistoryLimit: 5,
      // A new pod must have held its edge connections for a while before an old one goes.
      minReadySeconds: 10,
      selector: { matchLabels: { ...selector } },
      strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
      template: {
        metadata: { labels: { ...labels(spec.names) }, annotations: { [TOKEN_VERSION_ANNOTATION]: spec.tokenVersion } },
        spec: {
          // cloudflared calls no Kubernetes API: no service account token in the pod.
          automountServiceAccountToken: false,
          // No `<SERVICE>_HOST` variables: the connector needs no map of the cluster.
          enableServiceLinks: false,
          securityContext: { runAsNonRoot: true, runAsUser: CONNECTOR_UID, runAsGroup: CONNECTOR_UID, seccompProfile: { type: "RuntimeDefault" } },
          // Longer than cloudflared's 30-second grace period for in-flight requests.
          terminationGracePeriodSeconds: 45,
          // Replicas on different nodes where there are several: one node's failure leaves one.
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: { topologyKey: "kubernetes.io/hostname", labelSelector: { matchLabels: { ...selector } } } }],
            },
          },
          containers: [
            {
              name: "connector",
              image: spec.image,
              // A tag moves; a digest does not, so only a tag is pulled again.
              imagePullPolicy: /@sha256:[0-9a-f]{64}$/.test(spec.image) ? "IfNotPresent" : "Always",
              env: [
                { name: TUNNEL_TOKEN_ENV, valueFrom: { secretKeyRef: { name: spec.names.secret, key: TOKEN_KEY } } },
                { name: "TUNNEL_METRICS", value: `0.0.0.0:${METRICS_PORT}` },
              ],
              // No `ports`: the probe needs none declared, and nothing else connects in.
              readinessProbe: { httpGet: { path: "/ready", port: METRICS_PORT }, periodSeconds: 5, failureThreshold: 3 },
              resources: { requests: { ...CONNECTOR_RESOURCES.requests }, limits: { ...CONNECTOR_RESOURCES.limits } },
              securityContext: { ...CONTAINER_SECURITY, capabilities: { drop: [...CONTAINER_SECURITY.capabilities.drop] }, seccompProfile: { ...CONTAINER_SECURITY.seccompProfile } },
              // The root filesystem is read-only; a small /tmp in memory in case cloudflared wants one.
              volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
            },
          ],
          volumes: [{ name: "tmp", emptyDir: { medium: "Memory", sizeLimit: "16Mi" } }],
        },
      },
    },
  } as const;
}

/**
 * At least one replica stays through voluntary disruptions (drains, upgrades). Pods that are
 * not ready may always be evicted, so a broken replica never blocks a drain. Only with two or
 * more replicas: with one, `minAvailable: 1` would block every drain of its node forever.
 */
export function connectorPodDisruptionBudget(spec: KubernetesConnectorSpec) {
  if (spec.replicas < 2) return undefined;
  return {
    apiVersion: "policy/v1",
    kind: "PodDisruptionBudget",
    metadata: metadata(spec, spec.names.base),
    spec: { minAvailable: 1, selector: { matchLabels: { ...selectorLabels(spec.names) } }, unhealthyPodEvictionPolicy: "AlwaysAllow" },
  } as const;
}

interface PolicyPort {
  readonly protocol: "TCP" | "UDP";
  readonly port: number;
}
interface EgressRule {
  readonly to: readonly Record<string, unknown>[];
  readonly ports?: readonly PolicyPort[];
}

/**
 * The NetworkPolicy's egress, the whole list:
 *
 * - DNS (UDP and TCP 53) to kube-system, where the cluster's resolver runs;
 * - TCP 7844 (the tunnel's edge) and 443 (cloudflared's other Cloudflare endpoints) to public
 *   addresses only;
 * - each origin: its CIDR on its port, or its Service's namespace.
 */
export function connectorEgress(origins: readonly OriginPeer[]): EgressRule[] {
  const rules: EgressRule[] = [
    {
      to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }],
      ports: [
        { protocol: "UDP", port: 53 },
        { protocol: "TCP", port: 53 },
      ],
    },
    {
      to: [{ ipBlock: { cidr: "0.0.0.0/0", except: [...NON_PUBLIC_IPV4] } }],
      ports: [
        { protocol: "TCP", port: TUNNEL_EDGE_PORT },
        { protocol: "TCP", port: 443 },
      ],
    },
  ];
  const seen = new Set<string>();
  for (const origin of origins) {
    const rule: EgressRule =
      "cidr" in origin ? { to: [{ ipBlock: { cidr: origin.cidr } }], ports: [{ protocol: "TCP", port: origin.port }] } : { to: [{ namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": origin.namespace } } }] };
    const key = JSON.stringify(rule);
    if (!seen.has(key)) rules.push(rule), seen.add(key);
  }
  return rules;
}

/** No ingress at all (an empty list with `Ingress` in `policyTypes`), and egress as listed. */
export function connectorNetworkPolicy(spec: KubernetesConnectorSpec) {
  if (!spec.networkPolicy) return undefined;
  return {
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: metadata(spec, spec.names.base),
    spec: {
      podSelector: { matchLabels: { ...selectorLabels(spec.names) } },
      policyTypes: ["Ingress", "Egress"],
      ingress: [],
      egress: connectorEgress(spec.networkPolicy.origins),
    },
  } as const;
}

/**
 * Where the NetworkPolicy lets the connector reach the origin: the CIDR when there is one, else
 * the namespace of a cluster Service (`<svc>.<ns>.svc[.cluster.local]`, or a bare name in the
 * connector's own namespace); undefined when neither (the model refuses that with a policy).
 */
export function originPeer(endpoint: string, originCidr: string | undefined, originPort: number, namespace: string): OriginPeer | undefined {
  if (originCidr) return { cidr: originCidr, port: originPort };
  // A name: only a cluster Service, which the policy names by namespace.
  const host = new URL(endpoint).hostname.toLowerCase();
  if (!host.includes(".")) return { namespace };
  const m = /^(?:[a-z0-9-]+\.)?([a-z0-9-]+)\.svc(?:\.cluster\.local)?$/.exec(host);
  return m ? { namespace: m[1]! } : undefined;
}
