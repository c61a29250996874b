/**
 * `gatelock-no-secret-in-stack-output`: a secret value exported as a stack output ends up in
 * `pulumi stack output`, CI logs and anyone's terminal unless it is a Pulumi secret.
 *
 * What a policy can see, honestly: `@pulumi/policy` hands every value over in plain text and
 * has no `isSecret`, so this rule cannot tell `export const pw = password.result` from
 * `export const pw = pulumi.secret(password.result)`. It flags two things it can see:
 *
 * - a stack output (at any depth) whose value equals a value a resource produces as a secret
 *   (a generated password, a private key, a service account key, a tunnel token…), found by
 *   comparing the stack's outputs with those resources' outputs;
 * - a top-level output whose name says it is a secret (`…password`, `…token`, `…privateKey`…)
 *   and whose value is a non-empty string.
 *
 * It is therefore advisory, and an output you have checked is exported as a secret (or is not
 * one) goes in `allowedOutputs`. It never prints the value, only the output's path.
 */
import type { PolicyResource, ReportViolation, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { UnknownValueError } from "@pulumi/policy";
import { isRecord } from "./json-document";
import { configSchema, type RuleFacts } from "./rule";

export const STACK_TYPE = "pulumi:pulumi:Stack";

/** Output properties that hold a secret, by resource type (the providers mark them secret). */
export const SECRET_OUTPUTS: Readonly<Record<string, readonly string[]>> = {
  "random:index/randomPassword:RandomPassword": ["result", "bcryptHash"],
  "tls:index/privateKey:PrivateKey": ["privateKeyPem", "privateKeyOpenssh", "privateKeyPemPkcs8"],
  "gcp:serviceaccount/key:Key": ["privateKey"],
  "aws:iam/accessKey:AccessKey": ["secret", "sesSmtpPasswordV4"],
  "azuread:index/applicationPassword:ApplicationPassword": ["value"],
  "aws:secretsmanager/secretVersion:SecretVersion": ["secretString"],
  "gcp:secretmanager/secretVersion:SecretVersion": ["secretData"],
  "pulumi-nodejs:dynamic/gatelock:ZuploTunnel": ["token"],
};

/** Names that say "secret" (camelCase, snake_case or kebab-case). */
const SECRET_NAME = /(password|passwd|secret|token|private[-_]?key|api[-_]?key|credential)s?$/i;
/** Shorter values are too likely to collide with ordinary strings ("true", a region). */
const MIN_SECRET_LENGTH = 8;

export interface StackOutputConfig {
  readonly allowedOutputs?: readonly string[];
}

/** Reads a property, treating a value unknown in preview as absent (see the rule's preview note). */
function known<T>(read: () => T): T | undefined {
  try {
    return read();
  } catch (e) {
    if (e instanceof UnknownValueError) return undefined;
    throw e;
  }
}

/** Every string anywhere in a value, with its path (`outputs.db.password`, `keys[0]`). */
function stringsWithPaths(value: unknown, path: string, out: { path: string; value: string }[] = []): { path: string; value: string }[] {
  const v = known(() => value);
  if (typeof v === "string") out.push({ path, value: v });
  else if (Array.isArray(v)) for (let i = 0; i < v.length; i++) stringsWithPaths(known(() => v[i]), `${path}[${i}]`, out);
  else if (isRecord(v)) for (const k of Object.keys(v)) stringsWithPaths(known(() => v[k]), path ? `${path}.${k}` : k, out);
  return out;
}

/** Pure: the problems of a stack's outputs, given the secret values its resources produced. */
export function secretOutputProblems(outputs: Record<string, unknown>, secretValues: ReadonlyMap<string, string>, allowed: readonly string[] = []): string[] {
  const problems: string[] = [];
  const skip = (path: string) => allowed.some((a) => path === a || path.startsWith(`${a}.`) || path.startsWith(`${a}[`));
  for (const { path, value } of stringsWithPaths(outputs, "")) {
    if (skip(path)) continue;
    const source = value.length >= MIN_SECRET_LENGTH ? secretValues.get(value) : undefined;
    if (source) problems.push(`stack output \`${path}\` holds the value of ${source}.`);
    else if (!path.includes(".") && !path.includes("[") && SECRET_NAME.test(path) && value.length > 0) problems.push(`stack output \`${path}\` is named like a secret.`);
  }
  return problems;
}

/** The secret values the stack's resources produced, each with where it came from. */
export function secretValuesOf(resources: readonly Pick<PolicyResource, "type" | "name" | "props">[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const r of resources) {
    for (const field of SECRET_OUTPUTS[r.type] ?? []) {
      const v = known(() => r.props[field]);
      if (typeof v === "string" && v.length >= MIN_SECRET_LENGTH) values.set(v, `\`${field}\` of ${r.type.slice(r.type.lastIndexOf(":") + 1)} \`${r.name}\``);
    }
  }
  return values;
}

export const secretStackOutputRule: StackValidationPolicy & RuleFacts = {
  name: "gatelock-no-secret-in-stack-output",
  description:
    "A secret value must not be exported as a plain stack output. " +
    "Fix: wrap it with `pulumi.secret(...)` (or export only its name or version), then list the output in this policy's `allowedOutputs`: a policy cannot see whether an output is a secret, so it flags every output that holds a secret value or is named like one.",
  enforcementLevel: "advisory",
  severity: "high",
  configSchema: configSchema({
    allowedOutputs: { type: "array", items: { type: "string" }, description: "Stack output names (or dotted paths) you have checked are exported with pulumi.secret, or are not secrets." },
  }),
  types: [STACK_TYPE],
  previewLimits:
    "Runs at the end of `pulumi preview` and `pulumi up` on resource outputs. In preview, the outputs of resources to be created (a new password's `result`) and stack outputs built from them are unknown and skipped, so the value comparison is complete only on `pulumi up`; the name check runs in preview for outputs whose value is known.",
  validateStack: (args: StackValidationArgs, report: ReportViolation) => {
    const stack = args.resources.find((r) => r.type === STACK_TYPE);
    if (!stack) return args.notApplicable("no stack resource");
    const config = args.getConfig<StackOutputConfig & { allowedUrns?: string[]; allowedNames?: string[] }>();
    const secrets = secretValuesOf(args.resources.filter((r) => !(config.allowedUrns ?? []).includes(r.urn) && !(config.allowedNames ?? []).includes(r.name)));
    for (const message of secretOutputProblems(stack.props, secrets, config.allowedOutputs ?? [])) report(message, stack.urn);
  },
};
