/**
 * The origin side of the mTLS method on platforms that terminate TLS in front of the app and
 * hand it the client certificate in a request header.
 *
 * A certificate is public. The header therefore proves nothing by itself: whoever can reach
 * the app and set the header can paste the gateway's real certificate into it, chain, subject
 * and all, without the private key. The checks here (chain to the bundle, validity,
 * `clientAuth`, not a CA, pinned subject) only mean something when the platform guarantees
 * that the header's value came from a TLS handshake in which the client proved possession of
 * the key, and that no client-supplied copy of the header reaches the app. Treat the header as
 * untrusted wherever that guarantee is not established.
 *
 * What is documented (checked against the vendors' documentation) and what is assumed:
 *
 * - **Azure App Service** (`X-ARR-ClientCert`, base64 of the DER certificate, no chain).
 *   Documented: with `clientCertEnabled`, the front end terminates TLS, injects the header
 *   with the client certificate, and does nothing else with it; validating it is the app's
 *   job (Microsoft Learn, "Configure TLS mutual authentication for Azure App Service").
 *   Assumed, not confirmed from documentation: that the front end removes or overwrites an
 *   `X-ARR-ClientCert` the client sends itself. It certainly cannot stand behind a header on
 *   requests where it did not ask for a certificate: `clientCertMode` `Optional` or
 *   `OptionalInteractiveUser`, paths in `clientCertExclusionPaths`, or client certificates
 *   disabled. Use `Required`, no exclusion paths, HTTPS only, and no other way in (access
 *   restrictions / private endpoint for the SCM site and any other ingress).
 * - **AWS Application Load Balancer** (URL-encoded PEM, `+`, `=` and `/` left as is).
 *   Documented: in `verify` mode the ALB validates the chain against its trust store and sends
 *   the leaf in `X-Amzn-Mtls-Clientcert-Leaf` (with `-Subject`, `-Issuer`, `-Serial-Number`,
 *   `-Validity`); in `passthrough` mode it sends the whole presented chain, leaf first,
 *   **unverified**, in `X-Amzn-Mtls-Clientcert`; header names can be changed with the ALB's
 *   header-rename attributes. Assumed, not confirmed from documentation: that the ALB
 *   overwrites or drops client-supplied `X-Amzn-Mtls-*` headers. Use `verify` mode, and let the
 *   targets accept traffic from the ALB's security group only.
 * - **Any other proxy** (custom header): the header is only as good as the proxy's
 *   configuration to strip incoming copies of it and to set it only after a verified handshake.
 *
 * The verification itself does not depend on any of that: it is the same as for a direct TLS
 * connection (mtls.ts), against the origin's own bundle, whatever the platform already checked.
 */
import { X509Certificate } from "node:crypto";
import type { IncomingMessage } from "node:http";
import { readHeader } from "./middleware";
import { compileClientCertPolicy, type ClientCertGuard, type ClientCertOptions, type ClientCertResult } from "./mtls";

/** Azure App Service's header: base64 of the DER client certificate. */
export const APP_SERVICE_CLIENT_CERT_HEADER = "x-arr-clientcert";
/** ALB `verify` mode: URL-encoded PEM of the leaf the ALB verified. */
export const ALB_CLIENT_CERT_LEAF_HEADER = "x-amzn-mtls-clientcert-leaf";
/** ALB `passthrough` mode: URL-encoded PEM of the whole chain as presented, not verified by the ALB. */
export const ALB_CLIENT_CERT_CHAIN_HEADER = "x-amzn-mtls-clientcert";

/** How the header carries the certificate. */
export type ClientCertEncoding =
  /** Base64 of the DER certificate (Azure App Service `X-ARR-ClientCert`). */
  | "base64-der"
  /** Percent-encoded PEM, one or more certificates, leaf first (ALB `X-Amzn-Mtls-Clientcert[-Leaf]`). */
  | "url-encoded-pem";

/** Options for {@link createForwardedClientCertVerifier}. */
export interface ForwardedClientCertVerifierOptions extends ClientCertOptions {
  /**
   * The header the platform puts the certificate in (case-insensitive). One of the
   * `*_CLIENT_CERT_*_HEADER` constants, or the name you renamed it to.
   */
  readonly header: string;
  /** Required for a custom header; inferred for the App Service and ALB headers. */
  readonly encoding?: ClientCertEncoding;
}

/** Checks a forwarded client certificate. Stateless apart from the compiled bundle and pins. */
export interface ForwardedClientCertVerifier extends ClientCertGuard {
  /** The header name, lower-cased as Node presents header names. */
  readonly header: string;
  readonly encoding: ClientCertEncoding;
  /** Check a header value as found in `req.headers[header]`. Never throws. */
  verify(headerValue: string | string[] | undefined): ClientCertResult;
}

