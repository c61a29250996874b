/**
 * The origin side of "upstream service auth" on Azure for backends that Easy Auth does not
 * front: accept only the Entra ID access token that Zuplo's
 * `upstream-azure-ad-service-auth-inbound` policy obtains.
 *
 * Zuplo requests that token with client credentials and `scope=<clientId>/.default`, so the
 * app registration is both client and resource: in a v2 token `aud` and `azp` are the same
 * client ID. What this verifier pins, and why each pin matters:
 * - `iss` exactly `https://login.microsoftonline.com/<tenant>/v2.0`: Entra signs every
 *   tenant's tokens with the same keys, so the signature alone proves nothing about the tenant.
 * - `tid` = the tenant, `ver` = "2.0": a v1 token (other issuer, `appid` instead of `azp`) is
 *   refused rather than half-checked; the app registration must ask for v2 tokens.
 * - `aud` = `azp` = the client ID: any other app in the tenant can get tokens from the same
 *   keys, for its own audience or (if allowed) for ours.
 * - `roles` contains the app role (`Gateway.Invoke` by default): app-only tokens carry no
 *   `roles` at all unless the role was assigned, which is what `appRoleAssignmentRequired`
 *   and the assignment to the app's own service principal enforce on the Entra side.
 * - no `scp`, and `idtyp` (when present) is `app`: a delegated (user) token is not the gateway.
 * - RS256 only, `exp` required, bounded skew, keys from the tenant's JWKS: all of that is the
 *   gateway-token verifier's (token.ts), which this builds on rather than repeats.
 *
 * Refusal reasons are for the origin's logs and metrics, never for the caller. Those that
 * tell tenants and token versions apart read the token's claims before its signature is
 * checked: they only ever label a refusal, never grant anything.
 *
 * This module must stay free of `@pulumi/*` and cloud SDKs: it runs inside the origin.
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import type { JWTPayload } from "jose";
import { ENTRA_AUTHORITY_HOST, entraIssuer, entraJwksUri, GUID } from "../documents/entra";
import { createTokenVerifier, type TokenRejectReason, type TokenVerifier, type TokenVerifierOptions } from "./token";
import { protectWithToken, tokenMiddleware, type GatewayRequest, type TokenMiddleware, type TokenMiddlewareOptions } from "./token-middleware";

/** The app role gatelock defines on the app registration and assigns to its own service principal. */
export const DEFAULT_ENTRA_ROLE = "Gateway.Invoke";
export { ENTRA_AUTHORITY_HOST, entraIssuer, entraJwksUri } from "../documents/entra";

/** Why an Entra token was refused: the gateway-token reasons, plus what is specific to Entra. */
export type EntraRejectReason =
  | TokenRejectReason
  /** The token is for another tenant (`iss` or `tid`). */
  | "tenant"
  /** Another calling application (`azp`, or `oid` when the service principal is pinned). */
  | "application"
  /** `roles` does not contain the required app role (or is absent: the role was never assigned). */
  | "role"
  /** Not a v2.0 token (`ver`, or a v1 issuer `https://sts.windows.net/<tenant>/`). */
  | "version"
  /** A delegated (user) token: it has `scp`, or an `idtyp` other than `app`. */
  | "delegated";

export type EntraVerifyResult =
  | { readonly ok: true; readonly payload: Readonly<JWTPayload> }
  | { readonly ok: false; readonly reason: EntraRejectReason; /** The claim's name (never its value) behind the refusal, when one claim decided it. */ readonly claim?: string };

/** Key-cache and clock settings, exactly those of the gateway-token verifier. */
type PassedThrough = Pick<
  TokenVerifierOptions,
  | "jwksUri"
  | "fetch"
  | "clockToleranceSeconds"
  | "maxTokenAgeSeconds"
  | "jwksTimeoutMs"
  | "jwksCooldownMs"
  | "jwksCacheMaxAgeMs"
  | "jwksRetryAfterFailureMs"
  | "jwksStaleIfErrorMs"
  | "now"
  | "onJwksError"
>;

export interface EntraTokenVerifierOptions extends PassedThrough {
  /** The directory (tenant) ID, a GUID. Not a domain name, and not `common` or `organizations`. */
  readonly tenantId: string;
  /** The app registration's application (client) ID, a GUID: Zuplo's `activeDirectoryClientId`. */
  readonly clientId: string;
  /** The app role the token must carry in `roles`. Default `Gateway.Invoke`. */
  readonly requiredRole?: string;
  /** Also pin `oid` to the app's service principal object ID (a GUID). Default: not pinned. */
  readonly servicePrincipalObjectId?: string;
  /** Sovereign clouds only (e.g. `https://login.microsoftonline.us`). Default `https://login.microsoftonline.com`. */
  readonly authorityHost?: string;
}

