/**
 * The refusals and warnings of mTLS (pure, on parsed config; groundwork, not wired into the
 * stack-file model yet). Keys are refused by allowlist, so a curve or size gatelock does not
 * know is refused rather than let through; a bring-your-own bundle is judged by the same code
 * as the origin's guard (`documents/trust-bundle.ts`).
 */
import type { X509Certificate } from "node:crypto";
import { parseTrustBundle } from "../../documents/trust-bundle";
import type { ConfigIssue, WarningCode } from "../../errors";
import { cloudBlockIssues } from "../cloud-blocks";
import { mtlsCertificateDirProblem } from "./certificate-dir";
import { type IgnoreOracle, localStoreFile } from "../dotenv-target";
import { dotenvTargetIssues } from "../dotenv-issues";
import { conflictIssue as conflict, invalidIssue as invalid, missingIssue as missing, unsafeIssue as unsafe } from "../issues";
import { GUID } from "../primitives";
import { CA_KEYS, CLIENT_KEYS, type ParsedMtlsOrigin, type ParsedMtlsPki } from "./config";

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
  if (pki.ca !== undefined) issues.push(...checkOwnCa(pki, at));
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

/** A CA brought by the user: one CA certificate (and a previous one), judged as a trust bundle is, and not beside a bundle. */
function checkOwnCa(pki: ParsedMtlsPki, at: At): ConfigIssue[] {
  const ca = pki.ca!;
  const issues: ConfigIssue[] = [];
  if (pki.trustBundle !== undefined) {
    issues.push(conflict(at("mtls", "ca"), "a CA and a trust bundle were both given: with `ca` gatelock issues the gateway's certificate, with `trustBundle` someone else does.", "keep one of them."));
  }
  for (const [field, pem] of [["certificate", ca.certificate], ["previousCertificate", ca.previousCertificate]] as const) {
    if (pem === undefined) continue;
    let certs: X509Certificate[] = [];
    try {
      certs = parseTrustBundle(pem, (message) => {
        throw new BundleProblem(message);
      });
    } catch (e) {
      if (!(e instanceof BundleProblem)) throw e;
      issues.push((/public root/.test(e.message) ? unsafe : invalid)(at("mtls", "ca", field), `${e.message}.`, "give your private CA's PEM certificate."));
      continue;
    }
    if (certs.length !== 1) {
      issues.push(invalid(at("mtls", "ca", field), `expected one CA certificate, found ${certs.length}.`, "give only the CA that signs the gateway's certificate (an intermediate CA is fine; its root goes in the origin's trust too)."));
      continue;
    }
    const key = certs[0]!.publicKey.asymmetricKeyDetails;
    if (certs[0]!.publicKey.asymmetricKeyType === "rsa" && (key?.modulusLength ?? 0) < 3072) {
      issues.push(unsafe(at("mtls", "ca", field), "a CA's RSA key must be at least 3072 bits.", "use a CA with an ECDSA P-256 or RSA 3072 key."));
    }
  }
  return issues;
}

/** Permissive origin-side modes: refused unless the escape hatch is set. */
export function checkMtlsModes(o: ParsedMtlsOrigin, at: At): ConfigIssue[] {
  if (o.mtls.dangerouslyAllowOptionalClientCert) return [];
  const issues: ConfigIssue[] = [];
  const fix = "keep the default, which refuses connections without a valid client certificate; or set `mtls.dangerouslyAllowOptionalClientCert: true` if the origin checks the certificate itself.";
  if (o.aws?.alb && o.aws.alb.mode !== "verify") {
    issues.push(unsafe(at("aws", "alb", "mode"), `in \`${o.aws.alb.mode}\` mode the load balancer lets connections through without verifying the client certificate.`, fix));
  }
  if (o.gcp && o.gcp.clientValidationMode !== "REJECT_INVALID") {
    issues.push(unsafe(at("gcp", "clientValidationMode"), "`ALLOW_INVALID_OR_MISSING_CLIENT_CERT` lets requests through with an invalid certificate or none.", fix));
  }
  if (o.azure?.appService && o.azure.appService.clientCertMode !== "Required") {
    issues.push(unsafe(at("azure", "appService", "clientCertMode"), `\`${o.azure.appService.clientCertMode}\` lets requests without a client certificate through; only \`Required\` performs a real mTLS handshake.`, fix));
  }
  return issues;
}

