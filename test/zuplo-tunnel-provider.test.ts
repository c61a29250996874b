/**
 * The `ZuploTunnel` and `ZuploTunnelServices` dynamic providers against the shared contract
 * fake of the Developer API (test/fakes/zuplo-developer-api.ts), which implements the tunnel
 * routes of the published document and validates every request body against it. Faults:
 * 429 with Retry-After, 5xx then success, timeouts, malformed bodies, a provisioning that ends
 * in `error`, a teardown that takes several polls (and one that ends in error, and one that
 * never ends). Then the resource classes under the mock engine (the token is a secret output),
 * and both providers after Pulumi's function serialization, in a fresh process.
 *
 * The token is searched for (whole and its distinctive secret part) in every error, every
 * console line, every plain output and everything a child process printed.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { inspect, promisify } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setZuploClientOptions } from "../components/testing";
import { isSecretValue } from "../components/testing/fake-kit";
import { runUnderMocks } from "../components/testing/engine";
import type { ZuploProviderError } from "../components/zuplo/client";
import { ZuploTunnel } from "../components/zuplo/tunnel";
import { setZuploTunnelPollOptions, ZUPLO_TUNNEL_TYPE, zuploTunnelProvider, type ZuploTunnelInputs, type ZuploTunnelOutputs } from "../components/zuplo/tunnel-provider";
import { ZuploTunnelServices } from "../components/zuplo/tunnel-services";
import {
  ZUPLO_TUNNEL_SERVICES_TYPE,
  zuploTunnelServicesProvider,
  type ZuploTunnelService,
  type ZuploTunnelServicesInputs,
  type ZuploTunnelServicesOutputs,
} from "../components/zuplo/tunnel-services-provider";
import { startZuploApiFake, type ZuploApiFake } from "./fakes/zuplo-developer-api";
import { configWithKey, type ExpectedFailure, expectProviderFailure, exposedText, noConfig, OTHER_PROJECT_KEY, UNKNOWN, WRONG_KEY } from "./fakes/zuplo-provider-kit";

const tunnels = zuploTunnelProvider as Required<typeof zuploTunnelProvider>;
const services = zuploTunnelServicesProvider as Required<typeof zuploTunnelServicesProvider>;
const ROOT = path.resolve(__dirname, "..");

let fake: ZuploApiFake;
let restoreClient: () => void;
let restorePoll: () => void;
let consoleText: string[] = [];
/** Every token the fake handed out in this test: none may leak. */
let seenTokens: string[] = [];
const savedEnvKey = process.env["ZUPLO_API_KEY"];

function tokensNow(): string[] {
  return [...fake.state.tunnels.values()].map((t) => t.token);
}

/** A token and the secret inside it (a partial echo is caught too). */
function tokenForms(token: string): string[] {
  const inner = JSON.parse(Buffer.from(token, "base64").toString("utf8")) as { s: string };
  return [token, inner.s];
}

function expectNoSecrets(text: string): void {
  for (const s of [fake.apiKey, WRONG_KEY, OTHER_PROJECT_KEY, ...[...seenTokens, ...tokensNow()].flatMap(tokenForms)]) {
    // Not `toContain`: a failing assertion must not print the secret either.
    expect(text.includes(s), `exposed text contains a secret (${s.slice(0, 6)}…)`).toBe(false);
  }
}

function expectFailure(promise: Promise<unknown>, expected: ExpectedFailure): Promise<ZuploProviderError> {
  return expectProviderFailure<ZuploProviderError>(promise, expected, (text) => expectNoSecrets(text));
}

function tunnelInputs(over: Partial<ZuploTunnelInputs> = {}): ZuploTunnelInputs {
  return { apiUrl: fake.url, account: "acme", name: "gl-prod", rotation: 0, ...over };
}

const WAREHOUSE: ZuploTunnelService = { name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", configurations: [{ project: "orders-api", accessibleBy: ["production"] }] };
const LEDGER: ZuploTunnelService = { name: "ledger-prod", endpoint: "https://ledger.internal:8443", configurations: [{ project: "orders-api", accessibleBy: ["production", "preview"] }] };

function servicesInputs(tunnelId: string, over: Partial<ZuploTunnelServicesInputs> = {}): ZuploTunnelServicesInputs {
  return { apiUrl: fake.url, account: "acme", tunnelId, services: [WAREHOUSE], ...over };
}

async function createTunnel(over: Partial<ZuploTunnelInputs> = {}): Promise<{ id: string; outs: ZuploTunnelOutputs }> {
  const r = await tunnels.create(tunnelInputs(over));
  seenTokens.push(r.outs!.token);
  return { id: r.id, outs: r.outs! };
}

/** Method and path of each request, the tunnel prefix shortened, faults marked. */
function trail(): string[] {
  return fake.requests.map((r) => `${r.method} ${r.path.replace("/v1/accounts/acme/tunnels", "~")}${r.fault ? " (fault)" : ""}`);
}

beforeAll(async () => {
  fake = await startZuploApiFake({ projects: ["acme/orders-api"], scopedKeys: { [OTHER_PROJECT_KEY]: ["other/orders-api"] } });
});

afterAll(async () => {
  await fake.close();
  if (savedEnvKey === undefined) delete process.env["ZUPLO_API_KEY"];
  else process.env["ZUPLO_API_KEY"] = savedEnvKey;
});

beforeEach(async () => {
  fake.reset();
  seenTokens = [];
  process.env["ZUPLO_API_KEY"] = fake.apiKey;
  await tunnels.configure(noConfig);
  await services.configure(noConfig);
  restoreClient = setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 400 });
  restorePoll = setZuploTunnelPollOptions({ attempts: 5, intervalMs: 5 });
  consoleText = [];
  for (const m of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      consoleText.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
    });
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  restoreClient();
  restorePoll();
  expectNoSecrets(consoleText.join("\n"));
  // The token never travels in a request: the API sends it, gatelock never sends it back.
  for (const r of fake.requests) expectNoSecrets(r.rawBody + r.path);
  // Every body the providers sent matched the published document, and so did the fake's answers.
  expect(fake.state.schemaViolations).toEqual([]);
  expect(fake.state.pendingFaults).toEqual([]);
});

