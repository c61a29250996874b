/**
 * The program's tunnel parts, loaded only by a stack with a tunnel origin: each tunnel on Zuplo
 * (created before its connector, which needs the token), the token each carrier's connector
 * runs with, and the origins a connector carries besides its own.
 */
import type * as pulumi from "@pulumi/pulumi";
import { GatewayTunnel } from "../gateway/tunnel-gateway";
import type { ParsedConfig, ParsedOrigin } from "../model/config";
import type { GatelockModel, TunnelOrigin } from "../model/model";
import { carriedService } from "../tunnel/origin-args";
import { TunnelServiceOrigin } from "../tunnel/service-origin";
import type { BuildContext, OriginComponent } from "./translator";

/** One `GatewayTunnel` per tunnel, by name: origins naming one tunnel share it, and the first one's connector carries them all. */
export function gatewayTunnels(model: GatelockModel, opts: pulumi.ComponentResourceOptions | undefined): Map<string, GatewayTunnel> {
  const tunnels = new Map<string, GatewayTunnel>();
  for (const origin of model.origins) {
    if (origin.method !== "tunnel" || origin.tunnel.carrier !== origin.name) continue;
    const api = model.gateway.environment.developerApi!;
    const t = origin.tunnel;
    tunnels.set(t.tunnelName, new GatewayTunnel(`tunnel-${t.tunnelName}`, { account: model.gateway.account, project: model.gateway.project, name: t.tunnelName, apiUrl: api.apiUrl, rotateAfterDays: t.rotateAfterDays, rotation: t.rotation }, opts));
  }
  return tunnels;
}

/** An origin another origin's connector carries: no resource of its own, only its service and URL. */
export function carriedOrigin(o: Extract<ParsedOrigin, { method: "tunnel" }>, origin: TunnelOrigin, ctx: BuildContext): OriginComponent {
  const { service, endpoint, accessibleBy, dangerouslyAllowPublicEndpoint } = o.tunnel;
  return new TunnelServiceOrigin(o.name, { tunnel: { name: origin.tunnel.tunnelName, service, endpoint, accessibleBy, dangerouslyAllowPublicEndpoint } }, ctx.opts);
}

/** Each tunnel's token and generation, and the origins its carrier's connector also carries, by tunnel name. */
export function tunnelTokens(model: GatelockModel, config: ParsedConfig, tunnels: ReadonlyMap<string, GatewayTunnel>): NonNullable<BuildContext["tunnelTokens"]> {
  const publicAllowed = new Map(config.origins.flatMap((o) => (o.method === "tunnel" ? [[o.name, o.tunnel.dangerouslyAllowPublicEndpoint] as const] : [])));
  return Object.fromEntries(
    model.origins.flatMap((o) => {
      if (o.method !== "tunnel" || o.tunnel.carrier !== o.name) return [];
      const tunnel = tunnels.get(o.tunnel.tunnelName)!;
      const alsoCarries = o.tunnel.alsoCarries.map((c) => carriedService(o, c, publicAllowed.get(c.origin)));
      return [[o.tunnel.tunnelName, { token: tunnel.token, generation: tunnel.generation, alsoCarries }]];
    }),
  );
}
