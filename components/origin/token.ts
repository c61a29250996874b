/**
 * The origin side of the "federated" method for origins not behind cloud IAM (Kubernetes,
 * on-premises): decide whether a request came through the gateway by checking the gateway's
 * own ID token (Zuplo: `ZuploServices.getIDToken`) against the issuer's published keys.
 *
 * Built on `jose` (JOSE is not something to hand-write). What gatelock adds around it, each
 * a lesson from how such checks fail:
 * - Only asymmetric algorithms, RS256 by default. `none` and every `HS*` are refused when the
 *   verifier is created and again per token, before any key is looked up, so the classic
 *   "HS256 signed with the public key as the HMAC secret" confusion cannot happen.
 * - Everything is pinned: `iss` exactly, `aud`, `sub` against an exact list, and claims by
 *   exact string equality. A verifier with neither subjects nor claims is refused, because
 *   an issuer such as Zuplo's is shared by every customer.
 * - `exp` is required; clock skew is bounded (default 30 s, at most 300 s) and applies to
 *   `exp`, `nbf` and to `iat` in the future (which `jose` alone only checks with a max age).
 * - The JWKS is fetched from the pinned URL only (https, or http on loopback), cached, and
 *   refetched on an unknown `kid` at most once per cooldown; after a failed fetch no new
 *   fetch is tried for a while (jwks.ts). Unauthenticated traffic can therefore not hammer
 *   the issuer, and tokens naming another issuer never touch the network at all.
 * - Fail closed: without keys nothing is accepted (`unavailable`, which the middleware
 *   answers with 503). Keys that merely became stale keep serving for a bounded time while
 *   the JWKS endpoint is down, so an issuer blip is not an API outage.
 * - Nothing here logs, and no token or claim value reaches an error or a hook.
 *
 * This module must stay free of `@pulumi/*` and cloud SDKs: it runs inside the origin.
 */
import type { JWTPayload } from "jose";
import { createJwksKeyLookup, isKeySelectionError, type JwksFailure, type JwksFetch, UNAVAILABLE } from "./jwks";

export type { JwksFailure, JwksFetch } from "./jwks";

type Jose = typeof import("jose");

/** Algorithms a verifier may accept: asymmetric signatures only. */
export const TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA", "Ed25519"] as const;
export type TokenAlgorithm = (typeof TOKEN_ALGORITHMS)[number];

/** Largest clock skew a verifier may tolerate, in seconds. */
export const MAX_CLOCK_TOLERANCE_SECONDS = 300;

/** Why a token was refused. For the origin's logs and metrics, never for the caller. */
export type TokenRejectReason =
  /** No token presented. */
  | "missing"
  /** Not `Bearer <compact JWS>`, several values, or undecodable. */
  | "malformed"
  /** `alg` is not one this verifier accepts (`none`, `HS256`, …). */
  | "algorithm"
  /** No published key matches the token's `kid`, even after a refetch. */
  | "unknown-key"
  | "signature"
  | "expired"
  /** `nbf` or `iat` lies in the future beyond the allowed skew. */
  | "not-yet-valid"
  | "issuer"
  | "audience"
  | "subject"
  /** A pinned claim is missing or different (see `claim`), or `exp` is missing. */
  | "claim"
  /** The issuer's keys could not be loaded: fail closed. */
  | "unavailable";

export type TokenVerifyResult =
  | { readonly ok: true; readonly payload: Readonly<JWTPayload> }
  | { readonly ok: false; readonly reason: TokenRejectReason; /** The claim's name (never its value) when `reason` is `claim`. */ readonly claim?: string };

