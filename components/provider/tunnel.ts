/**
 * What every tunnel origin (method 5) of the package takes besides its connector target's args,
 * and the choices of those args as enums (the schema analyzer reads no union of string literals,
 * nor a read-only array). Not exported from index.ts, which exports only components: the schema
 * reaches these through the args and outputs that use them.
 */
import type { DockerTunnelOriginArgs } from "../docker/tunnel-origin";
import type { TunnelArgs as TsTunnelArgs } from "../tunnel/origin-args";
import type * as pulumi from "@pulumi/pulumi";

/** A Zuplo environment type that may call a tunneled service. */
export enum TunnelAccess {
  /** `production`: Zuplo's production environment type. */
  Production = "production",
  /** `preview`: Zuplo's preview environment type (preview branches of the project). */
  Preview = "preview",
  /** `working-copy`: Zuplo's working copies (development environments). */
  WorkingCopy = "working-copy",
}

/** What gatelock writes for a Docker host's tunnel connector. */
export enum DockerTunnelFormat {
  /** `compose`: a compose file (`docker compose up -d`). */
  Compose = "compose",
  /** `systemd`: a systemd template unit running `docker run` (`systemctl enable --now`). */
  Systemd = "systemd",
}

// Exactly the TypeScript components' choices: a compile error names one missing here (and an
// extra member would be a value the components refuse).
type Choices<U extends string> = Record<U, true>;
const access: Choices<NonNullable<TsTunnelArgs["accessibleBy"]>[number]> = {
  [TunnelAccess.Production]: true,
  [TunnelAccess.Preview]: true,
  [TunnelAccess.WorkingCopy]: true,
};
const formats: Choices<NonNullable<DockerTunnelOriginArgs["format"]>> = { [DockerTunnelFormat.Compose]: true, [DockerTunnelFormat.Systemd]: true };
void [access, formats];

/**
 * The tunnel an origin is reached through, and how its connector runs: `GatewayTunnel`'s token
 * and generation, and the origin's tunnel settings. (Restated, not `Omit`ted: the schema
 * analyzer reads no `Omit<…>`.)
 */
export interface TunnelArgs {
  /** The tunnel's connector token (`GatewayTunnel`'s `token` output): a secret, only ever put in a secret store. */
  readonly token: pulumi.Input<string>;
  /**
   * How many times the token has rotated (`GatewayTunnel`'s `generation` output). Connectors whose
   * token store keeps no version of its own (a Kubernetes Secret, a Container Apps secret)
   * restart their replicas when it changes; without it, when a fingerprint of the token does.
   */
  readonly tokenGeneration?: pulumi.Input<number>;
  /** The Zuplo tunnel's name (default `gl-<stack>-<origin>`; one tunnel per origin). */
  readonly name?: string;
  /** The service name the gateway calls as `service://<service>` (default `<origin>-<stack>`). */
  readonly service?: string;
  /** The origin as the connector reaches it inside the private network, e.g. `http://10.0.3.12:8080`. */
  readonly endpoint: string;
  /** Zuplo environment types that may call the service (default `production`). */
  readonly accessibleBy?: TunnelAccess[];
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
   * Other origins this connector carries on the same tunnel, each as its `TunnelServiceOrigin`'s
   * `tunnelService` holds it. The connector's egress reaches each of them. Known values: the
   * connector's egress rules and checks are built from them when it is created.
   */
  readonly alsoCarries?: CarriedTunnelService[];
}

/**
 * An origin a tunnel connector also carries (`tunnel.alsoCarries`): the values of its
 * `TunnelServiceOrigin`'s `tunnelService`, known when the connector is created.
 */
export interface CarriedTunnelService {
  /** The origin. */
  readonly origin: string;
  /** The shared tunnel (its name): the connector's. */
  readonly tunnel: string;
  /** The service name the gateway calls as `service://<name>`. */
  readonly name: string;
  /** The origin as the connector reaches it inside the private network. */
  readonly endpoint: string;
  /** Zuplo environment types that may call the service. */
  readonly accessibleBy: TunnelAccess[];
  /** The origin's escape hatch for a public endpoint, so the connector judges it the same. */
  readonly dangerouslyAllowPublicEndpoint?: boolean;
}

// Every arg of the TypeScript components' tunnel is restated above: a compile error names one that is not.
const restatedTunnel: Record<Exclude<keyof TsTunnelArgs, keyof TunnelArgs>, never> = {};
void restatedTunnel;

/** The args every tunnel origin of the package takes besides its connector target's. */
export interface TunnelOriginSettings {
  /** The tunnel the origin is reached through (its `token` from a `GatewayTunnel`), and how its connector runs. */
  readonly tunnel: TunnelArgs;
}
