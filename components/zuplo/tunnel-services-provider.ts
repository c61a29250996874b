/**
 * The `ZuploTunnelServices` dynamic provider: the services one Zuplo tunnel carries (the
 * origins the gateway calls as `service://<name>`), with the Developer API client
 * (client.ts). The resource class is in tunnel-services.ts.
 *
 * Contract (reference/zuplo-developer-api.openapi.yml, "Tunnel Services"):
 * - `PUT /v1/accounts/{a}/tunnels/{id}/services-configuration` with `TunneledServicesConfiguration`
 *   `{version: 1, services: [{name, endpoint, configurations: [{project, accessibleBy}]}]}` →
 *   200 `TunneledServicesProvisioningOperation` `{id: pst_…, status, message?, details?}`;
 *   then `GET …/provisioning-operations/{id}` until it leaves `in-progress`.
 * - `GET …/services-configuration` → the configuration in force (read, drift).
 *
 * The PUT replaces the tunnel's whole configuration, so one resource owns all of a tunnel's
 * services (one tunnel, several origins): two resources on the same tunnel would undo each
 * other. Delete is a PUT of an empty list. Service names are unique across all the account's
 * tunnels (the schema's description), which is why moving the services to another tunnel is a
 * delete-first replacement.
 *
 * SERIALIZATION: Pulumi serializes `zuploTunnelServicesProvider` and runs it in another
 * process; the rules in client.ts's file comment apply here: function declarations and
 * non-exported constants only, and the client and the tunnel provider's helpers only through
 * the locals bound below.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as client from "./client";
import type { HttpAnswer, OpContext } from "./client";
import * as tunnel from "./tunnel-provider";
import type { OperationFacts } from "./tunnel-provider";

// Bound once, at load: methods capture these functions by value (see SERIALIZATION above).
const { apiUrlProblem, configureApiKey, failure, gatewayError, isOk, isUnknown, normalizeApiUrl, resolveApiKey, send } = client;
const { malformedAnswer, operationFactsOf, parseJsonObject, pollBudget, pollOperation, scrubText, tunnelContext, tunnelsUrl } = tunnel;

export const ZUPLO_TUNNEL_SERVICES_TYPE = "ZuploTunnelServices";

/** Zuplo environment types that may call a tunneled service. */
export type ZuploTunnelAccess = "production" | "preview" | "working-copy";

export interface ZuploTunnelServiceProject {
  /** The Zuplo project whose gateway may call the service. */
  readonly project: string;
  /** Which of its environment types may (at least one of production, preview, working-copy). */
  readonly accessibleBy: ZuploTunnelAccess[];
}

export interface ZuploTunnelService {
  /** The name the gateway calls as `service://<name>`: 3-24 letters, digits and dashes, unique in the account. */
  readonly name: string;
  /** The origin as the connector reaches it inside the private network, e.g. `http://10.0.3.12:8080`. */
  readonly endpoint: string;
  /** The projects (and their environments) allowed to call it. */
  readonly configurations: ZuploTunnelServiceProject[];
}

export interface ZuploTunnelServicesInputs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: string;
  /** The Zuplo account that owns the tunnel. */
  readonly account: string;
  /** The tunnel's id (`ZuploTunnel.tunnelId`, `tnl_…`). */
  readonly tunnelId: string;
  /** Every service the tunnel carries: this resource owns the tunnel's whole configuration. */
  readonly services: ZuploTunnelService[];
}

export interface ZuploTunnelServicesOutputs extends ZuploTunnelServicesInputs {
  /** The last provisioning operation (`pst_…`), which ended in success. */
  readonly operationId: string;
}

const ACCESS: readonly string[] = ["production", "preview", "working-copy"];

interface ServicesTarget {
  readonly apiUrl: string;
  readonly account: string;
  readonly tunnelId: string;
  readonly services: ZuploTunnelService[];
}

/** Picks the fields the contract knows, in its order (Pulumi may add others). */
function toServicesTarget(props: ZuploTunnelServicesInputs): ServicesTarget {
  return {
    apiUrl: props.apiUrl,
    account: props.account,
    tunnelId: props.tunnelId,
    services: (props.services ?? []).map((s) => ({
      name: s.name,
      endpoint: s.endpoint,
      configurations: (s.configurations ?? []).map((c) => ({ project: c.project, accessibleBy: [...c.accessibleBy] })),
    })),
  };
}

function describeServices(t: ServicesTarget, names: readonly string[]): string {
  const list = names.length ? `service${names.length > 1 ? "s" : ""} ${names.join(", ")}` : "no services";
  return `${list} of tunnel ${t.tunnelId} in Zuplo account ${t.account}`;
}

function configurationUrl(t: ServicesTarget): string {
  return `${tunnelsUrl(t.apiUrl, t.account, t.tunnelId)}/services-configuration`;
}

/** The service names Zuplo's message mentions, else all of them: an error must say which service. */
function namedIn(text: string, names: readonly string[]): string[] {
  const hits = names.filter((n) => new RegExp(`(^|[^a-zA-Z0-9-])${n.replace(/-/g, "\\-")}($|[^a-zA-Z0-9-])`).test(text));
  return hits.length ? hits : [...names];
}

