/**
 * Every request body gatelock's Developer API providers send matches the published OpenAPI
 * document (reference/zuplo-developer-api.openapi.yml), judged by openapi-request-validator in
 * the shared contract fake (test/fakes/zuplo-developer-api.ts).
 *
 * 1. The validator is real: the document's own quirks are handled (labelled 3.0.0, `{name}`
 *    alone is a valid POST …/tunnels body although `Tunnel` requires the readOnly `tunnelId`
 *    and `token`), and deliberately wrong bodies are refused, by the function and by the fake
 *    (HTTP 400, recorded as a violation), so the check can fail.
 * 2. Each provider's real requests (variable, redeploy, mtls-certificate, tunnel, tunnel
 *    services), through their whole lifecycle, each match an operation and validate.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { setZuploClientOptions } from "../components/testing";
import { setZuploMtlsDeleteOptions, zuploMtlsCertificateProvider } from "../components/zuplo/mtls-certificate-provider";
import { zuploRedeployProvider } from "../components/zuplo/redeploy-provider";
import { setZuploTunnelPollOptions, zuploTunnelProvider } from "../components/zuplo/tunnel-provider";
import { zuploTunnelServicesProvider } from "../components/zuplo/tunnel-services-provider";
import { zuploVariableProvider } from "../components/zuplo/variable-provider";
import { startZuploApiFake, validateZuploRequest, type ZuploApiFake, zuploOpenApi } from "./fakes/zuplo-developer-api";
import { noConfig } from "./fakes/zuplo-provider-kit";

const JSON_TYPE = "application/json";
const CERT = "-----BEGIN CERTIFICATE-----\nMIIBfzCCASWgAwIBAgIUGatewayLeafCertificateForTestsOnly0123456789\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOpenApiTestKey0001\n-----END PRIVATE KEY-----\n";

let fake: ZuploApiFake;
const restores: (() => void)[] = [];
const savedEnvKey = process.env["ZUPLO_API_KEY"];

beforeAll(async () => {
  fake = await startZuploApiFake({ projects: ["acme/orders-api"] });
});

afterAll(async () => {
  await fake.close();
  if (savedEnvKey === undefined) delete process.env["ZUPLO_API_KEY"];
  else process.env["ZUPLO_API_KEY"] = savedEnvKey;
});

beforeEach(async () => {
  fake.reset();
  process.env["ZUPLO_API_KEY"] = fake.apiKey;
  for (const p of [zuploVariableProvider, zuploRedeployProvider, zuploMtlsCertificateProvider, zuploTunnelProvider, zuploTunnelServicesProvider]) await p.configure!(noConfig);
  restores.push(
    setZuploClientOptions({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 }),
    setZuploTunnelPollOptions({ attempts: 5, intervalMs: 2 }),
    setZuploMtlsDeleteOptions({ attempts: 2, intervalMs: 2 }),
  );
});

afterEach(() => {
  while (restores.length) restores.pop()!();
});

/** Every request of the run: its operation, and that it validated. */
function verdicts(): string[] {
  return fake.requests.map((r) => `${r.method} ${r.openApi.operationId ?? "?"}${r.openApi.errors ? ` INVALID ${r.openApi.errors}` : ""}`);
}

