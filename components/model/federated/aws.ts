/**
 * STUB (being written): the aws block of a federated origin — schema, safety checks and the
 * translation to a target the aws translator consumes. Keep the exported names.
 */
import { z } from "zod";
import type { ConfigIssue } from "../../errors";
import type { ParsedFederatedOrigin } from "../config";
import type { FederatedTrust } from "./trust";

export const AwsFederatedConfig = z.strictObject({}).describe("Where a federated origin on aws lives and what the gateway may do there.");

export interface AwsFederatedTarget {
  readonly cloud: "aws";
}

/** Refusals specific to aws (the common trust checks run before this). */
export function checkAwsFederated(_origin: ParsedFederatedOrigin, _trust: FederatedTrust, _at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  return [];
}

export function toAwsFederatedTarget(_origin: ParsedFederatedOrigin, _stack: string): AwsFederatedTarget {
  return { cloud: "aws" };
}

export function describeAwsFederated(origin: import("../model").FederatedOrigin, _target: AwsFederatedTarget): import("./describe").TrustTargetDescription {
  return { kind: "aws federated trust", location: origin.name, readers: [] };
}
