/**
 * The `ZuploMtlsCertificate` dynamic provider against the shared contract fake of the Developer
 * API (test/fakes/zuplo-developer-api.ts), faults included, and after Pulumi's function
 * serialization in a fresh process (as `pulumi up` runs it).
 *
 * The contract fake follows reference/zuplo-developer-api.openapi.yml: every request body is
 * validated with openapi-request-validator against the published `Zuplo.MtlsCertificates.*`
 * schemas, and every answer with ajv. The document has no paths for these schemas: the routes are the CLI's
 * (reference/zuplo.md §4), and the statuses (201 create, 204 delete, 409 duplicate name, 409
 * delete while a deployment references the certificate) are assumptions.
 *
 * One deliberate exception to the schema: `zuplo mtls-certificate disable` sends
 * `{environments: []}`, which `MtlsCertificateUpdateBody` (`minItems: 1`) forbids. The fake
 * accepts that one body by default (recorded in `schemaExceptions`) and refuses it in
 * `strictDisable` mode, which tests the provider's way out when a server enforces the schema.
 *
 * A recognisable private key is planted in every call; every error (message, properties,
 * cause chain), every output, everything printed and the serialized provider are searched for
 * it, whole and line by line.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect, promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import Ajv, { type ValidateFunction } from "ajv";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import YAML from "yaml";
import { setZuploClientOptions } from "../components/testing";
import type { ZuploProviderError } from "../components/zuplo/client";
import { ZuploMtlsCertificate } from "../components/zuplo/mtls-certificate";
import {
  setZuploMtlsDeleteOptions,
  ZUPLO_MTLS_CERTIFICATE_TYPE,
  zuploMtlsCertificateProvider,
  type ZuploMtlsCertificateInputs,
  type ZuploMtlsCertificateOutputs,
} from "../components/zuplo/mtls-certificate-provider";
import { type FakeDeployment, type FakeMtlsCertificate, type MtlsFakeOptions, type RecordedRequest, startZuploApiFake, ZUPLO_OPENAPI_PATH, type ZuploFakeFault } from "./fakes/zuplo-developer-api";
import { configWithKey, type ExpectedFailure, expectProviderFailure, exposedText, noConfig, UNKNOWN, WRONG_KEY } from "./fakes/zuplo-provider-kit";

const provider = zuploMtlsCertificateProvider as Required<typeof zuploMtlsCertificateProvider>;
const ROOT = path.resolve(__dirname, "..");
const OPENAPI = ZUPLO_OPENAPI_PATH;
const SCHEMA = "zuplo#/components/schemas/Zuplo.MtlsCertificates.";

// ---------------------------------------------------------------------------------------------
// The planted key: recognisable in every line, so a partial echo is caught too.

const KEY_LINES = [
  "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgPLANTEDkeyLINE1x",
  "Q9zR7vK2mT4pL8nW3xY6bC1dF5gH0jA9sE2uI7oP4qR8tU3vW6xZ1yB5cD9eF2gH",
  "PLANTEDkeyLINE3xJ4kL7mN0pQ3rS6tU9vW2xY5zA8bC1dE4fG7hI0jK3lM6nO9p",
];
const KEY = `-----BEGIN PRIVATE KEY-----\n${KEY_LINES.join("\n")}\n-----END PRIVATE KEY-----\n`;
const KEY2 = KEY.replace(/LINE1x/, "LINE1y");
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIUGatewayLeafCertificateForTestsOnly0123456789\n-----END CERTIFICATE-----\n";
const CHAIN = `${CERT}-----BEGIN CERTIFICATE-----\nMIIBgDCCASagAwIBAgIUIntermediateCaCertificateForTests0123456789\n-----END CERTIFICATE-----\n`;
const SECRET_MARKERS = [KEY, KEY.trim(), JSON.stringify(KEY).slice(1, -1), ...KEY_LINES, "PLANTEDkey", KEY2, ...KEY2.split("\n").filter((l) => l.length > 16 && !l.startsWith("-----"))];

// ---------------------------------------------------------------------------------------------
// The contract fake: the shared one (test/fakes/zuplo-developer-api.ts), which validates every
// request body against the published document, seen through the names this file uses.

interface MtlsFake {
  url: string;
  apiKey: string;
  requests: RecordedRequest[];
  certs: Map<string, FakeMtlsCertificate>;
  deployments: Map<string, FakeDeployment>;
  /** Request bodies accepted although the published schema refuses them. */
  schemaExceptions: string[];
  /** Every body (request or answer) that failed schema validation: must stay empty. */
  schemaViolations: string[];
  pendingFaults(): ZuploFakeFault[];
  inject(...f: ZuploFakeFault[]): void;
  seedCert(account: string, project: string, c: { name: string; environments?: string[] }): FakeMtlsCertificate;
  seedDeployment(d: { name: string; environmentType: string; references?: string[]; configured?: string[] }): FakeDeployment;
  options: MtlsFakeOptions;
  reset(): void;
  close(): Promise<void>;
}

