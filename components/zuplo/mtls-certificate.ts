import * as pulumi from "@pulumi/pulumi";
import { ZUPLO_MTLS_CERTIFICATE_TYPE, type ZuploMtlsCertificateInfo, type ZuploMtlsCertificateInputs, type ZuploMtlsEnvironment, zuploMtlsCertificateProvider } from "./mtls-certificate-provider";

export type ZuploMtlsCertificateArgs = { [K in keyof ZuploMtlsCertificateInputs]: pulumi.Input<ZuploMtlsCertificateInputs[K]> };

/**
 * A client certificate in a Zuplo project's mTLS certificate store (Enterprise), which the
 * gateway presents to an origin: `UrlForwardHandler` `mtlsCertificate`, usually through a
 * variable holding this resource's `name`.
 *
 * The private key is taken as a Pulumi secret and never stored in the outputs (they hold a
 * fingerprint of it, also secret). A new certificate or key replaces the resource; for a
 * rotation without downtime give each certificate generation its own name, so the new one
 * exists before the old one is deleted.
 *
 * Deleting a certificate that a deployment still references: the provider disables it and, with
 * `redeployOnDelete: true`, redeploys those deployments and then deletes it; without, it stops
 * with an error naming the redeploy to do by hand.
 *
 * The API key is not an argument: set `ZUPLO_API_KEY` or
 * `pulumi config set --secret gatelock:zuploApiKey <key>`.
 * Token: `pulumi-nodejs:dynamic/gatelock:ZuploMtlsCertificate`.
 */
export class ZuploMtlsCertificate extends pulumi.dynamic.Resource {
  declare readonly apiUrl: pulumi.Output<string>;
  declare readonly account: pulumi.Output<string>;
  declare readonly project: pulumi.Output<string>;
  /** The name handlers refer to (`mtlsCertificate`). */
  declare readonly name: pulumi.Output<string>;
  declare readonly environments: pulumi.Output<ZuploMtlsEnvironment[]>;
  /** The PEM certificate (and chain): public. */
  declare readonly certificate: pulumi.Output<string>;
  declare readonly redeployOnDelete: pulumi.Output<boolean>;
  /** Zuplo's id (`cert_…`). */
  declare readonly certificateId: pulumi.Output<string>;
  /** `sha256:` fingerprint of the key (a Pulumi secret). */
  declare readonly keyFingerprint: pulumi.Output<string>;
  /** Subject, issuer, validity and serial as Zuplo read them. */
  declare readonly certificateInfo: pulumi.Output<ZuploMtlsCertificateInfo | undefined>;
  declare readonly createdOn: pulumi.Output<string | undefined>;
  declare readonly updatedOn: pulumi.Output<string | undefined>;

  constructor(name: string, args: ZuploMtlsCertificateArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      zuploMtlsCertificateProvider,
      name,
      {
        ...args,
        // Secret in the inputs (state and previews); the provider never returns it.
        key: pulumi.secret(args.key),
        redeployOnDelete: args.redeployOnDelete ?? false,
        certificateId: undefined,
        keyFingerprint: undefined,
        certificateInfo: undefined,
        createdOn: undefined,
        updatedOn: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "keyFingerprint"] },
      "gatelock",
      ZUPLO_MTLS_CERTIFICATE_TYPE,
    );
  }
}