describe("the validator and the document", () => {
  it("reads the document the fake is built on (labelled 3.0.0, with the tunnel operations)", () => {
    const doc = zuploOpenApi() as unknown as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.0.0");
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/v1/accounts/{accountName}/tunnels", "/v1/accounts/{accountName}/tunnels/{tunnelId}/services-configuration"]));
  });

  it("accepts {name} alone for POST …/tunnels, and refuses a readOnly field, a bad name, a missing one", () => {
    const post = (body: unknown) => validateZuploRequest("POST", "/v1/accounts/acme/tunnels", JSON_TYPE, JSON.stringify(body));
    expect(post({ name: "gl-prod" })).toEqual({ operationId: "TunnelService_create" });
    expect(post({ name: "gl-prod", tunnelId: "tnl_x" }).errors).toMatch(/read-only/);
    expect(post({ name: "gl_prod" }).errors).toMatch(/pattern/);
    expect(post({}).errors).toMatch(/required property 'name'/);
  });

  it("refuses wrong bodies of every provider's operations", () => {
    const v = (method: string, path: string, body: unknown, type: string | undefined = JSON_TYPE) => validateZuploRequest(method, path, type, body === undefined ? "" : JSON.stringify(body)).errors;
    const VARS = "/v1/accounts/acme/projects/orders-api/branches/main/variables";
    const T = "/v1/accounts/acme/tunnels/tnl_1";
    const svc = { name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", configurations: [{ project: "orders-api", accessibleBy: ["production"] }] };
    expect(v("POST", VARS, { name: "A", isSecret: "yes", value: "x" })).toMatch(/must be boolean/);
    expect(v("POST", VARS, { name: "A", value: "x" })).toMatch(/isSecret/);
    expect(v("PATCH", `${VARS}/A`, { value: 3 })).toMatch(/must be string/);
    expect(v("POST", "/v1/deployments/d-1/deploy", { force: true })).toMatch(/takes no request body/);
    expect(v("PUT", `${T}/services-configuration`, { version: "1", services: [svc] })).toMatch(/must be integer/);
    expect(v("PUT", `${T}/services-configuration`, { version: 1, services: [{ ...svc, configurations: [{ project: "p", accessibleBy: ["development"] }] }] })).toMatch(/allowed values/);
    expect(v("PUT", `${T}/services-configuration`, { version: 1, services: [{ ...svc, name: "x" }] })).toMatch(/pattern/);
    expect(v("PUT", `${T}/services-configuration`, { version: 1 })).toMatch(/services/);
    expect(v("PUT", `${T}/services-configuration`, { version: 1, services: [] }, "text/plain")).toMatch(/Content-Type/);
    expect(v("POST", `${T}/$rotate-token`, { token: "x" })).toMatch(/takes no request body/);
    expect(v("POST", "/v1/accounts/acme/projects/orders-api/mtls-certificates", { name: "c", certificate: CERT, key: KEY, environments: ["staging"] })).toMatch(/allowed values/);
    expect(v("PATCH", "/v1/accounts/acme/projects/orders-api/mtls-certificates/cert_1", { environments: [] })).toMatch(/fewer than 1/);
    expect(v("POST", "/v1/accounts/acme/tunnels/tnl_1/reboot", undefined)).toMatch(/not an operation of the published document/);
    // And the right ones pass.
    expect(v("PUT", `${T}/services-configuration`, { version: 1, services: [svc] })).toBeUndefined();
    expect(v("DELETE", T, undefined)).toBeUndefined();
  });

  it("the fake answers a wrong body 400, changes nothing, and records the violation", async () => {
    const t = fake.state.seedTunnel("acme", { name: "gl-prod" });
    const res = await fetch(`${fake.url}/v1/accounts/acme/tunnels/${t.tunnelId}/services-configuration`, {
      method: "PUT",
      headers: { authorization: `Bearer ${fake.apiKey}`, "content-type": JSON_TYPE },
      body: JSON.stringify({ version: 1, services: [{ name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", configurations: [{ project: "orders-api", accessibleBy: ["prod"] }] }] }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { detail: string }).detail).toMatch(/does not match the published OpenAPI document \(TunneledServicesService_putServiceConfiguration\)/);
    expect(fake.state.tunnelOperations.size).toBe(0);
    expect(fake.state.schemaViolations).toHaveLength(1);
    // The API key is checked first: a stranger learns nothing about the contract.
    const anon = await fetch(`${fake.url}/v1/accounts/acme/tunnels`, { method: "POST", headers: { "content-type": JSON_TYPE }, body: "{}" });
    expect(anon.status).toBe(401);
  });
});

describe("each provider's real requests validate against the document", () => {
  afterEach(() => {
    expect(fake.state.schemaViolations).toEqual([]);
  });

  it("ZuploVariable: create (POST), update (PATCH), adopt (POST 409 → PATCH), delete (unpublished DELETE)", async () => {
    const p = zuploVariableProvider as Required<typeof zuploVariableProvider>;
    const base = { apiUrl: fake.url, account: "acme", project: "orders-api", branch: "main", name: "ORDERS_SHARED_SECRET", isSecret: true, value: "s3cret" };
    const created = await p.create(base);
    const updated = await p.update(created.id, created.outs!, { ...base, value: "s3cret-2" });
    await p.create({ ...base, value: "adopted" });
    await p.delete(created.id, updated.outs!);
    expect(verdicts()).toEqual(["POST VariablesService_create", "PATCH VariablesService_update", "POST VariablesService_create", "PATCH VariablesService_update", "DELETE unpublished:VariablesService_delete"]);
  });

  it("ZuploRedeploy: list (GET) and redeploy (POST without a body)", async () => {
    const p = zuploRedeployProvider as Required<typeof zuploRedeployProvider>;
    fake.state.seedDeployment("acme", "orders-api", { name: "orders-api-main-bbe7540", branchName: "main" });
    await p.create({ apiUrl: fake.url, account: "acme", project: "orders-api", branch: "main", trigger: "t1" });
    expect(verdicts()).toEqual(["GET DeploymentsService_list", "POST DeployService_redeploy"]);
    expect(fake.requests[1]!.rawBody).toBe("");
  });

  it("ZuploMtlsCertificate: create, update, and the disable on a referenced delete (the one recorded exception)", async () => {
    const p = zuploMtlsCertificateProvider as Required<typeof zuploMtlsCertificateProvider>;
    const base = { apiUrl: fake.url, account: "acme", project: "orders-api", name: "orders_backend_cert", environments: ["production" as const], certificate: CERT, key: KEY, redeployOnDelete: true };
    const created = await p.create(base);
    const updated = await p.update(created.id, created.outs!, { ...base, environments: ["preview", "production"] });
    fake.state.seedDeployment("acme", "orders-api", { name: "orders-api-main-bbe7540", branchName: "main", references: ["orders_backend_cert"] });
    await p.delete(created.id, updated.outs!);
    expect(verdicts()).toEqual([
      "POST unpublished:MtlsCertificates_create",
      "PATCH unpublished:MtlsCertificates_update",
      "DELETE unpublished:MtlsCertificates_delete",
      expect.stringMatching(/^PATCH unpublished:MtlsCertificates_update INVALID .*minItems/),
      "GET DeploymentsService_list",
      "POST DeployService_redeploy",
      "DELETE unpublished:MtlsCertificates_delete",
    ]);
    // The CLI's `disable` body, which the schema forbids: accepted, but only as the named exception.
    expect(fake.state.schemaExceptions).toEqual([`PATCH /v1/accounts/acme/projects/orders-api/mtls-certificates/${created.outs!.certificateId} {environments: []}`]);
  });

  it("ZuploTunnel and ZuploTunnelServices: create, rotate, read, configure several services, poll, empty, tear down", async () => {
    const t = zuploTunnelProvider as Required<typeof zuploTunnelProvider>;
    const s = zuploTunnelServicesProvider as Required<typeof zuploTunnelServicesProvider>;
    const tb = { apiUrl: fake.url, account: "acme", name: "gl-prod", rotation: 0 };
    const tunnel = await t.create(tb);
    const rotated = await t.update(tunnel.id, tunnel.outs!, { ...tb, rotation: 1 });
    await t.read(tunnel.id, rotated.outs!);
    const sb = {
      apiUrl: fake.url,
      account: "acme",
      tunnelId: tunnel.id,
      services: [
        { name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", configurations: [{ project: "orders-api", accessibleBy: ["production" as const] }] },
        { name: "ledger-prod", endpoint: "https://ledger.internal:8443", configurations: [{ project: "orders-api", accessibleBy: ["preview" as const, "working-copy" as const] }] },
      ],
    };
    const configured = await s.create(sb);
    await s.read(configured.id, configured.outs!);
    await s.delete(configured.id, configured.outs!);
    await t.delete(tunnel.id, rotated.outs!);
    expect(verdicts()).toEqual([
      "POST TunnelService_create",
      "POST TunnelService_update",
      "GET TunnelService_read",
      // The fake's operations answer in-progress once, then their end.
      "PUT TunneledServicesService_putServiceConfiguration",
      "GET TunneledServicesService_getProvisioningStatus",
      "GET TunneledServicesService_getProvisioningStatus",
      "GET TunneledServicesService_getServiceConfiguration",
      "PUT TunneledServicesService_putServiceConfiguration",
      "GET TunneledServicesService_getProvisioningStatus",
      "GET TunneledServicesService_getProvisioningStatus",
      "DELETE TunnelService_delete",
      "GET TunnelService_getProvisioningStatus",
      "GET TunnelService_getProvisioningStatus",
    ]);
    expect(fake.requests.filter((r) => r.method === "PUT").map((r) => (r.body as { services: unknown[] }).services.length)).toEqual([2, 0]);
  });
});
