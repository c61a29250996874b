/**
 * The IAM OIDC provider for the gateway's issuer. AWS allows one per issuer per account, so a
 * program creates it once and passes its `arn` to every `AwsFederatedOrigin` that trusts the
 * issuer, with every such origin's audience among its client IDs. (gatelock's stack-file
 * program does that for you; a platform repo does it explicitly.)
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";
import { issuerHostPath } from "../documents/names";

export interface AwsOidcProviderArgs {
  /** Exact `iss` of the gateway's tokens (https), e.g. `ZUPLO_ISSUER`. */
  readonly issuer: string;
  /** Audiences the provider accepts (IAM client IDs): the `audience` of every origin that trusts it. */
  readonly clientIds: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * `gatelock:aws:OidcProvider`: an IAM OIDC provider for one issuer. No thumbprints: IAM
 * validates the JWKS endpoint's certificate against its own trusted root CAs and uses
 * thumbprints only for a private CA.
 */
export class AwsOidcProvider extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly provider: OpenIdConnectProvider;

  constructor(name: string, args: AwsOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:aws:OidcProvider", name, {}, opts);
    this.provider = new OpenIdConnectProvider(
      `${name}-provider`,
      { url: args.issuer, clientIdLists: args.clientIds, tags: { "managed-by": "gatelock" } },
      // Only one provider may exist per URL: a replacement must delete the old one first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.arn = this.provider.arn;
    this.registerOutputs({ arn: this.arn, issuer: args.issuer });
  }
}

/**
 * The name the stack-file program gives the provider of an issuer: the one gatelock 0.1 gave
 * it, so existing stacks keep it (`gatelock-oidc-<issuer host>-<hash>`).
 */
export function oidcProviderName(issuer: string): string {
  const hash = createHash("sha256").update(`${issuer}|default`).digest("hex").slice(0, 8);
  const host = issuerHostPath(issuer).split("/")[0]!.replace(/[^A-Za-z0-9.-]/g, "-");
  return `gatelock-oidc-${host}-${hash}`;
}
