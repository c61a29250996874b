/** Origins on this machine, for local development; part of the core package (no cloud SDK). */
import { type CloudModule, expectMethod, sharedSecretArgs } from "../program/translator";
import { LocalSharedSecretOrigin } from "./shared-secret-origin";

export { LocalSharedSecretOrigin, type LocalSharedSecretOriginArgs } from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "local",
  builders: {
    "shared-secret": (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new LocalSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), projectDir: ctx.projectDir }, ctx.opts);
    },
  },
};
