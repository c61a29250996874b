/**
 * STUB (being written): the azure block of a federated origin — schema, safety checks and the
 * translation to a target the azure translator consumes. Keep the exported names.
 */
import { z } from "zod";
import type { ConfigIssue } from "../../errors";
import type { ParsedFederatedOrigin } from "../config";
import type { FederatedTrust } from "./trust";

export const AzureFederatedConfig = z.strictObject({}).describe("Where a federated origin on azure lives and what the gateway may do there.");

export interface AzureFederatedTarget {
  readonly cloud: "azure";
}

/** Refusals specific to azure (the common trust checks run before this). */
export function checkAzureFederated(_origin: ParsedFederatedOrigin, _trust: FederatedTrust, _at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  return [];
}

export function toAzureFederatedTarget(_origin: ParsedFederatedOrigin, _stack: string): AzureFederatedTarget {
  return { cloud: "azure" };
}

export function describeAzureFederated(origin: import("../model").FederatedOrigin, _target: AzureFederatedTarget): import("./describe").TrustTargetDescription {
  return { kind: "azure federated trust", location: origin.name, readers: [] };
}
