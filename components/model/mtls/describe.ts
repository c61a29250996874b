/** Plain-language facts about an mTLS origin's trust (pure), for the stack outputs and the audit. */
import type { CertificateFacts, OriginDescription } from "../describe";
import type { CertificateSubject, MtlsClient, MtlsPki, MtlsTarget, MtlsTrust, TlsKeySpec } from "./target";

/** `CN=acme/orders-api@main, OU=dev/ledger, O=gatelock`: the subject as an origin pins it. */
export function subjectString(s: CertificateSubject): string {
  return `CN=${s.commonName}, OU=${s.organizationalUnit}, O=${s.organization}`;
}

export function describeMtls(name: string, gatewayLabel: string, trust: MtlsTrust, client: MtlsClient, target: MtlsTarget): Pick<OriginDescription, "proof" | "reachableBy" | "store"> {
  const proof =
    trust.kind === "stack-ca"
      ? `a client certificate from the stack's CA (${trust.pki.caSubject.commonName}), subject ${subjectString(client.subject)}`
      : "a client certificate from a CA in the trust bundle given in the stack file";
  return {
    proof,
    reachableBy: [`${gatewayLabel} (presents $env(${client.variable}))`],
    store: trustStore(target),
  };
}

function trustStore(t: MtlsTarget): OriginDescription["store"] {
  switch (t.cloud) {
    case "aws": {
      const fronts = [t.apiGateway ? `API Gateway domain ${t.apiGateway.domainName} (${t.apiGateway.type.toUpperCase()} API ${t.apiGateway.apiId})` : undefined, t.alb ? `ALB listener on port ${t.alb.port} (mode ${t.alb.mode})` : undefined].filter(Boolean);
      return { kind: "AWS trust store (S3, versioned, version pinned)", location: `s3://${t.truststoreBucket ?? "<generated bucket>"}/${t.truststoreKey} (${t.region})`, readers: fronts as string[] };
    }
    case "gcp":
      return {
        kind: "GCP Certificate Manager trust config",
        location: `projects/${t.project}/locations/global/trustConfigs/${t.trustConfigName}`,
        readers: [`ServerTlsPolicy ${t.serverTlsPolicyName} (${t.clientValidationMode})${t.targetHttpsProxy ? `, on target HTTPS proxy ${t.targetHttpsProxy.name}` : ", attached by you"}`],
      };
    case "azure":
      return {
        kind: t.vault ? "Azure Key Vault (the trust bundle, for the app to check the forwarded certificate)" : "Application Gateway trusted client certificate",
        location: t.vault ? `${t.vault.name}/${t.vault.secretName} (resource group ${t.vault.resourceGroup})` : `${t.appGateway!.name}/${t.appGateway!.trustedClientCertificateName} (resource group ${t.appGateway!.resourceGroup})`,
        readers: [
          ...(t.vault ? t.vault.readers.map((r) => `principal ${r}`) : []),
          ...(t.appService ? [`App Service ${t.appService.name} (clientCertMode ${t.appService.clientCertMode})`] : []),
          ...(t.appGateway ? [`Application Gateway ${t.appGateway.name}, SSL profile ${t.appGateway.sslProfileName}`] : []),
        ],
      };
    case "local":
      return { kind: "dotenv file", location: `${t.dotenv} (${t.bundleVariable}, ${t.subjectVariable})`, readers: ["the local origin's TLS server (`mtlsServerOptions` from gatelock/origin)"] };
  }
}

function keyText(k: TlsKeySpec): string {
  return k.algorithm === "ECDSA" ? `ECDSA ${k.ecdsaCurve.replace("P", "P-")}` : `RSA ${k.rsaBits}`;
}

/** The stack's CA and the gateway's client certificate, as the audit lists them (the PKI's code uses the same constants). */
export function certificateFacts(pki: MtlsPki, client: MtlsClient): CertificateFacts[] {
  return [
    { role: "CA", subject: `CN=${pki.caSubject.commonName} (a|b), OU=${pki.caSubject.organizationalUnit}, O=${pki.caSubject.organization}`, key: keyText(pki.caKey), validDays: pki.caValidityDays, renewedAfterDays: pki.caRotateAfterDays, uses: ["cert_signing", "crl_signing", "digital_signature"] },
    {
      role: "client",
      subject: subjectString(client.subject),
      key: keyText(pki.clientKey),
      validDays: pki.clientValidityDays,
      renewedAfterDays: pki.rotateAfterDays,
      uses: pki.clientKey.algorithm === "RSA" ? ["client_auth", "digital_signature", "key_encipherment"] : ["client_auth", "digital_signature"],
    },
  ];
}