/** Everything about one mTLS origin: its PKI, its cloud block, its front ends and its modes. */
export function checkMtlsOrigin(o: ParsedMtlsOrigin, at: At, oracle: IgnoreOracle): ConfigIssue[] {
  const issues = [...checkMtlsPki(o.mtls, at), ...checkMtlsModes(o, at)];
  issues.push(...cloudBlockIssues(o, (...rest) => at(...rest), "saying where the origin's trust store goes and what checks the certificate", "docs/mtls.md"));
  if (o.local !== undefined && o.cloud !== "local") issues.push(conflict(at("local"), `this origin's cloud is \`${o.cloud}\`, not \`local\`.`, "remove the `local` block or change `cloud`."));
  if (o.mtls.caRotateAfterDays !== undefined && o.mtls.caRotateAfterDays + o.mtls.overlapDays + o.mtls.clientValidityDays > o.mtls.caValidityDays) {
    issues.push(
      conflict(
        at("mtls", "caRotateAfterDays"),
        `a client certificate signed just before the CA rotates (after ${o.mtls.caRotateAfterDays} days) would outlive the CA (${o.mtls.caValidityDays} days), and the origin would refuse it before it expires.`,
        `rotate the CA after at most ${Math.max(1, o.mtls.caValidityDays - o.mtls.clientValidityDays - o.mtls.overlapDays)} days, or leave \`caRotateAfterDays\` out.`,
      ),
    );
  }
  if (o.url !== undefined && !o.url.startsWith("https://")) {
    issues.push(invalid(at("url"), "mutual TLS needs an https URL: over plain HTTP there is no TLS handshake, so no client certificate.", "use the origin's https URL."));
  }
  if (o.mtls.trustBundle !== undefined && o.cloud === "local") {
    issues.push(conflict(at("mtls", "trustBundle"), "a local origin trusts the CA gatelock creates, whose certificate it also gives `zuplo dev`; a bundle brought from elsewhere has no key for gatelock to write.", "remove `trustBundle`, or use it on a cloud origin."));
  }
  if (o.mtls.ca !== undefined && (o.mtls.caRotation !== 0 || o.mtls.caRotateAfterDays !== undefined)) {
    issues.push(conflict(at("mtls", o.mtls.caRotation !== 0 ? "caRotation" : "caRotateAfterDays"), "gatelock rotates only a CA it created; you rotate your own.", "remove it; while you rotate your CA, give the old one as `ca.previousCertificate`."));
  }
  switch (o.cloud) {
    case "aws": {
      const a = o.aws;
      if (!a) break;
      if (!a.apiGateway && !a.alb) {
        issues.push(missing(at("aws"), "nothing would check the client certificate: neither `apiGateway` nor `alb` is set.", "add `apiGateway: { domainName, certificateArn, apiId }` or `alb: { loadBalancerArn, certificateArn, targetGroupArn }`."));
      }
      if (a.apiGateway && !a.apiGateway.executeApiEndpointDisabled && !a.apiGateway.dangerouslyAllowExecuteApiEndpoint) {
        issues.push(
          unsafe(
            at("aws", "apiGateway", "executeApiEndpointDisabled"),
            "the API's default `execute-api` endpoint would stay open: anyone who finds it reaches the API without a client certificate.",
            "set `disableExecuteApiEndpoint: true` on the API where it is managed, then `executeApiEndpointDisabled: true` here.",
          ),
        );
      }
      if (a.apiGateway?.type === "rest" && a.apiGateway.stage === "$default") {
        issues.push(invalid(at("aws", "apiGateway", "stage"), "a REST API has no `$default` stage.", "name the stage the domain maps to (e.g. `prod`)."));
      }
      break;
    }
    case "gcp":
      break;
    case "azure": {
      const z = o.azure;
      if (z && !z.appService && !z.appGateway) {
        issues.push(missing(at("azure"), "nothing would check the client certificate: neither `appService` nor `appGateway` is set.", "add `azure: { appService: { name, resourceGroup } }` or `azure: { appGateway: { name, resourceGroup } }`."));
      }
      if (z?.appService && !z.vault) {
        issues.push(missing(at("azure", "vault"), "an App Service checks the certificate's chain in the app itself, so the app needs the trust bundle: give the Key Vault it reads it from.", "add `vault: { resourceGroup, name, readers: [<the app's identity>] }`."));
      }
      z?.vault?.readers.forEach((r, j) => {
        if (!GUID.test(r)) issues.push(invalid(at("azure", "vault", "readers", j), "expected a principal (object) ID: a GUID.", "use the object ID of the app's managed identity."));
      });
      if (z?.vault && z.vault.readers.length === 0) issues.push(missing(at("azure", "vault", "readers"), "no identity may read the trust bundle.", "list the app's managed identity."));
      break;
    }
    case "local": {
      const dir = o.local?.certificatesDir ?? ".zuplo-local/mtls";
      const problem = mtlsCertificateDirProblem(dir, o.mtls.certificateName ?? "gatelock_mtls", oracle);
      if (problem) issues.push(invalid(at("local", "certificatesDir"), certificateDirMessage(problem), "use a directory git ignores inside the project, e.g. `.zuplo-local/mtls`."));
      issues.push(...dotenvTargetIssues(localStoreFile(o.name), oracle, at("name"), true));
      break;
    }
  }
  return issues;
}

