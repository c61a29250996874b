/**
 * The @pulumi/tls fakes make keys and certificates that tools nobody here wrote accept:
 * `openssl verify` / `openssl x509`, `ssh-keygen`, and node's TLS stack in a real mTLS
 * handshake. @pulumi/tls is not a dependency yet, so the program declares the resources with
 * the SDK's own tokens and secret outputs (as `tls.PrivateKey` etc. do).
 */
import { execFileSync, spawnSync } from "node:child_process";
import { createPrivateKey, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ResourceRefusedError } from "../components/errors";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { type FakeContext, isSecretValue, type MockResourceArgs, type MockResult } from "../components/testing/fake-kit";
import { FakeCloud } from "../components/testing/fakes";
import { TLS_FAKES } from "../components/testing/fakes-tls";

/** A fake cloud that knows the TLS fakes without them being registered in fakes.ts. */
class TlsCloud extends FakeCloud {
  protected override unfaked(args: MockResourceArgs, ctx: FakeContext): MockResult {
    const fake = TLS_FAKES[args.type];
    return fake ? fake(args, ctx) : super.unfaked(args, ctx);
  }
}

// What each SDK class declares (its outputs, and its additionalSecretOutputs).
const SDK = {
  PrivateKey: {
    token: "tls:index/privateKey:PrivateKey",
    outputs: ["algorithm", "ecdsaCurve", "rsaBits", "privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8", "publicKeyFingerprintMd5", "publicKeyFingerprintSha256", "publicKeyOpenssh", "publicKeyPem"],
    secret: ["privateKeyOpenssh", "privateKeyPem", "privateKeyPemPkcs8"],
  },
  SelfSignedCert: {
    token: "tls:index/selfSignedCert:SelfSignedCert",
    outputs: ["certPem", "keyAlgorithm", "readyForRenewal", "validityEndTime", "validityStartTime", "isCaCertificate", "earlyRenewalHours"],
    secret: ["privateKeyPem", "privateKeyPemWo"],
  },
  CertRequest: { token: "tls:index/certRequest:CertRequest", outputs: ["certRequestPem", "keyAlgorithm"], secret: ["privateKeyPem", "privateKeyPemWo"] },
  LocallySignedCert: {
    token: "tls:index/locallySignedCert:LocallySignedCert",
    outputs: ["certPem", "caKeyAlgorithm", "readyForRenewal", "validityEndTime", "validityStartTime", "isCaCertificate", "earlyRenewalHours"],
    secret: ["caPrivateKeyPem", "caPrivateKeyPemWo"],
  },
} as const;
type Kind = keyof typeof SDK;
// The SDK classes are concrete subclasses; the base is abstract only in its typings.
const Custom = pulumi.CustomResource as unknown as new (t: string, n: string, p: Record<string, unknown>, o: pulumi.CustomResourceOptions) => pulumi.CustomResource;
type Res = Record<string, pulumi.Output<any>>;

function res(kind: Kind, name: string, inputs: Record<string, unknown>): Res {
  const { token, outputs, secret } = SDK[kind];
  const props = { ...Object.fromEntries(outputs.map((o) => [o, undefined])), ...inputs };
  return new Custom(token, name, props, { additionalSecretOutputs: [...secret] }) as unknown as Res;
}

const CA_USES = ["cert_signing", "crl_signing", "digital_signature"];

