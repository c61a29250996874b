/**
 * What the components build for a tunnel origin, derived from its parsed config (pure): the
 * tunnel and service, the connector's settings, and where it runs.
 */
import { createHash } from "node:crypto";
import { isIP } from "node:net";
import { stackSlug } from "../names";
import type { ParsedTunnelOrigin } from "./config";

export interface TunnelSettings {
  /** The Zuplo tunnel; origins naming the same one share it and its connector. */
  readonly tunnelName: string;
  /** The origin whose connector carries the tunnel: this one, or the first origin of the stack naming the same tunnel. */
  readonly carrier: string;
  /** On the carrier: the other origins its connector carries (none on the others). */
  readonly alsoCarries: readonly CarriedOrigin[];
  /** The service the gateway calls as `service://<service>`. */
  readonly service: string;
  /** The origin as the connector reaches it. */
  readonly endpoint: string;
  readonly accessibleBy: readonly ("production" | "preview" | "working-copy")[];
  readonly rotateAfterDays: number;
  readonly rotation: number;
  readonly replicas: number;
  readonly image: string;
  /** Whether the image is pinned by digest. */
  readonly imagePinned: boolean;
}

/** Another origin a connector carries: its service on the tunnel, and where the connector reaches it. */
export interface CarriedOrigin {
  readonly origin: string;
  readonly service: string;
  readonly endpoint: string;
  readonly accessibleBy: readonly ("production" | "preview" | "working-copy")[];
}

/**
 * Where a connector reaches an origin, for its egress rule: the endpoint, its port, and its
 * address range (the connector block's `originCidr`, else the endpoint's address /32; absent
 * for a name, which only a Kubernetes Service may be).
 */
export interface OriginReach {
  readonly endpoint: string;
  readonly cidr?: string;
  readonly port: number;
}

export type TunnelTarget =
  | { readonly cloud: "aws"; readonly region: string; readonly vpcId: string; readonly subnets: readonly string[]; readonly clusterArn?: string; readonly reaches: readonly OriginReach[]; readonly tokenSecretName: string }
  | { readonly cloud: "gcp"; readonly project: string; readonly region: string; readonly network: string; readonly subnetwork: string; readonly tokenSecretId: string; readonly serviceAccountId: string }
  | { readonly cloud: "azure"; readonly resourceGroup: string; readonly containerAppsEnvironmentId: string; readonly vaultUri?: string; readonly vaultResourceGroup?: string; readonly appName: string }
  | { readonly cloud: "kubernetes"; readonly namespace: string; readonly networkPolicy: boolean; readonly reaches: readonly OriginReach[] }
  | { readonly cloud: "docker"; readonly format: "compose" | "systemd"; readonly dir: string };

/**
 * `gl-<stack>-<origin>`, within Zuplo's 24 characters (a hash of the whole when it does not fit):
 * a tunnel of its own unless the origin names another's (then that origin's connector carries
 * both, since a tunnel's connectors each get any of its requests).
 */
export function defaultTunnelName(stack: string, origin: string): string {
  return fitted(`gl-${stackSlug(stack)}-${origin}`);
}

/** A name within Zuplo's 24 characters: as it is, or cut with a hash of the whole (so two long names stay distinct). */
function fitted(full: string): string {
  if (full.length <= 24) return full;
  return `${full.slice(0, 17).replace(/-+$/, "")}-${createHash("sha256").update(full).digest("hex").slice(0, 6)}`;
}

/** The endpoint's port, explicit or the scheme's. */
export function endpointPort(endpoint: string): number {
  const u = new URL(endpoint);
  return u.port ? Number(u.port) : u.protocol === "https:" ? 443 : 80;
}

/** The endpoint's address as a /32, when it is an IPv4 address (else the egress rule needs `originCidr`). */
export function endpointCidr(endpoint: string): string | undefined {
  const host = new URL(endpoint).hostname;
  return isIP(host) === 4 ? `${host}/32` : undefined;
}

/** The tunnel an origin names, or its own. */
export function tunnelNameOf(o: ParsedTunnelOrigin, stack: string): string {
  return o.tunnel.name ?? defaultTunnelName(stack, o.name);
}

/** The service the gateway calls the origin by (`service://<service>`). */
export function serviceNameOf(o: ParsedTunnelOrigin, stack: string): string {
  return o.tunnel.service ?? fitted(`${o.name}-${stackSlug(stack)}`);
}

export function toTunnelParts(o: ParsedTunnelOrigin, stack: string): { tunnel: TunnelSettings; target: TunnelTarget } {
  const t = o.tunnel;
  const tunnel: TunnelSettings = {
    tunnelName: tunnelNameOf(o, stack),
    carrier: o.name,
    alsoCarries: [],
    service: serviceNameOf(o, stack),
    endpoint: t.endpoint,
    accessibleBy: [...new Set(t.accessibleBy)],
    rotateAfterDays: t.rotateAfterDays,
    rotation: t.rotation,
    replicas: t.replicas,
    image: t.image,
    imagePinned: /@sha256:[0-9a-f]{64}$/.test(t.image),
  };
  return { tunnel, target: toTarget(o, stack, tunnel) };
}

