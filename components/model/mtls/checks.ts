/**
 * The refusals and warnings of mTLS (pure, on parsed config; groundwork, not wired into the
 * stack-file model yet). Keys are refused by allowlist, so a curve or size gatelock does not
 * know is refused rather than let through; a bring-your-own bundle is judged by the same code
 * as the origin's guard (`documents/trust-bundle.ts`).
 */
import { parseTrustBundle } from "../../documents/trust-bundle";
import type { ConfigIssue } from "../../errors";
import { conflictIssue as conflict, invalidIssue as invalid, unsafeIssue as unsafe } from "../issues";
import { CA_KEYS, CLIENT_KEYS, type ParsedMtlsOriginModes, type ParsedMtlsPki } from "./config";

type At = (...rest: (string | number)[]) => string;

const list = (keys: readonly string[]) => keys.map((k) => `\`${k}\``).join(", ");

export function checkMtlsPki(pki: ParsedMtlsPki, at: At): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  if (!(CA_KEYS as readonly string[]).includes(pki.caKey)) {
    issues.push(unsafe(at("mtls", "caKey"), `a CA key must be one of ${list(CA_KEYS)}: anything weaker (P-224, the tls provider's default, or a short RSA key) can be broken or is refused by the clouds' trust stores.`, "use `ECDSA_P256` (the default)."));
  }
  if (!(CLIENT_KEYS as readonly string[]).includes(pki.clientKey)) {
    issues.push(unsafe(at("mtls", "clientKey"), `a client certificate key must be one of ${list(CLIENT_KEYS)}: nothing weaker than P-256 or RSA 2048.`, "use `ECDSA_P256` (the default)."));
  }
  if (pki.clientValidityDays > pki.maxClientValidityDays) {
    issues.push(invalid(at("mtls", "clientValidityDays"), `a client certificate valid ${pki.clientValidityDays} days is longer than this stack's maximum (${pki.maxClientValidityDays}).`, "shorten `clientValidityDays`, and rotate more often."));
  }
  // The gateway must switch to a new certificate before the old one expires, overlap included.
  if (pki.rotateAfterDays + pki.overlapDays >= pki.clientValidityDays) {
    issues.push(
      conflict(
        at("mtls", "rotateAfterDays"),
        `the certificate would expire (after ${pki.clientValidityDays} days) before its successor has replaced it everywhere (rotation after ${pki.rotateAfterDays} days, then ${pki.overlapDays} days of overlap).`,
        "rotate well before the certificate expires, e.g. every 90 days for a 397-day certificate.",
      ),
    );
  }
  if (pki.clientValidityDays >= pki.caValidityDays) {
    issues.push(conflict(at("mtls", "caValidityDays"), "the CA must outlive the client certificates it issues.", "make `caValidityDays` longer than `clientValidityDays`."));
  }
  if (pki.overlapDays > pki.rotateAfterDays) {
    issues.push(conflict(at("mtls", "overlapDays"), "the previous certificate cannot stay trusted longer than the rotation period.", "set `overlapDays` no larger than `rotateAfterDays`."));
  }
  if (pki.trustBundle !== undefined) {
    try {
      parseTrustBundle(pki.trustBundle, (message) => {
        throw new BundleProblem(message);
      });
    } catch (e) {
      if (!(e instanceof BundleProblem)) throw e;
      // The bundle check's own words name certificates by subject and position, never key material.
      if (/public root/.test(e.message)) issues.push(unsafe(at("mtls", "trustBundle"), `${e.message}.`, "trust only the CA that issues the gateway's client certificate."));
      else issues.push(invalid(at("mtls", "trustBundle"), `${e.message}.`, "give the PEM certificates of the CA(s) that issue the gateway's client certificate."));
    }
  }
  return issues;
}

class BundleProblem extends Error {}

/** Permissive origin-side modes: refused unless the escape hatch is set. */
export function checkMtlsModes(modes: ParsedMtlsOriginModes, hatch: boolean, at: At): ConfigIssue[] {
  if (hatch) return [];
  const issues: ConfigIssue[] = [];
  const fix = "keep the default, which refuses connections without a valid client certificate; or set `mtls.dangerouslyAllowOptionalClientCert: true` if the origin checks the certificate itself.";
  if (modes.aws && modes.aws.albMode !== "verify") {
    issues.push(unsafe(at("aws", "albMode"), `in \`${modes.aws.albMode}\` mode the load balancer lets connections through without verifying the client certificate.`, fix));
  }
  if (modes.gcp && modes.gcp.clientValidationMode !== "REJECT_INVALID") {
    issues.push(unsafe(at("gcp", "clientValidationMode"), "`ALLOW_INVALID_OR_MISSING_CLIENT_CERT` lets requests through with an invalid certificate or none.", fix));
  }
  if (modes.azure?.appService && modes.azure.appService.clientCertMode !== "Required") {
    issues.push(unsafe(at("azure", "appService", "clientCertMode"), `\`${modes.azure.appService.clientCertMode}\` lets requests without a client certificate through; only \`Required\` performs a real mTLS handshake.`, fix));
  }
  return issues;
}
