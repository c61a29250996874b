/**
 * A contract fake of the Zuplo Developer API, on loopback only: variables, deployments,
 * mTLS certificates and secure tunnels.
 *
 * EVERY REQUEST BODY IS VALIDATED against the published OpenAPI document
 * (reference/zuplo-developer-api.openapi.yml) with openapi-request-validator: the operation is
 * found by method and path, its `requestBody` checked (an operation without one must get no
 * body). A body that fails answers 400 (after the 401 check) and is recorded in
 * `state.schemaViolations`, so a provider that drifts from the contract fails its tests. The
 * document says `openapi: 3.0.0` but is 3.1 in places; openapi-request-validator is the
 * library that judges all of its bodies correctly, `readOnly` included (`{name}` alone is a
 * valid `POST …/tunnels` body although `Tunnel` requires `tunnelId` and `token`).
 * Routes the document does not publish are checked against a table below (mtls-certificates:
 * the document has their schemas but no paths; the variable DELETE: none at all).
 *
 * Variables (published):
 * - `POST /v1/accounts/{a}/projects/{p}/branches/{b}/variables`, body `VariableCreateBody`
 *   `{name, isSecret, value}` → 201 `Variable` (`name, isSecret, value, branch, createdOn,
 *   updatedOn`); 400 problem+json for an invalid body or name; 409 when the name exists
 *   (undocumented; assumed).
 * - `PATCH …/variables/{name}`, body `VariableUpdateBody` `{value}` → 200 `Variable`; 404 when
 *   missing; 400 when the body is not exactly `{value: string}`.
 * - `DELETE …/variables/{name}` is NOT published: the fake answers it according to
 *   `deleteBehaviour` (default: 204, or 404 when missing).
 * Deployments (published):
 * - `GET /v1/accounts/{a}/projects/{p}/deployments` → 200 `DeploymentsList` `{data: Deployment[]}`
 *   with the project's seeded deployments (`name, url, label, urlParameter, createdOn,
 *   updatedOn, loggingId, accountName, projectName, state, message, branchName,
 *   environmentType`).
 * - `POST /v1/deployments/{deploymentName}/deploy` (no body) → 200 `DeploymentResponse`
 *   `{status: "request enqueued"}`; 404 for an unknown deployment. A redeploy counts in the
 *   deployment's `redeploys` and snapshots its branch's variables into `live`: what the
 *   gateway would now be running with.
 * mTLS certificates (schemas published, routes from the CLI, statuses assumed: 201 create,
 * 204 delete, 409 duplicate name, 409 delete while a deployment references it):
 * - `POST|GET …/projects/{p}/mtls-certificates` (`?offset=`, pages of `mtlsOptions.pageLimit`),
 *   `GET|PATCH|DELETE …/mtls-certificates/{id}`. Answers are checked against the schemas too.
 * - One deliberate exception: `zuplo mtls-certificate disable` sends `{environments: []}`,
 *   which `MtlsCertificateUpdateBody` (`minItems: 1`) forbids. The fake accepts that one body
 *   (recorded in `schemaExceptions`) unless `mtlsOptions.strictDisable`.
 * Tunnels (published; answers checked against the schemas):
 * - `POST /v1/accounts/{a}/tunnels {name}` → 201 `Tunnel` `{tunnelId, name, token}`;
 *   `GET …/tunnels` → `TunnelList`; `GET …/tunnels/{id}` → `Tunnel`, 404 once torn down;
 *   `POST …/{id}/$rotate-token` → `Tunnel` with a new token.
 * - `DELETE …/{id}` → 200 `TunnelTeardownOperation` in progress; `GET …/teardown-operations/{op}`
 *   answers `in-progress` for the scripted number of polls (default 1), then the scripted end
 *   (default success, which removes the tunnel; error leaves it).
 * - `PUT …/{id}/services-configuration` → 200 `TunneledServicesProvisioningOperation` in
 *   progress; `GET …/provisioning-operations/{op}` likewise; success applies the services. A
 *   service name another tunnel of the account already carries ends in `error` naming it
 *   (service names are unique across the account's tunnels, per the schema).
 *   `GET …/services-configuration` → the configuration in force.
 * Auth: `Authorization: Bearer <key>`: 401 without or with an unknown key; 403 for a key not
 * scoped to the account/project. Unknown account/project (when `projects` is given) → 404.
 *
 * Every request is recorded (method, path, parsed body, headers, time, OpenAPI verdict).
 * Faults are queued with `inject` and consumed one per matching request, in order.
 */
