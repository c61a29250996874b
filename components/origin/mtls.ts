/**
 * The origin side of the mTLS method for a backend that terminates TLS itself: Node HTTPS
 * server options that demand a client certificate from the stack's CA, and a request guard
 * that pins what that certificate must be.
 *
 * The TLS handshake (`requestCert` + `rejectUnauthorized` + the bundle as `ca`) already
 * refuses a connection without a certificate, with one from another CA, or (OpenSSL's checks
 * for a TLS client) with an expired one or one whose EKU excludes `clientAuth`. The guard
 * re-checks everything per request anyway, because:
 * - a CA certificate passes OpenSSL's client-purpose check as long as its key usage allows
 *   signing, and "the gateway" must be a leaf;
 * - a certificate without any EKU passes OpenSSL but not the guard: gatelock's client
 *   certificate is `client_auth` only, so the absence of an EKU means someone else issued it;
 * - the subject pin is what tells the gateway apart from anything else the CA ever signed;
 * - the server options may be spread into a server whose `ca` was later widened, or whose
 *   `rejectUnauthorized` was turned off while debugging; the guard checks the chain against
 *   its own bundle and does not trust `socket.authorized` alone.
 *
 * Trust bundles are validated when the guard is created: empty bundles, private keys, leaf
 * certificates, weak keys, and above all public root CAs (or CAs they issued) are refused,
 * since a bundle with a public root would let anyone holding a public certificate in.
 *
 * Not checked: revocation (CRL/OCSP; gatelock rotates by changing the bundle), name
 * constraints and path-length constraints beyond "a leaf plus at most one intermediate".
 *
 * Shared with the forwarded-header verifier (client-cert-header.ts). Node built-ins only.
 */
import { X509Certificate } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import type { TLSSocket } from "node:tls";
import { issuedBy, parseTrustBundle as parseBundle, type TrustBundle, weakKey } from "../documents/trust-bundle";
import { rejectRequest } from "./middleware";

/** Why a client certificate was refused. For the origin's logs; the caller always gets the same 401. */
export type ClientCertRejectReason =
  /** No certificate (or, for the header verifier, no header). */
  | "missing"
  /** The header value could not be decoded or parsed as a certificate, or was sent more than once. */
  | "malformed"
  /** The certificate does not chain to a CA in the trust bundle (signature and issuer checked). */
  | "untrusted"
  /** Past `notAfter` (beyond the clock tolerance). */
  | "expired"
  /** Before `notBefore` (beyond the clock tolerance). */
  | "not-yet-valid"
  /** No extended key usage, or one without `clientAuth`. */
  | "not-client-auth"
  /** The certificate is a CA (`basicConstraints` CA:TRUE); only a leaf may be the gateway. */
  | "ca"
  /** RSA below 2048 bits, an EC curve other than P-256/P-384/P-521, or DSA. */
  | "weak-key"
  /** The subject matches none of `pinnedSubjects`. */
  | "subject";

export type ClientCertResult =
  | {
      readonly ok: true;
      /** The accepted leaf certificate. */
      readonly certificate: X509Certificate;
      /** Its subject as Node prints it (`X509Certificate.subject`, one `KEY=value` per line). */
      readonly subject: string;
      /** SHA-256 fingerprint, colon-separated hex, for logs and rotation monitoring. */
      readonly fingerprint256: string;
    }
  | {
      readonly ok: false;
      readonly reason: ClientCertRejectReason;
      /** An OpenSSL verification code (e.g. `UNABLE_TO_GET_ISSUER_CERT`) when TLS decided; never certificate content. */
      readonly detail?: string;
    };

/**
 * A subject the gateway's certificate may carry. Either the exact subject as Node prints it
 * (`X509Certificate.subject`: `O=acme\nOU=orders\nCN=prod`, in certificate order, with RFC 2253
 * escapes), or an object of attributes that must each appear exactly once with exactly that
 * value, e.g. `{ O: "acme", OU: "orders", CN: "prod" }` (the account, project and environment
 * gatelock's client certificate names). Attributes not listed may have any value.
 */