// ---------------------------------------------------------------------------------------------

describe("ZuploTunnel: check and diff", () => {
  const failuresOf = async (over: Partial<Record<keyof ZuploTunnelInputs, unknown>>) =>
    ((await tunnels.check(tunnelInputs(), { ...tunnelInputs(), ...over } as ZuploTunnelInputs)).failures ?? []).map((f) => f.property);

  it("accepts Zuplo's tunnel names and unknowns; refuses the rest", async () => {
    expect(await failuresOf({})).toEqual([]);
    expect(await failuresOf({ name: "a-b", rotation: 7 })).toEqual([]);
    expect(await failuresOf({ name: "A".repeat(24) })).toEqual([]);
    expect(await failuresOf({ name: UNKNOWN, rotation: UNKNOWN, account: UNKNOWN })).toEqual([]);
    for (const name of ["ab", "a".repeat(25), "gl_prod", "gl prod", "", 42]) expect(await failuresOf({ name })).toEqual(["name"]);
    for (const rotation of [-1, 1.5, "1", Number.NaN]) expect(await failuresOf({ rotation })).toEqual(["rotation"]);
    expect(await failuresOf({ apiUrl: "http://dev.zuplo.com", account: " " })).toEqual(["account", "apiUrl"]);
  });

  it("a new rotation updates in place; a new name, account or API replaces (create first)", async () => {
    const { outs } = await createTunnel();
    expect(await tunnels.diff("x", outs, tunnelInputs())).toMatchObject({ changes: false });
    const rotated = await tunnels.diff("x", outs, tunnelInputs({ rotation: 1 }));
    expect(rotated).toMatchObject({ changes: true });
    expect(rotated.replaces ?? []).toEqual([]);
    expect(await tunnels.diff("x", outs, tunnelInputs({ rotation: UNKNOWN as unknown as number }))).toMatchObject({ changes: true });
    expect(await tunnels.diff("x", outs, tunnelInputs({ name: "gl-prod-2" }))).toEqual({ changes: true, replaces: ["name"], deleteBeforeReplace: false });
    expect(await tunnels.diff("x", outs, tunnelInputs({ account: "other" }))).toMatchObject({ replaces: ["account"] });
  });
});

