import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DotenvFile } from "../dotenv/dotenv-file";
import type { GatewayVariable } from "../gateway/environment";
import type { OriginModel } from "../model/model";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { SharedSecret } from "../shared-secret/shared-secret";

export interface LocalSharedSecretOriginArgs {
  /** A validated origin (from `buildModel`): a shared-secret origin on this cloud. */
  readonly origin: OriginModel;
  /** Base directory for the origin's dotenv file (default: the working directory). */
  readonly projectDir?: string;
}

/**
 * A shared-secret origin on this machine, for local development: no cloud at all. The
 * origin's accepted-secrets document goes to its own dotenv file (`.env.<origin>`), which
 * the origin loads, e.g. with `node --env-file=.env.orders`.
 */
export class LocalSharedSecretOrigin extends pulumi.ComponentResource {
  readonly dotenvPath: string;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;

  constructor(name: string, args: LocalSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:local:SharedSecretOrigin", name, {}, opts);
    const { origin } = args;
    if (origin.method !== "shared-secret" || origin.store.cloud !== "local") {
      throw new TypeError(`LocalSharedSecretOrigin needs a shared-secret origin on local, got ${origin.method} on ${origin.cloud}`);
    }
    const store = origin.store;

    const secret = new SharedSecret(name, origin.sharedSecret, { parent: this });
    this.dotenvPath = path.resolve(args.projectDir ?? process.cwd(), store.dotenv);
    const file = new DotenvFile(
      `${name}-store`,
      { path: this.dotenvPath, entries: { [store.variable]: secret.document } },
      { parent: this },
    );

    this.generation = secret.generation;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, file);
    this.summary = { dotenv: store.dotenv, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