function openApiValidators(): { create: ValidateFunction; update: ValidateFunction; updateRelaxed: ValidateFunction; cert: ValidateFunction; list: ValidateFunction; doc: Record<string, unknown> } {
  const doc = YAML.parse(fs.readFileSync(OPENAPI, "utf8")) as { components: { schemas: Record<string, Record<string, unknown>> } };
  // OpenAPI 3.0 schemas are draft-4/7-like; `example`/`readOnly` are annotations, formats are not checked.
  const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema({ $id: "zuplo", components: doc.components });
  const get = (n: string) => ajv.getSchema(`${SCHEMA}${n}`)!;
  const update = doc.components.schemas["Zuplo.MtlsCertificates.MtlsCertificateUpdateBody"]!;
  const relaxed = JSON.parse(JSON.stringify(update)) as { properties: { environments: Record<string, unknown> } };
  delete relaxed.properties.environments["minItems"];
  return {
    create: get("MtlsCertificateCreateBody"),
    update: get("MtlsCertificateUpdateBody"),
    updateRelaxed: new Ajv({ strict: false, validateFormats: false }).compile(relaxed),
    cert: get("MtlsCertificate"),
    list: get("MtlsCertificateListResponse"),
    doc: doc as unknown as Record<string, unknown>,
  };
}

const V = openApiValidators();

async function startMtlsFake(): Promise<MtlsFake> {
  const api = await startZuploApiFake({ projects: ["acme/orders-api"] });
  return {
    url: api.url,
    apiKey: api.apiKey,
    requests: api.requests,
    certs: api.state.mtlsCertificates,
    deployments: api.state.deployments,
    schemaExceptions: api.state.schemaExceptions,
    schemaViolations: api.state.schemaViolations,
    options: api.mtlsOptions,
    pendingFaults: () => [...api.state.pendingFaults],
    inject: (...f) => api.inject(...f),
    seedCert: (a, p, c) => api.state.seedMtlsCertificate(a, p, { ...c, certificate: CERT }),
    seedDeployment: (d) => api.state.seedDeployment("acme", "orders-api", { ...d, branchName: d.environmentType === "PRODUCTION" ? "main" : "feature" }),
    reset: () => api.reset(),
    close: () => api.close(),
  };
}

// ---------------------------------------------------------------------------------------------

let fake: MtlsFake;
let restoreOptions: () => void;
let restoreDelete: () => void;
let consoleText: string[] = [];
/** Every output the provider returned, searched for the key in afterEach. */
let returned: unknown[] = [];
const savedEnvKey = process.env["ZUPLO_API_KEY"];

function inputs(over: Partial<ZuploMtlsCertificateInputs> = {}): ZuploMtlsCertificateInputs {
  return { apiUrl: fake.url, account: "acme", project: "orders-api", name: "orders_backend_cert", environments: ["production"], certificate: CHAIN, key: KEY, redeployOnDelete: false, ...over };
}

function expectNoSecrets(text: string): void {
  for (const s of [...SECRET_MARKERS, fake.apiKey, WRONG_KEY]) {
    // Not `toContain`: a failing assertion must not print the secret either.
    expect(text.includes(s), `exposed text contains a secret (${s.slice(0, 12)}…)`).toBe(false);
  }
}

function expectFailure(promise: Promise<unknown>, expected: ExpectedFailure): Promise<ZuploProviderError> {
  return expectProviderFailure<ZuploProviderError>(promise, expected, (text) => expectNoSecrets(text));
}

async function create(over: Partial<ZuploMtlsCertificateInputs> = {}): Promise<{ id: string; outs: ZuploMtlsCertificateOutputs }> {
  const result = await provider.create(inputs(over));
  returned.push(result);
  return { id: result.id, outs: result.outs! };
}

function trail(): string[] {
  return fake.requests.map((r) => `${r.method} ${r.path.replace("/v1/accounts/acme/projects/orders-api", "~")}${r.fault ? " (fault)" : ""}`);
}

beforeAll(async () => {
  fake = await startMtlsFake();
});

afterAll(async () => {
  await fake.close();
  if (savedEnvKey === undefined) delete process.env["ZUPLO_API_KEY"];
  else process.env["ZUPLO_API_KEY"] = savedEnvKey;
});

