/**
 * `gatelock/origin` mTLS: the Node HTTPS server options and guard, and the verifier for
 * certificates forwarded in a header, against a real PKI made by the `openssl` CLI (so the
 * certificates are not shaped by the code under test) and real TLS handshakes on loopback.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import * as https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { rootCertificates, type TLSSocket } from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ALB_CLIENT_CERT_CHAIN_HEADER,
  ALB_CLIENT_CERT_LEAF_HEADER,
  APP_SERVICE_CLIENT_CERT_HEADER,
  clientCertMiddleware,
  createForwardedClientCertVerifier,
  mtlsServerOptions,
  protectWithClientCert,
  reasonForTlsError,
  type ClientCertGuard,
  type ClientCertRejectReason,
  type ClientCertResult,
  type MtlsServer,
} from "../components/origin/index";

const openssl = (() => {
  try {
    return execFileSync("openssl", ["version"], { encoding: "utf8" }).trim();
  } catch {
    return undefined;
  }
})();
if (!openssl) console.warn("origin-mtls tests skipped: the `openssl` CLI is not installed, and the PKI must come from outside the code under test");

const GATEWAY = "/O=acme/OU=orders/CN=production";
const PIN = { O: "acme", OU: "orders", CN: "production" } as const;

interface Issued {
  readonly key: string;
  readonly cert: string;
}

/** The PKI every test uses, made once. */
interface Pki {
  readonly root: Issued;
  readonly otherRoot: Issued;
  readonly intermediate: Issued;
  readonly serverCa: Issued;
  readonly server: Issued;
  readonly good: Issued;
  readonly viaIntermediate: Issued;
  readonly expired: Issued;
  readonly notYetValid: Issued;
  readonly serverAuthOnly: Issued;
  readonly noEku: Issued;
  readonly caAsClient: Issued;
  readonly wrongSubject: Issued;
  readonly otherCa: Issued;
  readonly weakRsa: Issued;
}

let dir: string;
let pki: Pki;

const EXTENSIONS = `
[root]
basicConstraints=critical,CA:TRUE
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
[intermediate]
basicConstraints=critical,CA:TRUE,pathlen:0
keyUsage=critical,keyCertSign,cRLSign
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
[client]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=clientAuth
authorityKeyIdentifier=keyid
[server]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectAltName=IP:127.0.0.1
[noeku]
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
# A CA that could also sign as a TLS client: OpenSSL's client-purpose check lets it through.
[caclient]
basicConstraints=critical,CA:TRUE
keyUsage=critical,digitalSignature,keyCertSign
extendedKeyUsage=clientAuth
`;

function run(...args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "pipe", "pipe"] });
}

function newKey(name: string, kind: "ec" | "rsa1024" = "ec"): void {
  if (kind === "ec") run("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", `${name}.key`);
  else run("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", `${name}.key`);
}

function read(name: string): Issued {
  return { key: readFileSync(path.join(dir, `${name}.key`), "utf8"), cert: readFileSync(path.join(dir, `${name}.pem`), "utf8") };
}

/** Valid 2000-2100, so that tests can move the clock to either edge of a leaf's validity. */
function selfSigned(name: string, subject: string): Issued {
  newKey(name);
  run("req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", subject, "-config", "openssl.cnf");
  run(
    "ca", "-batch", "-selfsign", "-config", "openssl.cnf", "-keyfile", `${name}.key`, "-startdate", "20000101000000Z", "-enddate", "21000101000000Z",
    "-in", `${name}.csr`, "-out", `${name}.pem`, "-extensions", "root", "-notext", "-preserveDN",
  );
  return read(name);
}

/**
 * `openssl ca` rather than `x509 -req`: OpenSSL 3.0's `x509` cannot set an arbitrary
 * notBefore/notAfter, and expired and not-yet-valid certificates are part of the point.
 */
function issue(name: string, subject: string, issuer: string, extensions: string, opts: { start?: string; end?: string; key?: "ec" | "rsa1024" } = {}): Issued {
  newKey(name, opts.key);
  run("req", "-new", "-key", `${name}.key`, "-out", `${name}.csr`, "-subj", subject, "-config", "openssl.cnf");
  run(
    "ca", "-batch", "-config", "openssl.cnf", "-keyfile", `${issuer}.key`, "-cert", `${issuer}.pem`,
    "-startdate", opts.start ?? "20240101000000Z", "-enddate", opts.end ?? "20991231000000Z",
    "-in", `${name}.csr`, "-out", `${name}.pem`, "-extensions", extensions, "-notext", "-preserveDN",
  );
  return read(name);
}

