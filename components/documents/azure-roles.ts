/**
 * Azure RBAC facts for federated origins (pure: no Pulumi, no SDK).
 *
 * Which built-in roles the gateway may hold (an allowlist of data-plane readers, writers and
 * invokers), which roles gatelock never grants to the gateway, how a role given as a name, a
 * GUID or a role definition ID resolves, how an ARM scope is normalised before anything is
 * decided about it, and how broad it is. The model validates with these; the component only
 * reads the resolved result.
 *
 * Every GUID below was checked against Microsoft's built-in roles reference: the table in
 * `articles/role-based-access-control/built-in-roles.md` of MicrosoftDocs/azure-docs (commit
 * 00a583295ba737a5caf885472cb3bca3624e9cde, ms.date 04/09/2026), published at
 * https://learn.microsoft.com/azure/role-based-access-control/built-in-roles. Built-in role
 * GUIDs are the same in every tenant and never change.
 */

export interface BuiltInRole {
  readonly name: string;
  readonly guid: string;
  /** The resource (token audience) the gateway requests from Entra to call this service. */
  readonly resource: string;
}

/**
 * The allowlist: data-plane roles that let the gateway read, write or invoke one service's
 * data API and nothing on the management plane (no keys, no role assignments, no resource
 * changes). Any other role is refused unless `dangerouslyAllowUnlistedRole` is set, and the
 * roles in {@link ADMIN_ROLES} are refused even then.
 *
 * Token resources: from each service's "authorize with Microsoft Entra ID" page on
 * learn.microsoft.com (Relay: azure-relay/authenticate-application; Event Grid:
 * event-grid/authenticate-with-microsoft-entra-id; Maps: the Azure SDK's credential scope
 * `https://atlas.microsoft.com/.default`).
 */