import { randomBytes, randomUUID } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo, Socket } from "node:net";
import * as path from "node:path";
import Ajv, { type ValidateFunction } from "ajv";
import OpenAPIRequestValidator from "openapi-request-validator";
import YAML from "yaml";

// ---------------------------------------------------------------------------------------------
// The published document, and request validation against it.

/** Where the document is: `ZUPLO_OPENAPI`, else the copy of Zuplo's published document in test/fixtures. */
export const ZUPLO_OPENAPI_PATH = process.env["ZUPLO_OPENAPI"] || path.resolve(__dirname, "..", "fixtures", "zuplo-developer-api.openapi.yml");

interface OpenApiOperation {
  readonly operationId?: string;
  readonly requestBody?: unknown;
}

interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation>>;
  readonly components: { readonly schemas: Record<string, unknown> };
}

let documentCache: OpenApiDocument | undefined;

/** The parsed document (read once). */
export function zuploOpenApi(): OpenApiDocument {
  documentCache ??= YAML.parse(fs.readFileSync(ZUPLO_OPENAPI_PATH, "utf8")) as OpenApiDocument;
  return documentCache;
}

const jsonBody = (schema: string) => ({ required: true, content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } } });

/**
 * Operations the document does not publish: the variable DELETE (in the docs, not in the API
 * description) and the mtls-certificates routes (schemas only; routes from the CLI).
 */
const UNPUBLISHED: readonly { method: string; template: string; operationId: string; requestBody?: unknown }[] = [
  { method: "delete", template: "/v1/accounts/{accountName}/projects/{projectName}/branches/{branchName}/variables/{variableName}", operationId: "unpublished:VariablesService_delete" },
  { method: "post", template: "/v1/accounts/{accountName}/projects/{projectName}/mtls-certificates", operationId: "unpublished:MtlsCertificates_create", requestBody: jsonBody("Zuplo.MtlsCertificates.MtlsCertificateCreateBody") },
  { method: "get", template: "/v1/accounts/{accountName}/projects/{projectName}/mtls-certificates", operationId: "unpublished:MtlsCertificates_list" },
  { method: "get", template: "/v1/accounts/{accountName}/projects/{projectName}/mtls-certificates/{id}", operationId: "unpublished:MtlsCertificates_read" },
  { method: "patch", template: "/v1/accounts/{accountName}/projects/{projectName}/mtls-certificates/{id}", operationId: "unpublished:MtlsCertificates_update", requestBody: jsonBody("Zuplo.MtlsCertificates.MtlsCertificateUpdateBody") },
  { method: "delete", template: "/v1/accounts/{accountName}/projects/{projectName}/mtls-certificates/{id}", operationId: "unpublished:MtlsCertificates_delete" },
];

function templateRegex(template: string): RegExp {
  const parts = template.split(/(\{[^}]+\})/).map((part) => (part.startsWith("{") ? "[^/]+" : part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")));
  return new RegExp(`^${parts.join("")}/?$`);
}

interface RouteEntry {
  readonly method: string;
  readonly regex: RegExp;
  readonly template: string;
  readonly operationId: string;
  readonly requestBody?: unknown;
}

let routeCache: RouteEntry[] | undefined;

function routes(): RouteEntry[] {
  if (routeCache) return routeCache;
  const doc = zuploOpenApi();
  const out: RouteEntry[] = [];
  for (const [template, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!["get", "put", "post", "patch", "delete"].includes(method)) continue;
      out.push({ method, template, regex: templateRegex(template), operationId: op.operationId ?? `${method} ${template}`, ...(op.requestBody !== undefined ? { requestBody: op.requestBody } : {}) });
    }
  }
  for (const u of UNPUBLISHED) out.push({ ...u, regex: templateRegex(u.template) });
  routeCache = out;
  return out;
}

