import * as pulumi from "@pulumi/pulumi";
import { ZUPLO_TUNNEL_TYPE, type ZuploTunnelInputs, zuploTunnelProvider } from "./tunnel-provider";

/** The args of `ZuploTunnel`: those of the provider, each an Input. */
export interface ZuploTunnelArgs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: pulumi.Input<ZuploTunnelInputs["apiUrl"]>;
  /** The Zuplo account that owns the tunnel (tunnels are account-wide). */
  readonly account: pulumi.Input<ZuploTunnelInputs["account"]>;
  /** The tunnel's name: 3-24 letters, digits and dashes. A new name replaces the tunnel, and its token. */
  readonly name: pulumi.Input<ZuploTunnelInputs["name"]>;
  /** Rotation counter from the rotation schedule: every increase rotates the token. */
  readonly rotation: pulumi.Input<ZuploTunnelInputs["rotation"]>;
}

/**
 * A Zuplo secure tunnel (Enterprise), created with the Developer API. Its `token` is the
 * connector's `TUNNEL_TOKEN`: a Pulumi secret output, meant only for a secret store.
 *
 * Rotation: when `rotation` increases the provider calls `$rotate-token` and `token` changes;
 * the connector's secret store gets the new value and the connector replicas restart one at a
 * time with it. Whether Zuplo drops connections made with the old token is not documented.
 *
 * Deleting waits for Zuplo's teardown operation; a teardown that ends in error fails the delete.
 * The API key is not an argument: set `ZUPLO_API_KEY` or `gatelock:zuploApiKey`.
 * Token: `pulumi-nodejs:dynamic/gatelock:ZuploTunnel`.
 */
export class ZuploTunnel extends pulumi.dynamic.Resource {
  declare readonly apiUrl: pulumi.Output<string>;
  declare readonly account: pulumi.Output<string>;
  /** The tunnel's name. */
  declare readonly name: pulumi.Output<string>;
  declare readonly rotation: pulumi.Output<number>;
  /** Zuplo's id (`tnl_…`). */
  declare readonly tunnelId: pulumi.Output<string>;
  /** The connector's token (a Pulumi secret). */
  declare readonly token: pulumi.Output<string>;

  constructor(name: string, args: ZuploTunnelArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      zuploTunnelProvider,
      name,
      { ...args, tunnelId: undefined, token: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "token"] },
      "gatelock",
      ZUPLO_TUNNEL_TYPE,
    );
  }
}