describe("ZuploTunnel: create", () => {
  it("POSTs {name} only and returns the tunnel id and the token Zuplo issued", async () => {
    const { id, outs } = await createTunnel();
    expect(trail()).toEqual(["POST ~"]);
    const req = fake.requests[0]!;
    expect(req.body).toEqual({ name: "gl-prod" });
    expect(req.openApi).toEqual({ operationId: "TunnelService_create" });
    expect(req.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    const stored = fake.state.tunnels.get(outs.tunnelId)!;
    expect(id).toBe(stored.tunnelId);
    expect(outs).toEqual({ ...tunnelInputs(), tunnelId: stored.tunnelId, token: stored.token });
    expect(outs.tunnelId).toMatch(/^tnl_/);
  });

  it("waits out a 429 with Retry-After, and retries a 503", async () => {
    fake.inject({ method: "POST", status: 429, retryAfter: "1" }, { method: "POST", status: 503 });
    await createTunnel();
    expect(trail()).toEqual(["POST ~ (fault)", "POST ~ (fault)", "POST ~"]);
    expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
    expect(fake.state.tunnels.size).toBe(1);
  });

  it("a malformed 201 body: finds the tunnel by name and reads its token, echoing nothing", async () => {
    fake.state.seedTunnel("acme", { name: "someone-else" });
    fake.inject({ method: "POST", malformedBody: true });
    const { outs } = await createTunnel();
    expect(trail()).toEqual(["POST ~ (fault)", "GET ~", `GET ~/${outs.tunnelId}`]);
    expect(outs.token).toBe(fake.state.tunnels.get(outs.tunnelId)!.token);
    expect(fake.state.tunnels.get(outs.tunnelId)!.name).toBe("gl-prod");
  });

  it("a malformed 201 body with two tunnels of that name: fails, naming both, without the token", async () => {
    const other = fake.state.seedTunnel("acme", { name: "gl-prod" });
    fake.inject({ method: "POST", malformedBody: true });
    const err = await expectFailure(tunnels.create(tunnelInputs()), { code: "ERR_GATEWAY_API", status: 201, includes: [/malformed/, new RegExp(other.tunnelId), /zuplo tunnel list/] });
    expect(err.operation).toBe("create (looking up the tunnel just created)");
  });

  it("times out every attempt and says so, retryable", async () => {
    fake.inject({ method: "POST", timeoutMs: 1_000 }, { method: "POST", timeoutMs: 1_000 }, { method: "POST", timeoutMs: 1_000 });
    const err = await expectFailure(tunnels.create(tunnelInputs()), { code: "ERR_GATEWAY_API", includes: [/timed out after 400 ms/, /gl-prod/] });
    expect(err.retryable).toBe(true);
  });

  it("no key: the credentials error, nothing sent; the stack config key is used; a wrong key is a 401", async () => {
    delete process.env["ZUPLO_API_KEY"];
    await expectFailure(tunnels.create(tunnelInputs()), { code: "ERR_GATEWAY_CREDENTIALS", includes: [/ZUPLO_API_KEY/] });
    expect(fake.requests).toEqual([]);
    await tunnels.configure(configWithKey(WRONG_KEY));
    await expectFailure(tunnels.create(tunnelInputs()), { code: "ERR_GATEWAY_API", status: 401 });
    await tunnels.configure(configWithKey(OTHER_PROJECT_KEY));
    await expectFailure(tunnels.create(tunnelInputs()), { code: "ERR_GATEWAY_API", status: 403 });
    await tunnels.configure(configWithKey(fake.apiKey));
    await createTunnel();
    expect(fake.state.tunnels.size).toBe(1);
  });
});

describe("ZuploTunnel: rotate, read", () => {
  it("a rotation bump POSTs $rotate-token (no body) and returns the new token; the same rotation sends nothing", async () => {
    const { id, outs } = await createTunnel();
    fake.requests.length = 0;
    const same = await tunnels.update(id, outs, tunnelInputs());
    expect(same.outs).toEqual(outs);
    expect(fake.requests).toEqual([]);
    const rotated = (await tunnels.update(id, outs, tunnelInputs({ rotation: 1 }))).outs!;
    seenTokens.push(rotated.token);
    expect(trail()).toEqual([`POST ~/${outs.tunnelId}/$rotate-token`]);
    expect(fake.requests[0]!.rawBody).toBe("");
    expect(fake.requests[0]!.openApi).toEqual({ operationId: "TunnelService_update" });
    expect(rotated.token).not.toBe(outs.token);
    expect(rotated).toEqual({ ...outs, rotation: 1, token: fake.state.tunnels.get(outs.tunnelId)!.token });
    expect(fake.state.tunnels.get(outs.tunnelId)!.rotations).toBe(1);
  });

  it("rotating a tunnel deleted outside Pulumi fails with the way out, and retries a 502 first", async () => {
    const { id, outs } = await createTunnel();
    fake.state.tunnels.clear();
    fake.inject({ method: "POST", status: 502 });
    await expectFailure(tunnels.update(id, outs, tunnelInputs({ rotation: 1 })), { code: "ERR_GATEWAY_API", status: 404, includes: [/deleted outside Pulumi/, /pulumi refresh/] });
  });

  it("a rotate answer that is not a Tunnel is malformed, and never quotes the body", async () => {
    const { id, outs } = await createTunnel();
    fake.inject({ method: "POST", malformedBody: true });
    await expectFailure(tunnels.update(id, outs, tunnelInputs({ rotation: 1 })), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/, /stale/] });
    seenTokens.push(fake.state.tunnels.get(outs.tunnelId)!.token);
  });

  it("read reports a rename and a token rotated elsewhere; a deleted tunnel disappears", async () => {
    const { id, outs } = await createTunnel();
    const stored = fake.state.tunnels.get(outs.tunnelId)!;
    stored.name = "renamed-in-portal";
    stored.token = Buffer.from(JSON.stringify({ a: "x", t: "y", s: "rotated-elsewhere-5f1e" })).toString("base64");
    fake.inject({ method: "GET", status: 500 });
    const read = await tunnels.read(id, outs);
    expect(read).toEqual({ id, props: { ...outs, name: "renamed-in-portal", token: stored.token } });
    // The rename is then a diff: the declared name replaces the renamed tunnel.
    expect(await tunnels.diff(id, read.props!, tunnelInputs())).toMatchObject({ replaces: ["name"] });
    fake.state.tunnels.clear();
    expect(await tunnels.read(id, outs)).toEqual({ id: "" });
  });
});

