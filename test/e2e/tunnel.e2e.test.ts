/**
 * End to end, with the real Zuplo local gateway in its managed-dedicated runtime: a `tunnel`
 * origin (docker connector) whose gateway variable gatelock's program sets to
 * `service://<service>`, and gatelock's emitted route handler (`urlForwardHandler` with
 * `baseUrl: "${env.WAREHOUSE_ORIGIN_URL}"`), routed by Zuplo's own tunnel routing
 * (`@zuplo/runtime`'s `service:` fetch handler) offline.
 *
 * What stands in for Zuplo's platform, and only in this test:
 *  - `__ZUPLO_EXTERNAL_SERVICE_TOKEN` in the gateway's `.env`: base64 JSON of a random
 *    Cloudflare Access service token (`clientId`, `clientSecret`) and a `customServiceMapping`
 *    sending the service to the edge stand-in. A deployed gateway gets this from Zuplo; gatelock
 *    never writes it (asserted).
 *  - the tunnel edge + connector: an HTTPS server on loopback (certificate from a CA made here,
 *    trusted by the gateway through `DENO_CERT`) that refuses any request without the service
 *    token (403, as Cloudflare Access does) and forwards the others to the origin, as the
 *    connector would.
 *
 * Proves:
 *  - what gatelock's program and audit put in the gateway's environment for the origin is
 *    exactly the non-secret `service://warehouse-<stack>` URL, the very service the tunnel
 *    registers; `gateway sync` re-points a route that forwarded to the origin's private address
 *    at that variable, with exactly gatelock's emitted handler;
 *  - through the gateway, a request to the route reaches the origin through the edge stand-in,
 *    which saw the gateway's service token (path, query, method and body kept);
 *  - straight to the edge, no token or a wrong secret is refused with 403.
 *
 * Traffic goes to 127.0.0.1 only; the token's secret is never printed; every process is
 * stopped by PID.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../../components/audit/report";
import { dotenvFileProvider, type DotenvFileInputs } from "../../components/dotenv/dotenv-file";
import { one, type ProgramRun, reveal, runProgram } from "../harness";
import { lockedOrigins } from "../../components/gateway-project/locked-origins";
import { syncGatewayProject } from "../../components/gateway-project/sync";
import { buildZuploProject, E2E_WORK_DIR, e2eSkipReason, ensureE2eTools, freePorts, sha256Hex, startZuploDev, waitForStatus, type ZuploDev } from "./zuplo-dev";

const skip = e2eSkipReason();
if (skip) console.log(`e2e (zuplo dev, tunnel) skipped: ${skip}`);

const STACK = "dev";
const SERVICE = `warehouse-${STACK}`;
const IMAGE = `zuplo/tunnel@sha256:${"a".repeat(64)}`;
/** The Developer API is on (tunnels need it) but never reached: the program runs under mocks. */
const gateway = { kind: "zuplo", account: "local", project: "local-dev", branch: "main", environment: { developerApi: true, apiUrl: "http://127.0.0.1:1", dotenv: ".env" } };
const VIA = "tunnel-edge-stand-in";

