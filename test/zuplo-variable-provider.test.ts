/**
 * The Zuplo variable dynamic provider, driven method by method against the contract fake of
 * the Developer API (test/fakes/zuplo-developer-api.ts).
 *
 * Every failing path goes through `expectFailure`, which also checks that neither the
 * variable's value nor any API key appears in the error, its properties or its cause chain;
 * `afterEach` checks the same for everything written to the console.
 */
import { inspect } from "node:util";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { setZuploClientOptions } from "../components/testing";
import type { ZuploProviderError } from "../components/zuplo/client";
import { ZUPLO_VARIABLE_TYPE, zuploVariableProvider, type ZuploVariableInputs, type ZuploVariableOutputs } from "../components/zuplo/variable-provider";
import { ZuploVariable } from "../components/zuplo/variable";
import { startZuploApiFake, type ZuploApiFake } from "./fakes/zuplo-developer-api";
import { configWithKey, type ExpectedFailure, expectProviderFailure, noConfig, OTHER_PROJECT_KEY, UNKNOWN, WRONG_KEY } from "./fakes/zuplo-provider-kit";

const provider = zuploVariableProvider as Required<typeof zuploVariableProvider>;

const SECRET = "sEcReT-v4lue-7f3a9c-DO-NOT-LEAK";
/** A distinctive piece of the secret: catches truncated echoes too. */
const SECRET_CORE = "v4lue-7f3a9c";

let fake: ZuploApiFake;
let restoreOptions: () => void;
let consoleText: string[] = [];
const savedEnvKey = process.env["ZUPLO_API_KEY"];


function inputs(over: Partial<ZuploVariableInputs> = {}): ZuploVariableInputs {
  return {
    apiUrl: fake.url,
    account: "acme",
    project: "orders-api",
    branch: "main",
    name: "ORDERS_SHARED_SECRET",
    isSecret: true,
    value: SECRET,
    ...over,
  };
}

function outputs(over: Partial<ZuploVariableOutputs> = {}): ZuploVariableOutputs {
  return { ...inputs(), createdOn: "2024-01-01T00:00:01.000Z", updatedOn: "2024-01-01T00:00:01.000Z", ...over };
}

function expectNoSecrets(text: string, extra: readonly string[] = []): void {
  for (const s of [SECRET, SECRET_CORE, fake.apiKey, WRONG_KEY, OTHER_PROJECT_KEY, ...extra]) {
    // Not `toContain`: a failure must not print the secret either.
    expect(text.includes(s), `exposed text contains a secret (${s.slice(0, 6)}…)`).toBe(false);
  }
}

function expectFailure(promise: Promise<unknown>, expected: ExpectedFailure): Promise<ZuploProviderError> {
  return expectProviderFailure<ZuploProviderError>(promise, expected, (text) => expectNoSecrets(text));
}

function seed(over: { name?: string; isSecret?: boolean; value?: string; branch?: string; project?: string } = {}) {
  return fake.state.seed("acme", over.project ?? "orders-api", over.branch ?? "main", {
    name: over.name ?? "ORDERS_SHARED_SECRET",
    isSecret: over.isSecret ?? true,
    value: over.value ?? "old-value-1",
  });
}

function methods(): string[] {
  return fake.requests.map((r) => r.method);
}

