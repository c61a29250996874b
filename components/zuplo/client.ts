/**
 * The Zuplo Developer API client shared by the two dynamic providers (variable-provider.ts,
 * redeploy-provider.ts): transport, credentials, errors and the checks of where requests go.
 * It knows nothing about variables or deployments beyond the hints in its error messages.
 *
 * Errors are problem+json; auth is `Authorization: Bearer <key>`; 429 carries `retry-after`
 * (reference/zuplo-developer-api.openapi.yml).
 *
 * Credentials: the API key is never a resource input. It is read inside the provider methods
 * from the stack config `gatelock:zuploApiKey` (handed to `configure`) or, failing that, from
 * `process.env.ZUPLO_API_KEY`. Error messages, causes and console output never contain the
 * key or the value being written (problem `detail`s are scrubbed of both).
 *
 * Transport: every request has a timeout (AbortSignal.timeout) and is retried on 429, 5xx
 * (except 501/505) and network errors/timeouts, with exponential backoff and full jitter,
 * honouring `Retry-After` (seconds or HTTP-date, capped), up to a bounded number of attempts.
 * Redirects are never followed (`redirect: "manual"`, and a 3xx is an error) so the key is
 * only ever sent to `apiUrl`.
 *
 * SERIALIZATION: Pulumi serializes the providers (function serialization) and runs them in the
 * `pulumi-resource-pulumi-nodejs` plugin. Everything a provider method reaches, here and in
 * the provider files, must therefore serialize by value:
 * - no runtime imports in this file; Node globals only;
 * - helpers are `function` declarations and non-exported module constants (an `export const`
 *   referenced inside a function compiles to `exports.x` and captures the whole module);
 * - a provider file reaches these functions only through module-scope locals bound once
 *   (`const { send, … } = client;`), never as `client.send(…)`: a captured module object
 *   serializes as `require("gatelock/dist/zuplo/client.js")`, which the package's `exports`
 *   map refuses, whereas a captured function serializes as its own code;
 * - no classes with fields (the serializer rewrites classes into functions and drops field
 *   initialisers): errors are plain `Error`s built by `gatewayError`, shaped like
 *   `GatewayApiError` in ../errors.ts (`code`, `status`, `operation`, `variable`, `deployment`,
 *   `retryable`, `attempts`) and branded (`Symbol.for("gatelock.error")`, see
 *   `GATELOCK_ERROR_BRAND` there), so `instanceof GatewayApiError` and `instanceof
 *   GatelockError` hold for them.
 * test/zuplo-variable-serialization.test.ts checks this on the compiled, installed package.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { GatelockErrorCode } from "../errors";

/**
 * The errors the providers throw: plain `Error`s shaped like `GatewayApiError` (code
 * `ERR_GATEWAY_API`) or `GatelockError` (code `ERR_GATEWAY_CREDENTIALS`) in ../errors.ts and
 * branded so that `instanceof` those classes holds (see the file comment).
 */
export interface ZuploProviderError extends Error {
  readonly code: Extract<GatelockErrorCode, "ERR_GATEWAY_API" | "ERR_GATEWAY_CREDENTIALS">;
  /** Provider operation: `create`, `update`, `delete`. */
  readonly operation: string;
  /** HTTP status of the last answer, when there was one. */
  readonly status?: number;
  /** Variable name (never its value). */
  readonly variable?: string;
  /** Deployment name, for a redeploy (`ZuploRedeploy`). */
  readonly deployment?: string;
  /** Whether trying again later may help (rate limits, outages, timeouts). */
  readonly retryable: boolean;
  /** Requests sent for this operation when the client gave up. */
  readonly attempts?: number;
}

