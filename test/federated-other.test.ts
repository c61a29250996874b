/**
 * Federated origins outside cloud IAM (`cloud: other`): the model's refusals, the gateway
 * side (variables, the custom Zuplo policy and its module), the program under the mock
 * engine (a component with no cloud resource), and, end to end, the verifier settings the
 * program outputs fed to the real `gatelock/origin` verifier against real tokens.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../components/audit/report";
import { ConfigError } from "../components/errors";
import { GATELOCK_ID_TOKEN_MODULE_PATH, GATELOCK_ID_TOKEN_MODULE_SOURCE, otherFederatedGatewayConfig, otherFederatedVariables } from "../components/gateway/federated/other";
import { variableSpecs } from "../components/gateway/variables";
import { gatewayConfigFor } from "../components/gateway/zuplo-policies";
import { describeOrigin } from "../components/model/describe";
import { ZUPLO_ISSUER, ZUPLO_JWKS_URI } from "../components/model/identity";
import { buildModel, type FederatedOrigin } from "../components/model/model";
import { createTokenVerifier, type TokenVerifierOptions } from "../components/origin";
import { MockRunError } from "../components/testing/engine";
import { UNFAKED } from "../components/testing/fakes";
import { gateway } from "./fixtures/configs";
import { one, PROJECT_DIR, runProgram } from "./harness";
import { type JwksServer, mint, newKey, goodClaims, startJwksServer, type TestKey } from "./origin-token-kit";

const SUBJECT = "atcl_2fQ9xLr7TnC4vW1mZpK8sYbH";
const ledger = {
  name: "ledger",
  method: "federated",
  cloud: "other",
  url: "https://ledger.internal.acme.example",
  federated: { audience: "https://ledger.internal.acme.example", subjects: [SUBJECT] },
};

function config(...origins: object[]) {
  return structuredClone({ gateway, origins });
}

function refusal(raw: unknown): ConfigError {
  try {
    buildModel(raw, { stack: "test" });
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected buildModel to refuse the config");
}

function ledgerModel(origin: object = ledger): FederatedOrigin {
  return buildModel(config(origin), { stack: "test" }).origins[0] as FederatedOrigin;
}

describe("refusals for `cloud: other` (through buildModel)", () => {
  it("accepts the example origin", () => {
    const o = ledgerModel();
    expect(o).toMatchObject({ method: "federated", cloud: "other", target: { cloud: "other" } });
    expect(o.trust).toMatchObject({ issuer: ZUPLO_ISSUER, jwksUri: ZUPLO_JWKS_URI, audience: ledger.federated.audience, subjects: [SUBJECT], claims: { account: "acme", project: "orders-api" } });
  });

  it("refuses a missing audience: the origin would accept a token minted for any other service", () => {
    const err = refusal(config({ ...ledger, federated: { subjects: [SUBJECT] } }));
    expect(err.issues).toEqual([expect.objectContaining({ code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].federated.audience", reason: "missing" })]);
    expect(err.issues[0]!.fix).toMatch(/audience/);
  });

  it("refuses a trust that pins neither subjects nor claims (a custom issuer without claims)", () => {
    const raw = { gateway: { ...gateway, identity: { issuer: "https://issuer.acme.example" } }, origins: [{ ...ledger, federated: { audience: ledger.federated.audience } }] };
    const err = refusal(raw);
    expect(err.issues).toEqual([expect.objectContaining({ code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].federated", reason: "unsafe" })]);
    // With the Zuplo preset, account and project are pinned even without subjects: accepted.
    expect(ledgerModel({ ...ledger, federated: { audience: ledger.federated.audience } }).trust.claims).toEqual({ account: "acme", project: "orders-api" });
  });

  it("refuses a wildcard subject unless the escape hatch is set, and a leading wildcard even then", () => {
    const wild = refusal(config({ ...ledger, federated: { ...ledger.federated, subjects: ["atcl_*"] } }));
    expect(wild.issues).toEqual([expect.objectContaining({ code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].federated.subjects[0]" })]);
    const leading = refusal(config({ ...ledger, federated: { ...ledger.federated, subjects: ["*"], dangerouslyAllowWildcardSubjects: true } }));
    expect(leading.issues).toEqual([expect.objectContaining({ code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].federated.subjects[0]" })]);
  });

  it("refuses a shared default audience without subject pinning", () => {
    const err = refusal(config({ ...ledger, federated: { audience: "sts.amazonaws.com" } }));
    expect(err.issues).toEqual([expect.objectContaining({ code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].federated.audience" })]);
  });

  it("refuses a non-https issuer and JWKS URL", () => {
    const raw = { gateway: { ...gateway, identity: { issuer: "http://issuer.acme.example", jwksUri: "http://issuer.acme.example/keys", claims: { tenant: "acme" } } }, origins: [ledger] };
    const err = refusal(raw);
    expect(err.issues.map((i) => [i.code, i.path])).toEqual([
      ["ERR_TRUST_UNSAFE", "gatelock:gateway.identity.issuer"],
      ["ERR_TRUST_UNSAFE", "gatelock:gateway.identity.jwksUri"],
    ]);
  });

  it("refuses before any resource is registered, and the audit reports it as an error finding", async () => {
    const bad = config({ ...ledger, federated: { subjects: [SUBJECT] } });
    const err = await runProgram(bad).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(MockRunError);
    expect(err.cause).toBeInstanceOf(ConfigError);
    expect(err.resources.map((r: { type: string }) => r.type)).toEqual(["pulumi:pulumi:Stack"]);

    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-other-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(
      path.join(dir, "stacks", "Pulumi.bad.yaml"),
      `config:\n  gatelock:gateway: ${JSON.stringify(gateway)}\n  gatelock:origins: ${JSON.stringify(bad.origins)}\n`,
    );
    const report = await runAudit({ projectDir: dir, stack: "bad" });
    expect(report.ok).toBe(false);
    expect(report.findings).toEqual([expect.objectContaining({ severity: "error", code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].federated.audience" })]);
  });
});

describe("the gateway side (pure)", () => {
  it("needs one non-secret variable, <ORIGIN>_AUDIENCE, besides the origin URL", () => {
    const o = ledgerModel();
    expect(otherFederatedVariables(o).audience).toEqual(expect.objectContaining({ name: "LEDGER_AUDIENCE", isSecret: false, origin: "ledger" }));
    expect(variableSpecs(o).map((v) => [v.name, v.isSecret])).toEqual([
      ["LEDGER_AUDIENCE", false],
      ["LEDGER_ORIGIN_URL", false],
    ]);
    expect(otherFederatedVariables(ledgerModel({ ...ledger, name: "ledger-v2" })).audience.name).toBe("LEDGER_V2_AUDIENCE");
  });

  it("emits a custom-code inbound policy that mints the ID token for $env(<ORIGIN>_AUDIENCE)", () => {
    const o = ledgerModel();
    expect(otherFederatedGatewayConfig(o)).toEqual({
      origin: "ledger",
      policies: [
        {
          name: "gatelock-ledger-id-token",
          policyType: "custom-code-inbound",
          handler: { export: "default", module: "$import(./modules/gatelock-id-token)", options: { audience: "$env(LEDGER_AUDIENCE)" } },
        },
      ],
      inbound: ["gatelock-ledger-id-token"],
    });
    expect(gatewayConfigFor(o).handler).toEqual({ export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: "${env.LEDGER_ORIGIN_URL}" } });
  });

  it("ships the policy module: valid TypeScript that calls ZuploServices.getIDToken with the option's audience and sets a Bearer header", () => {
    expect(GATELOCK_ID_TOKEN_MODULE_PATH).toBe("modules/gatelock-id-token.ts");
    const out = ts.transpileModule(GATELOCK_ID_TOKEN_MODULE_SOURCE, { reportDiagnostics: true, compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } });
    expect(out.diagnostics ?? []).toEqual([]);
    expect(GATELOCK_ID_TOKEN_MODULE_SOURCE).toContain('import { ZuploContext, ZuploRequest, ZuploServices } from "@zuplo/runtime";');
    expect(GATELOCK_ID_TOKEN_MODULE_SOURCE).toContain("export default async function");
    expect(GATELOCK_ID_TOKEN_MODULE_SOURCE).toContain("ZuploServices.getIDToken(context, { audience: options.audience })");
    expect(GATELOCK_ID_TOKEN_MODULE_SOURCE).toContain('headers.set(options.header ?? "authorization", `Bearer ${token}`)');
  });

  it("is documented verbatim in docs/federated/other.md", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs/federated/other.md"), "utf8");
    for (const line of GATELOCK_ID_TOKEN_MODULE_SOURCE.split("\n").filter((l) => l.trim())) expect(doc).toContain(line);
    expect(doc).toContain('"options": { "audience": "$env(LEDGER_AUDIENCE)" }');
  });

  it("runs the module: the origin receives `Bearer <the minted token>` for the configured audience, replacing the client's header", async () => {
    // Execute the transpiled module against minimal stand-ins for the Zuplo runtime.
    const js = ts.transpileModule(GATELOCK_ID_TOKEN_MODULE_SOURCE, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const audiences: string[] = [];
    class ZuploRequest extends Request {}
    const runtime = { ZuploRequest, ZuploServices: { getIDToken: async (_ctx: unknown, o: { audience: string }) => (audiences.push(o.audience), "minted.jwt.token") } };
    const mod = { exports: {} as { default: (req: Request, ctx: unknown, options: unknown, name: string) => Promise<Request> } };
    new Function("require", "module", "exports", js)((id: string) => (id === "@zuplo/runtime" ? runtime : undefined), mod, mod.exports);
    const incoming = new ZuploRequest("https://gw.example/ledger", { headers: { authorization: "Bearer client-token", "x-keep": "1" } });
    const forwarded = await mod.exports.default(incoming, {}, { audience: "https://ledger.internal.acme.example" }, "gatelock-ledger-id-token");
    expect(audiences).toEqual(["https://ledger.internal.acme.example"]);
    expect(forwarded.headers.get("authorization")).toBe("Bearer minted.jwt.token");
    expect(forwarded.headers.get("x-keep")).toBe("1");
    await expect(mod.exports.default(incoming, {}, {}, "gatelock-ledger-id-token")).rejects.toThrow(/audience/);
  });
});

describe("the program under the mock engine", () => {
  let key: TestKey;
  let jwks: JwksServer;
  beforeAll(async () => {
    key = await newKey("atky_zuplo");
    jwks = await startJwksServer(key);
  });
  afterAll(async () => {
    await jwks.close();
  });

  it("registers a gatelock:other:FederatedOrigin with no cloud resource, and the gateway variables", async () => {
    const run = await runProgram(config(ledger));
    const component = one(run.resources, "gatelock:other:FederatedOrigin", "ledger");
    expect(component.custom).toBe(false);
    expect(run.resources.filter((r) => r.parent === component.urn)).toEqual([]);
    // The only cloud-side resources are the gateway's variables.
    expect([...new Set(run.resources.filter((r) => r.custom).map((r) => r.type))]).toEqual(["pulumi-nodejs:dynamic/gatelock:ZuploVariable"]);
    expect(UNFAKED).toEqual([]);

    expect(run.outputs.gatewayVariables.map((v) => [v.name, v.isSecret, v.origin])).toEqual([
      ["LEDGER_AUDIENCE", false, "ledger"],
      ["LEDGER_ORIGIN_URL", false, "ledger"],
    ]);
    const written = Object.fromEntries(run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploVariable").map((r) => [r.inputs.name, r.inputs]));
    expect(written.LEDGER_AUDIENCE).toMatchObject({ value: "https://ledger.internal.acme.example", isSecret: false, account: "acme", project: "orders-api", branch: "main" });
    expect(written.LEDGER_ORIGIN_URL).toMatchObject({ value: "https://ledger.internal.acme.example", isSecret: false });

    expect(run.outputs.gatewayPolicies).toEqual([gatewayConfigFor(ledgerModel())]);
    expect(run.outputs.policiesJson.policies.map((p) => p.name)).toEqual(["gatelock-ledger-id-token"]);
    expect(run.outputs.origins.ledger).toMatchObject({
      method: "federated",
      cloud: "other",
      store: { kind: "origin-side token verification (gatelock/origin)" },
      resources: {
        verifier: {
          issuer: ZUPLO_ISSUER,
          jwksUri: ZUPLO_JWKS_URI,
          audience: "https://ledger.internal.acme.example",
          subjects: [SUBJECT],
          claims: { account: "acme", project: "orders-api" },
        },
        gatewayVariables: ["LEDGER_AUDIENCE", "LEDGER_ORIGIN_URL"],
        gatewayModule: "modules/gatelock-id-token.ts",
      },
    });
    expect(run.outputs.origins.ledger!.proof).toContain(`sub ∈ {${SUBJECT}}`);
  });

  it("works without a URL: only the audience variable, no forward handler", async () => {
    const { url: _url, ...noUrl } = ledger;
    const run = await runProgram(config(noUrl));
    expect(run.outputs.gatewayVariables.map((v) => v.name)).toEqual(["LEDGER_AUDIENCE"]);
    expect(run.outputs.gatewayPolicies[0]!.handler).toBeUndefined();
  });

  it("passes the offline audit: every $env() the policy uses is a variable gatelock writes", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-other-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.good.yaml"), `config:\n  gatelock:gateway: ${JSON.stringify(gateway)}\n  gatelock:origins: ${JSON.stringify([ledger])}\n`);
    const report = await runAudit({ projectDir: dir, stack: "good" });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.origins.map((o) => [o.name, o.cloud, o.variables])).toEqual([["ledger", "other", ["LEDGER_AUDIENCE", "LEDGER_ORIGIN_URL"]]]);
  });

  it("end to end: the verifier settings it outputs accept this gateway's token and refuse another tenant's", async () => {
    const run = await runProgram(config(ledger));
    const settings = run.outputs.origins.ledger!.resources.verifier as TokenVerifierOptions;
    // Only the JWKS location changes: Zuplo's keys are stood in for by a loopback server.
    const v = createTokenVerifier({ ...settings, jwksUri: jwks.url });
    const base = goodClaims({ iss: ZUPLO_ISSUER, aud: settings.audience, sub: SUBJECT });
    expect((await v.verify(`Bearer ${await mint(key, base)}`)).ok).toBe(true);
    // Another Zuplo customer: same issuer and keys, their own subject and account.
    expect((await v.verify(await mint(key, { ...base, sub: "atcl_someone_else", account: "evil-corp" }))).ok).toBe(false);
    // Same account, another project's gateway.
    expect(await v.verify(await mint(key, { ...base, sub: "atcl_other_project", project: "billing-api" }))).toEqual({ ok: false, reason: "subject" });
    // This gateway, but a token it minted for another origin.
    expect(await v.verify(await mint(key, { ...base, aud: "https://billing.internal.acme.example" }))).toEqual({ ok: false, reason: "audience" });
    // Who the trust admits, from what it pins: this project's environment with that subject.
    expect(describeOrigin(ledgerModel(), buildModel(config(ledger), { stack: "test" }).gateway).reachableBy[0]).toContain(`zuplo acme/orders-api, the environment whose token has sub ∈ {${SUBJECT}}`);
  });
});
