/**
 * End to end, with the real Zuplo local gateway in its managed-dedicated runtime (the one that
 * presents client certificates): a `local` mTLS origin, an HTTPS server that requires the
 * gateway's client certificate (`mtlsServerOptions` with the trust gatelock wrote to
 * `.env.ledger`), the gateway's certificate and key written by gatelock's certificate-directory
 * sink (its provider code, as `pulumi up` runs it) where `zuplo dev --mtls-certificates-dir`
 * reads them, and gatelock's route handler (`mtlsCertificate` from the variable), set by
 * `gateway sync` on a route the user wrote as a plain forward to the origin's variable.
 *
 * Proves:
 *  - through the gateway, `/ledger` reaches the origin over a verified mTLS handshake, and the
 *    origin saw exactly the certificate gatelock issued for the gateway;
 *  - straight to the origin, these are refused: no certificate, a self-issued certificate with
 *    the gateway's very subject, and a certificate from another gatelock stack's CA;
 *  - a rotation: the next deployment's new certificate (under a new name) works through the
 *    restarted gateway, with the origin's trust unchanged.
 *
 * Traffic goes to 127.0.0.1 only; no key is ever printed; every process is stopped by PID.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as http from "node:http";
import * as https from "node:https";
import * as path from "node:path";
import { parseEnv } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dotenvFileProvider, type DotenvFileInputs } from "../../components/dotenv/dotenv-file";
import { mtlsCertificateDirProvider, type MtlsCertificateDirInputs } from "../../components/local/mtls-certificate-dir";
import { clientCertOptionsFromEnv, mtlsServerOptions, protectWithClientCert } from "../../components/origin/index";
import { one, type ProgramRun, reveal, runProgram } from "../harness";
import { lockedOrigins } from "../../components/gateway-project/locked-origins";
import { syncGatewayProject } from "../../components/gateway-project/sync";
import { buildZuploProject, E2E_WORK_DIR, e2eSkipReason, ensureE2eTools, freePorts, startZuploDev, waitForStatus, type ZuploDev } from "./zuplo-dev";

const skip = e2eSkipReason();
if (skip) console.log(`e2e (zuplo dev, mTLS) skipped: ${skip}`);

const gateway = { kind: "zuplo", account: "local", project: "local-dev", branch: "main", environment: { developerApi: false, dotenv: ".env" } };

describe.skipIf(skip !== undefined)("mTLS, end to end through the real Zuplo gateway", () => {
  const timings: Record<string, string> = {};
  const suiteStarted = Date.now();
  let workDir: string;
  let gatewayDir: string;
  let pki: { serverCa: string; server: { key: string; cert: string } };
  let first: Deployed;
  let other: Deployed;
  let origin: { port: number; seen: string[]; close(): Promise<void> } | undefined;
  let zuplo: ZuploDev | undefined;
  let ports: { origin: number; gateway: number; editor: number };

  beforeAll(async () => {
    const install = await ensureE2eTools();
    timings.install = `${install.seconds.toFixed(1)} s`;
  }, 300_000);

  beforeAll(async () => {
    fs.mkdirSync(E2E_WORK_DIR, { recursive: true });
    workDir = fs.mkdtempSync(path.join(E2E_WORK_DIR, "mtls-"));
    gatewayDir = path.join(workDir, "gateway");
    fs.mkdirSync(gatewayDir);
    // The editor port must not be the gateway's + 1: Deno's stats server takes that one.
    const [o, g, , e] = await freePorts(4);
    ports = { origin: o!, gateway: g!, editor: e! };
    pki = serverPki(workDir);

    first = await deploy(gatewayDir, ports.origin, {});
    other = await deploy(path.join(workDir, "other"), ports.origin, {}, "staging");
    // The route as a user writes it (a plain forward to the origin's variable); `gateway sync`
    // gives it the handler options mTLS needs, and the real gateway serves the synced project.
    buildZuploProject(gatewayDir, { policies: [], routes: [{ path: "/ledger", originUrlVariable: "LEDGER_ORIGIN_URL", inbound: [] }], projectType: "managed-dedicated" });
    const locked = lockedOrigins(first.run.deployment.model.origins);
    expect(syncGatewayProject({ projectDir: gatewayDir, origins: locked, stack: "dev", mode: "check" }).findings.map((f) => f.code)).toEqual(["ERR_ROUTE_UNLOCKED"]);
    expect(syncGatewayProject({ projectDir: gatewayDir, origins: locked, stack: "dev" }).findings).toEqual([]);
    const route = (JSON.parse(fs.readFileSync(path.join(gatewayDir, "config", "routes.oas.json"), "utf8")) as { paths: Record<string, Record<string, { "x-zuplo-route": { handler: unknown } }>> }).paths["/ledger"]!.get!["x-zuplo-route"];
    expect(route.handler).toEqual(first.handler);
    await write(first);
    origin = await startOrigin(ports.origin, pki.server, path.join(gatewayDir, ".env.ledger"));
    zuplo = await startZuploDev(gatewayDir, { port: ports.gateway, editorPort: ports.editor, mtlsCertificatesDir: path.join(gatewayDir, ".zuplo-local/mtls"), trustedCaFile: path.join(workDir, "server-ca.pem") });
    const ok = await waitForStatus(`${zuplo.url}/ledger`, 200).catch((e: Error) => {
      throw new Error(`${e.message}\nzuplo dev said:\n${zuplo!.logs().slice(-4000)}`);
    });
    timings.firstStartReady = `${zuplo.readyMs} ms`;
    timings.timeToFirst200 = `${zuplo.readyMs + ok} ms after spawn`;
  }, 180_000);

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
    console.log(`e2e (mTLS) timings: ${JSON.stringify(timings, null, 2)}`);
    if (failures.length > 0) throw failures[0];
  }, 60_000);

  it("gatelock's files are where zuplo dev and the origin read them: key 0600, the variable naming the certificate", () => {
    const dir = path.join(gatewayDir, ".zuplo-local/mtls", first.certificate.name);
    expect((fs.statSync(path.join(dir, "tls.key")).mode & 0o777).toString(8)).toBe("600");
    expect(fs.readFileSync(path.join(dir, "tls.crt"), "utf8")).toBe(first.certificate.certificate);
    const env = parseEnv(fs.readFileSync(path.join(gatewayDir, ".env"), "utf8"));
    expect(env.LEDGER_MTLS_CERT).toBe(first.certificate.name);
    expect(env.LEDGER_ORIGIN_URL).toBe(`https://127.0.0.1:${ports.origin}`);
  });

  it("through the gateway, the origin gets a verified handshake with exactly the gateway's certificate", async () => {
    const before = origin!.seen.length;
    const res = await get(`${zuplo!.url}/ledger`);
    expect(res.status).toBe(200);
    expect(origin!.seen.slice(before)).toContain(new X509Certificate(first.certificate.certificate).fingerprint256);
  });

  it("straight to the origin: no certificate, a self-issued one, or another stack's is refused", async () => {
    expect(await direct(ports.origin, pki.serverCa)).not.toBe(200);
    expect(await direct(ports.origin, pki.serverCa, selfIssued(workDir))).not.toBe(200);
    expect(await direct(ports.origin, pki.serverCa, { cert: other.certificate.certificate, key: other.certificate.key })).not.toBe(200);
    // The refusals are about the certificate: the gateway's own is accepted.
    expect(await direct(ports.origin, pki.serverCa, { cert: first.certificate.certificate, key: first.certificate.key })).toBe(200);
  });

  it("rotation: a new certificate under a new name reaches the origin through the restarted gateway", async () => {
    const next = await deploy(gatewayDir, ports.origin, { rotation: 1 }, "dev", first.run);
    expect(next.certificate.name).not.toBe(first.certificate.name);
    await write(next);
    await zuplo!.stop();
    const [g, , e] = await freePorts(3);
    ports = { ...ports, gateway: g!, editor: e! };
    const restart = Date.now();
    zuplo = await startZuploDev(gatewayDir, { port: ports.gateway, editorPort: ports.editor, mtlsCertificatesDir: path.join(gatewayDir, ".zuplo-local/mtls"), trustedCaFile: path.join(workDir, "server-ca.pem") });
    await waitForStatus(`${zuplo.url}/ledger`, 200);
    timings.restartToFirst200 = `${Date.now() - restart} ms`;
    const before = origin!.seen.length;
    expect((await get(`${zuplo.url}/ledger`)).status).toBe(200);
    expect(origin!.seen.slice(before)).toContain(new X509Certificate(next.certificate.certificate).fingerprint256);
  }, 120_000);
});

interface Deployed {
  readonly run: ProgramRun;
  readonly handler: { readonly export: string; readonly module: string; readonly options: Record<string, unknown> };
  readonly certificate: { readonly name: string; readonly certificate: string; readonly key: string };
  readonly files: readonly DotenvFileInputs[];
  readonly certificateDir: MtlsCertificateDirInputs;
}

/** gatelock's program for the local stack's mTLS origin, under the mock engine (no Pulumi CLI here). */
async function deploy(projectDir: string, port: number, mtls: Record<string, unknown>, stack = "dev", prior?: ProgramRun): Promise<Deployed> {
  fs.mkdirSync(projectDir, { recursive: true });
  const run = await runProgram(
    { gateway, origins: [{ name: "ledger", method: "mtls", cloud: "local", url: `https://127.0.0.1:${port}`, mtls }] },
    { stack, projectDir, fakes: prior ? { prior: prior.fakes.produced } : {} },
  );
  const dir = one(run.resources, "pulumi-nodejs:dynamic/gatelock:MtlsCertificateDir");
  const certificateDir = reveal(dir.inputs) as unknown as MtlsCertificateDirInputs;
  const files = run.resources
    .filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:DotenvFile")
    .map((r) => ({ path: String(r.inputs.path), projectDir: String(r.inputs.projectDir), entries: reveal(r.inputs.entries) as Record<string, string> }));
  const handler = run.outputs.gatewayPolicies.find((c) => c.origin === "ledger")!.handler!;
  return { run, handler: handler as Deployed["handler"], certificate: { name: certificateDir.name, certificate: certificateDir.certificate, key: certificateDir.key }, files, certificateDir };
}

