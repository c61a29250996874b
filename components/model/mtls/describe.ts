/** Plain-language facts about an mTLS origin's trust (pure), for the stack outputs and the audit. */
import type { OriginDescription } from "../describe";
import type { CertificateSubject, MtlsClient, MtlsTarget, MtlsTrust } from "./target";

/** `CN=acme/orders-api@main, OU=dev/ledger, O=gatelock`: the subject as an origin pins it. */
export function subjectString(s: CertificateSubject): string {
  return `CN=${s.commonName}, OU=${s.organizationalUnit}, O=${s.organization}`;
}

export function describeMtls(name: string, gatewayLabel: string, trust: MtlsTrust, client: MtlsClient, target: MtlsTarget): Pick<OriginDescription, "proof" | "reachableBy" | "store"> {
  const issuer = trust.kind === "stack-ca" ? `the stack's own CA (${trust.pki.caSubject.commonName}), never a public one` : "a CA in the trust bundle given in the stack file";
  const proof =
    trust.kind === "stack-ca"
      ? `a TLS client certificate for client auth only, issued by ${issuer}, subject ${subjectString(client.subject)}, valid at most ${trust.pki.clientValidityDays} days`
      : `a TLS client certificate issued by ${issuer}`;
  return {
    proof,
    reachableBy: [`${gatewayLabel} (presents the certificate named by \${env.${client.variable}} when it forwards to ${name})`],
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
