/** `gatelock/gcp`: GCP translators and components. Loads only GCP SDK submodules. */
import { type CloudModule, expectMethod, federatedArgs, sharedSecretArgs } from "../program/translator";
import { GcpFederatedOrigin } from "./federated-origin";
import { GcpSharedSecretOrigin } from "./shared-secret-origin";

export { GcpSharedSecretOrigin, type GcpSharedSecretOriginArgs, SECRET_ACCESSOR_ROLE } from "./shared-secret-origin";
export { GcpFederatedOrigin, type GcpFederatedOriginArgs } from "./federated-origin";
export {
  assertNotWholePool,
  attributeCondition,
  attributeMapping,
  celString,
  impersonators,
  isWholePoolMember,
  principalMember,
  principalSetMember,
  RUN_INVOKER_ROLE,
  WORKLOAD_IDENTITY_USER_ROLE,
} from "../documents/gcp-workload-identity";

export const cloud: CloudModule = {
  cloud: "gcp",
  builders: {
    "shared-secret": (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new GcpSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.gcp! }, ctx.opts);
    },
    federated: (raw, ctx) => {
      const o = expectMethod(raw, "federated");
      return new GcpFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...o.gcp! }, ctx.opts);
    },
  },
};
