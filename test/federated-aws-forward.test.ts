/**
 * The route handler module gatelock emits for AWS federated origins: Zuplo's AWS federated
 * policy only registers credentials, and urlForwardHandler would forward unsigned, which
 * `AWS_IAM` authorization refuses. Checks:
 *  - it is printed verbatim in the docs, and type-checks against the real `@zuplo/runtime`
 *    declarations with a Zuplo project's compiler options (skipped without the e2e tools);
 *  - run with the runtime's own `AwsClient` against a loopback origin, the origin gets the
 *    client's request (method, path, query, body, headers, without the client's
 *    Authorization) and a SigV4 signature that AWS's own signer recomputes exactly;
 *  - a route without the AWS policy, or with wrong options, answers 500 and one whose
 *    credentials cannot be had answers 502, never showing credentials;
 *  - the example stack's `shipments` gets this handler (other origins keep theirs), the
 *    checklist names it, and `--write-modules` writes the module.
 */
import { Sha256 } from "@aws-crypto/sha256-js";
import { SignatureV4 } from "@smithy/signature-v4";
import * as fs from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AuditReport } from "../components/audit/report";
import { renderMarkdown } from "../components/audit/render";
import { main } from "../components/cli/main";
import { AWS_FORWARD_HANDLER_MODULE, AWS_FORWARD_MODULE_PATH } from "../components/gateway/federated/aws";
import { AZURE_FEDERATED_POLICY_MODULE } from "../components/gateway/federated/azure";
import { GATELOCK_ID_TOKEN_MODULE_SOURCE } from "../components/gateway/federated/other";
import { policyModules } from "../components/gateway/policy-modules";
import { PROJECT_DIR } from "./harness";
import { hasZuploRuntimeTypes, zuploTypeErrors } from "./harness/zuplo-types";

const AWS_SDK = path.join(PROJECT_DIR, "e2e/node_modules/@zuplo/runtime/out/esm/sdks/aws/index.js");

describe("the AWS forward handler module", () => {
  it("is printed verbatim in docs/federated/aws.md", () => {
    const doc = fs.readFileSync(path.join(PROJECT_DIR, "docs/federated/aws.md"), "utf8");
    const block = /```ts\n([\s\S]*?)```/.exec(doc)?.[1];
    expect(block).toBe(AWS_FORWARD_HANDLER_MODULE);
    expect(doc).not.toMatch(/A plain\s+`urlForwardHandler` sends an unsigned request/);
  });

  it.skipIf(!hasZuploRuntimeTypes)("type-checks against the real @zuplo/runtime declarations", () => {
    expect(zuploTypeErrors(AWS_FORWARD_MODULE_PATH, AWS_FORWARD_HANDLER_MODULE)).toEqual([]);
    // The check is real: streaming the body into the signer (which must hash it) fails it.
    const broken = AWS_FORWARD_HANDLER_MODULE.replace("{ method: request.method, body })", "{ method: request.method, body: request.body })");
    expect(broken).not.toBe(AWS_FORWARD_HANDLER_MODULE);
    expect(zuploTypeErrors(AWS_FORWARD_MODULE_PATH, broken).length).toBeGreaterThan(0);
  });
});

interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

type Handler = (request: Request, context: object) => Promise<Response>;
interface AwsSdk {
  setAwsCredentialProvider(context: object, provider: () => Promise<{ accessKeyId: string; secretAccessKey: string; sessionToken?: string }>): void;
}

const CREDENTIALS = { accessKeyId: "ASIAGATELOCKTEST0001", secretAccessKey: "gatelock/test/secret+key/0123456789abcdefghij", sessionToken: "FwoGZXIvYXdzEGATELOCKSESSIONTOKEN//example==" };

