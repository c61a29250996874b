/**
 * The azure block of a federated origin: where the gateway's managed identity lives and
 * what it may call, the refusals specific to Azure, and the translation to the target the
 * azure translator consumes.
 *
 * Azure trusts the gateway through federated identity credentials on a user-assigned
 * managed identity. A credential matches exactly one issuer, one subject (exact and
 * case-sensitive; no wildcards) and one audience, and nothing else: no other claim can be
 * pinned. At most 20 credentials fit on one identity.
 */
import { z } from "zod";
import { ADMIN_ROLES, adminKind, classifyScope, DATA_PLANE_ROLES, isListedRole, normaliseScope, resolveRole, roleDefinitionIdIn, type ScopeProblem } from "../../documents/azure-roles";
import { credentialName, defaultIdentityName, IDENTITY_NAME } from "../../documents/azure-names";
import type { ConfigIssue, WarningCode } from "../../errors";
import type { ParsedFederatedOrigin } from "../config";
import { configKey, conflictIssue as conflict, invalidIssue as invalid, missingIssue, unsafeIssue as unsafe } from "../issues";
import { stackSlug } from "../names";
import { AZURE_RG } from "../primitives";
import type { FederatedTrust } from "./trust";
import { isPattern } from "./trust";

/** The one audience Entra accepts on a managed identity's federated credential. */
export const AZURE_FEDERATED_AUDIENCE = "api://AzureADTokenExchange";
/** Entra's cap on federated identity credentials per user-assigned managed identity. */
export const MAX_AZURE_CREDENTIALS = 20;
/** Entra's limit on a credential's issuer and subject. */
const MAX_CLAIM_LENGTH = 600;
/** Regions where user-assigned identities cannot hold federated credentials (Entra docs). */
export const AZURE_REGIONS_WITHOUT_FEDERATED_CREDENTIALS = new Set(["malaysiasouth", "newzealandnorth"]);

