import type * as pulumi from "@pulumi/pulumi";
import { asSecret } from "../component/secrets";
import type { GatewayVariable } from "../gateway/environment";
import { pairVariables, sharedSecretVariableSpecs } from "../gateway/variables";
import type { SharedSecretOrigin } from "../model/model";

/**
 * Pairs a shared-secret origin's variable specs with their values. Every cloud uses this,
 * so the gateway sees the same variables whatever store the origin reads from.
 *
 * `store` is the resource that makes the origin accept the new secret; the gateway's
 * variable waits for it, so the gateway never sends a secret the origin does not know yet.
 */
export function sharedSecretVariables(
  origin: SharedSecretOrigin,
  current: pulumi.Output<string>,
  store: pulumi.Resource,
  url: pulumi.Input<string> | undefined = origin.url,
): GatewayVariable[] {
  return pairVariables(sharedSecretVariableSpecs(origin), { secret: asSecret(current), url }, { secret: [store] });
}