/** The AWS signature of what the origin received, recomputed by AWS's own SigV4 signer. */
async function recomputeAuthorization(r: Received, credentials: typeof CREDENTIALS, region: string, service: string): Promise<string> {
  const signedHeaders = /SignedHeaders=([^,]+),/.exec(String(r.headers.authorization))![1]!.split(";");
  const amzDate = String(r.headers["x-amz-date"]);
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const url = new URL(r.url, `http://${r.headers.host}`);
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? [query[k]!].flat().concat(v) : v;
  const signer = new SignatureV4({ credentials, region, service, sha256: Sha256, applyChecksum: false });
  const signed = await signer.sign(
    {
      method: r.method,
      protocol: "http:",
      hostname: url.hostname,
      port: Number(url.port),
      path: url.pathname,
      query,
      headers: Object.fromEntries(signedHeaders.map((h) => [h, String(r.headers[h])])),
      ...(r.body.length ? { body: r.body } : {}),
    },
    { signingDate },
  );
  return signed.headers.authorization!;
}

describe.skipIf(!fs.existsSync(AWS_SDK))("the AWS forward handler, run with the runtime's own AwsClient against a loopback origin", () => {
  let server: Server;
  let origin: string;
  let sdk: AwsSdk;
  const received: Received[] = [];

  beforeAll(async () => {
    // Loading the runtime binds every console method (vitest's console lacks the inspector's
    // profile ones) and replaces globalThis.fetch with Zuplo's; the test keeps Node's.
    const nodeFetch = globalThis.fetch;
    const c = console as unknown as Record<string, unknown>;
    const shimmed = ["profile", "profileEnd", "timeStamp"].filter((m) => typeof c[m] !== "function");
    for (const m of shimmed) c[m] = () => {};
    try {
      sdk = (await import(pathToFileURL(AWS_SDK).href)) as AwsSdk;
    } finally {
      globalThis.fetch = nodeFetch;
      for (const m of shimmed) delete c[m];
    }
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on("data", (c: Buffer) => chunks.push(c));
      req.on("end", () => {
        received.push({ method: req.method!, url: req.url!, headers: req.headers, body: Buffer.concat(chunks) });
        if (req.url!.endsWith("/moved")) {
          res.writeHead(302, { location: "https://elsewhere.example/" });
          res.end();
          return;
        }
        res.writeHead(201, { "content-type": "application/json", "x-origin": "yes" });
        res.end(JSON.stringify({ ok: true }));
      });
    });
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  /** The module, compiled; `@zuplo/runtime/aws` is the real one, `@zuplo/runtime` a stand-in for `environment` and `HttpProblems`. */
  function loadModule(environment: Record<string, string | undefined>) {
    const js = ts.transpileModule(AWS_FORWARD_HANDLER_MODULE, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 } }).outputText;
    const problem = (status: number) => async (_req: Request, _ctx: object, overrides?: { detail?: string }) =>
      new Response(JSON.stringify({ status, ...overrides }), { status, headers: { "content-type": "application/problem+json" } });
    const runtime = { environment, HttpProblems: { internalServerError: problem(500), badGateway: problem(502) } };
    const mod = { exports: {} as { default: Handler } };
    new Function("require", "module", "exports", js)((id: string) => (id === "@zuplo/runtime" ? runtime : id === "@zuplo/runtime/aws" ? sdk : require(id)), mod, mod.exports);
    return mod.exports.default;
  }

  /** A request context as Zuplo builds it; `policy` registers credentials as the AWS policy does. */
  function contextFor(options: unknown, policy?: () => Promise<typeof CREDENTIALS>) {
    const logs: string[] = [];
    const context = { route: { handler: { export: "default", module: {}, options } }, log: { error: (m: string) => logs.push(m) } };
    if (policy) sdk.setAwsCredentialProvider(context, policy);
    return { context, logs };
  }

  const shipments = { baseUrl: "${env.SHIPMENTS_ORIGIN_URL}", service: "execute-api", region: "${env.SHIPMENTS_AWS_REGION}" };
  const env = () => ({ SHIPMENTS_ORIGIN_URL: `${origin}/prod`, SHIPMENTS_AWS_REGION: "us-east-1" });

  function expectNoCredentials(...texts: string[]) {
    for (const t of texts) for (const secret of [CREDENTIALS.secretAccessKey, CREDENTIALS.sessionToken]) expect(t).not.toContain(secret);
  }

  it("forwards method, path, query, body and the client's headers, signed for execute-api", async () => {
    received.length = 0;
    const handler = loadModule(env());
    const { context, logs } = contextFor(shipments, async () => CREDENTIALS);
    const body = JSON.stringify({ item: "crate", qty: 3 });
    const request = new Request("https://gw.example/orders/a%20b?x=1&y=a%20b&x=2", {
      method: "POST",
      headers: {
        authorization: "Bearer client-api-key",
        "content-type": "application/json",
        "x-request-id": "req-42",
        "x-amz-security-token": "client-forged-token",
        "x-amz-date": "20000101T000000Z",
        "proxy-authorization": "Basic Zm9vOmJhcg==",
        te: "trailers",
        connection: "x-hop",
        "x-hop": "1",
      },
      body,
    });
    const response = await handler(request, context);
    expect(logs).toEqual([]);
    expect(response.status).toBe(201);
    expect(response.headers.get("x-origin")).toBe("yes");
    expect(await response.json()).toEqual({ ok: true });

    expect(received).toHaveLength(1);
    const r = received[0]!;
    expect(r.method).toBe("POST");
    expect(r.url).toBe("/prod/orders/a%20b?x=1&y=a%20b&x=2");
    expect(r.body.toString("utf8")).toBe(body);
    expect(r.headers["content-type"]).toBe("application/json");
    expect(r.headers["x-request-id"]).toBe("req-42");
    expect(r.headers["content-length"]).toBe(String(Buffer.byteLength(body)));
    for (const h of ["proxy-authorization", "te", "x-hop", "x-amz-content-sha256"]) expect(r.headers[h], h).toBeUndefined();
    // The gateway's signature and session token, never the client's.
    expect(r.headers.authorization).not.toContain("client-api-key");
    expect(r.headers["x-amz-security-token"]).toBe(CREDENTIALS.sessionToken);
    expect(r.headers["x-amz-date"]).not.toBe("20000101T000000Z");
    const auth = String(r.headers.authorization);
    expect(auth).toMatch(
      new RegExp(`^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/us-east-1/execute-api/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token, Signature=[0-9a-f]{64}$`),
    );
    expect(auth).not.toContain(CREDENTIALS.secretAccessKey);
    expect(await recomputeAuthorization(r, CREDENTIALS, "us-east-1", "execute-api")).toBe(auth);
    // The verification is real: another secret, region, service or body gives another signature.
    expect(await recomputeAuthorization(r, { ...CREDENTIALS, secretAccessKey: "another-secret" }, "us-east-1", "execute-api")).not.toBe(auth);
    expect(await recomputeAuthorization(r, CREDENTIALS, "us-east-2", "execute-api")).not.toBe(auth);
    expect(await recomputeAuthorization(r, CREDENTIALS, "us-east-1", "lambda")).not.toBe(auth);
    expect(await recomputeAuthorization({ ...r, body: Buffer.from(`${body} `) }, CREDENTIALS, "us-east-1", "execute-api")).not.toBe(auth);
  });

  it("signs a GET without a body for a Lambda function URL (service lambda), joining paths as urlForwardHandler does", async () => {
    received.length = 0;
    const handler = loadModule({ BILLING_ORIGIN_URL: `${origin}/`, BILLING_AWS_REGION: "eu-west-1" });
    const { context } = contextFor({ baseUrl: "${env.BILLING_ORIGIN_URL}", service: "lambda", region: "${env.BILLING_AWS_REGION}" }, async () => CREDENTIALS);
    const response = await handler(new Request("https://gw.example/invoices/7", { headers: { accept: "application/json" } }), context);
    expect(response.status).toBe(201);
    const r = received[0]!;
    expect([r.method, r.url, r.body.length, r.headers.accept]).toEqual(["GET", "/invoices/7", 0, "application/json"]);
    expect(String(r.headers.authorization)).toMatch(/\/eu-west-1\/lambda\/aws4_request, /);
    expect(await recomputeAuthorization(r, CREDENTIALS, "eu-west-1", "lambda")).toBe(r.headers.authorization);
  });

  it("does not follow a redirect: it would carry the signature elsewhere", async () => {
    received.length = 0;
    const handler = loadModule(env());
    const { context } = contextFor(shipments, async () => CREDENTIALS);
    const response = await handler(new Request("https://gw.example/moved"), context);
    expect(response.status).toBe(302);
    expect(response.headers.get("location")).toBe("https://elsewhere.example/");
    expect(received).toHaveLength(1);
  });

  it("answers 500 when no AWS policy ran on the route, naming the policy in the log only", async () => {
    received.length = 0;
    const handler = loadModule(env());
    const { context, logs } = contextFor(shipments);
    const response = await handler(new Request("https://gw.example/orders", { method: "POST", body: "x" }), context);
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(text).not.toContain("upstream-aws-federated-auth");
    expect(logs.join("\n")).toContain("upstream-aws-federated-auth");
    expect(received).toHaveLength(0);
  });

  it.each([
    ["no options", undefined, /no options/],
    ["a service the role cannot call", { ...shipments, service: "s3" }, /"service" must be "execute-api" or "lambda"/],
    ["an unset variable", { ...shipments, baseUrl: "${env.NOPE_ORIGIN_URL}" }, /unset environment variable\(s\) NOPE_ORIGIN_URL/],
    ["an unresolved $env()", { ...shipments, region: "$env(SHIPMENTS_AWS_REGION)" }, /"region" must be an AWS region/],
    ["a missing region", { baseUrl: shipments.baseUrl, service: "execute-api" }, /"region" must be a non-empty string/],
    ["plain HTTP to a remote host", { ...shipments, baseUrl: "http://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod" }, /must be an https URL/],
    ["a relative URL", { ...shipments, baseUrl: "/prod" }, /must be an absolute URL/],
  ])("answers 500 for %s, without contacting the origin", async (_name, options, log) => {
    received.length = 0;
    const handler = loadModule(env());
    const { context, logs } = contextFor(options, async () => CREDENTIALS);
    const response = await handler(new Request("https://gw.example/orders"), context);
    expect(response.status).toBe(500);
    expect(logs.join("\n")).toMatch(log);
    expect(received).toHaveLength(0);
  });

  it("answers 502 when the credentials cannot be had (STS refused the token), leaking nothing", async () => {
    received.length = 0;
    const handler = loadModule(env());
    const { context, logs } = contextFor(shipments, async () => {
      throw new Error("AssumeRoleWithWebIdentity failed: 403 InvalidIdentityToken");
    });
    const response = await handler(new Request("https://gw.example/orders"), context);
    expect(response.status).toBe(502);
    const text = await response.text();
    expect(text).not.toContain("InvalidIdentityToken");
    expect(logs.join("\n")).toContain("InvalidIdentityToken");
    expectNoCredentials(text, ...logs);
    expect(received).toHaveLength(0);
  });

  it("answers 502 when the origin does not answer, leaking nothing", async () => {
    const closed = createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const handler = loadModule({ SHIPMENTS_ORIGIN_URL: `http://127.0.0.1:${port}/prod`, SHIPMENTS_AWS_REGION: "us-east-1" });
    const { context, logs } = contextFor(shipments, async () => CREDENTIALS);
    const response = await handler(new Request("https://gw.example/orders"), context);
    expect(response.status).toBe(502);
    expectNoCredentials(await response.text(), ...logs);
  });
});