/**
 * PUT the configuration and poll its provisioning operation to the end. `error` becomes a
 * failed update naming the service(s) Zuplo's message names; a poll that runs out is a
 * retryable error. Returns the operation id.
 */
async function applyConfiguration(t: ServicesTarget, op: string, services: ZuploTunnelService[], allowGone: boolean): Promise<string | undefined> {
  // Named after what the resource declares (on delete: what is being removed).
  const names = t.services.map((s) => s.name);
  const subject = describeServices(t, names);
  const apiKey = resolveApiKey(op, subject);
  const ctx = tunnelContext(op, t.apiUrl, t.account, subject, `Tunnel ${t.tunnelId} was not found: check the account (${t.account}) and the tunnel exist (pulumi refresh).`, [apiKey]);
  const answer: HttpAnswer = await send(ctx, apiKey, "PUT", configurationUrl(t), { version: 1, services });
  if (allowGone && answer.status === 404) return undefined;
  if (!isOk(answer)) throw failure(ctx, "PUT", answer);
  const first = operationFactsOf(parseJsonObject(answer.text));
  if (!first) throw malformedAnswer(ctx, "PUT", answer, "a JSON TunneledServicesProvisioningOperation body", "The configuration may have been applied; run pulumi up again.");
  const pollCtx: OpContext = { ...ctx, operation: `${op} (waiting for provisioning)`, notFoundHint: `Provisioning operation ${first.id} was not found.` };
  const last: OperationFacts = await pollOperation(pollCtx, apiKey, `${tunnelsUrl(t.apiUrl, t.account, t.tunnelId)}/provisioning-operations/${encodeURIComponent(first.id)}`, first, "TunneledServicesProvisioningOperation");
  if (last.status === "success") return last.id;
  if (last.status === "in-progress") {
    throw gatewayError({ operation: op, retryable: true, message: `Zuplo ${op} of ${subject}: provisioning (${last.id}) was still in progress after ${pollBudget()}. Run pulumi up again to wait for it.` });
  }
  const said = [last.message, last.details].filter((s): s is string => typeof s === "string" && s !== "").map((s) => scrubText(s, [apiKey]));
  const culprits = namedIn(said.join(" "), names);
  throw gatewayError({
    operation: op,
    retryable: false,
    message:
      `Zuplo ${op} of ${subject} failed: provisioning (${last.id}) ended in error for service${culprits.length > 1 ? "s" : ""} ${culprits.join(", ") || "(none)"}` +
      `${said.length ? `: ${said.join(" ")}` : ""}. Fix the service (name unique in the account, endpoint reachable from the connector), then run pulumi up again.`,
  });
}

/** The configuration in force, or undefined when the tunnel is gone. */
async function readServices(t: ServicesTarget): Promise<ZuploTunnelService[] | undefined> {
  const subject = describeServices(t, t.services.map((s) => s.name));
  const apiKey = resolveApiKey("read", subject);
  const ctx = tunnelContext("read", t.apiUrl, t.account, subject, `Not found: check the account (${t.account}) exists.`, [apiKey]);
  const answer = await send(ctx, apiKey, "GET", configurationUrl(t), undefined);
  if (answer.status === 404) return undefined;
  if (!isOk(answer)) throw failure(ctx, "GET", answer);
  const services = parseJsonObject(answer.text)?.["services"];
  if (!Array.isArray(services)) throw malformedAnswer(ctx, "GET", answer, "a JSON TunneledServicesConfiguration body", "Nothing was changed; run pulumi refresh again.");
  return toServicesTarget({ ...t, services: services as ZuploTunnelService[] }).services;
}

