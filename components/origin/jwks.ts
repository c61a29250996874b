/**
 * The issuer's published keys (JWKS) for the token verifier (token.ts): fetched from the
 * pinned URL only, cached, refetched on an unknown `kid` at most once per cooldown, backed off
 * from after a failure, capped in size and checked in shape, and served stale for a bounded
 * time while the endpoint is down. Verification itself stays in token.ts.
 *
 * Built on `jose`'s remote key set (`createRemoteJWKSet`), which dedupes concurrent fetches
 * and enforces the cooldown after a success; this module adds the rest. It never logs and no
 * token material reaches a `JwksFailure`.
 *
 * This module must stay free of `@pulumi/*` and cloud SDKs: it runs inside the origin.
 */
import type { FlattenedJWSInput, JSONWebKeySet, JWSHeaderParameters } from "jose";

type Jose = typeof import("jose");

/** A failed JWKS fetch, as given to `onJwksError`. Contains no token material. */
export interface JwksFailure {
  /** `network`: no response; `timeout`: no answer in time; `status`: not 200; `document`: not a JWKS or too large. */
  readonly stage: "network" | "timeout" | "status" | "document";
  readonly message: string;
  readonly status?: number;
}

/** A `fetch` as `jose` calls it for the JWKS. */
export type JwksFetch = (url: string, init: { headers: Headers; method: "GET"; redirect: "manual"; signal: AbortSignal }) => Promise<Response>;

/** A JWKS larger than this is refused. */
const MAX_JWKS_BYTES = 512 * 1024;

/** Where the keys are and how they are cached; validated by the verifier (token.ts `normalise`). */
export interface JwksSettings {
  /** The pinned JWKS URL (https, or http on loopback). */
  readonly url: URL;
  /** How long one fetch may take. */
  readonly timeoutMs: number;
  /** Least time after a successful fetch before an unknown `kid` may trigger another. */
  readonly cooldownMs: number;
  /** Keys are refetched once they are older than this. */
  readonly cacheMaxAgeMs: number;
  /** After a failed fetch, no new fetch for this long. */
  readonly retryAfterFailureMs: number;
  /** While the endpoint fails, keep using keys up to this long past `cacheMaxAgeMs`; 0 disables. */
  readonly staleIfErrorMs: number;
}

/** The key lookup `jose.jwtVerify` calls. */
export type JwksKeyLookup = (header: JWSHeaderParameters, token: FlattenedJWSInput) => ReturnType<ReturnType<Jose["createLocalJWKSet"]>>;

/** Thrown by the key lookup when no usable key set exists: the verifier maps it to `unavailable`. */
export const UNAVAILABLE: unique symbol = Symbol("unavailable");
/** Thrown instead of fetching while a failed fetch is being backed off from. */
const BACKING_OFF: unique symbol = Symbol("backing-off");

/**
 * The key lookup for one verifier: holds its cache, so create one per verifier. It throws
 * `jose`'s key-selection errors (no or several keys for the `kid`, see `isKeySelectionError`)
 * when the set is loaded but has no matching key, and `UNAVAILABLE` when no usable set can be
 * had; it never throws anything that carries token material.
 */
