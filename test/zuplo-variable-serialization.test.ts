/**
 * The Zuplo variable provider survives Pulumi's function serialization.
 *
 * At deploy time `pulumi.dynamic.Resource` serializes the provider object with
 * `runtime.serializeFunction(() => provider, { allowSecrets: true })` (sdk dynamic/index.js
 * `serializeProvider`) and the `pulumi-resource-pulumi-nodejs` plugin evaluates the text with
 * `requireFromString(text).handler()` (cmd/dynamic-provider/index.js `getProvider`) in
 * another process. A provider that captures another module of this package serializes as
 * `require("gatelock/dist/<file>.js")`, which an `exports` map forbids.
 *
 * The providers live in their own modules (zuplo/variable-provider.ts, redeploy-provider.ts)
 * and reach the shared client (zuplo/client.ts) through locals, so each must serialize with
 * the client's code copied in, never as a `require` of another file.
 *
 * So this test, outside vitest's module transform:
 * 1. builds the package with the real `tsc -p tsconfig.build.json` into
 *    `<tmp>/node_modules/gatelock/dist`, next to a package.json with gatelock's own `exports`
 *    map, and loads the providers the way a user does: `require("gatelock/zuplo")`, with the
 *    transport knob from `require("gatelock/testing")` (and no longer from gatelock/zuplo);
 * 2. in a plain `node` child, serializes the provider exactly as the SDK does;
 * 3. checks the text has no `require` of local or package files and no vitest artefacts;
 * 4. in a second plain `node` child, evaluates the text the way the plugin does and drives
 *    configure/check/create/diff/update/delete, an error and a retry against the fake API,
 *    and checks the errors are `instanceof GatewayApiError` / `GatelockError` as loaded there;
 * 5. runs the same harness on a deliberately bad provider (one that uses `GatewayApiError`
 *    from ../errors the way compiled code does) to show the harness catches the failure;
 * 6. does 2–4 for the redeploy provider (`zuploRedeployProvider`): list, redeploy, diff, a
 *    retried 503, a 404 and the no-deployment error, in the fresh process.
 */
import { execFile } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startZuploApiFake, type ZuploApiFake } from "./fakes/zuplo-developer-api";

const run = promisify(execFile);
const ROOT = path.resolve(__dirname, "..");
const SECRET = "sEcReT-v4lue-serial-5b8e1d";

let tmp: string;
let pkgDir: string;
let fake: ZuploApiFake;

/** The child that serializes a provider as `serializeProvider` does and writes the text. */
const SERIALIZE_JS = String.raw`
"use strict";
const fs = require("node:fs");
const pulumi = require("@pulumi/pulumi");
const [which, out] = process.argv.slice(2);
let provider;
let knobs = {};
if (which === "good" || which === "redeploy") {
  // The public subpaths, resolved through the package's exports map.
  const zuplo = require("gatelock/zuplo");
  const testing = require("gatelock/testing");
  knobs = { zuplo: typeof zuplo.setZuploClientOptions, testing: typeof testing.setZuploClientOptions };
  // Short transport settings: captured by value with the provider.
  testing.setZuploClientOptions({ maxAttempts: 3, baseDelayMs: 1, maxDelayMs: 5, timeoutMs: 5000 });
  provider = which === "good" ? zuplo.zuploVariableProvider : zuplo.zuploRedeployProvider;
} else {
  // What tsc emits for "import { GatewayApiError } from '../errors'" used inside a method.
  const errors_1 = require(process.env.GATELOCK_ERRORS_JS);
  provider = {
    async create(inputs) {
      throw new errors_1.GatewayApiError({ message: "x", operation: "create", variable: inputs.name });
    },
  };
}
// dynamic/index.js serializeFunctionMaybeSecret: serializeFunction(() => provider, { allowSecrets: true })
pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true }).then(
  (sf) => {
    fs.writeFileSync(out, sf.text);
    process.stdout.write(JSON.stringify({ containsSecrets: sf.containsSecrets, knobs }));
  },
  (e) => {
    process.stderr.write(String(e && e.stack));
    process.exit(1);
  },
);
`;

