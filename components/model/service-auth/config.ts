/**
 * Method 3, upstream service auth: the gateway holds a cloud credential and sends a token
 * minted from it; the cloud's own IAM checks that token in front of the origin.
 *
 * - Azure: an Entra app registration per origin whose client secret the gateway holds
 *   (Zuplo's `upstream-azure-ad-service-auth-inbound` asks for `<client ID>/.default`, so the
 *   token is always for the app itself); the origin's Easy Auth accepts exactly that app.
 * - GCP: one service account per stack and Zuplo policy type, whose key the gateway holds
 *   (Zuplo's runtime keeps the first service account it parses per policy type), granted
 *   the invoker role on each origin; or a self-signed JWT for Cloud Endpoints / API Gateway.
 */
import { z } from "zod";
import { GcpCloudRunTargetConfig } from "../federated/gcp";
import { AZURE_RG, GCP_PROJECT, gcpRegion, GUID, httpsOrLoopbackUrl, originName, runServiceName } from "../primitives";

/** Entra caps a client secret's lifetime at two years; the credential must expire before. */
export const MAX_CREDENTIAL_DAYS = 730;
/**
 * A credential stays valid this long after rotation and overlap: a rotation that `pulumi up`
 * performs up to a week late still leaves the old credential its whole overlap.
 */
export const CREDENTIAL_GRACE_DAYS = 7;

/** An app role value: no spaces, no leading dot (Entra's rule), at most 120 characters. */
const APP_ROLE_VALUE = /^(?!\.)[A-Za-z0-9!#$%&'()*+,\-./:;<=>?@[\]^_`{|}~]{1,120}$/;
/** App Service, Function App and Container App names. */
const SITE_NAME = /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,58}[A-Za-z0-9])?$/;
const SERVICE_ACCOUNT_ID = /^[a-z][a-z0-9-]{4,28}[a-z0-9]$/;
/** An Endpoints or API Gateway managed service name (a DNS name). */
const ENDPOINTS_SERVICE = /^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;
/** OAuth scopes of Google APIs. */
const GOOGLE_SCOPE = /^https:\/\/www\.googleapis\.com\/auth\/[a-z0-9._-]+$/;

export const ServiceAuthCredentialConfig = z
  .strictObject({
    rotateAfterDays: z
      .int()
      .min(1)
      .max(MAX_CREDENTIAL_DAYS)
      .default(90)
      .describe("Replace the gateway's credential (Entra client secret, GCP key) after this many days. Every credential gatelock creates expires: rotation plus overlap, and a week's grace for a late `pulumi up`."),
    overlapDays: z
      .int()
      .min(0)
      .max(90)
      .default(14)
      .describe("After a rotation, keep the previous credential valid for this many days, so a gateway that has not redeployed yet still gets tokens."),
    rotation: z.int().min(0).default(0).describe("Increase by one to force a rotation now (each step rotates once)."),
  })
  .describe("How the gateway's credential is rotated: two slots, the new one written to the gateway before the old one is deleted.");

const SiteConfig = z.strictObject({
  name: z.string().regex(SITE_NAME, { error: "expected an App Service, Function App or Container App name" }),
  resourceGroup: z.string().regex(AZURE_RG, { error: "expected an Azure resource group name" }),
});

export const AzureServiceAuthConfig = z
  .strictObject({
    tenantId: z
      .string()
      .regex(GUID, { error: "expected a tenant ID (a GUID)" })
      .optional()
      .describe("Tenant of the app registration (default: the tenant of the `azuread` provider's credentials). Its v2 issuer is what the origin trusts."),
    appName: z
      .string()
      .min(1)
      .max(120)
      .optional()
      .describe("Display name of the app registration gatelock creates (default `gatelock-<stack>-<origin>`)."),
    appRole: z
      .string()
      .regex(APP_ROLE_VALUE, { error: "expected an app role value: no spaces, not starting with a dot (e.g. `Gateway.Invoke`)" })
      .default("Gateway.Invoke")
      .describe("The application role the gateway's token carries in `roles`; assigned to the app's own service principal only."),
    signInAudience: z
      .string()
      .default("AzureADMyOrg")
      .describe("Who may sign in to the app registration. Only `AzureADMyOrg` (this tenant) is accepted: a multi-tenant app would let other tenants' clients request tokens for the origin."),
    appService: SiteConfig.optional().describe("Turn on Easy Auth (v2) on this App Service or Function App: authentication required, 401 otherwise, only this app's tokens."),
    containerApp: SiteConfig.optional().describe("Turn on authentication on this Container App, accepting only this app's tokens."),
  })
  .describe("The Entra app registration whose client secret the gateway holds, and the origin that accepts its tokens.");