describe.skipIf(skip !== undefined)("tunnel origin, end to end through the real Zuplo gateway's tunnel routing", () => {
  const timings: Record<string, string> = {};
  const suiteStarted = Date.now();
  const token = { clientId: `${crypto.randomUUID()}.access`, clientSecret: crypto.randomBytes(32).toString("hex") };
  let workDir: string;
  let gatewayDir: string;
  let ports: { origin: number; edge: number; gateway: number; editor: number };
  let deployed: Deployed;
  let ca: string;
  let origin: Server<OriginSeen> | undefined;
  let edge: Server<EdgeSeen> | undefined;
  let zuplo: ZuploDev | undefined;

  beforeAll(async () => {
    const install = await ensureE2eTools();
    timings.install = `${install.seconds.toFixed(1)} s`;
  }, 300_000);

  beforeAll(async () => {
    fs.mkdirSync(E2E_WORK_DIR, { recursive: true });
    workDir = fs.mkdtempSync(path.join(E2E_WORK_DIR, "tunnel-"));
    gatewayDir = path.join(workDir, "gateway");
    fs.mkdirSync(gatewayDir);
    // The project is a git repository that ignores what gatelock writes (the model checks it).
    execFileSync("git", ["init", "-q", gatewayDir], { stdio: "ignore" });
    fs.writeFileSync(path.join(gatewayDir, ".gitignore"), ".gatelock/\n.env*\n");
    // The editor port must not be the gateway's + 1: Deno's stats server takes that one.
    const [o, x, g, , e] = await freePorts(5);
    ports = { origin: o!, edge: x!, gateway: g!, editor: e! };

    const started = Date.now();
    deployed = await deploy(gatewayDir, ports.origin);
    timings.program = `${Date.now() - started} ms`;

    const pki = edgePki(workDir);
    ca = pki.ca;
    const serviceToken = Buffer.from(JSON.stringify({ ...token, customServiceMapping: { [SERVICE]: `127.0.0.1:${ports.edge}` } })).toString("base64");
    buildZuploProject(gatewayDir, {
      policies: [],
      // The route as it was before the tunnel: straight to the origin's private address, which
      // the gateway cannot reach. `gateway sync` re-points it at the tunnel's service (below).
      routes: [{ path: "/stock", methods: ["get", "post"], baseUrl: `http://127.0.0.1:${ports.origin}`, inbound: [] }],
      projectType: "managed-dedicated",
      dotenvText: `# Stands in for what Zuplo's platform injects in a deployed gateway (this test only)\n__ZUPLO_EXTERNAL_SERVICE_TOKEN=${serviceToken}\n`,
    });
    const locked = lockedOrigins(deployed.run.deployment.model.origins);
    expect(syncGatewayProject({ projectDir: gatewayDir, origins: locked, stack: STACK, mode: "check" }).findings.map((f) => f.code)).toEqual(["ERR_ROUTE_UNLOCKED", "ERR_ROUTE_UNLOCKED"]);
    expect(syncGatewayProject({ projectDir: gatewayDir, origins: locked, stack: STACK }).findings).toEqual([]);
    const routes = JSON.parse(fs.readFileSync(path.join(gatewayDir, "config", "routes.oas.json"), "utf8")) as { paths: Record<string, Record<string, { "x-zuplo-route": { handler: unknown } }>> };
    expect(Object.values(routes.paths["/stock"]!).map((op) => op["x-zuplo-route"].handler)).toEqual([deployed.handler, deployed.handler]);
    for (const f of deployed.files) await dotenvFileProvider.create(f);

    origin = await startOrigin(ports.origin);
    edge = await startEdge(ports.edge, pki.server, token, ports.origin);
    zuplo = await startZuploDev(gatewayDir, {
      port: ports.gateway,
      editorPort: ports.editor,
      trustedCaFile: path.join(workDir, "edge-ca.pem"),
      redact: [token.clientSecret, serviceToken],
    });
    const ok = await waitForStatus(`${zuplo.url}/stock`, 200).catch((err: Error) => {
      throw new Error(`${err.message}\nzuplo dev said:\n${zuplo!.logs().slice(-4000)}`);
    });
    timings.startReady = `${zuplo.readyMs} ms`;
    timings.timeToFirst200 = `${zuplo.readyMs + ok} ms after spawn`;
  }, 180_000);

  afterAll(async () => {
    const failures: unknown[] = [];
    for (const step of [() => zuplo?.stop(), () => edge?.close(), () => origin?.close()]) {
      try {
        await step();
      } catch (e) {
        failures.push(e);
      }
    }
    if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
    timings.total = `${((Date.now() - suiteStarted) / 1000).toFixed(1)} s (including install)`;
    console.log(`e2e (tunnel) timings: ${JSON.stringify(timings, null, 2)}`);
    if (failures.length > 0) throw failures[0];
  }, 60_000);

  it("gatelock puts exactly the service:// URL of the tunnel's service in the gateway's environment, and nothing else", async () => {
    const url = `service://${SERVICE}`;
    // The program: the dotenv sink and the Developer API variable, plain (not secret).
    expect(deployed.files).toHaveLength(1);
    expect(deployed.files[0]!.entries).toEqual({ WAREHOUSE_ORIGIN_URL: url });
    const variable = one(deployed.run.resources, "pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    expect(reveal(variable.inputs)).toMatchObject({ name: "WAREHOUSE_ORIGIN_URL", value: url, isSecret: false });
    expect(deployed.run.outputs.gatewayVariables.map((v) => [v.name, v.isSecret])).toEqual([["WAREHOUSE_ORIGIN_URL", false]]);
    // The service the tunnel registers is the host the variable names.
    const services = reveal(one(deployed.run.resources, "pulumi-nodejs:dynamic/gatelock:ZuploTunnelServices").inputs) as { services: Array<{ name: string; endpoint: string }> };
    expect(services.services.map((s) => [s.name, s.endpoint])).toEqual([[SERVICE, `http://127.0.0.1:${ports.origin}`]]);
    // The handler forwards to the variable.
    expect(deployed.handler).toEqual({ export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: "${env.WAREHOUSE_ORIGIN_URL}" } });

    // The audit of the same config (from a stack file, as `gatelock audit --stack dev` reads it).
    const report = await runAudit({ projectDir: deployed.auditDir, stack: STACK, env: {} });
    expect(report.variables.map((v) => [v.name, v.isSecret, v.sinks])).toEqual([["WAREHOUSE_ORIGIN_URL", false, ["zuplo-developer-api", "dotenv:.env"]]]);
    const audited = report.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:DotenvFile" || r.type === "pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    expect(audited.map((r) => r.inputs.entries ?? { [String(r.inputs.name)]: r.inputs.value })).toEqual(expect.arrayContaining([{ WAREHOUSE_ORIGIN_URL: url }, { WAREHOUSE_ORIGIN_URL: url }]));
    expect(audited).toHaveLength(2);

    // On disk: gatelock's entry merged into the project's .env; the platform's token is the
    // test's line, which gatelock neither wrote nor touched.
    const env = parseEnv(fs.readFileSync(path.join(gatewayDir, ".env"), "utf8"));
    expect(env.WAREHOUSE_ORIGIN_URL).toBe(url);
    expect(Object.keys(env).sort()).toEqual(["WAREHOUSE_ORIGIN_URL", "__ZUPLO_EXTERNAL_SERVICE_TOKEN", "__ZUPLO_LOG_LEVEL", "__ZUPLO_REMOTE_LOG_URL"].sort());
    expect(JSON.stringify(deployed.run.resources)).not.toContain("__ZUPLO_EXTERNAL_SERVICE_TOKEN");
  });

  it("through the gateway, the request reaches the origin through the edge stand-in, which saw the gateway's service token", async () => {
    const [e0, o0] = [edge!.seen.length, origin!.seen.length];
    const res = await request(`${zuplo!.url}/stock?sku=42`);
    expect(res.status).toBe(200);
    const body = JSON.parse(res.body) as OriginSeen;
    expect(body).toMatchObject({ method: "GET", path: "/stock?sku=42" });
    expect(body.headers["x-e2e-via"]).toBe(VIA);
    // The edge saw the service token (compared there, never returned) and forwarded this request.
    expect(edge!.seen.slice(e0)).toEqual([{ method: "GET", path: "/stock?sku=42", clientId: token.clientId, secretSha256: sha256Hex(token.clientSecret), forwarded: true }]);
    expect(origin!.seen.slice(o0)).toHaveLength(1);

    const post = await request(`${zuplo!.url}/stock`, { method: "POST", body: JSON.stringify({ sku: 7, count: 3 }), headers: { "content-type": "application/json" } });
    expect(post.status).toBe(200);
    expect(JSON.parse(post.body)).toMatchObject({ method: "POST", path: "/stock", body: JSON.stringify({ sku: 7, count: 3 }) });
    expect(edge!.seen.at(-1)).toMatchObject({ method: "POST", clientId: token.clientId, secretSha256: sha256Hex(token.clientSecret), forwarded: true });
  });

  it("straight to the edge, no service token or a wrong secret is refused with 403", async () => {
    const o0 = origin!.seen.length;
    expect(await direct(ports.edge, ca, {})).toBe(403);
    expect(await direct(ports.edge, ca, { "cf-access-client-id": token.clientId })).toBe(403);
    expect(await direct(ports.edge, ca, { "cf-access-client-id": token.clientId, "cf-access-client-secret": crypto.randomBytes(32).toString("hex") })).toBe(403);
    expect(origin!.seen.length).toBe(o0);
    // The refusals are about the token: with it, the edge forwards.
    expect(await direct(ports.edge, ca, { "cf-access-client-id": token.clientId, "cf-access-client-secret": token.clientSecret })).toBe(200);
    expect(origin!.seen.length).toBe(o0 + 1);
  });
});

