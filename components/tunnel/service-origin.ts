/**
 * An origin carried by another origin's connector on a shared tunnel. It has no resource of its
 * own: the connector (an `…TunnelOrigin` given this origin's `tunnelService` in
 * `tunnel.alsoCarries`) reaches it, and the gateway calls it as `service://<service>`.
 */
import * as pulumi from "@pulumi/pulumi";
import { checkOrigin } from "../component/checked-origin";
import type { GatewayVariable } from "../gateway/environment";
import { tunnelVariables } from "../gateway/tunnel";
import { pairVariables } from "../gateway/variables";
import type { Finding } from "../model/safety";
import { isTunnelOn, tunnelService, type TunnelService } from "./origin-args";

export interface TunnelServiceOriginArgs {
  readonly tunnel: {
    /** The shared tunnel's name: the carrying connector's `tunnel.name` (or its default, `gl-<stack>-<origin>`). */
    readonly name: string;
    /** The service name the gateway calls as `service://<service>` (default `<origin>-<stack>`). */
    readonly service?: string;
    /** The origin as the connector reaches it inside the private network, e.g. `http://10.0.3.13:8080`. */
    readonly endpoint: string;
    /** Zuplo environment types that may call the service (default `production`). */
    readonly accessibleBy?: readonly ("production" | "preview" | "working-copy")[];
    /** Escape hatch: an endpoint with a public address. */
    readonly dangerouslyAllowPublicEndpoint?: boolean;
  };
}

/**
 * The origin's checks are the model's, on the one-origin stack config it stands for. Where the
 * connector runs plays no part in them (the carrying connector's check judges the egress to
 * this origin), so a connector that needs nothing of the endpoint stands in: a Kubernetes
 * connector without a NetworkPolicy, pinned by digest so no warning of the connector's is this
 * origin's.
 */
const STAND_IN_CONNECTOR = { cloud: "kubernetes", kubernetes: { networkPolicy: false } } as const;
const STAND_IN_IMAGE = `zuplo/tunnel@sha256:${"0".repeat(64)}`;

export class TunnelServiceOrigin extends pulumi.ComponentResource {
  /** Its entry in the tunnel's services configuration: give it to the carrying connector's `tunnel.alsoCarries`. */
  readonly tunnelService: TunnelService;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: TunnelServiceOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:tunnel:ServiceOrigin", name, {}, opts);
    const { name: tunnelName, service, endpoint, accessibleBy, dangerouslyAllowPublicEndpoint } = args.tunnel;
    const check = checkOrigin({
      component: name,
      config: { name, method: "tunnel", ...STAND_IN_CONNECTOR, tunnel: { name: tunnelName, service, endpoint, accessibleBy, dangerouslyAllowPublicEndpoint, image: STAND_IN_IMAGE } },
      placeholders: {},
      is: isTunnelOn("kubernetes"),
    });
    const origin = check.known;
    this.findings = check.findings;
    this.tunnelService = tunnelService(origin, dangerouslyAllowPublicEndpoint);
    this.gatewayVariables = pairVariables(tunnelVariables(origin), { url: origin.url });
    this.summary = { tunnel: origin.tunnel.tunnelName, service: origin.url, connector: "the connector carrying this tunnel" };
    this.registerOutputs(this.summary);
  }
}
