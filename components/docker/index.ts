/** Tunnel connectors on a plain Docker host: a compose file or systemd unit gatelock writes. */
export { DockerTunnelOrigin, type DockerTunnelOriginArgs } from "./tunnel-origin";
export { DOCKER_TUNNEL_FILES_TYPE, DockerTunnelFiles, type DockerTunnelFilesArgs, dockerTunnelFilesProvider } from "./tunnel-files";
export { COMPOSE_FILE, composeFile, DOCKER_RUN_HARDENING, systemdUnit, systemdUnitFile, TOKEN_FILE } from "../documents/docker-tunnel";