describe("ZuploTunnel: delete", () => {
  it("DELETEs, then polls a teardown that takes several polls to its end", async () => {
    const { id, outs } = await createTunnel();
    fake.state.scriptTeardown({ polls: 3 });
    fake.requests.length = 0;
    await tunnels.delete(id, outs);
    const [del, ...polls] = trail();
    expect(del).toBe(`DELETE ~/${outs.tunnelId}`);
    const op = [...fake.state.tunnelOperations.values()][0]!;
    expect(op).toMatchObject({ kind: "teardown", status: "success", polls: 4 });
    expect(polls).toEqual(Array(4).fill(`GET ~/${outs.tunnelId}/teardown-operations/${op.id}`));
    expect(fake.state.tunnels.size).toBe(0);
  });

  it("survives a 503 while polling, and a tunnel already gone is done", async () => {
    const { id, outs } = await createTunnel();
    fake.inject({ method: "GET", path: "/teardown-operations/", status: 503 });
    await tunnels.delete(id, outs);
    expect(fake.state.tunnels.size).toBe(0);
    fake.requests.length = 0;
    await tunnels.delete(id, outs);
    expect(trail()).toEqual([`DELETE ~/${outs.tunnelId}`]);
  });

  it("a teardown that ends in error is a failed delete naming the tunnel, with Zuplo's message scrubbed of the token", async () => {
    const { id, outs } = await createTunnel();
    fake.state.scriptTeardown({ polls: 1, status: "error", message: "Connector still attached.", details: `token ${outs.token} in use` });
    const err = await expectFailure(tunnels.delete(id, outs), { code: "ERR_GATEWAY_API", includes: [new RegExp(`tunnel gl-prod \\(${outs.tunnelId}\\)`), /ended in error/, /Connector still attached/, /\[redacted\] in use/] });
    expect(err.operation).toBe("delete");
    expect(err.retryable).toBe(false);
    expect(fake.state.tunnels.has(outs.tunnelId)).toBe(true);
  });

  it("a teardown still in progress when the polls run out is a retryable error", async () => {
    const { id, outs } = await createTunnel();
    fake.state.scriptTeardown({ polls: 50 });
    const err = await expectFailure(tunnels.delete(id, outs), { code: "ERR_GATEWAY_API", includes: [/still in progress after/, /Run pulumi destroy/] });
    expect(err.retryable).toBe(true);
    expect([...fake.state.tunnelOperations.values()][0]!.polls).toBe(5);
  });

  it("a DELETE answer without a TunnelTeardownOperation is malformed", async () => {
    const { id, outs } = await createTunnel();
    fake.inject({ method: "DELETE", successBody: { status: "done" } });
    await expectFailure(tunnels.delete(id, outs), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/, /TunnelTeardownOperation/] });
  });
});

// ---------------------------------------------------------------------------------------------

describe("ZuploTunnelServices: check and diff", () => {
  const failuresOf = async (over: Partial<Record<keyof ZuploTunnelServicesInputs, unknown>>) =>
    ((await services.check(servicesInputs("tnl_1"), { ...servicesInputs("tnl_1"), ...over } as ZuploTunnelServicesInputs)).failures ?? []).map((f) => f.property);

  it("accepts several services and unknowns anywhere", async () => {
    expect(await failuresOf({ services: [WAREHOUSE, LEDGER] })).toEqual([]);
    expect(await failuresOf({ tunnelId: UNKNOWN, services: UNKNOWN })).toEqual([]);
    expect(await failuresOf({ services: [{ ...WAREHOUSE, endpoint: UNKNOWN, configurations: [{ project: UNKNOWN, accessibleBy: UNKNOWN }] }] })).toEqual([]);
  });

  it("refuses what Zuplo would: names, duplicates, endpoints, environments", async () => {
    expect(await failuresOf({ services: [] })).toEqual(["services"]);
    expect(await failuresOf({ services: [WAREHOUSE, { ...LEDGER, name: WAREHOUSE.name }] })).toEqual(["services[1].name"]);
    expect(await failuresOf({ services: [{ ...WAREHOUSE, name: "a".repeat(25) }] })).toEqual(["services[0].name"]);
    expect(await failuresOf({ services: [{ ...WAREHOUSE, endpoint: "ftp://10.0.0.1" }] })).toEqual(["services[0].endpoint"]);
    expect(await failuresOf({ services: [{ ...WAREHOUSE, endpoint: "http://u:p@10.0.0.1" }] })).toEqual(["services[0].endpoint"]);
    expect(await failuresOf({ services: [{ ...WAREHOUSE, configurations: [] }] })).toEqual(["services[0].configurations"]);
    expect(await failuresOf({ services: [{ ...WAREHOUSE, configurations: [{ project: "p", accessibleBy: ["development"] }] }] })).toEqual(["services[0].configurations[0].accessibleBy"]);
    expect(await failuresOf({ services: [{ ...WAREHOUSE, configurations: [{ project: "", accessibleBy: ["preview", "preview"] }] }] })).toEqual([
      "services[0].configurations[0].project",
      "services[0].configurations[0].accessibleBy",
    ]);
    expect(await failuresOf({ tunnelId: "tnl/../x" })).toEqual(["tunnelId"]);
  });

  it("a change of services updates; another tunnel replaces, deleting first (names are unique in the account)", async () => {
    const olds: ZuploTunnelServicesOutputs = { ...servicesInputs("tnl_1"), operationId: "pst_1" };
    expect(await services.diff("x", olds, servicesInputs("tnl_1"))).toMatchObject({ changes: false });
    const more = await services.diff("x", olds, servicesInputs("tnl_1", { services: [WAREHOUSE, LEDGER] }));
    expect(more).toMatchObject({ changes: true });
    expect(more.replaces ?? []).toEqual([]);
    expect(await services.diff("x", olds, servicesInputs("tnl_1", { services: [{ ...WAREHOUSE, endpoint: "http://10.0.3.13:8080" }] }))).toMatchObject({ changes: true });
    expect(await services.diff("x", olds, servicesInputs("tnl_2"))).toEqual({ changes: true, replaces: ["tunnelId"], deleteBeforeReplace: true });
    expect(await services.diff("x", olds, servicesInputs(UNKNOWN))).toMatchObject({ replaces: ["tunnelId"], deleteBeforeReplace: true });
  });
});

