/** How the stack-file program builds tunnel connectors on a plain Docker host. */
import { type CloudModule, expectMethod, tunnelOriginArgs } from "../program/translator";

export const cloud: CloudModule = {
  cloud: "docker",
  methods: {
    tunnel: {
      load: async () => {
        const { DockerTunnelOrigin } = await import("./tunnel-origin");
        return (raw, ctx) => {
          const o = expectMethod(raw, "tunnel");
          return new DockerTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.docker, projectDir: ctx.projectDir }, ctx.opts);
        };
      },
    },
  },
};
