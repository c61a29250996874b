/**
 * The shape of a gateway variable and how a component pairs it with its value: the leaf the
 * per-method variable lists build on (it imports nothing of gatelock's own).
 */
import type { Input, Resource } from "@pulumi/pulumi";

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

/** `{ url }` when the origin has a base URL, for the route's `urlForwardHandler` (`${env.ORDERS_ORIGIN_URL}`). */
export function urlVariableSpec(origin: { readonly name: string; readonly url?: string }): { url?: VariableSpec } {
  if (!origin.url) return {};
  return { url: { name: originUrlVariable(origin.name), isSecret: false, origin: origin.name, description: `base URL of ${origin.name}` } };
}

export function originUrlVariable(originName: string): string {
  return `${originName.toUpperCase().replace(/-/g, "_")}_ORIGIN_URL`;
}