export const DATA_PLANE_ROLES: readonly BuiltInRole[] = [
  // Storage (built-in-roles.md, "Storage").
  { name: "Storage Blob Data Reader", guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", resource: "https://storage.azure.com" },
  { name: "Storage Blob Data Contributor", guid: "ba92f5b4-2d11-453d-a403-e96b0029c9fe", resource: "https://storage.azure.com" },
  { name: "Storage Queue Data Reader", guid: "19e7f393-937e-4f77-808e-94535e297925", resource: "https://storage.azure.com" },
  { name: "Storage Queue Data Message Sender", guid: "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", resource: "https://storage.azure.com" },
  { name: "Storage Queue Data Message Processor", guid: "8a0f0c08-91a1-4084-bc3d-661d67233fed", resource: "https://storage.azure.com" },
  { name: "Storage Queue Data Contributor", guid: "974c5e8b-45b9-4653-ba55-5f855dd0fb88", resource: "https://storage.azure.com" },
  { name: "Storage Table Data Reader", guid: "76199698-9eea-4c19-bc75-cec21354c6b6", resource: "https://storage.azure.com" },
  { name: "Storage Table Data Contributor", guid: "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", resource: "https://storage.azure.com" },
  // Messaging (built-in-roles.md, "Integration" and "Analytics").
  { name: "Azure Service Bus Data Sender", guid: "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", resource: "https://servicebus.azure.net" },
  { name: "Azure Service Bus Data Receiver", guid: "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", resource: "https://servicebus.azure.net" },
  { name: "Azure Event Hubs Data Sender", guid: "2b629674-e913-4c01-ae53-ef4638d8f975", resource: "https://eventhubs.azure.net" },
  { name: "Azure Event Hubs Data Receiver", guid: "a638d3c7-ab3a-418d-83e6-5f17a39d4fde", resource: "https://eventhubs.azure.net" },
  { name: "EventGrid Data Sender", guid: "d5a91429-5739-47e2-a06b-3470a27159e7", resource: "https://eventgrid.azure.net" },
  { name: "Azure Relay Sender", guid: "26baccc8-eea7-41f1-98f4-1762cc7f685d", resource: "https://relay.azure.net" },
  // AI (built-in-roles.md, "AI + machine learning").
  { name: "Cognitive Services OpenAI User", guid: "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", resource: "https://cognitiveservices.azure.com" },
  { name: "Search Index Data Reader", guid: "1407120a-92aa-4202-b7e9-c0e197c71c8f", resource: "https://search.azure.com" },
  { name: "Search Index Data Contributor", guid: "8ebe5a00-799e-43f5-93ac-243d3dce84a7", resource: "https://search.azure.com" },
  // Key Vault (built-in-roles.md, "Security"): read or use objects, never manage them.
  { name: "Key Vault Secrets User", guid: "4633458b-17de-408a-b874-0445c86b69e6", resource: "https://vault.azure.net" },
  { name: "Key Vault Certificate User", guid: "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", resource: "https://vault.azure.net" },
  { name: "Key Vault Crypto User", guid: "12338af0-0e69-4776-bea7-57ae8d297424", resource: "https://vault.azure.net" },
  // Configuration and maps (built-in-roles.md, "Integration" and "Web and Mobile").
  { name: "App Configuration Data Reader", guid: "516239f1-63e1-4d78-a4de-a74fb236a071", resource: "https://azconfig.io" },
  { name: "Azure Maps Data Reader", guid: "423170ca-a8f6-4b0f-8487-9e4eb8f49bfa", resource: "https://atlas.microsoft.com" },
  { name: "Azure Maps Search and Render Data Reader", guid: "6be48352-4f82-47c9-ad5e-0acacefdb005", resource: "https://atlas.microsoft.com" },
];

/** Why a role is never granted to a gateway. */
export type AdminKind = "access" | "resources" | "keys";

/**
 * Roles that manage access, manage resources or hand out keys: never for a gateway, whatever
 * the scope, and not even with `dangerouslyAllowUnlistedRole`. Listed so that the refusal can
 * name them; any management role gatelock does not list is unknown, and so refused unless the
 * escape hatch is set.
 */
export const ADMIN_ROLES: readonly { readonly name: string; readonly guid: string; readonly kind: AdminKind }[] = [
  // Privileged (built-in-roles.md, "Privileged").
  { name: "Owner", guid: "8e3af657-a8ff-443c-a75c-2fe8c4bcb635", kind: "access" },
  { name: "Contributor", guid: "b24988ac-6180-42a0-ab88-20f7382dd24c", kind: "resources" },
  { name: "User Access Administrator", guid: "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9", kind: "access" },
  { name: "Role Based Access Control Administrator", guid: "f58310d9-a9f6-439a-9e8d-f62e7b41a168", kind: "access" },
  { name: "Reservations Administrator", guid: "a8889054-8d42-49c9-bc1c-52486c10e7cd", kind: "resources" },
  // Key Vault: every object and the vault's access (built-in-roles.md, "Security").
  { name: "Key Vault Administrator", guid: "00482a5a-887f-4fb3-b363-3b7fe8e74483", kind: "keys" },
  { name: "Key Vault Data Access Administrator", guid: "8b54135c-b56d-4d72-a534-26097cfdc8d8", kind: "access" },
  { name: "Key Vault Contributor", guid: "f25e0fa2-a7c8-4377-a976-54943a77a395", kind: "resources" },
  // Storage: account management and account keys (built-in-roles.md, "Storage").
  { name: "Storage Account Contributor", guid: "17d1049b-9a84-46fb-8f53-869881c3d3ab", kind: "keys" },
  { name: "Storage Account Key Operator Service Role", guid: "81a9662b-bebf-436f-a333-f67b29880f12", kind: "keys" },
  { name: "Reader and Data Access", guid: "c12c1c16-33a1-487b-954d-41c89c60f349", kind: "keys" },
  { name: "Classic Storage Account Contributor", guid: "86e8f5dc-a6e9-4c67-9d15-de283e8eac25", kind: "resources" },
  { name: "Classic Storage Account Key Operator Service Role", guid: "985d6b00-f706-48f5-a6fe-d0ca12fb668d", kind: "keys" },
  { name: "Storage Blob Data Owner", guid: "b7e6dc6d-f1e8-4753-8033-0f276bb0955b", kind: "access" },
  // Web (built-in-roles.md, "Web and Mobile").
  { name: "Website Contributor", guid: "de139f84-1756-47ae-9be6-808fbbe84772", kind: "resources" },
  { name: "Web Plan Contributor", guid: "2cc479cb-7b4d-49a8-b449-8c00fd0f0a4b", kind: "resources" },
  // AI and search: manage accounts, deployments or keys (built-in-roles.md, "AI + machine learning").
  { name: "Cognitive Services Contributor", guid: "25fbc0a9-bd7c-42a3-aa1a-3b75d497ee68", kind: "keys" },
  { name: "Cognitive Services OpenAI Contributor", guid: "a001fd3d-188f-4b5d-821b-7da978bf7442", kind: "resources" },
  // Lists the account keys (`Microsoft.CognitiveServices/accounts/listkeys/action`), a long-lived secret.
  { name: "Cognitive Services User", guid: "a97b65f3-24c7-4388-baec-2e87135dc908", kind: "keys" },
  { name: "Search Service Contributor", guid: "7ca78c08-252a-4471-8644-bb5ff32d4ba0", kind: "keys" },
  { name: "Azure AI Administrator", guid: "b78c5d69-af96-48a3-bf8d-a8b4d589de94", kind: "resources" },
  // Integration (built-in-roles.md, "Integration").
  { name: "App Configuration Contributor", guid: "fe86443c-f201-4fc4-9d2a-ac61149fbda0", kind: "resources" },
  { name: "API Management Service Contributor", guid: "312a565d-c81f-4fd8-895a-4e21e48d571c", kind: "resources" },
  { name: "EventGrid Contributor", guid: "1e241071-0855-49ea-94dc-649edcd759de", kind: "resources" },
  { name: "Logic App Contributor", guid: "87a39d53-fc1b-424a-814c-f7e04687dc9e", kind: "resources" },
  // Identity: could mint or attach identities, and so their federated credentials (built-in-roles.md, "Identity").
  { name: "Managed Identity Contributor", guid: "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59", kind: "access" },
  { name: "Managed Identity Operator", guid: "f1a07417-d97a-45cb-824c-7a7467783830", kind: "access" },
  // Compute, containers, networking, databases (built-in-roles.md, by section).
  { name: "Virtual Machine Contributor", guid: "9980e02c-c2be-4d73-94e8-173b1dc7cf3c", kind: "resources" },
  { name: "Container Apps Contributor", guid: "358470bc-b998-42bd-ab17-a7e34c199c0f", kind: "resources" },
  { name: "Azure Kubernetes Service Contributor Role", guid: "ed7f3fbd-7b88-4dd4-9017-9adb7ce333f8", kind: "resources" },
  { name: "Azure Kubernetes Service Cluster Admin Role", guid: "0ab0b1a8-8aac-4efd-b8c2-3ee1fb270be8", kind: "keys" },
  { name: "Azure Kubernetes Service RBAC Admin", guid: "3498e952-d568-435e-9b2c-8d77e338d7f7", kind: "access" },
  { name: "Azure Kubernetes Service RBAC Cluster Admin", guid: "b1ff04bb-8a4e-4dc4-8eb5-8693973ce19b", kind: "access" },
  { name: "Network Contributor", guid: "4d97b98b-1d4f-4787-a291-c67834d212e7", kind: "resources" },
  { name: "DocumentDB Account Contributor", guid: "5bd9cd88-fe45-4216-938b-f97437e15450", kind: "keys" },
  { name: "SQL Server Contributor", guid: "6d8ee4ec-f05a-4a1d-8b00-a9b17e38b437", kind: "resources" },
  { name: "SQL DB Contributor", guid: "9b7fa17d-e63e-47b0-bb0a-15c516ac86ec", kind: "resources" },
  { name: "SQL Security Manager", guid: "056cd41c-7e88-42e1-933e-88ba6a50c9c3", kind: "access" },
  { name: "Redis Cache Contributor", guid: "e0f68234-74aa-48ed-b826-c38b57376e17", kind: "keys" },
  // Governance and monitoring (built-in-roles.md, "Management and governance", "Monitor", "Security").
  { name: "Management Group Contributor", guid: "5d58bcaf-24a5-4b20-bdb6-eed9f69fbe4c", kind: "resources" },
  { name: "Resource Policy Contributor", guid: "36243c78-bf99-498c-9df9-86d9f8d28608", kind: "resources" },
  { name: "Log Analytics Contributor", guid: "92aaf0da-9dab-42b6-94a3-d43ce8d16293", kind: "keys" },
  { name: "Security Admin", guid: "fb1c8493-542b-48eb-b624-b4c8fea62acd", kind: "resources" },
];

/**
 * Built-in roles gatelock knows by name that are neither on the allowlist nor administrative:
 * data-plane roles broader than a gateway needs (full control of a service's data, or
 * management-plane read). Refused unless `dangerouslyAllowUnlistedRole` is set, and then
 * accepted with a warning. Known so that the refusal can name them and a name resolves.
 */
export const UNLISTED_KNOWN_ROLES: readonly { readonly name: string; readonly guid: string; readonly resource?: string }[] = [
  { name: "Reader", guid: "acdd72a7-3385-48ef-bd42-f606fba81ae7" },
  { name: "Azure Service Bus Data Owner", guid: "090c5cfd-751d-490a-894a-3ce6f1109419", resource: "https://servicebus.azure.net" },
  { name: "Azure Event Hubs Data Owner", guid: "f526a384-b230-433a-b45c-95f59c4a2dec", resource: "https://eventhubs.azure.net" },
  { name: "Azure Relay Owner", guid: "2787bf04-f1f5-4bfe-8383-c8a24483ee38", resource: "https://relay.azure.net" },
  { name: "Azure Relay Listener", guid: "26e0b698-aa6d-4085-9386-aadae190014d", resource: "https://relay.azure.net" },
  { name: "App Configuration Data Owner", guid: "5ae67dd6-50cb-40e7-96ff-dc2bfa4b606b", resource: "https://azconfig.io" },
  { name: "Key Vault Secrets Officer", guid: "b86a8fe4-44ce-4948-aee5-eccb2c155cd7", resource: "https://vault.azure.net" },
  { name: "Key Vault Crypto Officer", guid: "14b46e9e-c2b7-41b4-b07b-48a6ebf60603", resource: "https://vault.azure.net" },
  { name: "Key Vault Certificates Officer", guid: "a4417e6f-fecd-4de8-b567-7b0420556985", resource: "https://vault.azure.net" },
  { name: "Key Vault Reader", guid: "21090545-7ca7-4776-b22c-e363652d74d2", resource: "https://vault.azure.net" },
  { name: "Azure Maps Data Contributor", guid: "8f5e0ce6-4f7b-4dcf-bddf-e6f48634a204", resource: "https://atlas.microsoft.com" },
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

/** Every role a name resolves to: the allowlist first, then the known unlisted roles. */
const NAMED_ROLES: readonly { readonly name: string; readonly guid: string; readonly resource?: string }[] = [...DATA_PLANE_ROLES, ...UNLISTED_KNOWN_ROLES];

/**
 * A role as written in the stack file: a built-in name, a GUID or a role definition ID.
 * Resolution says what the role is, not whether the gateway may hold it: an administrator
 * role is refused here, and {@link isListedRole} says whether any other is on the allowlist.
 */
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
    const known = NAMED_ROLES.find((r) => r.guid === guid);
    return {
      ok: true,
      guid,
      ...(known ? { name: known.name, ...(known.resource ? { resource: known.resource } : {}) } : {}),
      ...(subscription ? { subscription } : {}),
    };
  }
  if (value.includes("/")) return { ok: false, problem: "malformed" };
  const n = normaliseName(value);
  const admin = ADMIN_ROLES.find((r) => normaliseName(r.name) === n);
  if (admin) return { ok: false, problem: "admin", name: admin.name };
  const known = NAMED_ROLES.find((r) => normaliseName(r.name) === n);
  if (known) return { ok: true, guid: known.guid, name: known.name, ...(known.resource ? { resource: known.resource } : {}) };
  return { ok: false, problem: "unknown-name" };
}

