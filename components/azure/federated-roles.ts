/**
 * Azure RBAC facts for federated origins (pure: no Pulumi, no SDK).
 *
 * Which built-in roles a stack file may name, which roles gatelock never grants to the
 * gateway, how a role given as a name, a GUID or a role definition ID resolves, and how
 * broad an ARM scope is. The model validates with these; the component only reads the
 * resolved result. GUIDs are Azure's fixed built-in role IDs (learn.microsoft.com,
 * "Azure built-in roles").
 */

export interface BuiltInRole {
  readonly name: string;
  readonly guid: string;
  /** The resource (token audience) the gateway requests from Entra to call this service. */
  readonly resource: string;
}

/**
 * Data-plane roles a stack file may name by name: each lets the gateway call one service's
 * data API and nothing on the management plane. Any other role can still be given by GUID.
 */
export const DATA_PLANE_ROLES: readonly BuiltInRole[] = [
  { name: "Storage Blob Data Reader", guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", resource: "https://storage.azure.com" },
  { name: "Storage Blob Data Contributor", guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe", resource: "https://storage.azure.com" },
  { name: "Storage Queue Data Message Sender", guid: "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", resource: "https://storage.azure.com" },
  { name: "Azure Service Bus Data Sender", guid: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", resource: "https://servicebus.azure.net" },
  { name: "Azure Event Hubs Data Sender", guid: "2b629674-e913-4c01-ae53-ef4638d8f975", resource: "https://eventhubs.azure.net" },
  { name: "Cognitive Services OpenAI User", guid: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", resource: "https://cognitiveservices.azure.com" },
  { name: "Key Vault Secrets User", guid: "4633458b-17de-408a-b874-0445c86b69e6", resource: "https://vault.azure.net" },
  { name: "App Configuration Data Reader", guid: "516239f1-63e1-4d78-a4de-a74fb236a071", resource: "https://azconfig.io" },
  { name: "Search Index Data Reader", guid: "1407120a-92aa-4202-b7e9-c0e197c71c8f", resource: "https://search.azure.com" },
];

/** Roles that manage resources or access: never for a gateway, whatever the scope. */
export const ADMIN_ROLES: readonly { readonly name: string; readonly guid: string }[] = [
  { name: "Owner", guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635" },
  { name: "Contributor", guid: "b24988ac-6180-42a0-ab88-20f7382dd24c" },
  { name: "User Access Administrator", guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9" },
  { name: "Role Based Access Control Administrator", guid: "f58310d9-a9f6-439a-9e8d-f62e7b41a168" },
];

const GUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const GUID_ONLY = new RegExp(`^${GUID}$`);
/** `/providers/…/roleDefinitions/<guid>`, optionally under a subscription (and resource group). */
const ROLE_DEFINITION_ID = new RegExp(
  `^(?:/subscriptions/(${GUID})(?:/resourceGroups/[^/]+)?)?/providers/Microsoft\\.Authorization/roleDefinitions/(${GUID})$`,
  "i",
);

/** Names compare case- and space-insensitively: `storage blob data reader` is the built-in role. */
function normaliseName(name: string): string {
  return name.trim().replace(/\s+/g, " ").toLowerCase();
}

export type ResolvedRole =
  | { readonly ok: true; readonly guid: string; readonly name?: string; readonly resource?: string; readonly subscription?: string }
  | { readonly ok: false; readonly problem: "admin"; readonly name: string }
  | { readonly ok: false; readonly problem: "unknown-name" | "malformed" };

/** A role as written in the stack file: a built-in name, a GUID or a role definition ID. */
export function resolveRole(role: string): ResolvedRole {
  const value = role.trim();
  let guid: string | undefined;
  let subscription: string | undefined;
  if (GUID_ONLY.test(value)) guid = value.toLowerCase();
  else {
    const m = ROLE_DEFINITION_ID.exec(value);
    if (m) {
      guid = m[2]!.toLowerCase();
      subscription = m[1]?.toLowerCase();
    }
  }
  if (guid !== undefined) {
    const admin = ADMIN_ROLES.find((r) => r.guid === guid);
    if (admin) return { ok: false, problem: "admin", name: admin.name };
    const known = DATA_PLANE_ROLES.find((r) => r.guid === guid);
    return { ok: true, guid, ...(known ? { name: known.name, resource: known.resource } : {}), ...(subscription ? { subscription } : {}) };
  }
  if (value.includes("/")) return { ok: false, problem: "malformed" };
  const n = normaliseName(value);
  const admin = ADMIN_ROLES.find((r) => normaliseName(r.name) === n);
  if (admin) return { ok: false, problem: "admin", name: admin.name };
  const known = DATA_PLANE_ROLES.find((r) => normaliseName(r.name) === n);
  if (known) return { ok: true, guid: known.guid, name: known.name, resource: known.resource };
  return { ok: false, problem: "unknown-name" };
}

export type ScopeLevel = "root" | "managementGroup" | "subscription" | "resourceGroup" | "resource";

export interface ClassifiedScope {
  readonly level: ScopeLevel;
  /** Lower-cased subscription GUID, for scopes inside a subscription. */
  readonly subscription?: string;
}

const SUBSCRIPTION_SCOPE = new RegExp(`^/subscriptions/(${GUID})/?$`, "i");
const RESOURCE_GROUP_SCOPE = new RegExp(`^/subscriptions/(${GUID})/resourceGroups/[-\\w._()]{1,90}/?$`, "i");
/** `/subscriptions/<id>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>[/<type>/<name>…]`. */
const RESOURCE_SCOPE = new RegExp(
  `^/subscriptions/(${GUID})/resourceGroups/[-\\w._()]{1,90}/providers/[A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z][A-Za-z0-9]*)+(?:/[^/\\s]+/[^/\\s]+)+$`,
  "i",
);
const MANAGEMENT_GROUP_SCOPE = /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+\/?$/i;

/** How much of Azure an ARM scope covers; undefined when it is not a scope ARM accepts. */
export function classifyScope(scope: string): ClassifiedScope | undefined {
  if (scope === "/") return { level: "root" };
  if (MANAGEMENT_GROUP_SCOPE.test(scope)) return { level: "managementGroup" };
  let m = SUBSCRIPTION_SCOPE.exec(scope);
  if (m) return { level: "subscription", subscription: m[1]!.toLowerCase() };
  m = RESOURCE_GROUP_SCOPE.exec(scope);
  if (m) return { level: "resourceGroup", subscription: m[1]!.toLowerCase() };
  m = RESOURCE_SCOPE.exec(scope);
  if (m) return { level: "resource", subscription: m[1]!.toLowerCase() };
  return undefined;
}

/** The subscription-scoped role definition ID a role assignment under `subscription` takes. */
export function roleDefinitionIdIn(subscription: string, guid: string): string {
  return `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