beforeEach(async () => {
  fake.reset();
  returned = [];
  process.env["ZUPLO_API_KEY"] = fake.apiKey;
  await provider.configure(noConfig);
  restoreOptions = setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 400 });
  restoreDelete = setZuploMtlsDeleteOptions({ attempts: 4, intervalMs: 5 });
  consoleText = [];
  for (const m of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      consoleText.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  restoreOptions();
  restoreDelete();
  expectNoSecrets(consoleText.join("\n"));
  // No output carries the key; a create sent it exactly as the contract asks, nowhere else.
  expectNoSecrets(inspect(returned, { depth: 20 }) + JSON.stringify(returned));
  for (const r of fake.requests) {
    if (r.method === "POST" && r.path.endsWith("/mtls-certificates")) continue;
    expectNoSecrets(r.rawBody + r.path);
  }
  expect(fake.schemaViolations).toEqual([]);
  expect(fake.pendingFaults()).toEqual([]);
});

describe("the OpenAPI document (what the fake is built from)", () => {
  it("publishes the mtls-certificates schemas but no paths for them", () => {
    const doc = V.doc as { paths: Record<string, unknown>; components: { schemas: Record<string, { required?: string[]; properties?: Record<string, { minItems?: number; items?: { enum?: string[] } }> }> } };
    expect(Object.keys(doc.paths).filter((p) => p.includes("mtls"))).toEqual([]);
    const create = doc.components.schemas["Zuplo.MtlsCertificates.MtlsCertificateCreateBody"]!;
    expect(create.required).toEqual(["name", "certificate", "key", "environments"]);
    expect(create.properties!["environments"]!.items!.enum).toEqual(["development", "preview", "production"]);
    // Why `disable` ({environments: []}) is a documented exception in the fake.
    expect(doc.components.schemas["Zuplo.MtlsCertificates.MtlsCertificateUpdateBody"]!.properties!["environments"]!.minItems).toBe(1);
    expect(V.update({ environments: [] })).toBe(false);
  });
});

describe("check", () => {
  const failuresOf = async (over: Partial<Record<keyof ZuploMtlsCertificateInputs, unknown>>) =>
    ((await provider.check(inputs(), { ...inputs(), ...over } as ZuploMtlsCertificateInputs)).failures ?? []).map((f) => f.property);

  it("accepts a valid certificate, with a chain and unknowns", async () => {
    expect(await failuresOf({})).toEqual([]);
    expect(await failuresOf({ name: "_gw", environments: ["development", "preview", "production"] })).toEqual([]);
    expect(await failuresOf({ name: UNKNOWN, key: UNKNOWN, certificate: UNKNOWN, environments: UNKNOWN })).toEqual([]);
    expect(await failuresOf({ key: KEY.replace(/ PRIVATE KEY/g, " EC PRIVATE KEY") })).toEqual([]);
  });

  it.each([["orders-cert"], ["1cert"], ["$cert"], ["class"], ["null"], ["a".repeat(121)], [""], ["ünï"], [42]])("refuses the name %s (not a JavaScript identifier Zuplo accepts)", async (name) => {
    expect(await failuresOf({ name })).toEqual(["name"]);
  });

  it("refuses environments outside the enum, empty, or repeated", async () => {
    for (const environments of [[], ["staging"], ["production", "production"], "production"]) {
      expect(await failuresOf({ environments })).toEqual(["environments"]);
    }
  });

  it("refuses a certificate that is not PEM or carries the private key, without quoting either", async () => {
    expect(await failuresOf({ certificate: "not a pem" })).toEqual(["certificate"]);
    const result = await provider.check(inputs(), { ...inputs(), certificate: `${CERT}${KEY}`, key: "nope" });
    expect(result.failures!.map((f) => f.property)).toEqual(["certificate", "key"]);
    expectNoSecrets(JSON.stringify(result.failures));
  });

  it("refuses a bad apiUrl and location", async () => {
    expect(await failuresOf({ apiUrl: "http://dev.zuplo.com", account: "" })).toEqual(["account", "apiUrl"]);
  });
});

