/**
 * Faithful fakes of the Entra ID (`@pulumi/azuread` 6.x) resources method 3 creates, keyed by
 * Pulumi type token. Not registered in fakes.ts by this module: spread `AZUREAD_FAKES` there.
 *
 * Outputs have what Microsoft Graph and the provider return: GUIDs for client and object IDs,
 * `id` = `/applications/<objectId>` and `/servicePrincipals/<objectId>`, an app's
 * `appRoleIds` (role value → role ID), a password's `keyId`, `startDate` and `endDate`
 * (Graph's default is two years), and its `value`, a 40-character Entra-style secret, marked
 * secret as the SDK marks it (`additionalSecretOutputs: ["value"]`). An unchanged application
 * or service principal keeps its IDs across runs; passwords and role assignments, whose every
 * input forces replacement, keep theirs only while their inputs stay the same.
 *
 * Refused as Graph or the provider refuses: an unknown `signInAudience`, personal-account
 * audiences without v2 tokens, malformed or repeated app roles, a wildcard identifier URI,
 * a service principal for an application that does not exist or already has one, a password
 * whose `applicationId` is a client ID instead of `/applications/<objectId>` or whose end date
 * has passed, and a role assignment for a role the resource does not define or that exists.
 */
import { GUID } from "../documents/entra";
import { randomBytes, randomInt, randomUUID } from "node:crypto";
import { alnum, type Fake, type FakeContext, reveal, secretValue } from "./fake-kit";

export const SIGN_IN_AUDIENCES = ["AzureADMyOrg", "AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"] as const;
/** Graph's default lifetime of a password credential without an end date. */
const DEFAULT_PASSWORD_YEARS = 2;
/** The default access role every resource has when it defines no app roles. */
const DEFAULT_ACCESS_ROLE = "00000000-0000-0000-0000-000000000000";
const RFC3339 = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

interface KnownApp {
  readonly objectId: string;
  readonly clientId: string;
  readonly displayName: string;
  readonly appRoleIds: Record<string, string>;
  readonly identifierUris: string[];
}
interface KnownSp {
  readonly objectId: string;
  readonly clientId: string;
  readonly displayName: string;
  readonly appRoleIds: Record<string, string>;
}

/** Per run (keyed by the run's options object): the directory objects registered so far. */
const runs = new WeakMap<object, { apps: Map<string, KnownApp>; sps: Map<string, KnownSp>; assignments: Set<string> }>();
function directory(ctx: FakeContext) {
  let d = runs.get(ctx.options);
  if (!d) runs.set(ctx.options, (d = { apps: new Map(), sps: new Map(), assignments: new Set() }));
  return d;
}

function reject(type: string, status: number, message: string): never {
  throw new Error(`${type}: ${status} ${message} (Microsoft Graph would reject this request)`);
}

function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(reveal(v)));
}

/** Entra client secrets: 40 characters, the 4th-6th `<digit>Q~` (a version marker), then random. */
function entraSecret(): string {
  const tail = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-.~";
  return `${alnum(3)}${randomInt(10)}Q~${Array.from({ length: 34 }, () => tail[randomInt(tail.length)]).join("")}`;
}

/** Go's `time.ParseDuration` for the units the provider documents (`h`, `m`, `s`). */
function goDuration(text: string): number | undefined {
  if (!/^(\d+(\.\d+)?(h|m|s))+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, n, , unit] of text.matchAll(/(\d+(\.\d+)?)(h|m|s)/g)) ms += Number(n) * (unit === "h" ? 3_600_000 : unit === "m" ? 60_000 : 1000);
  return ms;
}

