/**
 * End to end, with the real Zuplo local gateway (`zuplo dev`, the gateway gatelock's users
 * run locally): a `local` shared-secret origin locked by `gatelock/origin`, the gateway's
 * `.env` and the origin's `.env.orders` written by gatelock's dotenv sink (its provider
 * code, as `pulumi up` runs it), and gatelock's Zuplo policy configuration, written into the
 * developer's project (which has none of it) by `gateway sync`.
 *
 * Proves:
 *  - `gateway sync` finds the route unlocked, adds the policy to config/policies.json and its
 *    name to the route, and zuplo dev serves the synced project;
 *  - through the gateway, `/orders` reaches the origin carrying exactly the current secret;
 *  - straight to the origin, no secret or a wrong one gets 401;
 *  - a rotation is zero-downtime: the origin accepts new and previous, the restarted gateway
 *    sends the new one, the previous one keeps working until `previousRetiresAt` and is
 *    refused after it (both by the origin's clock and when the store says it is retired).
 *
 * Installs its tools itself (e2e/install.sh: ~585 MB the first time, then a hash check),
 * sends traffic only to 127.0.0.1, never prints a secret, and stops every process it
 * starts by PID, including when a test fails.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import { AsyncLocalStorage } from "node:async_hooks";
import { createRequire } from "node:module";
import * as path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readStackConfig } from "../../components/audit/stack-file";
import { dotenvFileProvider, type DotenvFileInputs, type DotenvFileOutputs } from "../../components/dotenv/dotenv-file";
import type { OriginGatewayConfig, ZuploPolicy } from "../../components/gateway/zuplo-policies";
import { originUrlVariable } from "../../components/gateway/variable-spec";
import { lockedOrigins } from "../../components/gateway-project/locked-origins";
import { type SyncResult, syncGatewayProject } from "../../components/gateway-project/sync";
import type { SharedSecretOrigin } from "../../components/model/model";
import { PROJECT_DIR, type ProgramRun, reveal, runProgram } from "../harness";
import { createSharedSecretVerifier, fromEnv, protect, type SharedSecretVerifier, type VerifyResult } from "../../components/origin/index";
import {
  buildZuploProject,
  E2E_WORK_DIR,
  e2eSkipReason,
  ensureE2eTools,
  freePorts,
  sha256Hex,
  startZuploDev,
  waitForStatus,
  ZUPLO_DOTENV,
  type ZuploDev,
} from "./zuplo-dev";

const skip = e2eSkipReason();
if (skip) console.log(`e2e (zuplo dev) skipped: ${skip}`);

const newSecret = () => crypto.randomBytes(36).toString("base64url");
/** Values replaced by their SHA-256, so that a failed comparison prints no secret. */
const digests = (record: Record<string, string | undefined>) => Object.fromEntries(Object.entries(record).map(([k, v]) => [k, sha256Hex(v ?? "")]));
const HOUR = 60 * 60 * 1000;

