/** The local origin as the package publishes it: `gatelock:index:LocalSharedSecretOrigin`. */
import type * as pulumi from "@pulumi/pulumi";
import { LocalSharedSecretOrigin as SharedSecret, type LocalSharedSecretOriginArgs } from "../local/shared-secret-origin";
import { type Finding, type GatewayVariable, packageFindings, packageVariables } from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A shared-secret origin on this machine, for local development: no cloud at all. The origin's
 * accepted-secrets document goes to its own dotenv file (`.env.<origin>`, in the project
 * directory), which the origin loads, e.g. with `node --env-file=.env.orders`.
 */
export class LocalSharedSecretOrigin extends packageBase<LocalSharedSecretOriginArgs>(SharedSecret) {
  static readonly packageType = "gatelock:index:LocalSharedSecretOrigin";
  /** Where the origin's dotenv file is on this machine. */
  declare readonly dotenvPath: string;
  /** The secret's rotation generation (increases by one at every rotation). */
  declare readonly generation: pulumi.Output<number>;
  /** The variables the gateway needs (the secret, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: LocalSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, SharedSecret);
    publish<LocalSharedSecretOrigin>(this, {
      dotenvPath: built.dotenvPath,
      generation: built.generation,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