const validators = new Map<string, OpenAPIRequestValidator>();

/** What the fake concluded about one request body. */
export interface OpenApiVerdict {
  /** The operation it matched (`unpublished:…` for the table above), or undefined when none. */
  readonly operationId?: string;
  /** Why it is not valid; undefined when it is. */
  readonly errors?: string;
}

/**
 * Judges one request against the document: the operation by method and path (the query is
 * ignored), then its `requestBody` with openapi-request-validator, or "no body" when the
 * operation declares none.
 */
export function validateZuploRequest(method: string, rawPath: string, contentType: string | undefined, rawBody: string): OpenApiVerdict {
  const bare = rawPath.split("?")[0]!;
  const m = method.toLowerCase();
  const route = routes().find((r) => r.method === m && r.regex.test(bare));
  if (!route) return { errors: `${method} ${bare} is not an operation of the published document` };
  if (route.requestBody === undefined) {
    return rawBody === "" ? { operationId: route.operationId } : { operationId: route.operationId, errors: `${route.operationId} takes no request body, but one was sent` };
  }
  let body: unknown;
  try {
    body = rawBody === "" ? undefined : JSON.parse(rawBody);
  } catch {
    return { operationId: route.operationId, errors: "the body is not JSON" };
  }
  let validator = validators.get(route.operationId);
  if (!validator) {
    // It mutates its arguments: give it copies.
    const doc = zuploOpenApi();
    validator = new OpenAPIRequestValidator({ requestBody: structuredClone(route.requestBody) as never, componentSchemas: structuredClone(doc.components.schemas) as never });
    validators.set(route.operationId, validator);
  }
  const result = validator.validateRequest({ body, headers: contentType === undefined ? {} : { "content-type": contentType } });
  if (!result) return { operationId: route.operationId };
  return { operationId: route.operationId, errors: JSON.stringify((result.errors as { path?: string; message?: string; errorCode?: string }[]).map((e) => ({ path: e.path, message: e.message, errorCode: e.errorCode }))) };
}

/**
 * Reads the document and builds every validator up front: the first build takes long enough
 * that a provider's short test timeout would otherwise expire on the fake's first request.
 */
function warmValidators(): void {
  for (const r of routes()) if (r.requestBody !== undefined) validateZuploRequest(r.method, r.template, "application/json", "{}");
}

let answerAjv: Ajv | undefined;

/** A validator of one answer schema (`Zuplo.Tunnels.Tunnel`, …), from the same document. */
function answerSchema(name: string): ValidateFunction {
  if (!answerAjv) {
    // The document's schemas are draft-7-like; `example`/`readOnly` are annotations, formats unchecked.
    answerAjv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    answerAjv.addSchema({ $id: "zuplo", components: zuploOpenApi().components });
  }
  return answerAjv.getSchema(`zuplo#/components/schemas/${name}`)!;
}

/** One injected misbehaviour, consumed by the next request (of `method`, when given). */
export interface ZuploFakeFault {
  /** Only a request with this method consumes the fault. */
  readonly method?: "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
  /** Only a request whose path contains this consumes the fault. */
  readonly path?: string;
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
  /** mTLS certificate names its running build references (released by a redeploy once disabled). */
  references: Set<string>;
  /** Certificate names its configuration names whatever the store says (never released). */
  configured: Set<string>;
  /** DELETEs of a certificate that still see the old build after a redeploy. */
  rolloutLag: number;
}

/** A certificate in a project's mTLS store. */
export interface FakeMtlsCertificate {
  id: string;
  name: string;
  certificate: string;
  key: string;
  environments: { development: boolean; preview: boolean; production: boolean };
  certificateInfo: { subject: string; issuer: string; validFrom: string; validTo: string; serialNumber: string };
  createdOn: string;
  updatedOn: string;
}

/** One entry of a tunnel's `TunneledServicesConfiguration`. */
export interface FakeTunnelService {
  readonly name: string;
  readonly endpoint: string;
  readonly configurations: readonly { readonly project: string; readonly accessibleBy: readonly string[] }[];
}