/** Checks the Entra access token Zuplo sends. Create one per process and share it: it holds the key cache. */
export interface EntraTokenVerifier {
  readonly tenantId: string;
  readonly clientId: string;
  readonly requiredRole: string;
  /** `https://login.microsoftonline.com/<tenant>/v2.0`. */
  readonly issuer: string;
  /** The client ID. */
  readonly audience: string;
  readonly jwksUri: string;
  /** Check an `Authorization` header value (`Bearer <token>`) or a bare token. Never throws. */
  verify(authorizationHeaderOrToken: string | string[] | undefined): Promise<EntraVerifyResult>;
}

/** Entra app role values: no spaces, not starting with a dot, at most 249 characters. */
const ROLE_VALUE = /^(?!\.)[\x21-\x7e]{1,249}$/;

function fail(message: string): never {
  throw new TypeError(`gatelock createEntraTokenVerifier: ${message}`);
}

/** Entra writes GUIDs in lower case in `tid`, `aud` and `azp`; compare in that form. */
function guid(name: string, value: unknown, hint: string): string {
  if (typeof value !== "string" || !GUID.test(value.trim())) fail(`\`${name}\` must be a GUID (${hint})`);
  return value.trim().toLowerCase();
}

function authority(host: string | undefined): string {
  if (host === undefined) return ENTRA_AUTHORITY_HOST;
  let url: URL;
  try {
    url = new URL(host);
  } catch {
    fail("`authorityHost` must be an absolute https URL such as https://login.microsoftonline.com");
  }
  if (url.protocol !== "https:" || url.username || url.password || url.search || url.hash || url.pathname !== "/") {
    fail("`authorityHost` must be an https origin with no path, query or credentials, such as https://login.microsoftonline.com");
  }
  return url.origin;
}

/**
 * Create a verifier for the Entra ID access token Zuplo's `upstream-azure-ad-service-auth-inbound`
 * policy sends.
 *
 * @example
 * const verifier = createEntraTokenVerifier({ tenantId: "72f988bf-…", clientId: "0b1c…" });
 * http.createServer(protectWithEntraToken(verifier, app)).listen(8080);
 */
export function createEntraTokenVerifier(options: EntraTokenVerifierOptions): EntraTokenVerifier {
  if (typeof options !== "object" || options === null) fail("options are required");
  const tenantId = guid("tenantId", options.tenantId, "the directory ID; a domain name, `common` or `organizations` would accept other tenants' tokens");
  const clientId = guid("clientId", options.clientId, "the app registration's application (client) ID, not its object ID or an api:// URI");
  if (clientId === tenantId) fail("`clientId` equals `tenantId`: pass the app registration's application (client) ID");
  const requiredRole = options.requiredRole ?? DEFAULT_ENTRA_ROLE;
  if (typeof requiredRole !== "string" || !ROLE_VALUE.test(requiredRole)) fail("`requiredRole` must be an app role value: 1-249 visible characters, no spaces, not starting with a dot");
  const servicePrincipal =
    options.servicePrincipalObjectId === undefined ? undefined : guid("servicePrincipalObjectId", options.servicePrincipalObjectId, "the object ID of the app's service principal");
  const host = authority(options.authorityHost);
  const issuer = entraIssuer(tenantId, host);

  // Everything generic (token syntax, algorithm, key lookup, signature, time, iss, aud, and
  // exact claims in this order) is the gateway-token verifier's; it validates the rest of
  // the options too. RS256 is the only algorithm Entra signs access tokens with.
  const inner = createTokenVerifier({
    jwksUri: entraJwksUri(tenantId, host),
    ...pick(options),
    issuer,
    audience: clientId,
    claims: { ver: "2.0", tid: tenantId, azp: clientId },
    algorithms: ["RS256"],
  });

  const verify = async (input: string | string[] | undefined): Promise<EntraVerifyResult> => {
    const result = await inner.verify(input);
    if (!result.ok) return relabel(result.reason, result.claim, input, tenantId);
    const payload = result.payload;
    if (payload.scp !== undefined || (payload.idtyp !== undefined && payload.idtyp !== "app")) return { ok: false, reason: "delegated", claim: payload.scp !== undefined ? "scp" : "idtyp" };
    if (servicePrincipal !== undefined && payload.oid !== servicePrincipal) return { ok: false, reason: "application", claim: "oid" };
    const roles = payload.roles;
    if (!Array.isArray(roles) || !roles.includes(requiredRole)) return { ok: false, reason: "role", claim: "roles" };
    return { ok: true, payload };
  };

  return {
    tenantId,
    clientId,
    requiredRole,
    issuer,
    audience: clientId,
    jwksUri: inner.jwksUri,
    verify: async (input) => {
      try {
        return await verify(input);
      } catch {
        return { ok: false, reason: "malformed" };
      }
    },
  };
}

