import * as pulumi from "@pulumi/pulumi";
import { checkOrigin } from "../component/checked-origin";
import { federatedConfig, type FederatedSettings, isFederatedOn } from "../federated/origin-args";
import type { GatewayVariable } from "../gateway/environment";
import { GATELOCK_ID_TOKEN_MODULE_PATH, otherFederatedVariables } from "../gateway/federated/other";
import { pairVariables } from "../gateway/variables";
import { type VerifierSettings, verifierSettings } from "../model/describe";
import type { FederatedOrigin } from "../model/model";
import type { Finding } from "../model/safety";

/** An origin outside cloud IAM: `audience` is required; subjects or claims pin the gateway. */
export type OtherFederatedOriginArgs = FederatedSettings;

/** The settings an origin's `createTokenVerifier` takes (the model's `VerifierSettings`). */
export type OtherVerifierSettings = VerifierSettings;

/** The verifier settings for a `cloud: other` origin (pure; one implementation, in the model). */
export const otherVerifierSettings: (origin: FederatedOrigin) => OtherVerifierSettings = verifierSettings;

/**
 * A federated origin outside cloud IAM (Kubernetes, on-premises): the origin verifies the
 * gateway's ID token itself with `gatelock/origin`, so there is no cloud resource at all.
 * The component carries the verifier settings (in `summary.verifier`) and the gateway
 * variables (`<ORIGIN>_AUDIENCE`, and the origin URL when known).
 */
export class OtherFederatedOrigin extends pulumi.ComponentResource {
  readonly verifier: OtherVerifierSettings;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: OtherFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:other:FederatedOrigin", name, {}, opts);
    const check = checkOrigin({
      component: name,
      gateway: args.gateway,
      config: federatedConfig(name, "other", args),
      placeholders: { url: () => "https://gatelock-pending.invalid" },
      is: isFederatedOn("other"),
    });
    const origin = check.known;
    this.findings = check.findings;

    this.verifier = otherVerifierSettings(origin);
    // Nothing is provisioned, so there is nothing for the gateway to wait for.
    this.gatewayVariables = pairVariables(otherFederatedVariables(origin), { audience: origin.trust.audience, url: origin.url ? check.value(["url"], (m) => m.url!) : undefined });
    this.summary = {
      verifier: this.verifier,
      gatewayVariables: this.gatewayVariables.map((v) => v.name),
      gatewayModule: GATELOCK_ID_TOKEN_MODULE_PATH,
    };
    this.registerOutputs(this.summary);
  }
}
