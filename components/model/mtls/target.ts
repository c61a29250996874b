/**
 * What the components build for an mTLS origin, derived from its parsed config (pure): the
 * PKI's keys, validity and rotation, the gateway's certificate (subject, name, variable), and
 * per cloud where the origin's trust store goes.
 */
import { localStoreFile } from "../dotenv-target";
import { stackSlug } from "../names";
import type { ParsedMtlsOrigin, ParsedMtlsPki } from "./config";

/** A key as `@pulumi/tls` takes it. */
export type TlsKeySpec = { readonly algorithm: "ECDSA"; readonly ecdsaCurve: "P256" | "P384" } | { readonly algorithm: "RSA"; readonly rsaBits: 2048 | 3072 | 4096 };

/** `ECDSA_P256` → `{ algorithm: "ECDSA", ecdsaCurve: "P256" }`; the model refuses anything else first. */
export function tlsKeySpec(name: string): TlsKeySpec {
  const m = /^(ECDSA)_(P256|P384)$|^(RSA)_(2048|3072|4096)$/.exec(name);
  if (!m) throw new TypeError(`gatelock: not an allowed key: ${name}`);
  return m[1] ? { algorithm: "ECDSA", ecdsaCurve: m[2] as "P256" | "P384" } : { algorithm: "RSA", rsaBits: Number(m[4]) as 2048 | 3072 | 4096 };
}

/** An X.509 subject as `@pulumi/tls` takes it. */
export interface CertificateSubject {
  readonly commonName: string;
  readonly organization: string;
  readonly organizationalUnit: string;
}

/** The stack's own CA and the gateway's client certificate, and how both rotate. */
export interface MtlsPki {
  readonly caKey: TlsKeySpec;
  readonly caValidityDays: number;
  readonly caRotateAfterDays: number;
  readonly caRotation: number;
  /** The CA's subject; each of its two slots adds ` (a)` / ` (b)` to the common name. */
  readonly caSubject: CertificateSubject;
  readonly clientKey: TlsKeySpec;
  readonly clientValidityDays: number;
  readonly rotateAfterDays: number;
  readonly overlapDays: number;
  readonly rotation: number;
}

/** The client certificate's key, life and rotation (the part of the PKI a CA brought by the user leaves to gatelock). */
export type ClientPki = Pick<MtlsPki, "clientKey" | "clientValidityDays" | "rotateAfterDays" | "overlapDays" | "rotation">;

/**
 * Whom the origin trusts: the stack's own CA (gatelock creates and rotates it, and issues the
 * gateway's certificate), the user's CA (gatelock issues the certificate with its key, from a
 * secret stack config key), or a bundle (the certificate is issued and uploaded elsewhere).
 */
export type MtlsTrust =
  | { readonly kind: "stack-ca"; readonly pki: MtlsPki }
  | { readonly kind: "own-ca"; readonly certificate: string; readonly previousCertificate?: string; readonly keySecret: string; readonly pki: ClientPki }
  | { readonly kind: "bundle"; readonly bundle: string };

/** What the gateway presents. */
export interface MtlsClient {
  /** The client certificate's subject, which an origin may pin. */
  readonly subject: CertificateSubject;
  /** Zuplo's certificate name before its generation suffix (`_g<N>`); for a bundle brought by the user, the name as given. */
  readonly certificateName: string;
  /** The gateway variable holding the current certificate's name. */
  readonly variable: string;
  /** Zuplo environment types the certificate is enabled in. */
  readonly environments: readonly ("development" | "preview" | "production")[];
}

export interface AwsMtlsTarget {
  readonly cloud: "aws";
  readonly region: string;
  /** The trust store's bucket name, or undefined for a generated one. */
  readonly truststoreBucket?: string;
  readonly truststoreKey: string;
  readonly apiGateway?: {
    readonly domainName: string;
    readonly certificateArn: string;
    readonly type: "http" | "rest";
    readonly apiId: string;
    readonly stage: string;
    /** Whether the API's own `execute-api` endpoint is said to be off (else the hatch was set). */
    readonly executeApiEndpointDisabled: boolean;
  };
  readonly alb?: {
    readonly loadBalancerArn: string;
    readonly certificateArn: string;
    readonly targetGroupArn: string;
    readonly port: number;
    readonly mode: "verify" | "passthrough" | "off";
  };
}

