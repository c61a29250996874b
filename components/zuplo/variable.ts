/**
 * STUB — interface fixed; the implementation (Developer API client with retries, dynamic
 * provider CRUD) is being written. Keep the exported names and shapes.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";

export const ZUPLO_VARIABLE_TYPE = "ZuploVariable";

export interface ZuploVariableInputs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  readonly branch: string;
  /** Variable name (SCREAMING_SNAKE_CASE). */
  readonly name: string;
  readonly isSecret: boolean;
  readonly value: string;
}

export const zuploVariableProvider: dynamic.ResourceProvider<ZuploVariableInputs, ZuploVariableInputs> = {
  async create(inputs) {
    return { id: `${inputs.account}/${inputs.project}/${inputs.branch}/${inputs.name}`, outs: inputs };
  },
};

export type ZuploVariableArgs = { [K in keyof ZuploVariableInputs]: pulumi.Input<ZuploVariableInputs[K]> };

/** One variable in a Zuplo branch's environment, written with the Developer API. */
export class ZuploVariable extends pulumi.dynamic.Resource {
  declare readonly name: pulumi.Output<string>;
  declare readonly isSecret: pulumi.Output<boolean>;
  declare readonly value: pulumi.Output<string>;

  constructor(name: string, args: ZuploVariableArgs, opts?: pulumi.CustomResourceOptions) {
    super(zuploVariableProvider, name, { ...args, value: pulumi.secret(args.value) }, { ...opts, additionalSecretOutputs: ["value"] }, "gatelock", ZUPLO_VARIABLE_TYPE);
  }
}
