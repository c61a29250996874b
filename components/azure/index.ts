/** `gatelock/azure`: Azure translators and components. Loads only azure-native submodules. */
import type { SharedSecretOrigin } from "../model/model";
import type { CloudModule } from "../program/translator";
import { AzureSharedSecretOrigin } from "./shared-secret-origin";

export {
  AzureSharedSecretOrigin,
  type AzureSharedSecretOriginArgs,
  KEY_VAULT_SECRETS_USER,
  roleDefinitionId,
} from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "azure",
  translators: {
    "shared-secret": (origin, ctx) => {
      const component = new AzureSharedSecretOrigin(origin.name, { origin: origin as SharedSecretOrigin }, ctx.opts);
      return {
        origin,
        component,
        variables: component.gatewayVariables,
        outputs: { secretId: component.secretId, secretUri: component.secretUri, readers: component.readers, generation: component.generation },
      };
    },
  },
};