export interface FakeTunnel {
  readonly tunnelId: string;
  readonly account: string;
  name: string;
  token: string;
  /** The services configuration in force (applied by a successful provisioning). */
  services: FakeTunnelService[];
  /** `$rotate-token` calls so far. */
  rotations: number;
}

/** A provisioning (`pst_…`) or teardown (`tst_…`) operation. */
export interface FakeTunnelOperation {
  readonly id: string;
  readonly kind: "provisioning" | "teardown";
  readonly tunnelId: string;
  status: "in-progress" | "success" | "error";
  /** GETs that will still answer in-progress. */
  pollsLeft: number;
  /** GETs so far. */
  polls: number;
  readonly end: { readonly status: "success" | "error"; readonly message?: string; readonly details?: string };
  message?: string;
  details?: string;
}

/** How the next operation of a kind goes: in progress for `polls` GETs (default 1), then `status` (default success). */
export interface TunnelOperationScript {
  readonly polls?: number;
  readonly status?: "success" | "error";
  readonly message?: string;
  readonly details?: string;
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
  /** The request judged against the published document. */
  readonly openApi: OpenApiVerdict;
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
  seedDeployment(
    account: string,
    project: string,
    deployment: { name: string; branchName: string; environmentType?: string; references?: readonly string[]; configured?: readonly string[] },
  ): FakeDeployment;
  /** mTLS certificates keyed `account/project/id`. */
  readonly mtlsCertificates: Map<string, FakeMtlsCertificate>;
  seedMtlsCertificate(account: string, project: string, c: { name: string; environments?: readonly string[]; certificate?: string }): FakeMtlsCertificate;
  /** Tunnels keyed by id. */
  readonly tunnels: Map<string, FakeTunnel>;
  seedTunnel(account: string, t: { name: string; services?: FakeTunnelService[] }): FakeTunnel;
  /** Provisioning and teardown operations keyed by id. */
  readonly tunnelOperations: Map<string, FakeTunnelOperation>;
  /** How the next provisioning operations go, in order (then the default). */
  scriptProvisioning(...scripts: TunnelOperationScript[]): void;
  /** How the next teardown operations go, in order (then the default). */
  scriptTeardown(...scripts: TunnelOperationScript[]): void;
  /** Every body (request or answer) that failed the published schemas: tests expect it empty. */
  readonly schemaViolations: string[];
  /** Request bodies accepted although the published schema refuses them (the mtls disable). */
  readonly schemaExceptions: string[];
  /** Faults not consumed yet. */
  readonly pendingFaults: readonly ZuploFakeFault[];
}

/** Knobs of the mtls-certificates routes. */
export interface MtlsFakeOptions {
  /** Refuse the `{environments: []}` disable body, as a server enforcing the schema would. */
  strictDisable: boolean;
  /** DELETEs that still see the old build after a redeploy. */
  rolloutLag: number;
  /** Page size of the certificate list. */
  pageLimit: number;
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
  /** Knobs of the mtls-certificates routes (reset by `reset`). */
  readonly mtlsOptions: MtlsFakeOptions;
  /** Forget variables, deployments, certificates, tunnels, requests, verdicts and pending faults. */
  reset(): void;
  close(): Promise<void>;
}

