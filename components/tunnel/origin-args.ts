/**
 * The args every tunnel origin component takes besides its connector target's, and their
 * stack-config form, so each component is checked by the model exactly as a stack file is.
 */
import * as pulumi from "@pulumi/pulumi";

const pulumiOutput = pulumi.output;
const pulumiGetStack = pulumi.getStack;
const pulumiUnsecret = pulumi.unsecret;
import type { OriginModel, TunnelOrigin } from "../model/model";
import { argPath } from "../component/checked-origin";
import { ConfigError, type ConfigIssue } from "../errors";
import { conflictIssue } from "../model/issues";
import { CONNECTOR_SETTINGS } from "../model/tunnel/checks";
import { type CarriedOrigin, defaultTunnelName, type TunnelTarget } from "../model/tunnel/target";

/** The tunnel an origin is reached through, and how its connector runs. */
export interface TunnelArgs {
  /** The tunnel's connector token (`GatewayTunnel.token`): a Pulumi secret, only ever put in a secret store. */
  readonly token: pulumi.Input<string>;
  /**
   * How many times the token has rotated (`GatewayTunnel.generation`). Connectors whose token
   * store keeps no version of its own (a Kubernetes Secret, a Container Apps secret) restart
   * their replicas when it changes; without it, when a fingerprint of the token does.
   */
  readonly tokenGeneration?: pulumi.Input<number>;
  /** The Zuplo tunnel's name (default `gl-<stack>-<origin>`; one tunnel per origin). */
  readonly name?: string;
  /** The service name the gateway calls as `service://<service>` (default `<origin>-<stack>`). */
  readonly service?: string;
  /** The origin as the connector reaches it inside the private network, e.g. `http://10.0.3.12:8080`. */
  readonly endpoint: string;
  /** Zuplo environment types that may call the service (default `production`). */
  readonly accessibleBy?: readonly ("production" | "preview" | "working-copy")[];
  /** Rotate the token after this many days (default 90); `GatewayTunnel` rotates it, this names the schedule. */
  readonly rotateAfterDays?: number;
  /** Increase by one to rotate the token now. */
  readonly rotation?: number;
  /** Connector replicas (default 2). */
  readonly replicas?: number;
  /** Escape hatch for development: one replica. */
  readonly dangerouslyAllowSingleReplica?: boolean;
  /** The connector image (default `zuplo/tunnel:latest`; pin it by digest). */
  readonly image?: string;
  /** Escape hatch: an endpoint with a public address. */
  readonly dangerouslyAllowPublicEndpoint?: boolean;
  /**
   * Other origins this connector carries on the same tunnel (each a `TunnelServiceOrigin`'s
   * `tunnelService`): a tunnel hands each request to any of its connectors, so the one
   * connector reaches them all, and its egress allows each of them.
   */
  readonly alsoCarries?: readonly TunnelService[];
}

export interface TunnelOriginArgsBase {
  readonly tunnel: TunnelArgs;
}

const TUNNEL_KEYS = ["name", "service", "endpoint", "accessibleBy", "rotateAfterDays", "rotation", "replicas", "dangerouslyAllowSingleReplica", "image", "dangerouslyAllowPublicEndpoint"] as const satisfies readonly (keyof TunnelArgs)[];

/** The origin's stack-config entry for these settings and a connector block (the token is not config). */
export function tunnelConfig(name: string, cloud: TunnelTarget["cloud"], args: TunnelOriginArgsBase, block: Record<string, unknown> | undefined): Record<string, unknown> {
  const tunnel = Object.fromEntries(TUNNEL_KEYS.map((k) => [k, args.tunnel[k]]));
  return { name, method: "tunnel", cloud, tunnel, ...(block ? { [cloud]: block } : {}) };
}

/**
 * The stack-config entries of the origins this connector also carries, as a stack file shares
 * a tunnel: each names the tunnel and has the connector's settings and block, so the model
 * judges them (and the egress to them) exactly as it judges a stack file. An entry naming
 * another tunnel is refused here, since the model would give it a tunnel of its own.
 */