const AZURE_LOCATION = /^[a-z][a-z0-9]{1,39}$/;
/** What the gateway asks Entra for a token to: an https resource, an `api://` App ID URI or an app's client ID. */
const TOKEN_RESOURCE = /^(https:\/\/[A-Za-z0-9.-]+(:\d+)?(\/[^\s]*)?|api:\/\/[^\s]+|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/;

const roleNames = DATA_PLANE_ROLES.map((r) => `\`${r.name}\``).join(", ");
const HATCH = "dangerouslyAllowUnlistedRole";

export const AzureFederatedConfig = z
  .strictObject({
    resourceGroup: z
      .string()
      .regex(AZURE_RG, { error: "expected an Azure resource group name" })
      .describe("Existing resource group that holds the gateway's user-assigned managed identity."),
    location: z
      .string()
      .regex(AZURE_LOCATION, { error: "expected an Azure region name (e.g. `westeurope`)" })
      .describe("Azure region of the managed identity (e.g. `westeurope`)."),
    identityName: z
      .string()
      .regex(IDENTITY_NAME, { error: "expected a managed identity name: 3-128 letters, digits, `-` and `_`, starting with a letter or digit" })
      .optional()
      .describe("Name of the user-assigned managed identity gatelock creates (default `gatelock-<stack>-<origin>`)."),
    role: z
      .string()
      .min(1)
      .max(300)
      .describe(
        `Least-privilege role the gateway gets on \`scope\`, by built-in name, GUID or role definition ID. Only gatelock's allowlist of data-plane reader, writer and invoker roles is accepted (${roleNames}); any other role needs \`${HATCH}\`, and roles that manage access, resources or keys (Owner, Contributor, User Access Administrator, Key Vault Administrator, Storage Account Contributor, …) are refused even then.`,
      ),
    scope: z
      .string()
      .min(1)
      .max(1000)
      .describe(
        "ARM resource ID the role is granted on: the one resource the gateway calls (e.g. `/subscriptions/<id>/resourceGroups/<rg>/providers/Microsoft.Storage/storageAccounts/<name>`). Normalised before it is checked: `.`/`..` segments, encoded `/` or `\\`, backslashes, control characters and whitespace are refused. Subscription, management group and root scopes are refused.",
      ),
    resource: z
      .string()
      .regex(TOKEN_RESOURCE, { error: "expected the resource the gateway requests a token for: an https URL, an `api://` App ID URI or an application (client) ID" })
      .max(500)
      .optional()
      .describe("Resource the gateway requests its Entra token for (the `scope` is this plus `/.default`), e.g. `https://storage.azure.com`. Defaults to the service of a built-in role named in `role`; required for a role given by GUID."),
    [HATCH]: z
      .boolean()
      .default(false)
      .describe(
        "Escape hatch: grant a `role` that is not on gatelock's allowlist of data-plane roles (a custom role, or a built-in role gatelock does not list), after you have reviewed what it allows. Accepted with a warning. Roles that manage access, resources or keys stay refused.",
      ),
  })
  .describe("Where a federated origin on Azure lives: the gateway's managed identity, and the one role it gets on one resource.");

export type ParsedAzureFederated = z.output<typeof AzureFederatedConfig>;

export interface AzureFederatedCredential {
  /** The credential's Azure name, derived from the subject (stable when subjects are reordered). */
  readonly name: string;
  readonly subject: string;
}

export interface AzureFederatedTarget {
  readonly cloud: "azure";
  readonly resourceGroup: string;
  readonly location: string;
  readonly identityName: string;
  /** One per gateway subject, in config order: created one after another. */
  readonly credentials: readonly AzureFederatedCredential[];
  readonly role: {
    readonly guid: string;
    /** Built-in role name, when gatelock knows it. */
    readonly name?: string;
    /** Role definition ID in the scope's subscription, as the role assignment takes it. */
    readonly definitionId: string;
  };
  /** ARM resource ID the role is granted on. */
  readonly scope: string;
  readonly scopeLevel: "resourceGroup" | "resource";
  /** What the gateway requests its Entra token for, without `/.default`. */
  readonly resource: string;
  /** The OAuth `scope` of the token request: `<resource>/.default`. */
  readonly tokenScope: string;
}

type At = (...rest: (string | number)[]) => string;

const ADMIN_WHY = {
  access: "manages access (role assignments, identities or access control lists)",
  resources: "manages resources on the management plane",
  keys: "can read or manage keys and every object they protect",
} as const;

/** Never echoes the scope: says what kind of thing was found, not where. */
const SCOPE_PROBLEM: Record<ScopeProblem, string> = {
  "encoded-separator": "the scope contains an encoded `/` or `\\` (`%2F`, `%5C`, or one of them encoded again); the path Azure acts on could differ from the one gatelock checks.",
  "dot-segment": "the scope contains a `.` or `..` segment (possibly percent-encoded); it could climb above the resource gatelock checks, up to the subscription.",
  backslash: "the scope contains a backslash, which some parsers read as a `/`.",
  "control-or-space": "the scope contains a control character or whitespace (possibly percent-encoded), which no ARM resource ID has.",
  "bad-encoding": "the scope contains a `%` that is not a valid percent-escape, or escapes nested more than four deep.",
};

/** Refusals specific to azure (the common trust checks run before this). */
export function checkAzureFederated(origin: ParsedFederatedOrigin, trust: FederatedTrust, at: At): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const f = origin.federated;

  // Credentials: one per subject, at most 20 on one identity, matched exactly.
  if (f.subjects.length > MAX_AZURE_CREDENTIALS) {
    issues.push(
      unsafe(
        at("federated", "subjects"),
        `Azure allows at most ${MAX_AZURE_CREDENTIALS} federated credentials on one managed identity, and gatelock creates one per subject (${f.subjects.length} listed).`,
        `list at most ${MAX_AZURE_CREDENTIALS} subjects, or split the gateway's environments over several origins (one identity each).`,
      ),
    );
  }
  if (f.dangerouslyAllowWildcardSubjects) {
    f.subjects.forEach((s, i) => {
      if (isPattern(s)) {
        issues.push(
          unsafe(
            at("federated", "subjects", i),
            "Azure federated credentials have no wildcards: the pattern would be compared literally, and `dangerouslyAllowWildcardSubjects` cannot change that on Azure.",
            "list each exact subject (at most 20 per identity).",
          ),
        );
      }
    });
  }
  if (trust.issuer.length > MAX_CLAIM_LENGTH) {
    issues.push(invalid(configKey(["gateway", "identity", "issuer"]), `Azure federated credentials take an issuer of at most ${MAX_CLAIM_LENGTH} characters.`, "use a shorter issuer URL."));
  }

  // The audience: Entra accepts exactly one, `api://AzureADTokenExchange`, on a managed identity.
  if (f.audience !== undefined && f.audience !== AZURE_FEDERATED_AUDIENCE) {
    issues.push(
      invalid(
        at("federated", "audience"),
        `a managed identity's federated credential takes exactly one audience, \`${AZURE_FEDERATED_AUDIENCE}\`; Entra would refuse any other token. (It does not separate tenants: the gateway chooses the audience it requests; the subject does.)`,
        "remove `audience` (gatelock pins `api://AzureADTokenExchange`).",
      ),
    );
  }
  // Azure matches issuer, subject and audience only: a pinned claim would silently not be checked.
  if (f.claims && Object.keys(f.claims).length > 0) {
    issues.push(
      conflict(
        at("federated", "claims"),
        "Azure federated credentials match only issuer, subject and audience; these claims would not be checked.",
        "remove `claims` and pin the gateway's exact subjects instead.",
      ),
    );
  }

  const a = origin.azure;
  if (!a) return issues; // the common check reports the missing block

  if (AZURE_REGIONS_WITHOUT_FEDERATED_CREDENTIALS.has(a.location)) {
    issues.push(invalid(at("azure", "location"), "Azure does not support federated credentials on user-assigned identities created in this region.", "create the identity in another region (it can still call resources here)."));
  }

  // The scope, normalised first: everything below looks only at the normalised form.
  const normalised = normaliseScope(a.scope);
  const scope = normalised.ok ? classifyScope(normalised.scope) : undefined;

  // The role: an allowlist of data-plane roles; never one that manages access, resources or keys.
  const role = resolveRole(a.role);
  if (!role.ok) {
    if (role.problem === "admin") {
      issues.push(
        unsafe(
          at("azure", "role"),
          `\`${role.name}\` ${ADMIN_WHY[adminKind(role.name) ?? "resources"]}; a gateway holding it could take over more than the data it calls. \`${HATCH}\` does not allow it.`,
          "grant a data-plane role on the one resource the gateway calls, e.g. `Storage Blob Data Reader`, `Azure Service Bus Data Sender` or `Cognitive Services OpenAI User`.",
        ),
      );
    } else if (role.problem === "unknown-name") {
      issues.push(invalid(at("azure", "role"), "not a built-in role gatelock knows by name.", `use one of ${roleNames}, or give the role definition's GUID.`));
    } else {
      issues.push(invalid(at("azure", "role"), "expected a built-in role name, a role definition GUID or `/subscriptions/<id>/providers/Microsoft.Authorization/roleDefinitions/<guid>`.", "give the role definition's GUID."));
    }
  } else {
    if (!isListedRole(role.guid) && !a[HATCH]) {
      const what = role.name
        ? `\`${role.name}\` is not on gatelock's allowlist of data-plane reader, writer and invoker roles: it allows more than a gateway needs.`
        : "this role is not one gatelock knows (a custom role, or a built-in role gatelock does not list), so gatelock cannot tell what the gateway could do with it.";
      issues.push(unsafe(at("azure", "role"), what, `grant an allowlisted data-plane role (${roleNames}); or, once you have reviewed what this role allows, set \`azure.${HATCH}: true\`.`));
    }
    if (role.subscription && scope?.subscription && role.subscription !== scope.subscription) {
      issues.push(conflict(at("azure", "role"), "the role definition ID names another subscription than `scope`.", "give the role definition's GUID alone; gatelock places it in the scope's subscription."));
    }
    if (!role.resource && a.resource === undefined) {
      issues.push(missingIssue(at("azure", "resource"), "gatelock cannot tell which service a role given by GUID is for, so it does not know what the gateway should request a token for.", "set `resource`, e.g. `https://storage.azure.com` or the App ID URI of your API."));
    }
  }

  // The scope: one resource (or, with a warning, one resource group), never wider.
  if (!normalised.ok) {
    issues.push(unsafe(at("azure", "scope"), SCOPE_PROBLEM[normalised.problem], "give the resource's ARM ID exactly as Azure prints it (`az resource show --query id`): plain `/` separators, no `.` or `..` segments, no percent-encoding of separators."));
  } else if (!scope) {
    issues.push(invalid(at("azure", "scope"), "expected an ARM resource ID (`/subscriptions/<id>/resourceGroups/<rg>/providers/<namespace>/<type>/<name>`).", "copy the resource's ID from its JSON view in the portal, or `az resource show --query id`."));
  } else if (scope.level === "root" || scope.level === "managementGroup" || scope.level === "subscription") {
    const what = scope.level === "subscription" ? "a whole subscription" : scope.level === "managementGroup" ? "a whole management group" : "the whole tenant";
    issues.push(unsafe(at("azure", "scope"), `the role would cover ${what}, not the resource the gateway calls.`, "grant the role on the one resource the gateway calls (its ARM resource ID)."));
  }

  if (a.resource?.endsWith("/.default")) {
    issues.push(invalid(at("azure", "resource"), "`/.default` is added by gatelock.", "remove the `/.default` suffix."));
  }
  return issues;
}

