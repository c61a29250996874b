/** `gatelock/aws`: AWS translators and components. Loads only AWS SDK submodules. */
import type { SharedSecretOrigin } from "../model/model";
import type { CloudModule } from "../program/translator";
import { AwsSharedSecretOrigin } from "./shared-secret-origin";

export { AwsSharedSecretOrigin, type AwsSharedSecretOriginArgs } from "./shared-secret-origin";
export { secretReadPolicy, SECRET_READ_ACTIONS, type PolicyDocument, type PolicyStatement } from "./documents";

export const cloud: CloudModule = {
  cloud: "aws",
  translators: {
    "shared-secret": (origin, ctx) => {
      const component = new AwsSharedSecretOrigin(origin.name, { origin: origin as SharedSecretOrigin }, ctx.opts);
      return {
        origin,
        component,
        variables: component.gatewayVariables,
        outputs: { secretArn: component.secretArn, readers: component.readers, generation: component.generation },
      };
    },
  },
};
