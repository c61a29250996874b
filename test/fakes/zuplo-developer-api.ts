/**
 * A contract fake of the Zuplo Developer API's Variables operations, on loopback only.
 *
 * Implements what reference/zuplo-developer-api.openapi.yml publishes:
 * - `POST /v1/accounts/{a}/projects/{p}/branches/{b}/variables`, body `VariableCreateBody`
 *   `{name, isSecret, value}` → 201 `Variable` (`name, isSecret, value, branch, createdOn,
 *   updatedOn`); 400 problem+json for an invalid body or name; 409 when the name exists
 *   (undocumented; assumed).
 * - `PATCH …/variables/{name}`, body `VariableUpdateBody` `{value}` → 200 `Variable`; 404 when
 *   missing; 400 when the body is not exactly `{value: string}`.
 * - `DELETE …/variables/{name}` is NOT published: the fake answers it according to
 *   `deleteBehaviour` (default: 204, or 404 when missing).
 * - `GET /v1/accounts/{a}/projects/{p}/deployments` → 200 `DeploymentsList` `{data: Deployment[]}`
 *   with the project's seeded deployments (`name, url, label, urlParameter, createdOn,
 *   updatedOn, loggingId, accountName, projectName, state, message, branchName,
 *   environmentType`).
 * - `POST /v1/deployments/{deploymentName}/deploy` (no body) → 200 `DeploymentResponse`
 *   `{status: "request enqueued"}`; 404 for an unknown deployment. A redeploy counts in the
 *   deployment's `redeploys` and snapshots its branch's variables into `live`: what the
 *   gateway would now be running with.
 * - `Authorization: Bearer <key>`: 401 without or with an unknown key; 403 for a key not
 *   scoped to the account/project. Unknown account/project (when `projects` is given) → 404.
 *
 * Every request is recorded (method, path, parsed body, headers, time). Faults are queued
 * with `inject` and consumed one per matching request, in order.
 */
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import { randomBytes } from "node:crypto";

/** One injected misbehaviour, consumed by the next request (of `method`, when given). */
export interface ZuploFakeFault {
  /** Only a request with this method consumes the fault. */
  readonly method?: "GET" | "POST" | "PATCH" | "DELETE";
  /** Answer with this status (problem+json) instead of handling the request. */
  readonly status?: number;
  /** `Retry-After` header value (seconds or HTTP-date) for a `status` fault. */
  readonly retryAfter?: string;
  /** problem+json `detail` for a `status` fault. */
  readonly detail?: string;
  /** Extra response headers for a `status` fault (e.g. `location` for a redirect). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Hold the request this long, then drop the connection without an answer. */
  readonly timeoutMs?: number;
  /** With `timeoutMs`: apply the request to the state first (the answer is lost, the write is not). */
  readonly applyFirst?: boolean;
  /** Handle the request, but answer its success status with a truncated, invalid JSON body. */
  readonly malformedBody?: boolean;
  /** Destroy the socket without an answer. */
  readonly reset?: boolean;
  /** Do not handle the request; answer 200 with this JSON instead (valid JSON of the wrong shape). */
  readonly successBody?: unknown;
}

export interface FakeVariable {
  readonly name: string;
  readonly isSecret: boolean;
  readonly value: string;
  readonly branch: string;
  readonly createdOn: string;
  readonly updatedOn: string;
}

/** A deployment as `DeploymentsList` presents it, plus what the fake tracks. */
export interface FakeDeployment {
  readonly name: string;
  readonly accountName: string;
  readonly projectName: string;
  readonly branchName: string;
  readonly environmentType: string;
  readonly createdOn: string;
  /** Redeploys requested so far. */
  redeploys: number;
  updatedOn: string;
  /** Variable values of its branch as of its last (re)deploy: what it serves with. */
  live: Record<string, string>;
}

export interface RecordedRequest {
  readonly method: string;
  /** Path as sent (percent-encoded). */
  readonly path: string;
  /** Parsed JSON body, or undefined when absent or not JSON. */
  readonly body: unknown;
  readonly rawBody: string;
  /** Lower-cased header names. */
  readonly headers: http.IncomingHttpHeaders;
  /** `performance.now()` when the request head arrived. */
  readonly receivedAt: number;
  /** The fault that was applied, if any. */
  readonly fault?: ZuploFakeFault;
}

