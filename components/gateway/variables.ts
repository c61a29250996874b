/**
 * Which variables each origin needs in the gateway's environment (pure: names and flags,
 * no values), keyed by what each one carries. A component pairs every key with its value
 * (`pairVariables`), so a variable without a value is a compile error, never a silent default.
 */
import type { Input, Resource } from "@pulumi/pulumi";
import type { OriginModel, SharedSecretOrigin } from "../model/model";
import { federatedVariables } from "./federated";

export interface VariableSpec {
  readonly name: string;
  readonly isSecret: boolean;
  readonly origin: string;
  readonly description: string;
}

/** An origin's variables by key, and its base URL's when it has one. */
export type KeyedVariables<K extends string> = { readonly [k in K]: VariableSpec } & { readonly url?: VariableSpec };

/** One variable with its value, as the gateway environment takes it. */
export interface PairedVariable extends VariableSpec {
  readonly value: Input<string>;
  /** Resources that must exist before the gateway may use this value. */
  readonly dependsOn?: readonly Resource[];
}

/**
 * Every spec with its value. `values` must name every key of `specs` (a compile error
 * otherwise); the URL's value is the origin's `url` when the origin has one.
 */
export function pairVariables<K extends string>(
  specs: KeyedVariables<K>,
  values: { readonly [k in K]: Input<string> } & { readonly url?: Input<string> },
  ready: { readonly [k in K]?: readonly Resource[] } = {},
): PairedVariable[] {
  const out: PairedVariable[] = [];
  for (const key of Object.keys(specs) as (K | "url")[]) {
    const spec = (specs as Record<string, VariableSpec | undefined>)[key];
    const value = (values as Record<string, Input<string> | undefined>)[key];
    if (!spec) continue;
    if (value === undefined) throw new TypeError(`gatelock: no value for gateway variable ${spec.name}`);
    out.push({ ...spec, value, dependsOn: (ready as Record<string, readonly Resource[] | undefined>)[key] ?? [] });
  }
  return out;
}

export function sharedSecretVariableSpecs(origin: SharedSecretOrigin): KeyedVariables<"secret"> {
  return {
    secret: {
      name: origin.sharedSecret.variable,
      isSecret: true,
      origin: origin.name,
      description: `shared secret sent to ${origin.name} in the ${origin.sharedSecret.header} header`,
    },
    ...urlVariableSpec(origin),
  };
}

/** Every variable an origin needs, in order: the method's, then the URL's. */
export function variableSpecs(origin: OriginModel): VariableSpec[] {
  const keyed = origin.method === "shared-secret" ? sharedSecretVariableSpecs(origin) : federatedVariables(origin);
  return Object.values(keyed).filter((s): s is VariableSpec => s !== undefined);
}

/** `{ url }` when the origin has a base URL, for the route's `urlForwardHandler` (`${env.ORDERS_ORIGIN_URL}`). */
export function urlVariableSpec(origin: { readonly name: string; readonly url?: string }): { url?: VariableSpec } {
  if (!origin.url) return {};
  return { url: { name: originUrlVariable(origin.name), isSecret: false, origin: origin.name, description: `base URL of ${origin.name}` } };
}

export function originUrlVariable(originName: string): string {
  return `${originName.toUpperCase().replace(/-/g, "_")}_ORIGIN_URL`;
}
