/**
 * `DockerTunnelFiles`: a tunnel connector's files for a plain Docker host, the token's env
 * file (mode 0600) and the compose file or systemd unit that reads it, in a folder git
 * ignores. The provider lives alone in `./tunnel-files-provider.ts` because Pulumi serialises
 * it (see that file's comment).
 */
import * as pulumi from "@pulumi/pulumi";
import {
  type DockerTunnelFilesInputs,
  type DockerTunnelFilesOutputs,
  type DockerTunnelFilesProvider,
  dockerTunnelFilesProvider,
  normaliseTunnelDir,
} from "./tunnel-files-provider";

export { dockerTunnelFilesProvider, normaliseTunnelDir };
export type { DockerTunnelFilesInputs, DockerTunnelFilesOutputs, DockerTunnelFilesProvider };

export const DOCKER_TUNNEL_FILES_TYPE = "DockerTunnelFiles";

export interface DockerTunnelFilesArgs {
  /** Absolute directory of the Pulumi project; `dir` is relative to it. */
  projectDir: pulumi.Input<string>;
  /** Where the connectors' folders are, relative to the project (e.g. `.gatelock/tunnel`); git must ignore it. */
  dir: pulumi.Input<string>;
  /** The tunnel's name: the connector's folder under `dir`. */
  name: pulumi.Input<string>;
  /** The compose file's or unit's name in that folder. */
  configFile: pulumi.Input<string>;
  /** Its text (documents/docker-tunnel.ts); never the token. */
  content: pulumi.Input<string>;
  /** The tunnel's token; made a Pulumi secret here whatever the caller passed. */
  token: pulumi.Input<string>;
}

export class DockerTunnelFiles extends pulumi.dynamic.Resource {
  declare readonly projectDir: pulumi.Output<string>;
  declare readonly dir: pulumi.Output<string>;
  declare readonly name: pulumi.Output<string>;
  declare readonly configFile: pulumi.Output<string>;
  declare readonly content: pulumi.Output<string>;
  /** Relative to the project. */
  declare readonly configPath: pulumi.Output<string>;
  declare readonly tokenPath: pulumi.Output<string>;
  /** SHA-256 of the token (a Pulumi secret). The token itself is never an output. */
  declare readonly tokenFingerprint: pulumi.Output<string>;

  constructor(name: string, args: DockerTunnelFilesArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      dockerTunnelFilesProvider,
      name,
      {
        projectDir: args.projectDir,
        dir: args.dir,
        name: args.name,
        configFile: args.configFile,
        content: args.content,
        token: pulumi.secret(args.token),
        configPath: undefined,
        tokenPath: undefined,
        tokenFingerprint: undefined,
      },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "tokenFingerprint"] },
      "gatelock",
      DOCKER_TUNNEL_FILES_TYPE,
    );
  }
}
