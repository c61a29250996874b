/**
 * The Zuplo redeploy dynamic provider, driven method by method against the contract fake of
 * the Developer API (test/fakes/zuplo-developer-api.ts): `GET …/deployments`, then
 * `POST /v1/deployments/{name}/deploy` for each deployment of the branch.
 *
 * Every failing path goes through `expectFailure`, which also checks that neither the trigger
 * nor any API key appears in the error, its properties or its cause chain; `afterEach` checks
 * the same for everything written to the console, and that every injected fault was hit.
 */
import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setZuploClientOptions } from "../components/testing";
import type { ZuploProviderError } from "../components/zuplo/client";
import { ZUPLO_REDEPLOY_TYPE, zuploRedeployProvider, type ZuploRedeployInputs, type ZuploRedeployOutputs } from "../components/zuplo/redeploy-provider";
import { zuploVariableProvider } from "../components/zuplo/variable-provider";
import { ZuploRedeploy } from "../components/zuplo/redeploy";
import { startZuploApiFake, type ZuploApiFake } from "./fakes/zuplo-developer-api";
import { configWithKey, type ExpectedFailure, expectProviderFailure, noConfig, OTHER_PROJECT_KEY, UNKNOWN, WRONG_KEY } from "./fakes/zuplo-provider-kit";

const provider = zuploRedeployProvider as Required<typeof zuploRedeployProvider>;
const variables = zuploVariableProvider as Required<typeof zuploVariableProvider>;

const TRIGGER = "9f2c1e7ab04d4c55e1f0c2d3a4b5c6d7e8f9a0b1c2d3e4f5a6b7c8d9e0f1a2b3";

const MAIN_PROD = "orders-api-main-bbe7540";
const MAIN_EDGE = "orders-api-main-edge-77c01d2";

let fake: ZuploApiFake;
let restoreOptions: () => void;
let consoleText: string[] = [];
const savedEnvKey = process.env["ZUPLO_API_KEY"];


function inputs(over: Partial<ZuploRedeployInputs> = {}): ZuploRedeployInputs {
  return { apiUrl: fake.url, account: "acme", project: "orders-api", branch: "main", trigger: TRIGGER, ...over };
}

function outputs(over: Partial<ZuploRedeployOutputs> = {}): ZuploRedeployOutputs {
  return { ...inputs(), deployments: [MAIN_PROD], redeployedAt: "2024-01-01T00:00:00.000Z", ...over };
}

/** Deployments of `main` (two), of `staging`, and of `main` in another project. */
function seedDeployments(): void {
  fake.state.seedDeployment("acme", "orders-api", { name: MAIN_PROD, branchName: "main" });
  fake.state.seedDeployment("acme", "orders-api", { name: "orders-api-staging-3c2d1e0", branchName: "staging", environmentType: "PREVIEW" });
  fake.state.seedDeployment("acme", "orders-api", { name: MAIN_EDGE, branchName: "main" });
  fake.state.seedDeployment("acme", "other", { name: "other-main-0a0a0a0", branchName: "main" });
}

function redeploys(): Record<string, number> {
  return Object.fromEntries([...fake.state.deployments.values()].map((d) => [d.name, d.redeploys]));
}

function calls(): string[] {
  return fake.requests.map((r) => `${r.method} ${r.path}`);
}

const LIST = "GET /v1/accounts/acme/projects/orders-api/deployments";
const deployOf = (name: string) => `POST /v1/deployments/${name}/deploy`;

function expectNoSecrets(text: string): void {
  for (const s of [TRIGGER, TRIGGER.slice(10, 30), fake.apiKey, WRONG_KEY, OTHER_PROJECT_KEY]) {
    expect(text.includes(s), `exposed text contains a secret (${s.slice(0, 6)}…)`).toBe(false);
  }
}

async function expectFailure(promise: Promise<unknown>, expected: ExpectedFailure): Promise<ZuploProviderError> {
  const err = await expectProviderFailure<ZuploProviderError>(promise, expected, expectNoSecrets);
  // A redeploy is about a branch, not a variable.
  expect(err.variable).toBeUndefined();
  return err;
}

/**
 * What the engine does with a dynamic resource on `pulumi up`: create when there is no
 * state; otherwise diff, then replace (create) or update only when the diff says so.
 */