function gapsMs(): number[] {
  return fake.requests.slice(1).map((r, i) => r.receivedAt - fake.requests[i]!.receivedAt);
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
  process.env["ZUPLO_API_KEY"] = fake.apiKey;
  await provider.configure(noConfig);
  restoreOptions = setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 400 });
  consoleText = [];
  for (const m of ["log", "info", "warn", "error", "debug", "trace"] as const) {
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      consoleText.push(args.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" "));
    });
  }
  for (const stream of [process.stdout, process.stderr]) {
    const write = stream.write.bind(stream);
    vi.spyOn(stream, "write").mockImplementation(((chunk: unknown, ...rest: unknown[]) => {
      consoleText.push(typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
      return (write as (...a: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof stream.write);
  }
});

afterEach(() => {
  vi.restoreAllMocks();
  restoreOptions();
  // Whatever the provider printed must not hold a secret.
  expectNoSecrets(consoleText.join("\n"));
  // Every injected fault was meant to be hit.
  expect(fake.state.pendingFaults).toEqual([]);
});

describe("create", () => {
  it("POSTs {name, isSecret, value} with the bearer key and returns the id and outputs", async () => {
    const result = await provider.create(inputs());

    expect(methods()).toEqual(["POST"]);
    const req = fake.requests[0]!;
    expect(req.path).toBe("/v1/accounts/acme/projects/orders-api/branches/main/variables");
    expect(req.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(req.headers["content-type"]).toMatch(/application\/json/);
    expect(req.body).toEqual({ name: "ORDERS_SHARED_SECRET", isSecret: true, value: SECRET });

    expect(result.id).toBe("acme/orders-api/main/ORDERS_SHARED_SECRET");
    const stored = fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")!;
    expect(stored).toMatchObject({ isSecret: true, value: SECRET });
    expect(result.outs).toEqual({ ...inputs(), createdOn: stored.createdOn, updatedOn: stored.updatedOn });
  });

  it("creates a non-secret variable as non-secret", async () => {
    const result = await provider.create(inputs({ name: "ORDERS_ORIGIN_URL", isSecret: false, value: "https://orders.example.com" }));
    expect(fake.requests[0]!.body).toEqual({ name: "ORDERS_ORIGIN_URL", isSecret: false, value: "https://orders.example.com" });
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_ORIGIN_URL")).toMatchObject({ isSecret: false });
    expect(result.outs).toMatchObject({ isSecret: false, value: "https://orders.example.com" });
  });

  it("percent-encodes path segments (branch names with a slash)", async () => {
    const result = await provider.create(inputs({ branch: "feature/x" }));
    expect(fake.requests[0]!.path).toBe("/v1/accounts/acme/projects/orders-api/branches/feature%2Fx/variables");
    expect(fake.state.get("acme", "orders-api", "feature/x", "ORDERS_SHARED_SECRET")).toBeDefined();
    expect(result.id).toBe("acme/orders-api/feature/x/ORDERS_SHARED_SECRET");
  });

  it("adopts an existing variable with PATCH when the POST answers 409", async () => {
    seed({ value: "old-value-1" });
    const result = await provider.create(inputs());
    expect(methods()).toEqual(["POST", "PATCH"]);
    expect(fake.requests[1]!.path).toBe("/v1/accounts/acme/projects/orders-api/branches/main/variables/ORDERS_SHARED_SECRET");
    expect(fake.requests[1]!.body).toEqual({ value: SECRET });
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")!.value).toBe(SECRET);
    expect(result.id).toBe("acme/orders-api/main/ORDERS_SHARED_SECRET");
  });

  it("refuses to adopt a variable whose isSecret differs, telling the user to delete it", async () => {
    seed({ isSecret: false });
    await expectFailure(provider.create(inputs({ isSecret: true })), {
      code: "ERR_GATEWAY_API",
      status: 409,
      includes: ["ORDERS_SHARED_SECRET", /isSecret=false/, /portal/],
    });
  });

  it("survives a lost POST answer: the retry gets 409 and adopts", async () => {
    fake.inject({ method: "POST", timeoutMs: 3_000, applyFirst: true });
    const result = await provider.create(inputs());
    expect(methods()).toEqual(["POST", "POST", "PATCH"]);
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")).toMatchObject({ value: SECRET, isSecret: true });
    expect(result.id).toBe("acme/orders-api/main/ORDERS_SHARED_SECRET");
  });
});

describe("update", () => {
  it("PATCHes only {value} and keeps the creation time", async () => {
    const before = seed({ value: "old-value-1" });
    const result = await provider.update("acme/orders-api/main/ORDERS_SHARED_SECRET", outputs({ value: "old-value-1", createdOn: before.createdOn }), inputs());

    expect(methods()).toEqual(["PATCH"]);
    const req = fake.requests[0]!;
    expect(req.path).toBe("/v1/accounts/acme/projects/orders-api/branches/main/variables/ORDERS_SHARED_SECRET");
    expect(req.body).toEqual({ value: SECRET });
    expect(Object.keys(req.body as object)).toEqual(["value"]);
    const after = fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")!;
    expect(after.value).toBe(SECRET);
    expect(result.outs).toEqual({ ...inputs(), createdOn: before.createdOn, updatedOn: after.updatedOn });
    expect(after.updatedOn).not.toBe(before.updatedOn);
  });

  it("re-creates with POST when the PATCH answers 404 (the variable vanished)", async () => {
    const result = await provider.update("id", outputs({ value: "old" }), inputs());
    expect(methods()).toEqual(["PATCH", "POST"]);
    expect(fake.requests[1]!.body).toEqual({ name: "ORDERS_SHARED_SECRET", isSecret: true, value: SECRET });
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")).toMatchObject({ value: SECRET, isSecret: true });
    expect(result.outs).toMatchObject({ value: SECRET });
  });
});

describe("diff", () => {
  it("reports no change for identical props (and ignores a trailing slash on apiUrl)", async () => {
    expect(await provider.diff("id", outputs(), inputs())).toMatchObject({ changes: false });
    expect(await provider.diff("id", outputs(), inputs({ apiUrl: `${fake.url}/` }))).toMatchObject({ changes: false });
  });

  it("updates in place when only the value changes", async () => {
    const d = await provider.diff("id", outputs({ value: "old" }), inputs());
    expect(d.changes).toBe(true);
    expect(d.replaces ?? []).toEqual([]);
    expect(d.deleteBeforeReplace).toBeFalsy();
  });

  it("replaces, deleting first, when isSecret changes", async () => {
    const d = await provider.diff("id", outputs({ isSecret: false }), inputs({ isSecret: true }));
    expect(d).toMatchObject({ changes: true, replaces: ["isSecret"], deleteBeforeReplace: true });
  });

  it("replaces, creating first, when the name or the location changes", async () => {
    for (const [key, value] of [
      ["name", "OTHER_SECRET"],
      ["branch", "staging"],
      ["project", "other"],
      ["account", "other-account"],
    ] as const) {
      const d = await provider.diff("id", outputs(), inputs({ [key]: value }));
      expect(d, key).toMatchObject({ changes: true, replaces: [key] });
      expect(d.deleteBeforeReplace, key).toBeFalsy();
    }
  });

  it("replaces when apiUrl changes, deleting first because the variable is the same", async () => {
    const d = await provider.diff("id", outputs(), inputs({ apiUrl: "https://dev.zuplo.com" }));
    expect(d).toMatchObject({ changes: true, replaces: ["apiUrl"], deleteBeforeReplace: true });
  });

  it("treats a value unknown at preview as a change", async () => {
    const d = await provider.diff("id", outputs(), inputs({ value: UNKNOWN }));
    expect(d.changes).toBe(true);
    expect(d.replaces ?? []).toEqual([]);
  });
});

describe("delete (best-effort: not in the published API)", () => {
  it("sends DELETE to the variable and the variable is gone", async () => {
    seed();
    await provider.delete("id", outputs());
    expect(methods()).toEqual(["DELETE"]);
    expect(fake.requests[0]!.path).toBe("/v1/accounts/acme/projects/orders-api/branches/main/variables/ORDERS_SHARED_SECRET");
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")).toBeUndefined();
  });

  it("treats 404 (already gone), 405 and 501 (unsupported) as done, without retrying", async () => {
    await provider.delete("id", outputs());
    fake.setDeleteBehaviour(405);
    await provider.delete("id", outputs());
    fake.setDeleteBehaviour(501);
    await provider.delete("id", outputs());
    expect(methods()).toEqual(["DELETE", "DELETE", "DELETE"]);
  });

  it("retries a 500 and then succeeds", async () => {
    seed();
    fake.inject({ status: 500 });
    await provider.delete("id", outputs());
    expect(methods()).toEqual(["DELETE", "DELETE"]);
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")).toBeUndefined();
  });

  it("raises on other refusals (403, 409)", async () => {
    fake.inject({ status: 403 });
    await expectFailure(provider.delete("id", outputs()), { code: "ERR_GATEWAY_API", status: 403, includes: [/delete/, "ORDERS_SHARED_SECRET", /scope/] });
    fake.inject({ status: 409 });
    await expectFailure(provider.delete("id", outputs()), { code: "ERR_GATEWAY_API", status: 409, includes: [/delete/] });
  });
});

describe("retries", () => {
  it("honours Retry-After in seconds on 429", async () => {
    fake.inject({ status: 429, retryAfter: "1" });
    await provider.create(inputs());
    expect(methods()).toEqual(["POST", "POST"]);
    // The backoff alone would wait at most 5 ms.
    expect(gapsMs()[0]).toBeGreaterThanOrEqual(950);
  });

  it("honours Retry-After as an HTTP-date", async () => {
    const at = new Date(Date.now() + 1_300);
    const expectedMin = Math.floor(at.getTime() / 1000) * 1000 - Date.now(); // the header has 1 s resolution
    fake.inject({ status: 429, retryAfter: at.toUTCString() });
    await provider.create(inputs());
    expect(methods()).toEqual(["POST", "POST"]);
    expect(gapsMs()[0]).toBeGreaterThanOrEqual(Math.max(150, expectedMin - 60));
  });

  it("caps Retry-After", async () => {
    restoreOptions();
    restoreOptions = setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 120, timeoutMs: 400 });
    fake.inject({ status: 429, retryAfter: "3600" });
    await provider.create(inputs());
    expect(methods()).toEqual(["POST", "POST"]);
    expect(gapsMs()[0]).toBeGreaterThanOrEqual(110);
    expect(gapsMs()[0]).toBeLessThan(2_000);
  });

  it("backs off exponentially with full jitter, capped at maxDelayMs", async () => {
    restoreOptions();
    restoreOptions = setZuploClientOptions({ maxAttempts: 5, baseDelayMs: 60, maxDelayMs: 120, maxRetryAfterMs: 5_000, timeoutMs: 400 });
    vi.spyOn(Math, "random").mockReturnValue(0.999);
    fake.inject({ status: 503 }, { status: 503 }, { status: 503 }, { status: 503 });
    await provider.create(inputs());
    expect(methods()).toHaveLength(5);
    const [g1, g2, g3, g4] = gapsMs() as [number, number, number, number];
    expect(g1).toBeGreaterThanOrEqual(55); // ~60
    expect(g2).toBeGreaterThanOrEqual(115); // ~120: doubled
    expect(g3).toBeGreaterThanOrEqual(115); // 240 capped to 120
    expect(g4).toBeLessThan(400); // 480 uncapped
  });

  it("draws the wait from [0, ceiling): full jitter", async () => {
    restoreOptions();
    restoreOptions = setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 2_000, maxDelayMs: 10_000, maxRetryAfterMs: 5_000, timeoutMs: 400 });
    vi.spyOn(Math, "random").mockReturnValue(0);
    fake.inject({ status: 503 }, { status: 500 });
    await provider.create(inputs());
    expect(methods()).toHaveLength(3);
    for (const g of gapsMs()) expect(g).toBeLessThan(500);
  });

  it.each([
    ["503", { status: 503 }],
    ["500", { status: 500 }],
    ["502", { status: 502 }],
    ["a reset connection", { reset: true }],
    ["a timeout", { timeoutMs: 3_000 }],
  ] as const)("retries after %s and then succeeds", async (_label, fault) => {
    fake.inject(fault);
    const result = await provider.create(inputs());
    expect(methods()).toEqual(["POST", "POST"]);
    expect(result.id).toBe("acme/orders-api/main/ORDERS_SHARED_SECRET");
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")).toMatchObject({ value: SECRET });
  });

  it("times out a request after timeoutMs", async () => {
    fake.inject({ timeoutMs: 3_000 });
    await provider.create(inputs());
    expect(gapsMs()[0]).toBeGreaterThanOrEqual(380);
    expect(gapsMs()[0]).toBeLessThan(2_500);
  });

  it("gives up after maxAttempts on 503 and says how many attempts it made", async () => {
    fake.inject({ status: 503 }, { status: 503 }, { status: 503 });
    const err = await expectFailure(provider.create(inputs()), {
      code: "ERR_GATEWAY_API",
      status: 503,
      includes: [/after 3 attempts/, /HTTP 503/, "ORDERS_SHARED_SECRET", "acme", "orders-api", "main"],
    });
    expect(err.retryable).toBe(true);
    expect(err.attempts).toBe(3);
    expect(methods()).toHaveLength(3);
  });

  it("gives up after maxAttempts on 429 with a rate-limit hint", async () => {
    fake.inject({ status: 429, retryAfter: "0" }, { status: 429, retryAfter: "0" }, { status: 429, retryAfter: "0" });
    await expectFailure(provider.update("id", outputs(), inputs()), { code: "ERR_GATEWAY_API", status: 429, includes: [/after 3 attempts/, /rate limit/] });
    expect(methods()).toHaveLength(3);
  });

  it("gives up after maxAttempts on network errors, with a scrubbed cause", async () => {
    fake.inject({ reset: true }, { reset: true }, { reset: true });
    const err = await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", includes: [/after 3 attempts/, /network error/] });
    expect(err.status).toBeUndefined();
    expect(err.cause).toBeInstanceOf(Error);
    expect(methods()).toHaveLength(3);
  });

  it("gives up after maxAttempts on timeouts", async () => {
    restoreOptions();
    restoreOptions = setZuploClientOptions({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, maxRetryAfterMs: 5_000, timeoutMs: 200 });
    fake.inject({ timeoutMs: 3_000 }, { timeoutMs: 3_000 });
    await expectFailure(provider.delete("id", outputs()), { code: "ERR_GATEWAY_API", includes: [/after 2 attempts/, /timed out after 200 ms/] });
  });
});

