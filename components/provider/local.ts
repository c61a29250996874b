/** The local origins as the package publishes them: `gatelock:index:Local…`. */
import type * as pulumi from "@pulumi/pulumi";
import { LocalMtlsOrigin as Mtls, type LocalMtlsOriginArgs as MtlsArgs } from "../local/mtls-origin";
import { LocalSharedSecretOrigin as SharedSecret, type LocalSharedSecretOriginArgs } from "../local/shared-secret-origin";
import type { MtlsOriginSettings } from "./mtls";
import {
  type Finding,
  type GatewayCertificate,
  type GatewayVariable,
  type MtlsPkiSummary,
  packageCertificates,
  packageFindings,
  packageMtlsSummary,
  packageVariables,
} from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A shared-secret origin on this machine, for local development: no cloud at all. The origin's
 * accepted-secrets document goes to its own dotenv file (`.env.<origin>`, in the project
 * directory), which the origin loads, e.g. with `node --env-file=.env.orders`.
 */
export class LocalSharedSecretOrigin extends packageBase<LocalSharedSecretOriginArgs>(SharedSecret) {
  static readonly packageType = "gatelock:index:LocalSharedSecretOrigin";
  /** Where the origin's dotenv file is on this machine. */
  declare readonly dotenvPath: string;
  /** The secret's rotation generation (increases by one at every rotation). */
  declare readonly generation: pulumi.Output<number>;
  /** The variables the gateway needs (the secret, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: LocalSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, SharedSecret);
    publish<LocalSharedSecretOrigin>(this, {
      dotenvPath: built.dotenvPath,
      generation: built.generation,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * `LocalMtlsOrigin`'s args, as another language passes them: the PKI settings, and where the
 * files go. (Restated, not `Omit`ted: the schema analyzer reads no `Omit<…>`.)
 */
export interface LocalMtlsOriginArgs extends MtlsOriginSettings {
  /** Where `zuplo dev --mtls-certificates-dir` reads the gateway's certificate and key, relative to the project (default `.zuplo-local/mtls`; git must ignore it). */
  readonly certificatesDir?: string;
  /** The Pulumi project's directory: where `.env.<origin>` and the certificates directory are (default: the working directory). */
  readonly projectDir?: string;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedMtls: Record<Exclude<keyof MtlsArgs, keyof LocalMtlsOriginArgs>, never> = {};
void restatedMtls;

/**
 * An mTLS origin on this machine, for local development (method 4): the stack's CA signs the
 * gateway's client certificate, which `ZuploEnvironment` writes where `zuplo dev
 * --mtls-certificates-dir` reads it; the origin's trust (the CA bundle and the subject to pin)
 * goes to its own dotenv file, which `clientCertOptionsFromEnv` (`gatelock/origin`) reads.
 */
export class LocalMtlsOrigin extends packageBase<MtlsArgs>(Mtls) {
  static readonly packageType = "gatelock:index:LocalMtlsOrigin";
  /** Where the origin's dotenv file is on this machine. */
  declare readonly dotenvPath: string;
  /** Where `zuplo dev --mtls-certificates-dir` reads the gateway's certificate, relative to the project. */
  declare readonly certificatesDir: string;
  /** The PEM CA certificates the origin trusts (public). */
  declare readonly trustBundle: pulumi.Output<string>;
  /** The CA and the gateway's certificate: subjects, expiry, generations; never a key. */
  declare readonly pki: MtlsPkiSummary;
  /** The variables the gateway needs (the certificate's name, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** The client certificate the gateway presents, with its key (a secret): pass them to `ZuploEnvironment`'s `certificates`. */
  declare readonly gatewayCertificates: GatewayCertificate[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: LocalMtlsOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Mtls);
    publish<LocalMtlsOrigin>(this, {
      dotenvPath: built.dotenvPath,
      certificatesDir: built.summary.certificatesDir as string,
      trustBundle: built.trustBundle,
      pki: packageMtlsSummary(built.summary),
      gatewayVariables: packageVariables(built.gatewayVariables),
      gatewayCertificates: packageCertificates(built.gatewayCertificates),
      findings: packageFindings(built.findings),
    });
  }
}