interface Deployed {
  readonly run: ProgramRun;
  readonly handler: { readonly export: string; readonly module: string; readonly options: Record<string, unknown> };
  readonly files: readonly DotenvFileInputs[];
  /** A project holding the same config as a stack file, for the audit. */
  readonly auditDir: string;
}

/** gatelock's program for the tunnel origin, under the mock engine (no Pulumi CLI, no Zuplo API). */
async function deploy(projectDir: string, originPort: number): Promise<Deployed> {
  const origins = [{ name: "warehouse", method: "tunnel", cloud: "docker", tunnel: { endpoint: `http://127.0.0.1:${originPort}`, image: IMAGE } }];
  const run = await runProgram({ gateway, origins }, { stack: STACK, projectDir });
  const files = run.resources
    .filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:DotenvFile")
    .map((r) => ({ path: String(r.inputs.path), projectDir: String(r.inputs.projectDir), entries: reveal(r.inputs.entries) as Record<string, string> }));
  expect(run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:DotenvFile").map((r) => r.name)).toEqual(["gateway-dotenv"]);
  const handler = run.outputs.gatewayPolicies.find((c) => c.origin === "warehouse")!.handler!;
  // The audit reads a stack file: the same config, in a sibling project (JSON is YAML).
  const auditDir = path.join(path.dirname(projectDir), "audit");
  fs.mkdirSync(auditDir, { recursive: true });
  execFileSync("git", ["init", "-q", auditDir], { stdio: "ignore" });
  fs.writeFileSync(path.join(auditDir, ".gitignore"), ".gatelock/\n.env*\n");
  fs.writeFileSync(path.join(auditDir, "Pulumi.yaml"), "name: gatelock\nruntime: nodejs\n");
  fs.writeFileSync(path.join(auditDir, `Pulumi.${STACK}.yaml`), `${JSON.stringify({ config: { "gatelock:gateway": gateway, "gatelock:origins": origins } }, null, 2)}\n`);
  return { run, handler: handler as Deployed["handler"], files, auditDir };
}

/** The edge's server certificate, from a CA the gateway trusts (DENO_CERT). */
function edgePki(dir: string) {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=e2e tunnel edge CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", "-days", "2", "-keyout", f("edge-ca.key"), "-out", f("edge-ca.pem")]);
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", f("edge.key"), "-out", f("edge.csr")]);
  fs.writeFileSync(f("edge.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  run(["x509", "-req", "-in", f("edge.csr"), "-CA", f("edge-ca.pem"), "-CAkey", f("edge-ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("edge.ext"), "-out", f("edge.crt")]);
  return { ca: fs.readFileSync(f("edge-ca.pem"), "utf8"), server: { key: fs.readFileSync(f("edge.key"), "utf8"), cert: fs.readFileSync(f("edge.crt"), "utf8") } };
}

interface Server<T> {
  readonly seen: T[];
  close(): Promise<void>;
}

interface OriginSeen {
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** The origin, plain HTTP on loopback (reachable only through the connector in real life): echoes what it saw. */
async function startOrigin(port: number): Promise<Server<OriginSeen>> {
  const seen: OriginSeen[] = [];
  const srv = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const entry = { method: req.method ?? "", path: req.url ?? "", headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
      seen.push(entry);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(entry));
    });
  });
  await new Promise<void>((r) => srv.listen(port, "127.0.0.1", r));
  return { seen, close: () => closeServer(srv) };
}

