/**
 * App Service / Functions authentication ("Easy Auth" v2) for an origin that accepts only the
 * Entra token Zuplo's `upstream-azure-ad-service-auth-inbound` policy sends (pure: the inputs
 * of azure-native `web.WebAppAuthSettingsV2`, and of `app.ContainerAppsAuthConfig`).
 *
 * Zuplo asks for `<clientId>/.default` with the app's own secret, so the token's audience and
 * its calling application are both the client ID. Everything else is refused:
 * - authentication is required, and an unauthenticated request gets 401 (not a login redirect);
 * - the issuer is the tenant's v2.0 issuer, so another tenant's token (signed with the same
 *   Microsoft keys) and a v1 token fail;
 * - the allowed audiences and allowed client applications are exactly the client ID, so a
 *   token another app in the tenant obtained fails (403), whatever it was issued for;
 * - optionally the caller's service principal is pinned too (`oid`).
 * Easy Auth does not check `roles`; the app role assignment, required on the service
 * principal, is what keeps other clients from getting a token at all.
 *
 * No client secret appears here: validating bearer tokens needs none.
 */
import { ENTRA_AUTHORITY_HOST, entraIssuer, GUID } from "./entra";

export interface EasyAuthInput {
  /** The directory (tenant) ID. */
  readonly tenantId: string;
  /** The app registration's application (client) ID that Zuplo authenticates as. */
  readonly clientId: string;
  /** The object ID of that app's service principal, to pin `oid` as well. */
  readonly servicePrincipalObjectId?: string;
  /** Sovereign clouds only. Default `https://login.microsoftonline.com`. */
  readonly authorityHost?: string;
}

/** The Azure AD identity provider block, identical for App Service and Container Apps. */
export interface EasyAuthAzureActiveDirectory {
  readonly enabled: true;
  readonly registration: { readonly clientId: string; readonly openIdIssuer: string };
  readonly validation: {
    readonly allowedAudiences: readonly string[];
    readonly defaultAuthorizationPolicy: {
      readonly allowedApplications: readonly string[];
      readonly allowedPrincipals?: { readonly identities: readonly string[] };
    };
    readonly jwtClaimChecks: { readonly allowedClientApplications: readonly string[] };
  };
}

/** Inputs of `azure-native:web:WebAppAuthSettingsV2` (add `name` and `resourceGroupName`). */
export interface WebAppAuthSettingsV2Document {
  readonly platform: { readonly enabled: true };
  readonly globalValidation: { readonly requireAuthentication: true; readonly unauthenticatedClientAction: "Return401" };
  readonly httpSettings: { readonly requireHttps: true };
  readonly identityProviders: { readonly azureActiveDirectory: EasyAuthAzureActiveDirectory };
}

/** Inputs of `azure-native:app:ContainerAppsAuthConfig` (add `resourceGroupName`, `containerAppName`, `authConfigName: "current"`). */
export interface ContainerAppsAuthConfigDocument {
  readonly platform: { readonly enabled: true };
  // Container Apps have no `requireAuthentication`: the unauthenticated action alone decides.
  readonly globalValidation: { readonly unauthenticatedClientAction: "Return401" };
  readonly httpSettings: { readonly requireHttps: true };
  readonly identityProviders: { readonly azureActiveDirectory: EasyAuthAzureActiveDirectory };
}

function guid(name: string, value: unknown): string {
  if (typeof value !== "string" || !GUID.test(value)) throw new TypeError(`Easy Auth settings: \`${name}\` must be a GUID`);
  return value.toLowerCase();
}

function azureActiveDirectory(input: EasyAuthInput): EasyAuthAzureActiveDirectory {
  const tenantId = guid("tenantId", input.tenantId);
  const clientId = guid("clientId", input.clientId);
  const sp = input.servicePrincipalObjectId === undefined ? undefined : guid("servicePrincipalObjectId", input.servicePrincipalObjectId);
  const host = input.authorityHost ?? ENTRA_AUTHORITY_HOST;
  if (!/^https:\/\/[a-z0-9.-]+$/i.test(host)) throw new TypeError("Easy Auth settings: `authorityHost` must be an https origin such as https://login.microsoftonline.com");
  return {
    enabled: true,
    registration: { clientId, openIdIssuer: entraIssuer(tenantId, host) },
    validation: {
      allowedAudiences: [clientId],
      defaultAuthorizationPolicy: { allowedApplications: [clientId], ...(sp ? { allowedPrincipals: { identities: [sp] } } : {}) },
      jwtClaimChecks: { allowedClientApplications: [clientId] },
    },
  };
}

/** Easy Auth v2 settings for an App Service or Function App origin. */
export function webAppAuthSettingsV2(input: EasyAuthInput): WebAppAuthSettingsV2Document {
  return {
    platform: { enabled: true },
    globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" },
    httpSettings: { requireHttps: true },
    identityProviders: { azureActiveDirectory: azureActiveDirectory(input) },
  };
}

/** The equivalent auth config for a Container Apps origin. */
export function containerAppsAuthConfig(input: EasyAuthInput): ContainerAppsAuthConfigDocument {
  return {
    platform: { enabled: true },
    globalValidation: { unauthenticatedClientAction: "Return401" },
    httpSettings: { requireHttps: true },
    identityProviders: { azureActiveDirectory: azureActiveDirectory(input) },
  };
}
