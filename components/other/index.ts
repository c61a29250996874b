/**
 * Origins not behind cloud IAM (Kubernetes, on-premises): the origin verifies the gateway's
 * token itself with `gatelock/origin`. STUB (being written): no cloud resources; the
 * translator emits the verifier settings and the gateway variables.
 */
import type { CloudModule } from "../program/translator";

export const cloud: CloudModule = { cloud: "other", translators: {} };