export const GcpEndpointsTargetConfig = z
  .strictObject({
    serviceName: z
      .string()
      .regex(ENDPOINTS_SERVICE, { error: "expected a managed service name (e.g. `orders.endpoints.acme-prod.cloud.goog`)" })
      .describe("The Cloud Endpoints or API Gateway managed service that checks the gateway's self-signed JWT."),
    audience: z
      .string()
      .min(1)
      .max(2048)
      .optional()
      .describe("The JWT's `aud`, listed in the service's `x-google-audiences` (default: the origin `url`)."),
  })
  .describe("A Cloud Endpoints (ESPv2) or API Gateway service in front of the origin.");

/** An IAP OAuth client ID: `<project number>-<id>.apps.googleusercontent.com`. */
const IAP_CLIENT_ID = /^\d+-[a-z0-9]+\.apps\.googleusercontent\.com$/;

export const GcpIapTargetConfig = z
  .strictObject({
    service: runServiceName.describe("The Cloud Run service behind Identity-Aware Proxy (IAP turned on for it)."),
    location: gcpRegion.describe("Region of the service."),
    project: z.string().regex(GCP_PROJECT, { error: "expected a GCP project ID (e.g. `acme-prod`)" }).optional().describe("Project of the service (default: `gcp.project`)."),
    audience: z
      .string()
      .regex(IAP_CLIENT_ID, { error: "expected the IAP OAuth client ID (`<number>-<id>.apps.googleusercontent.com`)" })
      .describe("IAP's OAuth client ID: the audience of the ID token IAP accepts."),
  })
  .describe("A Cloud Run service behind Identity-Aware Proxy: the gateway's account gets `roles/iap.httpsResourceAccessor` on it alone.");

export const GcpServiceAuthConfig = z
  .strictObject({
    project: z
      .string()
      .regex(GCP_PROJECT, { error: "expected a GCP project ID (e.g. `acme-prod`)" })
      .describe("Project of the gateway's service account (one per stack and token kind; every origin of that kind names the same project)."),
    token: z
      .enum(["id-token", "self-signed-jwt"])
      .default("id-token")
      .describe("`id-token`: Zuplo's GCP Service Auth policy gets a Google-signed ID token for Cloud Run (`gcp.cloudRun`, also Cloud Functions 2nd gen by their service) or IAP (`gcp.iap`), or an access token for Google APIs (`gcp.scopes`). `self-signed-jwt`: Zuplo's GCP JWT policy signs a JWT with the key itself, for Cloud Endpoints / API Gateway (`gcp.endpoints`)."),
    serviceAccountId: z
      .string()
      .regex(SERVICE_ACCOUNT_ID, { error: "expected a service account ID (6-30 lower-case letters, digits and dashes, a letter first)" })
      .optional()
      .describe("ID of the gateway's service account (default `gl-<stack>-svc` for ID tokens, `gl-<stack>-jwt` for self-signed JWTs). Every origin of the same token kind must agree."),
    cloudRun: GcpCloudRunTargetConfig.optional(),
    iap: GcpIapTargetConfig.optional(),
    endpoints: GcpEndpointsTargetConfig.optional(),
    scopes: z
      .array(z.string().regex(GOOGLE_SCOPE, { error: "expected a Google API scope (https://www.googleapis.com/auth/…)" }))
      .optional()
      .describe("Google API scopes: the gateway sends an access token instead of an ID token. Grant the service account the roles it needs on the API yourself."),
  })
  .describe("The service account whose key the gateway holds, and what it may call.");

export const ServiceAuthOriginConfig = z
  .strictObject({
    name: originName,
    method: z.literal("service-auth"),
    cloud: z.enum(["azure", "gcp"]),
    url: httpsOrLoopbackUrl.optional().describe("The origin's base URL, as the gateway forwards to it."),
    serviceAuth: ServiceAuthCredentialConfig.default({ rotateAfterDays: 90, overlapDays: 14, rotation: 0 }),
    azure: AzureServiceAuthConfig.optional(),
    gcp: GcpServiceAuthConfig.optional(),
  })
  .describe("An origin whose cloud IAM checks a token the gateway mints from a credential it holds (Entra client secret, GCP service account key).");

export type ParsedServiceAuthOrigin = z.output<typeof ServiceAuthOriginConfig>;
