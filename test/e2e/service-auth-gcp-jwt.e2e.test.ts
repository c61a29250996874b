/**
 * End to end, with the real Zuplo local gateway (`zuplo dev`): method 3's GCP self-signed JWT
 * (`service-auth`, `cloud: gcp`, `token: self-signed-jwt`). gatelock's program runs under the
 * mock engine with the faithful GCP key fake (a real RSA key in Google's credentials-file
 * format); the gateway's `.env` is written by the dotenv sink's provider code, as `pulumi up`
 * runs it; the Zuplo project is gatelock's emitted policy config and route handler. Zuplo's own
 * `upstream-gcp-jwt-inbound` then signs a JWT per request from that `.env` value.
 *
 * The loopback origin plays Cloud Endpoints (ESPv2): it looks the key up by `kid` among the
 * account's published certificates (the Key fake's `publicKey`, as Google serves them at
 * `x-google-jwks_uri`) and pins `alg`, `iss`, `sub`, `aud` and expiry with `jose`.
 *
 * Proves:
 *  - the value gatelock writes is one Zuplo's runtime parses and signs with (no base64, no
 *    double escaping), through Zuplo's own `.env` loader;
 *  - through the gateway the origin receives a JWT it accepts, signed by the current key slot,
 *    with iss = sub = the gateway's account and aud = the configured audience;
 *  - straight to the origin, no token, a token signed by another key, or a correctly signed
 *    token with another aud/iss, expired, or another algorithm, gets 401.
 *
 * Traffic goes to 127.0.0.1 only; no key, credentials file or token is ever printed; every
 * process started here is stopped by PID, including when a test fails.
 */