/** Write what `pulumi up` would: the dotenv files and the certificate directory, by their providers' own code. */
async function write(d: Deployed): Promise<void> {
  for (const f of d.files) await dotenvFileProvider.create(f);
  await mtlsCertificateDirProvider.create(d.certificateDir);
}

/** The origin's server certificate, from a CA the gateway trusts (DENO_CERT): not gatelock's concern. */
function serverPki(dir: string) {
  const f = (n: string) => path.join(dir, n);
  const run = (args: string[]) => execFileSync("openssl", args, { stdio: "ignore" });
  run(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=e2e server CA", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign", "-days", "2", "-keyout", f("server-ca.key"), "-out", f("server-ca.pem")]);
  run(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1", "-keyout", f("server.key"), "-out", f("server.csr")]);
  fs.writeFileSync(f("server.ext"), "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
  run(["x509", "-req", "-in", f("server.csr"), "-CA", f("server-ca.pem"), "-CAkey", f("server-ca.key"), "-CAcreateserial", "-days", "2", "-extfile", f("server.ext"), "-out", f("server.crt")]);
  return { serverCa: fs.readFileSync(f("server-ca.pem"), "utf8"), server: { key: fs.readFileSync(f("server.key"), "utf8"), cert: fs.readFileSync(f("server.crt"), "utf8") } };
}

/** The origin: Node's HTTPS server requiring the client certificate, with the trust from `.env.ledger` (as `node --env-file` loads it). */
async function startOrigin(port: number, server: { key: string; cert: string }, envFile: string) {
  const env = parseEnv(fs.readFileSync(envFile, "utf8"));
  const mtls = mtlsServerOptions(clientCertOptionsFromEnv("LEDGER", env));
  const seen: string[] = [];
  const srv = https.createServer(
    { ...server, ...mtls.tls },
    protectWithClientCert(mtls, (req, res) => {
      seen.push((req as unknown as { gatewayCertificate: X509Certificate }).gatewayCertificate.fingerprint256);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ ok: true }));
    }),
  );
  await new Promise<void>((r) => srv.listen(port, "127.0.0.1", r));
  return { port, seen, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

async function get(url: string): Promise<{ status: number }> {
  if (!url.startsWith("http://127.0.0.1:")) throw new Error("e2e traffic goes to 127.0.0.1 only");
  return new Promise((resolve, reject) => {
    const req = http.get(url, { agent: false, timeout: 15_000 }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode ?? 0 }));
    });
    req.on("timeout", () => req.destroy(new Error(`GET ${url} timed out`)));
    req.on("error", reject);
  });
}

/** A direct HTTPS request to the origin: its status, or 0 when the handshake or request failed. */
async function direct(port: number, ca: string, client?: { cert: string; key: string }): Promise<number> {
  return new Promise((resolve) => {
    const req = https.get({ host: "127.0.0.1", port, path: "/ledger", ca, agent: false, timeout: 10_000, ...(client ?? {}) }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 0);
    });
    req.on("timeout", () => req.destroy());
    req.on("error", () => resolve(0));
  });
}

/** Anyone can make this one: self-issued, with the gateway's very subject and client-auth use. */
function selfIssued(dir: string): { cert: string; key: string } {
  const [key, cert] = [path.join(dir, "self.key"), path.join(dir, "self.crt")];
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/O=gatelock/OU=dev\\/ledger/CN=local\\/local-dev@main", "-addext", "extendedKeyUsage=clientAuth", "-days", "2", "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
}
