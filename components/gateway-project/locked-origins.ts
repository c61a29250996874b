/**
 * What `gateway sync` needs to know of each origin a stack locks (pure): its gateway
 * configuration (`gatewayConfigFor`, the same the audit prints and `pulumi up` outputs) and the
 * addresses a route may forward to it by.
 */
import { gatewayConfigFor, type OriginGatewayConfig } from "../gateway/zuplo-policies";
import { originUrlVariable } from "../gateway/variable-spec";
import type { OriginModel } from "../model/model";

export interface LockedOrigin {
  readonly name: string;
  readonly method: OriginModel["method"];
  /** The variable gatelock writes the origin's base URL to: `ORDERS_ORIGIN_URL`. */
  readonly urlVariable: string;
  /** The URL the gateway forwards to, when the stack names it (`service://<service>` for a tunnel). */
  readonly url?: string;
  /**
   * Addresses of the origin the gateway cannot (and must not) reach: a tunnel's private
   * endpoint. A route forwarding there is re-pointed at the origin's URL variable.
   */
  readonly privateUrls: readonly string[];
  readonly config: OriginGatewayConfig;
}

export function lockedOrigin(origin: OriginModel): LockedOrigin {
  return {
    name: origin.name,
    method: origin.method,
    urlVariable: originUrlVariable(origin.name),
    ...(origin.url ? { url: origin.url } : {}),
    privateUrls: origin.method === "tunnel" ? [origin.tunnel.endpoint] : [],
    config: gatewayConfigFor(origin),
  };
}

export function lockedOrigins(origins: readonly OriginModel[]): LockedOrigin[] {
  return origins.map(lockedOrigin);
}