async function up(state: ZuploRedeployOutputs | undefined, news: ZuploRedeployInputs): Promise<ZuploRedeployOutputs> {
  const checked = await provider.check(state ?? news, news);
  expect(checked.failures ?? []).toEqual([]);
  if (!state) return (await provider.create(news)).outs!;
  const d = await provider.diff("id", state, news);
  if (d.replaces?.length) return (await provider.create(news)).outs!;
  if (d.changes) return (await provider.update("id", state, news)).outs!;
  return state;
}

beforeAll(async () => {
  fake = await startZuploApiFake({
    projects: ["acme/orders-api", "acme/other"],
    scopedKeys: { [OTHER_PROJECT_KEY]: ["acme/other"] },
  });
});

afterAll(async () => {
  await fake.close();
  if (savedEnvKey === undefined) delete process.env["ZUPLO_API_KEY"];
  else process.env["ZUPLO_API_KEY"] = savedEnvKey;
});

beforeEach(async () => {
  fake.reset();
  seedDeployments();
  process.env["ZUPLO_API_KEY"] = fake.apiKey;
  await provider.configure(noConfig);
  await variables.configure(noConfig);
  restoreOptions = setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 400 });
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
  expectNoSecrets(consoleText.join("\n"));
  expect(fake.state.pendingFaults).toEqual([]);
});

