/** Origins on this machine, for local development; part of the core package (no cloud SDK). */
import { type CloudModule, componentTranslator } from "../program/translator";
import { LocalSharedSecretOrigin } from "./shared-secret-origin";

export { LocalSharedSecretOrigin, type LocalSharedSecretOriginArgs } from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "local",
  translators: { "shared-secret": componentTranslator(LocalSharedSecretOrigin) },
};