function toTarget(o: ParsedTunnelOrigin, stack: string, tunnel: TunnelSettings): TunnelTarget {
  const slug = stackSlug(stack);
  switch (o.cloud) {
    case "aws": {
      const a = o.aws!;
      return { cloud: "aws", region: a.region, vpcId: a.vpcId, subnets: [...a.subnets], ...(a.clusterArn ? { clusterArn: a.clusterArn } : {}), reaches: [reach(tunnel.endpoint, a.originCidr)], tokenSecretName: `gatelock/${slug}/tunnel/${tunnel.tunnelName}/token` };
    }
    case "gcp": {
      const g = o.gcp!;
      // One service account per tunnel (a tunnel is one origin's), within the 6-30 characters of an account ID.
      const account = `gl-t-${createHash("sha256").update(`${slug}/${tunnel.tunnelName}`).digest("hex").slice(0, 8)}`;
      return { cloud: "gcp", project: g.project, region: g.region, network: g.network, subnetwork: g.subnetwork, tokenSecretId: `gatelock-${slug}-${tunnel.tunnelName}-token`.slice(0, 255), serviceAccountId: account };
    }
    case "azure": {
      const z = o.azure!;
      // Container Apps names: lower case, no `--`, at most 32 characters.
      return {
        cloud: "azure",
        resourceGroup: z.resourceGroup,
        containerAppsEnvironmentId: z.containerAppsEnvironmentId,
        ...(z.vaultUri ? { vaultUri: z.vaultUri, vaultResourceGroup: z.vaultResourceGroup ?? z.resourceGroup } : {}),
        appName: `gl-tunnel-${tunnel.tunnelName}`.toLowerCase().replace(/-{2,}/g, "-").slice(0, 32).replace(/-+$/, ""),
      };
    }
    case "kubernetes": {
      const k = o.kubernetes ?? { namespace: "default", networkPolicy: true };
      return { cloud: "kubernetes", namespace: k.namespace, networkPolicy: k.networkPolicy, reaches: [reach(tunnel.endpoint, k.originCidr)] };
    }
    case "docker": {
      const d = o.docker ?? { format: "compose" as const, dir: ".gatelock/tunnel" };
      return { cloud: "docker", format: d.format, dir: d.dir };
    }
  }
}

function reach(endpoint: string, originCidr: string | undefined): OriginReach {
  const cidr = originCidr ?? endpointCidr(endpoint);
  return { endpoint, ...(cidr ? { cidr } : {}), port: endpointPort(endpoint) };
}

type WithTunnel = { readonly name: string; readonly method: string; readonly tunnel?: unknown; readonly target?: unknown };

/**
 * Origins naming one tunnel share its connector, run by the first of them (the carrier): the
 * carrier learns the others (its services configuration lists them, its egress reaches them),
 * and each of the others learns its carrier. The checks have made sure they agree on where and
 * how the connector runs.
 */
export function shareTunnels<O extends WithTunnel>(origins: readonly O[]): O[] {
  const groups = new Map<string, (O & { tunnel: TunnelSettings; target: TunnelTarget })[]>();
  for (const o of origins) {
    if (o.method !== "tunnel") continue;
    const t = o as O & { tunnel: TunnelSettings; target: TunnelTarget };
    groups.set(t.tunnel.tunnelName, [...(groups.get(t.tunnel.tunnelName) ?? []), t]);
  }
  const shared = new Map<string, O>();
  for (const [, group] of groups) {
    if (group.length < 2) continue;
    const [carrier, ...others] = group as [(typeof group)[number], ...typeof group];
    const reaches = uniqueReaches(group.flatMap((o) => ("reaches" in o.target ? o.target.reaches : [])));
    // One connector: the others' target is the carrier's.
    const target = "reaches" in carrier.target ? { ...carrier.target, reaches } : carrier.target;
    shared.set(carrier.name, {
      ...carrier,
      tunnel: { ...carrier.tunnel, alsoCarries: others.map((o) => ({ origin: o.name, service: o.tunnel.service, endpoint: o.tunnel.endpoint, accessibleBy: o.tunnel.accessibleBy })) },
      target,
    });
    for (const o of others) shared.set(o.name, { ...o, tunnel: { ...o.tunnel, carrier: carrier.name }, target });
  }
  return origins.map((o) => shared.get(o.name) ?? o);
}

/** One egress rule per address range and port. */
function uniqueReaches(reaches: readonly OriginReach[]): OriginReach[] {
  const seen = new Set<string>();
  return reaches.filter((r) => {
    const key = r.cidr ? `${r.cidr} ${r.port}` : `${new URL(r.endpoint).hostname} ${r.port}`;
    return seen.has(key) ? false : (seen.add(key), true);
  });
}
