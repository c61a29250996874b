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
import type { IgnoreOracle } from "../model/dotenv-target";
import {
  isCertificateName,
  mtlsCertificateDirProvider,
  normaliseCertificateDir,
  type MtlsCertificateDirInputs,
  type MtlsCertificateDirOutputs,
  type MtlsCertificateDirProvider,
} from "./mtls-certificate-dir-provider";

export { mtlsCertificateDirProvider, isCertificateName, normaliseCertificateDir };
export type { MtlsCertificateDirInputs, MtlsCertificateDirOutputs, MtlsCertificateDirProvider };

export const MTLS_CERTIFICATE_DIR_TYPE = "MtlsCertificateDir";

export type MtlsCertificateDirProblem =
  | { readonly kind: "outside-project" }
  | { readonly kind: "bad-name" }
  | { readonly kind: "not-ignored"; readonly path: string }
  | { readonly kind: "no-repo"; readonly path: string };

/**
 * Why the key may not be written to `<dir>/<name>/tls.key`, or undefined when it may: the
 * provider's own rule, asked before any resource exists (pass `gitIgnoreOracle(projectDir)`
 * from components/dotenv/git-ignore.ts). Outside git only `.zuplo/…` passes.
 */
export function mtlsCertificateDirProblem(dir: string, name: string, oracle: IgnoreOracle): MtlsCertificateDirProblem | undefined {
  const normal = normaliseCertificateDir(dir);
  if (normal === undefined) return { kind: "outside-project" };
  if (!isCertificateName(name)) return { kind: "bad-name" };
  for (const file of [`${normal}/${name}/tls.key`, `${normal}/${name}/tls.crt`]) {
    const verdict = oracle(file);
    if (verdict === "not-ignored") return { kind: "not-ignored", path: file };
    if (verdict === "no-repo" && normal !== ".zuplo" && !normal.startsWith(".zuplo/")) return { kind: "no-repo", path: file };
  }
  return undefined;
}

export interface MtlsCertificateDirArgs {
  /** Absolute directory of the Pulumi project; `dir` is relative to it. */
  projectDir: pulumi.Input<string>;
  /** The `--mtls-certificates-dir`, relative to the project (e.g. `.zuplo/mtls`); git must ignore it. */
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