interface EdgeSeen {
  readonly method: string;
  readonly path: string;
  readonly clientId: string | undefined;
  /** The secret it got, as a digest (never kept in clear). */
  readonly secretSha256: string | undefined;
  readonly forwarded: boolean;
}

/**
 * The tunnel edge and connector in one: HTTPS, refuses (403, like Cloudflare Access) a request
 * without the service token, and forwards the others to the origin without the token's headers.
 */
async function startEdge(port: number, tls: { key: string; cert: string }, token: { clientId: string; clientSecret: string }, originPort: number): Promise<Server<EdgeSeen>> {
  const seen: EdgeSeen[] = [];
  const equal = (a: string | undefined, b: string) => a !== undefined && a.length === b.length && crypto.timingSafeEqual(Buffer.from(a), Buffer.from(b));
  const srv = https.createServer(tls, (req, res) => {
    const id = header(req.headers["cf-access-client-id"]);
    const secret = header(req.headers["cf-access-client-secret"]);
    const ok = equal(id, token.clientId) && equal(secret, token.clientSecret);
    seen.push({ method: req.method ?? "", path: req.url ?? "", clientId: id, secretSha256: secret === undefined ? undefined : sha256Hex(secret), forwarded: ok });
    if (!ok) {
      req.resume();
      res.writeHead(403, { "content-type": "text/plain", "cf-access-domain": "edge.e2e.invalid" }).end("Forbidden\n");
      return;
    }
    const headers: http.OutgoingHttpHeaders = { ...req.headers, "x-e2e-via": VIA, host: `127.0.0.1:${originPort}` };
    delete headers["cf-access-client-id"];
    delete headers["cf-access-client-secret"];
    const up = http.request({ host: "127.0.0.1", port: originPort, method: req.method, path: req.url, headers, agent: false }, (r) => {
      res.writeHead(r.statusCode ?? 502, r.headers);
      r.pipe(res);
    });
    up.on("error", () => res.writeHead(502).end());
    req.pipe(up);
  });
  await new Promise<void>((r) => srv.listen(port, "127.0.0.1", r));
  return { seen, close: () => closeServer(srv) };
}

function header(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function closeServer(srv: http.Server): Promise<void> {
  return new Promise((r) => {
    srv.close(() => r());
    srv.closeAllConnections();
  });
}

async function request(url: string, init: { method?: string; body?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  if (!url.startsWith("http://127.0.0.1:")) throw new Error("e2e traffic goes to 127.0.0.1 only");
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: init.method ?? "GET", headers: init.headers, agent: false, timeout: 15_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
    });
    req.on("timeout", () => req.destroy(new Error(`${init.method ?? "GET"} ${url} timed out`)));
    req.on("error", reject);
    req.end(init.body);
  });
}

/** A direct HTTPS request to the edge: its status, or 0 when the handshake or request failed. */
async function direct(port: number, ca: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get({ host: "127.0.0.1", port, path: "/stock", ca, headers, agent: false, timeout: 10_000 }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}
