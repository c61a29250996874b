/**
 * Origins not behind cloud IAM (Kubernetes, on-premises): the origin verifies the gateway's
 * token itself with `gatelock/origin`. No cloud SDK and no cloud resource: the translator
 * emits the verifier settings and the gateway variables.
 */
export { OtherFederatedOrigin, otherVerifierSettings, type OtherFederatedOriginArgs, type OtherVerifierSettings } from "./federated-origin";
