/** Origins on this machine, for local development; part of the core package (no cloud SDK). */
import { type CloudModule, expectMethod, mtlsArgs, sharedSecretArgs } from "../program/translator";
import { LocalMtlsOrigin } from "./mtls-origin";
import { LocalSharedSecretOrigin } from "./shared-secret-origin";

export { LocalMtlsOrigin, type LocalMtlsOriginArgs } from "./mtls-origin";

export { LocalSharedSecretOrigin, type LocalSharedSecretOriginArgs } from "./shared-secret-origin";

export const cloud: CloudModule = {
  cloud: "local",
  builders: {
    "shared-secret": (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new LocalSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), projectDir: ctx.projectDir }, ctx.opts);
    },
    mtls: (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new LocalMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...(o.local ? { certificatesDir: o.local.certificatesDir } : {}), projectDir: ctx.projectDir }, ctx.opts);
    },
  },
};
