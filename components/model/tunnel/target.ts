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

export type TunnelTarget =
  | { readonly cloud: "aws"; readonly region: string; readonly vpcId: string; readonly subnets: readonly string[]; readonly clusterArn?: string; readonly originCidr?: string; readonly originPort: number; readonly tokenSecretName: string }
  | { readonly cloud: "gcp"; readonly project: string; readonly region: string; readonly network: string; readonly subnetwork: string; readonly tokenSecretId: string; readonly serviceAccountId: string }
  | { readonly cloud: "azure"; readonly resourceGroup: string; readonly containerAppsEnvironmentId: string; readonly vaultUri?: string; readonly vaultResourceGroup?: string; readonly appName: string }
  | { readonly cloud: "kubernetes"; readonly namespace: string; readonly networkPolicy: boolean; readonly originCidr?: string; readonly originPort: number }
  | { readonly cloud: "docker"; readonly format: "compose" | "systemd"; readonly dir: string };

/**
 * `gl-<stack>-<origin>`, within Zuplo's 24 characters (a hash of the whole when it does not fit):
 * one tunnel per origin, since a tunnel's connectors each get any of its requests, and each
 * connector's egress reaches its own origin only.
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

export function toTunnelParts(o: ParsedTunnelOrigin, stack: string): { tunnel: TunnelSettings; target: TunnelTarget } {
  const t = o.tunnel;
  const slug = stackSlug(stack);
  const tunnel: TunnelSettings = {
    tunnelName: t.name ?? defaultTunnelName(stack, o.name),
    service: t.service ?? fitted(`${o.name}-${slug}`),
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
  const port = endpointPort(tunnel.endpoint);
  switch (o.cloud) {
    case "aws": {
      const a = o.aws!;
      const cidr = a.originCidr ?? endpointCidr(tunnel.endpoint);
      return { cloud: "aws", region: a.region, vpcId: a.vpcId, subnets: [...a.subnets], ...(a.clusterArn ? { clusterArn: a.clusterArn } : {}), ...(cidr ? { originCidr: cidr } : {}), originPort: port, tokenSecretName: `gatelock/${slug}/tunnel/${tunnel.tunnelName}/token` };
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
      const cidr = k.originCidr ?? endpointCidr(tunnel.endpoint);
      return { cloud: "kubernetes", namespace: k.namespace, networkPolicy: k.networkPolicy, ...(cidr ? { originCidr: cidr } : {}), originPort: port };
    }
    case "docker": {
      const d = o.docker ?? { format: "compose" as const, dir: ".gatelock/tunnel" };
      return { cloud: "docker", format: d.format, dir: d.dir };
    }
  }
}
