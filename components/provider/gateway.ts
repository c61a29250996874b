/** The gateway environment as the package publishes it: `gatelock:index:ZuploEnvironment`. */
import * as pulumi from "@pulumi/pulumi";
import { isPending } from "../component/checked-origin";
import { settleOutput } from "../testing/pulumi-internals";
import { ZuploEnvironment as Environment, type ZuploEnvironmentArgs as EnvironmentArgs } from "../gateway/environment";
import { type GatewayVariable, packageSummaries, type VariableSummary } from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * `ZuploEnvironment`'s args, as another language passes them: the variables may be other
 * components' outputs, one list or one list per origin. (The TypeScript component's args are
 * restated, not `Omit`ted: the schema analyzer reads no `Omit<…>`.)
 */
export interface ZuploEnvironmentArgs {
  /** Zuplo account name. */
  readonly account: string;
  /** Zuplo project name. */
  readonly project: string;
  /** Zuplo branch (environment) whose variables are set. */
  readonly branch: string;
  /** The variables to write: the origin components' `gatewayVariables`, together (default none). */
  readonly variables?: pulumi.Input<GatewayVariable[]>;
  /**
   * More variables, one list per origin (each an origin's `gatewayVariables`), for languages
   * that cannot join lists, such as YAML. Written after `variables`.
   */
  readonly variableLists?: pulumi.Input<GatewayVariable[]>[];
  /** Write them with Zuplo's Developer API (default true; needs `ZUPLO_API_KEY` or `gatelock:zuploApiKey`). */
  readonly developerApi?: boolean;
  /** Developer API base URL (default `https://dev.zuplo.com`; loopback for tests). */
  readonly apiUrl?: string;
  /** Escape hatch: an https `apiUrl` on another host than Zuplo's. */
  readonly dangerouslyAllowCustomApiUrl?: boolean;
  /** Also write them to this dotenv file (relative to `projectDir`), for `zuplo dev`; git must ignore it. */
  readonly dotenv?: string;
  /** After the Developer API writes changed variables, redeploy the branch so they take effect at once. */
  readonly redeploy?: boolean;
  /** The Pulumi project's directory (default: the working directory). */
  readonly projectDir?: string;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restated: Record<Exclude<keyof EnvironmentArgs, keyof ZuploEnvironmentArgs>, never> = {};
void restated;

/**
 * Where gateway variables land: the Zuplo Developer API (one resource per variable), a dotenv
 * file for `zuplo dev`, or both. With `redeploy`, the branch is redeployed whenever one of them
 * changes. Its args are checked exactly as a stack file's `gatelock:gateway` is.
 *
 * It needs the variables' names when it is built: the provider settles variables passed as
 * Outputs first (`settleInputs`). In a preview, variables not known yet are not shown.
 */
export class ZuploEnvironment extends packageBase<EnvironmentArgs>(Environment) {
  static readonly packageType = "gatelock:index:ZuploEnvironment";
  /** Variables written, with their sinks; no values. */
  declare readonly variables: VariableSummary[];
  /** Every value by name, as one Pulumi secret. */
  declare readonly values: pulumi.Output<Record<string, string>>;

  constructor(name: string, args: ZuploEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, environmentArgs(name, args), opts);
    const built = builtAs(this, Environment);
    publish<ZuploEnvironment>(this, { variables: packageSummaries(built.variables), values: built.values });
  }

  /** The args with `variables` and `variableLists` settled into one known list (see `settleVariables`). */
  static async settleInputs(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { variableLists, ...rest } = inputs;
    const lists = [rest.variables ?? [], ...(Array.isArray(variableLists) ? variableLists : [])];
    return { ...rest, variables: (await Promise.all(lists.map(settleVariables))).flat() };
  }
}

/** The TypeScript component's args: every variable must be known by now. */
function environmentArgs(component: string, args: ZuploEnvironmentArgs): EnvironmentArgs {
  const { variables, variableLists, ...rest } = args;
  const lists = [variables ?? [], ...(variableLists ?? [])];
  const known = (v: unknown) => !isPending(v);
  if (!lists.every((l): l is GatewayVariable[] => Array.isArray(l) && l.every((v) => known(v) && KEYS.every((k) => known(v[k]))))) {
    throw new TypeError(`${component}: variables must be known when the component is created (the provider settles Outputs first)`);
  }
  return { ...rest, variables: lists.flat() };
}

/** What the environment needs known of each variable (its value may stay an Output). */
const KEYS = ["name", "isSecret", "origin", "description"] as const;

/**
 * A list of variables as a program passed it, settled so the environment can be built: another
 * language's program passes an origin's `gatewayVariables` as one Output (of the list, or of
 * each variable). Names and flags become known values; each value stays an Output of the
 * original, so it keeps its secrecy and its dependencies. A variable not known yet (in a
 * preview) is left out.
 */
async function settleVariables(list: unknown): Promise<GatewayVariable[]> {
  if (pulumi.Output.isInstance(list)) {
    const whole = list as pulumi.Output<GatewayVariable[]>;
    const settled = await settleOutput(whole);
    if (!settled.known || !Array.isArray(settled.value)) return [];
    return (await Promise.all(settled.value.map((_, i) => settleVariable(whole.apply((all) => all[i]!))))).flat();
  }
  if (!Array.isArray(list)) throw new TypeError(`gatelock: expected a list of gateway variables`);
  return (await Promise.all(list.map((v: unknown) => settleVariable(v as pulumi.Input<GatewayVariable>)))).flat();
}

async function settleVariable(v: pulumi.Input<GatewayVariable>): Promise<GatewayVariable[]> {
  if (pulumi.Output.isInstance(v)) {
    const settled = await settleOutput(v);
    if (!settled.known || !settled.value) return [];
    const fields = await settleFields(settled.value);
    return fields ? [{ ...fields, value: pulumi.output(v).apply((x) => x.value) }] : [];
  }
  const fields = await settleFields(v as GatewayVariable);
  return fields ? [{ ...fields, value: (v as GatewayVariable).value }] : [];
}

async function settleFields(v: GatewayVariable): Promise<Omit<GatewayVariable, "value"> | undefined> {
  const fields: Record<string, unknown> = {};
  for (const k of KEYS) {
    const field: unknown = v[k];
    if (!pulumi.Output.isInstance(field)) {
      fields[k] = field;
      continue;
    }
    const settled = await settleOutput(field);
    if (!settled.known) return undefined;
    fields[k] = settled.value;
  }
  return fields as unknown as Omit<GatewayVariable, "value">;
}

/**
 * An Output's value once it has resolved, or `known: false` when it is unknown (a preview).
 *
 * Relies on: the `isKnown` and `promise()` members of Pulumi's Output implementation (OutputImpl
 * in output.ts), which its type declarations leave out; present in @pulumi/pulumi 3.248.0 (and
 * exercised by test/component-package.test.ts against whatever is installed). The public API
 * cannot tell an unknown Output from one still resolving (`apply` never calls back on an
 * unknown value), and the provider must wait for this one before building the component.
 */
