/**
 * The `ZuploTunnel` dynamic provider: one secure tunnel of a Zuplo account (method 5), written
 * with the Developer API client (client.ts). The resource class is in tunnel.ts; the services
 * the tunnel carries are a separate resource (tunnel-services-provider.ts), which reuses the
 * operation polling below.
 *
 * Contract (reference/zuplo-developer-api.openapi.yml, "Tunnels"):
 * - create: `POST /v1/accounts/{a}/tunnels` with `{name}` (`Tunnel`; `tunnelId` and `token`
 *   are readOnly) → 201 `Tunnel` `{tunnelId, name, token}`.
 * - read: `GET …/tunnels/{tunnelId}` → 200 `Tunnel` (with the token), 404 when gone.
 * - rotate: `POST …/tunnels/{tunnelId}/$rotate-token` (no body) → 200 `Tunnel` with the new token.
 * - delete: `DELETE …/tunnels/{tunnelId}` → 200 `TunnelTeardownOperation` `{id: tst_…, status:
 *   in-progress|success|error, message?, details?}`; then `GET …/teardown-operations/{id}`
 *   until it is no longer in progress.
 * - list: `GET …/tunnels` → `TunnelList` `{data: [{id, name}]}` (used only to recover a tunnel
 *   whose create answer was unreadable).
 *
 * The token is the connector's credential: it is a secret output (tunnel.ts sets
 * `additionalSecretOutputs`), and every error is scrubbed of it as of the API key. There is
 * no rename operation, so a new name replaces the tunnel (a new token too).
 *
 * Not handled: a create whose answer was lost (timeout) after Zuplo created the tunnel is
 * retried by the client, and may leave a second tunnel of the same name; Zuplo's names are
 * not unique, so the provider cannot tell which one is an orphan. `zuplo tunnel list` shows it.
 *
 * SERIALIZATION: Pulumi serializes `zuploTunnelProvider` and runs it in another process; the
 * rules in client.ts's file comment apply here: function declarations and non-exported
 * constants only, and the client only through the locals bound below.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as client from "./client";
import type { HttpAnswer, OpContext, ZuploProviderError } from "./client";

// Bound once, at load: methods capture these functions by value (see SERIALIZATION above).
const { apiUrlProblem, configureApiKey, failure, gatewayError, isOk, isUnknown, normalizeApiUrl, resolveApiKey, send } = client;

export const ZUPLO_TUNNEL_TYPE = "ZuploTunnel";

export interface ZuploTunnelInputs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: string;
  /** The Zuplo account that owns the tunnel (tunnels are account-wide). */
  readonly account: string;
  /** The tunnel's name: 3-24 letters, digits and dashes. A new name replaces the tunnel. */
  readonly name: string;
  /**
   * Rotation counter: every increase rotates the token (`$rotate-token`). The caller bumps it
   * from its rotation schedule; the provider never rotates on its own.
   */
  readonly rotation: number;
}

export interface ZuploTunnelOutputs extends ZuploTunnelInputs {
  /** Zuplo's id (`tnl_…`). */
  readonly tunnelId: string;
  /** The connector's `TUNNEL_TOKEN` (a Pulumi secret). */
  readonly token: string;
}

/** How long the providers wait for a teardown or provisioning operation. Defaults suit the real API. */
export interface ZuploTunnelPollOptions {
  /** Polls before giving up. */
  readonly attempts: number;
  /** Wait before each poll. */
  readonly intervalMs: number;
}

/** Mutable copy the providers read; captured by value when a provider is serialized. */
const pollOptions: { -readonly [K in keyof ZuploTunnelPollOptions]: ZuploTunnelPollOptions[K] } = { attempts: 60, intervalMs: 5_000 };

/** Test knob (like `setZuploClientOptions`): shorten the operation polls. Returns a restore function. */
export function setZuploTunnelPollOptions(overrides: Partial<ZuploTunnelPollOptions>): () => void {
  const previous = { ...pollOptions };
  Object.assign(pollOptions, overrides);
  return () => {
    Object.assign(pollOptions, previous);
  };
}

// ---------------------------------------------------------------------------------------------
// Reached from the provider methods: function declarations and non-exported constants only.