describe("create", () => {
  it("POSTs the CreateBody and returns outputs without the key", async () => {
    const result = await create({ environments: ["preview", "production"] });
    expect(trail()).toEqual(["POST ~/mtls-certificates"]);
    const req = fake.requests[0]!;
    expect(req.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req.body).toEqual({ name: "orders_backend_cert", certificate: CHAIN, key: KEY, environments: ["preview", "production"] });
    expect(V.create(req.body)).toBe(true);

    expect(result.id).toBe("acme/orders-api/orders_backend_cert");
    const stored = [...fake.certs.values()][0]!;
    expect(stored.key).toBe(KEY);
    const { key: _k, ...withoutKey } = inputs({ environments: ["preview", "production"] });
    expect(result.outs).toEqual({
      ...withoutKey,
      certificateId: stored.id,
      keyFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
      certificateInfo: stored.certificateInfo,
      createdOn: stored.createdOn,
      updatedOn: stored.updatedOn,
    });
    expect(Object.keys(result.outs)).not.toContain("key");
  });

  it("waits out a 429 with Retry-After, then creates", async () => {
    fake.inject({ method: "POST", status: 429, retryAfter: "1" });
    await create();
    expect(trail()).toEqual(["POST ~/mtls-certificates (fault)", "POST ~/mtls-certificates"]);
    expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it("retries 5xx and fails with a retryable error once the attempts are spent", async () => {
    fake.inject({ method: "POST", status: 502 }, { method: "POST", status: 503 }, { method: "POST", status: 500, detail: `bad key ${KEY_LINES[1]}` });
    const err = await expectFailure(create(), { code: "ERR_GATEWAY_API", status: 500, includes: [/failed after 3 attempts/, /orders_backend_cert/] });
    expect(err.retryable).toBe(true);
    expect(fake.certs.size).toBe(0);
  });

  it("adopts the certificate when the answer to its POST was lost (timeout, then 409)", async () => {
    fake.inject({ method: "POST", timeoutMs: 1_000, applyFirst: true });
    const result = await create({ environments: ["production", "preview"] });
    expect(trail()).toEqual(["POST ~/mtls-certificates (fault)", "POST ~/mtls-certificates", "GET ~/mtls-certificates"]);
    expect(fake.certs.size).toBe(1);
    expect(result.outs.certificateId).toBe([...fake.certs.values()][0]!.id);
  });

  it("refuses to take over a certificate of the same name it did not create", async () => {
    fake.seedCert("acme", "orders-api", { name: "orders_backend_cert" });
    await expectFailure(create(), { code: "ERR_GATEWAY_API", status: 409, includes: [/already exists/, /another name/, /mtls-certificate delete/] });
    expect(trail()).toEqual(["POST ~/mtls-certificates"]);
  });

  it("recovers the id by name when the 2xx body is malformed JSON (paging through the list)", async () => {
    fake.options.pageLimit = 2;
    for (const name of ["a_cert", "b_cert", "c_cert"]) fake.seedCert("acme", "orders-api", { name });
    fake.inject({ method: "POST", malformedBody: true });
    const result = await create();
    expect(trail()).toEqual(["POST ~/mtls-certificates (fault)", "GET ~/mtls-certificates", "GET ~/mtls-certificates?offset=2"]);
    expect(result.outs.certificateId).toBe([...fake.certs.values()].find((c) => c.name === "orders_backend_cert")!.id);
  });

  it("scrubs the key from a refusal that quotes it, and names the project on 404", async () => {
    fake.inject({ method: "POST", status: 400, detail: `Invalid private key: ${KEY} (line ${KEY_LINES[2]})` });
    const err = await expectFailure(create(), { code: "ERR_GATEWAY_API", status: 400, includes: [/Zuplo says: Invalid private key/] });
    expect(err.message).toContain("[redacted]");
    await expectFailure(create({ project: "no-such-project" }), { code: "ERR_GATEWAY_API", status: 404, includes: [/no-such-project/, /Enterprise/] });
  });

  it("fails with the credentials error when no API key is configured, and uses the stack config key", async () => {
    delete process.env["ZUPLO_API_KEY"];
    await expectFailure(create(), { code: "ERR_GATEWAY_CREDENTIALS", includes: [/ZUPLO_API_KEY/] });
    expect(fake.requests).toEqual([]);
    await provider.configure(configWithKey(WRONG_KEY));
    await expectFailure(create(), { code: "ERR_GATEWAY_API", status: 401 });
    await provider.configure(configWithKey(fake.apiKey));
    await create();
    expect(fake.certs.size).toBe(1);
  });

  it("times out every attempt and says so", async () => {
    fake.inject({ method: "POST", timeoutMs: 1_000 }, { method: "POST", timeoutMs: 1_000 }, { method: "POST", timeoutMs: 1_000 });
    const err = await expectFailure(create(), { code: "ERR_GATEWAY_API", includes: [/timed out after 400 ms/] });
    expect(err.retryable).toBe(true);
  });
});

describe("diff", () => {
  async function outs(): Promise<ZuploMtlsCertificateOutputs> {
    return (await create()).outs;
  }

  it("no change; environments → update; certificate, key → replace (delete first: same name); name → replace (create first)", async () => {
    const o = await outs();
    expect(await provider.diff("x", o, inputs())).toMatchObject({ changes: false });
    expect(await provider.diff("x", o, inputs({ key: KEY.replace(/\n/g, "\r\n") }))).toMatchObject({ changes: false });
    const envs = await provider.diff("x", o, inputs({ environments: ["production", "preview"] }));
    expect(envs).toMatchObject({ changes: true });
    expect(envs.replaces ?? []).toEqual([]);
    expect(await provider.diff("x", o, inputs({ certificate: CERT }))).toEqual({ changes: true, replaces: ["certificate"], deleteBeforeReplace: true });
    expect(await provider.diff("x", o, inputs({ key: KEY2 }))).toEqual({ changes: true, replaces: ["key"], deleteBeforeReplace: true });
    expect(await provider.diff("x", o, inputs({ key: UNKNOWN }))).toMatchObject({ replaces: ["key"] });
    expect(await provider.diff("x", o, inputs({ name: "orders_backend_cert_v2", certificate: CERT, key: KEY2 }))).toEqual({
      changes: true,
      replaces: ["name", "certificate", "key"],
      deleteBeforeReplace: false,
    });
  });
});

describe("update and read", () => {
  it("PATCHes the environments (UpdateBody) and keeps createdOn", async () => {
    const created = await create();
    fake.requests.length = 0;
    const updated = await provider.update(created.id, created.outs, inputs({ environments: ["preview", "production"] }));
    returned.push(updated);
    expect(trail()).toEqual([`PATCH ~/mtls-certificates/${created.outs.certificateId}`]);
    expect(fake.requests[0]!.body).toEqual({ environments: ["preview", "production"] });
    expect(updated.outs!).toMatchObject({ environments: ["preview", "production"], certificateId: created.outs.certificateId, createdOn: created.outs.createdOn });
  });

  it("re-creates a certificate deleted outside Pulumi (PATCH 404 → POST)", async () => {
    const created = await create();
    fake.certs.clear();
    fake.requests.length = 0;
    const updated = await provider.update(created.id, created.outs, inputs({ environments: ["development"] }));
    returned.push(updated);
    expect(trail()).toEqual([`PATCH ~/mtls-certificates/${created.outs.certificateId}`, "POST ~/mtls-certificates"]);
    expect(updated.outs!.certificateId).not.toBe(created.outs.certificateId);
  });

  it("a malformed PATCH answer is an error that echoes nothing", async () => {
    const created = await create();
    fake.inject({ method: "PATCH", malformedBody: true });
    await expectFailure(provider.update(created.id, created.outs, inputs({ environments: ["preview"] })), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/] });
  });

  it("read reports drift and a deletion", async () => {
    const created = await create();
    [...fake.certs.values()][0]!.environments.preview = true;
    const read = await provider.read(created.id, created.outs);
    returned.push(read);
    expect(read).toMatchObject({ id: created.id, props: { environments: ["preview", "production"], keyFingerprint: created.outs.keyFingerprint, certificate: CHAIN } });
    fake.certs.clear();
    expect(await provider.read(created.id, created.outs)).toEqual({ id: "" });
  });
});