export interface GcpMtlsTarget {
  readonly cloud: "gcp";
  readonly project: string;
  readonly trustConfigName: string;
  readonly serverTlsPolicyName: string;
  readonly clientValidationMode: "REJECT_INVALID" | "ALLOW_INVALID_OR_MISSING_CLIENT_CERT";
  readonly targetHttpsProxy?: { readonly name: string; readonly urlMap: string; readonly sslCertificates: readonly string[] };
}

export interface AzureMtlsTarget {
  readonly cloud: "azure";
  readonly appService?: { readonly name: string; readonly resourceGroup: string; readonly clientCertMode: "Required" | "Optional" | "OptionalInteractiveUser" };
  readonly appGateway?: { readonly name: string; readonly resourceGroup: string; readonly trustedClientCertificateName: string; readonly sslProfileName: string };
  readonly vault?: { readonly resourceGroup: string; readonly name: string; readonly readers: readonly string[]; readonly secretName: string };
}

export interface LocalMtlsTarget {
  readonly cloud: "local";
  /** `zuplo dev --mtls-certificates-dir`, relative to the project. */
  readonly certificatesDir: string;
  /** Where the local origin reads its trust bundle and pinned subject. */
  readonly dotenv: string;
  /** Variable in that file holding the PEM bundle, base64 (dotenv values hold no line breaks). */
  readonly bundleVariable: string;
  /** Variable in that file holding the pinned subject, as JSON attributes (`{"CN":…,"OU":…,"O":…}`). */
  readonly subjectVariable: string;
}

export type MtlsTarget = AwsMtlsTarget | GcpMtlsTarget | AzureMtlsTarget | LocalMtlsTarget;

/** The gateway the certificate's subject names: `<account>/<project>@<branch>`. */
export interface MtlsGatewayName {
  readonly account: string;
  readonly project: string;
  readonly branch: string;
}

/** `ORDERS` from `orders`, for variable names. */
function upper(name: string): string {
  return name.toUpperCase().replace(/-/g, "_");
}

export function defaultMtlsVariable(originName: string): string {
  return `${upper(originName)}_MTLS_CERT`;
}

/** `<origin>_<stack>_mtls` as an identifier: Zuplo's store is per project, shared by every stack (branch) of it. */
export function defaultCertificateName(originName: string, stack: string): string {
  return `${originName}_${stackSlug(stack)}_mtls`.replace(/-/g, "_").slice(0, 100);
}

/** Days a late `pulumi up` may still come after a rotation is due, and the CA still outlives every certificate it signed. */
export const CA_ROTATION_GRACE_DAYS = 30;

/** The CA rotates early enough that a certificate it signs on its last day still expires before it, overlap and grace included. */
export function defaultCaRotateAfterDays(p: Pick<ParsedMtlsPki, "caValidityDays" | "clientValidityDays" | "overlapDays">): number {
  return Math.max(1, p.caValidityDays - p.clientValidityDays - p.overlapDays - CA_ROTATION_GRACE_DAYS);
}