/** The child that loads serialized text like the dynamic provider plugin and drives it. */
const EVALUATE_JS = String.raw`
"use strict";
const fs = require("node:fs");
const requireFromString = require(process.env.REQUIRE_FROM_STRING);
const { Config } = require(process.env.PULUMI_DYNAMIC_CONFIG);
const [file, mode] = process.argv.slice(2);
const text = fs.readFileSync(file, "utf8");
// gatelock's error classes, loaded separately from the serialized text (which shares no module with them).
const { GatelockError, GatewayApiError } = require(process.env.GATELOCK_ERRORS_JS);

function errorFacts(e) {
  return {
    name: e.name, code: e.code, status: e.status, operation: e.operation, variable: e.variable, message: e.message, stack: e.stack,
    isGatewayApiError: e instanceof GatewayApiError, isGatelockError: e instanceof GatelockError,
  };
}

(async () => {
  let provider;
  try {
    provider = requireFromString(text).handler(); // getProvider()
  } catch (e) {
    process.stdout.write(JSON.stringify({ loadError: { code: e.code, message: e.message } }));
    return;
  }
  if (mode === "bad") {
    process.stdout.write(JSON.stringify({ loaded: true }));
    return;
  }
  if (mode === "redeploy") {
    await provider.configure({ config: new Config({ "gatelock:zuploApiKey": process.env.TEST_ZUPLO_KEY }, "gatelock-test") });
    const base = { apiUrl: process.env.FAKE_URL, account: "acme", project: "orders-api", branch: "main", trigger: process.env.TEST_VALUE };
    const out = {};
    out.checkOk = { failures: (await provider.check(base, base)).failures };
    out.checkBad = { failures: (await provider.check(base, { ...base, apiUrl: "http://dev.zuplo.com" })).failures };
    const created = await provider.create(base); // the parent injected one 503 first: a retry
    out.createdId = created.id;
    out.createdDeployments = created.outs.deployments;
    out.createdTriggerMatches = created.outs.trigger === base.trigger;
    out.diffSame = await provider.diff(created.id, created.outs, base);
    out.diffNew = await provider.diff(created.id, created.outs, { ...base, trigger: "t2" });
    out.diffMoved = await provider.diff(created.id, created.outs, { ...base, branch: "staging" });
    const updated = await provider.update(created.id, created.outs, { ...base, trigger: "t2" });
    out.updatedDeployments = updated.outs.deployments;
    for (const [key, over] of [["error404", { project: "no-such-project" }], ["errorNone", { branch: "release" }]]) {
      try {
        await provider.create({ ...base, ...over });
        out[key] = "none";
      } catch (e) {
        out[key] = { ...errorFacts(e), deployment: e.deployment };
      }
    }
    await provider.delete(created.id, updated.outs);
    out.deleted = true;
    process.stdout.write(JSON.stringify(out));
    return;
  }
  // getProvider(): configure with the stack config, as the plugin's Config class presents it.
  await provider.configure({ config: new Config({ "gatelock:zuploApiKey": process.env.TEST_ZUPLO_KEY }, "gatelock-test") });
  const base = { apiUrl: process.env.FAKE_URL, account: "acme", project: "orders-api", branch: "main", name: "ORDERS_SHARED_SECRET", isSecret: true, value: process.env.TEST_VALUE };
  const out = {};
  out.checkOk = { failures: (await provider.check(base, base)).failures };
  out.checkBad = { failures: (await provider.check(base, { ...base, name: "ZUPLO_RESERVED" })).failures };
  const created = await provider.create(base); // the parent injected one 503 first: a retry
  out.createdId = created.id;
  out.createdValueMatches = created.outs.value === base.value;
  out.createdOn = created.outs.createdOn;
  out.diff = await provider.diff(created.id, created.outs, { ...base, value: "v2" });
  const updated = await provider.update(created.id, created.outs, { ...base, value: "v2" });
  out.updatedValue = updated.outs.value;
  try {
    await provider.create({ ...base, project: "no-such-project" });
    out.error = "none";
  } catch (e) {
    out.error = errorFacts(e);
  }
  await provider.delete(created.id, updated.outs);
  out.deleted = true;
  // No key in the stack config, none in the environment.
  await provider.configure({ config: new Config({}, "gatelock-test") });
  try {
    await provider.create(base);
    out.noKey = "none";
  } catch (e) {
    out.noKey = errorFacts(e);
  }
  process.stdout.write(JSON.stringify(out));
})().catch((e) => {
  process.stderr.write("child failed: " + (e && e.stack));
  process.exit(1);
});
`;

