import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { checkOrigin } from "../component/checked-origin";
import { COMPOSE_FILE, composeFile, type DockerConnectorSpec, systemdUnit, systemdUnitFile, TOKEN_FILE } from "../documents/docker-tunnel";
import type { GatewayVariable } from "../gateway/environment";
import { tunnelVariables } from "../gateway/tunnel";
import { pairVariables } from "../gateway/variables";
import type { Finding } from "../model/safety";
import { connectorEgress } from "../model/tunnel/describe";
import { isTunnelOn, type TunnelOriginArgsBase, type TunnelService, tunnelConfig, tunnelService, carriedArg, carriedConfigs, carriedServices } from "../tunnel/origin-args";
import { DockerTunnelFiles } from "./tunnel-files";

/** `DockerTunnelOrigin`'s args: the tunnel, and the stack file's `docker` block. */
export interface DockerTunnelOriginArgs extends TunnelOriginArgsBase {
  /** What gatelock writes for the Docker host: a compose file (default), or a systemd template unit running `docker run`. */
  readonly format?: "compose" | "systemd";
  /** Where the files are written, relative to the project (default `.gatelock/tunnel`); git must ignore it. Each tunnel gets a folder in it. */
  readonly dir?: string;
  /** The Pulumi project's directory, which `dir` is relative to (default: the working directory). */
  readonly projectDir?: string;
}

/**
 * A tunnel origin whose connector runs on a plain Docker host: gatelock writes the token to an
 * env file of mode 0600 in a git-ignored folder, and next to it a compose file or a systemd
 * unit that runs one hardened `zuplo/tunnel` container per replica, publishing no port. The
 * host starts it (`docker compose up -d`, `systemctl enable --now`); Docker filters no egress,
 * so the host's firewall is what limits it to DNS, TCP 7844 and 443 and the origin.
 */
export class DockerTunnelOrigin extends pulumi.ComponentResource {
  /** The compose file or unit, relative to the project. */
  readonly configPath: string;
  /** The token's env file (mode 0600), relative to the project. */
  readonly tokenPath: string;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly tunnelService: TunnelService;
  /** Every service of the tunnel this connector carries: this origin's, then those in `tunnel.alsoCarries` (for `GatewayTunnel.carry`). */
  readonly tunnelServices: readonly TunnelService[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: DockerTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:docker:TunnelOrigin", name, {}, opts);
    const projectDir = path.resolve(args.projectDir ?? process.cwd());
    const { format, dir } = args;
    const check = checkOrigin({
      component: name,
      config: tunnelConfig(name, "docker", args, { format, dir }),
      siblings: carriedConfigs(name, "docker", args, { format, dir }),
      siblingArg: carriedArg,
      projectDir,
      placeholders: {},
      is: isTunnelOn("docker"),
    });
    const origin = check.known;
    const t = origin.tunnel;
    const target = origin.target;
    const folder = `${path.posix.normalize(target.dir.replace(/\\/g, "/")).replace(/\/+$/, "")}/${t.tunnelName}`;
    const spec: DockerConnectorSpec = { tunnel: t.tunnelName, service: t.service, image: t.image, replicas: t.replicas };
    const configFile = target.format === "compose" ? COMPOSE_FILE : systemdUnitFile(t.tunnelName);
    const content =
      target.format === "compose"
        ? composeFile(spec)
        : // systemd runs outside the project: the unit names the token file by its absolute path.
          systemdUnit({ ...spec, tokenFile: path.join(projectDir, folder, TOKEN_FILE), unitPath: path.join(projectDir, folder, configFile) });

    new DockerTunnelFiles(`${name}-connector`, { projectDir, dir: target.dir, name: t.tunnelName, configFile, content, token: args.tunnel.token }, { parent: this });

    this.configPath = `${folder}/${configFile}`;
    this.tokenPath = `${folder}/${TOKEN_FILE}`;
    this.findings = check.findings;
    this.tunnelService = tunnelService(origin, args.tunnel.dangerouslyAllowPublicEndpoint);
    this.tunnelServices = carriedServices(origin, this.tunnelService);
    this.gatewayVariables = pairVariables(tunnelVariables(origin), { url: origin.url });
    this.summary = {
      tunnel: t.tunnelName,
      service: origin.url,
      connector: `docker (${target.format})`,
      configFile: this.configPath,
      replicas: t.replicas,
      image: t.image,
      tokenStore: `${this.tokenPath} (mode 0600)`,
      egress: connectorEgress(target, t),
    };
    this.registerOutputs(this.summary);
  }
}
