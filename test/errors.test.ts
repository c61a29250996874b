/**
 * The error family (components/errors.ts) holds together: what gatelock throws can be matched
 * by class or code, never by message.
 *
 * - The Zuplo providers cannot construct gatelock's classes (they are serialised by Pulumi and
 *   must be self-contained), yet what they throw is `instanceof GatewayApiError` /
 *   `GatelockError` (a brand checked by `Symbol.hasInstance`), and the check stays strict.
 * - A missing peer dependency has its own code, `ERR_DEPENDENCY_MISSING`.
 * - A fake's refusal is a `ResourceRefusedError` (`ERR_RESOURCE_REFUSED`), and the audit
 *   recognises it by class: an unrelated error whose message happens to say "was refused" is
 *   not reported as the cloud refusing a resource.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { runAudit } from "../components/audit/report";
import {
  ConfigError,
  DependencyMissingError,
  GATELOCK_ERROR_BRAND,
  GatelockError,
  GatewayApiError,
  missingDependencyError,
  ResourceRefusedError,
} from "../components/errors";
import { FakeCloud, MockRunError, setZuploClientOptions } from "../components/testing";
import { zuploRedeployProvider } from "../components/zuplo/redeploy-provider";
import { zuploVariableProvider } from "../components/zuplo/variable-provider";
import { startZuploApiFake, type ZuploApiFake } from "./fakes/zuplo-developer-api";
import { configWithKey, exposedText, noConfig } from "./fakes/zuplo-provider-kit";

const variables = zuploVariableProvider as Required<typeof zuploVariableProvider>;
const redeploys = zuploRedeployProvider as Required<typeof zuploRedeployProvider>;
const SECRET = "sEcReT-errors-test-6c1d0b9e";
const ROOT = path.resolve(__dirname, "..");

/** The rejection of `promise` (fails the test if it resolves). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error("expected a rejection");
    },
    (e: unknown) => e,
  );
}

describe("what the Zuplo providers throw is part of the error family", () => {
  let fake: ZuploApiFake;
  let restoreOptions: () => void;
  const savedKey = process.env["ZUPLO_API_KEY"];

  beforeAll(async () => {
    fake = await startZuploApiFake({ projects: ["acme/orders-api"] });
    restoreOptions = setZuploClientOptions({ maxAttempts: 2, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 2_000 });
  });
  afterAll(async () => {
    restoreOptions();
    await fake.close();
    if (savedKey === undefined) delete process.env["ZUPLO_API_KEY"];
    else process.env["ZUPLO_API_KEY"] = savedKey;
  });
  beforeEach(() => {
    fake.reset();
    delete process.env["ZUPLO_API_KEY"];
  });

  const variable = (project = "orders-api") => ({ apiUrl: fake.url, account: "acme", project, branch: "main", name: "ORDERS_SHARED_SECRET", isSecret: true, value: SECRET });

  it("a refused variable write is a GatewayApiError and a GatelockError, naming the variable and never its value or the key", async () => {
    await variables.configure(configWithKey(fake.apiKey) as never);
    const err = await rejection(variables.create(variable("no-such-project")));
    expect(err).toBeInstanceOf(GatewayApiError);
    expect(err).toBeInstanceOf(GatelockError);
    expect(err).toBeInstanceOf(Error);
    expect(err).not.toBeInstanceOf(ConfigError);
    expect(err).not.toBeInstanceOf(ResourceRefusedError);
    if (!(err instanceof GatewayApiError)) throw new Error("unreachable");
    // Narrowed by `instanceof`: the class's properties, as the provider set them.
    expect({ code: err.code, status: err.status, operation: err.operation, variable: err.variable, retryable: err.retryable }).toEqual({
      code: "ERR_GATEWAY_API",
      status: 404,
      operation: "create",
      variable: "ORDERS_SHARED_SECRET",
      retryable: false,
    });
    const exposed = exposedText(err);
    expect(exposed.includes(SECRET)).toBe(false);
    expect(exposed.includes(fake.apiKey)).toBe(false);
  });

  it("a failed redeploy is a GatewayApiError too", async () => {
    await redeploys.configure(configWithKey(fake.apiKey) as never);
    const err = await rejection(redeploys.create({ apiUrl: fake.url, account: "acme", project: "no-such-project", branch: "main", trigger: SECRET }));
    expect(err).toBeInstanceOf(GatewayApiError);
    expect(err).toBeInstanceOf(GatelockError);
    expect((err as GatewayApiError).status).toBe(404);
    expect(exposedText(err).includes(SECRET)).toBe(false);
  });

  it("a missing API key is a GatelockError (ERR_GATEWAY_CREDENTIALS), not a GatewayApiError", async () => {
    await variables.configure(noConfig as never);
    const err = await rejection(variables.create(variable()));
    expect(err).toBeInstanceOf(GatelockError);
    expect(err).not.toBeInstanceOf(GatewayApiError);
    expect((err as GatelockError).code).toBe("ERR_GATEWAY_CREDENTIALS");
    expect(fake.requests).toHaveLength(0);
  });

  it("the brand is not enumerable: it adds nothing to what an error prints or serialises", async () => {
    await variables.configure(configWithKey(fake.apiKey) as never);
    const err = (await rejection(variables.create(variable("no-such-project")))) as Error;
    expect(Object.keys(err)).not.toContain(String(GATELOCK_ERROR_BRAND));
    expect(Object.getOwnPropertyDescriptor(err, GATELOCK_ERROR_BRAND)).toMatchObject({ value: "GatewayApiError", enumerable: false });
    expect(JSON.stringify(err)).not.toMatch(/gatelock\.error/);
  });
});

describe("instanceof stays strict", () => {
  const branded = (brand: unknown, code: string) => {
    const e = Object.assign(new Error("x"), { code });
    Object.defineProperty(e, Symbol.for("gatelock.error"), { value: brand });
    return e;
  };

  it("real instances are what they always were", () => {
    const api = new GatewayApiError({ message: "m", operation: "create", variable: "X", status: 500, retryable: true, attempts: 3 });
    expect(api).toBeInstanceOf(GatewayApiError);
    expect(api).toBeInstanceOf(GatelockError);
    expect(api).toMatchObject({ name: "GatewayApiError", code: "ERR_GATEWAY_API", deployment: undefined, attempts: 3 });
    const config = new ConfigError([{ code: "ERR_CONFIG_INVALID", path: "gatelock:origins", reason: "missing", message: "required" }]);
    expect(config).toBeInstanceOf(ConfigError);
    expect(config).toBeInstanceOf(GatelockError);
    expect(config).not.toBeInstanceOf(GatewayApiError);
    expect(new GatelockError("ERR_INTERNAL", "m")).not.toBeInstanceOf(ConfigError);
  });

  it("a code alone, a wrong brand, or a brand on a non-error does not make a GatewayApiError", () => {
    expect(Object.assign(new Error("x"), { code: "ERR_GATEWAY_API" })).not.toBeInstanceOf(GatewayApiError);
    expect(Object.assign(new Error("x"), { code: "ERR_GATEWAY_API" })).not.toBeInstanceOf(GatelockError);
    expect(new GatelockError("ERR_GATEWAY_API", "x")).not.toBeInstanceOf(GatewayApiError);
    expect(branded("GatewayApiError", "ERR_CONFIG_INVALID")).not.toBeInstanceOf(GatewayApiError);
    expect(branded("GatelockError", "ERR_GATEWAY_API")).not.toBeInstanceOf(GatewayApiError);
    expect(branded("GatelockError", "ERR_GATEWAY_CREDENTIALS")).toBeInstanceOf(GatelockError);
    expect(branded("Something", "ERR_GATEWAY_API")).not.toBeInstanceOf(GatelockError);
    expect(branded("GatewayApiError", "ERR_GATEWAY_API")).not.toBeInstanceOf(ConfigError);
    expect(branded("GatewayApiError", "ERR_GATEWAY_API")).not.toBeInstanceOf(ResourceRefusedError);
    const notAnError = { code: "ERR_GATEWAY_API", [GATELOCK_ERROR_BRAND]: "GatewayApiError" };
    expect(notAnError instanceof GatewayApiError).toBe(false);
    for (const v of [undefined, null, 0, "GatewayApiError"]) expect((v as unknown) instanceof GatelockError).toBe(false);
  });
});

describe("a missing peer dependency (ERR_DEPENDENCY_MISSING)", () => {
  it("missingDependencyError names the package, the cloud and the install command, and keeps the cause", () => {
    const cause = Object.assign(new Error("Cannot find module '@pulumi/gcp'"), { code: "MODULE_NOT_FOUND" });
    const err = missingDependencyError("@pulumi/gcp", "gcp", cause);
    expect(err).toBeInstanceOf(DependencyMissingError);
    expect(err).toBeInstanceOf(GatelockError);
    expect(err).not.toBeInstanceOf(ConfigError);
    expect(err.code).toBe("ERR_DEPENDENCY_MISSING");
    expect(err).toMatchObject({ name: "DependencyMissingError", dependency: "@pulumi/gcp", cloud: "gcp" });
    expect(err.message).toBe("this stack has origins on gcp, which needs the optional peer dependency @pulumi/gcp: run `npm install @pulumi/gcp`.");
    expect(err.cause).toBe(cause);
    expect("cause" in missingDependencyError("@pulumi/aws", "aws")).toBe(false);
  });
});

describe("a resource the fake cloud refuses (ERR_RESOURCE_REFUSED)", () => {
  const badProvider = {
    type: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
    name: "bad",
    inputs: { url: "http://issuer.example", clientIdLists: ["aud"] },
    custom: true,
    provider: "",
    id: "",
  } as Parameters<FakeCloud["newResource"]>[0];

  it("is a ResourceRefusedError naming the resource, with the fake's own error as its cause", () => {
    const fakes = new FakeCloud();
    const heard: unknown[] = [];
    fakes.onRefusal((r) => heard.push(r));
    let err: unknown;
    try {
      fakes.newResource(badProvider);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ResourceRefusedError);
    expect(err).toBeInstanceOf(GatelockError);
    const refusal = err as ResourceRefusedError;
    expect(refusal).toMatchObject({ code: "ERR_RESOURCE_REFUSED", resourceType: badProvider.type, resourceName: "bad" });
    expect(refusal.message).toMatch(/^aws:iam\/openIdConnectProvider:OpenIdConnectProvider bad was refused: .*url must begin with https:\/\//);
    expect(String((refusal.cause as Error).message)).toMatch(/ValidationError/);
    expect(heard).toEqual([refusal]);
    expect(fakes.refusals).toEqual([refusal]);
  });

  const dirs: string[] = [];
  afterAll(() => {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  });

  /** A project with one stack file, beside a copy of the repository's Pulumi.yaml. */
  function project(stack: string, yaml: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-errors-"));
    dirs.push(dir);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks", `Pulumi.${stack}.yaml`), yaml);
    return dir;
  }

  it("the audit reports the refusal as a finding, recognised by its class", async () => {
    const dir = project(
      "aws",
      `config:\n  gatelock:gateway: {kind: zuplo, account: acme, project: orders-api, branch: main}\n  gatelock:origins:\n    - {name: shipments, method: federated, cloud: aws, federated: {audience: "aws:acme:prod", subjects: [atcl_3c5VqX0pQ7JmA1bT9kLwZr2e]}, aws: {region: us-east-1, apiGateway: {apiId: a1b2c3d4e5, stage: prod, routes: ["GET /orders"]}}}\n`,
    );
    // The same fake account twice: IAM allows one OIDC provider per URL.
    const fakes = new FakeCloud();
    expect((await runAudit({ projectDir: dir, stack: "aws", fakes, env: {} })).ok).toBe(true);
    const second = await runAudit({ projectDir: dir, stack: "aws", fakes, env: {} });
    expect(fakes.refusals).toHaveLength(1);
    expect(fakes.refusals[0]).toBeInstanceOf(ResourceRefusedError);
    expect(second.findings).toEqual([expect.objectContaining({ severity: "error", code: "ERR_RESOURCE_REFUSED", message: expect.stringMatching(/EntityAlreadyExists/) })]);
  });

  it("the audit does not take another error that says `was refused` for a refusal: it fails the run", async () => {
    const dir = project(
      "local",
      "config:\n  gatelock:gateway: {kind: zuplo, account: local, project: local-dev, branch: main, environment: {developerApi: false, dotenv: .env}}\n  gatelock:origins:\n    - {name: orders, method: shared-secret, cloud: local, url: \"http://127.0.0.1:8787\"}\n",
    );
    // Not a fake's refusal: a plain error that merely reads like one.
    class Broken extends FakeCloud {
      override newResource(args: Parameters<FakeCloud["newResource"]>[0]) {
        if (args.type === "random:index/randomPassword:RandomPassword") throw new Error(`${args.type} ${args.name} was refused: by a bug, not by the cloud`);
        return super.newResource(args);
      }
    }
    const fakes = new Broken();
    const err = await rejection(runAudit({ projectDir: dir, stack: "local", fakes, env: {} }));
    expect(err).toBeInstanceOf(MockRunError);
    expect((err as MockRunError).cause).not.toBeInstanceOf(ResourceRefusedError);
    expect(fakes.refusals).toEqual([]);
  });
});
