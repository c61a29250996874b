/**
 * URNs of where resources sat in gatelock 0.1, as plain strings, for their aliases.
 *
 * Pulumi resolves an alias given as a spec (`{ parent }`, `{ name }`) through a chain of
 * Outputs per resource, each with its promises; at 1,000 origins that was about a tenth of the
 * audit's CPU. A URN is a pure function of the stack, the project, the types of the resource's
 * ancestors and its name, all known when the component is constructed, so it can be computed
 * here instead. Where the chain is not known locally, callers fall back to the spec. (An
 * engine-side transform that renames a component or its ancestors is not seen here; the spec
 * would follow it.)
 */
import * as pulumi from "@pulumi/pulumi";

const STACK_TYPE = "pulumi:pulumi:Stack";

/** What Pulumi's `Resource` records about its place in the tree (internal fields; see `typeChain`). */
interface TreeNode {
  readonly __pulumiType?: string;
  readonly __parentResource?: TreeNode;
}

/**
 * The URN of a resource named `name` whose types below `parent` are `types` (the resource's own
 * last), as the engine computes it: `urn:pulumi:<stack>::<project>::<types of parent's
 * ancestors, parent's, then these, $-joined; the stack's own left out>::<name>`. Undefined when
 * `parent`'s place in the tree is not known here.
 */
export function urnBelow(parent: pulumi.Resource, types: readonly string[], name: string): string | undefined {
  const chain = typeChain(parent);
  return chain === undefined ? undefined : `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${[chain, ...types].join("$")}::${name}`;
}

/**
 * The `$`-joined types from below the stack down to `resource`, from the fields Pulumi's
 * `Resource` constructor sets (`__pulumiType`, and `__parentResource`: the parent, or the
 * stack when none was given). Undefined unless the walk ends at the stack resource: an SDK
 * that no longer sets these fields, or a tree without a stack, gets the spec instead.
 */
function typeChain(resource: pulumi.Resource): string | undefined {
  const stack = pulumi.runtime.getStackResource() as TreeNode | undefined;
  if (stack === undefined) return undefined;
  const types: string[] = [];
  for (let r: TreeNode | undefined = resource as TreeNode; r !== stack; r = r.__parentResource) {
    if (r === undefined || typeof r.__pulumiType !== "string" || r.__pulumiType === STACK_TYPE) return undefined;
    types.push(r.__pulumiType);
  }
  return types.length === 0 ? undefined : types.reverse().join("$");
}

/**
 * The type token a generated provider SDK's resource class registers with (its static
 * `__pulumiType`, what its constructor passes to Pulumi), or undefined when it has none.
 */
export function sdkType(resourceClass: unknown): string | undefined {
  const type = (resourceClass as { readonly __pulumiType?: unknown } | undefined)?.__pulumiType;
  return typeof type === "string" ? type : undefined;
}
