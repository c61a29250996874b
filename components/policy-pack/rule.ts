/**
 * The shape every gatelock rule shares, so each rule module holds only its check.
 *
 * A check is a pure function of the resource's inputs (as `@pulumi/policy` hands them over:
 * plain JSON, secrets already unwrapped) that returns one message per problem. The wrapper
 * adds what every rule needs the same way: matching on the type token string (never
 * `isType(Class)`, which would make the pack load a provider SDK the host may not have), the
 * escape hatches (`allowedUrns`, `allowedNames`), and reporting.
 *
 * Reading a value that is unknown during `pulumi preview` throws inside `@pulumi/policy`, which
 * turns the rule into an advisory "can't run … during preview" for that resource. Checks read
 * only the properties they need, so an unknown elsewhere in the resource never stops them.
 */
import type { EnforcementLevel, PolicyConfigSchema, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy } from "@pulumi/policy";

/** The escape hatches every rule takes in its policy config. */
export interface RuleExceptions {
  /** Resources this rule skips, by exact URN. */
  readonly allowedUrns?: readonly string[];
  /** Resources this rule skips, by exact logical name (the name given in the program). */
  readonly allowedNames?: readonly string[];
}

const stringList = (description: string) => ({ type: "array" as const, items: { type: "string" as const }, description });

/** JSON Schema of the escape hatches, merged into every rule's `configSchema`. */
export const EXCEPTION_PROPERTIES: PolicyConfigSchema["properties"] = {
  allowedUrns: stringList("Exact URNs of resources this rule skips. Each is an accepted risk: say why next to it in the policy config."),
  allowedNames: stringList("Exact logical names of resources this rule skips (every stack and parent). Prefer allowedUrns."),
};

export function configSchema(extra: PolicyConfigSchema["properties"] = {}): PolicyConfigSchema {
  return { properties: { ...EXCEPTION_PROPERTIES, ...extra } };
}

export function isExempt(config: RuleExceptions, urn: string, name: string): boolean {
  return (config.allowedUrns ?? []).includes(urn) || (config.allowedNames ?? []).includes(name);
}

/** What a rule documents besides its `Policy` fields (read by docs and tests). */
export interface RuleFacts {
  /** The type tokens the rule inspects. */
  readonly types: readonly string[];
  /** Which of its checks can only run on `pulumi up`, because they read values unknown in preview. */
  readonly previewLimits: string;
}

export type ResourceRule = ResourceValidationPolicy & RuleFacts;

export interface ResourceRuleSpec<C extends RuleExceptions = RuleExceptions> extends RuleFacts {
  readonly name: string;
  readonly description: string;
  readonly enforcementLevel: Extract<EnforcementLevel, "mandatory" | "advisory">;
  readonly severity?: "low" | "medium" | "high" | "critical";
  /** Rule-specific config besides the escape hatches. */
  readonly extraConfig?: PolicyConfigSchema["properties"];
  /** One message per problem; none when the resource is fine. */
  readonly check: (props: Record<string, unknown>, type: string, config: C) => readonly string[];
}

export function resourceRule<C extends RuleExceptions>(spec: ResourceRuleSpec<C>): ResourceRule {
  const types = new Set(spec.types);
  const validate = (args: ResourceValidationArgs, report: ReportViolation): void => {
    if (!types.has(args.type)) return args.notApplicable(`applies to ${spec.types.join(", ")}`);
    const config = args.getConfig<C>();
    if (isExempt(config, args.urn, args.name)) return args.notApplicable("exempted by this policy's allowedUrns/allowedNames");
    for (const message of spec.check(args.props as Record<string, unknown>, args.type, config)) report(message);
  };
  // With one type, tell the server which: it then skips every other resource without a call.
  if (spec.types.length === 1) (validate as { __pulumiType?: string }).__pulumiType = spec.types[0];
  return {
    name: spec.name,
    description: spec.description,
    enforcementLevel: spec.enforcementLevel,
    ...(spec.severity ? { severity: spec.severity } : {}),
    configSchema: configSchema(spec.extraConfig),
    validateResource: validate,
    types: spec.types,
    previewLimits: spec.previewLimits,
  };
}