function checkServicesFailures(news: Partial<Record<keyof ZuploTunnelServicesInputs, unknown>>): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const fail = (property: string, reason: string) => failures.push({ property, reason });
  const { apiUrl, account, tunnelId, services } = news;
  if (!isUnknown(apiUrl)) {
    const problem = typeof apiUrl === "string" ? apiUrlProblem(apiUrl) : "expected a URL string";
    if (problem) fail("apiUrl", problem);
  }
  if (!isUnknown(account) && (typeof account !== "string" || account.trim() === "")) fail("account", "expected a non-empty Zuplo account name");
  if (!isUnknown(tunnelId) && (typeof tunnelId !== "string" || !/^[A-Za-z0-9_-]+$/.test(tunnelId))) fail("tunnelId", "expected a tunnel id (`tnl_…`, ZuploTunnel.tunnelId)");
  if (isUnknown(services)) return failures;
  if (!Array.isArray(services) || services.length === 0) {
    fail("services", "expected one or more services (to remove them all, delete the resource)");
    return failures;
  }
  const seen = new Set<string>();
  services.forEach((s: unknown, i: number) => {
    const at = `services[${i}]`;
    if (isUnknown(s)) return;
    if (!s || typeof s !== "object") return void fail(at, "expected {name, endpoint, configurations}");
    const { name, endpoint, configurations } = s as Record<string, unknown>;
    if (!isUnknown(name)) {
      if (typeof name !== "string" || !/^[a-zA-Z0-9-]{3,24}$/.test(name)) fail(`${at}.name`, "expected 3-24 letters, digits and dashes (Zuplo's service names)");
      else if (seen.has(name)) fail(`${at}.name`, `service ${name} is listed twice`);
      else seen.add(name);
    }
    if (!isUnknown(endpoint)) {
      let ok = false;
      try {
        const u = new URL(String(endpoint));
        ok = typeof endpoint === "string" && (u.protocol === "http:" || u.protocol === "https:") && !u.username && !u.password;
      } catch {
        ok = false;
      }
      if (!ok) fail(`${at}.endpoint`, "expected an http:// or https:// URL without credentials, as the connector reaches the origin");
    }
    if (isUnknown(configurations)) return;
    if (!Array.isArray(configurations) || configurations.length === 0) return void fail(`${at}.configurations`, "expected one or more {project, accessibleBy}");
    configurations.forEach((c: unknown, j: number) => {
      const cat = `${at}.configurations[${j}]`;
      if (isUnknown(c)) return;
      const { project, accessibleBy } = (c && typeof c === "object" ? c : {}) as Record<string, unknown>;
      if (!isUnknown(project) && (typeof project !== "string" || project.trim() === "")) fail(`${cat}.project`, "expected a Zuplo project name");
      if (isUnknown(accessibleBy)) return;
      const list = Array.isArray(accessibleBy) ? accessibleBy : undefined;
      if (!list || list.length === 0 || list.some((e) => !isUnknown(e) && !ACCESS.includes(e as string)) || new Set(list).size !== list.length) {
        fail(`${cat}.accessibleBy`, "expected one or more of production, preview, working-copy, each once");
      }
    });
  });
  return failures;
}

function sameServices(a: readonly ZuploTunnelService[], b: readonly ZuploTunnelService[]): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

function diffServices(olds: ZuploTunnelServicesOutputs, news: ZuploTunnelServicesInputs): dynamic.DiffResult {
  const replaces: string[] = [];
  if (normalizeApiUrl(String(olds.apiUrl)) !== normalizeApiUrl(String(news.apiUrl))) replaces.push("apiUrl");
  for (const key of ["account", "tunnelId"] as const) if (olds[key] !== news[key]) replaces.push(key);
  // Service names are unique across the account's tunnels: the old tunnel must let go of
  // them before the new one can take them, so delete first.
  if (replaces.length) return { changes: true, replaces, deleteBeforeReplace: true };
  const changed = isUnknown(news.services) || !Array.isArray(news.services) || !sameServices(toServicesTarget(olds).services, toServicesTarget(news).services);
  return { changes: changed, stables: ["apiUrl", "account", "tunnelId"] };
}

function servicesOutputs(t: ServicesTarget, operationId: string): ZuploTunnelServicesOutputs {
  return { apiUrl: t.apiUrl, account: t.account, tunnelId: t.tunnelId, services: t.services, operationId };
}

/**
 * The services provider. Everything it reaches is in this file or bound from the client and
 * the tunnel provider above; see the file comment before adding an import.
 */
export const zuploTunnelServicesProvider: dynamic.ResourceProvider<ZuploTunnelServicesInputs, ZuploTunnelServicesOutputs> = {
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    configureApiKey(req);
  },

  async check(_olds: ZuploTunnelServicesInputs, news: ZuploTunnelServicesInputs): Promise<dynamic.CheckResult<ZuploTunnelServicesInputs>> {
    const failures = checkServicesFailures(news);
    return failures.length ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id: string, olds: ZuploTunnelServicesOutputs, news: ZuploTunnelServicesInputs): Promise<dynamic.DiffResult> {
    return diffServices(olds, news);
  },

  async create(inputs: ZuploTunnelServicesInputs): Promise<dynamic.CreateResult<ZuploTunnelServicesOutputs>> {
    const t = toServicesTarget(inputs);
    const operationId = (await applyConfiguration(t, "create", t.services, false)) as string;
    return { id: `${t.account}/${t.tunnelId}/services`, outs: servicesOutputs(t, operationId) };
  },

  async read(id: string, props?: ZuploTunnelServicesOutputs): Promise<dynamic.ReadResult<ZuploTunnelServicesOutputs>> {
    if (!props || typeof props.tunnelId !== "string") return { id, props };
    const t = toServicesTarget(props);
    const services = await readServices(t);
    if (!services || services.length === 0) return { id: "" };
    return { id, props: { ...servicesOutputs({ ...t, services }, props.operationId) } };
  },

  async update(_id: string, _olds: ZuploTunnelServicesOutputs, news: ZuploTunnelServicesInputs): Promise<dynamic.UpdateResult<ZuploTunnelServicesOutputs>> {
    const t = toServicesTarget(news);
    return { outs: servicesOutputs(t, (await applyConfiguration(t, "update", t.services, false)) as string) };
  },

  async delete(_id: string, props: ZuploTunnelServicesOutputs): Promise<void> {
    // A tunnel already gone took its services with it (404).
    await applyConfiguration(toServicesTarget(props), "delete", [], true);
  },
};