function certificateDirMessage(p: NonNullable<ReturnType<typeof mtlsCertificateDirProblem>>): string {
  switch (p.kind) {
    case "outside-project":
      return "the gateway's private key would be written outside the project.";
    case "bad-name":
      return "the certificate name is not a JavaScript identifier.";
    case "not-ignored":
      return `the gateway's private key would be written to \`${p.path}\`, which git would commit.`;
    case "no-repo":
      return `outside a git repository only \`.zuplo-local/…\` may hold the gateway's private key (\`${p.path}\` is not).`;
  }
}

export interface MtlsWarning {
  readonly path: string;
  readonly code: Extract<WarningCode, "WARN_NO_OVERLAP" | "WARN_OPTIONAL_CLIENT_CERT" | "WARN_EXECUTE_API_ENDPOINT_OPEN" | "WARN_NOT_ENFORCED_HERE">;
  readonly message: string;
  readonly fix: string;
}

/** What an mTLS origin is accepted with but a reviewer should see. */
export function mtlsWarnings(o: ParsedMtlsOrigin, at: At): MtlsWarning[] {
  const out: MtlsWarning[] = [];
  if (o.mtls.trustBundle === undefined && o.mtls.ca === undefined && o.mtls.overlapDays === 0) {
    out.push({ path: at("mtls", "overlapDays"), code: "WARN_NO_OVERLAP", message: "after a CA rotation the origin stops trusting the old CA at once; a gateway still presenting the old certificate is refused.", fix: "keep `overlapDays` at least as long as your gateway takes to redeploy (default 14)." });
  }
  const permissive = (o.aws?.alb && o.aws.alb.mode !== "verify") || (o.gcp && o.gcp.clientValidationMode !== "REJECT_INVALID") || (o.azure?.appService && o.azure.appService.clientCertMode !== "Required");
  if (o.mtls.dangerouslyAllowOptionalClientCert && permissive) {
    out.push({ path: at("mtls", "dangerouslyAllowOptionalClientCert"), code: "WARN_OPTIONAL_CLIENT_CERT", message: "the origin's front end lets requests through without a valid client certificate: only the origin's own check stands between it and the internet.", fix: "check the certificate in the origin (`gatelock/origin`), or return to the strict mode." });
  }
  if (o.aws?.apiGateway?.dangerouslyAllowExecuteApiEndpoint && !o.aws.apiGateway.executeApiEndpointDisabled) {
    out.push({ path: at("aws", "apiGateway", "dangerouslyAllowExecuteApiEndpoint"), code: "WARN_EXECUTE_API_ENDPOINT_OPEN", message: "the API's default `execute-api` endpoint stays open: anyone who finds it bypasses mutual TLS.", fix: "set `disableExecuteApiEndpoint: true` on the API, then `executeApiEndpointDisabled: true` here." });
  }
  if (o.cloud === "gcp" && o.gcp && !o.gcp.targetHttpsProxy) {
    out.push({ path: at("gcp"), code: "WARN_NOT_ENFORCED_HERE", message: "gatelock creates the ServerTlsPolicy but attaches it to no load balancer: until you do, nothing checks the certificate.", fix: "attach the `serverTlsPolicy` output to your target HTTPS proxy, or give `targetHttpsProxy` so gatelock creates one." });
  }
  if (o.cloud === "azure" && o.azure?.appService) {
    out.push({ path: at("azure", "appService"), code: "WARN_NOT_ENFORCED_HERE", message: "gatelock does not manage the App Service: its client certificate settings are yours to apply, and the app itself must check the forwarded certificate against the bundle.", fix: "set `clientCertEnabled: true` and `clientCertMode: Required` on the site (the `appServiceSettings` output) and guard the app with `createForwardedClientCertVerifier` from `gatelock/origin`." });
  }
  if (o.cloud === "azure" && o.azure?.appGateway) {
    out.push({ path: at("azure", "appGateway"), code: "WARN_NOT_ENFORCED_HERE", message: "gatelock does not manage the Application Gateway: its trusted client certificate and SSL profile are fragments for you to apply.", fix: "merge the `appGatewayFragments` output into the gateway's definition and attach the SSL profile to its HTTPS listener." });
  }
  return out;
}
