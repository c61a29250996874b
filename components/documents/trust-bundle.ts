/**
 * A trust bundle for client certificates (pure, Node built-ins only): the CA certificates an
 * origin accepts the gateway's client certificate from. Shared by the origin's guard
 * (`gatelock/origin`) and the model's check of a bring-your-own bundle, so both refuse the same
 * bundles: empty, a private key, a leaf, a weak key, or a public root CA (or a CA one issued),
 * which would let anyone with a public certificate in.
 */
import { createHash, X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";

export type TrustBundle = string | Buffer | readonly (string | Buffer)[];

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)-----END CERTIFICATE-----/g;
const STRONG_CURVES = new Set(["prime256v1", "secp384r1", "secp521r1"]);

/** A key weaker than P-256 / RSA 2048 (or of a kind gatelock does not know). */
export function weakKey(cert: X509Certificate): boolean {
  const key = cert.publicKey;
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case "rsa":
    case "rsa-pss":
      return !(typeof details.modulusLength === "number" && details.modulusLength >= 2048);
    case "ec":
      return !(typeof details.namedCurve === "string" && STRONG_CURVES.has(details.namedCurve));
    case "ed25519":
    case "ed448":
      return false;
    default:
      return true;
  }
}

/** The bundle's CA certificates, once each; `fail` is called (and throws) with what is wrong with it. */
export function parseTrustBundle(ca: TrustBundle | undefined, fail: (message: string) => never): X509Certificate[] {
  if (ca === undefined || ca === null) fail("`ca` is required: the PEM bundle of the CA(s) that issue the gateway's client certificate");
  const parts: readonly (string | Buffer)[] = typeof ca === "string" || Buffer.isBuffer(ca) ? [ca] : Array.isArray(ca) ? ca : fail("`ca` must be PEM text, a Buffer, or a list of them");
  const certs: X509Certificate[] = [];
  for (const part of parts) {
    if (typeof part !== "string" && !Buffer.isBuffer(part)) fail("`ca` entries must be PEM strings or Buffers");
    const text = typeof part === "string" ? part : part.toString("latin1");
    if (/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(text)) fail("the trust bundle contains a private key: pass only CA certificates, and keep the key out of the origin");
    if (text.includes("-----BEGIN")) {
      const blocks = [...text.matchAll(PEM_CERTIFICATE)].map((m) => m[0]);
      if (text.replace(PEM_CERTIFICATE, "").includes("-----BEGIN")) fail("the trust bundle contains a PEM block that is not a certificate");
      for (const pem of blocks) certs.push(parseOne(pem, certs.length, fail));
    } else if (Buffer.isBuffer(part) && part.length > 0) {
      certs.push(parseOne(part, certs.length, fail));
    } else if (text.trim().length > 0) {
      fail("`ca` must contain PEM certificates (-----BEGIN CERTIFICATE-----)");
    }
  }
  if (certs.length === 0) fail("the trust bundle is empty: it must hold the CA that issues the gateway's client certificate");

  const unique = new Map<string, X509Certificate>();
  for (const [i, cert] of certs.entries()) {
    const label = `trust bundle certificate #${i + 1} (${oneLine(cert.subject)})`;
    if (!cert.ca) fail(`${label} is not a CA certificate: the bundle holds the CA(s) that issue the client certificate, not the client certificate itself`);
    if (weakKey(cert)) fail(`${label} has a key weaker than P-256 / RSA 2048`);
    const publicRoot = publicRootBehind(cert);
    if (publicRoot) {
      fail(`${label} is ${publicRoot === cert.subject ? "a public root CA" : `issued by the public root CA ${oneLine(publicRoot)}`}: a trust bundle with a public root CA would let anyone with a public certificate in; use the stack's own CA`);
    }
    unique.set(cert.fingerprint256, cert);
  }
  return [...unique.values()];
}

function parseOne(input: string | Buffer, index: number, fail: (message: string) => never): X509Certificate {
  try {
    return new X509Certificate(input);
  } catch {
    return fail(`trust bundle certificate #${index + 1} could not be parsed`);
  }
}

function oneLine(subject: string): string {
  return subject.split("\n").join(", ");
}

interface PublicRoots {
  readonly certs: readonly X509Certificate[];
  readonly keys: ReadonlyMap<string, X509Certificate>;
  readonly subjects: ReadonlySet<string>;
}
let publicRoots: PublicRoots | undefined;

function spki(cert: X509Certificate): string {
  return createHash("sha256").update(cert.publicKey.export({ type: "spki", format: "der" })).digest("base64");
}

/** Node's bundled Mozilla root store, indexed once, on the first bundle check. */
function roots(): PublicRoots {
  if (!publicRoots) {
    const certs: X509Certificate[] = [];
    for (const pem of rootCertificates) {
      try {
        certs.push(new X509Certificate(pem));
      } catch {
        // A root Node ships but cannot parse cannot be in anyone's bundle either.
      }
    }
    publicRoots = { certs, keys: new Map(certs.map((c) => [spki(c), c])), subjects: new Set(certs.map((c) => c.subject)) };
  }
  return publicRoots;
}

/**
 * The subject of the public root CA this certificate is, or is issued by; undefined when it is
 * neither. "Is" covers the root itself, a re-issued or cross-signed copy (same key), and a
 * self-signed CA posing under a public root's name. Only Node's bundled roots are known here,
 * not the operating system's store, and a CA two levels below a public root is not detected.
 */
function publicRootBehind(cert: X509Certificate): string | undefined {
  const index = roots();
  const sameKey = index.keys.get(spki(cert));
  if (sameKey) return cert.subject;
  const selfSigned = issuedBy(cert, cert);
  if (selfSigned && index.subjects.has(cert.subject)) return cert.subject;
  if (selfSigned) return undefined;
  for (const root of index.certs) {
    if (issuedBy(cert, root)) return root.subject;
  }
  return undefined;
}

/** `child` was issued by `parent`: names match and `parent`'s key signed it. */
export function issuedBy(child: X509Certificate, parent: X509Certificate): boolean {
  // checkIssued compares names (and key identifiers, and the issuer's keyCertSign usage);
  // only the signature proves the parent's key signed it.
  return child.checkIssued(parent) && child.verify(parent.publicKey);
}
