/**
 * The origin side of the "shared secret" method: decide whether a request came through the
 * gateway by checking the header the gateway adds against the accepted-secrets document.
 *
 * Framework-agnostic on purpose: `verify` takes the header value and answers; adapters for
 * Node's http module and Express-style stacks live in `middleware.ts`.
 *
 * Design points, each a lesson from how such checks fail:
 * - Comparison is over SHA-256 digests with `timingSafeEqual`, so neither the content nor
 *   the length of a secret leaks through response timing, and a value of the wrong length
 *   is an ordinary mismatch rather than an exception.
 * - Current and previous are both compared on every request before either result is used,
 *   so the time taken does not depend on which one (if any) matched.
 * - `previousRetiresAt` is enforced against the clock here, not only by the store, so a
 *   stale store or cache cannot extend the life of a retired secret.
 * - Fail closed: without a valid document nothing is accepted. With a document that merely
 *   became stale (the store is down), the last good one keeps serving, so a store outage
 *   does not become an API outage.
 * - Only digests of the secrets are kept in memory after decoding, and neither the
 *   secrets nor the document text ever reach an error, a log line or a hook.
 */
import { createHash, randomBytes, timingSafeEqual } from "node:crypto";
import { decodeSecretDocument } from "../shared-secret/document";
import { SecretSourceError, type SecretSource } from "./sources";

/** The header the gateway puts the secret in unless configured otherwise. */
export const DEFAULT_SHARED_SECRET_HEADER = "x-gateway-secret";

/** Why a request was refused. Deliberately coarse: it is for the origin's logs, never for the caller. */
export type RejectReason = "missing" | "mismatch" | "unavailable";

/** The outcome of one check. `matched` says which secret matched, for rotation monitoring. */
export type VerifyResult = { readonly ok: true; readonly matched: "current" | "previous" } | { readonly ok: false; readonly reason: RejectReason };

/**
 * Why the document could not be loaded, as given to `onSourceError`. Built only from
 * messages known to be free of secret material; never contains the document text.
 */
export interface SourceFailure {
  /** `source`: the source threw or rejected; `timeout`: it did not answer in time; `document`: it answered with something that is not a valid document. */
  readonly stage: "source" | "timeout" | "document";
  /** A fixed, secret-free description. */
  readonly message: string;
  /** The thrown error's `name` (e.g. `AccessDeniedException`), when the source threw one. */
  readonly errorName?: string;
  /** The thrown error's string `code` (e.g. `ENOENT`), when it had one. */
  readonly errorCode?: string;
}

/** Options for {@link createSharedSecretVerifier}. */
export interface SharedSecretVerifierOptions {
  /** Header carrying the secret; case-insensitive. Default `x-gateway-secret`. */
  readonly header?: string;
  /** Where the accepted-secrets document comes from (see `fromEnv`, `fromStatic`, or your cloud reader). */
  readonly source: SecretSource;
  /** How long a loaded document is used before it is read again. Default 5 minutes. */
  readonly refreshIntervalMs?: number;
  /**
   * Least time between two reads of the source, whatever triggers them: a presented value
   * that does not match (a rotation may have happened) or an earlier failed read. Bounds
   * the load that unauthenticated traffic or an outage can put on the store. Default 10 s.
   */
  readonly minRefreshIntervalMs?: number;
  /**
   * How long one read may take before it counts as failed. Without it, a hung store would
   * hang every request that waits on a refresh. Default 10 s.
   */
  readonly sourceTimeoutMs?: number;
  /** Clock for retirement and cache ages; injectable for tests. Default `() => new Date()`. */
  readonly now?: () => Date;
  /** Called when a read of the document fails, for the origin's logs. Exceptions it throws are ignored. */
  readonly onSourceError?: (failure: SourceFailure) => void;
}

/** Checks the gateway's secret header. Create one per process and share it: it holds the cache. */
export interface SharedSecretVerifier {
  /** The header name, lower-cased as Node presents header names. */
  readonly header: string;
  /**
   * Check a presented header value (as found in Node's `req.headers[header]`). Never
   * throws; a store problem is reported as `{ ok: false, reason: "unavailable" }`.
   */
  verify(headerValue: string | string[] | undefined): Promise<VerifyResult>;
}

const DEFAULT_REFRESH_INTERVAL_MS = 5 * 60 * 1000;
const DEFAULT_MIN_REFRESH_INTERVAL_MS = 10 * 1000;
const DEFAULT_SOURCE_TIMEOUT_MS = 10 * 1000;
/** RFC 9110 `token`: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** What is safe to echo from a foreign error's `name` or `code`: an identifier, not a sentence. */
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.$-]{0,99}$/;

function sha256(value: string): Buffer {
  return createHash("sha256").update(value, "utf8").digest();
}