describe("ZuploTunnelServices: create, update, read, delete", () => {
  async function tunnelId(): Promise<string> {
    const t = fake.state.seedTunnel("acme", { name: "gl-prod" });
    return t.tunnelId;
  }

  it("PUTs {version: 1, services} for several services, polls provisioning to success, and the tunnel carries them", async () => {
    const id = await tunnelId();
    fake.state.scriptProvisioning({ polls: 2 });
    const created = await services.create(servicesInputs(id, { services: [WAREHOUSE, LEDGER] }));
    const op = [...fake.state.tunnelOperations.values()][0]!;
    expect(trail()).toEqual([`PUT ~/${id}/services-configuration`, ...Array(3).fill(`GET ~/${id}/provisioning-operations/${op.id}`)]);
    expect(fake.requests[0]!.body).toEqual({ version: 1, services: [WAREHOUSE, LEDGER] });
    expect(fake.requests[0]!.openApi).toEqual({ operationId: "TunneledServicesService_putServiceConfiguration" });
    expect(fake.state.tunnels.get(id)!.services).toEqual([WAREHOUSE, LEDGER]);
    expect(created).toEqual({ id: `acme/${id}/services`, outs: { ...servicesInputs(id, { services: [WAREHOUSE, LEDGER] }), operationId: op.id } });
  });

  it("sends only the contract's fields, in order, whatever else Pulumi hands over", async () => {
    const id = await tunnelId();
    const extra = { ...WAREHOUSE, configurations: [{ project: "orders-api", accessibleBy: ["production"], note: "x" }], __extra: 1 } as unknown as ZuploTunnelService;
    await services.create({ ...servicesInputs(id, { services: [extra] }), __provider: "serialized" } as ZuploTunnelServicesInputs);
    expect(fake.requests[0]!.rawBody).toBe(JSON.stringify({ version: 1, services: [WAREHOUSE] }));
  });

  it("a provisioning that ends in error is a failed update naming the service in Zuplo's message", async () => {
    const id = await tunnelId();
    const created = await services.create(servicesInputs(id));
    fake.state.scriptProvisioning({ polls: 1, status: "error", message: "Endpoint of service ledger-prod is not reachable from the connector." });
    const err = await expectFailure(services.update(created.id, created.outs!, servicesInputs(id, { services: [WAREHOUSE, LEDGER] })), {
      code: "ERR_GATEWAY_API",
      includes: [/failed: provisioning \(pst_\w+\) ended in error for service ledger-prod:/, /not reachable/],
    });
    expect(err.message).not.toMatch(/for services/);
    expect(err.operation).toBe("update");
    // Nothing was applied: the tunnel still carries the old configuration.
    expect(fake.state.tunnels.get(id)!.services).toEqual([WAREHOUSE]);
  });

  it("a name another tunnel of the account carries: Zuplo's provisioning error names it", async () => {
    fake.state.seedTunnel("acme", { name: "gl-other", services: [LEDGER] });
    const id = await tunnelId();
    await expectFailure(services.create(servicesInputs(id, { services: [WAREHOUSE, LEDGER] })), { code: "ERR_GATEWAY_API", includes: [/ended in error for service ledger-prod: Service name 'ledger-prod' is already used/] });
  });

  it("an error that names no service names all of them", async () => {
    const id = await tunnelId();
    fake.state.scriptProvisioning({ polls: 0, status: "error", message: "Internal provisioning failure." });
    await expectFailure(services.create(servicesInputs(id, { services: [WAREHOUSE, LEDGER] })), { code: "ERR_GATEWAY_API", includes: [/for services warehouse-prod, ledger-prod: Internal provisioning failure/] });
  });

  it("retries a 429 on the PUT and a 503 on a poll; a provisioning that never ends is retryable", async () => {
    const id = await tunnelId();
    fake.inject({ method: "PUT", status: 429, retryAfter: "0" }, { method: "GET", path: "/provisioning-operations/", status: 503 });
    await services.create(servicesInputs(id));
    expect(fake.state.tunnels.get(id)!.services).toEqual([WAREHOUSE]);
    fake.state.scriptProvisioning({ polls: 99 });
    const err = await expectFailure(services.update("x", { ...servicesInputs(id), operationId: "pst_1" }, servicesInputs(id, { services: [LEDGER] })), { code: "ERR_GATEWAY_API", includes: [/still in progress after/] });
    expect(err.retryable).toBe(true);
  });

  it("a malformed PUT answer and a malformed poll are errors; an unknown tunnel is a 404 that says so", async () => {
    const id = await tunnelId();
    fake.inject({ method: "PUT", malformedBody: true });
    await expectFailure(services.create(servicesInputs(id)), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/, /TunneledServicesProvisioningOperation/] });
    fake.inject({ method: "GET", successBody: { id: "pst_x", status: "queued" } });
    await expectFailure(services.create(servicesInputs(id)), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/] });
    await expectFailure(services.create(servicesInputs("tnl_missing")), { code: "ERR_GATEWAY_API", status: 404, includes: [/tnl_missing was not found/] });
  });

  it("read reports drift and an emptied or deleted tunnel; delete PUTs an empty list and waits", async () => {
    const id = await tunnelId();
    const created = await services.create(servicesInputs(id, { services: [WAREHOUSE, LEDGER] }));
    fake.state.tunnels.get(id)!.services = [LEDGER];
    const read = await services.read(created.id, created.outs!);
    expect(read).toEqual({ id: created.id, props: { ...created.outs, services: [LEDGER] } });
    fake.requests.length = 0;
    fake.state.scriptProvisioning({ polls: 2 });
    await services.delete(created.id, created.outs!);
    expect(fake.requests[0]!.body).toEqual({ version: 1, services: [] });
    expect(trail().filter((t) => t.includes("provisioning-operations"))).toHaveLength(3);
    expect(fake.state.tunnels.get(id)!.services).toEqual([]);
    expect(await services.read(created.id, created.outs!)).toEqual({ id: "" });
    fake.state.tunnels.clear();
    await services.delete(created.id, created.outs!); // the tunnel took them along
    expect(await services.read(created.id, created.outs!)).toEqual({ id: "" });
  });

  it("a failed delete names the services being removed", async () => {
    const id = await tunnelId();
    const created = await services.create(servicesInputs(id, { services: [WAREHOUSE, LEDGER] }));
    fake.state.scriptProvisioning({ status: "error", message: "Cannot remove warehouse-prod while requests are in flight." });
    await expectFailure(services.delete(created.id, created.outs!), { code: "ERR_GATEWAY_API", includes: [/delete of services warehouse-prod, ledger-prod/, /for service warehouse-prod:/] });
  });
});

