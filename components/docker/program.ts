/** How the stack-file program builds tunnel connectors on a plain Docker host. */
import { type CloudModule, expectMethod, lazyMethod, tunnelOriginArgs } from "../program/translator";

export const cloud: CloudModule = {
  cloud: "docker",
  methods: {
    tunnel: lazyMethod(() => import("./tunnel-origin"), ({ DockerTunnelOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new DockerTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.docker, projectDir: ctx.projectDir }, ctx.opts);
    }),
  },
};