export interface ZuploApiFakeOptions {
  /** The account-wide key (default: random `zpka_fake_…`). */
  readonly apiKey?: string;
  /** Keys valid only for the listed `account/project` pairs (403 elsewhere). */
  readonly scopedKeys?: Readonly<Record<string, readonly string[]>>;
  /** `account/project` pairs that exist; others answer 404. Default: every pair exists. */
  readonly projects?: readonly string[];
  /** How the unpublished DELETE answers: `"supported"` (204 / 404) or a fixed status. */
  readonly deleteBehaviour?: "supported" | number;
}

export interface ZuploApiFakeState {
  /** Keyed `account/project/branch/name` (decoded). */
  readonly variables: Map<string, FakeVariable>;
  get(account: string, project: string, branch: string, name: string): FakeVariable | undefined;
  /** Put a variable in place, as if created earlier. */
  seed(account: string, project: string, branch: string, variable: { name: string; isSecret: boolean; value: string }): FakeVariable;
  /** Deployments keyed by name. */
  readonly deployments: Map<string, FakeDeployment>;
  /** Put a deployment in place (as if the branch had been deployed), live with the branch's current variables. */
  seedDeployment(account: string, project: string, deployment: { name: string; branchName: string; environmentType?: string }): FakeDeployment;
  /** Faults not consumed yet. */
  readonly pendingFaults: readonly ZuploFakeFault[];
}

export interface ZuploApiFake {
  /** Base URL, `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly apiKey: string;
  readonly state: ZuploApiFakeState;
  /** Every request so far (cleared by `reset`, same array). */
  readonly requests: RecordedRequest[];
  inject(...faults: ZuploFakeFault[]): void;
  /** Change how DELETE answers. */
  setDeleteBehaviour(behaviour: "supported" | number): void;
  /** Forget variables, deployments, requests and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

const DEPLOYMENTS_ROUTE = /^\/v1\/accounts\/([^/]+)\/projects\/([^/]+)\/deployments\/?$/;
const DEPLOY_ROUTE = /^\/v1\/deployments\/([^/]+)\/deploy\/?$/;
const ROUTE = /^\/v1\/accounts\/([^/]+)\/projects\/([^/]+)\/branches\/([^/]+)\/variables(?:\/([^/]+))?\/?$/;
const VARIABLE_NAME = /^[A-Z][A-Z0-9_]*$/;
const RESERVED = ["ZUPLO_", "__ZUPLO", "ZUDOKU_"];

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  422: "Unprocessable Entity",
  429: "Too Many Requests",
  500: "Internal Server Error",
  501: "Not Implemented",
  502: "Bad Gateway",
  503: "Service Unavailable",
  504: "Gateway Timeout",
};

export async function startZuploApiFake(options: ZuploApiFakeOptions = {}): Promise<ZuploApiFake> {
  const apiKey = options.apiKey ?? `zpka_fake_${randomBytes(12).toString("hex")}`;
  const scopedKeys = options.scopedKeys ?? {};
  const projects = options.projects ? new Set(options.projects) : undefined;
  let deleteBehaviour = options.deleteBehaviour ?? "supported";

  const variables = new Map<string, FakeVariable>();
  const deployments = new Map<string, FakeDeployment>();
  const requests: RecordedRequest[] = [];
  const faults: ZuploFakeFault[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let clock = Date.parse("2024-01-01T00:00:00.000Z");
  const now = () => new Date((clock += 1000)).toISOString();

  const keyOf = (a: string, p: string, b: string, n: string) => `${a}/${p}/${b}/${n}`;
  /** The branch's variable values now. */
  const valuesOf = (a: string, p: string, b: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const prefix = `${a}/${p}/${b}/`;
    for (const [k, v] of variables) if (k.startsWith(prefix) && !k.slice(prefix.length).includes("/")) out[v.name] = v.value;
    return out;
  };

  const state: ZuploApiFakeState = {
    variables,
    get: (a, p, b, n) => variables.get(keyOf(a, p, b, n)),
    seed(a, p, b, v) {
      const at = now();
      const stored: FakeVariable = { name: v.name, isSecret: v.isSecret, value: v.value, branch: b, createdOn: at, updatedOn: at };
      variables.set(keyOf(a, p, b, v.name), stored);
      return stored;
    },
    deployments,
    seedDeployment(a, p, d) {
      const at = now();
      const stored: FakeDeployment = {
        name: d.name,
        accountName: a,
        projectName: p,
        branchName: d.branchName,
        environmentType: d.environmentType ?? "PRODUCTION",
        createdOn: at,
        updatedOn: at,
        redeploys: 0,
        live: valuesOf(a, p, d.branchName),
      };
      deployments.set(d.name, stored);
      return stored;
    },
    get pendingFaults() {
      return [...faults];
    },
  };

