/**
 * The `ZuploRedeploy` dynamic provider: redeploys a branch's live deployment(s) so that new
 * variable values take effect, with the Developer API client (client.ts). The resource class
 * is in redeploy.ts.
 *
 * Contract (reference/zuplo-developer-api.openapi.yml, "Deployments"):
 * - `GET /v1/accounts/{a}/projects/{p}/deployments` → 200 `DeploymentsList` `{data: Deployment[]}`,
 *   each with `name`, `branchName`, `environmentType`, …
 * - `POST /v1/deployments/{deploymentName}/deploy` (no body) → 200 `DeploymentResponse` `{status}`.
 * Zuplo applies variable changes only on a new deployment (reference/zuplo.md §6).
 *
 * SERIALIZATION: Pulumi serializes `zuploRedeployProvider` and runs it in another process;
 * the rules in client.ts's file comment apply here: function declarations and non-exported
 * constants only, and the client only through the locals bound below.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as client from "./client";
import type { HttpAnswer, OpContext, ZuploProviderError } from "./client";

// Bound once, at load: methods capture these functions by value (see SERIALIZATION above).
const { configureApiKey, failure, gatewayError, isOk, isUnknown, locationFailures, normalizeApiUrl, resolveApiKey, send } = client;

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
 * undone). Everything it reaches is in this file or bound from the client above; see the
 * file comment before adding an import.
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
