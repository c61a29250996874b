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
    const missing = valueAt(raw, path) === undefined;
    out.push({
      code: "ERR_CONFIG_INVALID",
      path: path.length === 0 ? `${CONFIG_NAMESPACE}:*` : configKey(path),
      reason: missing ? "missing" : "invalid",
      message: missing ? `required: ${expectation(issue.message)}` : expectation(issue.message),
    });
  }
  return out;
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