describe("delete", () => {
  async function created(over: Partial<ZuploMtlsCertificateInputs> = {}) {
    const c = await create(over);
    fake.requests.length = 0;
    return c;
  }

  it("DELETEs an unreferenced certificate; a missing one is already gone", async () => {
    const c = await created();
    await provider.delete(c.id, c.outs);
    expect(trail()).toEqual([`DELETE ~/mtls-certificates/${c.outs.certificateId}`]);
    expect(fake.certs.size).toBe(0);
    await provider.delete(c.id, c.outs);
  });

  it("retries a 503 and a 429 on DELETE", async () => {
    const c = await created();
    fake.inject({ method: "DELETE", status: 503 }, { method: "DELETE", status: 429, retryAfter: "0" });
    await provider.delete(c.id, c.outs);
    expect(fake.certs.size).toBe(0);
  });

  it("409 while referenced: disables, redeploys the deployments of its environments, waits for the rollout, deletes", async () => {
    const c = await created({ environments: ["production"], redeployOnDelete: true });
    fake.seedDeployment({ name: "orders-main-aaa", environmentType: "PRODUCTION", references: ["orders_backend_cert"] });
    fake.seedDeployment({ name: "orders-feature-bbb", environmentType: "PREVIEW" });
    fake.options.rolloutLag = 1;
    await provider.delete(c.id, c.outs);
    const id = c.outs.certificateId;
    expect(trail()).toEqual([
      `DELETE ~/mtls-certificates/${id}`,
      `PATCH ~/mtls-certificates/${id}`,
      "GET ~/deployments",
      "POST /v1/deployments/orders-main-aaa/deploy",
      `DELETE ~/mtls-certificates/${id}`,
      `DELETE ~/mtls-certificates/${id}`,
    ]);
    expect(fake.requests[1]!.body).toEqual({ environments: [] });
    expect(fake.schemaExceptions).toEqual([`PATCH /v1/accounts/acme/projects/orders-api/mtls-certificates/${id} {environments: []}`]);
    expect(fake.deployments.get("orders-feature-bbb")!.redeploys).toBe(0);
    expect(fake.certs.size).toBe(0);
  });

  it("409 without redeployOnDelete: disables it and stops with the manual step", async () => {
    const c = await created();
    fake.seedDeployment({ name: "orders-main-aaa", environmentType: "PRODUCTION", references: ["orders_backend_cert"] });
    const err = await expectFailure(provider.delete(c.id, c.outs), { code: "ERR_GATEWAY_API", status: 409, includes: [/now disabled/, /redeploy the production environment/, /redeployOnDelete: true/] });
    expect(err.operation).toBe("delete");
    expect(trail().map((t) => t.split(" ")[0])).toEqual(["DELETE", "PATCH"]);
    expect([...fake.certs.values()][0]!.environments).toEqual({ development: false, preview: false, production: false });
    expect(fake.deployments.get("orders-main-aaa")!.redeploys).toBe(0);
  });

  it("a server that enforces minItems refuses to disable: the error says how to do it by hand", async () => {
    const c = await created({ redeployOnDelete: true });
    fake.seedDeployment({ name: "orders-main-aaa", environmentType: "PRODUCTION", references: ["orders_backend_cert"] });
    fake.options.strictDisable = true;
    await expectFailure(provider.delete(c.id, c.outs), { code: "ERR_GATEWAY_API", status: 400, includes: [/mtls-certificate disable --cert-id cert_/] });
    fake.schemaViolations.length = 0; // the refused disable body, by design
    expect(trail().map((t) => t.split(" ")[0])).toEqual(["DELETE", "PATCH"]);
  });

  it("still referenced after the redeploys (the config names it): a clear, retryable error", async () => {
    const c = await created({ redeployOnDelete: true });
    fake.seedDeployment({ name: "orders-main-aaa", environmentType: "PRODUCTION", configured: ["orders_backend_cert"] });
    const err = await expectFailure(provider.delete(c.id, c.outs), { code: "ERR_GATEWAY_API", status: 409, includes: [/after redeploying orders-main-aaa/, /gateway configuration still names it/] });
    expect(err.retryable).toBe(true);
    expect(trail().filter((t) => t.startsWith("DELETE"))).toHaveLength(1 + 4);
  });

  it("a failed redeploy names what is left to do", async () => {
    const c = await created({ redeployOnDelete: true });
    fake.seedDeployment({ name: "orders-main-aaa", environmentType: "PRODUCTION", references: ["orders_backend_cert"] });
    fake.inject({ method: "POST", status: 404 });
    await expectFailure(provider.delete(c.id, c.outs), { code: "ERR_GATEWAY_API", status: 404, includes: [/orders-main-aaa/, /disabled but not deleted/] });
  });
});

