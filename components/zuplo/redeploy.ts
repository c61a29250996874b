import * as pulumi from "@pulumi/pulumi";
import { ZUPLO_REDEPLOY_TYPE, type ZuploRedeployInputs, zuploRedeployProvider } from "./redeploy-provider";

export type ZuploRedeployArgs = { [K in keyof ZuploRedeployInputs]: pulumi.Input<ZuploRedeployInputs[K]> };

/**
 * Redeploys a Zuplo branch's live deployment(s) whenever `trigger` changes, so that variables
 * just written take effect at once. Give it `dependsOn` every variable it covers.
 *
 * The trigger is always stored as a Pulumi secret (a hash of a secret is treated as secret).
 * The API key is not an argument: set `ZUPLO_API_KEY` or `gatelock:zuploApiKey`.
 * Token: `pulumi-nodejs:dynamic/gatelock:ZuploRedeploy`.
 */
export class ZuploRedeploy extends pulumi.dynamic.Resource {
  declare readonly apiUrl: pulumi.Output<string>;
  declare readonly account: pulumi.Output<string>;
  declare readonly project: pulumi.Output<string>;
  declare readonly branch: pulumi.Output<string>;
  /** The fingerprint (a Pulumi secret). */
  declare readonly trigger: pulumi.Output<string>;
  /** Deployments redeployed by the last change. */
  declare readonly deployments: pulumi.Output<string[]>;
  /** When they were redeployed. */
  declare readonly redeployedAt: pulumi.Output<string>;

  constructor(name: string, args: ZuploRedeployArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      zuploRedeployProvider,
      name,
      { ...args, trigger: pulumi.secret(args.trigger), deployments: undefined, redeployedAt: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "trigger"] },
      "gatelock",
      ZUPLO_REDEPLOY_TYPE,
    );
  }
}