const DEPLOYMENTS_ROUTE = /^\/v1\/accounts\/([^/]+)\/projects\/([^/]+)\/deployments\/?$/;
const DEPLOY_ROUTE = /^\/v1\/deployments\/([^/]+)\/deploy\/?$/;
const MTLS_ROUTE = /^\/v1\/accounts\/([^/]+)\/projects\/([^/]+)\/mtls-certificates(?:\/([^/]+))?\/?$/;
const TUNNELS_ROUTE = /^\/v1\/accounts\/([^/]+)\/tunnels(?:\/([^/]+)(?:\/(\$rotate-token|services-configuration|provisioning-operations|teardown-operations)(?:\/([^/]+))?)?)?\/?$/;
const DEFAULT_MTLS_OPTIONS: MtlsFakeOptions = { strictDisable: false, rolloutLag: 0, pageLimit: 100 };
const PLACEHOLDER_CERT = "-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIUSeededCertificateForTheContractFake0123456789\n-----END CERTIFICATE-----\n";
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
  warmValidators();
  answerSchema("Zuplo.Tunnels.Tunnel");
  const apiKey = options.apiKey ?? `zpka_fake_${randomBytes(12).toString("hex")}`;
  const scopedKeys = options.scopedKeys ?? {};
  const projects = options.projects ? new Set(options.projects) : undefined;
  let deleteBehaviour = options.deleteBehaviour ?? "supported";

  const variables = new Map<string, FakeVariable>();
  const deployments = new Map<string, FakeDeployment>();
  const mtlsCertificates = new Map<string, FakeMtlsCertificate>();
  const tunnels = new Map<string, FakeTunnel>();
  const tunnelOperations = new Map<string, FakeTunnelOperation>();
  const provisioningScripts: TunnelOperationScript[] = [];
  const teardownScripts: TunnelOperationScript[] = [];
  const schemaViolations: string[] = [];
  const schemaExceptions: string[] = [];
  /** The services a provisioning operation applies when it succeeds. */
  const pendingServices = new Map<string, unknown>();
  const mtlsOptions: MtlsFakeOptions = { ...DEFAULT_MTLS_OPTIONS };
  const requests: RecordedRequest[] = [];
  const faults: ZuploFakeFault[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let clock = Date.parse("2024-01-01T00:00:00.000Z");
  let seq = 0;
  const now = () => new Date((clock += 1000)).toISOString();
  const alnum = (n: number) => randomBytes(n).toString("base64").replace(/[^A-Za-z0-9]/g, "").padEnd(n, "x").slice(0, n);

  const keyOf = (a: string, p: string, b: string, n: string) => `${a}/${p}/${b}/${n}`;
  /** The branch's variable values now. */
  const valuesOf = (a: string, p: string, b: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const prefix = `${a}/${p}/${b}/`;
    for (const [k, v] of variables) if (k.startsWith(prefix) && !k.slice(prefix.length).includes("/")) out[v.name] = v.value;
    return out;
  };
  const envsOf = (list: readonly string[]) => ({ development: list.includes("development"), preview: list.includes("preview"), production: list.includes("production") });
  function newCertificate(name: string, certificate: string, key: string, environments: readonly string[]): FakeMtlsCertificate {
    const at = now();
    seq += 1;
    return {
      id: `cert_${seq.toString().padStart(4, "0")}`,
      name,
      certificate,
      key,
      environments: envsOf(environments),
      certificateInfo: { subject: `CN=${name}`, issuer: "CN=gatelock test CA", validFrom: "2024-01-01T00:00:00Z", validTo: "2025-02-01T00:00:00Z", serialNumber: `${1000 + seq}` },
      createdOn: at,
      updatedOn: at,
    };
  }
  /** A token shaped like Zuplo's: base64 of {"a": account tag, "t": tunnel UUID, "s": secret}. */
  const newToken = () => Buffer.from(JSON.stringify({ a: randomBytes(16).toString("hex"), t: randomUUID(), s: randomBytes(32).toString("base64") })).toString("base64");
  function newTunnel(account: string, name: string, services: FakeTunnelService[] = []): FakeTunnel {
    const t: FakeTunnel = { tunnelId: `tnl_${alnum(24)}`, account, name, token: newToken(), services, rotations: 0 };
    tunnels.set(t.tunnelId, t);
    return t;
  }

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
        references: new Set(d.references ?? []),
        configured: new Set(d.configured ?? []),
        rolloutLag: 0,
      };
      deployments.set(d.name, stored);
      return stored;
    },
    mtlsCertificates,
    seedMtlsCertificate(a, p, c) {
      const stored = newCertificate(c.name, c.certificate ?? PLACEHOLDER_CERT, "seeded-key", c.environments ?? ["production"]);
      mtlsCertificates.set(`${a}/${p}/${stored.id}`, stored);
      return stored;
    },
    tunnels,
    seedTunnel: (a, t) => newTunnel(a, t.name, t.services ?? []),
    tunnelOperations,
    scriptProvisioning: (...scripts) => void provisioningScripts.push(...scripts),
    scriptTeardown: (...scripts) => void teardownScripts.push(...scripts),
    schemaViolations,
    schemaExceptions,
    get pendingFaults() {
      return [...faults];
    },
  };

  function takeFault(method: string, path: string): ZuploFakeFault | undefined {
    const i = faults.findIndex((f) => (f.method === undefined || f.method === method) && (f.path === undefined || path.includes(f.path)));
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

  /** Records an answer body that fails its published schema: the fake itself drifted. */
  function checked(status: number, schema: string, body: unknown): Answer {
    const validate = answerSchema(schema);
    if (!validate(body)) schemaViolations.push(`answer ${schema}: ${JSON.stringify(validate.errors)}`);
    return { status, body };
  }

  const scopeAllows = (key: string, account: string, project?: string) =>
    key === apiKey || scopedKeys[key]!.some((pair) => (project === undefined ? pair.startsWith(`${account}/`) : pair === `${account}/${project}`));

  /** mTLS certificates: `…/projects/{p}/mtls-certificates[/{id}]`. */
  function handleMtls(method: string, path: string, key: string, route: RegExpExecArray, body: unknown): Answer {
    const [a, p] = [decodeURIComponent(route[1]!), decodeURIComponent(route[2]!)];
    if (!scopeAllows(key, a, p)) return problem(403, `The API key is not allowed to access project ${p}.`, path);
    if (projects && !projects.has(`${a}/${p}`)) return problem(404, `Project ${p} was not found.`, path);
    const prefix = `${a}/${p}/`;
    const inProject = () => [...mtlsCertificates.entries()].filter(([k]) => k.startsWith(prefix)).map(([, c]) => c);
    const view = (c: FakeMtlsCertificate) => {
      const { key: _key, certificate: _certificate, ...rest } = c;
      return rest;
    };
    if (route[3] === undefined) {
      if (method === "GET") {
        const offset = Number(new URLSearchParams(path.split("?")[1] ?? "").get("offset") ?? "0");
        const limit = mtlsOptions.pageLimit;
        return checked(200, "Zuplo.MtlsCertificates.MtlsCertificateListResponse", { data: inProject().slice(offset, offset + limit).map(view), offset, limit });
      }
      if (method !== "POST") return problem(405, undefined, path, { allow: "GET, POST" });
      const b = body as { name: string; certificate: string; key: string; environments: string[] };
      if (!/^[A-Za-z0-9_]+$/.test(b.name)) return problem(400, "Name must be alphanumeric with underscores.", path);
      if (inProject().some((c) => c.name === b.name)) return problem(409, `A certificate named ${b.name} already exists.`, path);
      const c = newCertificate(b.name, b.certificate, b.key, b.environments);
      mtlsCertificates.set(`${prefix}${c.id}`, c);
      return checked(201, "Zuplo.MtlsCertificates.MtlsCertificate", view(c));
    }
    const id = decodeURIComponent(route[3]);
    const c = mtlsCertificates.get(`${prefix}${id}`);
    if (!c) return problem(404, `Certificate ${id} was not found.`, path);
    if (method === "GET") return checked(200, "Zuplo.MtlsCertificates.MtlsCertificate", view(c));
    if (method === "PATCH") {
      const envs = (body as { environments?: unknown } | undefined)?.environments;
      c.environments = envsOf(Array.isArray(envs) ? (envs as string[]) : []);
      c.updatedOn = now();
      return checked(200, "Zuplo.MtlsCertificates.MtlsCertificate", view(c));
    }
    if (method === "DELETE") {
      const holders = [...deployments.values()].filter((d) => {
        if (d.accountName !== a || d.projectName !== p) return false;
        if (d.configured.has(c.name)) return true;
        if (!d.references.has(c.name)) return false;
        if (d.redeploys > 0 && d.rolloutLag <= 0) {
          // The redeployed build only references certificates still enabled in its environment.
          const env = d.environmentType.toLowerCase() as keyof FakeMtlsCertificate["environments"];
          if (!c.environments[env]) d.references.delete(c.name);
          return d.references.has(c.name);
        }
        if (d.redeploys > 0) d.rolloutLag -= 1;
        return true;
      });
      if (holders.length) return problem(409, `Certificate ${c.name} is referenced by deployments ${holders.map((d) => d.name).join(", ")}.`, path);
      mtlsCertificates.delete(`${prefix}${id}`);
      return { status: 204 };
    }
    return problem(405, undefined, path, { allow: "GET, PATCH, DELETE" });
  }

  function startOperation(kind: FakeTunnelOperation["kind"], tunnelId: string, fallback: FakeTunnelOperation["end"]): FakeTunnelOperation {
    const script = (kind === "teardown" ? teardownScripts : provisioningScripts).shift() ?? {};
    const end = script.status === undefined && script.message === undefined ? fallback : { status: script.status ?? "success", message: script.message, details: script.details };
    const op: FakeTunnelOperation = { id: `${kind === "teardown" ? "tst" : "pst"}_${alnum(24)}`, kind, tunnelId, status: "in-progress", pollsLeft: Math.max(0, script.polls ?? 1), polls: 0, end };
    tunnelOperations.set(op.id, op);
    return op;
  }

  const operationView = (op: FakeTunnelOperation) => ({ id: op.id, status: op.status, ...(op.message !== undefined ? { message: op.message } : {}), ...(op.details !== undefined ? { details: op.details } : {}) });

  /** One poll: in progress while polls are left, then the end, applied once. */
  function pollOperation(op: FakeTunnelOperation, apply: () => void): void {
    op.polls += 1;
    if (op.status !== "in-progress") return;
    if (op.pollsLeft > 0) {
      op.pollsLeft -= 1;
      return;
    }
    op.status = op.end.status;
    op.message = op.end.message ?? (op.end.status === "success" ? (op.kind === "teardown" ? "Successfully torn down tunnel." : "Successfully provisioned services.") : undefined);
    if (op.end.details !== undefined) op.details = op.end.details;
    if (op.status === "success") apply();
  }

  /** Secure tunnels: `/v1/accounts/{a}/tunnels[/{id}[/{sub}[/{op}]]]`. */
  function handleTunnels(method: string, path: string, key: string, route: RegExpExecArray, body: unknown): Answer {
    const account = decodeURIComponent(route[1]!);
    if (!scopeAllows(key, account)) return problem(403, `The API key is not allowed to access account ${account}.`, path);
    const id = route[2] === undefined ? undefined : decodeURIComponent(route[2]);
    const sub = route[3];
    const opId = route[4] === undefined ? undefined : decodeURIComponent(route[4]);
    if (id === undefined) {
      if (method === "GET") {
        const data = [...tunnels.values()].filter((t) => t.account === account).map((t) => ({ id: t.tunnelId, name: t.name }));
        return checked(200, "Zuplo.Tunnels.TunnelList", { data, limit: 1000, offset: 0, total: data.length });
      }
      if (method !== "POST") return problem(405, undefined, path, { allow: "GET, POST" });
      const t = newTunnel(account, (body as { name: string }).name);
      return checked(201, "Zuplo.Tunnels.Tunnel", { tunnelId: t.tunnelId, name: t.name, token: t.token });
    }
    if (sub === "teardown-operations" || sub === "provisioning-operations") {
      const op = opId === undefined ? undefined : tunnelOperations.get(opId);
      if (method !== "GET") return problem(405, undefined, path, { allow: "GET" });
      if (!op || op.tunnelId !== id || (sub === "teardown-operations") !== (op.kind === "teardown")) return problem(404, `Operation ${opId} was not found.`, path);
      const t = tunnels.get(id);
      pollOperation(op, () => {
        if (op.kind === "teardown") tunnels.delete(id);
        else if (t) t.services = ((pendingServices.get(op.id) ?? []) as FakeTunnelService[]).map((s) => structuredClone(s));
      });
      return checked(200, op.kind === "teardown" ? "Zuplo.Tunnels.TunnelTeardownOperation" : "Zuplo.Tunnels.TunneledServicesProvisioningOperation", operationView(op));
    }
    const t = tunnels.get(id);
    if (!t || t.account !== account) return problem(404, `Tunnel ${id} was not found.`, path);
    if (sub === "$rotate-token") {
      if (method !== "POST") return problem(405, undefined, path, { allow: "POST" });
      t.token = newToken();
      t.rotations += 1;
      return checked(200, "Zuplo.Tunnels.Tunnel", { tunnelId: t.tunnelId, name: t.name, token: t.token });
    }
    if (sub === "services-configuration") {
      if (method === "GET") return checked(200, "Zuplo.Tunnels.TunneledServicesConfiguration", { version: 1, services: t.services });
      if (method !== "PUT") return problem(405, undefined, path, { allow: "GET, PUT" });
      const services = (body as { services: FakeTunnelService[] }).services;
      // Names are unique across the account's tunnels: a clash ends the operation in error.
      const clash = services.find((s) => [...tunnels.values()].some((o) => o.account === account && o.tunnelId !== id && o.services.some((x) => x.name === s.name)));
      const op = startOperation("provisioning", id, clash ? { status: "error", message: `Service name '${clash.name}' is already used by another tunnel in this account.` } : { status: "success" });
      pendingServices.set(op.id, structuredClone(services));
      return checked(200, "Zuplo.Tunnels.TunneledServicesProvisioningOperation", operationView(op));
    }
    if (method === "GET") return checked(200, "Zuplo.Tunnels.Tunnel", { tunnelId: t.tunnelId, name: t.name, token: t.token });
    if (method === "DELETE") {
      const op = startOperation("teardown", id, { status: "success" });
      return checked(200, "Zuplo.Tunnels.TunnelTeardownOperation", operationView(op));
    }
    return problem(405, undefined, path, { allow: "GET, DELETE" });
  }

  /** The contract: state changes and the answer, without faults. */
  function handle(method: string, path: string, headers: http.IncomingHttpHeaders, body: unknown, refusal?: string): Answer {
    const auth = headers.authorization ?? "";
    const m = /^Bearer (\S+)$/.exec(auth);
    const key = m?.[1];
    if (!key || (key !== apiKey && !(key in scopedKeys))) return problem(401, "Invalid or missing API key.", path);
    // The published contract, before any state changes.
    if (refusal !== undefined) return problem(400, refusal, path);

    const bare = path.split("?")[0]!;
    const tunnelRoute = TUNNELS_ROUTE.exec(bare);
    if (tunnelRoute) return handleTunnels(method, path, key, tunnelRoute, body);
    const mtlsRoute = MTLS_ROUTE.exec(bare);
    if (mtlsRoute) return handleMtls(method, path, key, mtlsRoute, body);
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
      d.rolloutLag = mtlsOptions.rolloutLag;
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
      const fault = takeFault(method, path);
      const openApi = validateZuploRequest(method, path, req.headers["content-type"], rawBody);
      let refusal: string | undefined;
      if (openApi.errors !== undefined) {
        const bare = path.split("?")[0]!;
        const envs = (body as { environments?: unknown } | undefined)?.environments;
        const disable = openApi.operationId === "unpublished:MtlsCertificates_update" && Array.isArray(envs) && envs.length === 0 && Object.keys(body as object).length === 1;
        if (disable && !mtlsOptions.strictDisable) {
          schemaExceptions.push(`PATCH ${bare} {environments: []}`);
        } else {
          schemaViolations.push(`request ${method} ${bare} (${openApi.operationId ?? "no operation"}): ${openApi.errors}`);
          refusal = `The request does not match the published OpenAPI document (${openApi.operationId ?? "no such operation"}): ${openApi.errors}`;
        }
      }
      requests.push({ method, path, body, rawBody, headers: req.headers, receivedAt, openApi, ...(fault ? { fault } : {}) });

      if (fault?.reset) {
        req.socket.destroy();
        return;
      }
      if (fault?.timeoutMs !== undefined) {
        if (fault.applyFirst) handle(method, path, req.headers, body, refusal);
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
      send(res, handle(method, path, req.headers, body, refusal), fault?.malformedBody === true);
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
    mtlsOptions,
    reset() {
      variables.clear();
      deployments.clear();
      mtlsCertificates.clear();
      tunnels.clear();
      tunnelOperations.clear();
      pendingServices.clear();
      provisioningScripts.length = 0;
      teardownScripts.length = 0;
      schemaViolations.length = 0;
      schemaExceptions.length = 0;
      Object.assign(mtlsOptions, DEFAULT_MTLS_OPTIONS);
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