/** Whether a resolved role's GUID is on the allowlist of data-plane roles. */
export function isListedRole(guid: string): boolean {
  const g = guid.toLowerCase();
  return DATA_PLANE_ROLES.some((r) => r.guid === g);
}

/** Why an administrator role is refused, by its built-in name. */
export function adminKind(name: string): AdminKind | undefined {
  return ADMIN_ROLES.find((r) => r.name === name)?.kind;
}

export type ScopeLevel = "root" | "managementGroup" | "subscription" | "resourceGroup" | "resource";

export interface ClassifiedScope {
  readonly level: ScopeLevel;
  /** Lower-cased subscription GUID, for scopes inside a subscription. */
  readonly subscription?: string;
}

/** Why a scope cannot be normalised, and so is refused before anything is decided about it. */
export type ScopeProblem =
  /** `%2F` or `%5C` (any case, at any depth of encoding): a separator the check would not see. */
  | "encoded-separator"
  /** A `.` or `..` segment once decoded: the path would climb above what is checked. */
  | "dot-segment"
  /** A `\`, which some parsers read as `/`. */
  | "backslash"
  /** A control character or whitespace, raw or decoded. */
  | "control-or-space"
  /** A `%` that is not a valid escape of UTF-8, or encoding nested too deep. */
  | "bad-encoding";