describe("create", () => {
  it("lists the project's deployments and redeploys each deployment of the branch, and only those", async () => {
    const before = Date.now();
    const result = await provider.create(inputs());

    expect(calls()).toEqual([LIST, deployOf(MAIN_PROD), deployOf(MAIN_EDGE)]);
    for (const r of fake.requests) expect(r.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    // The redeploy has no body (the contract has none), so the trigger never leaves the provider.
    for (const r of fake.requests) expect(r.rawBody).toBe("");
    expect(redeploys()).toEqual({ [MAIN_PROD]: 1, "orders-api-staging-3c2d1e0": 0, [MAIN_EDGE]: 1, "other-main-0a0a0a0": 0 });

    expect(result.id).toBe("acme/orders-api/main/redeploy");
    expect(result.outs).toMatchObject({ ...inputs(), deployments: [MAIN_PROD, MAIN_EDGE] });
    const at = Date.parse(result.outs!.redeployedAt);
    expect(at).toBeGreaterThanOrEqual(before - 1);
    expect(at).toBeLessThanOrEqual(Date.now() + 1);
  });

  it("percent-encodes path segments (branch names with a slash; deployment names)", async () => {
    fake.state.seedDeployment("acme", "orders-api", { name: "orders api feature", branchName: "feature/x" });
    const result = await provider.create(inputs({ branch: "feature/x" }));
    expect(calls()).toEqual([LIST, "POST /v1/deployments/orders%20api%20feature/deploy"]);
    expect(result.outs!.deployments).toEqual(["orders api feature"]);
  });

  it("closes the rotation window: the deployment serves the new value only after the redeploy", async () => {
    fake.state.seed("acme", "orders-api", "main", { name: "ORDERS_SHARED_SECRET", isSecret: true, value: "old-secret" });
    fake.state.seedDeployment("acme", "orders-api", { name: MAIN_PROD, branchName: "main" }); // deployed with the old value
    const variable = { apiUrl: fake.url, account: "acme", project: "orders-api", branch: "main", name: "ORDERS_SHARED_SECRET", isSecret: true };
    await variables.update("id", { ...variable, value: "old-secret" }, { ...variable, value: "new-secret" });
    // Zuplo applies variable changes only on a new deployment.
    expect(fake.state.deployments.get(MAIN_PROD)!.live).toEqual({ ORDERS_SHARED_SECRET: "old-secret" });

    await provider.create(inputs());
    expect(fake.state.deployments.get(MAIN_PROD)!.live).toEqual({ ORDERS_SHARED_SECRET: "new-secret" });
  });

  it("fails clearly when the branch has no deployment yet, and redeploys nothing", async () => {
    const err = await expectFailure(provider.create(inputs({ branch: "release" })), {
      code: "ERR_GATEWAY_API",
      includes: [/no deployment of branch release/, /orders-api/, /Deploy the branch once from Zuplo first/, /`main`, `staging`/, /redeploy to false/],
    });
    expect(err.retryable).toBe(false);
    expect(calls()).toEqual([LIST]);
    expect(Object.values(redeploys()).every((n) => n === 0)).toBe(true);
  });

  it("fails the same way for a project with no deployments at all", async () => {
    fake.state.deployments.clear();
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", includes: [/no deployment of branch main/, /Deploy the branch once/] });
    expect(calls()).toEqual([LIST]);
  });
});

describe("redeploys once per changed trigger (diff)", () => {
  it("an unchanged trigger redeploys nothing; each change redeploys each deployment exactly once", async () => {
    let state = await up(undefined, inputs({ trigger: "t1" }));
    expect(redeploys()[MAIN_PROD]).toBe(1);
    state = await up(state, inputs({ trigger: "t1" }));
    state = await up(state, inputs({ trigger: "t1", apiUrl: `${fake.url}/` })); // same API, spelled with a slash
    expect(redeploys()[MAIN_PROD]).toBe(1);
    state = await up(state, inputs({ trigger: "t2" }));
    expect(redeploys()[MAIN_PROD]).toBe(2);
    state = await up(state, inputs({ trigger: "t2" }));
    state = await up(state, inputs({ trigger: "t3" }));
    state = await up(state, inputs({ trigger: "t3" }));
    expect(redeploys()).toEqual({ [MAIN_PROD]: 3, "orders-api-staging-3c2d1e0": 0, [MAIN_EDGE]: 3, "other-main-0a0a0a0": 0 });
    expect(fake.requests.filter((r) => r.method === "POST")).toHaveLength(6);
    expect(state.trigger).toBe("t3");
  });

  it("diff: same trigger → no change; new trigger → update in place", async () => {
    expect(await provider.diff("id", outputs(), inputs())).toMatchObject({ changes: false });
    const d = await provider.diff("id", outputs(), inputs({ trigger: `${TRIGGER}0` }));
    expect(d.changes).toBe(true);
    expect(d.replaces ?? []).toEqual([]);
  });

  it("diff: a trigger unknown at preview is a change", async () => {
    const d = await provider.diff("id", outputs(), inputs({ trigger: UNKNOWN }));
    expect(d.changes).toBe(true);
    expect(d.replaces ?? []).toEqual([]);
  });

  it("diff: a new location replaces (the new branch is redeployed by the create)", async () => {
    for (const [key, value] of [
      ["branch", "staging"],
      ["project", "other"],
      ["account", "other-account"],
      ["apiUrl", "https://dev.zuplo.com"],
    ] as const) {
      const d = await provider.diff("id", outputs(), inputs({ [key]: value }));
      expect(d, key).toMatchObject({ changes: true, replaces: [key] });
      expect(d.deleteBeforeReplace, key).toBeFalsy();
    }
    // Through the engine loop: moving to staging redeploys staging's deployment.
    const state = await up(undefined, inputs());
    await up(state, inputs({ branch: "staging" }));
    expect(redeploys()).toMatchObject({ [MAIN_PROD]: 1, "orders-api-staging-3c2d1e0": 1 });
  });

  it("update redeploys and records the new deployments and time", async () => {
    const result = await provider.update("id", outputs({ redeployedAt: "2020-01-01T00:00:00.000Z" }), inputs({ trigger: "t9" }));
    expect(calls()).toEqual([LIST, deployOf(MAIN_PROD), deployOf(MAIN_EDGE)]);
    expect(result.outs).toMatchObject({ trigger: "t9", deployments: [MAIN_PROD, MAIN_EDGE] });
    expect(result.outs!.redeployedAt).not.toBe("2020-01-01T00:00:00.000Z");
  });

  it("delete sends nothing (a deployment is not undone)", async () => {
    await provider.delete("id", outputs());
    expect(fake.requests).toHaveLength(0);
  });
});

describe("retries, like the variable provider", () => {
  it.each([
    ["GET", "a 429 with Retry-After: 0", { status: 429, retryAfter: "0" }],
    ["GET", "503", { status: 503 }],
    ["GET", "500", { status: 500 }],
    ["GET", "a reset connection", { reset: true }],
    ["GET", "a timeout", { timeoutMs: 3_000 }],
    ["POST", "a 429", { status: 429, retryAfter: "0" }],
    ["POST", "502", { status: 502 }],
    ["POST", "a timeout", { timeoutMs: 3_000 }],
  ] as const)("%s: retries after %s and then succeeds", async (method, _label, fault) => {
    fake.inject({ method, ...fault });
    const result = await provider.create(inputs());
    const expected = method === "GET" ? [LIST, LIST, deployOf(MAIN_PROD), deployOf(MAIN_EDGE)] : [LIST, deployOf(MAIN_PROD), deployOf(MAIN_PROD), deployOf(MAIN_EDGE)];
    expect(calls()).toEqual(expected);
    expect(result.outs!.deployments).toEqual([MAIN_PROD, MAIN_EDGE]);
  });

  it("honours Retry-After in seconds on 429", async () => {
    fake.inject({ method: "GET", status: 429, retryAfter: "1" });
    await provider.create(inputs());
    expect(fake.requests[1]!.receivedAt - fake.requests[0]!.receivedAt).toBeGreaterThanOrEqual(950);
  });

  it("times out a request after timeoutMs", async () => {
    fake.inject({ method: "POST", timeoutMs: 3_000 });
    await provider.create(inputs());
    const gap = fake.requests[2]!.receivedAt - fake.requests[1]!.receivedAt;
    expect(gap).toBeGreaterThanOrEqual(380);
    expect(gap).toBeLessThan(2_500);
  });

  it("gives up after maxAttempts on 503 listing, and redeploys nothing", async () => {
    fake.inject({ status: 503 }, { status: 503 }, { status: 503 });
    const err = await expectFailure(provider.create(inputs()), {
      code: "ERR_GATEWAY_API",
      status: 503,
      includes: [/create \(GET\)/, /after 3 attempts/, /HTTP 503/, /branch main/, "acme", "orders-api"],
    });
    expect(err.retryable).toBe(true);
    expect(err.attempts).toBe(3);
    expect(calls()).toEqual([LIST, LIST, LIST]);
  });

  it("gives up after maxAttempts on 429 redeploying, with a rate-limit hint", async () => {
    fake.inject(...[1, 2, 3].map(() => ({ method: "POST" as const, status: 429, retryAfter: "0" })));
    const err = await expectFailure(provider.update("id", outputs(), inputs()), {
      code: "ERR_GATEWAY_API",
      status: 429,
      includes: [/update \(POST\)/, MAIN_PROD, /after 3 attempts/, /rate limit/],
    });
    expect(err.deployment).toBe(MAIN_PROD);
    expect(redeploys()[MAIN_EDGE]).toBe(0);
  });

  it("gives up after maxAttempts on timeouts", async () => {
    restoreOptions();
    restoreOptions = setZuploClientOptions({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 200 });
    fake.inject({ timeoutMs: 3_000 }, { timeoutMs: 3_000 });
    const err = await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", includes: [/after 2 attempts/, /timed out after 200 ms/] });
    expect(err.status).toBeUndefined();
  });

  it("a failure after one deployment was redeployed says which were", async () => {
    // A fault with no misbehaviour passes the first redeploy through; the second fails for good.
    fake.inject({ method: "POST" }, ...[1, 2, 3].map(() => ({ method: "POST" as const, status: 503 })));
    const err = await expectFailure(provider.update("id", outputs(), inputs()), {
      code: "ERR_GATEWAY_API",
      status: 503,
      includes: [MAIN_EDGE, /after 3 attempts/, /Already redeployed: orders-api-main-bbe7540\./],
    });
    expect(err.deployment).toBe(MAIN_EDGE);
    expect(calls()).toEqual([LIST, deployOf(MAIN_PROD), deployOf(MAIN_EDGE), deployOf(MAIN_EDGE), deployOf(MAIN_EDGE)]);
    expect(redeploys()).toMatchObject({ [MAIN_PROD]: 1, [MAIN_EDGE]: 0 });
  });

  it("a refusal (not retried) after one deployment was redeployed says which were", async () => {
    fake.inject({ method: "POST" }, { method: "POST", status: 404 });
    const err = await expectFailure(provider.create(inputs()), {
      code: "ERR_GATEWAY_API",
      status: 404,
      includes: [`Deployment ${MAIN_EDGE} was not found`, /Already redeployed: orders-api-main-bbe7540\./],
    });
    expect(err.deployment).toBe(MAIN_EDGE);
    expect(calls()).toEqual([LIST, deployOf(MAIN_PROD), deployOf(MAIN_EDGE)]);
  });
});

describe("errors name the branch, deployment and status, never the trigger or the key", () => {
  it("401 listing: check the API key, not retried", async () => {
    process.env["ZUPLO_API_KEY"] = WRONG_KEY;
    await expectFailure(provider.create(inputs()), {
      code: "ERR_GATEWAY_API",
      status: 401,
      includes: [/create \(GET\)/, /branch main/, "acme", "orders-api", /HTTP 401/, /ZUPLO_API_KEY/],
    });
    expect(calls()).toEqual([LIST]);
  });

  it("401 redeploying: not retried", async () => {
    fake.inject({ method: "POST", status: 401 });
    const err = await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 401, includes: [MAIN_PROD, /API key/] });
    expect(err.deployment).toBe(MAIN_PROD);
    expect(calls()).toEqual([LIST, deployOf(MAIN_PROD)]);
  });

  it("403: check the key's project scope", async () => {
    process.env["ZUPLO_API_KEY"] = OTHER_PROJECT_KEY;
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 403, includes: [/HTTP 403/, /scope/, "acme/orders-api"] });
    expect(calls()).toEqual([LIST]);
  });

  it("404 listing: check account and project", async () => {
    await expectFailure(provider.create(inputs({ project: "no-such-project" })), {
      code: "ERR_GATEWAY_API",
      status: 404,
      includes: ["no-such-project", /HTTP 404/, /check the account \(acme\) and project \(no-such-project\) exist/],
    });
    expect(calls()).toEqual(["GET /v1/accounts/acme/projects/no-such-project/deployments"]);
  });

  it("404 redeploying: the deployment vanished since it was listed", async () => {
    fake.inject({ method: "POST", status: 404 });
    await expectFailure(provider.create(inputs()), {
      code: "ERR_GATEWAY_API",
      status: 404,
      includes: [`Deployment ${MAIN_PROD} was not found`, /run pulumi up again/],
    });
    expect(calls()).toEqual([LIST, deployOf(MAIN_PROD)]);
  });

  it("409 redeploying: a conflict hint, not a variable one", async () => {
    fake.inject({ method: "POST", status: 409 });
    const err = await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 409, includes: [/deployment may be in progress/] });
    expect(err.message).not.toMatch(/variable/);
  });

  it("a problem detail quoting the key is scrubbed", async () => {
    fake.inject({ method: "GET", status: 400, detail: `key ${fake.apiKey} may not list deployments` });
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 400, includes: [/key \[redacted\] may not list deployments/] });
  });

  it.each([
    ["a truncated body", { malformedBody: true }],
    ["JSON without `data`", { successBody: { items: [] } }],
    ["`data` that is not an array", { successBody: { data: { name: MAIN_PROD } } }],
    ["a deployment of the branch without a name", { successBody: { data: [{ branchName: "main", environmentType: "PRODUCTION" }] } }],
    ["a deployment that is not an object", { successBody: { data: ["orders-api-main-bbe7540"] } }],
  ] as const)("a malformed deployment list (%s) is an error, not retried, nothing redeployed", async (_label, fault) => {
    fake.inject({ method: "GET", ...fault });
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/, /DeploymentsList/, /Nothing was redeployed/] });
    expect(calls()).toEqual([LIST]);
    expect(redeploys()[MAIN_PROD]).toBe(0);
  });

  it.each([
    ["a truncated body", { malformedBody: true }],
    ["JSON without `status`", { successBody: { queued: true } }],
  ] as const)("a malformed redeploy answer (%s) is an error, not retried", async (_label, fault) => {
    fake.inject({ method: "POST", ...fault });
    const err = await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/, /DeploymentResponse/, MAIN_PROD] });
    expect(err.deployment).toBe(MAIN_PROD);
    expect(calls()).toEqual([LIST, deployOf(MAIN_PROD)]);
  });

  it("a malformed second answer names the deployment already redeployed", async () => {
    fake.inject({ method: "POST" }, { method: "POST", malformedBody: true });
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", includes: [/malformed/, MAIN_EDGE, /Already redeployed: orders-api-main-bbe7540\./] });
  });

  it("does not follow a redirect (the key goes to apiUrl only)", async () => {
    fake.inject({ method: "GET", status: 307, headers: { location: `${fake.url}/elsewhere` } });
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", includes: [/redirect/] });
    expect(calls()).toEqual([LIST]);
  });

  it("refuses to send the key over plain http to a remote host", async () => {
    await expectFailure(provider.create(inputs({ apiUrl: "http://example.invalid" })), { code: "ERR_GATEWAY_API", includes: [/https/] });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("the API key", () => {
  it("missing: create and update fail with ERR_GATEWAY_CREDENTIALS and send nothing", async () => {
    delete process.env["ZUPLO_API_KEY"];
    const includes = [/ZUPLO_API_KEY/, /pulumi config set --secret gatelock:zuploApiKey/, /redeploy of branch main/];
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_CREDENTIALS", includes });
    await expectFailure(provider.update("id", outputs(), inputs()), { code: "ERR_GATEWAY_CREDENTIALS", includes });
    expect(fake.requests).toHaveLength(0);
  });

  it("comes from the stack config handed to configure(), which wins over ZUPLO_API_KEY", async () => {
    process.env["ZUPLO_API_KEY"] = WRONG_KEY;
    await provider.configure(configWithKey(fake.apiKey));
    await provider.create(inputs());
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
    await provider.configure(noConfig);
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 401 });
  });

  it("a key with a line break is refused without quoting it", async () => {
    process.env["ZUPLO_API_KEY"] = `${fake.apiKey}\nX-Injected: 1`;
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_CREDENTIALS" });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("check", () => {
  it("accepts valid inputs and skips unknowns", async () => {
    expect((await provider.check(inputs(), inputs())).failures ?? []).toEqual([]);
    expect((await provider.check(inputs(), inputs({ trigger: UNKNOWN, apiUrl: UNKNOWN, branch: UNKNOWN }))).failures ?? []).toEqual([]);
  });

  it("refuses bad locations, a plain-http apiUrl and a non-string trigger, without quoting the trigger", async () => {
    const { failures } = await provider.check(
      inputs(),
      { ...inputs({ apiUrl: "http://dev.zuplo.com", account: "", branch: "a\nb" }), trigger: 42 as unknown as string },
    );
    expect(failures!.map((f) => f.property).sort()).toEqual(["account", "apiUrl", "branch", "trigger"]);
    expect((await provider.check(inputs(), inputs({ trigger: "" }))).failures!.map((f) => f.property)).toEqual(["trigger"]);
    expectNoSecrets(JSON.stringify(failures));
  });
});

describe("ZuploRedeploy (the resource class, under Pulumi mocks)", () => {
  it("registers pulumi-nodejs:dynamic/gatelock:ZuploRedeploy with a secret trigger and no credentials", async () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push(a);
          return { id: `${a.name}-id`, state: { ...a.inputs, deployments: [MAIN_PROD], redeployedAt: "2024-01-01T00:00:00.000Z" } };
        },
        call: (a) => a.inputs,
      },
      "gatelock",
      "test",
      false,
    );
    let seenOpts: pulumi.CustomResourceOptions | undefined;
    let seenProps: Record<string, unknown> | undefined;
    const r = new ZuploRedeploy(
      "redeploy",
      { apiUrl: "https://dev.zuplo.com", account: "acme", project: "orders-api", branch: "main", trigger: TRIGGER },
      { transformations: [(a) => { seenOpts = a.opts; seenProps = a.props; return undefined; }] },
    );
    expect(await pulumi.isSecret(r.trigger)).toBe(true);
    expect(await pulumi.isSecret(pulumi.output(seenProps!["trigger"]))).toBe(true);
    expect(seenOpts!.additionalSecretOutputs).toEqual(["trigger"]);
    expect(await new Promise((res) => r.deployments.apply(res))).toEqual([MAIN_PROD]);

    await new Promise((res) => setTimeout(res, 50));
    expect(ZUPLO_REDEPLOY_TYPE).toBe("ZuploRedeploy");
    const reg = registered.find((x) => x.name === "redeploy")!;
    expect(reg.type).toBe("pulumi-nodejs:dynamic/gatelock:ZuploRedeploy");
    expect(Object.keys(reg.inputs).sort()).toEqual(["__provider", "account", "apiUrl", "branch", "project", "trigger"]);
    expect(String(reg.inputs["__provider"]).includes(fake.apiKey)).toBe(false);
  });
});