describe("errors name the variable and the status, never the value or the key", () => {
  it("401: check the API key", async () => {
    process.env["ZUPLO_API_KEY"] = WRONG_KEY;
    await expectFailure(provider.create(inputs()), {
      code: "ERR_GATEWAY_API",
      status: 401,
      includes: [/create/, "ORDERS_SHARED_SECRET", "acme", "orders-api", "main", /HTTP 401/, /API key/, /ZUPLO_API_KEY/],
    });
    expect(methods()).toEqual(["POST"]); // not retried
  });

  it("403: check the key's project scope", async () => {
    process.env["ZUPLO_API_KEY"] = OTHER_PROJECT_KEY;
    await expectFailure(provider.update("id", outputs(), inputs()), {
      code: "ERR_GATEWAY_API",
      status: 403,
      includes: [/update/, "ORDERS_SHARED_SECRET", /HTTP 403/, /scope/, "acme/orders-api"],
    });
    expect(methods()).toEqual(["PATCH"]);
  });

  it("404 on create: check account/project/branch", async () => {
    await expectFailure(provider.create(inputs({ project: "no-such-project" })), {
      code: "ERR_GATEWAY_API",
      status: 404,
      includes: ["ORDERS_SHARED_SECRET", "no-such-project", /HTTP 404/, /check the account/],
    });
    expect(methods()).toEqual(["POST"]);
  });

  it("404 on update after the POST fallback also answers 404", async () => {
    await expectFailure(provider.update("id", outputs(), inputs({ project: "no-such-project" })), {
      code: "ERR_GATEWAY_API",
      status: 404,
      includes: ["ORDERS_SHARED_SECRET", "no-such-project", /HTTP 404/, /check the account/],
    });
    expect(methods()).toEqual(["PATCH", "POST"]);
  });

  it("400: the variable is refused, with Zuplo's detail", async () => {
    await expectFailure(provider.create(inputs({ name: "lower_case" })), {
      code: "ERR_GATEWAY_API",
      status: 400,
      includes: ["lower_case", /HTTP 400/, /SCREAMING_SNAKE_CASE/],
    });
  });

  it("422: a detail quoting the value and the key is scrubbed", async () => {
    fake.inject({ status: 422, detail: `value '${SECRET}' was refused for key ${fake.apiKey}: too weak` });
    const err = await expectFailure(provider.create(inputs()), {
      code: "ERR_GATEWAY_API",
      status: 422,
      includes: ["ORDERS_SHARED_SECRET", /HTTP 422/, /value '\[redacted\]' was refused for key \[redacted\]: too weak/],
    });
    expect(err.operation).toBe("create");
    expect(err.variable).toBe("ORDERS_SHARED_SECRET");
  });

  it("a long detail is scrubbed before it is shortened (no half secret survives the cut)", async () => {
    fake.inject({ status: 400, detail: `${"x".repeat(490)}${SECRET} and more` });
    const err = await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 400 });
    expect(err.message.includes(SECRET.slice(0, 8))).toBe(false);
  });

  it("a malformed 2xx body is an error that echoes nothing and is not retried", async () => {
    fake.inject({ malformedBody: true });
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", status: 201, includes: [/malformed/, "ORDERS_SHARED_SECRET"] });
    expect(methods()).toEqual(["POST"]);
    // The fake's truncated body still holds the value (it is cut after it): the leak check is not vacuous.
    seed({ value: "old" });
    fake.inject({ malformedBody: true });
    await expectFailure(provider.update("id", outputs(), inputs()), { code: "ERR_GATEWAY_API", status: 200, includes: [/malformed/] });
  });
});

