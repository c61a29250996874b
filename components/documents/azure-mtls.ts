/**
 * What an Azure front end needs to check the gateway's client certificate (pure). gatelock
 * manages neither the App Service nor the Application Gateway, so these are fragments the
 * user applies where those are defined:
 *
 * - App Service / Function App: client certificates on and `Required`, HTTPS only. The front
 *   end only asks for a certificate and forwards it (`X-ARR-ClientCert`); the app checks it.
 * - Application Gateway: trusted client certificates holding the CA bundle, and an SSL
 *   profile that requires a client certificate issued by one of them. Sub-resources of a
 *   gateway reference each other by ID, and those IDs contain the gateway's own, so they are
 *   built here as strings rather than taken from a resource.
 *
 * Microsoft's documentation asks for one certificate chain per trusted client certificate
 * ("only one chain per file"), and the issuer DN check takes the DN it compares with from one
 * chain of each file. During a CA rotation the bundle holds two roots, so each chain gets its
 * own entry: the first keeps the model's name, the others `<name>-2`, `<name>-3`.
 */
import { X509Certificate } from "node:crypto";
import { issuedBy } from "./trust-bundle";

/** App Service's client certificate modes; only `Required` makes the TLS handshake demand one. */
export type AppServiceClientCertMode = "Required" | "Optional" | "OptionalInteractiveUser";

/** The site properties (`azure-native:web:WebApp` args) that turn on client certificates. */
export interface AppServiceMtlsSettings {
  readonly clientCertEnabled: true;
  readonly clientCertMode: AppServiceClientCertMode;
  /** A certificate is only asked for over HTTPS: plain HTTP would bypass it. */
  readonly httpsOnly: true;
}

export function appServiceMtlsSettings(clientCertMode: AppServiceClientCertMode): AppServiceMtlsSettings {
  return { clientCertEnabled: true, clientCertMode, httpsOnly: true };
}

/**
 * A predefined policy with TLS 1.2 as its minimum and only strong (ECDHE, AES-GCM) suites.
 * The SSL profile replaces the gateway's default policy on its listeners, and the older
 * predefined ones (2015, 2017) still allow TLS 1.0.
 */
export const APP_GATEWAY_SSL_POLICY = { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" } as const;

/** Where the Application Gateway is, and what gatelock names its two sub-resources. */
export interface AppGatewayMtlsInput {
  readonly subscriptionId: string;
  readonly resourceGroup: string;
  readonly gatewayName: string;
  readonly trustedClientCertificateName: string;
  readonly sslProfileName: string;
  /** PEM CA certificates (public): the stack's CA, and the previous one during an overlap. */
  readonly trustBundle: string;
}

export interface AppGatewayTrustedClientCertificate {
  readonly name: string;
  /** Base64 of one PEM chain, root included (what azurerm's `filebase64(ca.pem)` gives). */
  readonly data: string;
}

export interface AppGatewaySslProfile {
  readonly name: string;
  readonly trustedClientCertificates: readonly { readonly id: string }[];
  readonly clientAuthConfiguration: { readonly verifyClientCertIssuerDN: true; readonly verifyClientRevocation: "None" };
  readonly sslPolicy: typeof APP_GATEWAY_SSL_POLICY;
}

/** To merge into the gateway's `trustedClientCertificates` and `sslProfiles` (then point an HTTPS listener's `sslProfile.id` at the profile). */
export interface AppGatewayMtlsFragments {
  readonly trustedClientCertificates: readonly AppGatewayTrustedClientCertificate[];
  readonly sslProfiles: readonly AppGatewaySslProfile[];
}

/** ARM ID of an Application Gateway. */
export function appGatewayId(subscriptionId: string, resourceGroup: string, gatewayName: string): string {
  return `/subscriptions/${subscriptionId}/resourceGroups/${resourceGroup}/providers/Microsoft.Network/applicationGateways/${gatewayName}`;
}

/** ARM ID of one of its sub-resources, e.g. `trustedClientCertificates` or `sslProfiles` (for `httpListeners[].sslProfile.id`). */
export function appGatewaySubResourceId(gatewayId: string, kind: "trustedClientCertificates" | "sslProfiles", name: string): string {
  return `${gatewayId}/${kind}/${name}`;
}

const PEM_BLOCK = /-----BEGIN CERTIFICATE-----[A-Za-z0-9+/=\s]+?-----END CERTIFICATE-----(?:\r?\n)?/g;

/**
 * The bundle's certificates grouped into chains, each under its top-most certificate in the
 * bundle (a root, or an intermediate whose issuer is not in it), in bundle order. Each chain is
 * the exact PEM text of its certificates, so the chains together are the bundle.
 */
export function splitChains(bundle: string): string[] {
  // The bundle reaches a gateway the user deploys by hand: a key in it would be published.
  if (/PRIVATE KEY/.test(bundle)) throw new TypeError("gatelock: a trust bundle must hold certificates only, never a private key");
  const blocks = [...bundle.matchAll(PEM_BLOCK)].map((m) => m[0]);
  if (blocks.length === 0 || bundle.replace(PEM_BLOCK, "").trim().length > 0) throw new TypeError("gatelock: a trust bundle must be PEM certificates only");
  const certs = blocks.map((pem) => new X509Certificate(pem));
  const parent = (i: number) => certs.findIndex((c, j) => j !== i && issuedBy(certs[i]!, c));
  const top = (i: number) => {
    const seen = new Set([i]);
    for (let p = parent(i); p >= 0 && !seen.has(p); p = parent(p)) {
      seen.add(p);
      i = p;
    }
    return i;
  };
  const chains = new Map<number, string[]>();
  blocks.forEach((pem, i) => {
    const t = top(i);
    chains.set(t, [...(chains.get(t) ?? []), pem]);
  });
  return [...chains.values()].map((pems) => pems.join(""));
}

export function appGatewayMtlsFragments(input: AppGatewayMtlsInput): AppGatewayMtlsFragments {
  const gateway = appGatewayId(input.subscriptionId, input.resourceGroup, input.gatewayName);
  const trusted = splitChains(input.trustBundle).map((chain, i) => ({
    name: i === 0 ? input.trustedClientCertificateName : `${input.trustedClientCertificateName}-${i + 1}`,
    data: Buffer.from(chain, "utf8").toString("base64"),
  }));
  return {
    trustedClientCertificates: trusted,
    sslProfiles: [
      {
        name: input.sslProfileName,
        trustedClientCertificates: trusted.map((t) => ({ id: appGatewaySubResourceId(gateway, "trustedClientCertificates", t.name) })),
        // The issuer DN check: a client certificate's issuer must be the leaf-most CA of a trusted
        // chain, not just any CA below it. Revocation: gatelock rotates by changing the bundle and
        // runs no OCSP responder.
        clientAuthConfiguration: { verifyClientCertIssuerDN: true, verifyClientRevocation: "None" },
        sslPolicy: APP_GATEWAY_SSL_POLICY,
      },
    ],
  };
}
