/**
 * The `ZuploVariable` dynamic provider: one environment variable of a Zuplo branch, written
 * with the Developer API client (client.ts). The resource class is in variable.ts.
 *
 * Contract (reference/zuplo-developer-api.openapi.yml, "Variables"):
 * - create: `POST /v1/accounts/{a}/projects/{p}/branches/{b}/variables` with
 *   `{name, isSecret, value}` → 201 `Variable`.
 * - update: `PATCH …/variables/{name}` with `{value}` → 200 `Variable`, 404 when missing.
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
 * Errors never contain the variable's value or the API key (the client scrubs both).
 *
 * SERIALIZATION: Pulumi serializes `zuploVariableProvider` and runs it in another process;
 * the rules in client.ts's file comment apply here: function declarations and non-exported
 * constants only, and the client only through the locals bound below.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as client from "./client";
import type { HttpAnswer, OpContext } from "./client";

// Bound once, at load: methods capture these functions by value (see SERIALIZATION above).
const { configureApiKey, failure, gatewayError, isOk, isUnknown, locationFailures, normalizeApiUrl, resolveApiKey, send } = client;

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

interface Target {
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  readonly branch: string;
  readonly name: string;
  readonly isSecret: boolean;
  readonly value: string;
}

function describeTarget(t: Target): string {
  return `variable ${t.name} in Zuplo account ${t.account}, project ${t.project}, branch ${t.branch}`;
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

/**
 * The dynamic provider. Everything it reaches is in this file or bound from the client above;
 * see the file comment before adding an import.
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

