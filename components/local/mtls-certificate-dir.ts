/**
 * `MtlsCertificateDir`: the gateway's client certificate and key on disk, where `zuplo dev
 * --mtls-certificates-dir <dir>` reads them (`<dir>/<name>/tls.crt`, `<dir>/<name>/tls.key`),
 * for `cloud: local`. A route presents it with the handler option `"mtlsCertificate": "<name>"`.
 *
 * The provider lives alone in `./mtls-certificate-dir-provider.ts` because Pulumi serialises
 * it (see that file's comment). This file wraps it in a resource and offers the same
 * pre-flight question the model asks of dotenv targets, with the same git oracle.
 */
import * as pulumi from "@pulumi/pulumi";
import {
  isCertificateName,
  mtlsCertificateDirProvider,
  normaliseCertificateDir,
  type MtlsCertificateDirInputs,
  type MtlsCertificateDirOutputs,
  type MtlsCertificateDirProvider,
} from "./mtls-certificate-dir-provider";

export { mtlsCertificateDirProvider, isCertificateName, normaliseCertificateDir };
export { type MtlsCertificateDirProblem, mtlsCertificateDirProblem } from "../model/mtls/certificate-dir";
export type { MtlsCertificateDirInputs, MtlsCertificateDirOutputs, MtlsCertificateDirProvider };

export const MTLS_CERTIFICATE_DIR_TYPE = "MtlsCertificateDir";

export interface MtlsCertificateDirArgs {
  /** Absolute directory of the Pulumi project; `dir` is relative to it. */
  projectDir: pulumi.Input<string>;
  /** The `--mtls-certificates-dir`, relative to the project (e.g. `.zuplo-local/mtls`); git must ignore it. */
  dir: pulumi.Input<string>;
  /** The certificate's name (a JavaScript identifier): the route's `mtlsCertificate`. */
  name: pulumi.Input<string>;
  /** PEM certificate, optionally followed by its chain. */
  certificate: pulumi.Input<string>;
  /** PEM private key; made a Pulumi secret here whatever the caller passed. */
  key: pulumi.Input<string>;
}

export class MtlsCertificateDir extends pulumi.dynamic.Resource {
  declare readonly projectDir: pulumi.Output<string>;
  declare readonly dir: pulumi.Output<string>;
  /** The certificate's name, for the handler's `mtlsCertificate`. */
  declare readonly name: pulumi.Output<string>;
  declare readonly certificate: pulumi.Output<string>;
  /** Relative to the project. */
  declare readonly certificateFile: pulumi.Output<string>;
  declare readonly keyFile: pulumi.Output<string>;
  /** SHA-256 of the key (a Pulumi secret). The key itself is never an output. */
  declare readonly keyFingerprint: pulumi.Output<string>;

  constructor(name: string, args: MtlsCertificateDirArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      mtlsCertificateDirProvider,
      name,
      {
        projectDir: args.projectDir,
        dir: args.dir,
        name: args.name,
        certificate: args.certificate,
        key: pulumi.secret(args.key),
        certificateFile: undefined,
        keyFile: undefined,
        keyFingerprint: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "keyFingerprint"] },
      "gatelock",
      MTLS_CERTIFICATE_DIR_TYPE,
    );
  }
}
