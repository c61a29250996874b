/**
 * `DotenvFile`: gatelock's keys in a dotenv file (`zuplo dev`'s `.env`, a local origin's
 * `.env.<origin>`), merged into whatever else the file holds and written atomically, 0600.
 *
 * The provider and the text functions it uses live in `./dotenv.ts`, all in that one file:
 * Pulumi serialises the provider's code, and it may only reach Node builtins and functions
 * of its own file (see the comment at the top of `dotenv.ts`). This file only wraps it in a
 * resource.
 */
import * as pulumi from "@pulumi/pulumi";
import { dotenvFileProvider, type DotenvFileInputs, type DotenvFileOutputs, type DotenvFileProvider } from "./dotenv";

export { dotenvFileProvider };
export type { DotenvFileInputs, DotenvFileOutputs, DotenvFileProvider };

export const DOTENV_FILE_TYPE = "DotenvFile";

export class DotenvFile extends pulumi.dynamic.Resource {
  /** The file, relative to the project. */
  declare readonly path: pulumi.Output<string>;
  /** The managed keys and values (a Pulumi secret). */
  declare readonly entries: pulumi.Output<Record<string, string>>;
  /** Whether gatelock created the file; if so, destroying the stack deletes it once empty. */
  declare readonly created: pulumi.Output<boolean>;

  /**
   * `path` is relative to `projectDir` (the Pulumi project): that is what the state and the ID
   * keep, so another checkout of the project manages the same file. An absolute `path` without
   * `projectDir` is still accepted.
   */
  constructor(name: string, args: { path: pulumi.Input<string>; projectDir?: pulumi.Input<string>; entries: pulumi.Input<Record<string, pulumi.Input<string>>> }, opts?: pulumi.CustomResourceOptions) {
    super(
      dotenvFileProvider,
      name,
      { path: args.path, ...(args.projectDir !== undefined ? { projectDir: args.projectDir } : {}), entries: pulumi.secret(args.entries), created: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), "entries"] },
      "gatelock",
      DOTENV_FILE_TYPE,
    );
  }
}