export type NormalisedScope = { readonly ok: true; readonly scope: string } | { readonly ok: false; readonly problem: ScopeProblem };

/** How many layers of percent-encoding are undone before the scope is refused as obfuscated. */
const MAX_DECODE_ROUNDS = 4;
const ENCODED_SEPARATOR = /%(?:2f|5c)/i;
const PERCENT_ESCAPE = /%[0-9a-f]{2}/i;
/** C0 and C1 controls, DEL, and every Unicode space or line/paragraph separator. */
const CONTROL_OR_SPACE = /[\u0000-\u001f\u007f-\u009f\s\u200b-\u200d\u2060\ufeff]/u;

function problemIn(s: string): ScopeProblem | undefined {
  if (s.includes("\\")) return "backslash";
  if (CONTROL_OR_SPACE.test(s)) return "control-or-space";
  return undefined;
}

/**
 * The ARM scope as Azure would act on it, or why it is refused. Pure.
 *
 * 1. Percent-decodes, layer by layer (so `%252F` is seen as `%2F`), refusing any encoded `/`
 *    or `\`, any `%` that is not a valid escape, and more than a few layers.
 * 2. Refuses backslashes, control characters and whitespace, raw or decoded.
 * 3. Refuses any `.` or `..` segment after decoding (also full-width dots, compared after NFKC).
 * 4. Collapses duplicate slashes and strips a trailing slash (`/` stays `/`).
 *
 * {@link classifyScope} classes only this normalised form, so what gatelock checks is what
 * the role assignment is made on.
 */
