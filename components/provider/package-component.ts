/**
 * How a TypeScript component becomes a component of the Pulumi package (`gatelock:index:<ClassName>`),
 * which Python, Go, C#, Java and YAML programs use through `pulumi package add`.
 *
 * Pulumi's component provider constructs a component for the type token it was asked for,
 * `gatelock:index:<ClassName>`, and only that module is allowed. The TypeScript classes register
 * `gatelock:<area>:<Name>` (`gatelock:aws:SharedSecretOrigin`), which existing stacks' URNs
 * contain, so they keep it. The engine would accept a component registered under another type
 * than the one constructed (it takes the URN the provider returns), but the program's
 * `transforms` for that component are kept under the requested type and would never reach it
 * or its children, and a reference to it would name a type its SDK does not know.
 *
 * So each package component is a subclass of the TypeScript one that declares
 * `static packageType`; the TypeScript component's `super()` reads it from `new.target` and
 * registers that type instead of its own. Nothing changes for the TypeScript classes.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A component's constructor as Pulumi's schema analyzer must see it: one that builds a `ComponentResource`. */
export type ComponentConstructor<A> = new (name: string, args: A, opts?: pulumi.ComponentResourceOptions) => pulumi.ComponentResource;

/**
 * `component`, as the base of a package class. The analyzer takes a class for a component only
 * if its `extends` is `ComponentResource` itself, so the base is typed as one; the package class
 * declares the outputs it publishes (`publish`) and reads the component it built with `builtAs`.
 */
export function packageBase<A>(component: ComponentConstructor<A>): ComponentConstructor<A> {
  return component;
}

/** `self`, checked to be the TypeScript component it was built as. */
export function builtAs<T extends pulumi.ComponentResource>(self: pulumi.ComponentResource, component: abstract new (...args: never[]) => T): T {
  if (!(self instanceof component)) throw new TypeError(`gatelock: expected a ${component.name}`);
  return self;
}

/** What a package class publishes: every member it declares beside `ComponentResource`'s own. */
export type PackageOutputs<C> = Omit<C, keyof pulumi.ComponentResource>;

/**
 * Sets the outputs a package class declares (its schema outputs). Most are the built
 * component's own values; lists are given in the shapes the schema can express.
 */
export function publish<C extends pulumi.ComponentResource>(self: C, outputs: PackageOutputs<C>): void {
  Object.assign(self, outputs);
}

/** What the provider reads from a package class besides its constructor. */
export interface PackageComponentStatics {
  /** The type token it registers: `gatelock:index:<ClassName>`. */
  readonly packageType: string;
  /**
   * Settles inputs the component needs known when it is built but another language's program
   * passes as an Output (e.g. `ZuploEnvironment`'s `variables`, another component's output).
   */
  readonly settleInputs?: (inputs: Record<string, unknown>) => Promise<Record<string, unknown>>;
}
