/** Origins on this machine, for local development; part of the core package (no cloud SDK). */
import type { SharedSecretOrigin } from "../model/model";
import type { CloudModule } from "../program/translator";
import { LocalSharedSecretOrigin } from "./shared-secret-origin";

export { LocalSharedSecretOrigin, type LocalSharedSecretOriginArgs } from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "local",
  translators: {
    "shared-secret": (origin, ctx) => {
      const component = new LocalSharedSecretOrigin(origin.name, { origin: origin as SharedSecretOrigin }, ctx.opts);
      return {
        origin,
        component,
        variables: component.gatewayVariables,
        outputs: { dotenv: component.dotenvPath, generation: component.generation },
      };
    },
  },
};