describe.skipIf(skip !== undefined)("shared secret, end to end through the real Zuplo gateway", () => {
  const timings: Record<string, string> = {};
  const suiteStarted = Date.now();
  /** Every secret used, so that logs shown on failure can be redacted. */
  const secrets: string[] = [];

  let workDir: string;
  let gatewayDir: string;
  let origin: LocalOrigin;
  let first: LocalDeployment;
  let rotated: LocalDeployment;
  let gatewayEnv: DotenvFileOutputs;
  let originEnv: DotenvFileOutputs;
  let originServer: OriginServer | undefined;
  let zuplo: ZuploDev | undefined;
  let ports: { origin: number; gateway: number; editor: number };
  /** `gateway sync`'s findings on the project before it ran, and what it did. */
  let unsyncedFindings: string[];
  let synced: SyncResult;
  /** What the rotation phase left behind, for the tests that follow it. */
  const state = { current: "", previous: "" };

  beforeAll(async () => {
    const install = await ensureE2eTools();
    timings.install = install.installed ? `${install.seconds.toFixed(1)} s (npm ci)` : `${install.seconds.toFixed(1)} s (up to date, no install)`;
  }, 300_000);

  beforeAll(async () => {
    fs.mkdirSync(E2E_WORK_DIR, { recursive: true });
    workDir = fs.mkdtempSync(path.join(E2E_WORK_DIR, "shared-secret-"));
    gatewayDir = path.join(workDir, "gateway");
    const [originPort, gatewayPort, editorPort] = await freePorts(3);
    ports = { origin: originPort!, gateway: gatewayPort!, editor: editorPort! };

    // ---- Inputs: what gatelock's program produces for stacks/Pulumi.local.yaml ----------
    // The program runs under the mock engine (no Pulumi CLI here); the files are then written
    // by the dotenv sink's own provider code, exactly as `pulumi up` would run it.
    first = await deployLocal({ port: ports.origin, projectDir: gatewayDir });
    origin = first.origin;
    // The developer's project, as they wrote it: a route forwarding to the origin's URL
    // variable, and neither gatelock's policy nor its name on the route. `gateway sync` adds them.
    buildZuploProject(gatewayDir, {
      policies: [],
      routes: [{ path: "/orders", originUrlVariable: originUrlVariable(origin.name), inbound: [] }],
      dotenvText: "# the developer's own settings, which gatelock must leave alone\nDEV_ONLY_SETTING='keep me'\n",
    });
    const syncOrigins = lockedOrigins(first.run.deployment.model.origins);
    const check = syncGatewayProject({ projectDir: gatewayDir, origins: syncOrigins, stack: "local", mode: "check" });
    unsyncedFindings = check.findings.map((f) => `${f.code} ${f.path}`);
    synced = syncGatewayProject({ projectDir: gatewayDir, origins: syncOrigins, stack: "local" });
    secrets.push(first.gatewaySecret);
    originEnv = (await dotenvFileProvider.create(first.files.origin)).outs!;
    gatewayEnv = (await dotenvFileProvider.create(first.files.gateway)).outs!;
    state.current = first.gatewaySecret;

    originServer = await startOrigin(ports.origin, onDisk(originEnv), origin.store.variable, origin.sharedSecret.header);
    zuplo = await startZuploDev(gatewayDir, { port: ports.gateway, editorPort: ports.editor, redact: secrets });
    const firstOk = await waitForStatus(`${zuplo.url}/orders`, 200);
    timings.firstStartReady = `${zuplo.readyMs} ms`;
    timings.timeToFirst200 = `${zuplo.readyMs + firstOk} ms after spawn`;
  }, 150_000);

  afterAll(async () => {
    const failures: unknown[] = [];
    for (const step of [() => zuplo?.stop(), () => originServer?.close()]) {
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

  const direct = (secret?: string) => get(`http://127.0.0.1:${ports.origin}/orders`, secret === undefined ? {} : { [origin.sharedSecret.header]: secret });
  const viaGateway = (headers: Record<string, string> = {}) => get(`${zuplo!.url}/orders`, headers);

  it("gatelock's files are what zuplo dev and the origin read: other lines kept, mode 0600", () => {
    const text = fs.readFileSync(onDisk(gatewayEnv), "utf8");
    // Assertions on text holding secrets are booleans or digests: a failure must not print them.
    expect(text.includes("DEV_ONLY_SETTING='keep me'\n"), "the developer's line is kept").toBe(true);
    expect(text.includes("__ZUPLO_REMOTE_LOG_URL=\n"), "zuplo's own settings are kept").toBe(true);
    expect((fs.statSync(onDisk(gatewayEnv)).mode & 0o777).toString(8)).toBe("600");
    expect((fs.statSync(onDisk(originEnv)).mode & 0o777).toString(8)).toBe("600");
    // Zuplo's own loader (dotenv 16.5, bundled by the CLI) and Node's parser read the same values.
    const zuploDotenv = createRequire(__filename)(ZUPLO_DOTENV) as { parse(src: string): Record<string, string> };
    for (const file of [onDisk(gatewayEnv), onDisk(originEnv)]) {
      const body = fs.readFileSync(file, "utf8");
      expect(digests(zuploDotenv.parse(body))).toEqual(digests({ ...parseEnv(body) }));
    }
    expect(zuploDotenv.parse(text)[origin.sharedSecret.variable] === state.current).toBe(true);
    const doc = zuploDotenv.parse(fs.readFileSync(onDisk(originEnv), "utf8"))[origin.store.variable]!;
    expect((JSON.parse(doc) as { version?: unknown }).version).toBe(1);
  });

  it("gateway sync put gatelock's policy into the project zuplo dev serves; a second run changes nothing", () => {
    // Before the sync, the route forwarded to the locked origin without its policy: an error finding.
    expect(unsyncedFindings).toEqual(["ERR_ROUTE_UNLOCKED config/routes.oas.json#/paths/~1orders/get"]);
    expect(synced.findings).toEqual([]);
    expect(synced.changes.map((c) => c.path)).toEqual(["config/policies.json", "config/routes.oas.json"]);
    const policies = JSON.parse(fs.readFileSync(path.join(gatewayDir, "config", "policies.json"), "utf8")) as { policies: ZuploPolicy[] };
    expect(policies.policies).toEqual(first.policies);
    const routes = JSON.parse(fs.readFileSync(path.join(gatewayDir, "config", "routes.oas.json"), "utf8"));
    expect(routes.paths["/orders"].get["x-zuplo-route"].policies.inbound).toEqual(first.gatewayConfig.inbound);
    expect(routes.paths["/orders"].get["x-zuplo-route"].handler).toEqual(first.gatewayConfig.handler);
    const again = syncGatewayProject({ projectDir: gatewayDir, origins: lockedOrigins(first.run.deployment.model.origins), stack: "local", mode: "check" });
    expect([again.changes, again.findings]).toEqual([[], []]);
  });

  it("a request through the gateway reaches the origin with exactly the current secret", async () => {
    const res = await viaGateway();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, path: "/orders", matched: "current" });
    // The origin saw the secret gatelock wrote (compared by digest; the secret is never printed).
    expect(res.body.secretSha256 === sha256Hex(state.current)).toBe(true);
  });

  it("the gateway overwrites a secret header the client tries to send", async () => {
    const res = await viaGateway({ [origin.sharedSecret.header]: "client-chosen-value" });
    expect(res.status).toBe(200);
    expect(res.body.secretSha256 === sha256Hex(state.current)).toBe(true);
  });

  it("straight to the origin: no secret or a wrong one gets 401, the right one is accepted", async () => {
    expect((await direct()).status).toBe(401);
    expect((await direct(newSecret())).status).toBe(401);
    expect((await direct(`${state.current}x`)).status).toBe(401);
    expect((await direct("")).status).toBe(401);
    // The 401s are about the secret, not the route: the right one is accepted.
    expect((await direct(state.current)).status).toBe(200);
  });

  it("rotation: the new secret works through the restarted gateway, the previous one until it retires", async () => {
    const previous = state.current;
    // The next deployment, with `rotation: 1` (a forced rotation), carries the first one's state.
    rotated = await deployLocal({ port: ports.origin, projectDir: gatewayDir, rotation: 1, prior: first.run });
    const next = rotated.gatewaySecret;
    secrets.push(next);
    expect(next === previous, "the rotation produced a new secret").toBe(false);

    // Origin first (it must accept the new secret before the gateway sends it), then the gateway.
    originEnv = (await dotenvFileProvider.update(originEnv.path, originEnv, rotated.files.origin)).outs!;
    await originServer!.restart();
    // Between the two steps the gateway still sends the previous secret: accepted.
    expect((await viaGateway()).body).toMatchObject({ ok: true, matched: "previous" });

    gatewayEnv = (await dotenvFileProvider.update(gatewayEnv.path, gatewayEnv, rotated.files.gateway)).outs!;
    const text = fs.readFileSync(onDisk(gatewayEnv), "utf8");
    expect(text.includes(previous)).toBe(false);
    expect(text.includes("DEV_ONLY_SETTING='keep me'\n"), "the developer's line is kept").toBe(true);

    const restartStarted = Date.now();
    await zuplo!.stop();
    // Fresh ports: nothing can still hold them, so the restart cannot trip on the old run.
    const [gatewayPort, editorPort] = await freePorts(2);
    ports = { ...ports, gateway: gatewayPort!, editor: editorPort! };
    zuplo = await startZuploDev(gatewayDir, { port: ports.gateway, editorPort: ports.editor, redact: secrets });
    const ok = await waitForStatus(`${zuplo.url}/orders`, 200);
    timings.restartToFirst200 = `${Date.now() - restartStarted} ms (stop + start + first 200)`;
    state.current = next;
    state.previous = previous;

    const res = await viaGateway();
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ ok: true, matched: "current" });
    expect(res.body.secretSha256 === sha256Hex(next)).toBe(true);
    expect(ok).toBeGreaterThanOrEqual(0);

    // Straight to the origin: new and previous both accepted while the previous one is live.
    expect((await direct(next)).body).toMatchObject({ matched: "current" });
    expect((await direct(previous)).body).toMatchObject({ matched: "previous" });
    expect((await direct(newSecret())).status).toBe(401);
  }, 150_000);

  it("the previous secret is refused once previousRetiresAt has passed (by the origin's clock)", async () => {
    expect(state.previous, "runs after the rotation test").not.toBe("");
    expect((await direct(state.previous)).status).toBe(200);
    // Same document, same process: only the time moves past previousRetiresAt.
    originServer!.advanceClock((origin.sharedSecret.overlapDays * 24 + 1) * HOUR);
    expect((await direct(state.previous)).status).toBe(401);
    expect((await direct(state.current)).status).toBe(200);
    expect((await viaGateway()).status).toBe(200);
  });

  it("the next deployment after the overlap removes the previous secret from the origin's store", async () => {
    expect(state.previous, "runs after the rotation test").not.toBe("");
    const overlapDays = origin.sharedSecret.overlapDays;
    const later = await deployLocal({ port: ports.origin, projectDir: gatewayDir, rotation: 1, prior: rotated.run, now: new Date(Date.now() + (overlapDays + 1) * 24 * HOUR) });
    expect(later.gatewaySecret === state.current, "no new rotation, only the retirement").toBe(true);
    originEnv = (await dotenvFileProvider.update(originEnv.path, originEnv, later.files.origin)).outs!;
    const doc = JSON.parse(parseEnv(fs.readFileSync(onDisk(originEnv), "utf8"))[origin.store.variable]!) as Record<string, unknown>;
    expect(Object.keys(doc).sort()).toEqual(["current", "version"]);
    await originServer!.restart(); // clock back to real time
    expect((await direct(state.previous)).status).toBe(401);
    expect((await direct(state.current)).status).toBe(200);
    expect((await viaGateway()).body).toMatchObject({ ok: true, matched: "current" });
  });
});