import { generateKeyPairSync, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { createRequire } from "node:module";
import * as path from "node:path";
import { parseEnv } from "node:util";
import { type CryptoKey, decodeProtectedHeader, importPKCS8, importX509, type JWTHeaderParameters, jwtVerify, SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dotenvFileProvider, type DotenvFileInputs, type DotenvFileOutputs } from "../../components/dotenv/dotenv-file";
import type { OriginGatewayConfig, ZuploPolicy } from "../../components/gateway/zuplo-policies";
import { type ProgramRun, reveal, runProgram } from "../harness";
import { buildZuploProject, delay, E2E_WORK_DIR, e2eSkipReason, ensureE2eTools, freePorts, sha256Hex, startZuploDev, ZUPLO_DOTENV, type ZuploDev } from "./zuplo-dev";

const skip = e2eSkipReason();
if (skip) console.log(`e2e (zuplo dev, GCP self-signed JWT) skipped: ${skip}`);

const AUDIENCE = "https://legacy.endpoints.acme-prod.cloud.goog";
const VARIABLE = "LEGACY_GCP_SERVICE_ACCOUNT_JSON";
const ROUTE = "/legacy/status";
const KEY_TYPE = "gcp:serviceaccount/key:Key";

interface Credentials {
  readonly client_email: string;
  readonly private_key_id: string;
  readonly private_key: string;
}

/** What the origin saw in a token it accepted: claims and header only, never the token. */
interface Seen {
  readonly iss?: string;
  readonly sub?: string;
  readonly aud?: string | string[];
  readonly kid?: string;
  readonly alg?: string;
  readonly lifetimeSeconds?: number;
}

describe.skipIf(skip !== undefined)("GCP self-signed JWT (upstream-gcp-jwt-inbound), end to end through the real Zuplo gateway", () => {
  const timings: Record<string, string> = {};
  const suiteStarted = Date.now();
  /** Everything secret (key, credentials file, tokens): redacted from any log shown on failure. */
  const secrets: string[] = [];

  let workDir: string | undefined;
  let gatewayDir: string;
  let ports: { origin: number; gateway: number; editor: number };
  let deployment: GcpJwtDeployment;
  let creds: Credentials;
  let gatewayEnv: DotenvFileOutputs;
  let origin: JwtOrigin | undefined;
  let zuplo: ZuploDev | undefined;
  /** The first answer through the gateway (status and body), so a failure can say what happened. */
  let firstAnswer: { status: number; body: Record<string, unknown>; ms: number };

  beforeAll(async () => {
    const install = await ensureE2eTools();
    timings.install = install.installed ? `${install.seconds.toFixed(1)} s (npm ci)` : `${install.seconds.toFixed(1)} s (up to date, no install)`;
  }, 300_000);

  beforeAll(async () => {
    fs.mkdirSync(E2E_WORK_DIR, { recursive: true });
    workDir = fs.mkdtempSync(path.join(E2E_WORK_DIR, "gcp-jwt-"));
    gatewayDir = path.join(workDir, "gateway");
    const [originPort, gatewayPort, editorPort] = await freePorts(3);
    ports = { origin: originPort!, gateway: gatewayPort!, editor: editorPort! };

    const programStarted = Date.now();
    deployment = await deployGcpJwt({ originPort: ports.origin, projectDir: gatewayDir });
    timings.program = `${Date.now() - programStarted} ms (mock engine, including RSA key generation)`;
    const json = deployment.gatewayFile.entries[VARIABLE]!;
    creds = JSON.parse(json) as Credentials;
    secrets.push(json, creds.private_key, ...pemBodyLines(creds.private_key));

    const config = deployment.gatewayConfig;
    buildZuploProject(gatewayDir, { policies: deployment.policies, routes: [{ path: ROUTE, handler: config.handler!, inbound: config.inbound }] });
    gatewayEnv = (await dotenvFileProvider.create(deployment.gatewayFile)).outs!;

    origin = await startJwtOrigin(ports.origin, {
      certificates: deployment.certificates,
      issuer: creds.client_email,
      audience: AUDIENCE,
      onToken: (token) => secrets.push(token),
    });
    zuplo = await startZuploDev(gatewayDir, { port: ports.gateway, editorPort: ports.editor, redact: secrets });
    timings.gatewayReady = `${zuplo.readyMs} ms after spawn`;
    // The gateway answers HTTP before the route is built: wait for an answer that is not a
    // cold-start 404/5xx, but keep whatever it last said so a failing test can show it.
    firstAnswer = await firstRealAnswer(`${zuplo.url}${ROUTE}`, 30_000);
    timings.timeToFirstAnswer = `${zuplo.readyMs + firstAnswer.ms} ms after spawn (HTTP ${firstAnswer.status})`;
  }, 150_000);

  afterAll(async () => {
    const failures: unknown[] = [];
    for (const step of [() => zuplo?.stop(), () => origin?.close()]) {
      try {
        await step();
      } catch (e) {
        failures.push(e);
      }
    }
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    timings.total = `${((Date.now() - suiteStarted) / 1000).toFixed(1)} s (including install)`;
    console.log(`e2e timings: ${JSON.stringify(timings, null, 2)}`);
    if (failures.length > 0) throw failures[0];
  }, 60_000);

  const direct = (authorization?: string) => get(`http://127.0.0.1:${ports.origin}${ROUTE}`, authorization === undefined ? {} : { authorization });
  const viaGateway = (headers: Record<string, string> = {}) => get(`${zuplo!.url}${ROUTE}`, headers);
  /** What went wrong at the gateway, for assertion messages: its answer and its (redacted) log. */
  const redact = (text: string) => secrets.filter((s) => s.length > 0).reduce((t, s) => t.split(s).join("[redacted]"), text);
  const gatewayStory = (answer: { status: number; body: Record<string, unknown> }) =>
    redact(`gateway answered HTTP ${answer.status} ${JSON.stringify(answer.body)}; zuplo dev log (redacted):\n${zuplo?.logs().slice(-4_000) ?? "(not running)"}`);

  it("the .env gatelock wrote holds the credentials file on one line, as Zuplo's own loader reads it", () => {
    const file = path.resolve(gatewayEnv.projectDir ?? "/", gatewayEnv.path);
    expect(file).toBe(path.join(gatewayDir, ".env"));
    expect((fs.statSync(file).mode & 0o777).toString(8)).toBe("600");
    const text = fs.readFileSync(file, "utf8");
    expect(text.includes("__ZUPLO_REMOTE_LOG_URL=\n"), "buildZuploProject's settings are kept").toBe(true);
    // Zuplo's dotenv (bundled by the CLI) reads back exactly what gatelock meant to give the
    // gateway; compared by digest so a failure prints no key.
    const zuploDotenv = createRequire(__filename)(ZUPLO_DOTENV) as { parse(src: string): Record<string, string> };
    const parsed = zuploDotenv.parse(text);
    expect(sha256Hex(parsed[VARIABLE] ?? "")).toBe(sha256Hex(deployment.gatewayFile.entries[VARIABLE]!));
    expect(sha256Hex(parsed[VARIABLE] ?? "")).toBe(sha256Hex(parseEnv(text)[VARIABLE] ?? ""));
    expect(parsed.LEGACY_ORIGIN_URL).toBe(`http://127.0.0.1:${ports.origin}`);
    const value = parsed[VARIABLE]!;
    expect(value.includes("\n"), "one line").toBe(false);
    expect(value.includes("\\\\n"), "no double-escaped newlines (they break the key import)").toBe(false);
    expect(creds.client_email).toBe("gl-local-jwt@acme-prod.iam.gserviceaccount.com");
    expect(creds.private_key.startsWith("-----BEGIN PRIVATE KEY-----\n"), "PKCS#8 PEM, as importPKCS8 requires").toBe(true);
    // The gateway holds the current slot's key: exactly one of the account's published keys.
    expect(deployment.certificates.has(creds.private_key_id)).toBe(true);
    expect(deployment.currentSlot).toMatch(/^gcp-gateway-jwt-key-[ab]$/);
  });

  it("through the gateway, the origin accepts the JWT Zuplo signed: current key, iss = sub = the account, aud = the audience", async () => {
    expect(firstAnswer.status, `upstream-gcp-jwt-inbound did not get a request through: ${gatewayStory(firstAnswer)}`).toBe(200);
    const before = origin!.seen.length;
    const res = await viaGateway();
    expect(res.status, gatewayStory(res)).toBe(200);
    expect(res.body).toMatchObject({ ok: true, path: ROUTE });
    const seen = origin!.seen.slice(before);
    expect(seen).toHaveLength(1);
    expect(seen[0]).toEqual({
      alg: "RS256",
      kid: creds.private_key_id,
      iss: creds.client_email,
      sub: creds.client_email,
      aud: AUDIENCE,
      lifetimeSeconds: 3600,
    } satisfies Seen);
    console.log(`origin saw (via gateway): ${JSON.stringify({ ...seen[0], slot: deployment.currentSlot })}`);
  });

  it("a client's own Authorization header does not reach the origin: the gateway's token replaces it", async () => {
    const forged = await signWith(generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey, { kid: creds.private_key_id, iss: creds.client_email, aud: AUDIENCE });
    const before = origin!.seen.length;
    const res = await viaGateway({ authorization: `Bearer ${forged}` });
    expect(res.status, gatewayStory(res)).toBe(200);
    expect(origin!.seen.slice(before)[0]).toMatchObject({ kid: creds.private_key_id, iss: creds.client_email, aud: AUDIENCE });
  });

  it("straight to the origin: no token, another key, another aud/iss, expired or another algorithm gets 401", async () => {
    const realKey = await importPKCS8(creds.private_key, "RS256");
    const otherKey = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey;
    const good = { kid: creds.private_key_id, iss: creds.client_email, aud: AUDIENCE };
    // Each case with the check that must refuse it (jose's error code), so a 401 for the
    // wrong reason (say, a typo in the test's own claims) does not pass.
    const refused: Array<[string, string | undefined, string]> = [
      ["no Authorization header", undefined, "no bearer token"],
      ["an empty bearer", "Bearer ", "no bearer token"],
      ["not a JWT", "Bearer not-a-jwt", "ERR_JWS_INVALID"],
      ["signed by another key, claiming the account's kid", `Bearer ${await signWith(otherKey, good)}`, "ERR_JWS_SIGNATURE_VERIFICATION_FAILED"],
      ["the right key, another audience", `Bearer ${await signWith(realKey, { ...good, aud: "https://other.endpoints.acme-prod.cloud.goog" })}`, "ERR_JWT_CLAIM_VALIDATION_FAILED aud"],
      ["the right key, another issuer and subject", `Bearer ${await signWith(realKey, { ...good, iss: "someone@acme-prod.iam.gserviceaccount.com" })}`, "ERR_JWT_CLAIM_VALIDATION_FAILED iss"],
      ["the right key, sub differs from iss", `Bearer ${await signWith(realKey, { ...good, sub: "someone@acme-prod.iam.gserviceaccount.com" })}`, "ERR_JWT_CLAIM_VALIDATION_FAILED sub"],
      ["the right key, expired an hour ago", `Bearer ${await signWith(realKey, { ...good, iat: nowSeconds() - 7200, exp: nowSeconds() - 3600 })}`, "ERR_JWT_EXPIRED exp"],
      ["the right key, an unknown kid", `Bearer ${await signWith(realKey, { ...good, kid: "0".repeat(40) })}`, "no published key for this kid"],
      ["HS256 keyed with the public certificate (algorithm confusion)", `Bearer ${await signHs256WithCertificate(deployment.certificates.get(creds.private_key_id)!.pem, good)}`, "ERR_JOSE_ALG_NOT_ALLOWED"],
    ];
    const answers = Object.fromEntries(await Promise.all(refused.map(async ([why, auth]) => [why, await direct(auth)] as const)));
    expect(Object.fromEntries(Object.entries(answers).map(([why, a]) => [why, `${a.status} ${String(a.body.reason)}`]))).toEqual(
      Object.fromEntries(refused.map(([why, , reason]) => [why, `401 ${reason}`])),
    );
    // The 401s are about the token, not the route: the same claims, properly signed, are accepted.
    const ok = await direct(`Bearer ${await signWith(realKey, good)}`);
    expect(ok.status).toBe(200);
  });
});

// ---------------------------------------------------------------------------------------
// gatelock's program: one GCP self-signed-JWT origin on loopback, gateway on a dotenv file
// ---------------------------------------------------------------------------------------

interface GcpJwtDeployment {
  readonly run: ProgramRun;
  readonly gatewayConfig: OriginGatewayConfig;
  readonly policies: readonly ZuploPolicy[];
  /** The dotenv sink's inputs for the gateway's `.env`, as the program registered them. */
  readonly gatewayFile: DotenvFileInputs & { readonly entries: Record<string, string> };
  /** The account's keys as Google publishes them (kid → certificate), from the Key fakes. */
  readonly certificates: ReadonlyMap<string, { readonly pem: string; readonly slot: string }>;
  /** The Key resource whose private key the gateway holds. */
  readonly currentSlot: string;
}

async function deployGcpJwt(args: { originPort: number; projectDir: string }): Promise<GcpJwtDeployment> {
  const config = {
    // As stacks/Pulumi.local.yaml: nothing goes to Zuplo's API, the gateway reads `.env`.
    gateway: { kind: "zuplo", account: "local", project: "local-dev", branch: "main", environment: { developerApi: false, dotenv: ".env" } },
    origins: [
      {
        name: "legacy",
        method: "service-auth",
        cloud: "gcp",
        // Plain HTTP is allowed for loopback only; ESPv2 would sit here in production.
        url: `http://127.0.0.1:${args.originPort}`,
        gcp: { project: "acme-prod", token: "self-signed-jwt", endpoints: { serviceName: "legacy.endpoints.acme-prod.cloud.goog", audience: AUDIENCE } },
      },
    ],
  };
  const run = await runProgram(config, { stack: "local", projectDir: args.projectDir });
  const files = run.resources
    .filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:DotenvFile")
    .map((r) => ({ path: String(r.inputs.path), projectDir: String(r.inputs.projectDir), entries: reveal(r.inputs.entries) as Record<string, string> }));
  if (files.length !== 1) throw new Error(`expected one dotenv file (the gateway's), found ${files.length}`);
  const gatewayFile = files[0]!;
  const gatewayConfig = run.outputs.gatewayPolicies.find((c) => c.origin === "legacy");
  if (!gatewayConfig) throw new Error("no gateway policy config for origin legacy");

  const certificates = new Map<string, { pem: string; slot: string }>();
  for (const [key, produced] of run.fakes.produced) {
    if (!key.startsWith(`${KEY_TYPE}::`)) continue;
    const state = produced.state as { name: string; publicKey: string };
    const kid = state.name.split("/keys/")[1]!;
    // Google serves `x509/<email>` as PEM; the provider's `publicKey` is its base64.
    certificates.set(kid, { pem: new X509Certificate(Buffer.from(String(state.publicKey), "base64")).toString(), slot: key.slice(KEY_TYPE.length + 2) });
  }
  const kid = (JSON.parse(gatewayFile.entries[VARIABLE] ?? "{}") as { private_key_id?: string }).private_key_id ?? "";
  const currentSlot = certificates.get(kid)?.slot ?? "(the gateway's key is none of the account's keys)";
  return { run, gatewayConfig, policies: run.outputs.policiesJson.policies, gatewayFile, certificates, currentSlot };
}

// ---------------------------------------------------------------------------------------
// The origin: what Cloud Endpoints (ESPv2) checks, on node:http with jose
// ---------------------------------------------------------------------------------------

interface JwtOrigin {
  /** Claims of every token accepted, in order (never the token itself). */
  readonly seen: Seen[];
  close(): Promise<void>;
}

async function startJwtOrigin(
  port: number,
  opts: { certificates: ReadonlyMap<string, { pem: string }>; issuer: string; audience: string; onToken: (token: string) => void },
): Promise<JwtOrigin> {
  const keys = new Map<string, CryptoKey>();
  for (const [kid, { pem }] of opts.certificates) keys.set(kid, await importX509(pem, "RS256"));
  // By kid, as ESPv2 picks a certificate from `x-google-jwks_uri`; no kid, no key.
  const keyFor = (header: JWTHeaderParameters) => {
    const key = header.kid === undefined ? undefined : keys.get(header.kid);
    if (!key) throw new Error("no published key for this kid");
    return key;
  };
  const seen: Seen[] = [];

  const server = http.createServer((req, res) => {
    res.setHeader("connection", "close");
    res.setHeader("content-type", "application/json");
    const match = /^Bearer (.+)$/.exec(req.headers.authorization ?? "");
    if (!match) {
      res.statusCode = 401;
      res.end(JSON.stringify({ ok: false, reason: "no bearer token" }));
      return;
    }
    const token = match[1]!;
    opts.onToken(token);
    jwtVerify(token, keyFor, { algorithms: ["RS256"], issuer: opts.issuer, subject: opts.issuer, audience: opts.audience, requiredClaims: ["iat", "exp"] }).then(
      ({ payload, protectedHeader }) => {
        const entry: Seen = {
          alg: protectedHeader.alg,
          kid: protectedHeader.kid!,
          iss: payload.iss!,
          sub: payload.sub!,
          aud: payload.aud!,
          lifetimeSeconds: payload.exp! - payload.iat!,
        };
        seen.push(entry);
        res.end(JSON.stringify({ ok: true, path: req.url }));
      },
      (e: Error & { code?: string; claim?: string }) => {
        res.statusCode = 401;
        // jose's code (and the claim it rejected) name the failed check; never the token.
        res.end(JSON.stringify({ ok: false, reason: e.code ? [e.code, e.claim].filter(Boolean).join(" ") : e.message }));
      },
    );
  });
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(port, "127.0.0.1", resolve));
  return {
    seen,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

// ---------------------------------------------------------------------------------------
// Tokens the test forges
// ---------------------------------------------------------------------------------------

const nowSeconds = () => Math.floor(Date.now() / 1000);

/** A JWT shaped exactly like Zuplo's (header without `typ`), with the given key and claims. */
async function signWith(key: Parameters<SignJWT["sign"]>[0], c: { kid: string; iss: string; sub?: string; aud: string; iat?: number; exp?: number }): Promise<string> {
  const iat = c.iat ?? nowSeconds();
  return new SignJWT({})
    .setProtectedHeader({ alg: "RS256", kid: c.kid })
    .setIssuer(c.iss)
    .setSubject(c.sub ?? c.iss)
    .setAudience(c.aud)
    .setIssuedAt(iat)
    .setExpirationTime(c.exp ?? iat + 3600)
    .sign(key);
}

/** The classic confusion attack: HMAC keyed with the public certificate's bytes. */
async function signHs256WithCertificate(pem: string, c: { kid: string; iss: string; aud: string }): Promise<string> {
  const token = await new SignJWT({}).setProtectedHeader({ alg: "HS256", kid: c.kid }).setIssuer(c.iss).setSubject(c.iss).setAudience(c.aud).setIssuedAt().setExpirationTime("1h").sign(new TextEncoder().encode(pem));
  if (decodeProtectedHeader(token).alg !== "HS256") throw new Error("forged token is not HS256");
  return token;
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

/** The base64 lines of a PEM, so that a log quoting the key in any wrapping is still redacted. */
function pemBodyLines(pem: string): string[] {
  return pem
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith("-----"));
}

/**
 * Poll until the route gives an answer that is not the cold start's (404 before the route
 * exists, 502/503 while building); bounded, returning the last answer either way.
 */
async function firstRealAnswer(url: string, timeoutMs: number): Promise<{ status: number; body: Record<string, unknown>; ms: number }> {
  const started = Date.now();
  let last: { status: number; body: Record<string, unknown> } = { status: 0, body: { error: "no answer" } };
  while (Date.now() - started < timeoutMs) {
    try {
      last = await get(url, {});
      if (![404, 502, 503].includes(last.status)) break;
    } catch (e) {
      last = { status: 0, body: { error: (e as Error).message } };
    }
    await delay(200);
  }
  return { ...last, ms: Date.now() - started };
}

/** One GET on a fresh connection. */
async function get(url: string, headers: Record<string, string>): Promise<{ status: number; body: Record<string, unknown> }> {
  if (!url.startsWith("http://127.0.0.1:")) throw new Error("e2e traffic goes to 127.0.0.1 only");
  const { status, text } = await new Promise<{ status: number; text: string }>((resolve, reject) => {
    const req = http.get(url, { headers, agent: false, timeout: 15_000 }, (res) => {
      let data = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => (data += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, text: data }));
      res.on("error", reject);
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
  });
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { raw: text.slice(0, 500) };
  }
  return { status, body };
}
