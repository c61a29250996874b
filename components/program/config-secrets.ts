/**
 * Secrets the stack file names rather than holds: a CA's private key, in a secret stack config
 * key (`mtls.ca.keySecret`). The program checks each is set, and encrypted, before building
 * anything, and reads it as a Pulumi secret.
 */
import * as pulumi from "@pulumi/pulumi";
import { isStoredSecret } from "../testing/pulumi-internals";
import type { ConfigIssue } from "../errors";
import type { OriginModel } from "../model/model";

/** `ns:name` (the model requires the namespace) split for `pulumi.Config`. */
export function fullConfigKey(key: string): { readonly namespace: string; readonly name: string; readonly full: string } {
  const at = key.indexOf(":");
  return { namespace: key.slice(0, at), name: key.slice(at + 1), full: key };
}

/** Every CA key the origins name that is missing, or stored in plain text (which would expose it). */
export function ownCaKeyIssues(origins: readonly OriginModel[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const o of origins) {
    if (o.method !== "mtls" || o.trust.kind !== "own-ca") continue;
    const { full } = fullConfigKey(o.trust.keySecret);
    const path = `${o.key}.mtls.ca.keySecret`;
    // Read raw, not with `Config.get`, which warns about reading a secret in plain text.
    if (pulumi.runtime.getConfig(full) === undefined) {
      issues.push({ code: "ERR_CONFIG_INVALID", path, reason: "missing", origin: o.name, message: `the stack has no config key \`${full}\` for the CA's private key.`, fix: `set it: \`pulumi config set --secret ${full} -- "$(cat ca.key)"\`.` });
    } else if (isStoredSecret(full) === false) {
      issues.push({ code: "ERR_TRUST_UNSAFE", path, reason: "unsafe", origin: o.name, message: `the CA's private key in \`${full}\` is stored in plain text in the stack file.`, fix: `store it encrypted (\`pulumi config set --secret ${full} -- "$(cat ca.key)"\`), and replace the CA: its key has been exposed.` });
    }
  }
  return issues;
}

/** A secret stack config value (checked by `ownCaKeyIssues` first). */
export function secretConfigValue(key: string): pulumi.Output<string> {
  const { namespace, name } = fullConfigKey(key);
  return new pulumi.Config(namespace).requireSecret(name);
}