interface TunnelTarget {
  readonly apiUrl: string;
  readonly account: string;
  readonly name: string;
  readonly rotation: number;
}

function toTunnelTarget(props: ZuploTunnelInputs): TunnelTarget {
  return { apiUrl: props.apiUrl, account: props.account, name: props.name, rotation: props.rotation };
}

function describeTunnel(t: { name: string; account: string }, tunnelId?: string): string {
  return `tunnel ${t.name}${tunnelId ? ` (${tunnelId})` : ""} in Zuplo account ${t.account}`;
}

/** `…/v1/accounts/{a}/tunnels[/{id}]`: shared with the services provider. */
export function tunnelsUrl(apiUrl: string, account: string, tunnelId?: string): string {
  const base = `${normalizeApiUrl(apiUrl)}/v1/accounts/${encodeURIComponent(account)}/tunnels`;
  return tunnelId === undefined ? base : `${base}/${encodeURIComponent(tunnelId)}`;
}

/** An OpContext for account-wide tunnel requests (no project, no branch). */
export function tunnelContext(operation: string, apiUrl: string, account: string, subject: string, notFoundHint: string, secrets: readonly string[]): OpContext {
  // The client's hints are per kind; "deployments" has the neutral ones (no variable wording).
  return { operation, apiUrl, account, project: "*", branch: "", subject, kind: "deployments", notFoundHint, secrets: [...secrets] };
}

/** Replace every secret (raw and JSON-escaped) in a text Zuplo wrote, e.g. an operation's message. */
export function scrubText(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const s of secrets) {
    if (!s) continue;
    for (const f of [s, JSON.stringify(s).slice(1, -1)]) if (f) out = out.split(f).join("[redacted]");
  }
  return out.length > 500 ? `${out.slice(0, 500)}…` : out;
}

export function parseJsonObject(text: string): Record<string, unknown> | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return undefined;
  }
  return parsed && typeof parsed === "object" && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : undefined;
}

/** A malformed answer: echoes nothing of the body (a tunnel body holds the token). */
export function malformedAnswer(ctx: OpContext, method: string, answer: HttpAnswer, expected: string, consequence: string): ZuploProviderError {
  return gatewayError({
    operation: ctx.operation,
    status: answer.status,
    retryable: false,
    attempts: answer.attempts,
    message: `Zuplo ${ctx.operation} (${method}) of ${ctx.subject}: the response was malformed (HTTP ${answer.status} without ${expected}). ${consequence}`,
  });
}

interface TunnelFacts {
  readonly tunnelId: string;
  readonly name: string;
  readonly token: string;
}

function tunnelFactsOf(body: Record<string, unknown> | undefined): TunnelFacts | undefined {
  if (!body) return undefined;
  const { tunnelId, name, token } = body;
  if (typeof tunnelId !== "string" || tunnelId === "" || typeof name !== "string" || typeof token !== "string" || token === "") return undefined;
  return { tunnelId, name, token };
}

/** An operation as `TunnelTeardownOperation` / `TunneledServicesProvisioningOperation` present it. */
export interface OperationFacts {
  readonly id: string;
  readonly status: "in-progress" | "success" | "error";
  readonly message?: string;
  readonly details?: string;
}

export function operationFactsOf(body: Record<string, unknown> | undefined): OperationFacts | undefined {
  if (!body) return undefined;
  const { id, status, message, details } = body;
  if (typeof id !== "string" || id === "" || (status !== "in-progress" && status !== "success" && status !== "error")) return undefined;
  return { id, status, ...(typeof message === "string" ? { message } : {}), ...(typeof details === "string" ? { details } : {}) };
}