export interface TokenVerifierOptions {
  /** Exact `iss` (Zuplo: `https://dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD`). */
  readonly issuer: string;
  /** The `aud` the gateway requests for this origin; the token's `aud` must contain it. */
  readonly audience: string;
  /** Exact `sub` values accepted (Zuplo: the environment's `atcl_…` client). */
  readonly subjects?: readonly string[];
  /** Claims that must equal these strings exactly (Zuplo: `account`, `project`, `environment_type`). */
  readonly claims?: Readonly<Record<string, string>>;
  /** Where the issuer publishes its keys. Default `<issuer>/.well-known/jwks.json`. https, or http on loopback. */
  readonly jwksUri?: string;
  /** Accepted `alg` values. Default `["RS256"]` (Zuplo). Asymmetric only: `none` and `HS*` are refused. */
  readonly algorithms?: readonly TokenAlgorithm[];
  /** Clock skew allowed on `exp`, `nbf` and `iat`, in seconds. Default 30, at most 300. */
  readonly clockToleranceSeconds?: number;
  /** Refuse tokens issued longer ago than this (requires `iat`). Default: only `exp` limits a token's life. */
  readonly maxTokenAgeSeconds?: number;
  /** How long one JWKS fetch may take. Default 5000 ms. */
  readonly jwksTimeoutMs?: number;
  /** Least time after a successful fetch before an unknown `kid` may trigger another. Default 30 000 ms. */
  readonly jwksCooldownMs?: number;
  /** Keys are refetched once they are older than this. Default 600 000 ms (10 minutes). */
  readonly jwksCacheMaxAgeMs?: number;
  /** After a failed fetch, no new fetch for this long (requests meanwhile are answered from cache or `unavailable`). Default 5000 ms. */
  readonly jwksRetryAfterFailureMs?: number;
  /** While the JWKS endpoint fails, keep using keys up to this long past `jwksCacheMaxAgeMs`. Default 3 600 000 ms (1 hour); 0 disables. */
  readonly jwksStaleIfErrorMs?: number;
  /** Fetch implementation for the JWKS (default: the global `fetch`). */
  readonly fetch?: JwksFetch;
  /** Clock for token times (`exp`, `nbf`, `iat`); injectable for tests. Key caching uses the real clock. */
  readonly now?: () => Date;
  /** Called when a JWKS fetch fails, for the origin's logs. Exceptions it throws are ignored. */
  readonly onJwksError?: (failure: JwksFailure) => void;
}

/** Checks the gateway's ID token. Create one per process and share it: it holds the key cache. */
export interface TokenVerifier {
  readonly issuer: string;
  readonly audience: string;
  readonly jwksUri: string;
  /**
   * Check an `Authorization` header value (`Bearer <token>`) or a bare token. Never throws;
   * a JWKS problem is reported as `{ ok: false, reason: "unavailable" }`.
   */
  verify(authorizationHeaderOrToken: string | string[] | undefined): Promise<TokenVerifyResult>;
}

const DEFAULT_CLOCK_TOLERANCE_SECONDS = 30;
const DEFAULT_TIMEOUT_MS = 5_000;
const DEFAULT_COOLDOWN_MS = 30_000;
const DEFAULT_CACHE_MAX_AGE_MS = 600_000;
const DEFAULT_RETRY_AFTER_FAILURE_MS = 5_000;
const DEFAULT_STALE_IF_ERROR_MS = 3_600_000;
const MAX_STALE_IF_ERROR_MS = 24 * 3_600_000;
/** A header longer than this is not a gateway token. */
const MAX_TOKEN_LENGTH = 16 * 1024;
const COMPACT_JWS = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*$/;
const BEARER = /^Bearer +([^\s]+)$/i;
/** Claims with their own option; pinning them through `claims` would bypass or confuse those checks. */
const REGISTERED = new Set(["iss", "aud", "sub", "exp", "nbf", "iat", "jti"]);

let joseModule: Jose | undefined;

/**
 * `jose` is ESM-only; gatelock is compiled to CommonJS, so it is required lazily here: origins
 * that only use the shared-secret verifier never load it, and an old Node.js fails with a
 * clear message when a token verifier is created rather than when `gatelock/origin` is imported.
 */
function loadJose(): Jose {
  if (!joseModule) {
    try {
      joseModule = require("jose") as Jose;
    } catch (cause) {
      throw new Error("gatelock createTokenVerifier needs the `jose` package (an ES module): use Node.js 20.19+ or 22.12+, which can require ES modules", { cause });
    }
  }
  return joseModule;
}

function fail(message: string): never {
  throw new TypeError(`gatelock createTokenVerifier: ${message}`);
}

function duration(name: string, value: number | undefined, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0 || value > max) fail(`\`${name}\` must be a number between 0 and ${max}`);
  return value;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Validates options once, at startup, so a typo fails loudly instead of refusing every request. */
