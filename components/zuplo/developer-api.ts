/**
 * The Zuplo Developer API client and the two dynamic providers built on it: one environment
 * variable (`ZuploVariable`, in variable.ts) and a redeploy of a branch's deployments so that
 * new values take effect (`ZuploRedeploy`, in redeploy.ts). The resource classes live in those
 * files; everything Pulumi serialises lives here, self-contained (see SERIALIZATION below).
 *
 * Contract (reference/zuplo-developer-api.openapi.yml, "Variables"):
 * - create: `POST /v1/accounts/{a}/projects/{p}/branches/{b}/variables` with
 *   `{name, isSecret, value}` → 201 `Variable`.
 * - update: `PATCH …/variables/{name}` with `{value}` → 200 `Variable`, 404 when missing.
 * - Errors are problem+json; auth is `Authorization: Bearer <key>`; 429 carries `retry-after`.
 *
 * What the provider does beyond the contract:
 * - create falls back to PATCH when the POST answers 409 (the variable already exists; the
 *   duplicate-POST behaviour is undocumented). This adopts the existing variable.
 * - update falls back to POST when the PATCH answers 404 (the variable vanished).
 * - Both check the `isSecret` Zuplo reports against the declared one: Zuplo cannot change
 *   `isSecret`, so a mismatch (an adopted variable, or drift) is an error telling the user to
 *   delete the variable in the portal.
 *
 * DELETE IS BEST-EFFORT. The published API has no delete operation (the docs list
 * `zuplo variable delete`, CLI 7.6.4 has none). `delete` sends `DELETE …/variables/{name}` and
 * treats 2xx, 404 (already gone), 405 and 501 (not supported) as done; any other answer
 * raises. When the API does not support it, `pulumi destroy` leaves the variable in Zuplo:
 * remove it in the portal (Settings > Environment Variables) if it must go. A replacement at
 * the same account/project/branch/name is delete-before-replace (the same name cannot be
 * created twice); if the DELETE was a no-op the following create adopts the old variable and,
 * when `isSecret` changed, fails with the portal hint above.
 *
 * Credentials: the API key is never a resource input. It is read inside the provider methods
 * from the stack config `gatelock:zuploApiKey` (handed to `configure`) or, failing that, from
 * `process.env.ZUPLO_API_KEY`. Error messages, causes and console output never contain the
 * key or the variable's value (problem `detail`s are scrubbed of both).
 *
 * Transport: every request has a timeout (AbortSignal.timeout) and is retried on 429, 5xx
 * (except 501/505) and network errors/timeouts, with exponential backoff and full jitter,
 * honouring `Retry-After` (seconds or HTTP-date, capped), up to a bounded number of attempts.
 * Redirects are refused so the key is only ever sent to `apiUrl`.
 *
 * SERIALIZATION: Pulumi serializes `zuploVariableProvider` and `zuploRedeployProvider` (function serialization) and runs
 * it in the `pulumi-resource-pulumi-nodejs` plugin. Everything the provider methods reach must
 * therefore be self-contained in this file:
 * - no runtime imports (a captured local module becomes `require("<package>/<deep path>")`,
 *   which fails for a package with an `exports` map); Node globals only;
 * - helpers are `function` declarations and non-exported module constants (an `export const`
 *   referenced inside a method compiles to `exports.x` and captures the whole module);
 * - no classes with fields (the serializer rewrites classes into functions and drops field
 *   initialisers): errors are plain `Error`s built by `gatewayError`, shaped like
 *   `GatewayApiError` in ../errors.ts (`code`, `status`, `operation`, `variable`,
 *   `retryable`). Match them on `code`, not with `instanceof`.
 * test/zuplo-variable-serialization.test.ts checks this on the compiled output.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import type { GatelockErrorCode } from "../errors";

export const ZUPLO_VARIABLE_TYPE = "ZuploVariable";

export interface ZuploVariableInputs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  readonly branch: string;
  /** Variable name (SCREAMING_SNAKE_CASE). */
  readonly name: string;
  readonly isSecret: boolean;
  readonly value: string;
}