// ---------------------------------------------------------------------------------------
// gatelock's program for the local stack
// ---------------------------------------------------------------------------------------

interface LocalDeployment {
  readonly run: ProgramRun;
  readonly origin: LocalOrigin;
  readonly gatewayConfig: OriginGatewayConfig;
  readonly policies: readonly ZuploPolicy[];
  /** The dotenv sink's inputs, as the program registered them: the origin's file and the gateway's. */
  readonly files: { readonly origin: DotenvFileInputs; readonly gateway: DotenvFileInputs };
  /** The current secret the gateway is given. */
  readonly gatewaySecret: string;
}

type LocalOrigin = SharedSecretOrigin & { url: string; store: { cloud: "local"; dotenv: string; variable: string } };

/**
 * Run gatelock's program for stacks/Pulumi.local.yaml (origin moved to a free port) under the
 * mock engine. `prior` carries the previous deployment's state, as Pulumi state would.
 */
async function deployLocal(args: { port: number; projectDir: string; rotation?: number; prior?: ProgramRun; now?: Date }): Promise<LocalDeployment> {
  const stack = readStackConfig(PROJECT_DIR, "local");
  const gateway = JSON.parse(stack.config["gatelock:gateway"]!);
  const origins = JSON.parse(stack.config["gatelock:origins"]!) as Array<Record<string, any>>;
  origins[0]!.url = `http://127.0.0.1:${args.port}`;
  if (args.rotation !== undefined) origins[0]!.sharedSecret = { ...origins[0]!.sharedSecret, rotation: args.rotation };
  const run = await runProgram(
    { gateway, origins },
    { stack: "local", projectDir: args.projectDir, fakes: { ...(args.now ? { now: () => args.now! } : {}), ...(args.prior ? { prior: args.prior.fakes.produced } : {}) } },
  );
  const origin = run.deployment.model.origins[0] as LocalOrigin;
  // The state names each file relative to the project (`projectDir`), as a real deploy does.
  const files = run.resources
    .filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:DotenvFile")
    .map((r) => ({ path: String(r.inputs.path), projectDir: String(r.inputs.projectDir), entries: reveal(r.inputs.entries) as Record<string, string> }));
  const originFile = files.find((f) => f.path.endsWith(origin.store.dotenv))!;
  // The gateway's own file, whatever other local origins the stack has (an mTLS one writes `.env.records`).
  const gatewayFile = files.find((f) => f.path === gateway.environment.dotenv)!;
  return {
    run,
    origin,
    gatewayConfig: run.outputs.gatewayPolicies.find((c) => c.origin === origin.name)!,
    policies: run.outputs.policiesJson.policies,
    files: { origin: originFile, gateway: gatewayFile },
    gatewaySecret: gatewayFile.entries[origin.sharedSecret.variable]!,
  };
}

