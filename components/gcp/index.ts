/** `gatelock/gcp`: GCP translators and components. Loads only GCP SDK submodules. */
import type { SharedSecretOrigin } from "../model/model";
import type { CloudModule } from "../program/translator";
import { GcpSharedSecretOrigin } from "./shared-secret-origin";

export { GcpSharedSecretOrigin, type GcpSharedSecretOriginArgs, SECRET_ACCESSOR_ROLE } from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "gcp",
  translators: {
    "shared-secret": (origin, ctx) => {
      const component = new GcpSharedSecretOrigin(origin.name, { origin: origin as SharedSecretOrigin }, ctx.opts);
      return {
        origin,
        component,
        variables: component.gatewayVariables,
        outputs: { secretName: component.secretName, readers: component.readers, generation: component.generation },
      };
    },
  },
};