/**
 * Refusals across origins: two Azure origins must not share a managed identity. Azure would
 * see one identity (an ARM PUT adopts an existing name), two Pulumi resources would fight
 * over it, deleting one origin would delete the other's identity, and their credentials
 * would count against one cap of 20. `at(i, ...)` names a key of origin `i`.
 */
export function checkAzureFederatedOrigins(
  origins: readonly { readonly name: string; readonly method: string; readonly cloud: string; readonly azure?: unknown }[],
  stack: string,
  at: (index: number, ...rest: (string | number)[]) => string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  origins.forEach((o, i) => {
    if (o.method !== "federated" || o.cloud !== "azure" || !o.azure) return;
    const a = o.azure as ParsedAzureFederated;
    const name = a.identityName ?? defaultIdentityName(stackSlug(stack), o.name);
    // Resource group and identity names are case-insensitive in ARM.
    const key = `${a.resourceGroup}/${name}`.toLowerCase();
    const first = seen.get(key);
    if (first === undefined) seen.set(key, i);
    else {
      issues.push(
        conflict(
          at(i, "azure", a.identityName ? "identityName" : "resourceGroup"),
          `this origin's managed identity is already gatelock:origins[${first}]'s (same resource group and name).`,
          "give each Azure origin its own `identityName`.",
        ),
      );
    }
  });
  return issues;
}

