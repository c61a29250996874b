/**
 * A client certificate the gateway presents to an origin (method 4, mTLS). Zuplo keeps these
 * in the project's certificate store, not among its variables, so the gateway environment
 * writes them beside the variables: to the Developer API, or for `zuplo dev` to the
 * directory it reads with `--mtls-certificates-dir`.
 */
import type * as pulumi from "@pulumi/pulumi";

export interface GatewayCertificate {
  /** The origin the certificate is presented to. */
  readonly origin: string;
  /** The certificate's name in the store (a JavaScript identifier); new for every generation. */
  readonly name: pulumi.Input<string>;
  /** PEM certificate (public). */
  readonly certificate: pulumi.Input<string>;
  /** PEM private key: a Pulumi secret. */
  readonly key: pulumi.Input<string>;
  /** Zuplo environment types the certificate is enabled in (default `production`). */
  readonly environments?: readonly ("development" | "preview" | "production")[];
  /** For a local origin: the `--mtls-certificates-dir` it goes to, relative to the project. */
  readonly localDir?: string;
  /** Resources that must exist before the gateway may present it (the origin's trust stores). */
  readonly dependsOn?: readonly pulumi.Resource[];
}