describe("the API key", () => {
  it("missing: every operation fails with ERR_GATEWAY_CREDENTIALS and sends nothing", async () => {
    delete process.env["ZUPLO_API_KEY"];
    await provider.configure(noConfig);
    const includes = [/ZUPLO_API_KEY/, /pulumi config set --secret gatelock:zuploApiKey/, "ORDERS_SHARED_SECRET"];
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_CREDENTIALS", includes });
    await expectFailure(provider.update("id", outputs(), inputs()), { code: "ERR_GATEWAY_CREDENTIALS", includes });
    await expectFailure(provider.delete("id", outputs()), { code: "ERR_GATEWAY_CREDENTIALS", includes });
    expect(fake.requests).toHaveLength(0);
  });

  it("an empty ZUPLO_API_KEY counts as missing", async () => {
    process.env["ZUPLO_API_KEY"] = "  ";
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_CREDENTIALS" });
    expect(fake.requests).toHaveLength(0);
  });

  it("a key with a line break is refused without quoting it", async () => {
    const badKey = `${fake.apiKey}\nX-Injected: 1`;
    process.env["ZUPLO_API_KEY"] = badKey;
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_CREDENTIALS", includes: [/ZUPLO_API_KEY/] });
    expect(fake.requests).toHaveLength(0);
  });

  it("comes from the stack config handed to configure()", async () => {
    delete process.env["ZUPLO_API_KEY"];
    await provider.configure(configWithKey(fake.apiKey));
    await provider.create(inputs());
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
  });

  it("the stack config wins over ZUPLO_API_KEY", async () => {
    process.env["ZUPLO_API_KEY"] = WRONG_KEY;
    await provider.configure(configWithKey(fake.apiKey));
    await provider.create(inputs());
    expect(fake.requests[0]!.headers.authorization).toBe(`Bearer ${fake.apiKey}`);
    // configure() without the key falls back to the environment again.
    await provider.configure(noConfig);
    await expectFailure(provider.update("id", outputs(), inputs()), { code: "ERR_GATEWAY_API", status: 401 });
  });
});

