/**
 * What gatelock writes for a tunnel connector on a plain Docker host, as pure functions: a
 * compose file, or a systemd template unit running `docker run`. Either way:
 *
 * - the token is never in the text: the container reads it from `tunnel-token`, an env file of
 *   mode 0600 next to it (`env_file` / `--env-file`), which gatelock writes separately;
 * - it publishes no port (the connector only dials out) and runs hardened: read-only root
 *   filesystem, every capability dropped, `no-new-privileges`, cloudflared's non-root user,
 *   memory, CPU and process limits;
 * - one container per replica, each restarted on its own, so a rotated token is picked up one
 *   replica at a time without the origin ever losing its last connector.
 *
 * Docker filters no egress: the host's firewall is what limits the connector to DNS, TCP 7844
 * and 443 and the origin.
 */
import { stringify } from "yaml";

/** The env file holding `TUNNEL_TOKEN=<token>` (mode 0600), next to the compose file or unit. */
export const TOKEN_FILE = "tunnel-token";
/** The compose file's name: `docker compose` finds it in its folder without `-f`. */
export const COMPOSE_FILE = "compose.yaml";
/** cloudflared's user in its image (`USER 65532:65532`). */
export const CONNECTOR_USER = "65532:65532";
/** Longer than cloudflared's 30-second grace period for in-flight requests. */
export const STOP_GRACE_SECONDS = 45;

export interface DockerConnectorSpec {
  readonly tunnel: string;
  /** The service the gateway calls, for the header a reader of the file sees. */
  readonly service: string;
  readonly image: string;
  readonly replicas: number;
}

/** `gatelock-tunnel-<tunnel>`: the compose project, and the prefix of containers and units. */
export function connectorName(tunnel: string): string {
  return `gatelock-tunnel-${tunnel.toLowerCase()}`.replace(/-+$/, "");
}

/** The systemd template unit's file name; its instances are the replicas (`…@1`, `…@2`). */
export function systemdUnitFile(tunnel: string): string {
  return `${connectorName(tunnel)}@.service`;
}

/** The replicas' names: `connector-1` … `connector-N`. */
export function replicaNames(replicas: number): string[] {
  return Array.from({ length: replicas }, (_, i) => `connector-${i + 1}`);
}

/** Every hardening flag of `docker run`, in the order of the compose keys they stand for. */
export const DOCKER_RUN_HARDENING = [
  "--read-only",
  "--cap-drop",
  "ALL",
  "--security-opt",
  "no-new-privileges:true",
  "--user",
  CONNECTOR_USER,
  "--tmpfs",
  "/tmp:size=16m",
  "--memory",
  "256m",
  "--cpus",
  "0.5",
  "--pids-limit",
  "100",
  "--stop-timeout",
  String(STOP_GRACE_SECONDS),
] as const;

/** One compose service per replica: its own name, so it can be restarted on its own. */
function composeService(spec: DockerConnectorSpec) {
  return {
    image: spec.image,
    restart: "unless-stopped",
    // Relative to the compose file's folder; the file holds `TUNNEL_TOKEN=…` and nothing else.
    env_file: [TOKEN_FILE],
    read_only: true,
    cap_drop: ["ALL"],
    security_opt: ["no-new-privileges:true"],
    user: CONNECTOR_USER,
    tmpfs: ["/tmp:size=16m"],
    mem_limit: "256m",
    cpus: 0.5,
    pids_limit: 100,
    stop_grace_period: `${STOP_GRACE_SECONDS}s`,
    labels: { "gatelock.tunnel": spec.tunnel, "gatelock.service": spec.service },
  };
}

/** The compose file: N services, no ports, no inline secret. */
export function composeFile(spec: DockerConnectorSpec): string {
  const names = replicaNames(spec.replicas);
  const header = [
    `gatelock: the connector of tunnel ${spec.tunnel} (service://${spec.service}). Written by \`pulumi up\`: edits are overwritten.`,
    `Start it here: docker compose up -d`,
    `The token is in ./${TOKEN_FILE} (mode 0600, git-ignored), never in this file.`,
    `After a token rotation, recreate one replica at a time, each once the previous one is connected:`,
    ...names.map((n) => `  docker compose up -d --no-deps --force-recreate ${n}`),
  ];
  const body = stringify({ name: connectorName(spec.tunnel), services: Object.fromEntries(names.map((n) => [n, composeService(spec)])) });
  return `${header.map((l) => `# ${l}`).join("\n")}\n${body}`;
}

/**
 * A path as one systemd command-line word: in double quotes, with systemd's specifiers (`%`)
 * and variable expansion (`$`) escaped. A line break cannot be quoted: refused.
 */
export function systemdWord(value: string): string {
  if (/[\u0000-\u001f\u007f]/.test(value)) throw new TypeError("a path with a control character cannot go in a systemd unit");
  return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/%/g, "%%").replace(/\$/g, "$$$$")}"`;
}

/**
 * The systemd template unit: each instance (`@1`, `@2`…) runs one replica with `docker run`,
 * reading the token from `tokenFile` (an absolute path) with `--env-file`. systemd restarts a
 * replica that exits; the container itself is removed when it stops (`--rm`).
 */
export function systemdUnit(spec: DockerConnectorSpec & { readonly tokenFile: string; readonly unitPath: string }): string {
  const name = connectorName(spec.tunnel);
  const container = `${name}-%i`;
  const instances = replicaNames(spec.replicas).map((_, i) => `${name}@${i + 1}`);
  const header = [
    `gatelock: the connector of tunnel ${spec.tunnel} (service://${spec.service}). Written by \`pulumi up\`: edits are overwritten.`,
    `Install and start ${spec.replicas} replica(s):`,
    `  sudo systemctl link ${spec.unitPath}`,
    `  sudo systemctl enable --now ${instances.join(" ")}`,
    `The token is read from the env file below (mode 0600, git-ignored), never from this unit.`,
    `After a token rotation, restart one replica at a time, each once the previous one is connected:`,
    ...instances.map((i) => `  sudo systemctl restart ${i}`),
  ];
  const run = ["docker", "run", "--rm", "--name", container, "--env-file", systemdWord(spec.tokenFile), ...DOCKER_RUN_HARDENING, spec.image];
  return [
    ...header.map((l) => `# ${l}`),
    "[Unit]",
    `Description=gatelock tunnel connector %i of tunnel ${spec.tunnel}`,
    "Requires=docker.service",
    "After=docker.service network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    "Restart=always",
    "RestartSec=5",
    `TimeoutStopSec=${STOP_GRACE_SECONDS + 15}`,
    // A container left behind by a crash would hold the name.
    `ExecStartPre=-docker rm -f ${container}`,
    `ExecStart=${run.join(" ")}`,
    `ExecStop=docker stop ${container}`,
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}