/** Only the options the inner verifier knows; Entra's own pins are never overridable. */
function pick(options: EntraTokenVerifierOptions): PassedThrough {
  const out: Record<string, unknown> = {};
  for (const key of [
    "jwksUri",
    "fetch",
    "clockToleranceSeconds",
    "maxTokenAgeSeconds",
    "jwksTimeoutMs",
    "jwksCooldownMs",
    "jwksCacheMaxAgeMs",
    "jwksRetryAfterFailureMs",
    "jwksStaleIfErrorMs",
    "now",
    "onJwksError",
  ] as const) {
    if (options[key] !== undefined) out[key] = options[key];
  }
  return out as PassedThrough;
}

const BY_CLAIM: Readonly<Record<string, EntraRejectReason>> = { ver: "version", tid: "tenant", azp: "application" };

/** Turn the gateway-token verifier's reason into Entra's vocabulary. */
function relabel(reason: TokenRejectReason, claim: string | undefined, input: string | string[] | undefined, tenantId: string): EntraVerifyResult {
  if (reason === "claim" && claim !== undefined && BY_CLAIM[claim]) return { ok: false, reason: BY_CLAIM[claim]!, claim };
  if (reason === "issuer") {
    // Refused already; tell the operator what kind of token it was (the usual mistakes are
    // a v1 token, from an app registration left at requestedAccessTokenVersion 1, and a
    // token from another tenant).
    const claims = unverifiedClaims(input);
    if (claims?.ver === "1.0" || (typeof claims?.iss === "string" && claims.iss.startsWith("https://sts.windows.net/"))) return { ok: false, reason: "version", claim: "iss" };
    if (typeof claims?.tid === "string" && claims.tid.toLowerCase() !== tenantId) return { ok: false, reason: "tenant", claim: "iss" };
    return { ok: false, reason: "issuer" };
  }
  return claim === undefined ? { ok: false, reason } : { ok: false, reason, claim };
}

/**
 * The payload of a token the inner verifier has already parsed (it got as far as comparing
 * `iss`, so there is exactly one well-formed compact JWS). Only ever used to label a refusal.
 */
function unverifiedClaims(input: string | string[] | undefined): Record<string, unknown> | undefined {
  const value = Array.isArray(input) ? input.find((v) => typeof v === "string" && v.trim().length > 0) : input;
  const token = typeof value === "string" ? value.trim().split(/\s+/).pop() : undefined;
  const part = token?.split(".")[1];
  if (part === undefined) return undefined;
  try {
    const claims: unknown = JSON.parse(Buffer.from(part, "base64url").toString("utf8"));
    return typeof claims === "object" && claims !== null && !Array.isArray(claims) ? (claims as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** Options for {@link entraTokenMiddleware} and {@link protectWithEntraToken}: the token middleware's, with Entra's reasons. */
export interface EntraMiddlewareOptions<Req extends IncomingMessage = IncomingMessage> extends Omit<TokenMiddlewareOptions<Req>, "onReject"> {
  /** Called for every refused request with the reason (never the token). Exceptions it throws are ignored. */
  readonly onReject?: (reason: EntraRejectReason, req: Req) => void;
}

/**
 * The token middleware's contract for an Entra verifier. token-middleware.ts only calls
 * `verify`, and hands a refusal's reason untouched to `onReject` and to the answer (401 for
 * every reason, 503 for `unavailable`); so Entra's extra reasons pass through unchanged.
 */
function asTokenVerifier(verifier: EntraTokenVerifier): TokenVerifier {
  return { issuer: verifier.issuer, audience: verifier.audience, jwksUri: verifier.jwksUri, verify: verifier.verify as unknown as TokenVerifier["verify"] };
}

/**
 * Express/Connect-style middleware: `next()` only for an accepted Entra token, with its claims
 * in `req.gatewayClaims`; otherwise 401 (503 when the tenant's keys cannot be loaded). The
 * token header is removed from the request unless `keepHeader` is set.
 */
export function entraTokenMiddleware<Req extends IncomingMessage = IncomingMessage>(verifier: EntraTokenVerifier, options: EntraMiddlewareOptions<Req> = {}): TokenMiddleware<Req> {
  return tokenMiddleware(asTokenVerifier(verifier), options as TokenMiddlewareOptions<Req>);
}

/** Wraps a plain Node request listener so it only runs for requests carrying an accepted Entra token. */
export function protectWithEntraToken<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
  verifier: EntraTokenVerifier,
  handler: (req: GatewayRequest<Req>, res: Res) => unknown,
  options: EntraMiddlewareOptions<Req> = {},
): (req: Req, res: Res) => void {
  return protectWithToken(asTokenVerifier(verifier), handler, options as TokenMiddlewareOptions<Req>);
}
