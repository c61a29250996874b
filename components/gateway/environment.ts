import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { DotenvFile } from "../dotenv/dotenv-file";
import type { GatewayModel } from "../model/model";
import { ZuploRedeploy } from "../zuplo/redeploy";
import { ZuploVariable } from "../zuplo/variable";
import type { PairedVariable } from "./variables";

/** One variable for the gateway's environment. `value` should be a Pulumi secret when `isSecret`. */
export type GatewayVariable = PairedVariable;

/** What the stack outputs say about a variable: never its value. */
export interface VariableSummary {
  readonly name: string;
  readonly isSecret: boolean;
  readonly origin: string;
  readonly description: string;
  /** Where it was written: `zuplo-developer-api`, `dotenv:<path>`. */
  readonly sinks: readonly string[];
}

export interface GatewayEnvironmentArgs {
  readonly gateway: GatewayModel;
  readonly variables: readonly GatewayVariable[];
  /** Base directory for a relative dotenv path (default: the working directory, i.e. the Pulumi project). */
  readonly projectDir?: string;
}

/**
 * The redeploy fingerprint: SHA-256 over every variable's name, secrecy and value, independent
 * of their order. Any change to one of them changes it.
 */
export function redeployTrigger(entries: readonly { name: string; isSecret: boolean; value: string }[]): string {
  const canonical = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => [e.name, e.isSecret, e.value]);
  return createHash("sha256").update(JSON.stringify(["gatelock-redeploy-v1", canonical])).digest("hex");
}

/**
 * Where gateway variables land: the Zuplo Developer API (one resource per variable), a
 * dotenv file for `zuplo dev`, or both. With `environment.redeploy`, a `ZuploRedeploy` after
 * the variables redeploys the branch whenever one of them changes.
 */
export class GatewayEnvironment extends pulumi.ComponentResource {
  /** Variables written, with their sinks; no values. */
  readonly variables: readonly VariableSummary[];
  /** Every value by name, as one Pulumi secret, for programs that need to hand them on. */
  readonly values: pulumi.Output<Record<string, string>>;
  /** The redeploy resource, when `environment.redeploy` is on (with the Developer API). */
  readonly redeploy?: ZuploRedeploy;

  constructor(name: string, args: GatewayEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:gateway:GatewayEnvironment", name, {}, opts);
    const { gateway } = args;
    const sinks: string[] = [];

    const api = gateway.environment.developerApi;
    const written: ZuploVariable[] = [];
    if (api) {
      sinks.push("zuplo-developer-api");
      for (const v of args.variables) {
        const variable = new ZuploVariable(
          `${name}-${v.name.toLowerCase()}`,
          {
            apiUrl: api.apiUrl,
            account: gateway.account,
            project: gateway.project,
            branch: gateway.branch,
            name: v.name,
            isSecret: v.isSecret,
            value: v.isSecret ? pulumi.secret(v.value) : v.value,
          },
          { parent: this, dependsOn: [...(v.dependsOn ?? [])] },
        );
        written.push(variable);
      }
    }

    // Zuplo applies variable values only on a new deployment: redeploy after every variable is
    // written, and only when one of them changed (the trigger is a fingerprint of them all).
    if (api?.redeploy && written.length > 0) {
      const trigger = pulumi
        .all(args.variables.map((v) => pulumi.all([v.name, v.isSecret, v.value])))
        .apply((all) => redeployTrigger(all.map(([n, s, value]) => ({ name: n, isSecret: s, value }))));
      this.redeploy = new ZuploRedeploy(
        `${name}-redeploy`,
        { apiUrl: api.apiUrl, account: gateway.account, project: gateway.project, branch: gateway.branch, trigger: pulumi.secret(trigger) },
        { parent: this, dependsOn: written },
      );
    }

    const entries: Record<string, pulumi.Input<string>> = {};
    for (const v of args.variables) entries[v.name] = v.value;
    const values = pulumi.secret(pulumi.output(entries) as pulumi.Output<Record<string, string>>);

    const dotenv = gateway.environment.dotenv;
    if (dotenv) {
      const file = path.resolve(args.projectDir ?? process.cwd(), dotenv.path);
      sinks.push(`dotenv:${dotenv.path}`);
      new DotenvFile(
        `${name}-dotenv`,
        { path: file, entries: values },
        { parent: this, dependsOn: args.variables.flatMap((v) => [...(v.dependsOn ?? [])]) },
      );
    }

    this.values = values;
    this.variables = args.variables.map((v) => ({
      name: v.name,
      isSecret: v.isSecret,
      origin: v.origin,
      description: v.description,
      sinks,
    }));
    this.registerOutputs({ variables: this.variables });
  }
}