// ---------------------------------------------------------------------------------------------

describe("the resource classes under the mock engine", () => {
  const program = (rotation: number) => () => {
    const t = new ZuploTunnel("gw-tunnel", { apiUrl: "https://dev.zuplo.com", account: "acme", name: "gl-prod", rotation });
    const s = new ZuploTunnelServices("gw-tunnel-services", { apiUrl: "https://dev.zuplo.com", account: "acme", tunnelId: t.tunnelId, services: [WAREHOUSE, LEDGER] });
    return { tokenIsSecret: pulumi.isSecret(t.token), tunnelIdIsSecret: pulumi.isSecret(t.tunnelId), tunnelId: t.tunnelId, token: t.token, operationId: s.operationId, servicesTunnel: s.tunnelId };
  };
  const unwrap = async <T>(o: { [K in keyof T]: T[K] | Promise<T[K]> | pulumi.Output<T[K]> }) => o;

  it("registers both dynamic types; the token is a secret output and a rotation issues a new one", async () => {
    const first = await runUnderMocks(async () => unwrap(program(0)()), { stack: "prod" });
    const tunnel = first.resources.find((r) => r.type === `pulumi-nodejs:dynamic/gatelock:${ZUPLO_TUNNEL_TYPE}`)!;
    const svc = first.resources.find((r) => r.type === `pulumi-nodejs:dynamic/gatelock:${ZUPLO_TUNNEL_SERVICES_TYPE}`)!;
    expect(tunnel && svc).toBeTruthy();
    // The token is never an input, and the recorded output state holds it only marked secret.
    expect(tunnel.inputs["token"]).toBeUndefined();
    expect(isSecretValue(first.fakes.produced.get(`${tunnel.type}::gw-tunnel`)!.state["token"])).toBe(true);
    expect(await first.outputs.tokenIsSecret).toBe(true);
    expect(await first.outputs.tunnelIdIsSecret).toBe(false);
    const tokenOne = first.outputs.token as unknown as string;
    expect(first.outputs.tunnelId).toMatch(/^tnl_/);
    expect(first.outputs.servicesTunnel).toBe(first.outputs.tunnelId);
    expect(first.outputs.operationId).toMatch(/^pst_/);
    // Nothing but the token output holds the token: not the services' inputs, not the tunnel's.
    expect(JSON.stringify(svc.inputs).includes(tokenOne)).toBe(false);

    const prior = first.fakes.produced;
    const same = await runUnderMocks(async () => unwrap(program(0)()), { stack: "prod", fakes: { prior } });
    expect(same.outputs.token).toBe(tokenOne);
    expect(same.outputs.tunnelId).toBe(first.outputs.tunnelId);
    const rotated = await runUnderMocks(async () => unwrap(program(1)()), { stack: "prod", fakes: { prior } });
    expect(rotated.outputs.token).not.toBe(tokenOne);
    expect(rotated.outputs.tunnelId).toBe(first.outputs.tunnelId);
    expect(await rotated.outputs.tokenIsSecret).toBe(true);
  });

  it("asks the engine to keep the token secret (additionalSecretOutputs), whatever the caller passes", async () => {
    let seen: pulumi.CustomResourceOptions | undefined;
    await runUnderMocks(
      () => {
        new ZuploTunnel("t", { apiUrl: "https://dev.zuplo.com", account: "acme", name: "gl-prod", rotation: 0 }, { additionalSecretOutputs: ["name"], transformations: [(a) => ((seen = a.opts), undefined)] });
      },
      { stack: "prod" },
    );
    expect(seen!.additionalSecretOutputs).toEqual(["name", "token"]);
  });

  it("is exported by gatelock/zuplo", async () => {
    const zuplo = await import("../components/zuplo");
    expect(zuplo.ZuploTunnel).toBe(ZuploTunnel);
    expect(zuplo.ZuploTunnelServices).toBe(ZuploTunnelServices);
    expect(zuplo.zuploTunnelProvider).toBe(zuploTunnelProvider);
    expect(zuplo.zuploTunnelServicesProvider).toBe(zuploTunnelServicesProvider);
  });
});

