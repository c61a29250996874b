/**
 * The args every tunnel origin component takes besides its connector target's, and their
 * stack-config form, so each component is checked by the model exactly as a stack file is.
 */
import * as pulumi from "@pulumi/pulumi";

const pulumiOutput = pulumi.output;
const pulumiUnsecret = pulumi.unsecret;
import type { OriginModel, TunnelOrigin } from "../model/model";
import type { TunnelTarget } from "../model/tunnel/target";

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
  /** The tunnel that carries it. */
  readonly tunnel: string;
  /** `service://<name>`. */
  readonly name: string;
  readonly endpoint: string;
  readonly accessibleBy: readonly ("production" | "preview" | "working-copy")[];
}

/** The services-configuration entry of a tunnel origin (pure). */
export function tunnelService(origin: TunnelOrigin): TunnelService {
  return { tunnel: origin.tunnel.tunnelName, name: origin.tunnel.service, endpoint: origin.tunnel.endpoint, accessibleBy: [...origin.tunnel.accessibleBy] };
}