export function toMtlsParts(o: ParsedMtlsOrigin, stack: string, gateway: MtlsGatewayName): { trust: MtlsTrust; client: MtlsClient; target: MtlsTarget } {
  const m = o.mtls;
  const slug = stackSlug(stack);
  const subject: CertificateSubject = { commonName: `${gateway.account}/${gateway.project}@${gateway.branch}`.slice(0, 64), organization: m.organization, organizationalUnit: `${slug}/${o.name}`.slice(0, 64) };
  const trust: MtlsTrust =
    m.trustBundle !== undefined
      ? { kind: "bundle", bundle: m.trustBundle }
      : m.ca !== undefined
        ? {
            kind: "own-ca",
            certificate: m.ca.certificate,
            ...(m.ca.previousCertificate !== undefined ? { previousCertificate: m.ca.previousCertificate } : {}),
            keySecret: m.ca.keySecret,
            pki: { clientKey: tlsKeySpec(m.clientKey), clientValidityDays: m.clientValidityDays, rotateAfterDays: m.rotateAfterDays, overlapDays: m.overlapDays, rotation: m.rotation },
          }
        : {
          kind: "stack-ca",
          pki: {
            caKey: tlsKeySpec(m.caKey),
            caValidityDays: m.caValidityDays,
            caRotateAfterDays: m.caRotateAfterDays ?? defaultCaRotateAfterDays(m),
            caRotation: m.caRotation,
            caSubject: { commonName: `gatelock CA ${slug}/${o.name}`.slice(0, 60), organization: m.organization, organizationalUnit: `${slug}/${o.name}`.slice(0, 64) },
            clientKey: tlsKeySpec(m.clientKey),
            clientValidityDays: m.clientValidityDays,
            rotateAfterDays: m.rotateAfterDays,
            overlapDays: m.overlapDays,
            rotation: m.rotation,
          },
        };
  const client: MtlsClient = {
    subject,
    certificateName: m.certificateName ?? defaultCertificateName(o.name, stack),
    variable: m.variable ?? defaultMtlsVariable(o.name),
    environments: [...new Set(m.gatewayEnvironments)],
  };
  return { trust, client, target: toTarget(o, stack) };
}

function toTarget(o: ParsedMtlsOrigin, stack: string): MtlsTarget {
  const slug = `${stackSlug(stack)}-${o.name}`;
  switch (o.cloud) {
    case "aws": {
      const a = o.aws!;
      return {
        cloud: "aws",
        region: a.region,
        ...(a.truststoreBucket ? { truststoreBucket: a.truststoreBucket } : {}),
        truststoreKey: `gatelock/${stackSlug(stack)}/${o.name}/truststore.pem`,
        ...(a.apiGateway
          ? {
              apiGateway: {
                domainName: a.apiGateway.domainName,
                certificateArn: a.apiGateway.certificateArn,
                type: a.apiGateway.type,
                apiId: a.apiGateway.apiId,
                stage: a.apiGateway.stage,
                executeApiEndpointDisabled: a.apiGateway.executeApiEndpointDisabled,
              },
            }
          : {}),
        ...(a.alb ? { alb: { ...a.alb } } : {}),
      };
    }
    case "gcp": {
      const g = o.gcp!;
      const name = `gatelock-${slug}`.slice(0, 63).replace(/-+$/, "");
      return {
        cloud: "gcp",
        project: g.project,
        trustConfigName: name,
        serverTlsPolicyName: name,
        clientValidationMode: g.clientValidationMode,
        ...(g.targetHttpsProxy ? { targetHttpsProxy: { ...g.targetHttpsProxy, sslCertificates: [...g.targetHttpsProxy.sslCertificates] } } : {}),
      };
    }
    case "azure": {
      const z = o.azure!;
      return {
        cloud: "azure",
        ...(z.appService ? { appService: { ...z.appService } } : {}),
        ...(z.appGateway ? { appGateway: { ...z.appGateway, trustedClientCertificateName: `gatelock-${o.name}-ca`, sslProfileName: `gatelock-${o.name}-mtls` } } : {}),
        ...(z.vault ? { vault: { ...z.vault, readers: [...z.vault.readers], secretName: `gatelock-${slug}-mtls-trust-bundle`.slice(0, 127) } } : {}),
      };
    }
    case "local": {
      const l = o.local ?? { certificatesDir: ".zuplo-local/mtls" };
      return { cloud: "local", certificatesDir: l.certificatesDir, dotenv: localStoreFile(o.name), bundleVariable: `${upper(o.name)}_MTLS_TRUST_BUNDLE_B64`, subjectVariable: `${upper(o.name)}_MTLS_SUBJECT` };
    }
  }
}