/**
 * Constant-time string equality: compares the SHA-256 digests of both sides with
 * `crypto.timingSafeEqual`. Hashing first makes both buffers 32 bytes whatever the inputs,
 * so `timingSafeEqual` never throws on a length difference and the time taken reveals
 * neither where the strings differ nor how long the expected one is.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  return timingSafeEqual(sha256(a), sha256(b));
}

/** A decoded document reduced to what checking needs: digests, not secrets. */
interface Loaded {
  readonly current: Buffer;
  /** Digest of `previous`, or 32 random bytes when there is none, so the comparison still runs and cannot match. */
  readonly previous: Buffer;
  readonly hasPrevious: boolean;
  /** Epoch ms after which `previous` is refused; undefined means the store alone governs it. */
  readonly previousRetiresAtMs: number | undefined;
  /** When this document was read (epoch ms, by the verifier's clock). */
  readonly loadedAtMs: number;
}

function nonNegative(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (typeof value !== "number" || !Number.isFinite(value) || value < 0) {
    throw new TypeError(`gatelock createSharedSecretVerifier: ${name} must be a finite number >= 0`);
  }
  return value;
}

/**
 * Create a verifier for the gateway's shared-secret header.
 *
 * @example
 * const verifier = createSharedSecretVerifier({ source: fromEnv("ORDERS_SHARED_SECRET_ACCEPTED") });
 * http.createServer(protect(verifier, app)).listen(8080);
 */
export function createSharedSecretVerifier(options: SharedSecretVerifierOptions): SharedSecretVerifier {
  if (typeof options !== "object" || options === null || typeof options.source !== "function") {
    throw new TypeError("gatelock createSharedSecretVerifier: `source` must be a function returning the secret document");
  }
  const header = options.header ?? DEFAULT_SHARED_SECRET_HEADER;
  if (typeof header !== "string" || !HEADER_NAME.test(header)) {
    throw new TypeError("gatelock createSharedSecretVerifier: `header` must be a valid HTTP header name");
  }
  const refreshIntervalMs = nonNegative("refreshIntervalMs", options.refreshIntervalMs, DEFAULT_REFRESH_INTERVAL_MS);
  const minRefreshIntervalMs = nonNegative("minRefreshIntervalMs", options.minRefreshIntervalMs, DEFAULT_MIN_REFRESH_INTERVAL_MS);
  const sourceTimeoutMs = nonNegative("sourceTimeoutMs", options.sourceTimeoutMs, DEFAULT_SOURCE_TIMEOUT_MS);
  if (sourceTimeoutMs === 0) throw new TypeError("gatelock createSharedSecretVerifier: sourceTimeoutMs must be > 0");
  const source = options.source;
  const clock = options.now ?? (() => new Date());
  const onSourceError = options.onSourceError;
  const nowMs = (): number => clock().getTime();

  let loaded: Loaded | undefined;
  let lastAttemptMs: number | undefined;
  let inflight: Promise<void> | undefined;

  const report = (failure: SourceFailure): void => {
    if (!onSourceError) return;
    try {
      onSourceError(failure);
    } catch {
      // A broken logging hook must not turn into a failed request or an unhandled rejection.
    }
  };

  /** Read the source once with a deadline; resolves to the text or throws a tagged failure. */
  const readSource = async (): Promise<string> => {
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(TIMEOUT), sourceTimeoutMs);
      // A pending read must not keep a shutting-down process alive.
      timer.unref();
    });
    try {
      // `Promise.resolve().then` turns a synchronous throw from the source into a rejection.
      return await Promise.race([Promise.resolve().then(source), deadline]);
    } finally {
      clearTimeout(timer);
    }
  };

  const attempt = async (): Promise<void> => {
    let text: unknown;
    try {
      text = await readSource();
    } catch (error) {
      report(describeSourceError(error, sourceTimeoutMs));
      return;
    }
    if (typeof text !== "string") {
      report({ stage: "document", message: "the secret source did not return a string" });
      return;
    }
    try {
      const doc = decodeSecretDocument(text);
      const retires = doc.previousRetiresAt === undefined ? undefined : Date.parse(doc.previousRetiresAt);
      loaded = {
        current: sha256(doc.current),
        previous: doc.previous === undefined ? randomBytes(32) : sha256(doc.previous),
        hasPrevious: doc.previous !== undefined,
        previousRetiresAtMs: retires,
        loadedAtMs: nowMs(),
      };
    } catch (error) {
      // decodeSecretDocument's messages are fixed strings that never quote the text
      // (its contract); anything else it might throw is reduced to a fixed message.
      const message = error instanceof TypeError && error.message.startsWith("gatelock secret document") ? error.message : "the secret document could not be decoded";
      report({ stage: "document", message });
    }
  };

  /** Read the source unless a read is already running, in which case share it (single flight). */
  const refresh = (): Promise<void> => {
    if (inflight) return inflight;
    lastAttemptMs = nowMs();
    const p: Promise<void> = attempt().finally(() => {
      if (inflight === p) inflight = undefined;
    });
    inflight = p;
    return p;
  };

  /** Whether the rate limit allows a new read now. A clock that went backwards allows one. */
  const mayRefresh = (): boolean => {
    if (lastAttemptMs === undefined) return true;
    const since = nowMs() - lastAttemptMs;
    return since < 0 || since >= minRefreshIntervalMs;
  };

  const isFresh = (doc: Loaded): boolean => {
    const age = nowMs() - doc.loadedAtMs;
    return age >= 0 && age < refreshIntervalMs;
  };

  /** The document to check against: cached while fresh, else re-read (rate-limited); the last good one if a read fails. */
  const documentForCheck = async (): Promise<Loaded | undefined> => {
    if (loaded && isFresh(loaded)) return loaded;
    if (inflight || mayRefresh()) await refresh();
    return loaded;
  };

  const check = (doc: Loaded, presented: Buffer): VerifyResult => {
    // Both comparisons run before either result is looked at: no early exit on `current`.
    const isCurrent = timingSafeEqual(presented, doc.current);
    const isPrevious = timingSafeEqual(presented, doc.previous);
    const now = nowMs();
    const previousLive = doc.hasPrevious && (doc.previousRetiresAtMs === undefined || now < doc.previousRetiresAtMs);
    if (isCurrent) return { ok: true, matched: "current" };
    if (isPrevious && previousLive) return { ok: true, matched: "previous" };
    return { ok: false, reason: "mismatch" };
  };

  const verify = async (headerValue: string | string[] | undefined): Promise<VerifyResult> => {
    const value = singleValue(headerValue);
    // Shape problems are decided before the store is touched, so traffic without the
    // header costs nothing and cannot drive reads of the store.
    if (value === MISSING) return { ok: false, reason: "missing" };
    if (value === AMBIGUOUS) return { ok: false, reason: "mismatch" };

    const presented = sha256(value);
    const doc = await documentForCheck();
    if (!doc) return { ok: false, reason: "unavailable" };
    const first = check(doc, presented);
    if (first.ok) return first;

    // A miss may mean the gateway already sends a secret rotated in after our read. Re-read
    // once (shared with concurrent misses, at most once per minRefreshIntervalMs) and check again.
    if (!inflight && !mayRefresh()) return first;
    await refresh();
    return loaded && loaded !== doc ? check(loaded, presented) : first;
  };

  return { header: header.toLowerCase(), verify };
}

