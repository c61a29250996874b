/** How the stack-file program builds tunnel connectors on Kubernetes (needs `@pulumi/kubernetes`). */
import { type CloudModule, expectMethod, lazyMethod, tunnelOriginArgs } from "../program/translator";

export const cloud: CloudModule = {
  cloud: "kubernetes",
  methods: {
    tunnel: lazyMethod(() => import("./tunnel-origin"), ({ KubernetesTunnelOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new KubernetesTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.kubernetes }, ctx.opts);
    }),
  },
};