export type SubjectPin = string | Readonly<Record<string, string>>;

/** PEM text (one or more certificates), a DER buffer, or a list of either. */
export type { TrustBundle } from "../documents/trust-bundle";

/** Options shared by {@link mtlsServerOptions} and the forwarded-header verifier. */
export interface ClientCertOptions {
  /**
   * The CA certificates the gateway's client certificate must chain to: the stack's CA, or
   * old and new CA during a rotation. A leaf plus one intermediate is supported: in this
   * bundle, or sent by the client (over TLS) or forwarded with the leaf (in a header), and then
   * checked against the bundle like the leaf. Public roots are refused.
   */
  readonly ca: TrustBundle;
  /** Accept only certificates matching one of these subjects. Default: any leaf the bundle's CAs issued. */
  readonly pinnedSubjects?: readonly SubjectPin[];
  /** Skew allowed on `notBefore`/`notAfter`, in seconds. Default 0 (what TLS itself allows), at most 300. */
  readonly clockToleranceSeconds?: number;
  /** Clock for validity checks; injectable for tests. Default `() => new Date()`. */
  readonly now?: () => Date;
}

/** Anything that can decide a request by its client certificate. */
export interface ClientCertGuard {
  /** Check one request. Never throws. */
  checkRequest(req: IncomingMessage): ClientCertResult;
}

/** The pieces of `https.ServerOptions` that make Node demand a client certificate from the bundle. */
export interface MtlsTlsOptions {
  readonly requestCert: true;
  readonly rejectUnauthorized: true;
  /** The bundle, one PEM string per certificate. */
  readonly ca: string[];
}

/** What {@link mtlsServerOptions} returns: TLS options to spread into `https.createServer`, and the guard. */
export interface MtlsServer extends ClientCertGuard {
  readonly tls: MtlsTlsOptions;
  /** SHA-256 fingerprints of the bundle's CAs. */
  readonly caFingerprints: readonly string[];
  /** Check the client certificate of a TLS connection. Never throws. */
  checkClientCertificate(socket: TLSSocket): ClientCertResult;
}

/** The TLS Web Client Authentication extended key usage. */
export const CLIENT_AUTH_EKU = "1.3.6.1.5.5.7.3.2";
/** Upper bound for `clockToleranceSeconds`, as for the gateway-token verifier. */
export const MAX_CERT_CLOCK_TOLERANCE_SECONDS = 300;

const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9.-]*$/;
/**
 * Pin values are plain text: nothing RFC 2253 would escape, no control characters. Node prints
 * subjects with those escapes, so a pinned value can only ever equal an unescaped one, and a
 * certificate value such as `acme\, O=evil` can never be mistaken for a pin.
 */