describe("check", () => {
  it("accepts valid inputs", async () => {
    expect((await provider.check(inputs(), inputs())).failures ?? []).toEqual([]);
    expect((await provider.check(inputs(), inputs({ apiUrl: "https://dev.zuplo.com" }))).failures ?? []).toEqual([]);
    expect((await provider.check(inputs(), inputs({ value: "" }))).failures ?? []).toEqual([]);
  });

  it.each(["lower_case", "Mixed_Case", "1STARTS_WITH_DIGIT", "HAS-DASH", "", "ZUPLO_THING", "__ZUPLO_THING", "ZUDOKU_THING"])(
    "refuses the name %j, naming the property",
    async (name) => {
      const { failures } = await provider.check(inputs(), inputs({ name }));
      expect(failures).toHaveLength(1);
      expect(failures![0]!.property).toBe("name");
      expectNoSecrets(JSON.stringify(failures));
    },
  );

  it("says which prefix is reserved", async () => {
    const { failures } = await provider.check(inputs(), inputs({ name: "ZUDOKU_X" }));
    expect(failures![0]!.reason).toMatch(/ZUDOKU_/);
  });

  it("refuses a plain-http apiUrl to a remote host, and bad locations", async () => {
    const { failures } = await provider.check(
      inputs(),
      { ...inputs({ apiUrl: "http://dev.zuplo.com", account: "", branch: "a\nb" }), isSecret: "yes" as unknown as boolean, value: 42 as unknown as string },
    );
    expect(failures!.map((f) => f.property).sort()).toEqual(["account", "apiUrl", "branch", "isSecret", "value"]);
    expectNoSecrets(JSON.stringify(failures));
  });

  it("skips values that are unknown at preview", async () => {
    const { failures } = await provider.check(inputs(), inputs({ name: UNKNOWN, value: UNKNOWN, apiUrl: UNKNOWN }));
    expect(failures ?? []).toEqual([]);
  });
});

