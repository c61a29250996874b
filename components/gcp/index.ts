/** `gatelock/gcp`: GCP translators and components. Loads only GCP SDK submodules. */
import { type CloudModule, componentTranslator } from "../program/translator";
import { GcpSharedSecretOrigin } from "./shared-secret-origin";

export { GcpSharedSecretOrigin, type GcpSharedSecretOriginArgs, SECRET_ACCESSOR_ROLE } from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "gcp",
  translators: { "shared-secret": componentTranslator(GcpSharedSecretOrigin) },
};