/** What the provider stores: the inputs plus the timestamps Zuplo reports, when it does. */
export interface ZuploVariableOutputs extends ZuploVariableInputs {
  readonly createdOn?: string;
  readonly updatedOn?: string;
}

/**
 * The errors the provider throws. Shaped like `GatewayApiError` / `GatelockError` in
 * ../errors.ts, but built locally so the provider serializes (see the file comment).
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
 * that restores the previous values.
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
// Everything below up to the provider is reached from the provider methods: function
// declarations only, no imports, no exported constants.

interface Target {
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  readonly branch: string;
  readonly name: string;
  readonly isSecret: boolean;
  readonly value: string;
}

/**
 * One operation's request context: where requests go, what errors may mention, and what they
 * must scrub. Shared by the variable and the redeploy provider.
 */
interface OpContext {
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

interface HttpAnswer {
  readonly status: number;
  readonly statusText: string;
  readonly text: string;
  /** Requests sent for this answer (1 unless retried). */
  readonly attempts: number;
}

function gatewayError(args: {
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

function describeTarget(t: Target): string {
  return `variable ${t.name} in Zuplo account ${t.account}, project ${t.project}, branch ${t.branch}`;
}

/** The API key, from the stack config or ZUPLO_API_KEY. `what` names the subject, e.g. `variable X`. */
function resolveApiKey(operation: string, what: string, variable?: string): string {
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
function apiUrlProblem(apiUrl: string): string | undefined {
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

function normalizeApiUrl(apiUrl: string): string {
  return apiUrl.replace(/\/+$/, "");
}

function collectionUrl(t: Target): string {
  const seg = encodeURIComponent;
  return `${normalizeApiUrl(t.apiUrl)}/v1/accounts/${seg(t.account)}/projects/${seg(t.project)}/branches/${seg(t.branch)}/variables`;
}

function itemUrl(t: Target): string {
  return `${collectionUrl(t)}/${encodeURIComponent(t.name)}`;
}

/** Picks the provider's fields from whatever Pulumi hands over (it adds `__provider`). */
function toTarget(props: ZuploVariableInputs): Target {
  return {
    apiUrl: props.apiUrl,
    account: props.account,
    project: props.project,
    branch: props.branch,
    name: props.name,
    isSecret: props.isSecret,
    value: props.value,
  };
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

function describeNetworkError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: unknown; cause?: { code?: unknown } };
  if (e && (e.name === "TimeoutError" || e.name === "AbortError")) return `timed out after ${timeoutMs} ms`;
  const code = e && e.cause && typeof e.cause.code === "string" ? e.cause.code : undefined;
  return code ? `network error (${code})` : "network error";
}

/** fetch's rejection for a 3xx with a Location under `redirect: "error"`. */
function isRedirectRefusal(err: unknown): boolean {
  const cause = (err as { cause?: { message?: unknown } } | undefined)?.cause;
  return err instanceof TypeError && typeof cause?.message === "string" && /redirect/i.test(cause.message);
}

/**
 * One logical request: sends it, retries transient failures, and returns the first
 * non-retryable answer. Throws when every attempt failed transiently.
 */
async function send(ctx: OpContext, apiKey: string, method: string, url: string, body: unknown): Promise<HttpAnswer> {
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
    try {
      const headers: Record<string, string> = { authorization: `Bearer ${apiKey}`, accept: "application/json" };
      if (body !== undefined) headers["content-type"] = "application/json";
      const res = await fetch(url, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        redirect: "error",
        signal: AbortSignal.timeout(timeoutMs),
      });
      const text = await res.text();
      if (!isRetryableStatus(res.status)) {
        return { status: res.status, statusText: res.statusText, text, attempts: attempt };
      }
      last = `HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`;
      lastStatus = res.status;
      lastError = undefined;
      const retryAfter = res.status === 429 || res.status === 503 ? parseRetryAfter(res.headers.get("retry-after"), Date.now()) : undefined;
      if (retryAfter !== undefined) waitMs = Math.min(retryAfter, clientOptions.maxRetryAfterMs);
    } catch (err) {
      if (isRedirectRefusal(err)) {
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
      last = describeNetworkError(err, timeoutMs);
      lastStatus = undefined;
      lastError = err;
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
function failure(ctx: OpContext, method: string, answer: HttpAnswer): ZuploProviderError {
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

interface VariableFacts {
  readonly isSecret?: boolean;
  readonly createdOn?: string;
  readonly updatedOn?: string;
}

/** Reads a 2xx `Variable` body. Malformed JSON is an error that echoes nothing of the body. */
function parseVariable(ctx: OpContext, method: string, answer: HttpAnswer): VariableFacts {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    parsed = undefined;
  }
  if (!parsed || typeof parsed !== "object" || Array.isArray(parsed)) {
    throw gatewayError({
      operation: ctx.operation,
      variable: ctx.variable,
      status: answer.status,
      retryable: false,
      message:
        `Zuplo ${ctx.operation} (${method}) of ${ctx.subject}: the response was malformed ` +
        `(HTTP ${answer.status} without a JSON Variable body). The request may have been applied; run pulumi up again.`,
    });
  }
  const v = parsed as { isSecret?: unknown; createdOn?: unknown; updatedOn?: unknown };
  return {
    isSecret: typeof v.isSecret === "boolean" ? v.isSecret : undefined,
    createdOn: typeof v.createdOn === "string" ? v.createdOn : undefined,
    updatedOn: typeof v.updatedOn === "string" ? v.updatedOn : undefined,
  };
}

/** Zuplo cannot change `isSecret`; a variable that has the other flag must be deleted by hand. */
function assertSecretFlag(ctx: OpContext, t: Target, facts: VariableFacts): void {
  if (facts.isSecret === undefined || facts.isSecret === t.isSecret) return;
  throw gatewayError({
    operation: ctx.operation,
    variable: t.name,
    status: 409,
    retryable: false,
    message:
      `Zuplo ${ctx.operation} of ${describeTarget(t)}: Zuplo stores it with isSecret=${facts.isSecret} but the resource declares ` +
      `isSecret=${t.isSecret}, and Zuplo cannot change isSecret of an existing variable. The new value was written to the existing ` +
      `variable. Delete the variable in the Zuplo portal (Settings > Environment Variables), then run pulumi up again; rotate the value if it is sensitive.`,
  });
}

function outputsOf(t: Target, facts: VariableFacts, previous?: { createdOn?: string }): ZuploVariableOutputs {
  const createdOn = facts.createdOn ?? previous?.createdOn;
  return {
    apiUrl: t.apiUrl,
    account: t.account,
    project: t.project,
    branch: t.branch,
    name: t.name,
    isSecret: t.isSecret,
    value: t.value,
    ...(createdOn !== undefined ? { createdOn } : {}),
    ...(facts.updatedOn !== undefined ? { updatedOn: facts.updatedOn } : {}),
  };
}

function contextFor(operation: string, t: Target, apiKey: string): OpContext {
  return {
    operation,
    apiUrl: t.apiUrl,
    account: t.account,
    project: t.project,
    branch: t.branch,
    subject: describeTarget(t),
    kind: "variable",
    variable: t.name,
    secrets: [t.value, apiKey],
  };
}

async function postVariable(ctx: OpContext, t: Target, apiKey: string): Promise<HttpAnswer> {
  return send(ctx, apiKey, "POST", collectionUrl(t), { name: t.name, isSecret: t.isSecret, value: t.value });
}

async function patchVariable(ctx: OpContext, t: Target, apiKey: string): Promise<HttpAnswer> {
  return send(ctx, apiKey, "PATCH", itemUrl(t), { value: t.value });
}

function isOk(answer: HttpAnswer): boolean {
  return answer.status >= 200 && answer.status < 300;
}

type WriteMethod = "POST" | "PATCH";

/**
 * One write, with one fallback: `first`; if Zuplo answers `fallbackOn`, `second` instead.
 * Every successful answer is parsed and its secrecy checked against what was declared.
 */
async function writeVariable(t: Target, op: "create" | "update", first: WriteMethod, fallbackOn: number, fallbackOp: string, second: WriteMethod): Promise<VariableFacts> {
  const apiKey = resolveApiKey(op, `variable ${t.name}`, t.name);
  const attempt = async (ctx: OpContext, method: WriteMethod): Promise<{ facts: VariableFacts } | { refused: HttpAnswer }> => {
    const answer = method === "POST" ? await postVariable(ctx, t, apiKey) : await patchVariable(ctx, t, apiKey);
    if (!isOk(answer)) return { refused: answer };
    const facts = parseVariable(ctx, method, answer);
    assertSecretFlag(ctx, t, facts);
    return { facts };
  };
  const ctx = contextFor(op, t, apiKey);
  const firstResult = await attempt(ctx, first);
  if ("facts" in firstResult) return firstResult.facts;
  if (firstResult.refused.status !== fallbackOn) throw failure(ctx, first, firstResult.refused);
  const fallbackCtx = contextFor(`${op} (${fallbackOp})`, t, apiKey);
  const secondResult = await attempt(fallbackCtx, second);
  if ("refused" in secondResult) throw failure(fallbackCtx, second, secondResult.refused);
  return secondResult.facts;
}

/** POST; on 409 adopt with PATCH. */
function createVariable(t: Target): Promise<VariableFacts> {
  return writeVariable(t, "create", "POST", 409, "adopting the existing variable", "PATCH");
}

/** PATCH; on 404 re-create with POST. */
function updateVariable(t: Target): Promise<VariableFacts> {
  return writeVariable(t, "update", "PATCH", 404, "re-creating the missing variable", "POST");
}

/** Best-effort DELETE (not in the published API): 2xx, 404, 405 and 501 count as done. */
async function deleteVariable(t: Target): Promise<void> {
  const apiKey = resolveApiKey("delete", `variable ${t.name}`, t.name);
  const ctx = contextFor("delete", t, apiKey);
  const answer = await send(ctx, apiKey, "DELETE", itemUrl(t), undefined);
  if (isOk(answer) || answer.status === 404 || answer.status === 405 || answer.status === 501) return;
  throw failure(ctx, "DELETE", answer);
}

/** Pulumi's placeholder for a value not known until apply (sdk/nodejs/runtime/rpc.ts `unknownValue`). */
function isUnknown(v: unknown): boolean {
  return v === "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
}

/** Checks account, project, branch and apiUrl (shared by both providers). */
function locationFailures(news: { account?: unknown; project?: unknown; branch?: unknown; apiUrl?: unknown }): dynamic.CheckFailure[] {
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

function checkFailures(news: Partial<Record<keyof ZuploVariableInputs, unknown>>): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const name = news.name;
  if (!isUnknown(name)) {
    if (typeof name !== "string" || !/^[A-Z][A-Z0-9_]*$/.test(name)) {
      failures.push({ property: "name", reason: "expected a SCREAMING_SNAKE_CASE Zuplo variable name (e.g. ORDERS_SHARED_SECRET)" });
    } else {
      const reserved = ["ZUPLO_", "__ZUPLO", "ZUDOKU_"].find((p) => name.startsWith(p));
      if (reserved) failures.push({ property: "name", reason: `${name}: names starting with ${reserved} are reserved by Zuplo` });
    }
  }
  failures.push(...locationFailures(news));
  if (!isUnknown(news.isSecret) && typeof news.isSecret !== "boolean") {
    failures.push({ property: "isSecret", reason: "expected true or false" });
  }
  // The value is checked for its type only, and never quoted.
  if (!isUnknown(news.value) && typeof news.value !== "string") {
    failures.push({ property: "value", reason: "expected a string" });
  }
  return failures;
}

function diffProps(olds: ZuploVariableOutputs, news: ZuploVariableInputs): dynamic.DiffResult {
  const replaces: string[] = [];
  if (normalizeApiUrl(String(olds.apiUrl)) !== normalizeApiUrl(String(news.apiUrl))) replaces.push("apiUrl");
  for (const key of ["account", "project", "branch", "name", "isSecret"] as const) {
    if (olds[key] !== news[key]) replaces.push(key);
  }
  const valueChanged = olds.value !== news.value;
  if (replaces.length === 0) {
    return { changes: valueChanged, stables: ["apiUrl", "account", "project", "branch", "name", "isSecret"] };
  }
  // Same account/project/branch/name: the old variable must go before the new one can be
  // created, or the create would adopt it and the old resource's delete would then remove it.
  const sameVariable = !replaces.some((k) => k === "account" || k === "project" || k === "branch" || k === "name");
  return { changes: true, replaces, deleteBeforeReplace: sameVariable };
}

/** Remembers the stack config's API key (`gatelock:zuploApiKey`), if set. */
function configureApiKey(req: dynamic.ConfigureRequest): void {
  const key = req.config.get("gatelock:zuploApiKey");
  providerState.configuredApiKey = typeof key === "string" && key.trim() !== "" ? key : undefined;
}

/**
 * The dynamic provider. Everything it reaches is in this file; see the file comment before
 * adding an import.
 */
export const zuploVariableProvider: dynamic.ResourceProvider<ZuploVariableInputs, ZuploVariableOutputs> = {
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    configureApiKey(req);
  },

  async check(_olds: ZuploVariableInputs, news: ZuploVariableInputs): Promise<dynamic.CheckResult<ZuploVariableInputs>> {
    const failures = checkFailures(news);
    return failures.length ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id: string, olds: ZuploVariableOutputs, news: ZuploVariableInputs): Promise<dynamic.DiffResult> {
    return diffProps(olds, news);
  },

  async create(inputs: ZuploVariableInputs): Promise<dynamic.CreateResult<ZuploVariableOutputs>> {
    const t = toTarget(inputs);
    const facts = await createVariable(t);
    return { id: `${t.account}/${t.project}/${t.branch}/${t.name}`, outs: outputsOf(t, facts) };
  },

  async update(_id: string, olds: ZuploVariableOutputs, news: ZuploVariableInputs): Promise<dynamic.UpdateResult<ZuploVariableOutputs>> {
    const t = toTarget(news);
    const facts = await updateVariable(t);
    return { outs: outputsOf(t, facts, olds) };
  },

  async delete(_id: string, props: ZuploVariableOutputs): Promise<void> {
    await deleteVariable(toTarget(props));
  },
};

// ---------------------------------------------------------------------------------------------
// ZuploRedeploy: redeploys a branch's live deployment(s) so new variable values take effect.
//
// Contract (reference/zuplo-developer-api.openapi.yml, "Deployments"):
// - `GET /v1/accounts/{a}/projects/{p}/deployments` → 200 `DeploymentsList` `{data: Deployment[]}`,
//   each with `name`, `branchName`, `environmentType`, …
// - `POST /v1/deployments/{deploymentName}/deploy` (no body) → 200 `DeploymentResponse` `{status}`.
// Zuplo applies variable changes only on a new deployment (reference/zuplo.md §6).
//
// The same rules as above apply to everything the redeploy provider reaches: function
// declarations and non-exported constants only, no imports.

export const ZUPLO_REDEPLOY_TYPE = "ZuploRedeploy";

export interface ZuploRedeployInputs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  /** Branch whose deployments are redeployed. */
  readonly branch: string;
  /**
   * Opaque fingerprint of what the deployments should pick up (gatelock: a SHA-256 over the
   * variables' names, secrecy and values). A change redeploys; the provider never sends it.
   */
  readonly trigger: string;
}

/** What the provider stores: the inputs, the deployments it redeployed and when. */
export interface ZuploRedeployOutputs extends ZuploRedeployInputs {
  /** Names of the deployments redeployed by the last create/update. */
  readonly deployments: string[];
  /** When the last redeploy was requested (ISO 8601). */
  readonly redeployedAt: string;
}

interface RedeployTarget {
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  readonly branch: string;
  readonly trigger: string;
}

function toRedeployTarget(props: ZuploRedeployInputs): RedeployTarget {
  return { apiUrl: props.apiUrl, account: props.account, project: props.project, branch: props.branch, trigger: props.trigger };
}

function describeRedeploy(t: RedeployTarget): string {
  return `the redeploy of branch ${t.branch} in Zuplo account ${t.account}, project ${t.project}`;
}

function redeployContext(operation: string, t: RedeployTarget, apiKey: string, deployment?: string): OpContext {
  return {
    operation,
    apiUrl: t.apiUrl,
    account: t.account,
    project: t.project,
    branch: t.branch,
    subject: deployment === undefined ? describeRedeploy(t) : `deployment ${deployment} (branch ${t.branch}) in Zuplo account ${t.account}, project ${t.project}`,
    kind: "deployments",
    ...(deployment === undefined
      ? { notFoundHint: `Not found: check the account (${t.account}) and project (${t.project}) exist.` }
      : { deployment, notFoundHint: `Deployment ${deployment} was not found: it may have been deleted since it was listed; run pulumi up again.` }),
    secrets: [t.trigger, apiKey],
  };
}

function deploymentsUrl(t: RedeployTarget): string {
  const seg = encodeURIComponent;
  return `${normalizeApiUrl(t.apiUrl)}/v1/accounts/${seg(t.account)}/projects/${seg(t.project)}/deployments`;
}

function redeployUrl(t: RedeployTarget, deployment: string): string {
  return `${normalizeApiUrl(t.apiUrl)}/v1/deployments/${encodeURIComponent(deployment)}/deploy`;
}

function malformed(ctx: OpContext, method: string, answer: HttpAnswer, expected: string, consequence: string): ZuploProviderError {
  return gatewayError({
    operation: ctx.operation,
    deployment: ctx.deployment,
    status: answer.status,
    retryable: false,
    message: `Zuplo ${ctx.operation} (${method}) of ${ctx.subject}: the response was malformed (HTTP ${answer.status} without ${expected}). ${consequence}`,
  });
}

/**
 * The names of the branch's deployments, from a 2xx `DeploymentsList`. A body that is not
 * JSON, has no `data` array, or has a deployment of the branch without a name is malformed.
 * Also returns the other branches seen (for the "no deployment" hint).
 */
function parseDeployments(ctx: OpContext, answer: HttpAnswer, branch: string): { names: string[]; otherBranches: string[] } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(answer.text);
  } catch {
    parsed = undefined;
  }
  const data = parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as { data?: unknown }).data : undefined;
  const bad = () => malformed(ctx, "GET", answer, "a JSON DeploymentsList body", "Nothing was redeployed; run pulumi up again.");
  if (!Array.isArray(data)) throw bad();
  const names: string[] = [];
  const otherBranches: string[] = [];
  for (const d of data) {
    if (!d || typeof d !== "object" || Array.isArray(d)) throw bad();
    const { name, branchName } = d as { name?: unknown; branchName?: unknown };
    if (branchName !== branch) {
      if (typeof branchName === "string" && !otherBranches.includes(branchName)) otherBranches.push(branchName);
      continue;
    }
    if (typeof name !== "string" || name === "") throw bad();
    if (!names.includes(name)) names.push(name);
  }
  return { names, otherBranches };
}

/** Lists the project's deployments, and redeploys each one of the branch, in turn. */
async function redeployBranch(t: RedeployTarget, op: "create" | "update"): Promise<{ deployments: string[]; redeployedAt: string }> {
  const apiKey = resolveApiKey(op, describeRedeploy(t));
  const listCtx = redeployContext(op, t, apiKey);
  const listed = await send(listCtx, apiKey, "GET", deploymentsUrl(t), undefined);
  if (!isOk(listed)) throw failure(listCtx, "GET", listed);
  const { names, otherBranches } = parseDeployments(listCtx, listed, t.branch);
  if (names.length === 0) {
    const seen = otherBranches.length ? ` (it has deployments of ${otherBranches.slice(0, 10).map((b) => `\`${b}\``).join(", ")}${otherBranches.length > 10 ? ", …" : ""})` : "";
    throw gatewayError({
      operation: op,
      status: listed.status,
      retryable: false,
      message:
        `Zuplo ${op} of ${describeRedeploy(t)}: project ${t.project} has no deployment of branch ${t.branch}${seen}, so there is nothing to redeploy. ` +
        `Deploy the branch once from Zuplo first (push it to the connected Git repository, or run \`zuplo deploy\`), then run pulumi up again; ` +
        "its first deployment picks up the variables already written. Or set gatelock:gateway.environment.redeploy to false.",
    });
  }
  const done: string[] = [];
  const partial = () => (done.length ? ` Already redeployed: ${done.join(", ")}.` : "");
  for (const name of names) {
    const ctx = redeployContext(op, t, apiKey, name);
    let answer: HttpAnswer;
    try {
      answer = await send(ctx, apiKey, "POST", redeployUrl(t, name), undefined);
    } catch (err) {
      if (err instanceof Error && done.length) err.message += partial();
      throw err;
    }
    if (!isOk(answer)) {
      const err = failure(ctx, "POST", answer);
      err.message += partial();
      throw err;
    }
    let body: unknown;
    try {
      body = JSON.parse(answer.text);
    } catch {
      body = undefined;
    }
    if (!body || typeof body !== "object" || typeof (body as { status?: unknown }).status !== "string") {
      throw malformed(ctx, "POST", answer, "a JSON DeploymentResponse body", `The redeploy may have been requested; run pulumi up again.${partial()}`);
    }
    done.push(name);
  }
  return { deployments: done, redeployedAt: new Date().toISOString() };
}

