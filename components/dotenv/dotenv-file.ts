/**
 * STUB — interface fixed; the implementation (atomic 0600 write, merge preserving other
 * lines and comments, removal of keys gatelock no longer manages) is being written.
 */
import * as pulumi from "@pulumi/pulumi";
import type * as dynamic from "@pulumi/pulumi/dynamic";

export const DOTENV_FILE_TYPE = "DotenvFile";

export interface DotenvFileInputs {
  /** Absolute path of the dotenv file. */
  readonly path: string;
  /** Keys gatelock manages in the file, with their values. */
  readonly entries: Record<string, string>;
}

export const dotenvFileProvider: dynamic.ResourceProvider<DotenvFileInputs, DotenvFileInputs> = {
  async create(inputs) {
    return { id: inputs.path, outs: inputs };
  },
};

export class DotenvFile extends pulumi.dynamic.Resource {
  declare readonly path: pulumi.Output<string>;
  declare readonly entries: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: { path: pulumi.Input<string>; entries: pulumi.Input<Record<string, pulumi.Input<string>>> }, opts?: pulumi.CustomResourceOptions) {
    super(dotenvFileProvider, name, { path: args.path, entries: pulumi.secret(args.entries) }, { ...opts, additionalSecretOutputs: ["entries"] }, "gatelock", DOTENV_FILE_TYPE);
  }
}
