/** Tunnel connectors on a plain Docker host: a compose file or systemd unit gatelock writes. */
import { type CloudModule, expectMethod, tunnelOriginArgs } from "../program/translator";
import { DockerTunnelOrigin } from "./tunnel-origin";

export { DockerTunnelOrigin, type DockerTunnelOriginArgs } from "./tunnel-origin";
export { DOCKER_TUNNEL_FILES_TYPE, DockerTunnelFiles, type DockerTunnelFilesArgs, dockerTunnelFilesProvider } from "./tunnel-files";
export { COMPOSE_FILE, composeFile, DOCKER_RUN_HARDENING, systemdUnit, systemdUnitFile, TOKEN_FILE } from "../documents/docker-tunnel";

export const cloud: CloudModule = {
  cloud: "docker",
  builders: {
    tunnel: (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new DockerTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.docker, projectDir: ctx.projectDir }, ctx.opts);
    },
  },
};