function checkRedeployFailures(news: Partial<Record<keyof ZuploRedeployInputs, unknown>>): dynamic.CheckFailure[] {
  const failures = locationFailures(news);
  // The trigger is checked for its type only, and never quoted.
  if (!isUnknown(news.trigger) && (typeof news.trigger !== "string" || news.trigger === "")) {
    failures.push({ property: "trigger", reason: "expected a non-empty string" });
  }
  return failures;
}

function diffRedeploy(olds: ZuploRedeployOutputs, news: ZuploRedeployInputs): dynamic.DiffResult {
  const replaces: string[] = [];
  if (normalizeApiUrl(String(olds.apiUrl)) !== normalizeApiUrl(String(news.apiUrl))) replaces.push("apiUrl");
  for (const key of ["account", "project", "branch"] as const) {
    if (olds[key] !== news[key]) replaces.push(key);
  }
  // A new location is a new set of deployments: create (redeploys there), then a no-op delete.
  if (replaces.length) return { changes: true, replaces, deleteBeforeReplace: false };
  // An unknown trigger (preview) differs from any stored one: shown as an update.
  return { changes: olds.trigger !== news.trigger, stables: ["apiUrl", "account", "project", "branch"] };
}

function redeployOutputs(t: RedeployTarget, result: { deployments: string[]; redeployedAt: string }): ZuploRedeployOutputs {
  return { apiUrl: t.apiUrl, account: t.account, project: t.project, branch: t.branch, trigger: t.trigger, deployments: result.deployments, redeployedAt: result.redeployedAt };
}