describe("ZuploMtlsCertificate (the resource class, under Pulumi mocks)", () => {
  it("registers the dynamic type with a secret key and a secret fingerprint", async () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push(a);
          const { key: _key, ...state } = a.inputs as Record<string, unknown>;
          return { id: `${a.name}-id`, state: { ...state, certificateId: "cert_1", keyFingerprint: "sha256:00" } };
        },
        call: (a) => a.inputs,
      },
      "gatelock",
      "test",
      false,
    );
    let seenOpts: pulumi.CustomResourceOptions | undefined;
    let seenProps: Record<string, unknown> | undefined;
    const cert = new ZuploMtlsCertificate(
      "orders-cert",
      { apiUrl: "https://dev.zuplo.com", account: "acme", project: "orders-api", name: "orders_backend_cert", environments: ["production"], certificate: CHAIN, key: KEY },
      { transformations: [(a) => ((seenOpts = a.opts), (seenProps = a.props), undefined)] },
    );
    expect(await pulumi.isSecret(pulumi.output(seenProps!["key"]))).toBe(true);
    // Mocks do not apply additionalSecretOutputs: the option itself is what the engine honours.
    expect(seenOpts!.additionalSecretOutputs).toEqual(["keyFingerprint"]);
    expect(await new Promise((r) => cert.certificateId.apply(r))).toBe("cert_1");
    // The SDK echoes an input the provider does not return into the program's output of that
    // name (never into the state's outputs): it must stay a secret there.
    const keyOut = (cert as unknown as Record<string, pulumi.Output<unknown>>)["key"]!;
    expect(await pulumi.isSecret(keyOut)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    const reg = registered.find((r) => r.name === "orders-cert")!;
    expect(reg.type).toBe(`pulumi-nodejs:dynamic/gatelock:${ZUPLO_MTLS_CERTIFICATE_TYPE}`);
    expect(String(reg.inputs["__provider"]).includes("PLANTEDkey")).toBe(false);
  });

  it("is exported by gatelock/zuplo", async () => {
    const zuplo = await import("../components/zuplo");
    expect(zuplo.ZuploMtlsCertificate).toBe(ZuploMtlsCertificate);
    expect(zuplo.zuploMtlsCertificateProvider).toBe(zuploMtlsCertificateProvider);
  });
});

