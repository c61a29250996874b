/**
 * Turns zod's findings into gatelock config issues that name the exact stack-file key.
 *
 * Messages are built from zod's expectation text and from key names only: a value that
 * failed validation may be a secret pasted into the wrong key, so it is never echoed.
 */
import type { ZodError } from "zod";
import type { ConfigIssue } from "../errors";
import {
  AwsSecretStoreConfig,
  AzureSecretStoreConfig,
  GatewayEnvironmentConfig,
  GatewayIdentityConfig,
  GcpSecretStoreConfig,
  OriginConfig,
  SharedSecretConfig,
  ZuploGatewayConfig,
} from "./config";
import { FederatedTrustConfig } from "./federated/trust";
import { AwsApiGatewayTarget, AwsFederatedConfig, AwsLambdaUrlTarget } from "./federated/aws";
import { closest } from "./suggest";
import { AzureFederatedConfig } from "./federated/azure";
import { GcpCloudRunTargetConfig, GcpFederatedConfig } from "./federated/gcp";
import { CONFIG_NAMESPACE, configKey, type PathSegment } from "./issues";

export function zodIssues(error: ZodError, raw: unknown): ConfigIssue[] {
  const out: ConfigIssue[] = [];
  for (const issue of error.issues) {
    const path = issue.path as PathSegment[];
    if (issue.code === "unrecognized_keys") {
      const known = KNOWN_KEYS[sectionOf(path)] ?? [];
      for (const k of issue.keys) {
        const suggestion = closest(k, known);
        out.push({
          code: "ERR_CONFIG_INVALID",
          path: configKey([...path, k]),
          reason: "invalid",
          message: "unknown key.",
          fix: suggestion ? `did you mean \`${suggestion}\`?` : "remove it; see docs/config.md for the keys this section takes.",
        });
      }
      continue;
    }
    out.push(describe(issue as unknown as ZodIssueLike, path, raw));
  }
  return out;
}

/** The fields of zod's issues this file reads (zod 4's `$ZodIssue` union, loosely). */
interface ZodIssueLike {
  readonly code: string;
  readonly message: string;
  readonly expected?: string;
  readonly values?: readonly unknown[];
  readonly options?: readonly unknown[];
  readonly minimum?: number | bigint;
  readonly maximum?: number | bigint;
  readonly origin?: string;
}

/** What kind of value each zod type name asks for, and how to write one in YAML. */
const KINDS: Record<string, [what: string, how: string]> = {
  object: ["a mapping", "write it as indented `key: value` lines (or `{ key: value }`)"],
  array: ["a list", "write it as `- item` lines (or `[a, b]`)"],
  string: ["a string", "write it as text; quote it if YAML would read it as a number or boolean"],
  number: ["a number", "write a number, unquoted"],
  int: ["a whole number", "write a whole number, unquoted"],
  boolean: ["true or false", "write `true` or `false`, unquoted"],
};

/**
 * One zod finding in gatelock's words, with a fix. Never zod's own text (it can quote values)
 * and never the value itself: only key names, expectations and known spellings.
 */
function describe(issue: ZodIssueLike, path: PathSegment[], raw: unknown): ConfigIssue {
  const key = path.length === 0 ? `${CONFIG_NAMESPACE}:*` : configKey(path);
  const last = path.length > 0 ? String(path[path.length - 1]) : "config";
  const value = valueAt(raw, path);
  const missing = value === undefined;
  const issueOf = (message: string, fix: string): ConfigIssue => ({ code: "ERR_CONFIG_INVALID", path: key, reason: missing ? "missing" : "invalid", message: missing ? `required: ${message}` : message, fix });
  switch (issue.code) {
    case "invalid_union":
    case "invalid_value": {
      const allowed = (issue.options ?? issue.values ?? []).map(String);
      if (allowed.length === 0) break;
      const suggestion = typeof value === "string" ? closest(value, allowed) : undefined;
      const list = allowed.map((v) => `\`${v}\``).join(", ");
      return issueOf(`\`${last}\` must be one of ${list}.`, suggestion ? `did you mean \`${suggestion}\`?` : `set \`${last}\` to one of ${list}.`);
    }
    case "invalid_type": {
      const [what, how] = KINDS[issue.expected ?? ""] ?? [`a ${issue.expected ?? "value"}`, "see docs/config.md for this key"];
      return missing ? issueOf(`\`${last}\` is missing; it takes ${what}.`, `add \`${last}\` (${how}).`) : issueOf(`expected ${what}.`, `${how}.`);
    }
    case "too_small":
      return issueOf(expectation(ourWords(issue.message, `at least ${String(issue.minimum)}`)), `use ${issue.origin === "array" ? `at least ${String(issue.minimum)} item(s)` : `a value of ${String(issue.minimum)} or more`}.`);
    case "too_big":
      return issueOf(expectation(ourWords(issue.message, `at most ${String(issue.maximum)}`)), `use ${issue.origin === "array" ? `at most ${String(issue.maximum)} item(s)` : `a value of at most ${String(issue.maximum)}`}.`);
  }
  // Our own schema messages (`expected a Zuplo account name (e.g. \`acme\`)`) say what to write.
  return issueOf(expectation(issue.message), "write it as the message says (see docs/config.md for this key).");
}

/** zod's generic bound messages ("Too small: expected number to be >=3") in gatelock's words. */
function ourWords(message: string, bound: string): string {
  return /^(Too small|Too big):/.test(message) ? `expected ${bound}` : message;
}

/** zod phrases expectations as "Invalid input: expected X, received Y"; keep the expectation. */
function expectation(message: string): string {
  const m = /expected (.+?), received \w+$/.exec(message);
  const text = m ? `expected ${m[1]}` : message;
  return text.endsWith(".") ? text : `${text}.`;
}

function valueAt(raw: unknown, path: readonly PathSegment[]): unknown {
  let v: unknown = raw;
  for (const seg of path) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Record<PropertyKey, unknown>)[seg];
  }
  return v;
}

function sectionOf(path: readonly PathSegment[]): string {
  const names = path.filter((s): s is string => typeof s === "string");
  return names[names.length - 1] ?? "";
}

// Keys per section, derived from the schema itself, for "did you mean" suggestions on typos.
const KNOWN_KEYS: Record<string, string[]> = {
  gateway: keysOf(ZuploGatewayConfig),
  environment: keysOf(GatewayEnvironmentConfig),
  identity: keysOf(GatewayIdentityConfig),
  origins: [...new Set(OriginConfig.options.flatMap(keysOf))],
  sharedSecret: keysOf(SharedSecretConfig),
  federated: keysOf(FederatedTrustConfig),
  aws: [...new Set([...keysOf(AwsSecretStoreConfig), ...keysOf(AwsFederatedConfig)])],
  gcp: [...new Set([...keysOf(GcpSecretStoreConfig), ...keysOf(GcpFederatedConfig)])],
  cloudRun: keysOf(GcpCloudRunTargetConfig),
  apiGateway: keysOf(AwsApiGatewayTarget),
  lambdaUrl: keysOf(AwsLambdaUrlTarget),
  azure: [...new Set([...keysOf(AzureSecretStoreConfig), ...keysOf(AzureFederatedConfig)])],
};

function keysOf(schema: { shape: object }): string[] {
  return Object.keys(schema.shape);
}

