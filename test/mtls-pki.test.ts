/**
 * Method 4's PKI, run by gatelock's own program for a local mTLS origin under the mock engine
 * with the tls fakes' real keys and certificates, and judged by what no one here wrote:
 * `openssl verify`, and TLS handshakes between Node's TLS client and an HTTPS server that
 * requires the client certificate (`mtlsServerOptions` with the trust gatelock wrote to the
 * origin's dotenv file).
 *
 * Proves: the chain verifies; the gateway's certificate is for client auth only and names the
 * gateway; a direct connection without a certificate, with a self-issued one, or with one
 * from another stack's CA is refused; across deployments, every step of a rotation accepts the
 * gateway's current certificate (and, for a CA rotation, the previous one during the overlap
 * only); and no private key leaves Pulumi's secrets.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { clientCertOptionsFromEnv, mtlsServerOptions, protectWithClientCert } from "../components/origin/index";
import { isSecretValue, one, plainStrings, type ProgramRun, reveal, runProgram } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main", environment: { developerApi: false, dotenv: ".env" } };
const ledger = (mtls: Record<string, unknown> = {}) => ({ name: "ledger", method: "mtls", cloud: "local", url: "https://127.0.0.1:8443", mtls: { rotateAfterDays: 30, overlapDays: 7, ...mtls } });

let projectDir: string;
let scratch: string;
/** The origin's own server certificate (what the gateway checks; not gatelock's concern). */
let server: { key: string; cert: string };