/** Transport tunables. Defaults suit the real API; tests shorten them. */
export interface ZuploClientOptions {
  /** Attempts per request, including the first. */
  readonly maxAttempts: number;
  /** Backoff base: attempt n waits a random time in [0, min(maxDelayMs, baseDelayMs·2^(n-1))). */
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Cap on a server's `Retry-After`. */
  readonly maxRetryAfterMs: number;
  /** Per-request timeout (headers and body). */
  readonly timeoutMs: number;
}

const DEFAULT_CLIENT_OPTIONS: ZuploClientOptions = {
  maxAttempts: 5,
  baseDelayMs: 500,
  maxDelayMs: 15_000,
  maxRetryAfterMs: 60_000,
  timeoutMs: 30_000,
};

/** Mutable copy the provider reads; captured by value when the provider is serialized. */
const clientOptions: { -readonly [K in keyof ZuploClientOptions]: ZuploClientOptions[K] } = { ...DEFAULT_CLIENT_OPTIONS };

/** State set by `configure` (the stack config's API key). */
const providerState: { configuredApiKey: string | undefined } = { configuredApiKey: undefined };

/**
 * Override transport tunables (tests use short delays and timeouts). Returns a function
 * that restores the previous values. A test knob: public only through `gatelock/testing`.
 * Values set before a provider is serialized travel with it.
 */
export function setZuploClientOptions(overrides: Partial<ZuploClientOptions>): () => void {
  const previous = { ...clientOptions };
  Object.assign(clientOptions, overrides);
  return () => {
    Object.assign(clientOptions, previous);
  };
}

/** The stack config key that may hold the Developer API key (set it with `--secret`). */
export const ZUPLO_API_KEY_CONFIG = "gatelock:zuploApiKey";
// (The provider methods spell the key out: they may not reference exported constants.)

// ---------------------------------------------------------------------------------------------
// Everything below is reached from the provider methods: function declarations only, no
// imports, no exported constants (see SERIALIZATION in the file comment).

/**
 * One operation's request context: where requests go, what errors may mention, and what they
 * must scrub. Shared by the variable and the redeploy provider.
 */
export interface OpContext {
  readonly operation: string;
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  readonly branch: string;
  /** What messages name, e.g. `variable X in Zuplo account a, project p, branch b`. */
  readonly subject: string;
  /** What the requests are about: tailors the hints for 400/404/409. */
  readonly kind: "variable" | "deployments";
  /** The error's `variable` property. */
  readonly variable?: string;
  /** The error's `deployment` property. */
  readonly deployment?: string;
  /** Hint for a 404 instead of the default (check account/project/branch). */
  readonly notFoundHint?: string;
  /** Strings that must never appear in an error: the value and the API key. */
  readonly secrets: readonly string[];
}

export interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly text: string;
  /** Requests sent for this answer (1 unless retried). */
  readonly attempts: number;
}

/**
 * The providers' error: a plain `Error` with `GatewayApiError`'s properties (code
 * `ERR_GATEWAY_API`), or `GatelockError`'s (code `ERR_GATEWAY_CREDENTIALS`). It carries the
 * brand `Symbol.for("gatelock.error")` (../errors.ts `GATELOCK_ERROR_BRAND`, spelt out here
 * because this file may not import it) naming the class, so `instanceof GatewayApiError` /
 * `instanceof GatelockError` hold for it in any process that loads gatelock.
 */
export function gatewayError(args: {
  code?: "ERR_GATEWAY_API" | "ERR_GATEWAY_CREDENTIALS";
  message: string;
  operation: string;
  status?: number;
  variable?: string;
  deployment?: string;
  retryable?: boolean;
  attempts?: number;
  cause?: unknown;
}): ZuploProviderError {
  const code = args.code ?? "ERR_GATEWAY_API";
  const err = (args.cause === undefined ? new Error(args.message) : new Error(args.message, { cause: args.cause })) as Error & Record<string, unknown>;
  err.name = code === "ERR_GATEWAY_API" ? "GatewayApiError" : "GatelockError";
  Object.defineProperty(err, Symbol.for("gatelock.error"), { value: err.name, enumerable: false });
  err.code = code;
  err.operation = args.operation;
  err.retryable = args.retryable ?? false;
  if (args.status !== undefined) err.status = args.status;
  if (args.variable !== undefined) err.variable = args.variable;
  if (args.deployment !== undefined) err.deployment = args.deployment;
  if (args.attempts !== undefined) err.attempts = args.attempts;
  return err as unknown as ZuploProviderError;
}

