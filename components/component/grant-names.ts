/**
 * Logical names for grants (IAM members, role assignments) that do not move when the list
 * they come from changes: a grant is named by a hash of what it grants, not by its position.
 *
 * Position-named grants were renamed whenever a reader was added in front: Pulumi then deleted
 * and recreated grants that were still wanted (on GCP the delete of the old member removes an
 * access the new one had just granted; on Azure the create fails with RoleAssignmentExists).
 * The old position names are kept as aliases, so a stack deployed before adopts its grants
 * instead of replacing them.
 */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { sdkType, urnBelow } from "./urns";

/** Where a grant is registered: its parent and its resource class (for its type token). */
export interface GrantPlace {
  readonly parent: pulumi.Resource;
  readonly resourceClass: unknown;
}

/** `<name>-<kind>-<8 hex>` from what the grant grants (member, role, scope…). */
export function grantName(name: string, kind: string, ...grants: readonly string[]): string {
  const hash = createHash("sha256").update(JSON.stringify(grants)).digest("hex").slice(0, 8);
  return `${name}-${kind}-${hash}`;
}

/**
 * The position-named grant of gatelock 0.1, as an alias: its URN, which Pulumi resolves far more
 * cheaply than a spec (see `urns.ts`), when `place` says where the grant sits; else the spec
 * `{ name }`.
 */
export function legacyGrantAlias(name: string, kind: string, index: number, place?: GrantPlace): pulumi.Input<pulumi.URN | pulumi.Alias> {
  const legacy = `${name}-${kind}-${index}`;
  const type = place ? sdkType(place.resourceClass) : undefined;
  return (type && urnBelow(place!.parent, [type], legacy)) || { name: legacy };
}

/**
 * Name and aliases for the i-th grant of a list. A member known when the component is created
 * is named by its hash; one that is another resource's output cannot be, so it keeps its
 * position name (list such members in a stable order).
 */
export function grantIdentity(
  name: string,
  kind: string,
  index: number,
  grants: readonly string[] | undefined,
  place?: GrantPlace,
): { name: string; aliases: pulumi.Input<pulumi.URN | pulumi.Alias>[] } {
  if (grants === undefined) return { name: `${name}-${kind}-${index}`, aliases: [] };
  return { name: grantName(name, kind, ...grants), aliases: [legacyGrantAlias(name, kind, index, place)] };
}
