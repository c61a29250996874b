/**
 * Entra ID's well-known URLs and ID format (pure), shared by the origin's token verifier
 * (`gatelock/origin`) and the Easy Auth settings, so both pin the same issuer.
 */

/** Entra ID's public-cloud authority. */
export const ENTRA_AUTHORITY_HOST = "https://login.microsoftonline.com";

/** Directory (tenant), client and object IDs: GUIDs. */
export const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The `iss` Entra writes into a tenant's v2.0 access tokens. */
export function entraIssuer(tenantId: string, authorityHost: string = ENTRA_AUTHORITY_HOST): string {
  return `${authorityHost}/${tenantId}/v2.0`;
}

/** Where a tenant publishes its v2.0 signing keys. */
export function entraJwksUri(tenantId: string, authorityHost: string = ENTRA_AUTHORITY_HOST): string {
  return `${authorityHost}/${tenantId}/discovery/v2.0/keys`;
}
