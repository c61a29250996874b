/** The Docker host components as the package publishes them: `gatelock:index:Docker…` (no cloud SDK). */
import type * as pulumi from "@pulumi/pulumi";
import { DockerTunnelOrigin as Tunnel, type DockerTunnelOriginArgs as TunnelArgs } from "../docker/tunnel-origin";
import { type Finding, type GatewayVariable, packageFindings, packageTunnelService, packageVariables, type TunnelService } from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";
import type { DockerTunnelFormat, TunnelOriginSettings } from "./tunnel";

/**
 * `DockerTunnelOrigin`'s args, as another language passes them: the tunnel, and the stack file's
 * `docker` block, with its choice as an enum. (Restated, not `Omit`ted: the schema analyzer
 * reads no `Omit<…>`.)
 */
export interface DockerTunnelOriginArgs extends TunnelOriginSettings {
  /** What gatelock writes for the Docker host: a compose file (`compose`, default), or a systemd template unit running `docker run` (`systemd`). */
  readonly format?: DockerTunnelFormat;
  /** Where the files are written, relative to the project (default `.gatelock/tunnel`); git must ignore it. Each tunnel gets a folder in it. */
  readonly dir?: string;
  /** The Pulumi project's directory, which `dir` is relative to (default: the working directory). */
  readonly projectDir?: string;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedTunnel: Record<Exclude<keyof TunnelArgs, keyof DockerTunnelOriginArgs>, never> = {};
void restatedTunnel;

/**
 * A tunnel origin whose connector runs on a plain Docker host (method 5): gatelock writes the
 * tunnel's token (a `GatewayTunnel`'s) to an env file of mode 0600 in a git-ignored folder, and
 * next to it a compose file or a systemd unit that runs one hardened `zuplo/tunnel` container per
 * replica, publishing no port. The host starts it; its firewall limits the egress.
 */
export class DockerTunnelOrigin extends packageBase<TunnelArgs>(Tunnel) {
  static readonly packageType = "gatelock:index:DockerTunnelOrigin";
  /** The compose file or unit, relative to the project. */
  declare readonly configPath: string;
  /** The token's env file (mode 0600), relative to the project. */
  declare readonly tokenPath: string;
  /** What the tunnel's services configuration needs for this origin: pass it to `GatewayTunnelServices`' `services`. */
  declare readonly tunnelService: pulumi.Output<TunnelService>;
  /** The variables the gateway needs (the origin's `service://` URL): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: DockerTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Tunnel);
    publish<DockerTunnelOrigin>(this, {
      configPath: built.configPath,
      tokenPath: built.tokenPath,
      tunnelService: packageTunnelService(this, built.tunnelService),
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