// ---------------------------------------------------------------------------------------------
// Serialized as `pulumi up` does, evaluated in a fresh process (see zuplo-variable-serialization.test.ts).

const run = promisify(execFile);

const SERIALIZE_JS = String.raw`
"use strict";
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const [which, out] = process.argv.slice(2);
const zuplo = require("gatelock/zuplo");
require("gatelock/testing").setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 });
// The poll knob is not public: reached by file, the same module instance as gatelock/zuplo's.
require(process.env.TUNNEL_PROVIDER_JS).setZuploTunnelPollOptions({ attempts: 9, intervalMs: 5 });
const provider = which === "tunnel" ? zuplo.zuploTunnelProvider : zuplo.zuploTunnelServicesProvider;
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
const [tunnelFile, servicesFile] = process.argv.slice(2);
const load = (f) => requireFromString(fs.readFileSync(f, "utf8")).handler();
const facts = (e) => ({ message: e.message, stack: e.stack, code: e.code, operation: e.operation, isGatewayApiError: e instanceof GatewayApiError, isGatelockError: e instanceof GatelockError });
(async () => {
  const tunnels = load(tunnelFile);
  const services = load(servicesFile);
  const config = { config: new Config({ "gatelock:zuploApiKey": process.env.TEST_ZUPLO_KEY }, "gatelock-test") };
  await tunnels.configure(config);
  await services.configure(config);
  const base = { apiUrl: process.env.FAKE_URL, account: "acme", name: "gl-prod", rotation: 0 };
  const out = {};
  out.checkBad = (await tunnels.check(base, { ...base, name: "x" })).failures;
  const created = await tunnels.create(base); // after one injected 503
  out.tunnelId = created.id;
  const rotated = await tunnels.update(created.id, created.outs, { ...base, rotation: 1 });
  out.rotatedDiffers = rotated.outs.token !== created.outs.token;
  out.tokens = [created.outs.token.length > 20, rotated.outs.token.length > 20];
  const svc = { apiUrl: base.apiUrl, account: "acme", tunnelId: created.id, services: JSON.parse(process.env.SERVICES) };
  const configured = await services.create(svc);
  out.operationId = configured.outs.operationId;
  try {
    await services.update(configured.id, configured.outs, svc); // scripted: ends in error
  } catch (e) {
    out.provisioningError = facts(e);
  }
  await services.delete(configured.id, configured.outs);
  await tunnels.delete(created.id, rotated.outs); // scripted: three polls
  out.deleted = true;
  process.stdout.write(JSON.stringify(out));
})().catch((e) => { process.stderr.write("child failed: " + (e && e.stack)); process.exit(1); });
`;