/** Replace every secret (raw, JSON-escaped, URL-encoded) with `[redacted]`. */
function scrub(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    const forms = [s, JSON.stringify(s).slice(1, -1), encodeURIComponent(s)];
    for (const f of forms) {
      if (f) out = out.split(f).join("[redacted]");
    }
  }
  return out;
}

/** A copy of an error chain with messages scrubbed and nothing else (no bodies, no headers). */
function scrubbedCause(err: unknown, secrets: readonly string[], depth: number): Error | undefined {
  if (err === undefined || err === null || depth > 3) return undefined;
  const source = err as { name?: unknown; message?: unknown; code?: unknown; cause?: unknown };
  const message = typeof source.message === "string" ? source.message : String(err);
  const inner = scrubbedCause(source.cause, secrets, depth + 1);
  const copy = (inner === undefined ? new Error(scrub(message, secrets)) : new Error(scrub(message, secrets), { cause: inner })) as Error & Record<string, unknown>;
  if (typeof source.name === "string") copy.name = scrub(source.name, secrets);
  if (typeof source.code === "string" || typeof source.code === "number") copy.code = source.code;
  return copy;
}

/** The API key, from the stack config or ZUPLO_API_KEY. `what` names the subject, e.g. `variable X`. */
export function resolveApiKey(operation: string, what: string, variable?: string): string {
  const fromConfig = providerState.configuredApiKey;
  const fromEnv = process.env["ZUPLO_API_KEY"];
  const key = (fromConfig && fromConfig.trim()) || (fromEnv && fromEnv.trim()) || "";
  if (!key) {
    throw gatewayError({
      code: "ERR_GATEWAY_CREDENTIALS",
      operation,
      variable,
      message:
        `No Zuplo API key for ${operation} of ${what}. Set the ZUPLO_API_KEY environment variable, ` +
        "or run `pulumi config set --secret gatelock:zuploApiKey <key>`.",
    });
  }
  // A header value must be visible ASCII; checking here keeps fetch from quoting the key in its error.
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw gatewayError({
      code: "ERR_GATEWAY_CREDENTIALS",
      operation,
      variable,
      message:
        `The Zuplo API key for ${operation} of ${what} contains spaces or non-ASCII characters. ` +
        `Check ZUPLO_API_KEY or the stack config gatelock:zuploApiKey.`,
    });
  }
  return key;
}

function isLoopbackHost(hostname: string): boolean {
  return hostname === "localhost" || hostname === "[::1]" || hostname === "::1" || /^127(\.\d{1,3}){3}$/.test(hostname);
}

/** Why `apiUrl` is unusable, or undefined when it is fine. Never sends a key over plain HTTP to a remote host. */
export function apiUrlProblem(apiUrl: string): string | undefined {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    return "expected an absolute URL such as https://dev.zuplo.com";
  }
  if (url.protocol !== "https:" && !(url.protocol === "http:" && isLoopbackHost(url.hostname))) {
    return "expected an https:// URL (plain http:// is accepted only for localhost/127.0.0.1)";
  }
  if (url.username || url.password) return "must not contain credentials";
  if (url.search || url.hash) return "must not contain a query or fragment";
  return undefined;
}

export function normalizeApiUrl(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Status codes worth retrying: rate limits and transient server failures. */
function isRetryableStatus(status: number): boolean {
  return status === 429 || (status >= 500 && status !== 501 && status !== 505);
}

/** `Retry-After` as milliseconds (delay-seconds or HTTP-date), or undefined when absent/invalid. */
function parseRetryAfter(header: string | null, nowMs: number): number | undefined {
  if (!header) return undefined;
  const text = header.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const at = Date.parse(text);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - nowMs);
}