export function carriedConfigs(name: string, cloud: TunnelTarget["cloud"], args: TunnelOriginArgsBase, block: Record<string, unknown> | undefined): Record<string, unknown>[] {
  const carried = args.tunnel.alsoCarries ?? [];
  if (carried.length === 0) return [];
  const tunnelName = args.tunnel.name ?? defaultTunnelName(pulumiGetStack(), name);
  const issues: ConfigIssue[] = carried.flatMap((s, i) =>
    s.tunnel === tunnelName
      ? []
      : [conflictIssue(`${name}: tunnel.alsoCarries[${i}].tunnel`, `\`${s.origin}\` is a service of tunnel \`${s.tunnel}\`, and this connector carries \`${tunnelName}\`.`, `create \`${s.origin}\`'s TunnelServiceOrigin with \`tunnel.name: "${tunnelName}"\`.`)],
  );
  if (issues.length > 0) throw new ConfigError(issues);
  const connector = Object.fromEntries(CONNECTOR_SETTINGS.map((k) => [k, args.tunnel[k]]));
  return carried.map((s) => ({
    name: s.origin,
    method: "tunnel",
    cloud,
    tunnel: { ...connector, name: tunnelName, service: s.name, endpoint: s.endpoint, accessibleBy: [...s.accessibleBy], dangerouslyAllowPublicEndpoint: s.dangerouslyAllowPublicEndpoint },
    ...(block ? { [cloud]: block } : {}),
  }));
}

/**
 * `origins[k]` of a connector's check is `tunnel.alsoCarries[k - 1]` (`tunnel.endpoint` →
 * `tunnel.alsoCarries[0].endpoint`), except its connector block, which is the connector's own
 * args (`aws.originCidr` → `originCidr`: what to change to reach it).
 */
export function carriedArg(k: number, rest: string): string {
  const at = `tunnel.alsoCarries[${k - 1}]`;
  if (rest === "" || rest === "name") return at;
  return rest.startsWith("tunnel.") ? `${at}.${rest.slice("tunnel.".length)}` : argPath(`gatelock:origins[0].${rest}`);
}

export function isTunnelOn<C extends TunnelTarget["cloud"]>(cloud: C) {
  return (m: OriginModel): m is TunnelOrigin & { readonly target: Extract<TunnelTarget, { cloud: C }> } => m.method === "tunnel" && m.cloud === cloud;
}

/**
 * The value that rolls a connector's replicas when the token rotates: the rotation generation
 * when given (deterministic, so an offline audit prints the same report twice), else `fallback`
 * of the token (a fingerprint, never the token), made plain.
 */
export function tokenRevision(tunnel: TunnelArgs, fallback: (token: string) => string): pulumi.Output<string> {
  return tunnel.tokenGeneration !== undefined ? pulumiOutput(tunnel.tokenGeneration).apply((g) => `generation-${g}`) : pulumiUnsecret(pulumiOutput(tunnel.token).apply(fallback));
}

/** What the gateway's tunnel needs to carry an origin: one entry of its services configuration. */
export interface TunnelService {
  /** The origin. */
  readonly origin: string;
  /** The tunnel that carries it. */
  readonly tunnel: string;
  /** `service://<name>`. */
  readonly name: string;
  readonly endpoint: string;
  readonly accessibleBy: readonly ("production" | "preview" | "working-copy")[];
  /** The origin's escape hatch for a public endpoint, so the connector carrying it judges it the same. */
  readonly dangerouslyAllowPublicEndpoint?: boolean;
}

/** The services-configuration entry of a tunnel origin (pure). */
export function tunnelService(origin: TunnelOrigin, dangerouslyAllowPublicEndpoint?: boolean): TunnelService {
  return {
    origin: origin.name,
    tunnel: origin.tunnel.tunnelName,
    name: origin.tunnel.service,
    endpoint: origin.tunnel.endpoint,
    accessibleBy: [...origin.tunnel.accessibleBy],
    ...(dangerouslyAllowPublicEndpoint ? { dangerouslyAllowPublicEndpoint } : {}),
  };
}

/** Every service a connector's tunnel carries for this stack: its own origin's, then those it also carries. */
export function carriedServices(origin: TunnelOrigin, own: TunnelService): TunnelService[] {
  return [
    own,
    ...origin.tunnel.alsoCarries.map((c) => carriedService(origin, c)),
  ];
}

/** The services-configuration entry of an origin the carrier's connector also carries (pure). */
export function carriedService(carrier: TunnelOrigin, c: CarriedOrigin, dangerouslyAllowPublicEndpoint?: boolean): TunnelService {
  return {
    origin: c.origin,
    tunnel: carrier.tunnel.tunnelName,
    name: c.service,
    endpoint: c.endpoint,
    accessibleBy: [...c.accessibleBy],
    ...(dangerouslyAllowPublicEndpoint ? { dangerouslyAllowPublicEndpoint } : {}),
  };
}