describe("both providers after Pulumi function serialization", () => {
  let tmp: string;
  let pkgDir: string;

  beforeAll(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-tunnel-serialize-"));
    pkgDir = path.join(tmp, "node_modules", "gatelock");
    fs.mkdirSync(pkgDir, { recursive: true });
    const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: unknown; dependencies: Record<string, string> };
    fs.writeFileSync(path.join(pkgDir, "package.json"), JSON.stringify({ name: "gatelock", version: "0.0.0-test", main: "dist/index.js", exports: rootPkg.exports }));
    for (const dep of ["@pulumi/pulumi", ...Object.keys(rootPkg.dependencies)]) {
      if (!fs.existsSync(path.join(ROOT, "node_modules", dep))) continue;
      fs.mkdirSync(path.dirname(path.join(tmp, "node_modules", dep)), { recursive: true });
      fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(tmp, "node_modules", dep), "dir");
    }
    // Other files may be mid-edit: only diagnostics in these components matter, and tsc emits anyway.
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

  it("serialize self-contained, and create, rotate, configure, fail, clean up and tear down from a fresh process", async () => {
    const env = {
      PATH: process.env["PATH"] ?? "",
      TUNNEL_PROVIDER_JS: path.join(pkgDir, "dist", "zuplo", "tunnel-provider.js"),
      GATELOCK_ERRORS_JS: path.join(pkgDir, "dist", "errors.js"),
      REQUIRE_FROM_STRING: require.resolve("require-from-string", { paths: [path.join(ROOT, "node_modules", "@pulumi", "pulumi")] }),
      PULUMI_DYNAMIC_CONFIG: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "config.js"),
    };
    const files: Record<string, string> = {};
    for (const which of ["tunnel", "services"]) {
      files[which] = path.join(tmp, `${which}.provider.js`);
      const ser = await run(process.execPath, [path.join(tmp, "app", "serialize.cjs"), which, files[which]!], { cwd: path.join(tmp, "app"), env, timeout: 60_000 });
      expect(JSON.parse(ser.stdout)).toEqual({ containsSecrets: false });
      const text = fs.readFileSync(files[which]!, "utf8");
      expect(text).toMatch(/^exports\.handler = /);
      expect(text, which).not.toMatch(/require\(/); // Node globals only: no local, package or builtin module
      expect(text).not.toContain("__vite_ssr");
      expect(text).not.toMatch(/exports\.zuploTunnel(Services)?Provider/);
      expect(text).toMatch(/maxAttempts: 3/);
      expect(text).toMatch(/intervalMs: 5/); // the poll knob travels with it
      expect(text).toMatch(/async function \/\*send\*\/\(/);
      expect(text).toMatch(/async function \/\*pollOperation\*\/\(/);
    }

    fake.inject({ method: "POST", status: 503 });
    fake.state.scriptProvisioning({ polls: 1 }, { polls: 0, status: "error", message: "Endpoint of ledger-prod refused the connection." }, { polls: 1 });
    fake.state.scriptTeardown({ polls: 3 });
    const ev = await run(process.execPath, [path.join(tmp, "app", "evaluate.cjs"), files["tunnel"]!, files["services"]!], {
      cwd: path.join(tmp, "app"),
      env: { ...env, FAKE_URL: fake.url, TEST_ZUPLO_KEY: fake.apiKey, SERVICES: JSON.stringify([WAREHOUSE, LEDGER]) },
      timeout: 60_000,
    });
    const out = JSON.parse(ev.stdout);
    expect(out.checkBad.map((f: { property: string }) => f.property)).toEqual(["name"]);
    expect(out.tunnelId).toMatch(/^tnl_/);
    expect(out.rotatedDiffers).toBe(true);
    expect(out.tokens).toEqual([true, true]);
    expect(out.operationId).toMatch(/^pst_/);
    expect(out.provisioningError).toMatchObject({ code: "ERR_GATEWAY_API", operation: "update", isGatewayApiError: true, isGatelockError: true });
    expect(out.provisioningError.message).toMatch(/ended in error for service ledger-prod: Endpoint of ledger-prod refused/);
    expect(out.deleted).toBe(true);
    const T = `~/${out.tunnelId}`;
    const tail = trail().map((t) => t.replace(/(operations\/)\w+/, "$1<op>"));
    expect(tail).toEqual([
      "POST ~ (fault)",
      "POST ~",
      `POST ${T}/$rotate-token`,
      `PUT ${T}/services-configuration`,
      `GET ${T}/provisioning-operations/<op>`,
      `GET ${T}/provisioning-operations/<op>`,
      `PUT ${T}/services-configuration`,
      `GET ${T}/provisioning-operations/<op>`,
      `PUT ${T}/services-configuration`,
      `GET ${T}/provisioning-operations/<op>`,
      `GET ${T}/provisioning-operations/<op>`,
      `DELETE ${T}`,
      ...Array(4).fill(`GET ${T}/teardown-operations/<op>`),
    ]);
    expect(fake.state.tunnels.size).toBe(0);
    for (const [where, t] of [["stdout", ev.stdout], ["stderr", ev.stderr]] as const) {
      expect(t.includes(fake.apiKey), where).toBe(false);
      expect(/eyJ[A-Za-z0-9+/=]{40,}/.test(t), `${where} holds something token-shaped`).toBe(false);
    }
    expectNoSecrets(exposedText(out.provisioningError));
  }, 120_000);
});
