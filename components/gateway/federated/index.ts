/** Federated origins: the gateway side, per cloud. */
import type { FederatedOrigin } from "../../model/model";
import type { KeyedVariables } from "../variable-spec";
import type { OriginGatewayConfig } from "../zuplo-policies";
import { awsFederatedGatewayConfig, awsFederatedVariables } from "./aws";
import { azureFederatedGatewayConfig, azureFederatedVariables } from "./azure";
import { gcpFederatedGatewayConfig, gcpFederatedVariables } from "./gcp";
import { otherFederatedGatewayConfig, otherFederatedVariables } from "./other";

const BY_CLOUD = {
  aws: { variables: awsFederatedVariables, config: awsFederatedGatewayConfig },
  gcp: { variables: gcpFederatedVariables, config: gcpFederatedGatewayConfig },
  azure: { variables: azureFederatedVariables, config: azureFederatedGatewayConfig },
  other: { variables: otherFederatedVariables, config: otherFederatedGatewayConfig },
} as const;

export function federatedVariables(origin: FederatedOrigin): KeyedVariables<string> {
  return BY_CLOUD[origin.cloud].variables(origin);
}

export function federatedGatewayConfig(origin: FederatedOrigin): OriginGatewayConfig {
  return BY_CLOUD[origin.cloud].config(origin);
}