describe("apiUrl at request time", () => {
  it("does not follow a redirect (the key goes to apiUrl only) and does not retry it", async () => {
    fake.inject({ status: 307, headers: { location: `${fake.url}/elsewhere` } });
    await expectFailure(provider.create(inputs()), { code: "ERR_GATEWAY_API", includes: [/redirect/, "ORDERS_SHARED_SECRET"] });
    expect(fake.requests.map((r) => r.path)).toEqual(["/v1/accounts/acme/projects/orders-api/branches/main/variables"]);
  });

  it("refuses to send the key over plain http to a remote host", async () => {
    await expectFailure(provider.create(inputs({ apiUrl: "http://example.invalid" })), { code: "ERR_GATEWAY_API", includes: [/https/] });
    expect(fake.requests).toHaveLength(0);
  });
});

describe("the transport knob is a test knob", () => {
  it("setZuploClientOptions is exported by gatelock/testing, not by gatelock/zuplo or gatelock", async () => {
    const [zuplo, testing, root] = await Promise.all([import("../components/zuplo"), import("../components/testing"), import("../components")]);
    expect(typeof testing.setZuploClientOptions).toBe("function");
    expect(testing.setZuploClientOptions).toBe(setZuploClientOptions);
    expect(Object.keys(zuplo)).not.toContain("setZuploClientOptions");
    expect(Object.keys(root)).not.toContain("setZuploClientOptions");
    // The providers stay public.
    expect(zuplo.zuploVariableProvider).toBe(zuploVariableProvider);
  });
});