beforeAll(() => {
  if (!openssl) return;
  dir = mkdtempSync(path.join(tmpdir(), "gatelock-mtls-"));
  writeFileSync(
    path.join(dir, "openssl.cnf"),
    `[req]\ndistinguished_name=dn\nprompt=no\n[dn]\nCN=unused\n[ca]\ndefault_ca=own\n[own]\ndatabase=index.txt\nnew_certs_dir=.\nserial=serial\ndefault_md=sha256\npolicy=any\nunique_subject=no\ncopy_extensions=none\n[any]\ncommonName=optional\n${EXTENSIONS}`,
  );
  writeFileSync(path.join(dir, "index.txt"), "");
  writeFileSync(path.join(dir, "serial"), "1000\n");
  selfSigned("root", "/O=acme/CN=gatelock test CA");
  selfSigned("otherRoot", "/O=acme/CN=another stack's CA");
  selfSigned("serverCa", "/CN=origin server CA");
  pki = {
    root: read("root"),
    otherRoot: read("otherRoot"),
    serverCa: read("serverCa"),
    intermediate: issue("intermediate", "/O=acme/CN=gatelock intermediate", "root", "intermediate"),
    server: issue("server", "/CN=127.0.0.1", "serverCa", "server"),
    good: issue("good", GATEWAY, "root", "client"),
    viaIntermediate: issue("viaIntermediate", GATEWAY, "intermediate", "client"),
    expired: issue("expired", GATEWAY, "root", "client", { start: "20200101000000Z", end: "20210101000000Z" }),
    notYetValid: issue("notYetValid", GATEWAY, "root", "client", { start: "20980101000000Z", end: "20990101000000Z" }),
    serverAuthOnly: issue("serverAuthOnly", GATEWAY, "root", "server"),
    noEku: issue("noEku", GATEWAY, "root", "noeku"),
    caAsClient: issue("caAsClient", GATEWAY, "root", "caclient"),
    wrongSubject: issue("wrongSubject", "/O=acme/OU=orders/CN=staging", "root", "client"),
    otherCa: issue("otherCa", GATEWAY, "otherRoot", "client"),
    weakRsa: issue("weakRsa", GATEWAY, "root", "client", { key: "rsa1024" }),
  };
}, 120_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

const describeWithOpenssl = openssl ? describe : describe.skip;

/** One HTTPS request on its own connection; resolves to the status, or to the client-side error code when TLS refused. */
function request(port: number, client?: { key: string; cert: string }): Promise<{ status: number } | { error: string }> {
  return new Promise((resolve) => {
    const req = https.request({ host: "127.0.0.1", port, path: "/", ca: pki.serverCa.cert, agent: false, ...(client ?? {}) }, (res) => {
      res.resume();
      res.on("end", () => resolve({ status: res.statusCode! }));
    });
    req.on("error", (e: NodeJS.ErrnoException) => resolve({ error: e.code ?? e.message }));
    req.end();
  });
}

/** An HTTPS server whose TLS options come from `mtls` (optionally loosened), recording the guard's verdicts. */
async function serve(mtls: MtlsServer, tlsOverrides: https.ServerOptions = {}) {
  const rejects: ClientCertRejectReason[] = [];
  const accepted: string[] = [];
  const tlsErrors: string[] = [];
  const server = https.createServer(
    { key: pki.server.key, cert: pki.server.cert, ...mtls.tls, ...tlsOverrides },
    protectWithClientCert(
      mtls,
      (req, res) => {
        accepted.push(req.gatewayCertificate.subject);
        res.end("ok");
      },
      { onReject: (reason) => rejects.push(reason) },
    ),
  );
  server.on("tlsClientError", (e: NodeJS.ErrnoException) => tlsErrors.push(e.code ?? "unknown"));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    rejects,
    accepted,
    tlsErrors,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describeWithOpenssl("mtlsServerOptions: options", () => {
  it("returns the TLS pieces that make Node demand a certificate from the bundle", () => {
    const mtls = mtlsServerOptions({ ca: pki.root.cert });
    expect(mtls.tls.requestCert).toBe(true);
    expect(mtls.tls.rejectUnauthorized).toBe(true);
    expect(mtls.tls.ca).toHaveLength(1);
    expect(new X509Certificate(mtls.tls.ca[0]!).fingerprint256).toBe(new X509Certificate(pki.root.cert).fingerprint256);
    expect(Object.isFrozen(mtls.tls)).toBe(true);
  });

  it("accepts old and new CA together, for the rotation overlap", () => {
    const mtls = mtlsServerOptions({ ca: [pki.root.cert, pki.otherRoot.cert] });
    expect(mtls.caFingerprints).toHaveLength(2);
    expect(mtlsServerOptions({ ca: pki.root.cert + "\n" + pki.otherRoot.cert }).caFingerprints).toHaveLength(2);
  });

  it("refuses an empty bundle", () => {
    expect(() => mtlsServerOptions({ ca: "" })).toThrow(/trust bundle is empty/);
    expect(() => mtlsServerOptions({ ca: [] })).toThrow(/trust bundle is empty/);
    expect(() => mtlsServerOptions({} as never)).toThrow(/`ca` is required/);
  });

  it("refuses every public root CA Node ships, as a bundle or inside one", () => {
    // Each root would let in anyone holding a certificate from that CA, which is anyone.
    for (const publicRoot of [rootCertificates[0]!, rootCertificates[rootCertificates.length - 1]!]) {
      expect(() => mtlsServerOptions({ ca: publicRoot })).toThrow(/public root CA would let anyone with a public certificate in/);
      expect(() => mtlsServerOptions({ ca: [pki.root.cert, publicRoot] })).toThrow(/#2 .*public root CA/);
      expect(() => createForwardedClientCertVerifier({ header: APP_SERVICE_CLIENT_CERT_HEADER, ca: publicRoot })).toThrow(/public root CA/);
    }
    // All of them, not just a sample: the check must not depend on a root's shape.
    let refused = 0;
    for (const publicRoot of rootCertificates) {
      try {
        mtlsServerOptions({ ca: publicRoot });
      } catch (e) {
        if (/public root CA/.test((e as Error).message)) refused++;
      }
    }
    expect(refused).toBe(rootCertificates.length);
  });

  it("refuses a self-made CA posing under a public root's name", () => {
    // Same name, different key: not that root, but a bundle entry no one should have made.
    const subject = rootCertificates.map((pem) => new X509Certificate(pem).subject).find((s) => !/[\\/]/.test(s))!;
    const impostor = selfSigned("impostor", "/" + subject.split("\n").join("/"));
    expect(new X509Certificate(impostor.cert).subject).toBe(subject);
    expect(() => mtlsServerOptions({ ca: impostor.cert })).toThrow(/is a public root CA/);
  });

  it("refuses private keys, leaf certificates, non-certificates and garbage in the bundle", () => {
    expect(() => mtlsServerOptions({ ca: pki.root.key + pki.root.cert })).toThrow(/private key/);
    expect(() => mtlsServerOptions({ ca: pki.good.cert })).toThrow(/not a CA certificate/);
    expect(() => mtlsServerOptions({ ca: "not a certificate" })).toThrow(/PEM certificates/);
    expect(() => mtlsServerOptions({ ca: "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n" })).toThrow(/could not be parsed/);
    expect(() => mtlsServerOptions({ ca: readFileSync(path.join(dir, "good.csr"), "utf8") })).toThrow(/not a certificate/);
  });

  it("refuses bad pins and tolerances with clear errors", () => {
    const ca = pki.root.cert;
    expect(() => mtlsServerOptions({ ca, pinnedSubjects: [] })).toThrow(/non-empty list/);
    expect(() => mtlsServerOptions({ ca, pinnedSubjects: [{}] })).toThrow(/empty pin would match every subject/);
    expect(() => mtlsServerOptions({ ca, pinnedSubjects: [{ CN: "" }] })).toThrow(/non-empty plain value/);
    expect(() => mtlsServerOptions({ ca, pinnedSubjects: [{ O: "acme, inc" }] })).toThrow(/plain value/);
    expect(() => mtlsServerOptions({ ca, pinnedSubjects: [{ "bad name": "x" }] })).toThrow(/attribute name/);
    expect(() => mtlsServerOptions({ ca, pinnedSubjects: ["production"] })).toThrow(/subject as Node prints it/);
    expect(() => mtlsServerOptions({ ca, clockToleranceSeconds: 301 })).toThrow(/between 0 and 300/);
    expect(() => mtlsServerOptions({ ca, clockToleranceSeconds: -1 })).toThrow(/between 0 and 300/);
  });
});

describeWithOpenssl("mtlsServerOptions over real TLS", () => {
  const guardOnly = (mtls: MtlsServer) => serve(mtls, { rejectUnauthorized: false });

  it("lets the gateway's certificate through, and pins its subject", async () => {
    const mtls = mtlsServerOptions({ ca: pki.root.cert, pinnedSubjects: [PIN] });
    const s = await serve(mtls);
    try {
      expect(await request(s.port, pki.good)).toEqual({ status: 200 });
      expect(s.accepted).toEqual(["O=acme\nOU=orders\nCN=production"]);
      // The exact subject string as Node prints it works as a pin too.
      const exact = await serve(mtlsServerOptions({ ca: pki.root.cert, pinnedSubjects: ["O=acme\nOU=orders\nCN=production"] }));
      expect(await request(exact.port, pki.good)).toEqual({ status: 200 });
      expect(await request(exact.port, pki.wrongSubject)).toEqual({ status: 401 });
      await exact.close();
    } finally {
      await s.close();
    }
  });

  it("accepts a leaf issued by an intermediate in the bundle, or by one the client sent that the bundle's root issued", async () => {
    const client = { key: pki.viaIntermediate.key, cert: pki.viaIntermediate.cert + pki.intermediate.cert };
    const withIntermediate = await serve(mtlsServerOptions({ ca: [pki.root.cert, pki.intermediate.cert], pinnedSubjects: [PIN] }));
    const rootOnly = await serve(mtlsServerOptions({ ca: pki.root.cert, pinnedSubjects: [PIN] }));
    try {
      expect(await request(withIntermediate.port, client)).toEqual({ status: 200 });
      // The guard checks the intermediate the client sent against the bundle's root itself.
      expect(await request(rootOnly.port, client)).toEqual({ status: 200 });
      expect(rootOnly.rejects).toEqual([]);
      // A leaf whose intermediate is missing altogether chains to nothing the bundle holds.
      expect(await request(rootOnly.port, { key: pki.viaIntermediate.key, cert: pki.viaIntermediate.cert })).toMatchObject({ error: expect.any(String) });
    } finally {
      await withIntermediate.close();
      await rootOnly.close();
    }
  });

  it("refuses at the handshake: no certificate, another CA, expired, not yet valid, server-auth only", async () => {
    const s = await serve(mtlsServerOptions({ ca: pki.root.cert, pinnedSubjects: [PIN] }));
    try {
      for (const client of [undefined, pki.otherCa, pki.expired, pki.notYetValid, pki.serverAuthOnly]) {
        const result = await request(s.port, client);
        expect(result).toHaveProperty("error");
      }
      expect(s.accepted).toEqual([]);
      // Node tells the server why only when there was no certificate at all.
      expect(s.tlsErrors[0]).toBe("ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE");
      expect(reasonForTlsError(s.tlsErrors[0])).toBe("missing");
    } finally {
      await s.close();
    }
  });

  it("refuses past the handshake what TLS lets through: a CA as client, no EKU, the wrong subject", async () => {
    const s = await serve(mtlsServerOptions({ ca: pki.root.cert, pinnedSubjects: [PIN] }));
    try {
      expect(await request(s.port, pki.caAsClient)).toEqual({ status: 401 });
      expect(await request(s.port, pki.noEku)).toEqual({ status: 401 });
      expect(await request(s.port, pki.wrongSubject)).toEqual({ status: 401 });
      expect(s.rejects).toEqual(["ca", "not-client-auth", "subject"]);
      expect(s.accepted).toEqual([]);
    } finally {
      await s.close();
    }
  });

  it("the guard alone (rejectUnauthorized turned off) refuses each case with its reason", async () => {
    const s = await guardOnly(mtlsServerOptions({ ca: pki.root.cert, pinnedSubjects: [PIN] }));
    try {
      const cases: [Parameters<typeof request>[1], ClientCertRejectReason][] = [
        [undefined, "missing"],
        [pki.otherCa, "untrusted"],
        [pki.expired, "expired"],
        [pki.notYetValid, "not-yet-valid"],
        [pki.serverAuthOnly, "not-client-auth"],
        [pki.caAsClient, "ca"],
        [pki.wrongSubject, "subject"],
      ];
      for (const [client] of cases) expect(await request(s.port, client)).toEqual({ status: 401 });
      expect(s.rejects).toEqual(cases.map(([, reason]) => reason));
      expect(await request(s.port, pki.good)).toEqual({ status: 200 });
    } finally {
      await s.close();
    }
  });

  it("checks the chain against its own bundle, not the server's wider `ca`", async () => {
    const mtls = mtlsServerOptions({ ca: pki.root.cert, pinnedSubjects: [PIN] });
    const s = await serve(mtls, { ca: [pki.root.cert, pki.otherRoot.cert] });
    try {
      expect(await request(s.port, pki.otherCa)).toEqual({ status: 401 });
      expect(s.rejects).toEqual(["untrusted"]);
    } finally {
      await s.close();
    }
  });

  it("refuses a plain-HTTP request (no TLS socket) as missing, and works as Connect middleware", () => {
    const mtls = mtlsServerOptions({ ca: pki.root.cert });
    expect(mtls.checkClientCertificate({} as TLSSocket)).toEqual({ ok: false, reason: "missing" });
    const mw = clientCertMiddleware(mtls);
    let nexted = false;
    const res = { statusCode: 0, headersSent: false, writableEnded: false, setHeader: () => undefined, end() { this.writableEnded = true; } };
    mw({ socket: {}, headers: {} } as never, res as never, () => (nexted = true));
    expect(nexted).toBe(false);
    expect(res.statusCode).toBe(401);
  });
});

describeWithOpenssl("createForwardedClientCertVerifier", () => {
  const base64Der = (pem: string) => new X509Certificate(pem).raw.toString("base64");
  /** What the ALB does: percent-encode, leaving `+`, `=` and `/` as they are. */
  const albEncode = (pem: string) => encodeURIComponent(pem).replace(/%2B/g, "+").replace(/%3D/g, "=").replace(/%2F/g, "/");

  const encodings = [
    { encoding: "base64-der" as const, header: APP_SERVICE_CLIENT_CERT_HEADER, encode: base64Der },
    { encoding: "url-encoded-pem" as const, header: ALB_CLIENT_CERT_LEAF_HEADER, encode: albEncode },
  ];

  for (const { encoding, header, encode } of encodings) {
    describe(encoding, () => {
      const verifier = () => createForwardedClientCertVerifier({ header, ca: pki.root.cert, pinnedSubjects: [PIN] });
      const reason = (r: ClientCertResult) => (r.ok ? "ok" : r.reason);

      it("infers the encoding from the platform's header and accepts the gateway's certificate", () => {
        const v = verifier();
        expect(v.encoding).toBe(encoding);
        const result = v.verify(encode(pki.good.cert));
        expect(result.ok && result.subject).toBe("O=acme\nOU=orders\nCN=production");
        expect(result.ok && result.fingerprint256).toBe(new X509Certificate(pki.good.cert).fingerprint256);
        expect(v.verify([encode(pki.good.cert)]).ok).toBe(true);
      });

      it("refuses each bad certificate with its own reason", () => {
        const v = verifier();
        expect(reason(v.verify(undefined))).toBe("missing");
        expect(reason(v.verify("   "))).toBe("missing");
        expect(reason(v.verify(encode(pki.otherCa.cert)))).toBe("untrusted");
        expect(reason(v.verify(encode(pki.expired.cert)))).toBe("expired");
        expect(reason(v.verify(encode(pki.notYetValid.cert)))).toBe("not-yet-valid");
        expect(reason(v.verify(encode(pki.serverAuthOnly.cert)))).toBe("not-client-auth");
        expect(reason(v.verify(encode(pki.noEku.cert)))).toBe("not-client-auth");
        expect(reason(v.verify(encode(pki.caAsClient.cert)))).toBe("ca");
        // The bundle's own root, pasted into the header, is a CA and not the gateway.
        expect(reason(v.verify(encode(pki.root.cert)))).toBe("ca");
        expect(reason(v.verify(encode(pki.wrongSubject.cert)))).toBe("subject");
        expect(reason(v.verify(encode(pki.weakRsa.cert)))).toBe("weak-key");
        // A leaf from an intermediate the bundle does not hold and the header does not carry.
        expect(reason(v.verify(encode(pki.viaIntermediate.cert)))).toBe("untrusted");
      });

      it("refuses malformed and duplicated values", () => {
        const v = verifier();
        const good = encode(pki.good.cert);
        for (const bad of ["%%%", "not base64!", "AAAA", good.slice(0, good.length / 2), good + "junk", "x".repeat(70_000), `${good}, ${good}`]) {
          expect(reason(v.verify(bad)), bad.slice(0, 20)).toBe("malformed");
        }
        expect(reason(v.verify([good, good]))).toBe("malformed");
        expect(reason(v.verify([good, ""]))).toBe("malformed");
      });

      it("honours the clock tolerance at the edges of validity", () => {
        const notAfter = Date.parse(new X509Certificate(pki.expired.cert).validTo);
        const at = (ms: number, tol: number) => createForwardedClientCertVerifier({ header, ca: pki.root.cert, now: () => new Date(ms), clockToleranceSeconds: tol }).verify(encode(pki.expired.cert));
        expect(at(notAfter, 0).ok).toBe(true);
        expect(reason(at(notAfter + 1000, 0))).toBe("expired");
        expect(at(notAfter + 30_000, 30).ok).toBe(true);
        expect(reason(at(notAfter + 31_000, 30))).toBe("expired");
      });
    });
  }

  it("accepts a leaf through an intermediate held in the bundle (either encoding)", () => {
    for (const { header, encode } of encodings) {
      const v = createForwardedClientCertVerifier({ header, ca: [pki.root.cert, pki.intermediate.cert], pinnedSubjects: [PIN] });
      expect(v.verify(encode(pki.viaIntermediate.cert)).ok).toBe(true);
    }
  });

  it("ALB passthrough: uses a forwarded intermediate, but never a forwarded root", () => {
    const v = createForwardedClientCertVerifier({ header: ALB_CLIENT_CERT_CHAIN_HEADER, ca: pki.root.cert, pinnedSubjects: [PIN] });
    expect(v.encoding).toBe("url-encoded-pem");
    expect(v.verify(albEncode(pki.viaIntermediate.cert + pki.intermediate.cert)).ok).toBe(true);
    expect(v.verify(albEncode(pki.viaIntermediate.cert + pki.intermediate.cert + pki.root.cert)).ok).toBe(true);
    // Another stack's CA sent along with its leaf anchors nothing.
    const forged = v.verify(albEncode(pki.otherCa.cert + pki.otherRoot.cert));
    expect(forged.ok ? "ok" : forged.reason).toBe("untrusted");
  });

  it("keeps `+` literal when URL-decoding (form decoding would corrupt base64)", () => {
    const v = createForwardedClientCertVerifier({ header: ALB_CLIENT_CERT_LEAF_HEADER, ca: pki.root.cert });
    // Fully percent-encoded (`%2B`) and ALB-style (`+` literal) are the same certificate.
    expect(v.verify(encodeURIComponent(pki.good.cert)).ok).toBe(true);
    expect(v.verify(albEncode(pki.good.cert)).ok).toBe(true);
  });

  it("validates its options", () => {
    const ca = pki.root.cert;
    expect(() => createForwardedClientCertVerifier({ header: "x-client-cert", ca })).toThrow(/cannot be inferred/);
    expect(createForwardedClientCertVerifier({ header: "X-Client-Cert", encoding: "base64-der", ca }).header).toBe("x-client-cert");
    expect(() => createForwardedClientCertVerifier({ header: "bad header", ca } as never)).toThrow(/valid HTTP header name/);
    expect(() => createForwardedClientCertVerifier({ header: APP_SERVICE_CLIENT_CERT_HEADER, encoding: "pem" as never, ca })).toThrow(/encoding/);
    expect(() => createForwardedClientCertVerifier({ header: APP_SERVICE_CLIENT_CERT_HEADER, ca: [] })).toThrow(/trust bundle is empty/);
  });

  it("guards an HTTP request by its header through protectWithClientCert", async () => {
    const v: ClientCertGuard = createForwardedClientCertVerifier({ header: APP_SERVICE_CLIENT_CERT_HEADER, ca: pki.root.cert, pinnedSubjects: [PIN] });
    const rejects: ClientCertRejectReason[] = [];
    const http = await import("node:http");
    const server = http.createServer(protectWithClientCert(v, (req, res) => res.end(req.gatewayCertificate.subject), { onReject: (r) => rejects.push(r) }));
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const port = (server.address() as AddressInfo).port;
    const get = (headers: Record<string, string>) =>
      new Promise<{ status: number; body: string }>((resolve, reject) => {
        http.get({ host: "127.0.0.1", port, headers, agent: false }, (res) => {
          let body = "";
          res.on("data", (c: Buffer) => (body += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode!, body }));
        }).on("error", reject);
      });
    try {
      expect(await get({ "X-ARR-ClientCert": base64Der(pki.good.cert) })).toEqual({ status: 200, body: "O=acme\nOU=orders\nCN=production" });
      expect((await get({})).status).toBe(401);
      expect((await get({ "X-ARR-ClientCert": base64Der(pki.otherCa.cert) })).status).toBe(401);
      expect(rejects).toEqual(["missing", "untrusted"]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