async function node(script: string, args: string[], env: Record<string, string>): Promise<{ stdout: string; stderr: string }> {
  return run(process.execPath, [script, ...args], {
    cwd: path.dirname(script),
    env: { PATH: process.env["PATH"] ?? "", ...env },
    timeout: 60_000,
  });
}

beforeAll(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-serialize-"));
  pkgDir = path.join(tmp, "node_modules", "gatelock");
  fs.mkdirSync(pkgDir, { recursive: true });
  // gatelock's own exports map: only the public subpaths resolve, as in a real install.
  const rootPkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { exports: unknown; dependencies: Record<string, string> };
  fs.writeFileSync(
    path.join(pkgDir, "package.json"),
    JSON.stringify({ name: "gatelock", version: "0.0.0-test", main: "dist/index.js", exports: rootPkg.exports }),
  );
  // Its dependencies and the Pulumi SDK, as the install would have them.
  fs.mkdirSync(path.join(tmp, "node_modules", "@pulumi"));
  for (const dep of ["@pulumi/pulumi", ...Object.keys(rootPkg.dependencies)]) {
    // A scoped dependency (`@peculiar/…`) needs its scope's folder first.
    fs.mkdirSync(path.dirname(path.join(tmp, "node_modules", dep)), { recursive: true });
    fs.symlinkSync(path.join(ROOT, "node_modules", dep), path.join(tmp, "node_modules", dep), "dir");
  }

  // The real build. Other files may be mid-edit: only diagnostics in this component matter,
  // and tsc emits despite type errors elsewhere.
  const tsc = path.join(ROOT, "node_modules", "typescript", "bin", "tsc");
  const build = await run(process.execPath, [tsc, "-p", "tsconfig.build.json", "--outDir", path.join(pkgDir, "dist"), "--declaration", "false", "--sourceMap", "false"], {
    cwd: ROOT,
  }).catch((e: { stdout?: string; stderr?: string }) => ({ stdout: e.stdout ?? "", stderr: e.stderr ?? "" }));
  const ownDiagnostics = `${build.stdout}${build.stderr}`.split("\n").filter((l) => /components\/(zuplo\/|errors\.ts)/.test(l));
  expect(ownDiagnostics).toEqual([]);
  for (const file of ["client.js", "variable-provider.js", "redeploy-provider.js", "index.js"]) {
    expect(fs.existsSync(path.join(pkgDir, "dist", "zuplo", file)), file).toBe(true);
  }

  for (const [name, text] of [["serialize.cjs", SERIALIZE_JS], ["evaluate.cjs", EVALUATE_JS]] as const) {
    fs.mkdirSync(path.join(tmp, "app"), { recursive: true });
    fs.writeFileSync(path.join(tmp, "app", name), text);
  }
  fake = await startZuploApiFake({ projects: ["acme/orders-api"] });
}, 120_000);