/** A CA (key + self-signed CA certificate) and a certificate it signs for a fresh key. */
function pki(prefix: string, leaf: { uses: string[]; subject: Record<string, string>; dnsNames?: string[]; ipAddresses?: string[] }) {
  const caKey = res("PrivateKey", `${prefix}-ca-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
  const ca = res("SelfSignedCert", `${prefix}-ca`, {
    privateKeyPem: caKey.privateKeyPem,
    subject: { commonName: `${prefix} CA`, organization: "gatelock test" },
    isCaCertificate: true,
    allowedUses: CA_USES,
    validityPeriodHours: 24 * 365,
  });
  const key = res("PrivateKey", `${prefix}-key`, { algorithm: "ECDSA", ecdsaCurve: "P256" });
  const csr = res("CertRequest", `${prefix}-csr`, { privateKeyPem: key.privateKeyPem, subject: leaf.subject, dnsNames: leaf.dnsNames, ipAddresses: leaf.ipAddresses });
  const cert = res("LocallySignedCert", `${prefix}-cert`, {
    certRequestPem: csr.certRequestPem,
    caPrivateKeyPem: caKey.privateKeyPem,
    caCertPem: ca.certPem,
    allowedUses: leaf.uses,
    validityPeriodHours: 397 * 24,
  });
  return { caKey, ca, key, csr, cert };
}

const openssl = spawnSync("openssl", ["version"]).status === 0;
const sshKeygen = spawnSync("ssh-keygen", ["-?"]).error === undefined;

let run: Awaited<ReturnType<typeof runUnderMocks<Record<string, any>>>>;
let dir: string;
const now = new Date();
const write = (name: string, text: string) => {
  const p = path.join(dir, name);
  fs.writeFileSync(p, text, { mode: 0o600 });
  return p;
};

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-tls-"));
  run = await runUnderMocks(
    () => {
      const gw = pki("gw", { uses: ["client_auth", "digital_signature"], subject: { commonName: "zuplo-gateway", organization: "acme", organizationalUnit: "production" } });
      // The origin's server certificate, from the same CA.
      const serverKey = res("PrivateKey", "server-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
      const serverCsr = res("CertRequest", "server-csr", { privateKeyPem: serverKey.privateKeyPem, subject: { commonName: "origin" }, dnsNames: ["localhost"], ipAddresses: ["127.0.0.1"] });
      const server = res("LocallySignedCert", "server-cert", {
        certRequestPem: serverCsr.certRequestPem,
        caPrivateKeyPem: gw.caKey.privateKeyPem,
        caCertPem: gw.ca.certPem,
        allowedUses: ["server_auth", "digital_signature"],
        validityPeriodHours: 24,
      });
      const other = pki("other", { uses: ["client_auth", "digital_signature"], subject: { commonName: "zuplo-gateway", organization: "acme", organizationalUnit: "production" } });
      const p224 = res("PrivateKey", "default-curve", { algorithm: "ECDSA" });
      const rsa = res("PrivateKey", "rsa", { algorithm: "RSA" });
      const ed = res("PrivateKey", "ed", { algorithm: "ED25519" });
      const keyOut = (k: Res) => ({ curve: k.ecdsaCurve, bits: k.rsaBits, pem: k.privateKeyPem, pkcs8: k.privateKeyPemPkcs8, openssh: k.privateKeyOpenssh, pub: k.publicKeyPem, sshPub: k.publicKeyOpenssh, sha: k.publicKeyFingerprintSha256, md5: k.publicKeyFingerprintMd5 });
      return {
        caPem: gw.ca.certPem,
        ca: { start: gw.ca.validityStartTime, end: gw.ca.validityEndTime, ready: gw.ca.readyForRenewal, alg: gw.ca.keyAlgorithm },
        clientPem: gw.cert.certPem,
        client: { start: gw.cert.validityStartTime, end: gw.cert.validityEndTime, ready: gw.cert.readyForRenewal, alg: gw.cert.caKeyAlgorithm },
        clientKeyPem: gw.key.privateKeyPem,
        serverPem: server.certPem,
        serverKeyPem: serverKey.privateKeyPem,
        otherCaPem: other.ca.certPem,
        otherClientPem: other.cert.certPem,
        otherClientKeyPem: other.key.privateKeyPem,
        p224: keyOut(p224),
        p256: keyOut(gw.key),
        rsa: keyOut(rsa),
        ed: keyOut(ed),
      };
    },
    { stack: "tls", fakes: new TlsCloud({ now: () => now }) },
  );
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("tls fakes: keys", () => {
  it("defaults ECDSA to P-224 as the provider does, with no OpenSSH outputs for it", () => {
    const k = run.outputs.p224;
    expect(k.curve).toBe("P224");
    expect(k.pem).toMatch(/^-----BEGIN EC PRIVATE KEY-----\n/);
    expect(createPrivateKey(k.pem).asymmetricKeyDetails?.namedCurve).toBe("secp224r1");
    expect(k.pkcs8).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    // x/crypto/ssh has no P-224: the provider sets these to "".
    expect([k.openssh, k.sshPub, k.sha, k.md5]).toEqual(["", "", "", ""]);
  });

  it("honours a P-256 request, with OpenSSH outputs ssh-keygen accepts", () => {
    const k = run.outputs.p256;
    expect(k.curve).toBe("P256");
    expect(createPrivateKey(k.pem).asymmetricKeyDetails?.namedCurve).toBe("prime256v1");
    expect(k.sshPub).toMatch(/^ecdsa-sha2-nistp256 [A-Za-z0-9+/]+=*\n$/);
    expect(k.sha).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(k.md5).toMatch(/^([0-9a-f]{2}:){15}[0-9a-f]{2}$/);
    expect(k.openssh).toMatch(/^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
  });

  it.skipIf(!sshKeygen)("writes OpenSSH keys and fingerprints ssh-keygen agrees with (RSA, ECDSA, Ed25519)", () => {
    for (const k of [run.outputs.p256, run.outputs.rsa, run.outputs.ed]) {
      const file = write(`k-${Math.random().toString(36).slice(2)}`, k.openssh);
      expect(execFileSync("ssh-keygen", ["-y", "-f", file]).toString().trim()).toBe(k.sshPub.trim());
      const pub = write(`p-${Math.random().toString(36).slice(2)}.pub`, k.sshPub);
      expect(execFileSync("ssh-keygen", ["-l", "-E", "sha256", "-f", pub]).toString()).toContain(k.sha);
      expect(execFileSync("ssh-keygen", ["-l", "-E", "md5", "-f", pub]).toString()).toContain(`MD5:${k.md5}`);
    }
  });

  it("makes RSA 2048 by default in PKCS#1, and Ed25519 in PKCS#8", () => {
    expect(run.outputs.rsa.bits).toBe(2048);
    expect(run.outputs.rsa.pem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----\n/);
    expect(createPrivateKey(run.outputs.rsa.pem).asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(run.outputs.ed.pem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(createPrivateKey(run.outputs.ed.pem).asymmetricKeyType).toBe("ed25519");
  });

  it("returns every private key output as a Pulumi secret marker, and the public ones in clear", () => {
    const keys = [...run.fakes.produced.entries()].filter(([k]) => k.startsWith("tls:index/privateKey:PrivateKey::"));
    expect(keys.length).toBe(8);
    for (const [, { state }] of keys) {
      for (const f of ["privateKeyPem", "privateKeyPemPkcs8", "privateKeyOpenssh"]) expect(isSecretValue(state[f]), f).toBe(true);
      expect(isSecretValue(state.publicKeyPem)).toBe(false);
    }
    const echoes = [...run.fakes.produced.entries()].filter(([k]) => /SelfSignedCert::|CertRequest::/.test(k));
    for (const [, { state }] of echoes) expect(isSecretValue(state.privateKeyPem)).toBe(true);
    for (const [k, { state }] of run.fakes.produced) if (k.includes("LocallySignedCert::")) expect(isSecretValue(state.caPrivateKeyPem)).toBe(true);
  });
});

describe("tls fakes: certificates", () => {
  it("reports RFC 3339 validity from the deploy clock, not ready for renewal", () => {
    const { ca, client } = run.outputs;
    const iso = now.toISOString().replace(/\.?0*Z$/, "Z");
    expect(ca.start).toBe(iso);
    expect(Date.parse(ca.end) - now.getTime()).toBe(365 * 24 * 3_600_000);
    expect(Date.parse(client.end) - now.getTime()).toBe(397 * 24 * 3_600_000);
    expect([ca.ready, client.ready, ca.alg, client.alg]).toEqual([false, false, "ECDSA", "ECDSA"]);
    // The certificate itself holds the same times, to the second.
    const x = new X509Certificate(run.outputs.clientPem);
    expect(Date.parse(x.validFrom)).toBe(Math.floor(now.getTime() / 1000) * 1000);
    expect(Date.parse(x.validTo)).toBe(Math.floor(now.getTime() / 1000) * 1000 + 397 * 24 * 3_600_000);
    expect(x.checkIssued(new X509Certificate(run.outputs.caPem))).toBe(true);
    expect(x.verify(new X509Certificate(run.outputs.caPem).publicKey)).toBe(true);
  });

  describe.skipIf(!openssl)("openssl", () => {
    it("verifies the client certificate against the CA, and not against another CA", () => {
      const ca = write("ca.pem", run.outputs.caPem);
      const client = write("client.pem", run.outputs.clientPem);
      expect(execFileSync("openssl", ["verify", "-CAfile", ca, "-purpose", "sslclient", client]).toString()).toBe(`${client}: OK\n`);
      const other = spawnSync("openssl", ["verify", "-CAfile", write("other-ca.pem", run.outputs.otherCaPem), client]);
      expect(other.status).not.toBe(0);
      // client_auth only: not usable as a server certificate.
      expect(spawnSync("openssl", ["verify", "-CAfile", ca, "-purpose", "sslserver", client]).status).not.toBe(0);
    });

    it("shows the CA's basic constraints and key usage", () => {
      const text = execFileSync("openssl", ["x509", "-noout", "-text", "-in", write("ca-text.pem", run.outputs.caPem)]).toString();
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE\n/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign\n/);
      expect(text).not.toContain("Extended Key Usage");
      // A CA always gets a subject key identifier (Go adds one).
      expect(text).toContain("X509v3 Subject Key Identifier");
      expect(text).toMatch(/Issuer: O = gatelock test, CN = gw CA\n/);
      expect(text).toMatch(/Subject: O = gatelock test, CN = gw CA\n/);
      expect(text).toContain("Signature Algorithm: ecdsa-with-SHA256");
    });

    it("shows the client certificate's usages, constraints, subject and validity", () => {
      const text = execFileSync("openssl", ["x509", "-noout", "-text", "-in", write("client-text.pem", run.outputs.clientPem)]).toString();
      expect(text).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE\n/);
      expect(text).toMatch(/X509v3 Key Usage: critical\s+Digital Signature\n/);
      expect(text).toMatch(/X509v3 Extended Key Usage: \s+TLS Web Client Authentication\n/);
      expect(text).not.toContain("Server Authentication");
      // The CA's key identifier is carried over as the authority key identifier.
      expect(text).toContain("X509v3 Authority Key Identifier");
      expect(text).toMatch(/Subject: O = acme, OU = production, CN = zuplo-gateway\n/);
      expect(text).toMatch(/Issuer: O = gatelock test, CN = gw CA\n/);
      const dates = execFileSync("openssl", ["x509", "-noout", "-startdate", "-enddate", "-dateopt", "iso_8601", "-in", write("c2.pem", run.outputs.clientPem)]).toString();
      expect(dates).toContain(`notBefore=${now.toISOString().slice(0, 19).replace("T", " ")}Z`);
      expect(dates).toContain(`notAfter=${new Date(now.getTime() + 397 * 24 * 3_600_000).toISOString().slice(0, 19).replace("T", " ")}Z`);
    });

    it("puts the server's DNS name and IP address in its SANs", () => {
      const text = execFileSync("openssl", ["x509", "-noout", "-text", "-in", write("server.pem", run.outputs.serverPem)]).toString();
      expect(text).toMatch(/X509v3 Subject Alternative Name: \s+DNS:localhost, IP Address:127.0.0.1\n/);
      expect(text).toMatch(/TLS Web Server Authentication\n/);
    });
  });
});

describe("tls fakes: a real mTLS handshake", () => {
  /** Connect to a server that requires a client certificate from the fake CA; resolve with what the server said or the error. */
  async function handshake(client: { cert?: string; key?: string }): Promise<{ ok: boolean; peer?: string; error?: string; refusedBecause?: string }> {
    const server = tls.createServer({ key: run.outputs.serverKeyPem, cert: run.outputs.serverPem, ca: [run.outputs.caPem], requestCert: true, rejectUnauthorized: true });
    let peer: string | undefined;
    server.on("secureConnection", (socket) => {
      peer = socket.getPeerCertificate().subject?.CN as string | undefined;
      socket.end("hello");
    });
    let refusedBecause: string | undefined;
    server.on("tlsClientError", (e: NodeJS.ErrnoException) => (refusedBecause = e.code ?? e.message));
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const { port } = server.address() as AddressInfo;
    try {
      return await new Promise((resolve) => {
        let data = "";
        const socket = tls.connect({ host: "127.0.0.1", port, servername: "localhost", ca: [run.outputs.caPem], ...client });
        socket.on("data", (d) => (data += d.toString()));
        // Under TLS 1.3 the client finishes its side before the server judges its certificate,
        // so a refusal shows as an alert or a close without the greeting; the server says why.
        const settle = (r: { ok: boolean; error?: string }) => setImmediate(() => resolve(r.ok ? { ...r, peer } : { ...r, refusedBecause }));
        socket.on("end", () => settle(data === "hello" ? { ok: true } : { ok: false, error: "closed without a greeting" }));
        socket.on("error", (e) => settle({ ok: false, error: (e as NodeJS.ErrnoException).code ?? e.message }));
      });
    } finally {
      server.close();
    }
  }

  it("succeeds with the gateway's client certificate", async () => {
    const r = await handshake({ cert: run.outputs.clientPem, key: run.outputs.clientKeyPem });
    expect(r).toEqual({ ok: true, peer: "zuplo-gateway" });
  });

  it("fails with a client certificate from another fake CA", async () => {
    const r = await handshake({ cert: run.outputs.otherClientPem, key: run.outputs.otherClientKeyPem });
    // The server never accepted it: no secure connection, no greeting.
    expect(r).toMatchObject({ ok: false });
    expect(r.peer).toBeUndefined();
  });

  it("fails with no client certificate", async () => {
    const r = await handshake({});
    expect(r).toMatchObject({ ok: false, error: "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED" });
  });
});

describe("tls fakes: refusals", () => {
  async function refusal(program: () => unknown): Promise<ResourceRefusedError> {
    const err = await runUnderMocks(async () => {
      program();
      return {};
    }, { stack: "tls-refusals", fakes: new TlsCloud() }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(MockRunError);
    const cause = (err as MockRunError).cause;
    expect(cause).toBeInstanceOf(ResourceRefusedError);
    return cause as ResourceRefusedError;
  }

  it("refuses to sign with a CA key that does not match the CA certificate", async () => {
    const r = await refusal(() => {
      const { ca, csr } = pki("mismatch", { uses: ["client_auth"], subject: { commonName: "x" } });
      const stranger = res("PrivateKey", "stranger", { algorithm: "ECDSA", ecdsaCurve: "P256" });
      res("LocallySignedCert", "bad", { certRequestPem: csr.certRequestPem, caPrivateKeyPem: stranger.privateKeyPem, caCertPem: ca.certPem, allowedUses: ["client_auth"], validityPeriodHours: 1 });
    });
    expect(r.resourceName).toBe("bad");
    expect(r.message).toContain("x509: provided PrivateKey doesn't match parent's PublicKey");
  });

  it("refuses a certificate request for a key type the provider cannot use", async () => {
    const x25519 = createPrivateKey({ key: Buffer.from("302e020100300506032b656e04220420" + "11".repeat(32), "hex"), format: "der", type: "pkcs8" });
    const r = await refusal(() => res("CertRequest", "x25519", { privateKeyPem: x25519.export({ type: "pkcs8", format: "pem" }).toString(), subject: { commonName: "x" } }));
    expect(r.message).toMatch(/unsupported private key type/);
  });

  it("refuses camelCase allowedUses, which the provider's validator rejects", async () => {
    const r = await refusal(() => {
      const k = res("PrivateKey", "k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
      res("SelfSignedCert", "camel", { privateKeyPem: k.privateKeyPem, subject: { commonName: "x" }, isCaCertificate: true, allowedUses: ["certSigning"], validityPeriodHours: 1 });
    });
    expect(r.message).toContain('got: "certSigning"');
  });

  it("refuses a CA certificate with an empty subject", async () => {
    const r = await refusal(() => {
      const k = res("PrivateKey", "k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
      res("SelfSignedCert", "nameless", { privateKeyPem: k.privateKeyPem, isCaCertificate: true, allowedUses: CA_USES, validityPeriodHours: 1 });
    });
    expect(r.message).toContain("Must contain at least one Distinguished Name");
  });
});

describe("tls fakes: across deployments", () => {
  it("keeps a certificate whose inputs did not change, even past its renewal time (pulumi/pulumi-tls#39)", async () => {
    const program = () => {
      const k = res("PrivateKey", "k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
      const c = res("SelfSignedCert", "c", { privateKeyPem: k.privateKeyPem, subject: { commonName: "x" }, allowedUses: ["client_auth"], validityPeriodHours: 1 });
      return { pem: c.certPem, key: k.publicKeyPem };
    };
    const first = await runUnderMocks(program, { stack: "tls-keep", fakes: new TlsCloud({ now: () => now }) });
    const later = new Date(now.getTime() + 48 * 3_600_000);
    const second = await runUnderMocks(program, { stack: "tls-keep", fakes: new TlsCloud({ now: () => later, prior: first.fakes.produced }) });
    expect(second.outputs).toEqual(first.outputs);
  });
});
