/**
 * Building blocks for config issues: the key path of a config value and one constructor per
 * kind of refusal. No imports from the schema, so every part of the model can use them.
 */
import type { ConfigIssue } from "../errors";

export const CONFIG_NAMESPACE = "gatelock";

export type PathSegment = PropertyKey;

/** `["origins", 1, "aws", "readers", 0]` → `gatelock:origins[1].aws.readers[0]`. */
export function configKey(path: readonly PathSegment[]): string {
  const [head, ...rest] = path;
  let key = `${CONFIG_NAMESPACE}:${String(head ?? "")}`;
  for (const seg of rest) key += typeof seg === "number" ? `[${seg}]` : `.${String(seg)}`;
  return key;
}

export function invalidIssue(path: string, message: string, fix?: string): ConfigIssue {
  return { code: "ERR_CONFIG_INVALID", path, reason: "invalid", message, ...(fix ? { fix } : {}) };
}
export function missingIssue(path: string, message: string, fix: string, code: ConfigIssue["code"] = "ERR_CONFIG_INVALID"): ConfigIssue {
  return { code, path, reason: "missing", message: `required: ${message}`, fix };
}
export function unsafeIssue(path: string, message: string, fix: string): ConfigIssue {
  return { code: "ERR_TRUST_UNSAFE", path, reason: "unsafe", message, fix };
}
export function conflictIssue(path: string, message: string, fix: string): ConfigIssue {
  return { code: "ERR_CONFIG_CONFLICT", path, reason: "conflict", message, fix };
}