/** Exponential backoff with full jitter for the wait after attempt `attempt` (1-based). */
function backoffMs(attempt: number): number {
  const ceiling = Math.min(clientOptions.maxDelayMs, clientOptions.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(Math.random() * ceiling);
}

/** The statuses fetch treats as redirects (Fetch standard, "redirect status"): never followed. */
function isRedirectStatus(status: number): boolean {
  return status === 301 || status === 302 || status === 303 || status === 307 || status === 308;
}

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; cause?: { code?: unknown } };
  if (e && (e.name === "TimeoutError" || e.name === "AbortError")) return `timed out after ${timeoutMs} ms`;
  const code = e && e.cause && typeof e.cause.code === "string" ? e.cause.code : undefined;
  return code ? `network error (${code})` : "network error";
}

/**
 * One logical request: sends it, retries transient failures, and returns the first
 * non-retryable answer. Throws when every attempt failed transiently.
 */
export async function send(ctx: OpContext, apiKey: string, method: string, url: string, body: unknown): Promise<HttpAnswer> {
  const problem = apiUrlProblem(ctx.apiUrl);
  if (problem) {
    throw gatewayError({
      operation: ctx.operation,
      variable: ctx.variable,
      deployment: ctx.deployment,
      message: `Zuplo ${ctx.operation} of ${ctx.subject} refused: apiUrl ${problem}.`,
    });
  }
  const maxAttempts = Math.max(1, Math.floor(clientOptions.maxAttempts));
  let last = "";
  let lastStatus: number | undefined;
  let lastError: unknown;
  for (let attempt = 1; ; attempt++) {
    const timeoutMs = clientOptions.timeoutMs;
    let waitMs: number | undefined;
    let redirected = false;
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      // "manual": Node's fetch hands back the 3xx itself, which is refused below by its status
      // (not by the wording of the error fetch would raise under "error").
      const res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "manual",
        signal: AbortSignal.timeout(timeoutMs),
      });
      if (isRedirectStatus(res.status)) {
        await res.body?.cancel().catch(() => undefined);
        redirected = true;
      } else {
        const text = await res.text();
        if (!isRetryableStatus(res.status)) {
          return { status: res.status, statusText: res.statusText, text, attempts: attempt };
        }
        last = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
        lastStatus = res.status;
        lastError = undefined;
        const retryAfter = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after"), Date.now()) : undefined;
        if (retryAfter !== undefined) waitMs = Math.min(retryAfter, clientOptions.maxRetryAfterMs);
      }
    } catch (err) {
      last = describeNetworkError(err, timeoutMs);
      lastStatus = undefined;
      lastError = err;
    }
    if (redirected) {
      throw gatewayError({
        operation: ctx.operation,
        variable: ctx.variable,
        deployment: ctx.deployment,
        attempts: attempt,
        message:
          `Zuplo ${ctx.operation} (${method}) of ${ctx.subject} refused: the Developer API answered with a redirect, ` +
          "and the API key is only sent to apiUrl itself. Check apiUrl (e.g. https://dev.zuplo.com).",
      });
    }
    if (attempt >= maxAttempts) {
      const hint =
        lastStatus === 429
          ? "The Developer API is rate limiting this key; wait and run pulumi up again."
          : "The Developer API did not answer successfully; check https://status.zuplo.com and your network, then run pulumi up again.";
      throw gatewayError({
        operation: ctx.operation,
        variable: ctx.variable,
        deployment: ctx.deployment,
        status: lastStatus,
        retryable: true,
        attempts: attempt,
        cause: lastError === undefined ? undefined : scrubbedCause(lastError, ctx.secrets, 0),
        message: `Zuplo ${ctx.operation} (${method}) of ${ctx.subject} failed after ${attempt} attempts (last: ${last}). ${hint}`,
      });
    }
    await sleep(waitMs ?? backoffMs(attempt));
  }
}