export function normaliseScope(scope: string): NormalisedScope {
  let s = scope;
  const raw = problemIn(s);
  if (raw) return { ok: false, problem: raw };
  for (let round = 0; ; round++) {
    if (ENCODED_SEPARATOR.test(s)) return { ok: false, problem: "encoded-separator" };
    if (!s.includes("%")) break;
    if (!PERCENT_ESCAPE.test(s) || round >= MAX_DECODE_ROUNDS) return { ok: false, problem: "bad-encoding" };
    try {
      s = decodeURIComponent(s);
    } catch {
      return { ok: false, problem: "bad-encoding" };
    }
    const decoded = problemIn(s);
    if (decoded) return { ok: false, problem: decoded };
  }
  const segments = s.split("/");
  if (segments.some((seg) => /^\.{1,2}$/.test(seg.normalize("NFKC")))) return { ok: false, problem: "dot-segment" };
  const collapsed = s.replace(/\/{2,}/g, "/");
  return { ok: true, scope: collapsed.length > 1 ? collapsed.replace(/\/$/, "") : collapsed };
}

const SUBSCRIPTION_SCOPE = new RegExp(`^/subscriptions/(${GUID})$`, "i");
const RESOURCE_GROUP_SCOPE = new RegExp(`^/subscriptions/(${GUID})/resourceGroups/[-\\w._()]{1,90}$`, "i");
/** `/subscriptions/<id>/resourceGroups/<rg>/providers/<Namespace>/<type>/<name>[/<type>/<name>…]`. */
const RESOURCE_SCOPE = new RegExp(
  `^/subscriptions/(${GUID})/resourceGroups/[-\\w._()]{1,90}/providers/[A-Za-z][A-Za-z0-9]*(?:\\.[A-Za-z][A-Za-z0-9]*)+(?:/[^/\\s]+/[^/\\s]+)+$`,
  "i",
);
const MANAGEMENT_GROUP_SCOPE = /^\/providers\/Microsoft\.Management\/managementGroups\/[^/]+$/i;

/**
 * How much of Azure an ARM scope covers; undefined when it is not a scope ARM accepts, or
 * when {@link normaliseScope} refuses it. Only the normalised form is classed, so a scope
 * and its normalised form always class alike.
 */
export function classifyScope(scope: string): ClassifiedScope | undefined {
  const n = normaliseScope(scope);
  if (!n.ok) return undefined;
  const s = n.scope;
  if (s === "/") return { level: "root" };
  if (MANAGEMENT_GROUP_SCOPE.test(s)) return { level: "managementGroup" };
  let m = SUBSCRIPTION_SCOPE.exec(s);
  if (m) return { level: "subscription", subscription: m[1]!.toLowerCase() };
  m = RESOURCE_GROUP_SCOPE.exec(s);
  if (m) return { level: "resourceGroup", subscription: m[1]!.toLowerCase() };
  m = RESOURCE_SCOPE.exec(s);
  if (m) return { level: "resource", subscription: m[1]!.toLowerCase() };
  return undefined;
}

/** The subscription-scoped role definition ID a role assignment under `subscription` takes. */
export function roleDefinitionIdIn(subscription: string, guid: string): string {
  return `/subscriptions/${subscription}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
}