/**
 * The redeploy provider: create and update redeploy the branch's deployments; a change of
 * `trigger` updates, a change of location replaces; delete does nothing (a deployment is not
 * undone). Everything it reaches is in this file; see the file comment before adding an import.
 */
export const zuploRedeployProvider: dynamic.ResourceProvider<ZuploRedeployInputs, ZuploRedeployOutputs> = {
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    configureApiKey(req);
  },

  async check(_olds: ZuploRedeployInputs, news: ZuploRedeployInputs): Promise<dynamic.CheckResult<ZuploRedeployInputs>> {
    const failures = checkRedeployFailures(news);
    return failures.length ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id: string, olds: ZuploRedeployOutputs, news: ZuploRedeployInputs): Promise<dynamic.DiffResult> {
    return diffRedeploy(olds, news);
  },

  async create(inputs: ZuploRedeployInputs): Promise<dynamic.CreateResult<ZuploRedeployOutputs>> {
    const t = toRedeployTarget(inputs);
    const result = await redeployBranch(t, "create");
    return { id: `${t.account}/${t.project}/${t.branch}/redeploy`, outs: redeployOutputs(t, result) };
  },

  async update(_id: string, _olds: ZuploRedeployOutputs, news: ZuploRedeployInputs): Promise<dynamic.UpdateResult<ZuploRedeployOutputs>> {
    const t = toRedeployTarget(news);
    return { outs: redeployOutputs(t, await redeployBranch(t, "update")) };
  },

  async delete(): Promise<void> {
    // Nothing to undo: the deployments keep running with the values they picked up.
  },
};