const PIN_VALUE = /^(?![ #])[^,+"\\<>;\u0000-\u001f\u007f]*(?<! )$/;
/** What is safe to echo from an OpenSSL error code. */
const IDENTIFIER = /^[A-Z][A-Z0-9_]{0,99}$/;

/** Pre-validated trust: the bundle's CAs and the checks every leaf goes through. */
export interface ClientCertPolicy {
  readonly anchors: readonly X509Certificate[];
  readonly pems: readonly string[];
  check(leaf: X509Certificate, presentedChain: readonly X509Certificate[]): ClientCertResult;
}

/**
 * Validate the options once, at startup, so a mistake fails loudly instead of refusing (or,
 * worse, accepting) every request. `name` prefixes error messages.
 */
export function compileClientCertPolicy(options: ClientCertOptions, name: string): ClientCertPolicy {
  const fail = (message: string): never => {
    throw new TypeError(`gatelock ${name}: ${message}`);
  };
  if (typeof options !== "object" || options === null) fail("options are required");
  const anchors = parseBundle(options.ca, fail);
  const pins = compilePins(options.pinnedSubjects, fail);
  const tolerance = options.clockToleranceSeconds ?? 0;
  if (typeof tolerance !== "number" || !Number.isFinite(tolerance) || tolerance < 0 || tolerance > MAX_CERT_CLOCK_TOLERANCE_SECONDS) {
    fail(`\`clockToleranceSeconds\` must be a number between 0 and ${MAX_CERT_CLOCK_TOLERANCE_SECONDS}`);
  }
  if (options.now !== undefined && typeof options.now !== "function") fail("`now` must be a function returning a Date");
  const clock = options.now ?? (() => new Date());
  const toleranceMs = tolerance * 1000;

  const check = (leaf: X509Certificate, presentedChain: readonly X509Certificate[]): ClientCertResult => {
    const nowMs = clock().getTime();
    const usable = (c: X509Certificate): boolean => timeState(c, nowMs, toleranceMs) === "valid";
    if (!chainsToBundle(leaf, presentedChain, anchors, usable)) return { ok: false, reason: "untrusted" };
    if (leaf.ca) return { ok: false, reason: "ca" };
    const time = timeState(leaf, nowMs, toleranceMs);
    if (time !== "valid") return { ok: false, reason: time };
    // Node exposes the *extended* key usage as `keyUsage`; undefined means no EKU extension.
    if (!leaf.keyUsage?.includes(CLIENT_AUTH_EKU)) return { ok: false, reason: "not-client-auth" };
    if (weakKey(leaf)) return { ok: false, reason: "weak-key" };
    if (pins.length > 0 && !pins.some((pin) => pin(leaf.subject))) return { ok: false, reason: "subject" };
    return { ok: true, certificate: leaf, subject: leaf.subject, fingerprint256: leaf.fingerprint256 };
  };

  return { anchors, pems: anchors.map((a) => a.toString()), check };
}

/**
 * Node HTTPS server options that require a client certificate from the bundle, plus the guard
 * that pins it. Use the guard on every request: see {@link protectWithClientCert}.
 *
 * @example
 * const mtls = mtlsServerOptions({ ca: fs.readFileSync("gateway-ca.pem"), pinnedSubjects: [{ O: "acme", OU: "orders", CN: "production" }] });
 * https.createServer({ key, cert, ...mtls.tls }, protectWithClientCert(mtls, app)).listen(8443);
 */
export function mtlsServerOptions(options: ClientCertOptions): MtlsServer {
  const policy = compileClientCertPolicy(options, "mtlsServerOptions");
  const tls: MtlsTlsOptions = Object.freeze({ requestCert: true as const, rejectUnauthorized: true as const, ca: Object.freeze([...policy.pems]) as string[] });

  const checkClientCertificate = (socket: TLSSocket): ClientCertResult => {
    try {
      if (typeof socket?.getPeerX509Certificate !== "function") return { ok: false, reason: "missing" };
      // Read the chain first: on Node 20, once getPeerX509Certificate() has run, the detailed
      // getPeerCertificate(true) no longer links the intermediates the client sent.
      const chain = presentedChain(socket);
      const leaf = socket.getPeerX509Certificate();
      if (!leaf) return { ok: false, reason: "missing" };
      if (!socket.authorized) {
        // Only reachable when the server does not reject unauthorized peers itself.
        const code = String(socket.authorizationError ?? "");
        return { ok: false, reason: reasonForTlsError(code), ...(IDENTIFIER.test(code) ? { detail: code } : {}) };
      }
      return policy.check(leaf, chain);
    } catch {
      return { ok: false, reason: "malformed" };
    }
  };

  return {
    tls,
    caFingerprints: Object.freeze(policy.anchors.map((a) => a.fingerprint256)),
    checkClientCertificate,
    checkRequest: (req) => checkClientCertificate(req.socket as TLSSocket),
  };
}

/**
 * What an OpenSSL verification code means in this module's vocabulary: the code in
 * `socket.authorizationError`, or in the error of a server's `tlsClientError` event. Note that
 * with `rejectUnauthorized` Node (20) drops a connection whose certificate fails verification
 * without saying why: `tlsClientError` then only sees `ECONNRESET` (untrusted, here); only a
 * missing certificate arrives with its own code. For the reason of every refusal in the
 * origin's logs, the guard alone can decide (see `checkClientCertificate`).
 */
export function reasonForTlsError(code: string | undefined): ClientCertRejectReason {
  switch (code) {
    case "CERT_HAS_EXPIRED":
      return "expired";
    case "CERT_NOT_YET_VALID":
      return "not-yet-valid";
    case "INVALID_PURPOSE":
      return "not-client-auth";
    case "ERR_SSL_PEER_DID_NOT_RETURN_A_CERTIFICATE":
      return "missing";
    default:
      return "untrusted";
  }
}

/** Options for {@link protectWithClientCert} and {@link clientCertMiddleware}. */
export interface ClientCertMiddlewareOptions<Req extends IncomingMessage = IncomingMessage> {
  /** Called for every refused request with the reason. Exceptions it throws are ignored. */
  readonly onReject?: (reason: ClientCertRejectReason, req: Req) => void;
}

/** A request that passed: the gateway's verified client certificate. */
export type ClientCertRequest<Req extends IncomingMessage = IncomingMessage> = Req & { readonly gatewayCertificate: X509Certificate };

/** An Express/Connect-style middleware: `(req, res, next)`. */
export type ClientCertMiddleware<Req extends IncomingMessage = IncomingMessage> = (req: Req, res: ServerResponse, next: (err?: unknown) => void) => void;

/**
 * Wraps a plain Node request listener so it only runs for requests whose client certificate
 * (from the TLS connection, or from a platform header with the forwarded-header verifier) is
 * accepted; others are answered 401 with no body. The certificate is on `req.gatewayCertificate`.
 */
export function protectWithClientCert<Req extends IncomingMessage = IncomingMessage, Res extends ServerResponse = ServerResponse>(
  guard: ClientCertGuard,
  handler: (req: ClientCertRequest<Req>, res: Res) => unknown,
  options: ClientCertMiddlewareOptions<Req> = {},
): (req: Req, res: Res) => void {
  assertGuard(guard, "protectWithClientCert");
  return (req, res) => {
    if (gate(guard, options, req, res)) handler(req as ClientCertRequest<Req>, res);
  };
}

/** Express/Connect-style middleware: `next()` only for an accepted client certificate; otherwise 401. */
export function clientCertMiddleware<Req extends IncomingMessage = IncomingMessage>(guard: ClientCertGuard, options: ClientCertMiddlewareOptions<Req> = {}): ClientCertMiddleware<Req> {
  assertGuard(guard, "clientCertMiddleware");
  return (req, res, next) => {
    if (gate(guard, options, req, res)) next();
  };
}

function assertGuard(guard: ClientCertGuard, name: string): void {
  if (typeof guard?.checkRequest !== "function") {
    throw new TypeError(`gatelock ${name}: pass the result of mtlsServerOptions or createForwardedClientCertVerifier`);
  }
}

function gate<Req extends IncomingMessage>(guard: ClientCertGuard, options: ClientCertMiddlewareOptions<Req>, req: Req, res: ServerResponse): boolean {
  let reason: ClientCertRejectReason;
  try {
    const result = guard.checkRequest(req);
    if (result.ok) {
      Object.defineProperty(req, "gatewayCertificate", { value: result.certificate, enumerable: true, configurable: true, writable: false });
      return true;
    }
    reason = result.reason;
  } catch {
    // checkRequest does not throw; if anything here does, refuse rather than let the request through.
    reason = "malformed";
  }
  rejectRequest(req, res, reason, options.onReject);
  return false;
}

/**
 * The certificates the peer sent after its leaf, as candidate intermediates (never as anchors):
 * each is checked against the bundle like any other. Call it before getPeerX509Certificate()
 * (see checkClientCertificate).
 */
function presentedChain(socket: TLSSocket): X509Certificate[] {
  const out: X509Certificate[] = [];
  let current = socket.getPeerCertificate(true)?.issuerCertificate;
  const seen = new Set<string>();
  // OpenSSL links the last certificate to itself; stop there, and after a few in any case.
  while (current?.raw && out.length < 4 && !seen.has(current.fingerprint256)) {
    seen.add(current.fingerprint256);
    out.push(new X509Certificate(current.raw));
    current = current.issuerCertificate;
  }
  return out;
}


/**
 * Does `leaf` chain to one of `anchors`, directly or through one CA intermediate (from the
 * bundle, or presented alongside the leaf)? Presented certificates are only ever intermediates:
 * a presented self-signed CA that is not in the bundle anchors nothing.
 */
function chainsToBundle(leaf: X509Certificate, presented: readonly X509Certificate[], anchors: readonly X509Certificate[], usable: (c: X509Certificate) => boolean): boolean {
  for (const anchor of anchors) {
    if (usable(anchor) && issuedBy(leaf, anchor)) return true;
  }
  for (const mid of presented) {
    if (!mid.ca || !usable(mid) || weakKey(mid) || !issuedBy(leaf, mid)) continue;
    for (const anchor of anchors) {
      if (usable(anchor) && issuedBy(mid, anchor)) return true;
    }
  }
  return false;
}

function timeState(cert: X509Certificate, nowMs: number, toleranceMs: number): "valid" | "expired" | "not-yet-valid" {
  const from = Date.parse(cert.validFrom);
  const to = Date.parse(cert.validTo);
  // An unparseable date is treated as outside validity: refuse rather than guess.
  if (!(nowMs + toleranceMs >= from)) return "not-yet-valid";
  if (!(nowMs - toleranceMs <= to)) return "expired";
  return "valid";
}

function compilePins(pins: readonly SubjectPin[] | undefined, fail: (message: string) => never): ((subject: string) => boolean)[] {
  if (pins === undefined) return [];
  if (!Array.isArray(pins) || pins.length === 0) fail("`pinnedSubjects` must be a non-empty list (omit it to accept any leaf the bundle's CAs issued)");
  return pins.map((pin, i) => {
    if (typeof pin === "string") {
      if (pin.trim().length === 0 || !pin.includes("=")) fail(`\`pinnedSubjects[${i}]\` must be a subject as Node prints it (e.g. "O=acme\\nCN=gateway") or an attribute object`);
      return (subject: string) => subject === pin;
    }
    if (typeof pin !== "object" || pin === null || Array.isArray(pin)) fail(`\`pinnedSubjects[${i}]\` must be a subject string or an object such as { O: "acme", CN: "gateway" }`);
    const entries = Object.entries(pin);
    if (entries.length === 0) fail(`\`pinnedSubjects[${i}]\` must name at least one attribute: an empty pin would match every subject`);
    for (const [key, value] of entries) {
      if (!ATTRIBUTE_NAME.test(key)) fail(`\`pinnedSubjects[${i}]\` has an invalid attribute name \`${key}\` (use the short names Node prints: CN, O, OU, C, L, ST, ...)`);
      if (typeof value !== "string" || value.length === 0 || !PIN_VALUE.test(value)) {
        fail(`\`pinnedSubjects[${i}].${key}\` must be a non-empty plain value: no , + " \\ < > ;, no control characters, no leading # or surrounding spaces`);
      }
    }
    return (subject: string) => {
      const attributes = new Map<string, string[]>();
      for (const line of subject.split("\n")) {
        const eq = line.indexOf("=");
        if (eq <= 0) continue;
        const key = line.slice(0, eq);
        attributes.set(key, [...(attributes.get(key) ?? []), line.slice(eq + 1)]);
      }
      // Exactly one value per pinned attribute: a second O= or CN= is not the gateway's certificate.
      return entries.every(([key, value]) => {
        const values = attributes.get(key);
        return values?.length === 1 && values[0] === value;
      });
    };
  });
}