  function takeFault(method: string): ZuploFakeFault | undefined {
    const i = faults.findIndex((f) => f.method === undefined || f.method === method);
    return i < 0 ? undefined : faults.splice(i, 1)[0];
  }

  interface Answer {
    status: number;
    body?: unknown;
    problem?: string;
    headers?: Record<string, string>;
  }

  function problem(status: number, detail: string | undefined, instance: string, headers?: Record<string, string>): Answer {
    return {
      status,
      problem: JSON.stringify({
        type: `https://httpproblems.com/http-status/${status}`,
        title: TITLES[status] ?? "Error",
        status,
        ...(detail !== undefined ? { detail } : {}),
        instance,
      }),
      headers,
    };
  }

  /** The contract: state changes and the answer, without faults. */
  function handle(method: string, path: string, headers: http.IncomingHttpHeaders, body: unknown): Answer {
    const auth = headers.authorization ?? "";
    const m = /^Bearer (\S+)$/.exec(auth);
    const key = m?.[1];
    if (!key || (key !== apiKey && !(key in scopedKeys))) return problem(401, "Invalid or missing API key.", path);

    const bare = path.split("?")[0]!;
    const deploy = DEPLOY_ROUTE.exec(bare);
    if (deploy) {
      let deploymentName: string;
      try {
        deploymentName = decodeURIComponent(deploy[1]!);
      } catch {
        return problem(400, "Malformed path.", path);
      }
      if (method !== "POST") return problem(405, undefined, path, { allow: "POST" });
      const d = deployments.get(deploymentName);
      if (d && key !== apiKey && !scopedKeys[key]!.includes(`${d.accountName}/${d.projectName}`)) {
        return problem(403, `The API key is not allowed to access project ${d.projectName}.`, path);
      }
      if (!d) return problem(404, `Deployment ${deploymentName} was not found.`, path);
      d.redeploys += 1;
      d.updatedOn = now();
      d.live = valuesOf(d.accountName, d.projectName, d.branchName);
      return { status: 200, body: { status: "request enqueued" } };
    }
    const list = DEPLOYMENTS_ROUTE.exec(bare);
    if (list) {
      let a: string, p: string;
      try {
        [a, p] = [decodeURIComponent(list[1]!), decodeURIComponent(list[2]!)];
      } catch {
        return problem(400, "Malformed path.", path);
      }
      if (key !== apiKey && !scopedKeys[key]!.includes(`${a}/${p}`)) return problem(403, `The API key is not allowed to access project ${p}.`, path);
      if (projects && !projects.has(`${a}/${p}`)) return problem(404, `Project ${p} was not found.`, path);
      if (method !== "GET") return problem(405, undefined, path, { allow: "GET" });
      const data = [...deployments.values()]
        .filter((d) => d.accountName === a && d.projectName === p)
        .map((d) => ({
          name: d.name,
          url: `https://${d.name}.zuplo.app`,
          label: d.branchName,
          urlParameter: d.branchName,
          createdOn: d.createdOn,
          updatedOn: d.updatedOn,
          loggingId: `${a}::${p}::${d.branchName}::${d.branchName}::${d.name.split("-").pop()}`,
          accountName: a,
          projectName: p,
          state: "STARTED",
          message: "",
          branchName: d.branchName,
          environmentType: d.environmentType,
        }));
      return { status: 200, body: { data } };
    }

    const route = ROUTE.exec(bare);
    if (!route) return problem(404, "No such route.", path);
    let account: string, project: string, branch: string, itemName: string | undefined;
    try {
      [account, project, branch] = [route[1]!, route[2]!, route[3]!].map(decodeURIComponent) as [string, string, string];
      itemName = route[4] === undefined ? undefined : decodeURIComponent(route[4]);
    } catch {
      return problem(400, "Malformed path.", path);
    }
    if (key !== apiKey && !scopedKeys[key]!.includes(`${account}/${project}`)) {
      return problem(403, `The API key is not allowed to access project ${project}.`, path);
    }
    if (projects && !projects.has(`${account}/${project}`)) return problem(404, `Project ${project} was not found.`, path);

    if (itemName === undefined) {
      if (method !== "POST") return problem(405, undefined, path, { allow: "POST" });
      if (!(headers["content-type"] ?? "").includes("application/json") || body === undefined) {
        return problem(400, "The body must be JSON.", path);
      }
      const b = body as { name?: unknown; isSecret?: unknown; value?: unknown };
      if (typeof b !== "object" || b === null || typeof b.name !== "string" || typeof b.isSecret !== "boolean" || typeof b.value !== "string") {
        return problem(400, "Body must be {name: string, isSecret: boolean, value: string}.", path);
      }
      if (!VARIABLE_NAME.test(b.name)) return problem(400, `Variable name ${b.name} must be SCREAMING_SNAKE_CASE.`, path);
      const reserved = RESERVED.find((p) => (b.name as string).startsWith(p));
      if (reserved) return problem(400, `Variable names starting with ${reserved} are reserved.`, path);
      const k = keyOf(account, project, branch, b.name);
      if (variables.has(k)) return problem(409, `Variable ${b.name} already exists in branch ${branch}.`, path);
      const at = now();
      const v: FakeVariable = { name: b.name, isSecret: b.isSecret, value: b.value, branch, createdOn: at, updatedOn: at };
      variables.set(k, v);
      return { status: 201, body: v };
    }

    const k = keyOf(account, project, branch, itemName);
    if (method === "PATCH") {
      if (!(headers["content-type"] ?? "").includes("application/json") || body === undefined) {
        return problem(400, "The body must be JSON.", path);
      }
      const b = body as Record<string, unknown>;
      if (typeof b !== "object" || b === null || Array.isArray(b) || Object.keys(b).some((x) => x !== "value") || typeof b["value"] !== "string") {
        return problem(400, "Body must be {value: string}; isSecret cannot be changed.", path);
      }
      const existing = variables.get(k);
      if (!existing) return problem(404, `Variable ${itemName} was not found in branch ${branch}.`, path);
      const v: FakeVariable = { ...existing, value: b["value"] as string, updatedOn: now() };
      variables.set(k, v);
      return { status: 200, body: v };
    }
    if (method === "DELETE") {
      if (deleteBehaviour !== "supported") return problem(deleteBehaviour, "Deleting variables is not supported.", path);
      if (!variables.delete(k)) return problem(404, `Variable ${itemName} was not found in branch ${branch}.`, path);
      return { status: 204 };
    }
    return problem(405, undefined, path, { allow: "PATCH, DELETE" });
  }

