/**
 * A Pulumi YAML program that uses gatelock's component package, checked against the schema the
 * package serves, as `pulumi up` would check it (and a little more): without the Pulumi CLI.
 */
import { type ComponentPackage, describeType, type SchemaProperty } from "./component-package";

export interface YamlProgram {
  resources: Record<string, { type: string; properties?: Record<string, unknown>; options?: { dependsOn?: string[] } }>;
  outputs?: Record<string, unknown>;
}

export interface YamlProgramRules {
  /** A secret output (`${tunnel.token}`) may flow only into an input the schema marks secret. */
  secretsOnlyIntoSecretInputs?: boolean;
}

/**
 * What is wrong with `program`: a type that is no package resource, a property that is not one
 * of its inputs, a required input missing, an enum value not in the enum, a `${resource.output}`
 * naming no output or one of another type, a `dependsOn` naming no resource of the program (and
 * what `rules` add). One line each, in program order.
 */
export function yamlProgramProblems(gatelock: ComponentPackage, program: YamlProgram, rules: YamlProgramRules = {}): string[] {
  /** The output property `${resource.output(.field)*}` names, or why it names none. */
  function referenced(expression: string): SchemaProperty | string {
    const [name, output, ...fields] = /^\$\{([\w.]+)\}$/.exec(expression)![1]!.split(".");
    const r = program.resources[name!];
    if (!r) return `${name} is no resource of the program`;
    let p = gatelock.schema.resources[r.type]?.properties[output!];
    if (!p) return `${r.type} has no output ${output}`;
    for (const f of fields) {
      const next: SchemaProperty | undefined = p.$ref?.startsWith("#/types/") ? gatelock.typeOf(p.$ref).properties?.[f] : undefined;
      if (!next) return `${expression}: no field ${f}`;
      p = next;
    }
    return p;
  }

  /** Problems of `value` against a schema property: nested blocks against their types' fields. */
  function check(value: unknown, p: SchemaProperty, at: string): string[] {
    if (typeof value === "string" && value.startsWith("${")) {
      const ref = referenced(value);
      if (typeof ref === "string") return [`${at}: ${ref}`];
      if (rules.secretsOnlyIntoSecretInputs && ref.secret && !p.secret) return [`${at}: ${value} is a secret, and ${at} is not a secret input`];
      return describeType(ref) === describeType(p) ? [] : [`${at}: ${value} is ${describeType(ref)}, not ${describeType(p)}`];
    }
    const enumValues = p.$ref?.startsWith("#/types/") ? gatelock.typeOf(p.$ref).enum?.map((m) => m.value) : undefined;
    if (enumValues) return enumValues.includes(value as string) ? [] : [`${at}: ${String(value)} is not one of ${enumValues.join(", ")}`];
    if (p.$ref?.startsWith("#/types/") && value && typeof value === "object" && !Array.isArray(value)) {
      const t = gatelock.typeOf(p.$ref);
      return checkFields(value as Record<string, unknown>, { properties: t.properties ?? {}, required: t.required ?? [] }, at);
    }
    if (p.type === "array") return Array.isArray(value) ? value.flatMap((v, i) => check(v, p.items!, `${at}[${i}]`)) : [`${at}: not a list`];
    return [];
  }

  function checkFields(props: Record<string, unknown>, t: { properties: Record<string, SchemaProperty>; required: string[] }, at: string): string[] {
    const unknownKeys = Object.keys(props).filter((k) => !(k in t.properties)).map((k) => `${at}.${k}: not in the schema`);
    const missing = t.required.filter((k) => !(k in props)).map((k) => `${at}.${k}: required`);
    return [...unknownKeys, ...missing, ...Object.entries(props).flatMap(([k, v]) => (t.properties[k] ? check(v, t.properties[k]!, `${at}.${k}`) : []))];
  }

  const resources = Object.entries(program.resources).flatMap(([name, r]) => {
    const res = gatelock.schema.resources[r.type];
    if (!res) return [`${name}: ${r.type} is not a resource of the package`];
    const dependsOn = (r.options?.dependsOn ?? []).filter((d) => !program.resources[/^\$\{(\w+)\}$/.exec(d)?.[1] ?? ""]).map((d) => `${name}.options.dependsOn: ${d} is no resource of the program`);
    return [...checkFields(r.properties ?? {}, { properties: res.inputProperties, required: res.requiredInputs }, name), ...dependsOn];
  });
  const outputs = Object.entries(program.outputs ?? {}).flatMap(([k, v]) => {
    const ref = referenced(v as string);
    return typeof ref === "string" ? [`outputs.${k}: ${ref}`] : [];
  });
  return [...resources, ...outputs];
}