beforeAll(() => {
  projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-"));
  execFileSync("git", ["init", "-q", projectDir]);
  fs.writeFileSync(path.join(projectDir, ".gitignore"), ".env\n.env.*\n.zuplo-local/\n");
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-scratch-"));
  const [key, cert] = [path.join(scratch, "server.key"), path.join(scratch, "server.crt")];
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2", "-keyout", key, "-out", cert], { stdio: "ignore" });
  server = { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
});
afterAll(() => {
  for (const d of [projectDir, scratch]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

/** What one deployment gave the origin and the gateway. */
interface Deployed {
  readonly run: ProgramRun;
  /** The origin's dotenv entries (bundle, subject). */
  readonly originEnv: Record<string, string>;
  /** The gateway's certificate and key, as the certificates directory gets them. */
  readonly client: { readonly name: string; readonly cert: string; readonly key: string };
  /** The gateway variable naming the certificate. */
  readonly variable: string;
}

async function deploy(mtls: Record<string, unknown> = {}, opts: { prior?: ProgramRun; now?: Date; stack?: string } = {}): Promise<Deployed> {
  const run = await runProgram(
    { gateway, origins: [ledger(mtls)] },
    { stack: opts.stack ?? "dev", projectDir, fakes: { ...(opts.prior ? { prior: opts.prior.fakes.produced } : {}), ...(opts.now ? { now: () => opts.now! } : {}) } },
  );
  const store = one(run.resources, "pulumi-nodejs:dynamic/gatelock:DotenvFile", "ledger-store");
  const dir = one(run.resources, "pulumi-nodejs:dynamic/gatelock:MtlsCertificateDir");
  const gatewayEnv = one(run.resources, "pulumi-nodejs:dynamic/gatelock:DotenvFile", "gateway-dotenv");
  return {
    run,
    originEnv: reveal(store.inputs.entries) as Record<string, string>,
    client: { name: String(dir.inputs.name), cert: String(dir.inputs.certificate), key: String(reveal(dir.inputs.key)) },
    variable: (reveal(gatewayEnv.inputs.entries) as Record<string, string>).LEDGER_MTLS_CERT!,
  };
}

/** An HTTPS origin that requires a client certificate from the bundle and pins the subject, as `gatelock/origin` documents it. */
async function origin(env: Record<string, string>) {
  const mtls = mtlsServerOptions(clientCertOptionsFromEnv("LEDGER", env));
  const srv = https.createServer({ ...server, ...mtls.tls }, protectWithClientCert(mtls, (_req, res) => res.end("ok")));
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  return { port: (srv.address() as AddressInfo).port, close: () => new Promise<void>((r) => srv.close(() => r())) };
}

/** The status an HTTPS request gets with this client certificate, or the TLS error's code. */
async function call(port: number, client?: { cert: string; key: string }): Promise<string> {
  return new Promise((resolve) => {
    const req = https.get({ host: "127.0.0.1", port, path: "/", ca: server.cert, ...(client ? { cert: client.cert, key: client.key } : {}) }, (res) => {
      res.resume();
      resolve(String(res.statusCode));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve(e.code ?? "error"));
  });
}

/** Whether the client certificate verifies against the origin's bundle, by the openssl CLI. */
function opensslVerifies(bundle: string, cert: string): boolean {
  const [ca, leaf] = [path.join(scratch, `ca-${Math.random()}.pem`), path.join(scratch, `leaf-${Math.random()}.pem`)];
  fs.writeFileSync(ca, bundle);
  fs.writeFileSync(leaf, cert);
  try {
    execFileSync("openssl", ["verify", "-purpose", "sslclient", "-CAfile", ca, leaf], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

const bundleOf = (d: Deployed) => Buffer.from(d.originEnv.LEDGER_MTLS_TRUST_BUNDLE_B64!, "base64").toString("utf8");
const cas = (bundle: string) => bundle.split(/(?=-----BEGIN CERTIFICATE-----)/).map((p) => new X509Certificate(p));

describe("the mTLS PKI, judged by openssl and node's TLS stack", () => {
  let first: Deployed;
  let other: Deployed;
  beforeAll(async () => {
    first = await deploy();
    // Another stack's PKI: its own CA.
    other = await deploy({}, { stack: "staging" });
  }, 60_000);

  it("issues a client-auth-only certificate naming the gateway, from a CA with exactly a CA's uses; openssl verifies the chain", () => {
    const leaf = new X509Certificate(first.client.cert);
    const [ca] = cas(bundleOf(first));
    expect(leaf.subject).toBe("O=gatelock\nOU=dev/ledger\nCN=acme/orders-api@main");
    expect(leaf.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
    expect(leaf.ca).toBe(false);
    expect(leaf.checkIssued(ca!)).toBe(true);
    expect(ca!.ca).toBe(true);
    expect(ca!.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(leaf.publicKey.asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    const days = (Date.parse(leaf.validTo) - Date.parse(leaf.validFrom)) / DAY;
    expect(days).toBeCloseTo(397, 0);
    expect(opensslVerifies(bundleOf(first), first.client.cert)).toBe(true);
    expect(opensslVerifies(bundleOf(other), first.client.cert)).toBe(false);
    // No server-auth use: openssl refuses it as a server certificate.
    expect(opensslVerifiesServer(bundleOf(first), first.client.cert)).toBe(false);
    // The gateway's variable names the certificate it has.
    expect(first.variable).toBe(first.client.name);
    expect(first.client.name).toBe("ledger_dev_mtls_c0g0");
  });

  it("a handshake with the gateway's certificate succeeds; none, a self-issued one, or another stack's is refused", async () => {
    const o = await origin(first.originEnv);
    try {
      expect(await call(o.port, first.client)).toBe("200");
      expect(await call(o.port)).not.toBe("200");
      expect(await call(o.port, other.client)).not.toBe("200");
      expect(await call(o.port, selfIssued())).not.toBe("200");
    } finally {
      await o.close();
    }
  });

  it("no private key appears outside Pulumi's secrets: inputs, stack outputs, the origin's dotenv entries", () => {
    const keyLines = (pem: string) => pem.split("\n").filter((l) => l.length > 20 && !l.startsWith("-----"));
    const secrets = [first.client.key];
    const plain = [...first.run.resources.flatMap((r) => plainStrings(r.inputs)), ...plainStrings(first.run.outputs)];
    for (const s of secrets) for (const line of keyLines(s)) expect(plain.some((p) => p.includes(line))).toBe(false);
    const dir = one(first.run.resources, "pulumi-nodejs:dynamic/gatelock:MtlsCertificateDir");
    expect(isSecretValue(dir.inputs.key)).toBe(true);
    expect(JSON.stringify(first.originEnv)).not.toContain("PRIVATE KEY");
  });
});

describe("rotation across deployments, with a handshake at every step", () => {
  it("a client rotation: a new key and certificate under a new name, still trusted by the unchanged bundle", async () => {
    const first = await deploy();
    const next = await deploy({ rotation: 1 }, { prior: first.run });
    expect(next.client.name).toBe("ledger_dev_mtls_c0g1");
    expect(next.client.key === first.client.key).toBe(false);
    expect(bundleOf(next)).toBe(bundleOf(first));
    const o = await origin(next.originEnv);
    try {
      expect(await call(o.port, next.client)).toBe("200");
      // No revocation: the old certificate stays valid until it expires (the gateway no longer uses it).
      expect(await call(o.port, first.client)).toBe("200");
    } finally {
      await o.close();
    }
  }, 60_000);

  it("a CA rotation: the bundle holds both CAs during the overlap, then only the new one", async () => {
    // Issued in the past, so that the TLS stack (on the real clock) sees every certificate as valid.
    const t0 = new Date(Date.now() - 10 * DAY);
    const first = await deploy({}, { now: t0 });
    const rotated = await deploy({ caRotation: 1 }, { prior: first.run, now: new Date(t0.getTime() + DAY) });
    expect(cas(bundleOf(rotated))).toHaveLength(2);
    expect(rotated.client.name).toBe("ledger_dev_mtls_c1g0");
    const [newCa] = cas(bundleOf(rotated));
    expect(new X509Certificate(rotated.client.cert).checkIssued(newCa!)).toBe(true);
    let o = await origin(rotated.originEnv);
    try {
      // Step 1+2: the origin trusts both, the gateway presents the new certificate; the old one still works.
      expect(await call(o.port, rotated.client)).toBe("200");
      expect(await call(o.port, first.client)).toBe("200");
      expect(await call(o.port, selfIssued())).not.toBe("200");
    } finally {
      await o.close();
    }
    // Step 3: after the overlap, the old CA leaves the bundle.
    const later = new Date(t0.getTime() + 9 * DAY);
    const settled = await deploy({ caRotation: 1 }, { prior: rotated.run, now: later });
    expect(cas(bundleOf(settled))).toHaveLength(1);
    expect(settled.client.cert).toBe(rotated.client.cert);
    o = await origin(settled.originEnv);
    try {
      expect(await call(o.port, settled.client)).toBe("200");
      expect(await call(o.port, first.client)).not.toBe("200");
    } finally {
      await o.close();
    }
    expect(opensslVerifies(bundleOf(settled), first.client.cert)).toBe(false);
    expect(opensslVerifies(bundleOf(settled), settled.client.cert)).toBe(true);
  }, 90_000);
});

/** Whether openssl accepts the certificate for TLS server use. */
function opensslVerifiesServer(bundle: string, cert: string): boolean {
  const [ca, leaf] = [path.join(scratch, `ca-${Math.random()}.pem`), path.join(scratch, `leaf-${Math.random()}.pem`)];
  fs.writeFileSync(ca, bundle);
  fs.writeFileSync(leaf, cert);
  try {
    execFileSync("openssl", ["verify", "-purpose", "sslserver", "-CAfile", ca, leaf], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

/** A certificate anyone can make: self-issued, with the gateway's very subject. */
function selfIssued(): { cert: string; key: string } {
  const [key, cert] = [path.join(scratch, `self-${Math.random()}.key`), path.join(scratch, `self-${Math.random()}.crt`)];
  execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/O=gatelock/OU=dev\\/ledger/CN=acme\\/orders-api@main", "-addext", "extendedKeyUsage=clientAuth", "-days", "2", "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { key: fs.readFileSync(key, "utf8"), cert: fs.readFileSync(cert, "utf8") };
}