// ---------------------------------------------------------------------------------------------
// Serialized as `pulumi up` does, evaluated in a fresh process (see zuplo-variable-serialization.test.ts).

const run = promisify(execFile);

const SERIALIZE_JS = String.raw`
"use strict";
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const [out] = process.argv.slice(2);
const zuplo = require("gatelock/zuplo");
require("gatelock/testing").setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 });
// The delete-wait knob is not public: reached by file, the same module instance as gatelock/zuplo's.
require(process.env.MTLS_PROVIDER_JS).setZuploMtlsDeleteOptions({ attempts: 3, intervalMs: 5 });
const provider = zuplo.zuploMtlsCertificateProvider; // a local, as dynamic.Resource captures it
pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true }).then(
  (sf) => { fs.writeFileSync(out, sf.text); process.stdout.write(JSON.stringify({ containsSecrets: sf.containsSecrets })); },
  (e) => { process.stderr.write(String(e && e.stack)); process.exit(1); },
);
`;

const EVALUATE_JS = String.raw`
"use strict";
const fs = require("node:fs");
const requireFromString = require(process.env.REQUIRE_FROM_STRING);
const { Config } = require(process.env.PULUMI_DYNAMIC_CONFIG);
const { GatelockError, GatewayApiError } = require(process.env.GATELOCK_ERRORS_JS);
const [file] = process.argv.slice(2);
(async () => {
  const provider = requireFromString(fs.readFileSync(file, "utf8")).handler();
  await provider.configure({ config: new Config({ "gatelock:zuploApiKey": process.env.TEST_ZUPLO_KEY }, "gatelock-test") });
  const base = { apiUrl: process.env.FAKE_URL, account: "acme", project: "orders-api", name: "orders_backend_cert", environments: ["production"], certificate: process.env.TEST_CERT, key: process.env.TEST_KEY, redeployOnDelete: true };
  const out = {};
  out.checkBad = (await provider.check(base, { ...base, name: "orders-cert" })).failures;
  const created = await provider.create(base); // after one injected 503
  out.created = created;
  out.diffKey = await provider.diff(created.id, created.outs, { ...base, key: base.key.replace("LINE1x", "LINE1y") });
  const updated = await provider.update(created.id, created.outs, { ...base, environments: ["preview", "production"] });
  out.updated = updated;
  try {
    await provider.create({ ...base, project: "no-such-project" });
  } catch (e) {
    out.error = { message: e.message, stack: e.stack, status: e.status, code: e.code, isGatewayApiError: e instanceof GatewayApiError, isGatelockError: e instanceof GatelockError };
  }
  await provider.delete(created.id, updated.outs); // 409 → disable → redeploy → delete
  out.deleted = true;
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write("child failed: " + (e && e.stack)); process.exit(1); });
`;