const MISSING: unique symbol = Symbol("missing");
const AMBIGUOUS: unique symbol = Symbol("ambiguous");
const TIMEOUT: unique symbol = Symbol("timeout");

/**
 * Reduce a header value to the one value presented, or say why there is none.
 *
 * More than one value is refused outright rather than trying each: a client must not get
 * several guesses per request, and a proxy that duplicates the header is misconfigured.
 * Node joins repeated unknown headers with ", ", so a comma means duplicates too; gatelock's
 * generated secrets use the base64url alphabet and never contain one.
 */
function singleValue(headerValue: string | string[] | undefined): string | typeof MISSING | typeof AMBIGUOUS {
  let value: string | undefined;
  if (Array.isArray(headerValue)) {
    const present = headerValue.filter((v) => typeof v === "string" && v.trim().length > 0);
    if (present.length > 1 || (present.length === 1 && headerValue.length > 1)) return AMBIGUOUS;
    value = present[0];
  } else {
    value = headerValue;
  }
  if (typeof value !== "string" || value.trim().length === 0) return MISSING;
  if (value.includes(",")) return AMBIGUOUS;
  return value;
}

function describeSourceError(error: unknown, timeoutMs: number): SourceFailure {
  if (error === TIMEOUT) return { stage: "timeout", message: `the secret source did not answer within ${timeoutMs} ms` };
  const name = error instanceof Error && IDENTIFIER.test(error.name) ? error.name : undefined;
  const rawCode = typeof error === "object" && error !== null ? (error as { code?: unknown }).code : undefined;
  const code = typeof rawCode === "string" && IDENTIFIER.test(rawCode) ? rawCode : undefined;
  return {
    stage: "source",
    // Only our own error type is known to carry a secret-free message; any other message
    // might quote the document (a JSON.parse error in a custom reader does exactly that).
    message: error instanceof SecretSourceError ? error.message : "the secret source failed",
    ...(name ? { errorName: name } : {}),
    ...(code ? { errorCode: code } : {}),
  };
}
