/**
 * STUB (being written): what the gateway needs for a federated origin on other — variable
 * names (values come from the translator) and the Zuplo configuration to add.
 */
import type { FederatedOrigin } from "../../model/model";
import type { VariableSpec } from "../variables";
import type { OriginGatewayConfig } from "../zuplo-policies";

export function otherFederatedVariables(_origin: FederatedOrigin): VariableSpec[] {
  return [];
}

export function otherFederatedGatewayConfig(origin: FederatedOrigin): OriginGatewayConfig {
  return { origin: origin.name, policies: [], inbound: [] };
}