describe("zuploMtlsCertificateProvider after Pulumi function serialization", () => {
  let tmp: string;
  let pkgDir: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-serialize-"));
    pkgDir = path.join(tmp, "node_modules", "gatelock");
    fs.mkdirSync(pkgDir, { recursive: true });
    const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: unknown; dependencies: Record<string, string> };
    fs.writeFileSync(path.join(pkgDir, "package.json"), JSON.stringify({ name: "gatelock", version: "0.0.0-test", main: "dist/index.js", exports: rootPkg.exports }));
    for (const dep of ["@pulumi/pulumi", ...Object.keys(rootPkg.dependencies)]) {
      // package.json may list a dependency another change has not installed yet.
      if (!fs.existsSync(path.join(ROOT, "node_modules", dep))) continue;
      fs.mkdirSync(path.dirname(path.join(tmp, "node_modules", dep)), { recursive: true });
      fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(tmp, "node_modules", dep), "dir");
    }
    // Other files may be mid-edit: only diagnostics in this component matter, and tsc emits anyway.
    const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
    const build = await run(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", path.join(pkgDir, "dist"), "--declaration", "false", "--sourceMap", "false"], { cwd: ROOT }).catch(
      (e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? "" }),
    );
    expect(`${build.stdout}${build.stderr}`.split("\n").filter((l) => /components\/(zuplo\/|errors\.ts)/.test(l))).toEqual([]);
    fs.mkdirSync(path.join(tmp, "app"));
    fs.writeFileSync(path.join(tmp, "app", "serialize.cjs"), SERIALIZE_JS);
    fs.writeFileSync(path.join(tmp, "app", "evaluate.cjs"), EVALUATE_JS);
  }, 180_000);

  afterAll(() => {
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  });

  it("serializes self-contained and creates, updates and deletes (409 → disable → redeploy → delete) from a fresh process", async () => {
    const env = {
      PATH: process.env["PATH"] ?? "",
      MTLS_PROVIDER_JS: path.join(pkgDir, "dist", "zuplo", "mtls-certificate-provider.js"),
      GATELOCK_ERRORS_JS: path.join(pkgDir, "dist", "errors.js"),
      REQUIRE_FROM_STRING: require.resolve("require-from-string", { paths: [path.join(ROOT, "node_modules", "@pulumi", "pulumi")] }),
      PULUMI_DYNAMIC_CONFIG: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "config.js"),
    };
    const textFile = path.join(tmp, "mtls.provider.js");
    const ser = await run(process.execPath, [path.join(tmp, "app", "serialize.cjs"), textFile], { cwd: path.join(tmp, "app"), env, timeout: 60_000 });
    expect(JSON.parse(ser.stdout)).toEqual({ containsSecrets: false });
    const text = fs.readFileSync(textFile, "utf8");
    expect(text).toMatch(/^exports\.handler = /);
    expect(text).not.toMatch(/require\(/); // Node globals only: no local, package or builtin module
    expect(text).not.toContain("__vite_ssr");
    expect(text).not.toContain("exports.zuploMtlsCertificateProvider");
    expect(text).toMatch(/maxAttempts: 3/);
    expect(text).toMatch(/intervalMs: 5/);
    expect(text).toMatch(/async function \/\*send\*\/\(/);

    fake.seedDeployment({ name: "orders-main-aaa", environmentType: "PRODUCTION", references: ["orders_backend_cert"] });
    fake.inject({ method: "POST", status: 503 });
    const ev = await run(process.execPath, [path.join(tmp, "app", "evaluate.cjs"), textFile], {
      cwd: path.join(tmp, "app"),
      env: { ...env, FAKE_URL: fake.url, TEST_ZUPLO_KEY: fake.apiKey, TEST_KEY: KEY, TEST_CERT: CHAIN },
      timeout: 60_000,
    });
    const out = JSON.parse(ev.stdout);
    expect(out.checkBad.map((f: { property: string }) => f.property)).toEqual(["name"]);
    expect(out.created.id).toBe("acme/orders-api/orders_backend_cert");
    expect(out.created.outs.keyFingerprint).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(out.diffKey).toMatchObject({ replaces: ["key"] });
    expect(out.updated.outs.environments).toEqual(["preview", "production"]);
    expect(out.error).toMatchObject({ status: 404, code: "ERR_GATEWAY_API", isGatewayApiError: true, isGatelockError: true });
    expect(out.deleted).toBe(true);
    expect(trail()).toEqual([
      "POST ~/mtls-certificates (fault)",
      "POST ~/mtls-certificates",
      `PATCH ~/mtls-certificates/${out.created.outs.certificateId}`,
      "POST /v1/accounts/acme/projects/no-such-project/mtls-certificates",
      `DELETE ~/mtls-certificates/${out.created.outs.certificateId}`,
      `PATCH ~/mtls-certificates/${out.created.outs.certificateId}`,
      "GET ~/deployments",
      "POST /v1/deployments/orders-main-aaa/deploy",
      `DELETE ~/mtls-certificates/${out.created.outs.certificateId}`,
    ]);
    expect(fake.certs.size).toBe(0);
    for (const [where, t] of [["stdout", ev.stdout], ["stderr", ev.stderr], ["serialized text", text]] as const) {
      for (const s of [...SECRET_MARKERS, fake.apiKey]) expect(t.includes(s), where).toBe(false);
    }
    returned.push(out);
    expectNoSecrets(exposedText(out.error));
  }, 120_000);
});
