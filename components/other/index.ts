/**
 * Origins not behind cloud IAM (Kubernetes, on-premises): the origin verifies the gateway's
 * token itself with `gatelock/origin`. No cloud SDK and no cloud resource: the translator
 * emits the verifier settings and the gateway variables.
 */
import { type CloudModule, expectMethod, federatedArgs } from "../program/translator";
import { OtherFederatedOrigin } from "./federated-origin";

export { OtherFederatedOrigin, otherVerifierSettings, type OtherFederatedOriginArgs, type OtherVerifierSettings } from "./federated-origin";

export const cloud: CloudModule = {
  cloud: "other",
  builders: {
    federated: (raw, ctx) => new OtherFederatedOrigin(raw.name, federatedArgs(expectMethod(raw, "federated"), ctx.gateway), ctx.opts),
  },
};