function rfc3339(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

interface AppRoleInput {
  id?: unknown;
  value?: unknown;
  allowedMemberTypes?: unknown;
  displayName?: unknown;
  description?: unknown;
  enabled?: unknown;
}

function checkAppRoles(type: string, roles: AppRoleInput[], scopeValues: string[]): Record<string, string> {
  const ids = new Set<string>();
  const values = new Set<string>(scopeValues);
  const appRoleIds: Record<string, string> = {};
  for (const role of roles) {
    if (typeof role.id !== "string" || !GUID.test(role.id)) reject(type, 400, "Invalid value specified for property 'id' of resource 'AppRole'.");
    if (ids.has(role.id.toLowerCase())) reject(type, 400, "Request contains a property with duplicate values: appRoles.id.");
    ids.add(role.id.toLowerCase());
    const members = role.allowedMemberTypes;
    if (!Array.isArray(members) || members.length === 0 || members.some((m) => m !== "User" && m !== "Application")) {
      reject(type, 400, "Invalid value specified for property 'allowedMemberTypes' of resource 'AppRole'.");
    }
    if (typeof role.displayName !== "string" || role.displayName.length === 0 || typeof role.description !== "string" || role.description.length === 0) {
      reject(type, 400, "An app role needs a displayName and a description.");
    }
    if (role.value !== undefined) {
      if (typeof role.value !== "string" || !/^(?!\.)[\x21-\x7e]{1,249}$/.test(role.value)) reject(type, 400, "Invalid value specified for property 'value' of resource 'AppRole'.");
      // App role and permission scope values share one namespace.
      if (values.has(role.value)) reject(type, 400, "Request contains a property with duplicate values: appRoles.value.");
      values.add(role.value);
      appRoleIds[role.value] = role.id;
    }
  }
  return appRoleIds;
}

export const AZUREAD_FAKES: Record<string, Fake> = {
  "azuread:index/application:Application": ({ type, inputs }, ctx) => {
    const { prior, invent } = ctx;
    const i = reveal(inputs) as Record<string, unknown>;
    if (typeof i.displayName !== "string" || i.displayName.trim().length === 0) reject(type, 400, "Invalid value specified for property 'displayName' of resource 'Application'.");
    const signInAudience = (i.signInAudience as string | undefined) ?? "AzureADMyOrg";
    if (!(SIGN_IN_AUDIENCES as readonly string[]).includes(signInAudience)) reject(type, 400, "Invalid value specified for property 'signInAudience' of resource 'Application'.");
    const api = (i.api ?? {}) as Record<string, unknown>;
    const version = api.requestedAccessTokenVersion ?? 1;
    if (version !== 1 && version !== 2) reject(type, 400, "Property api.requestedAccessTokenVersion is invalid.");
    if (signInAudience.includes("PersonalMicrosoftAccount") && version !== 2) {
      reject(type, 400, "Property api.requestedAccessTokenVersion is invalid: personal Microsoft accounts need version 2.");
    }
    const identifierUris = ((i.identifierUris as unknown[] | undefined) ?? []).map(String);
    for (const uri of identifierUris) {
      if (uri.includes("*") || !/^[a-z][a-z0-9+.-]*:\/*[^\s]+$/i.test(uri)) reject(type, 400, "Invalid value specified for property 'identifierUris' of resource 'Application'.");
    }
    const scopes = ((api.oauth2PermissionScopes as Array<{ value?: unknown }> | undefined) ?? []).map((s) => String(s.value ?? ""));
    const appRoleIds = checkAppRoles(type, (i.appRoles as AppRoleInput[] | undefined) ?? [], scopes.filter(Boolean));

    // Updates happen in place: the application keeps its object and client IDs.
    const objectId = (prior?.state.objectId as string | undefined) ?? invent(randomUUID, `<object ID of ${i.displayName}>`);
    const clientId = (prior?.state.clientId as string | undefined) ?? invent(randomUUID, `<client ID of ${i.displayName}>`);
    directory(ctx).apps.set(objectId, { objectId, clientId, displayName: i.displayName, appRoleIds, identifierUris });
    return {
      id: `/applications/${objectId}`,
      state: {
        ...inputs,
        objectId,
        clientId,
        signInAudience,
        api: { ...api, requestedAccessTokenVersion: version, oauth2PermissionScopes: api.oauth2PermissionScopes ?? [] },
        appRoles: i.appRoles ?? [],
        appRoleIds,
        oauth2PermissionScopeIds: {},
        identifierUris,
        owners: i.owners ?? [],
        disabledByMicrosoft: "",
        tags: i.tags ?? [],
      },
    };
  },

  "azuread:index/servicePrincipal:ServicePrincipal": ({ type, inputs }, ctx) => {
    const { options, prior, invent } = ctx;
    const i = reveal(inputs) as Record<string, unknown>;
    const clientId = String(i.clientId ?? "");
    if (!GUID.test(clientId)) reject(type, 400, "Invalid value specified for property 'appId' of resource 'ServicePrincipal'.");
    const d = directory(ctx);
    const app = [...d.apps.values()].find((a) => a.clientId === clientId.toLowerCase());
    if (!app) reject(type, 400, `The appId '${clientId}' of the service principal does not reference a valid application object.`);
    // One service principal per application in a tenant; `useExisting` adopts it instead.
    const existing = [...d.sps.values()].find((sp) => sp.clientId === app.clientId);
    if (existing && i.useExisting !== true) reject(type, 409, "Another object with the same value for property servicePrincipalNames already exists.");
    const objectId = existing?.objectId ?? (prior?.state.objectId as string | undefined) ?? invent(randomUUID, `<object ID of the service principal of ${app.displayName}>`);
    d.sps.set(objectId, { objectId, clientId: app.clientId, displayName: app.displayName, appRoleIds: app.appRoleIds });
    return {
      id: `/servicePrincipals/${objectId}`,
      state: {
        ...inputs,
        objectId,
        clientId: app.clientId,
        displayName: app.displayName,
        appRoleAssignmentRequired: i.appRoleAssignmentRequired ?? false,
        appRoleIds: app.appRoleIds,
        accountEnabled: true,
        applicationTenantId: options.azureTenantId,
        servicePrincipalNames: [app.clientId, ...app.identifierUris],
        type: "Application",
        owners: i.owners ?? [],
      },
    };
  },

  "azuread:index/applicationPassword:ApplicationPassword": ({ type, inputs }, ctx) => {
    const { options, prior, invent } = ctx;
    const i = reveal(inputs) as Record<string, unknown>;
    const applicationId = String(i.applicationId ?? "");
    const m = /^\/applications\/([0-9a-f-]{36})$/i.exec(applicationId);
    if (!m || !GUID.test(m[1]!)) {
      // The provider's own parse error, before any Graph call (the v6 rename's classic mistake).
      throw new Error(
        `${type}: parsing applicationId: expected the application's resource ID /applications/{objectId}${GUID.test(applicationId) ? ", got a bare GUID (a client ID?)" : ""}`,
      );
    }
    const objectId = m[1]!.toLowerCase();
    const app = directory(ctx).apps.get(objectId);
    if (!app) reject(type, 404, `Resource '${objectId}' does not exist or one of its queried reference-property objects are not present.`);
    if (i.endDate !== undefined && i.endDateRelative !== undefined) throw new Error(`${type}: only one of endDate and endDateRelative may be set`);

    // Every input forces a new password: unchanged inputs keep the one created before.
    if (prior !== undefined && canonical(prior.inputs) === canonical(inputs)) return { id: prior.id, state: prior.state };

    const now = options.now();
    const parse = (name: string, value: unknown): Date => {
      if (typeof value !== "string" || !RFC3339.test(value) || Number.isNaN(Date.parse(value))) throw new Error(`${type}: ${name} must be an RFC3339 date such as 2026-01-31T00:00:00Z`);
      return new Date(value);
    };
    const start = i.startDate !== undefined ? parse("startDate", i.startDate) : now;
    let end: Date;
    if (i.endDate !== undefined) end = parse("endDate", i.endDate);
    else if (i.endDateRelative !== undefined) {
      const ms = goDuration(String(i.endDateRelative));
      if (ms === undefined) throw new Error(`${type}: endDateRelative must be a duration such as 2160h`);
      end = new Date(start.getTime() + ms);
    } else {
      end = new Date(start);
      end.setUTCFullYear(end.getUTCFullYear() + DEFAULT_PASSWORD_YEARS);
    }
    if (end.getTime() <= now.getTime() || end.getTime() <= start.getTime()) reject(type, 400, "Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.");

    const keyId = invent(randomUUID, `<key ID of a password of ${app.displayName}>`);
    return {
      id: `${objectId}/password/${keyId}`,
      state: {
        ...inputs,
        applicationId: `/applications/${objectId}`,
        keyId,
        startDate: rfc3339(start),
        endDate: rfc3339(end),
        // Returned once, on create; the SDK marks it secret (applicationPassword.js).
        value: secretValue(entraSecret()),
      },
    };
  },

  "azuread:index/appRoleAssignment:AppRoleAssignment": ({ type, inputs }, ctx) => {
    const { prior, invent } = ctx;
    const i = reveal(inputs) as Record<string, unknown>;
    for (const key of ["appRoleId", "principalObjectId", "resourceObjectId"] as const) {
      if (typeof i[key] !== "string" || !GUID.test(i[key] as string)) reject(type, 400, `Invalid value specified for property '${key}' of resource 'AppRoleAssignment'.`);
    }
    const [role, principal, resource] = [i.appRoleId, i.principalObjectId, i.resourceObjectId].map((v) => String(v).toLowerCase()) as [string, string, string];
    const d = directory(ctx);
    const resourceSp = d.sps.get(resource);
    if (!resourceSp) reject(type, 404, `Resource '${resource}' does not exist or one of its queried reference-property objects are not present.`);
    const roles = Object.values(resourceSp.appRoleIds).map((r) => r.toLowerCase());
    if (!roles.includes(role) && !(role === DEFAULT_ACCESS_ROLE && roles.length === 0)) reject(type, 400, "Permission being assigned was not found on application.");
    const key = `${resource}|${principal}|${role}`;
    if (d.assignments.has(key)) reject(type, 400, "Permission being assigned already exists on the object.");
    d.assignments.add(key);

    if (prior !== undefined && canonical(prior.inputs) === canonical(inputs)) return { id: prior.id, state: prior.state };
    // Graph's assignment IDs are 43-character base64url strings, not GUIDs.
    const assignmentId = invent(() => randomBytes(32).toString("base64url").slice(0, 43), "<app role assignment ID>");
    const principalSp = d.sps.get(principal);
    return {
      id: `/servicePrincipals/${resource}/appRoleAssignedTo/${assignmentId}`,
      state: {
        ...inputs,
        resourceDisplayName: resourceSp.displayName,
        ...(principalSp ? { principalDisplayName: principalSp.displayName, principalType: "ServicePrincipal" } : {}),
      },
    };
  },
};