const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_BLOCK = /-----BEGIN CERTIFICATE-----([A-Za-z0-9+/=\s]+?)-----END CERTIFICATE-----/g;
/** Far above a leaf plus a few intermediates; a bigger header is not a certificate chain. */
const MAX_HEADER_LENGTH = 64 * 1024;
/** A leaf and up to three intermediates; only one intermediate is ever used. */
const MAX_CERTIFICATES = 4;
const KNOWN: Readonly<Record<string, ClientCertEncoding>> = {
  [APP_SERVICE_CLIENT_CERT_HEADER]: "base64-der",
  [ALB_CLIENT_CERT_LEAF_HEADER]: "url-encoded-pem",
  [ALB_CLIENT_CERT_CHAIN_HEADER]: "url-encoded-pem",
};

/**
 * Create a verifier for a client certificate forwarded in a header by a TLS-terminating
 * platform. Read the module documentation for when such a header can be trusted at all.
 *
 * @example
 * const verifier = createForwardedClientCertVerifier({
 *   header: ALB_CLIENT_CERT_LEAF_HEADER,
 *   ca: process.env.GATEWAY_CA_BUNDLE!,
 *   pinnedSubjects: [{ O: "acme", OU: "orders", CN: "production" }],
 * });
 * http.createServer(protectWithClientCert(verifier, app)).listen(8080);
 */
export function createForwardedClientCertVerifier(options: ForwardedClientCertVerifierOptions): ForwardedClientCertVerifier {
  const name = "createForwardedClientCertVerifier";
  if (typeof options !== "object" || options === null) throw new TypeError(`gatelock ${name}: options are required`);
  const header = options.header;
  if (typeof header !== "string" || !HEADER_NAME.test(header)) {
    throw new TypeError(`gatelock ${name}: \`header\` must be a valid HTTP header name, e.g. ${APP_SERVICE_CLIENT_CERT_HEADER} or ${ALB_CLIENT_CERT_LEAF_HEADER}`);
  }
  const lower = header.toLowerCase();
  const encoding = options.encoding ?? KNOWN[lower];
  if (encoding !== "base64-der" && encoding !== "url-encoded-pem") {
    throw new TypeError(`gatelock ${name}: \`encoding\` must be "base64-der" or "url-encoded-pem"${options.encoding === undefined ? ` (it cannot be inferred for the custom header ${lower})` : ""}`);
  }
  const policy = compileClientCertPolicy(options, name);

  const verify = (headerValue: string | string[] | undefined): ClientCertResult => {
    try {
      const value = single(headerValue);
      if (value === undefined) return { ok: false, reason: "missing" };
      if (value === null) return { ok: false, reason: "malformed" };
      const certs = encoding === "base64-der" ? decodeBase64Der(value) : decodeUrlEncodedPem(value);
      if (!certs) return { ok: false, reason: "malformed" };
      const [leaf, ...rest] = certs;
      return policy.check(leaf!, rest);
    } catch {
      return { ok: false, reason: "malformed" };
    }
  };

  return {
    header: lower,
    encoding,
    verify,
    checkRequest: (req: IncomingMessage) => verify(readHeader(req, lower)),
  };
}

/**
 * The one value presented: undefined when absent or blank, null when sent more than once.
 * Node joins repeated unknown headers with ", ", and neither encoding ever contains a comma
 * (the ALB percent-encodes it), so a comma means duplicates too.
 */
function single(headerValue: string | string[] | undefined): string | undefined | null {
  let value: string | undefined;
  if (Array.isArray(headerValue)) {
    const present = headerValue.filter((v) => typeof v === "string" && v.trim().length > 0);
    if (present.length > 1 || (present.length === 1 && headerValue.length > 1)) return null;
    value = present[0];
  } else {
    value = headerValue;
  }
  if (typeof value !== "string" || value.trim().length === 0) return undefined;
  if (value.length > MAX_HEADER_LENGTH || value.includes(",")) return null;
  return value.trim();
}

function decodeBase64Der(value: string): X509Certificate[] | undefined {
  if (!BASE64.test(value)) return undefined;
  const der = Buffer.from(value, "base64");
  const cert = new X509Certificate(der);
  // The parser stops at the end of the certificate; bytes after it mean this is not one.
  return cert.raw.length === der.length ? [cert] : undefined;
}

function decodeUrlEncodedPem(value: string): X509Certificate[] | undefined {
  // decodeURIComponent, not form decoding: the ALB leaves `+` literal, and it is base64 here.
  let pem: string;
  try {
    pem = decodeURIComponent(value);
  } catch {
    return undefined;
  }
  const blocks = [...pem.matchAll(PEM_BLOCK)];
  if (blocks.length === 0 || blocks.length > MAX_CERTIFICATES) return undefined;
  // Anything but whitespace between the blocks means this is not what the platform sends.
  if (pem.replace(PEM_BLOCK, "").trim().length > 0) return undefined;
  return blocks.map((m) => new X509Certificate(m[0]));
}