  function send(res: http.ServerResponse, answer: Answer, malformed: boolean): void {
    const headers: Record<string, string> = { ...(answer.headers ?? {}) };
    let text = "";
    if (answer.problem !== undefined) {
      headers["content-type"] = "application/problem+json";
      text = answer.problem;
    } else if (answer.body !== undefined) {
      headers["content-type"] = "application/json";
      text = JSON.stringify(answer.body);
      // Cut mid-way through the body, after the value: invalid JSON that still holds secrets.
      if (malformed) text = text.slice(0, Math.max(1, text.length - 3));
    } else if (malformed) {
      headers["content-type"] = "application/json";
      text = "{";
    }
    res.writeHead(answer.status, headers);
    res.end(text);
  }

  const server = http.createServer((req, res) => {
    const receivedAt = performance.now();
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const method = req.method ?? "GET";
      const path = req.url ?? "/";
      const rawBody = Buffer.concat(chunks).toString("utf8");
      let body: unknown;
      try {
        body = rawBody ? JSON.parse(rawBody) : undefined;
      } catch {
        body = undefined;
      }
      const fault = takeFault(method);
      requests.push({ method, path, body, rawBody, headers: req.headers, receivedAt, ...(fault ? { fault } : {}) });

      if (fault?.reset) {
        req.socket.destroy();
        return;
      }
      if (fault?.timeoutMs !== undefined) {
        if (fault.applyFirst) handle(method, path, req.headers, body);
        const t = setTimeout(() => {
          timers.delete(t);
          req.socket.destroy();
        }, fault.timeoutMs);
        timers.add(t);
        return;
      }
      if (fault?.successBody !== undefined) {
        send(res, { status: 200, body: fault.successBody }, false);
        return;
      }
      if (fault?.status !== undefined) {
        const headers = { ...(fault.headers ?? {}), ...(fault.retryAfter !== undefined ? { "retry-after": fault.retryAfter } : {}) };
        send(res, problem(fault.status, fault.detail, path, headers), false);
        return;
      }
      send(res, handle(method, path, req.headers, body), fault?.malformedBody === true);
    });
  });
  server.on("connection", (s: Socket) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });

  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    apiKey,
    state,
    requests,
    inject(...more) {
      faults.push(...more);
    },
    setDeleteBehaviour(behaviour) {
      deleteBehaviour = behaviour;
    },
    reset() {
      variables.clear();
      deployments.clear();
      requests.length = 0;
      faults.length = 0;
      deleteBehaviour = options.deleteBehaviour ?? "supported";
    },
    async close() {
      for (const t of timers) clearTimeout(t);
      timers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