export function createJwksKeyLookup(
  jose: Jose,
  o: JwksSettings,
  hooks: { readonly fetch?: JwksFetch | undefined; readonly onJwksError?: ((failure: JwksFailure) => void) | undefined } = {},
): JwksKeyLookup {
  const onJwksError = hooks.onJwksError;
  const fetchImpl: JwksFetch = hooks.fetch ?? ((url, init) => fetch(url, init));
  const report = (failure: JwksFailure): void => {
    if (!onJwksError) return;
    try {
      onJwksError(failure);
    } catch {
      // A broken logging hook must not turn into a refused request.
    }
  };

  // The one place the network is touched. `jose` dedupes concurrent fetches and enforces
  // the cooldown after a success; this adds the backoff after a failure, a size cap, and a
  // shape check, so that a broken endpoint cannot be hammered or feed us junk.
  let lastFailureAt: number | undefined;
  const guardedFetch: JwksFetch = async (url, init) => {
    const started = Date.now();
    if (lastFailureAt !== undefined && started >= lastFailureAt && started - lastFailureAt < o.retryAfterFailureMs) throw BACKING_OFF;
    try {
      let response: Response;
      try {
        response = await fetchImpl(url, init);
      } catch (error) {
        throw (error as Error)?.name === "TimeoutError" || init.signal.aborted
          ? jwksFailure({ stage: "timeout", message: `the JWKS endpoint did not answer within ${o.timeoutMs} ms` })
          : jwksFailure({ stage: "network", message: "the JWKS endpoint could not be reached" });
      }
      if (response.status !== 200) {
        await response.body?.cancel().catch(() => undefined);
        throw jwksFailure({ stage: "status", message: `the JWKS endpoint answered ${response.status}`, status: response.status });
      }
      const text = await readCapped(response, init.signal, o.timeoutMs);
      if (!isJwkSet(text)) throw jwksFailure({ stage: "document", message: "the JWKS endpoint did not return a JSON Web Key Set" });
      lastFailureAt = undefined;
      return new Response(text, { status: 200, headers: { "content-type": "application/json" } });
    } catch (error) {
      lastFailureAt = Date.now();
      report(isJwksFailure(error) ? error.failure : { stage: "network", message: "the JWKS fetch failed" });
      throw error;
    }
  };

  // `jose` writes the last good set and its time here on every successful fetch.
  const cache = {} as { uat?: number; jwks?: JSONWebKeySet };
  const remote = jose.createRemoteJWKSet(o.url, {
    timeoutDuration: o.timeoutMs,
    cooldownDuration: o.cooldownMs,
    cacheMaxAge: o.cacheMaxAgeMs,
    [jose.customFetch]: guardedFetch,
    [jose.jwksCache]: cache as Record<string, never>,
  });

  let stale: { uat: number; keys: ReturnType<Jose["createLocalJWKSet"]> } | undefined;
  /** The last good key set while it is within `cacheMaxAge + staleIfError`, else undefined. */
  const staleKeys = (): ReturnType<Jose["createLocalJWKSet"]> | undefined => {
    if (cache.uat === undefined || cache.jwks === undefined) return undefined;
    const age = Date.now() - cache.uat;
    if (age < 0 || age > o.cacheMaxAgeMs + o.staleIfErrorMs) return undefined;
    if (stale?.uat !== cache.uat) stale = { uat: cache.uat, keys: jose.createLocalJWKSet(cache.jwks) };
    return stale.keys;
  };

  return async (header: JWSHeaderParameters, token: FlattenedJWSInput) => {
    try {
      return await remote(header, token);
    } catch (error) {
      if (isKeySelectionError(error)) throw error;
      // The set could not be (re)loaded. Keys that are only stale may still decide; an
      // unknown kid cannot be decided without the endpoint, so it is "unavailable".
      const fallback = o.staleIfErrorMs > 0 ? staleKeys() : undefined;
      if (fallback) {
        try {
          return await fallback(header, token);
        } catch {
          throw UNAVAILABLE;
        }
      }
      throw UNAVAILABLE;
    }
  };
}

/** `jose`'s errors for a key set that loaded but has no single key for the token's `kid`. */
export function isKeySelectionError(error: unknown): boolean {
  const code = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === "ERR_JWKS_NO_MATCHING_KEY" || code === "ERR_JWKS_MULTIPLE_MATCHING_KEYS";
}

class JwksFetchError extends Error {
  constructor(readonly failure: JwksFailure) {
    super(failure.message);
    this.name = "JwksFetchError";
  }
}

function jwksFailure(failure: JwksFailure): JwksFetchError {
  return new JwksFetchError(failure);
}

function isJwksFailure(error: unknown): error is JwksFetchError {
  return error instanceof JwksFetchError;
}

/** Read a response body as text, refusing more than MAX_JWKS_BYTES. */
async function readCapped(response: Response, signal: AbortSignal, timeoutMs: number): Promise<string> {
  const declared = Number(response.headers.get("content-length"));
  if (Number.isFinite(declared) && declared > MAX_JWKS_BYTES) {
    await response.body?.cancel().catch(() => undefined);
    throw jwksFailure({ stage: "document", message: `the JWKS is larger than ${MAX_JWKS_BYTES} bytes` });
  }
  if (!response.body) return "";
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_JWKS_BYTES) {
        await reader.cancel().catch(() => undefined);
        throw jwksFailure({ stage: "document", message: `the JWKS is larger than ${MAX_JWKS_BYTES} bytes` });
      }
      chunks.push(value);
    }
  } catch (error) {
    if (isJwksFailure(error)) throw error;
    throw signal.aborted
      ? jwksFailure({ stage: "timeout", message: `the JWKS endpoint did not answer within ${timeoutMs} ms` })
      : jwksFailure({ stage: "network", message: "the JWKS response was cut off" });
  }
  return Buffer.concat(chunks).toString("utf8");
}

function isJwkSet(text: string): boolean {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof json !== "object" || json === null || Array.isArray(json)) return false;
  const keys = (json as { keys?: unknown }).keys;
  return Array.isArray(keys) && keys.every((k) => typeof k === "object" && k !== null && !Array.isArray(k));
}
