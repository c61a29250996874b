import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { checkOrigin } from "../component/checked-origin";
import { DotenvFile } from "../dotenv/dotenv-file";
import type { GatewayVariable } from "../gateway/environment";
import type { Finding } from "../model/safety";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { isSharedSecretOn, sharedSecretConfig, type SharedSecretSettings } from "../shared-secret/origin-args";
import { createSharedSecret } from "../shared-secret/shared-secret";

export interface LocalSharedSecretOriginArgs extends SharedSecretSettings {
  /** The Pulumi project's directory: where `.env.<origin>` is written (default: the working directory). */
  readonly projectDir?: string;
}

/**
 * A shared-secret origin on this machine, for local development: no cloud at all. The
 * origin's accepted-secrets document goes to its own dotenv file (`.env.<origin>`, in the
 * project directory), which the origin loads, e.g. with `node --env-file=.env.orders`.
 */
export class LocalSharedSecretOrigin extends pulumi.ComponentResource {
  /** Where the origin's dotenv file is on this machine. */
  readonly dotenvPath: string;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: LocalSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:local:SharedSecretOrigin", name, {}, opts);
    const projectDir = path.resolve(args.projectDir ?? process.cwd());
    const check = checkOrigin({
      component: name,
      config: sharedSecretConfig(name, "local", args),
      projectDir,
      placeholders: { url: () => "http://127.0.0.1:1" },
      is: isSharedSecretOn("local"),
    });
    const origin = check.known;
    const store = origin.store;

    const secret = createSharedSecret(name, origin.sharedSecret, this);
    this.dotenvPath = path.join(projectDir, store.dotenv);
    const file = new DotenvFile(`${name}-store`, { path: store.dotenv, projectDir, entries: { [store.variable]: secret.document } }, { parent: this });

    this.generation = secret.generation;
    this.findings = check.findings;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, file, origin.url ? check.value(["url"], (m) => m.url!) : undefined);
    this.summary = { dotenv: store.dotenv, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