function normalise(options: TokenVerifierOptions) {
  if (typeof options !== "object" || options === null) fail("options are required");
  const { issuer, audience } = options;
  if (typeof issuer !== "string" || issuer.length === 0) fail("`issuer` must be the exact `iss` of the gateway's tokens");
  if (typeof audience !== "string" || audience.length === 0) fail("`audience` must be the `aud` the gateway requests for this origin");

  const subjects = options.subjects ?? [];
  if (!Array.isArray(subjects) || subjects.some((s) => typeof s !== "string" || s.length === 0)) fail("`subjects` must be a list of exact, non-empty subjects");
  const claims = options.claims ?? {};
  if (typeof claims !== "object" || claims === null || Array.isArray(claims)) fail("`claims` must map claim names to exact string values");
  for (const [name, value] of Object.entries(claims)) {
    if (REGISTERED.has(name)) fail(`\`claims.${name}\` is a registered claim: use the dedicated option (issuer, audience, subjects) instead`);
    if (typeof value !== "string" || value.length === 0) fail(`\`claims.${name}\` must be a non-empty string`);
  }
  if (subjects.length === 0 && Object.keys(claims).length === 0) {
    fail("pin `subjects` or `claims`: an issuer such as Zuplo's is shared by every customer, so issuer and audience alone would trust other tenants' tokens");
  }

  const algorithms = options.algorithms ?? ["RS256"];
  if (!Array.isArray(algorithms) || algorithms.length === 0) fail("`algorithms` must list at least one algorithm");
  for (const alg of algorithms) {
    if (!(TOKEN_ALGORITHMS as readonly string[]).includes(alg)) fail(`algorithm \`${String(alg)}\` is not allowed; use asymmetric ones only (${TOKEN_ALGORITHMS.join(", ")})`);
  }

  const jwksUri = options.jwksUri ?? `${issuer.replace(/\/+$/, "")}/.well-known/jwks.json`;
  let url: URL;
  try {
    url = new URL(jwksUri);
  } catch {
    fail("`jwksUri` must be an absolute URL");
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    fail("`jwksUri` must use https (http is allowed only on loopback): keys fetched over plain HTTP can be replaced in transit");
  }
  if (url.username || url.password) fail("`jwksUri` must not carry credentials");

  const clockTolerance = duration("clockToleranceSeconds", options.clockToleranceSeconds, DEFAULT_CLOCK_TOLERANCE_SECONDS, MAX_CLOCK_TOLERANCE_SECONDS);
  if (options.maxTokenAgeSeconds !== undefined && !(typeof options.maxTokenAgeSeconds === "number" && Number.isFinite(options.maxTokenAgeSeconds) && options.maxTokenAgeSeconds > 0)) {
    fail("`maxTokenAgeSeconds` must be a number > 0");
  }
  const timeoutMs = duration("jwksTimeoutMs", options.jwksTimeoutMs, DEFAULT_TIMEOUT_MS);
  if (timeoutMs === 0 || !Number.isInteger(timeoutMs)) fail("`jwksTimeoutMs` must be a whole number > 0");
  if (options.fetch !== undefined && typeof options.fetch !== "function") fail("`fetch` must be a function");

  return {
    issuer,
    audience,
    subjects: new Set(subjects),
    claims: Object.entries(claims),
    algorithms: [...algorithms],
    url,
    clockTolerance,
    maxTokenAge: options.maxTokenAgeSeconds,
    timeoutMs,
    cooldownMs: duration("jwksCooldownMs", options.jwksCooldownMs, DEFAULT_COOLDOWN_MS),
    cacheMaxAgeMs: duration("jwksCacheMaxAgeMs", options.jwksCacheMaxAgeMs, DEFAULT_CACHE_MAX_AGE_MS),
    retryAfterFailureMs: duration("jwksRetryAfterFailureMs", options.jwksRetryAfterFailureMs, DEFAULT_RETRY_AFTER_FAILURE_MS),
    staleIfErrorMs: duration("jwksStaleIfErrorMs", options.jwksStaleIfErrorMs, DEFAULT_STALE_IF_ERROR_MS, MAX_STALE_IF_ERROR_MS),
  };
}