function sleepFor(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls an operation (`GET operationUrl`) until it leaves `in-progress`, at most
 * `pollOptions.attempts` times. Returns the last state, which may still be in progress: the
 * caller words that error, since only it knows what was asked for.
 */
export async function pollOperation(ctx: OpContext, apiKey: string, operationUrl: string, first: OperationFacts, what: string): Promise<OperationFacts> {
  let current = first;
  const tries = Math.max(1, Math.floor(pollOptions.attempts));
  for (let i = 0; i < tries && current.status === "in-progress"; i++) {
    await sleepFor(pollOptions.intervalMs);
    const answer = await send(ctx, apiKey, "GET", operationUrl, undefined);
    if (!isOk(answer)) throw failure(ctx, "GET", answer);
    const facts = operationFactsOf(parseJsonObject(answer.text));
    if (!facts) throw malformedAnswer(ctx, "GET", answer, `a JSON ${what} body`, "The operation may still complete; run pulumi up again.");
    current = facts;
  }
  return current;
}

/** How long the poll waits in all, for messages. */
export function pollBudget(): string {
  const ms = Math.max(1, Math.floor(pollOptions.attempts)) * pollOptions.intervalMs;
  return ms >= 1000 ? `${Math.round(ms / 1000)} s` : `${ms} ms`;
}

/** Reads a 2xx `Tunnel`; a body without one is malformed. */
function parseTunnel(ctx: OpContext, method: string, answer: HttpAnswer, consequence: string): TunnelFacts {
  const facts = tunnelFactsOf(parseJsonObject(answer.text));
  if (!facts) throw malformedAnswer(ctx, method, answer, "a JSON Tunnel body", consequence);
  return facts;
}

/**
 * Recovers the tunnel just created when its answer was unreadable: by name in the account's
 * list, then its token by id. Only a single match is taken (names are not unique).
 */
async function recoverCreated(t: TunnelTarget, apiKey: string, answer: HttpAnswer): Promise<TunnelFacts> {
  const ctx = tunnelContext("create (looking up the tunnel just created)", t.apiUrl, t.account, describeTunnel(t), `Not found: check the account (${t.account}) exists.`, [apiKey]);
  const consequence = "The tunnel may have been created; check `zuplo tunnel list` before running pulumi up again.";
  const listed = await send(ctx, apiKey, "GET", tunnelsUrl(t.apiUrl, t.account), undefined);
  if (!isOk(listed)) throw failure(ctx, "GET", listed);
  const data = parseJsonObject(listed.text)?.["data"];
  if (!Array.isArray(data)) throw malformedAnswer(ctx, "GET", listed, "a JSON TunnelList body", consequence);
  const ids = data.filter((d) => d && typeof d === "object" && (d as { name?: unknown }).name === t.name).map((d) => (d as { id?: unknown }).id);
  if (ids.length !== 1 || typeof ids[0] !== "string") {
    const seen = ids.filter((x): x is string => typeof x === "string");
    throw malformedAnswer(ctx, "POST", answer, "a JSON Tunnel body", `${seen.length ? `Tunnels named ${t.name}: ${seen.join(", ")}. ` : ""}${consequence}`);
  }
  const got = await send(ctx, apiKey, "GET", tunnelsUrl(t.apiUrl, t.account, ids[0]), undefined);
  if (!isOk(got)) throw failure(ctx, "GET", got);
  return parseTunnel(ctx, "GET", got, consequence);
}

async function createTunnel(t: TunnelTarget): Promise<TunnelFacts> {
  const apiKey = resolveApiKey("create", describeTunnel(t));
  const ctx = tunnelContext("create", t.apiUrl, t.account, describeTunnel(t), `Not found: check the account (${t.account}) exists and has secure tunnels (an Enterprise feature).`, [apiKey]);
  const answer = await send(ctx, apiKey, "POST", tunnelsUrl(t.apiUrl, t.account), { name: t.name });
  if (!isOk(answer)) throw failure(ctx, "POST", answer);
  return tunnelFactsOf(parseJsonObject(answer.text)) ?? recoverCreated(t, apiKey, answer);
}

async function rotateToken(t: TunnelTarget, tunnelId: string, oldToken: string): Promise<TunnelFacts> {
  const apiKey = resolveApiKey("update", describeTunnel(t, tunnelId));
  const ctx = tunnelContext(
    "update (rotating the token)",
    t.apiUrl,
    t.account,
    describeTunnel(t, tunnelId),
    `Tunnel ${tunnelId} was not found: it was deleted outside Pulumi. Run pulumi refresh, then pulumi up to create it again.`,
    [oldToken, apiKey],
  );
  const answer = await send(ctx, apiKey, "POST", `${tunnelsUrl(t.apiUrl, t.account, tunnelId)}/$rotate-token`, undefined);
  if (!isOk(answer)) throw failure(ctx, "POST", answer);
  const facts = parseTunnel(ctx, "POST", answer, "The token may have been rotated, and the connector's copy is now stale: run pulumi refresh, then pulumi up.");
  if (facts.token === oldToken) {
    throw gatewayError({ operation: ctx.operation, status: answer.status, retryable: true, attempts: answer.attempts, message: `Zuplo ${ctx.operation} of ${ctx.subject}: Zuplo answered with the old token. Run pulumi up again.` });
  }
  return facts;
}

async function readTunnel(t: TunnelTarget, tunnelId: string, token: string | undefined): Promise<TunnelFacts | undefined> {
  const apiKey = resolveApiKey("read", describeTunnel(t, tunnelId));
  const ctx = tunnelContext("read", t.apiUrl, t.account, describeTunnel(t, tunnelId), `Not found: check the account (${t.account}) exists.`, [token ?? "", apiKey]);
  const answer = await send(ctx, apiKey, "GET", tunnelsUrl(t.apiUrl, t.account, tunnelId), undefined);
  if (answer.status === 404) return undefined;
  if (!isOk(answer)) throw failure(ctx, "GET", answer);
  return parseTunnel(ctx, "GET", answer, "Nothing was changed; run pulumi refresh again.");
}

/** DELETE, then poll the teardown operation to its end; an `error` ends it as a failed delete. */
async function deleteTunnel(t: TunnelTarget, tunnelId: string, token: string | undefined): Promise<void> {
  const apiKey = resolveApiKey("delete", describeTunnel(t, tunnelId));
  const secrets = [token ?? "", apiKey];
  const ctx = tunnelContext("delete", t.apiUrl, t.account, describeTunnel(t, tunnelId), `Not found: check the account (${t.account}) exists.`, secrets);
  const answer = await send(ctx, apiKey, "DELETE", tunnelsUrl(t.apiUrl, t.account, tunnelId), undefined);
  if (answer.status === 404) return;
  if (!isOk(answer)) throw failure(ctx, "DELETE", answer);
  const first = operationFactsOf(parseJsonObject(answer.text));
  if (!first) throw malformedAnswer(ctx, "DELETE", answer, "a JSON TunnelTeardownOperation body", "The teardown may have started; run pulumi destroy (or up) again.");
  const pollCtx = tunnelContext("delete (waiting for the teardown)", t.apiUrl, t.account, describeTunnel(t, tunnelId), `Teardown operation ${first.id} was not found.`, secrets);
  const last = await pollOperation(pollCtx, apiKey, `${tunnelsUrl(t.apiUrl, t.account, tunnelId)}/teardown-operations/${encodeURIComponent(first.id)}`, first, "TunnelTeardownOperation");
  if (last.status === "success") return;
  if (last.status === "in-progress") {
    throw gatewayError({
      operation: "delete",
      retryable: true,
      message: `Zuplo delete of ${describeTunnel(t, tunnelId)}: the teardown (${last.id}) was still in progress after ${pollBudget()}. Run pulumi destroy (or up) again to wait for it.`,
    });
  }
  const said = [last.message, last.details].filter((s): s is string => typeof s === "string" && s !== "").map((s) => scrubText(s, secrets));
  throw gatewayError({
    operation: "delete",
    retryable: false,
    message:
      `Zuplo delete of ${describeTunnel(t, tunnelId)} failed: the teardown (${last.id}) ended in error${said.length ? `: ${said.join(" ")}` : ""}. ` +
      "The tunnel is still in Zuplo; check `zuplo tunnel describe`, then run pulumi destroy (or up) again.",
  });
}

function checkTunnelFailures(news: Partial<Record<keyof ZuploTunnelInputs, unknown>>): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const { name, account, apiUrl, rotation } = news;
  if (!isUnknown(name) && (typeof name !== "string" || !/^[a-zA-Z0-9-]{3,24}$/.test(name))) {
    failures.push({ property: "name", reason: "expected 3-24 letters, digits and dashes (Zuplo's tunnel names)" });
  }
  if (!isUnknown(account) && (typeof account !== "string" || account.trim() === "" || /[\u0000-\u001f\u007f]/.test(account))) {
    failures.push({ property: "account", reason: "expected a non-empty Zuplo account name" });
  }
  if (!isUnknown(apiUrl)) {
    const problem = typeof apiUrl === "string" ? apiUrlProblem(apiUrl) : "expected a URL string";
    if (problem) failures.push({ property: "apiUrl", reason: problem });
  }
  if (!isUnknown(rotation) && (typeof rotation !== "number" || !Number.isSafeInteger(rotation) || rotation < 0)) {
    failures.push({ property: "rotation", reason: "expected a whole number ≥ 0 (increase it to rotate the token)" });
  }
  return failures;
}

