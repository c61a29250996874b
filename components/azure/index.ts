/** `gatelock/azure`: Azure translators and components. Loads only azure-native submodules. */
import { type CloudModule, componentTranslator } from "../program/translator";
import { AzureSharedSecretOrigin } from "./shared-secret-origin";

export {
  AzureSharedSecretOrigin,
  type AzureSharedSecretOriginArgs,
  KEY_VAULT_SECRETS_USER,
  roleDefinitionId,
} from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "azure",
  translators: { "shared-secret": componentTranslator(AzureSharedSecretOrigin) },
};