/** Accepted, but worth a reviewer's eye. */
export function azureFederatedWarnings(origin: ParsedFederatedOrigin, at: At): { path: string; code: WarningCode; message: string; fix: string }[] {
  const a = origin.azure;
  if (origin.cloud !== "azure" || !a) return [];
  const out: { path: string; code: WarningCode; message: string; fix: string }[] = [];
  const role = resolveRole(a.role);
  if (role.ok && !isListedRole(role.guid) && a[HATCH]) {
    out.push({
      path: at("azure", "role"),
      code: "WARN_UNLISTED_ROLE",
      message: role.name
        ? `\`${role.name}\` is not on gatelock's allowlist of data-plane roles; \`${HATCH}\` lets the gateway hold it.`
        : `gatelock does not know this role, so it cannot tell what the gateway may do with it; \`${HATCH}\` lets the gateway hold it.`,
      fix: "review what the role allows on the scope, and prefer an allowlisted data-plane role.",
    });
  }
  if (classifyScope(a.scope)?.level === "resourceGroup") {
    out.push({
      path: at("azure", "scope"),
      code: "WARN_BROAD_SCOPE",
      message: "the role covers every resource in the resource group, not only the one the gateway calls.",
      fix: "grant the role on the one resource the gateway calls (its ARM resource ID).",
    });
  }
  return out;
}

export function toAzureFederatedTarget(origin: ParsedFederatedOrigin, stack: string): AzureFederatedTarget {
  const a = origin.azure!;
  const role = resolveRole(a.role);
  const normalised = normaliseScope(a.scope);
  const scope = normalised.ok ? classifyScope(normalised.scope) : undefined;
  if (!normalised.ok || !role.ok || (!isListedRole(role.guid) && !a[HATCH]) || !scope?.subscription || (scope.level !== "resource" && scope.level !== "resourceGroup")) {
    // buildModel runs checkAzureFederated first, so this is a caller bypassing the model.
    throw new TypeError(`toAzureFederatedTarget: origin ${origin.name} has not passed checkAzureFederated`);
  }
  const resource = (a.resource ?? role.resource!).replace(/\/+$/, "");
  return {
    cloud: "azure",
    resourceGroup: a.resourceGroup,
    location: a.location,
    identityName: a.identityName ?? defaultIdentityName(stackSlug(stack), origin.name),
    credentials: origin.federated.subjects.map((subject) => ({ name: credentialName(subject), subject })),
    role: { guid: role.guid, ...(role.name ? { name: role.name } : {}), definitionId: roleDefinitionIdIn(scope.subscription, role.guid) },
    scope: normalised.scope,
    scopeLevel: scope.level,
    resource,
    tokenScope: `${resource}/.default`,
  };
}

export function describeAzureFederated(origin: import("../model").FederatedOrigin, target: AzureFederatedTarget): import("./describe").TrustTargetDescription {
  const role = target.role.name ?? `role ${target.role.guid}`;
  return {
    kind: `Azure user-assigned managed identity with ${target.credentials.length} federated credential${target.credentials.length === 1 ? "" : "s"}; ${role} on the ${target.scopeLevel === "resource" ? "resource" : "resource group"}`,
    location: `${target.identityName} (resource group ${target.resourceGroup}, ${target.location}) → ${target.scope}`,
    readers: target.credentials.map((c) => `tokens from ${origin.trust.issuer} with sub = ${c.subject} and aud = ${origin.trust.audience}`),
  };
}

export { ADMIN_ROLES, DATA_PLANE_ROLES };
