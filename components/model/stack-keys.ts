/**
 * The `gatelock:*` keys a stack file may hold. Pulumi hands a program every key of its
 * namespace, so a typo (`gatelock:orgins`) would otherwise be ignored and the stack deploy
 * nothing; here it is an error with a "did you mean".
 */
import type { ConfigIssue } from "../errors";
import { CONFIG_NAMESPACE, configKey, invalidIssue } from "./issues";
import { closest } from "./suggest";

/** Every key gatelock reads: the gateway, the origins, and the Developer API key (a secret). */
export const STACK_KEYS = ["gateway", "origins", "zuploApiKey"] as const;

/**
 * Issues for `gatelock:*` keys gatelock does not read; keys of other namespaces are not its
 * business. `named`: keys the config itself points at (a CA's key, `mtls.ca.keySecret`), read too.
 */
export function checkStackKeys(keys: readonly string[], named: readonly string[] = []): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const key of keys) {
    if (!key.startsWith(`${CONFIG_NAMESPACE}:`)) continue;
    const name = key.slice(CONFIG_NAMESPACE.length + 1);
    if ((STACK_KEYS as readonly string[]).includes(name) || named.includes(key)) continue;
    const suggestion = closest(name, STACK_KEYS);
    issues.push(invalidIssue(configKey([name]), `unknown key: gatelock reads only ${STACK_KEYS.map((k) => `\`gatelock:${k}\``).join(", ")}.`, suggestion ? `did you mean \`gatelock:${suggestion}\`?` : "remove it."));
  }
  return issues;
}

/** The secret keys the origins name (`mtls.ca.keySecret`), from raw config, so they count as read. */
export function namedStackKeys(raw: unknown): string[] {
  const origins = (raw as { origins?: unknown } | null)?.origins;
  if (!Array.isArray(origins)) return [];
  return origins.flatMap((o) => {
    const key = (o as { mtls?: { ca?: { keySecret?: unknown } } } | null)?.mtls?.ca?.keySecret;
    return typeof key === "string" ? [key] : [];
  });
}
