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

/** `<name>-<kind>-<8 hex>` from what the grant grants (member, role, scope…). */
export function grantName(name: string, kind: string, ...grants: readonly string[]): string {
  const hash = createHash("sha256").update(JSON.stringify(grants)).digest("hex").slice(0, 8);
  return `${name}-${kind}-${hash}`;
}

/** The position-named grant of gatelock 0.1, as an alias. */
export function legacyGrantAlias(name: string, kind: string, index: number): pulumi.Alias {
  return { name: `${name}-${kind}-${index}` };
}

/**
 * Name and aliases for the i-th grant of a list. A member known when the component is created
 * is named by its hash; one that is another resource's output cannot be, so it keeps its
 * position name (list such members in a stable order).
 */
export function grantIdentity(name: string, kind: string, index: number, grants: readonly string[] | undefined): { name: string; aliases: pulumi.Alias[] } {
  if (grants === undefined) return { name: `${name}-${kind}-${index}`, aliases: [] };
  return { name: grantName(name, kind, ...grants), aliases: [legacyGrantAlias(name, kind, index)] };
}