function diffTunnel(olds: ZuploTunnelOutputs, news: ZuploTunnelInputs): dynamic.DiffResult {
  const replaces: string[] = [];
  if (normalizeApiUrl(String(olds.apiUrl)) !== normalizeApiUrl(String(news.apiUrl))) replaces.push("apiUrl");
  // No rename in the API: a new name is a new tunnel. Create first: the old one keeps serving
  // until its services move over (tunnel-services-provider.ts replaces them delete-first).
  for (const key of ["account", "name"] as const) if (olds[key] !== news[key]) replaces.push(key);
  if (replaces.length) return { changes: true, replaces, deleteBeforeReplace: false };
  // An unknown rotation (preview) differs from any stored one: shown as an update.
  return { changes: olds.rotation !== news.rotation, stables: ["apiUrl", "account", "name", "tunnelId"] };
}

function tunnelOutputs(t: TunnelTarget, facts: TunnelFacts): ZuploTunnelOutputs {
  return { apiUrl: t.apiUrl, account: t.account, name: t.name, rotation: t.rotation, tunnelId: facts.tunnelId, token: facts.token };
}

/**
 * The tunnel provider. Everything it reaches is in this file or bound from the client above;
 * see the file comment before adding an import.
 */
export const zuploTunnelProvider: dynamic.ResourceProvider<ZuploTunnelInputs, ZuploTunnelOutputs> = {
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    configureApiKey(req);
  },

  async check(_olds: ZuploTunnelInputs, news: ZuploTunnelInputs): Promise<dynamic.CheckResult<ZuploTunnelInputs>> {
    const failures = checkTunnelFailures(news);
    return failures.length ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id: string, olds: ZuploTunnelOutputs, news: ZuploTunnelInputs): Promise<dynamic.DiffResult> {
    return diffTunnel(olds, news);
  },

  async create(inputs: ZuploTunnelInputs): Promise<dynamic.CreateResult<ZuploTunnelOutputs>> {
    const t = toTunnelTarget(inputs);
    const facts = await createTunnel(t);
    return { id: facts.tunnelId, outs: tunnelOutputs(t, facts) };
  },

  async read(id: string, props?: ZuploTunnelOutputs): Promise<dynamic.ReadResult<ZuploTunnelOutputs>> {
    if (!props || typeof props.tunnelId !== "string") return { id, props };
    const facts = await readTunnel(toTunnelTarget(props), props.tunnelId, props.token);
    // Gone: an empty id tells the engine to drop it from the state.
    if (!facts) return { id: "" };
    // Zuplo's name and token win: a rename shows as a diff (a replacement), a token rotated
    // elsewhere reaches the connector's secret on the next up.
    return { id, props: { ...props, name: facts.name, token: facts.token } };
  },

  async update(_id: string, olds: ZuploTunnelOutputs, news: ZuploTunnelInputs): Promise<dynamic.UpdateResult<ZuploTunnelOutputs>> {
    const t = toTunnelTarget(news);
    if (olds.rotation === news.rotation) return { outs: tunnelOutputs(t, { tunnelId: olds.tunnelId, name: olds.name, token: olds.token }) };
    return { outs: tunnelOutputs(t, await rotateToken(t, olds.tunnelId, olds.token)) };
  },

  async delete(_id: string, props: ZuploTunnelOutputs): Promise<void> {
    await deleteTunnel(toTunnelTarget(props), props.tunnelId, props.token);
  },
};