describe("the gateway configuration of the example stack", () => {
  let report: AuditReport;
  let zuplo: string;

  beforeAll(async () => {
    zuplo = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-zuplo-"));
    let out = "";
    const io = { out: { write: (s: string) => ((out += s), true), isTTY: false }, err: { write: () => true, isTTY: false } };
    const code = await main(["audit", "--stack", "example", "--cwd", PROJECT_DIR, "--format", "json", "--write-modules", zuplo], io, { env: {} });
    expect(code).toBe(0);
    report = JSON.parse(out) as AuditReport;
  });

  it("gives shipments the signing handler, with its service and region, and every other origin the handler it had", () => {
    const handlers = Object.fromEntries(report.gatewayPolicies.map((c) => [c.origin, c.handler]));
    expect(handlers.shipments).toEqual({
      export: "default",
      module: "$import(./modules/gatelock-aws-forward)",
      options: { baseUrl: "${env.SHIPMENTS_ORIGIN_URL}", service: "execute-api", region: "${env.SHIPMENTS_AWS_REGION}" },
    });
    // The region variable the handler reads is the one gatelock writes, with the origin's region.
    expect(report.variables.map((v) => v.name)).toEqual(expect.arrayContaining(["SHIPMENTS_ORIGIN_URL", "SHIPMENTS_AWS_REGION"]));
    for (const name of ["orders", "billing", "users", "invoices", "reports", "ledger"]) {
      expect(handlers[name], name).toEqual({ export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: `\${env.${name.toUpperCase()}_ORIGIN_URL}` } });
    }
  });

  it("--write-modules writes the handler module beside the policy modules", () => {
    expect(fs.readdirSync(path.join(zuplo, "modules")).sort()).toEqual(["gatelock-aws-forward.ts", "gatelock-azure-federated.ts", "gatelock-id-token.ts"]);
    expect(fs.readFileSync(path.join(zuplo, AWS_FORWARD_MODULE_PATH), "utf8")).toBe(AWS_FORWARD_HANDLER_MODULE);
    expect(fs.readFileSync(path.join(zuplo, "modules/gatelock-azure-federated.ts"), "utf8")).toBe(AZURE_FEDERATED_POLICY_MODULE);
    expect(fs.readFileSync(path.join(zuplo, "modules/gatelock-id-token.ts"), "utf8")).toBe(GATELOCK_ID_TOKEN_MODULE_SOURCE);
  });

  it("policyModules takes route handlers too, and an AWS policy brings the handler module even without one", () => {
    const shipments = report.gatewayPolicies.find((c) => c.origin === "shipments")!;
    expect(policyModules([], [shipments.handler]).map((m) => m.path)).toEqual([AWS_FORWARD_MODULE_PATH]);
    expect(policyModules(shipments.policies).map((m) => m.path)).toEqual([AWS_FORWARD_MODULE_PATH]);
    const orders = report.gatewayPolicies.find((c) => c.origin === "orders")!;
    expect(policyModules(orders.policies, [orders.handler])).toEqual([]);
  });

  it("the checklist names the handler for shipments and says to add its module; other origins keep urlForwardHandler", () => {
    const md = renderMarkdown(report);
    expect(md).toContain(
      "- [ ] Add the custom route handler module `modules/gatelock-aws-forward.ts` to the Zuplo project (used by shipments); `gatelock audit --stack example --write-modules <dir>` writes it.",
    );
    expect(md).toContain("- [ ] Add the custom policy module `modules/gatelock-azure-federated.ts` to the Zuplo project (used by reports)");
    const step = md.split("\n").find((l) => l.startsWith("  - [ ] Gateway: ") && l.includes("gatelock-shipments-aws-federated"))!;
    expect(step).toContain(
      '(not `urlForwardHandler`: the `default` export of `modules/gatelock-aws-forward.ts`, which signs with the policy\'s credentials, `baseUrl: "${env.SHIPMENTS_ORIGIN_URL}"`, `service: "execute-api"`, `region: "${env.SHIPMENTS_AWS_REGION}"`).',
    );
    // Always shown, so a module used by many origins names a few of them.
    const many = { ...report, gatewayPolicies: ["a", "b", "c", "d", "e", "f"].map((o) => ({ ...report.gatewayPolicies.find((c) => c.origin === "shipments")!, origin: o })) };
    expect(renderMarkdown(many)).toContain("module `modules/gatelock-aws-forward.ts` to the Zuplo project (used by a, b, c and 3 more);");
    const invoices = md.split("\n").find((l) => l.startsWith("  - [ ] Gateway: ") && l.includes("gatelock-invoices-"))!;
    expect(invoices).toContain('(`urlForwardHandler`, `baseUrl: "${env.INVOICES_ORIGIN_URL}"`)');
  });
});
