/**
 * The args every mTLS origin component takes besides its cloud's, and their stack-config
 * form, so each component is checked by the model exactly as a stack file is.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { MtlsOrigin, OriginModel } from "../model/model";
import type { MtlsTarget } from "../model/mtls/target";

/** The gateway that presents the certificate; its subject names it (`<account>/<project>@<branch>`). */
export interface MtlsGatewayArgs {
  /** Zuplo account name. */
  readonly account: string;
  /** Zuplo project name. */
  readonly project: string;
  /** Zuplo branch (environment) the certificate is for. */
  readonly branch: string;
}

/** The PKI and the gateway's certificate: every setting has the stack file's default. */
export interface MtlsPkiArgs {
  /** The CA's key: `ECDSA_P256` (default), `ECDSA_P384`, `RSA_3072` or `RSA_4096`. */
  readonly caKey?: string;
  /** How long the CA certificate is valid (default 1825 days). */
  readonly caValidityDays?: number;
  /** Issue a new CA after this many days (default: before any certificate it signs could outlive it). */
  readonly caRotateAfterDays?: number;
  /** Increase by one to issue a new CA now. */
  readonly caRotation?: number;
  /** The client certificate's key: `ECDSA_P256` (default), `ECDSA_P384`, `RSA_2048`, `RSA_3072` or `RSA_4096`. */
  readonly clientKey?: string;
  /** How long each client certificate is valid (default 397 days). */
  readonly clientValidityDays?: number;
  /** The longest client certificate life accepted (default 397, at most 825). */
  readonly maxClientValidityDays?: number;
  /** Issue a new client certificate after this many days (default 90). */
  readonly rotateAfterDays?: number;
  /** Keep trusting the previous CA this many days after a CA rotation (default 14). */
  readonly overlapDays?: number;
  /** Increase by one to issue a new client certificate now. */
  readonly rotation?: number;
  /** Zuplo certificate name before its generation suffix (default `<origin>_<stack>_mtls`). */
  readonly certificateName?: string;
  /** Zuplo environment types in which the gateway may present the certificate (default `production`). */
  readonly gatewayEnvironments?: readonly ("development" | "preview" | "production")[];
  /** Gateway variable holding the current certificate's name (default `<ORIGIN>_MTLS_CERT`). */
  readonly variable?: string;
  /** `O` of the subjects (default `gatelock`). */
  readonly organization?: string;
  /**
   * Bring your own CA: gatelock issues and renews the gateway's certificate with it, and the
   * origin trusts it. `key` is its PEM private key, usually a Pulumi secret (`config.requireSecret`).
   */
  readonly ca?: OwnCaArgs;
  /** Bring your own: the PEM bundle the origin trusts when the gateway's certificate is issued elsewhere (no CA is created). */
  readonly trustBundle?: string;
  /** Escape hatch: allow an origin-side mode that lets requests without a valid client certificate through. */
  readonly dangerouslyAllowOptionalClientCert?: boolean;
}

/** A CA brought by the user. */
export interface OwnCaArgs {
  /** The CA's PEM certificate (public). */
  readonly certificate: string;
  /** The CA's PEM private key: made a Pulumi secret here whatever the caller passed. */
  readonly key: pulumi.Input<string>;
  /** While you rotate your CA: the previous CA certificate, trusted too. */
  readonly previousCertificate?: string;
}

export interface MtlsOriginArgsBase extends MtlsPkiArgs {
  /** The gateway that presents the certificate. */
  readonly gateway: MtlsGatewayArgs;
  /** The origin's https base URL, as the gateway forwards to it. */
  readonly url?: pulumi.Input<string>;
}

const PKI_KEYS = [
  "caKey",
  "caValidityDays",
  "caRotateAfterDays",
  "caRotation",
  "clientKey",
  "clientValidityDays",
  "maxClientValidityDays",
  "rotateAfterDays",
  "overlapDays",
  "rotation",
  "certificateName",
  "gatewayEnvironments",
  "variable",
  "organization",
  "trustBundle",
  "dangerouslyAllowOptionalClientCert",
] as const satisfies readonly (keyof MtlsPkiArgs)[];

/** What a component's `ca.key` stands as in the model (never read: the component has the key). */
const COMPONENT_CA_KEY = "gatelock:componentCaKey";

/** The origin's stack-config entry for these settings and a cloud block. */
export function mtlsConfig(name: string, cloud: MtlsTarget["cloud"], args: MtlsOriginArgsBase, block: Record<string, unknown> | undefined): Record<string, unknown> {
  const mtls: Record<string, unknown> = Object.fromEntries(PKI_KEYS.map((k) => [k, args[k]]));
  // The component takes the key itself; the stack file names a secret config key instead, which
  // this placeholder stands for so that the model judges the same shape.
  if (args.ca) mtls.ca = { certificate: args.ca.certificate, keySecret: COMPONENT_CA_KEY, ...(args.ca.previousCertificate !== undefined ? { previousCertificate: args.ca.previousCertificate } : {}) };
  return { name, method: "mtls", cloud, url: args.url, mtls, ...(block ? { [cloud]: block } : {}) };
}

export function isMtlsOn<C extends MtlsTarget["cloud"]>(cloud: C) {
  return (m: OriginModel): m is MtlsOrigin & { readonly target: Extract<MtlsTarget, { cloud: C }> } => m.method === "mtls" && m.cloud === cloud;
}