describe("ZuploVariable (the resource class, under Pulumi mocks)", () => {
  it("registers pulumi-nodejs:dynamic/gatelock:ZuploVariable with a secret value and no credentials", async () => {
    const registered: pulumi.runtime.MockResourceArgs[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          registered.push(a);
          return { id: `${a.name}-id`, state: { ...a.inputs, createdOn: "2024-01-01T00:00:00.000Z" } };
        },
        call: (a) => a.inputs,
      },
      "gatelock",
      "test",
      false,
    );
    let seenOpts: pulumi.CustomResourceOptions | undefined;
    let seenProps: Record<string, unknown> | undefined;
    const v = new ZuploVariable(
      "orders-secret",
      { apiUrl: "https://dev.zuplo.com", account: "acme", project: "orders-api", branch: "main", name: "ORDERS_SHARED_SECRET", isSecret: true, value: SECRET },
      {
        additionalSecretOutputs: ["isSecret"],
        transformations: [
          (a) => {
            seenOpts = a.opts;
            seenProps = a.props;
            return undefined;
          },
        ],
      },
    );
    const isSecretOutput = (o: pulumi.Output<unknown>) => pulumi.isSecret(o);
    expect(await isSecretOutput(v.value)).toBe(true);
    expect(await isSecretOutput(pulumi.output(seenProps!["value"]))).toBe(true); // wrapped before registration
    expect(seenOpts!.additionalSecretOutputs).toEqual(["isSecret", "value"]); // the caller's entries are kept
    expect(await new Promise((r) => v.name.apply(r))).toBe("ORDERS_SHARED_SECRET");
    expect(await new Promise((r) => v.createdOn.apply(r))).toBe("2024-01-01T00:00:00.000Z"); // declared output

    await new Promise((r) => setTimeout(r, 50));
    expect(ZUPLO_VARIABLE_TYPE).toBe("ZuploVariable");
    const reg = registered.find((r) => r.name === "orders-secret")!;
    expect(reg.type).toBe("pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    expect(Object.keys(reg.inputs).sort()).toEqual(["__provider", "account", "apiUrl", "branch", "isSecret", "name", "project", "value"]);
    // The key in the environment is not captured by the serialized provider.
    expect(typeof reg.inputs["__provider"]).toBe("string");
    expect(String(reg.inputs["__provider"]).includes(fake.apiKey)).toBe(false);
  });
});
