/**
 * STUB (being written): the gcp block of a federated origin — schema, safety checks and the
 * translation to a target the gcp translator consumes. Keep the exported names.
 */
import { z } from "zod";
import type { ConfigIssue } from "../../errors";
import type { ParsedFederatedOrigin } from "../config";
import type { FederatedTrust } from "./trust";

export const GcpFederatedConfig = z.strictObject({}).describe("Where a federated origin on gcp lives and what the gateway may do there.");

export interface GcpFederatedTarget {
  readonly cloud: "gcp";
}

/** Refusals specific to gcp (the common trust checks run before this). */
export function checkGcpFederated(_origin: ParsedFederatedOrigin, _trust: FederatedTrust, _at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  return [];
}

export function toGcpFederatedTarget(_origin: ParsedFederatedOrigin, _stack: string): GcpFederatedTarget {
  return { cloud: "gcp" };
}

export function describeGcpFederated(origin: import("../model").FederatedOrigin, _target: GcpFederatedTarget): import("./describe").TrustTargetDescription {
  return { kind: "gcp federated trust", location: origin.name, readers: [] };
}
