/**
 * `gatelock-mtls-enforced`: where a listener or site is set up for client certificates, it must
 * require and verify them. A listener that passes the certificate through, or a site where it
 * is optional, accepts requests with no certificate at all, i.e. from anyone, not only the
 * gateway. The modes match what gatelock's mTLS model refuses (model/mtls/checks.ts).
 *
 * Only resources that opt into client certificates are judged: an ALB listener without a
 * `mutualAuthentication` block, or an App Service with `clientCertEnabled` off, is not an mTLS
 * origin and is left alone. API Gateway custom domains have no optional mode: with
 * `mutualTlsAuthentication` set, API Gateway always verifies.
 */
import { isRecord } from "./json-document";
import { resourceRule } from "./rule";

export const MTLS_TYPES = [
  "aws:lb/listener:Listener",
  "aws:alb/listener:Listener",
  "gcp:networksecurity/serverTlsPolicy:ServerTlsPolicy",
  "azure-native:web:WebApp",
  "azure-native:web:WebAppSlot",
  "azure-native:app:ContainerApp",
] as const;

export function mtlsProblems(props: Record<string, unknown>, type: string): string[] {
  switch (type) {
    case "aws:lb/listener:Listener":
    case "aws:alb/listener:Listener": {
      const auth = props.mutualAuthentication;
      if (!isRecord(auth)) return [];
      const mode = typeof auth.mode === "string" ? auth.mode : "";
      if (mode === "passthrough") return ["passes the client certificate through (`mutualAuthentication.mode: passthrough`) without verifying it: the load balancer admits requests with any certificate or none."];
      if (mode === "off") return ["declares `mutualAuthentication` but turns it `off`: the listener admits requests without a client certificate."];
      return [];
    }
    case "gcp:networksecurity/serverTlsPolicy:ServerTlsPolicy": {
      const out: string[] = [];
      if (props.allowOpen === true) out.push("sets `allowOpen: true`: plaintext connections are accepted besides mTLS.");
      const mtls = isRecord(props.mtlsPolicy) ? props.mtlsPolicy : undefined;
      if (mtls?.clientValidationMode === "ALLOW_INVALID_OR_MISSING_CLIENT_CERT") out.push("sets `clientValidationMode: ALLOW_INVALID_OR_MISSING_CLIENT_CERT`: requests with an invalid certificate or none get through.");
      return out;
    }
    case "azure-native:web:WebApp":
    case "azure-native:web:WebAppSlot": {
      if (props.clientCertEnabled !== true) return [];
      const mode = props.clientCertMode;
      return mode === "Optional" || mode === "OptionalInteractiveUser" ? [`sets \`clientCertMode: ${mode}\`: requests without a client certificate reach the app.`] : [];
    }
    case "azure-native:app:ContainerApp": {
      const configuration = isRecord(props.configuration) ? props.configuration : undefined;
      const ingress = isRecord(configuration?.ingress) ? configuration.ingress : undefined;
      const mode = ingress?.clientCertificateMode;
      return typeof mode === "string" && mode.toLowerCase() === "accept" ? ["sets ingress `clientCertificateMode: accept`: a client certificate is optional, so requests without one get through."] : [];
    }
    default:
      return [];
  }
}

export const mtlsEnforcedRule = resourceRule({
  name: "gatelock-mtls-enforced",
  description:
    "An mTLS listener, policy or site must require and verify the client certificate. " +
    "Fix: ALB `mutualAuthentication.mode: verify` with a trust store; GCP `mtlsPolicy.clientValidationMode: REJECT_INVALID` and `allowOpen: false`; App Service `clientCertMode: Required`; Container Apps ingress `clientCertificateMode: require`.",
  enforcementLevel: "mandatory",
  severity: "high",
  types: MTLS_TYPES,
  previewLimits:
    "Reads the mode properties only, set from literals or config: known in preview. A Container App's `configuration` is read as a whole, so if it holds secrets built from unknown outputs the check runs only on `pulumi up`.",
  check: (props, type) => mtlsProblems(props, type),
});