afterAll(async () => {
  await fake?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function childEnv(): Record<string, string> {
  return {
    GATELOCK_ERRORS_JS: path.join(pkgDir, "dist", "errors.js"),
    REQUIRE_FROM_STRING: require.resolve("require-from-string", { paths: [path.join(ROOT, "node_modules", "@pulumi", "pulumi")] }),
    PULUMI_DYNAMIC_CONFIG: path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "dynamic-provider", "config.js"),
  };
}

describe("zuploVariableProvider after Pulumi function serialization", () => {
  it("serializes without requiring local or package files, and runs in a fresh process", async () => {
    const textFile = path.join(tmp, "good.provider.js");
    const ser = await node(path.join(tmp, "app", "serialize.cjs"), ["good", textFile], childEnv());
    // The transport knob is exported by gatelock/testing only.
    expect(JSON.parse(ser.stdout)).toEqual({ containsSecrets: false, knobs: { zuplo: "undefined", testing: "function" } });

    const text = fs.readFileSync(textFile, "utf8");
    expect(text).toMatch(/^exports\.handler = /);
    expect(text).not.toMatch(/require\(\s*["']\.\.?\//); // ./ or ../
    expect(text).not.toMatch(/require\(\s*["']gatelock/);
    expect(text).not.toMatch(/require\(/); // nothing at all: Node globals only
    expect(text).not.toContain("__vite_ssr");
    expect(text).not.toContain("exports.zuploVariableProvider");
    expect(text).toMatch(/maxAttempts: 3/); // options set before serialization travel with it
    expect(text).toMatch(/async function \/\*send\*\/\(/); // the client's code, copied in
    expect(text).not.toMatch(/\/deployments/); // and nothing of the redeploy provider

    fake.reset();
    fake.inject({ method: "POST", status: 503 });
    const ev = await node(path.join(tmp, "app", "evaluate.cjs"), [textFile, "good"], {
      ...childEnv(),
      FAKE_URL: fake.url,
      TEST_ZUPLO_KEY: fake.apiKey,
      TEST_VALUE: SECRET,
    });
    const out = JSON.parse(ev.stdout);

    expect(out.checkOk.failures ?? []).toEqual([]);
    expect(out.checkBad.failures.map((f: { property: string }) => f.property)).toEqual(["name"]);
    expect(out.createdId).toBe("acme/orders-api/main/ORDERS_SHARED_SECRET");
    expect(out.createdValueMatches).toBe(true);
    expect(typeof out.createdOn).toBe("string");
    expect(out.diff).toMatchObject({ changes: true });
    expect(out.diff.replaces ?? []).toEqual([]);
    expect(out.updatedValue).toBe("v2");
    expect(out.error).toMatchObject({ name: "GatewayApiError", code: "ERR_GATEWAY_API", status: 404, operation: "create", variable: "ORDERS_SHARED_SECRET" });
    expect(out.error).toMatchObject({ isGatewayApiError: true, isGatelockError: true });
    expect(out.error.message).toMatch(/no-such-project/);
    expect(out.deleted).toBe(true);
    expect(out.noKey).toMatchObject({ code: "ERR_GATEWAY_CREDENTIALS", isGatewayApiError: false, isGatelockError: true });

    // The fake saw the whole conversation, with the key from the stack config.
    expect(fake.requests.map((r) => `${r.method} ${r.fault ? "fault" : "ok"}`)).toEqual(["POST fault", "POST ok", "PATCH ok", "POST ok", "DELETE ok"]);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
    expect(fake.requests[1]!.body).toEqual({ name: "ORDERS_SHARED_SECRET", isSecret: true, value: SECRET });
    expect(fake.requests[2]!.body).toEqual({ value: "v2" });
    expect(fake.state.get("acme", "orders-api", "main", "ORDERS_SHARED_SECRET")).toBeUndefined();

    // Nothing the child printed (results, errors, stack) holds the value or the key.
    for (const s of [SECRET, fake.apiKey]) {
      for (const [where, t] of [["stdout", ev.stdout], ["stderr", ev.stderr], ["serialized text", text]] as const) {
        expect(t.includes(s), where).toBe(false);
      }
    }
  });

  it("the redeploy provider serializes self-contained too, and redeploys from a fresh process", async () => {
    const textFile = path.join(tmp, "redeploy.provider.js");
    const ser = await node(path.join(tmp, "app", "serialize.cjs"), ["redeploy", textFile], childEnv());
    expect(JSON.parse(ser.stdout)).toMatchObject({ containsSecrets: false });

    const text = fs.readFileSync(textFile, "utf8");
    expect(text).toMatch(/^exports\.handler = /);
    expect(text).not.toMatch(/require\(/); // nothing at all: Node globals only
    expect(text).not.toContain("__vite_ssr");
    expect(text).not.toContain("exports.zuploRedeployProvider");
    expect(text).not.toContain("exports.zuploVariableProvider");
    expect(text).toMatch(/maxAttempts: 3/);
    expect(text).toMatch(/async function \/\*send\*\/\(/); // the client's code, copied in
    expect(text).toMatch(/\/deployments/); // the redeploy client, not only the variable one

    fake.reset();
    fake.state.seedDeployment("acme", "orders-api", { name: "orders-api-main-bbe7540", branchName: "main" });
    fake.state.seedDeployment("acme", "orders-api", { name: "orders-api-staging-3c2d1e0", branchName: "staging" });
    fake.inject({ method: "GET", status: 503 });
    const ev = await node(path.join(tmp, "app", "evaluate.cjs"), [textFile, "redeploy"], {
      ...childEnv(),
      FAKE_URL: fake.url,
      TEST_ZUPLO_KEY: fake.apiKey,
      TEST_VALUE: SECRET,
    });
    const out = JSON.parse(ev.stdout);

    expect(out.checkOk.failures ?? []).toEqual([]);
    expect(out.checkBad.failures.map((f: { property: string }) => f.property)).toEqual(["apiUrl"]);
    expect(out.createdId).toBe("acme/orders-api/main/redeploy");
    expect(out.createdDeployments).toEqual(["orders-api-main-bbe7540"]);
    expect(out.createdTriggerMatches).toBe(true);
    expect(out.diffSame).toMatchObject({ changes: false });
    expect(out.diffNew).toMatchObject({ changes: true });
    expect(out.diffNew.replaces ?? []).toEqual([]);
    expect(out.diffMoved).toMatchObject({ changes: true, replaces: ["branch"] });
    expect(out.updatedDeployments).toEqual(["orders-api-main-bbe7540"]);
    expect(out.error404).toMatchObject({ name: "GatewayApiError", code: "ERR_GATEWAY_API", status: 404, operation: "create", isGatewayApiError: true, isGatelockError: true });
    expect(out.error404.message).toMatch(/no-such-project/);
    expect(out.errorNone).toMatchObject({ code: "ERR_GATEWAY_API", operation: "create" });
    expect(out.errorNone.message).toMatch(/no deployment of branch release/);
    expect(out.deleted).toBe(true);

    const D = "/v1/deployments/orders-api-main-bbe7540/deploy";
    const L = "/v1/accounts/acme/projects/orders-api/deployments";
    expect(fake.requests.map((r) => `${r.method} ${r.path}${r.fault ? " fault" : ""}`)).toEqual([
      `GET ${L} fault`,
      `GET ${L}`,
      `POST ${D}`,
      `GET ${L}`,
      `POST ${D}`,
      "GET /v1/accounts/acme/projects/no-such-project/deployments",
      `GET ${L}`,
    ]);
    expect(fake.requests.every((r) => r.headers.authorization === `Bearer ${fake.apiKey}`)).toBe(true);
    expect(fake.state.deployments.get("orders-api-main-bbe7540")!.redeploys).toBe(2);
    expect(fake.state.deployments.get("orders-api-staging-3c2d1e0")!.redeploys).toBe(0);

    for (const s of [SECRET, fake.apiKey]) {
      for (const [where, t] of [["stdout", ev.stdout], ["stderr", ev.stderr], ["serialized text", text]] as const) {
        expect(t.includes(s), where).toBe(false);
      }
    }
  });

  it("the harness catches a provider that uses a helper from another module (control)", async () => {
    const textFile = path.join(tmp, "bad.provider.js");
    await node(path.join(tmp, "app", "serialize.cjs"), ["bad", textFile], childEnv());
    const text = fs.readFileSync(textFile, "utf8");
    expect(text).toMatch(/require\("gatelock\/dist\/errors\.js"\)/);

    const ev = await node(path.join(tmp, "app", "evaluate.cjs"), [textFile, "bad"], childEnv());
    expect(JSON.parse(ev.stdout)).toMatchObject({ loadError: { code: "ERR_PACKAGE_PATH_NOT_EXPORTED" } });
  });
});