/**
 * Create a verifier for the gateway's ID token.
 *
 * @example
 * const verifier = createTokenVerifier({
 *   issuer: "https://dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD",
 *   audience: "https://ledger.internal.acme.example",
 *   subjects: ["atcl_…"],
 *   claims: { account: "acme", project: "orders-api" },
 * });
 * http.createServer(protectWithToken(verifier, app)).listen(8080);
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const o = normalise(options);
  const jose = loadJose();
  const clock = options.now ?? (() => new Date());

  // The issuer's keys: fetched, cached and served stale by jwks.ts.
  const keys = createJwksKeyLookup(jose, o, { fetch: options.fetch, onJwksError: options.onJwksError });

  const verify = async (input: string | string[] | undefined): Promise<TokenVerifyResult> => {
    const token = extractToken(input);
    if (token === MISSING) return { ok: false, reason: "missing" };
    if (token === MALFORMED) return { ok: false, reason: "malformed" };

    // Cheap checks on the unverified token first, so garbage, forbidden algorithms and
    // other issuers' tokens are refused without looking up a key or touching the network.
    let alg: unknown;
    let kid: unknown;
    let iss: unknown;
    try {
      ({ alg, kid } = jose.decodeProtectedHeader(token));
      ({ iss } = jose.decodeJwt(token));
    } catch {
      return { ok: false, reason: "malformed" };
    }
    if (typeof alg !== "string" || !o.algorithms.includes(alg as TokenAlgorithm)) return { ok: false, reason: "algorithm" };
    if (kid !== undefined && typeof kid !== "string") return { ok: false, reason: "malformed" };
    if (iss !== o.issuer) return { ok: false, reason: "issuer" };

    const now = clock();
    let payload: JWTPayload;
    try {
      ({ payload } = await jose.jwtVerify(token, keys, {
        issuer: o.issuer,
        audience: o.audience,
        algorithms: o.algorithms,
        clockTolerance: o.clockTolerance,
        currentDate: now,
        requiredClaims: ["exp"],
        ...(o.maxTokenAge !== undefined ? { maxTokenAge: o.maxTokenAge } : {}),
      }));
    } catch (error) {
      return rejection(error);
    }

    // What jose leaves to the caller: `iat` in the future (jose checks it only with a max
    // age), the exact subject list and the pinned claims.
    const nowSeconds = Math.floor(now.getTime() / 1000);
    if (typeof payload.iat === "number" && payload.iat > nowSeconds + o.clockTolerance) return { ok: false, reason: "not-yet-valid" };
    if (o.subjects.size > 0 && (typeof payload.sub !== "string" || !o.subjects.has(payload.sub))) return { ok: false, reason: "subject" };
    for (const [name, value] of o.claims) {
      if (payload[name] !== value) return { ok: false, reason: "claim", claim: name };
    }
    return { ok: true, payload: Object.freeze(payload) };
  };

  return {
    issuer: o.issuer,
    audience: o.audience,
    jwksUri: o.url.href,
    verify: async (input) => {
      try {
        return await verify(input);
      } catch {
        // verify's own steps do not throw; if anything does, refuse rather than accept.
        return { ok: false, reason: "malformed" };
      }
    },
  };
}

const MISSING: unique symbol = Symbol("missing");
const MALFORMED: unique symbol = Symbol("malformed");

/** `Bearer <compact JWS>` or a bare compact JWS; several values are refused, not tried in turn. */
function extractToken(input: string | string[] | undefined): string | typeof MISSING | typeof MALFORMED {
  let value: string | undefined;
  if (Array.isArray(input)) {
    const present = input.filter((v) => typeof v === "string" && v.trim().length > 0);
    if (present.length > 1 || (present.length === 1 && input.length > 1)) return MALFORMED;
    value = present[0];
  } else {
    value = input;
  }
  if (typeof value !== "string" || value.trim().length === 0) return MISSING;
  if (value.length > MAX_TOKEN_LENGTH) return MALFORMED;
  const trimmed = value.trim();
  const bearer = BEARER.exec(trimmed);
  const token = bearer ? bearer[1]! : trimmed;
  return COMPACT_JWS.test(token) ? token : MALFORMED;
}

function errorCode(error: unknown): string | undefined {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return typeof code === "string" ? code : undefined;
}

/** Map what `jose` threw to a coarse reason. Unknown errors refuse the token. */
function rejection(error: unknown): TokenVerifyResult {
  if (error === UNAVAILABLE) return { ok: false, reason: "unavailable" };
  if (isKeySelectionError(error)) return { ok: false, reason: "unknown-key" };
  switch (errorCode(error)) {
    case "ERR_JWT_EXPIRED":
      return { ok: false, reason: "expired" };
    case "ERR_JOSE_ALG_NOT_ALLOWED":
      return { ok: false, reason: "algorithm" };
    case "ERR_JWS_SIGNATURE_VERIFICATION_FAILED":
      return { ok: false, reason: "signature" };
    case "ERR_JWT_CLAIM_VALIDATION_FAILED": {
      const { claim, reason } = error as { claim?: unknown; reason?: unknown };
      if (claim === "iss") return { ok: false, reason: "issuer" };
      if (claim === "aud") return { ok: false, reason: "audience" };
      if (claim === "sub") return { ok: false, reason: "subject" };
      if ((claim === "nbf" || claim === "iat") && reason === "check_failed") return { ok: false, reason: "not-yet-valid" };
      if (reason === "missing" && typeof claim === "string") return { ok: false, reason: "claim", claim };
      return { ok: false, reason: "malformed" };
    }
    default:
      return { ok: false, reason: "malformed" };
  }
}
