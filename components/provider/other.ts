/** The federated origin outside cloud IAM as the package publishes it: `gatelock:index:OtherFederatedOrigin`. */
import type * as pulumi from "@pulumi/pulumi";
import { OtherFederatedOrigin as Federated, type OtherFederatedOriginArgs } from "../other/federated-origin";
import { type Finding, type GatewayVariable, type OtherVerifierSettings, packageFindings, packageVariables } from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A federated origin outside cloud IAM (Kubernetes, on-premises): the origin verifies the
 * gateway's ID token itself with `gatelock/origin`, so there is no cloud resource at all.
 */
export class OtherFederatedOrigin extends packageBase<OtherFederatedOriginArgs>(Federated) {
  static readonly packageType = "gatelock:index:OtherFederatedOrigin";
  /** The settings the origin's token verifier takes (`createTokenVerifier` from `gatelock/origin`). */
  declare readonly verifier: OtherVerifierSettings;
  /** The variables the gateway needs (the audience, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: OtherFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Federated);
    const v = built.verifier;
    publish<OtherFederatedOrigin>(this, {
      verifier: { issuer: v.issuer, jwksUri: v.jwksUri, audience: v.audience, subjects: [...v.subjects], claims: { ...v.claims } },
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
