/** How the stack-file program builds origins on this machine; each method's component loads when a stack first needs it. */
import { type CloudModule, expectMethod, lazyMethod, mtlsArgs, sharedSecretArgs } from "../program/translator";

export const cloud: CloudModule = {
  cloud: "local",
  methods: {
    "shared-secret": lazyMethod(() => import("./shared-secret-origin"), ({ LocalSharedSecretOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new LocalSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), projectDir: ctx.projectDir }, ctx.opts);
    }),
    mtls: lazyMethod(() => import("./mtls-origin"), ({ LocalMtlsOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new LocalMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...(o.local ? { certificatesDir: o.local.certificatesDir } : {}), projectDir: ctx.projectDir }, ctx.opts);
    }),
  },
};
