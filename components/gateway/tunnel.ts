/**
 * What the gateway needs for a tunnel origin (pure): the variable holding its
 * `service://<service>` URL, and the route handler that forwards to it. No policy and no secret:
 * the tunnel itself is the lock, and its token belongs to the connector, not the gateway.
 */
import type { KeyedVariables } from "./variable-spec";
import { urlVariableSpec } from "./variable-spec";
import { forwardHandler } from "./forward-handler";
import type { OriginGatewayConfig } from "./zuplo-policies";

export interface TunnelGatewayOrigin {
  readonly name: string;
  /** `service://<service>`. */
  readonly url: string;
}

export function tunnelVariables(origin: TunnelGatewayOrigin): KeyedVariables<never> {
  return urlVariableSpec(origin) as KeyedVariables<never>;
}

export function tunnelGatewayConfig(origin: TunnelGatewayOrigin): OriginGatewayConfig {
  return { origin: origin.name, policies: [], inbound: [], handler: forwardHandler(origin.name) };
}
