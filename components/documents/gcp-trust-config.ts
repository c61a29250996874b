/**
 * What a Certificate Manager trust config and a ServerTlsPolicy take for an mTLS origin (pure).
 *
 * A trust anchor holds one PEM certificate, so a bundle is split: one anchor per CA. During a
 * CA rotation's overlap the bundle holds the old and the new CA, hence two anchors, which is
 * how GCP documents a zero-downtime swap. The bundle is read by the same code as the origin's
 * guard and the model's check (`trust-bundle.ts`), so what reaches GCP is exactly the CAs
 * gatelock judged, once each.
 */
import { parseTrustBundle } from "./trust-bundle";

/**
 * GCP's limit on one PEM certificate in a trust config ("up to 5kB"), read as 5000 bytes, the
 * stricter of the two readings: a CA certificate is far smaller (a P-256 CA is ~0.7 kB, an
 * RSA 4096 one ~2 kB), so only a certificate stuffed with extensions comes near it.
 */
export const GCP_TRUST_CONFIG_PEM_MAX_BYTES = 5000;

export interface GcpTrustAnchor {
  readonly pemCertificate: string;
}

/** The bundle's CA certificates, one trust anchor each; throws when the bundle or a certificate would be refused. */
export function gcpTrustAnchors(bundle: string): GcpTrustAnchor[] {
  const certs = parseTrustBundle(bundle, (message) => {
    throw new Error(`gatelock: the GCP trust config's bundle: ${message}`);
  });
  return certs.map((cert, i) => {
    const pem = cert.toString();
    const bytes = Buffer.byteLength(pem, "utf8");
    if (bytes > GCP_TRUST_CONFIG_PEM_MAX_BYTES) {
      throw new Error(
        `gatelock: trust bundle certificate #${i + 1} (${cert.subject.split("\n").join(", ")}) is ${bytes} bytes as PEM; a GCP trust config takes at most ${GCP_TRUST_CONFIG_PEM_MAX_BYTES} bytes per certificate`,
      );
    }
    return { pemCertificate: pem };
  });
}

const PROJECT_NUMBER = /^[1-9][0-9]{5,18}$/;
const TRUST_CONFIG_NAME = /^[A-Za-z][A-Za-z0-9_-]{0,62}$/;

/**
 * The policy's `clientValidationTrustConfig`: `projects/<number>/locations/global/trustConfigs/<name>`.
 * GCP resolves it by project *number*; the project ID in its place is refused.
 */
export function clientValidationTrustConfig(projectNumber: string, trustConfigName: string): string {
  if (!PROJECT_NUMBER.test(projectNumber)) throw new TypeError(`gatelock: expected a GCP project number, got ${JSON.stringify(projectNumber)}`);
  if (!TRUST_CONFIG_NAME.test(trustConfigName)) throw new TypeError(`gatelock: not a trust config name: ${JSON.stringify(trustConfigName)}`);
  return `projects/${projectNumber}/locations/global/trustConfigs/${trustConfigName}`;
}
