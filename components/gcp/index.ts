/** `gatelock/gcp`: GCP translators and components. Loads only GCP SDK submodules. */
import { type CloudModule, componentTranslator } from "../program/translator";
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
} from "./workload-identity";

export const cloud: CloudModule = {
  cloud: "gcp",
  translators: {
    "shared-secret": componentTranslator(GcpSharedSecretOrigin),
    federated: componentTranslator(GcpFederatedOrigin),
  },
};