/** A problem+json body's `detail` (or `title`), scrubbed of secrets and shortened; empty when absent. */
function problemText(answer: HttpAnswer, secrets: readonly string[]): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    return "";
  }
  if (!parsed || typeof parsed !== "object") return "";
  const p = parsed as { title?: unknown; detail?: unknown };
  const text = typeof p.detail === "string" && p.detail ? p.detail : typeof p.title === "string" ? p.title : "";
  // Scrub before cutting: a cut through a secret would leave a piece that no longer matches.
  const clean = scrub(text, secrets);
  return clean.length > 500 ? `${clean.slice(0, 500)}…` : clean;
}

/** The error for an answer the provider does not handle. */
export function failure(ctx: OpContext, method: string, answer: HttpAnswer): ZuploProviderError {
  const s = answer.status;
  const variable = ctx.kind === "variable";
  let hint: string;
  if (s === 401) hint = "The API key was refused: check ZUPLO_API_KEY or gatelock:zuploApiKey holds a valid Zuplo API key.";
  else if (s === 403) hint = `The API key is not allowed here: check the key's account and project scope includes ${ctx.account}/${ctx.project}.`;
  else if (s === 404) hint = ctx.notFoundHint ?? `Not found: check the account (${ctx.account}), project (${ctx.project}) and branch (${ctx.branch}) exist.`;
  else if (s === 400 || s === 422) hint = variable ? "Zuplo refused the request as invalid: check the variable name and value." : "Zuplo refused the request as invalid.";
  else if (s === 409) hint = variable ? "Zuplo reports a conflict with an existing variable." : "Zuplo reports a conflict (a deployment may be in progress); wait and run pulumi up again.";
  else hint = "Unexpected answer from the Zuplo Developer API.";
  const detail = problemText(answer, ctx.secrets);
  const statusText = answer.statusText ? ` ${scrub(answer.statusText, ctx.secrets)}` : "";
  return gatewayError({
    operation: ctx.operation,
    variable: ctx.variable,
    deployment: ctx.deployment,
    status: s,
    retryable: false,
    attempts: answer.attempts,
    message: `Zuplo ${ctx.operation} (${method}) of ${ctx.subject} failed: HTTP ${s}${statusText}. ${hint}${detail ? ` Zuplo says: ${detail}` : ""}`,
  });
}

export function isOk(answer: HttpAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

/** Pulumi's placeholder for a value not known until apply (sdk/nodejs/runtime/rpc.ts `unknownValue`). */
export function isUnknown(v: unknown): boolean {
  return v === "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
}

/** Checks account, project, branch and apiUrl (shared by both providers). */
export function locationFailures(news: { account?: unknown; project?: unknown; branch?: unknown; apiUrl?: unknown }): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  for (const key of ["account", "project", "branch"] as const) {
    const v = news[key];
    if (isUnknown(v)) continue;
    if (typeof v !== "string" || v.trim() === "" || /[\u0000-\u001f\u007f]/.test(v)) {
      failures.push({ property: key, reason: `expected a non-empty Zuplo ${key} name` });
    }
  }
  if (!isUnknown(news.apiUrl)) {
    const problem = typeof news.apiUrl === "string" ? apiUrlProblem(news.apiUrl) : "expected a URL string";
    if (problem) failures.push({ property: "apiUrl", reason: problem });
  }
  return failures;
}

/** Remembers the stack config's API key (`gatelock:zuploApiKey`), if set. */
export function configureApiKey(req: dynamic.ConfigureRequest): void {
  const key = req.config.get("gatelock:zuploApiKey");
  providerState.configuredApiKey = typeof key === "string" && key.trim() !== "" ? key : undefined;
}