// ---------------------------------------------------------------------------------------
// The origin: a node:http service locked with gatelock/origin
// ---------------------------------------------------------------------------------------

interface OriginServer {
  /** Re-read the dotenv file and start again on the same port, as `node --env-file=...` after a deploy. */
  restart(): Promise<void>;
  /** Move the verifier's clock forward. */
  advanceClock(ms: number): void;
  close(): Promise<void>;
}

/**
 * The origin loads its accepted-secrets document from its dotenv file at start (what
 * `node --env-file=.env.orders` does), and answers with what it saw: which secret matched
 * and a SHA-256 of the presented header, so tests can compare without printing secrets.
 */
async function startOrigin(port: number, envFile: string, variable: string, header: string): Promise<OriginServer> {
  let server: http.Server | undefined;
  let clockOffsetMs = 0;

  const listen = async () => {
    const env = parseEnv(fs.readFileSync(envFile, "utf8")) as Record<string, string>;
    const inner = createSharedSecretVerifier({ header, source: fromEnv(variable, env), now: () => new Date(Date.now() + clockOffsetMs) });
    // Observe the verifier's answer for the request being handled (protect() keeps it to itself).
    const seen = new AsyncLocalStorage<{ result?: VerifyResult; digest?: string }>();
    const verifier: SharedSecretVerifier = {
      header: inner.header,
      async verify(value) {
        const result = await inner.verify(value);
        const store = seen.getStore();
        if (store) store.result = result;
        return result;
      },
    };
    const app = protect(verifier, (req, res) => {
      const store = seen.getStore();
      const matched = store?.result?.ok ? store.result.matched : undefined;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true, path: req.url, matched, secretSha256: store?.digest }));
    });
    server = http.createServer((req, res) => {
      // No keep-alive: the gateway must not hold a socket into an origin that restarts.
      res.setHeader("connection", "close");
      const presented = req.headers[header];
      const digest = typeof presented === "string" ? sha256Hex(presented) : undefined;
      seen.run({ ...(digest ? { digest } : {}) }, () => app(req, res));
    });
    await new Promise<void>((resolve, reject) => server!.once("error", reject).listen(port, "127.0.0.1", resolve));
  };

  const close = async () => {
    const s = server;
    server = undefined;
    if (!s) return;
    s.closeAllConnections();
    await new Promise<void>((resolve) => s.close(() => resolve()));
  };

  await listen();
  return {
    async restart() {
      await close();
      clockOffsetMs = 0;
      await listen();
    },
    advanceClock(ms) {
      clockOffsetMs += ms;
    },
    close,
  };
}

/** One GET on a fresh connection (no pooled socket survives an origin or gateway restart). */
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
    body = { raw: text.slice(0, 200) };
  }
  return { status, body };
}

/** Where a dotenv file of the run is on this machine. */
function onDisk(file: DotenvFileInputs): string {
  return path.resolve(file.projectDir ?? "/", file.path);
}
