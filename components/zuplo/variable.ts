import * as pulumi from "@pulumi/pulumi";
import { ZUPLO_VARIABLE_TYPE, type ZuploVariableInputs, zuploVariableProvider } from "./variable-provider";

export type ZuploVariableArgs = { [K in keyof ZuploVariableInputs]: pulumi.Input<ZuploVariableInputs[K]> };

/**
 * One variable in a Zuplo branch's environment, written with the Developer API.
 *
 * The value is stored as a Pulumi secret unless the variable is declared `isSecret: false`.
 * The API key is not an argument: set
 * `ZUPLO_API_KEY` or `pulumi config set --secret gatelock:zuploApiKey <key>`.
 * Token: `pulumi-nodejs:dynamic/gatelock:ZuploVariable`.
 */
export class ZuploVariable extends pulumi.dynamic.Resource {
  /** Developer API base URL. */
  declare readonly apiUrl: pulumi.Output<string>;
  declare readonly account: pulumi.Output<string>;
  declare readonly project: pulumi.Output<string>;
  declare readonly branch: pulumi.Output<string>;
  /** Variable name. */
  declare readonly name: pulumi.Output<string>;
  declare readonly isSecret: pulumi.Output<boolean>;
  /** The value (a Pulumi secret unless the variable was declared with `isSecret: false`). */
  declare readonly value: pulumi.Output<string>;
  /** When Zuplo created the variable, if it said. */
  declare readonly createdOn: pulumi.Output<string | undefined>;
  /** When Zuplo last updated the variable, if it said. */
  declare readonly updatedOn: pulumi.Output<string | undefined>;

  constructor(name: string, args: ZuploVariableArgs, opts?: pulumi.CustomResourceOptions) {
    // Only a variable declared non-secret up front keeps a plain value (e.g. an origin URL,
    // which reviewers should see in the audit); anything else is treated as secret.
    const plain = args.isSecret === false;
    super(
      zuploVariableProvider,
      name,
      { ...args, value: plain ? args.value : pulumi.secret(args.value), createdOn: undefined, updatedOn: undefined },
      { ...opts, additionalSecretOutputs: [...(opts?.additionalSecretOutputs ?? []), ...(plain ? [] : ["value"])] },
      "gatelock",
      ZUPLO_VARIABLE_TYPE,
    );
  }
}
