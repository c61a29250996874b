import * as pulumi from "@pulumi/pulumi";
import { ZUPLO_TUNNEL_SERVICES_TYPE, type ZuploTunnelService, type ZuploTunnelServicesInputs, zuploTunnelServicesProvider } from "./tunnel-services-provider";

/** The args of `ZuploTunnelServices`: those of the provider, each an Input. */
export interface ZuploTunnelServicesArgs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: pulumi.Input<ZuploTunnelServicesInputs["apiUrl"]>;
  /** The Zuplo account that owns the tunnel. */
  readonly account: pulumi.Input<ZuploTunnelServicesInputs["account"]>;
  /** The tunnel's id (`ZuploTunnel.tunnelId`). */
  readonly tunnelId: pulumi.Input<ZuploTunnelServicesInputs["tunnelId"]>;
  /**
   * Every service the tunnel carries (one per origin behind it): this resource owns the
   * tunnel's whole services configuration, so give each tunnel exactly one.
   */
  readonly services: pulumi.Input<pulumi.Input<ZuploTunnelService>[]>;
}

/**
 * The services a Zuplo tunnel carries: `PUT …/services-configuration`, then a wait for the
 * provisioning operation; a provisioning error fails the update and names the service. The
 * gateway reaches each as `service://<name>`. Deleting empties the configuration.
 * The API key is not an argument: set `ZUPLO_API_KEY` or `gatelock:zuploApiKey`.
 * Token: `pulumi-nodejs:dynamic/gatelock:ZuploTunnelServices`.
 */
export class ZuploTunnelServices extends pulumi.dynamic.Resource {
  declare readonly apiUrl: pulumi.Output<string>;
  declare readonly account: pulumi.Output<string>;
  declare readonly tunnelId: pulumi.Output<string>;
  /** The services configured. */
  declare readonly services: pulumi.Output<ZuploTunnelService[]>;
  /** The provisioning operation that applied them (`pst_…`). */
  declare readonly operationId: pulumi.Output<string>;

  constructor(name: string, args: ZuploTunnelServicesArgs, opts?: pulumi.CustomResourceOptions) {
    super(zuploTunnelServicesProvider, name, { ...args, operationId: undefined }, opts, "gatelock", ZUPLO_TUNNEL_SERVICES_TYPE);
  }
}
