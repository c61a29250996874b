/**
 * One check over every gateway variable of every origin: names must be unique across the
 * stack and outside Zuplo's reserved prefixes. Two origins writing one name would be two
 * resources fighting over one variable; in a dotenv file the last would silently win, and a
 * plain URL could replace a secret.
 */
import type { ConfigIssue } from "../errors";
import { variableSpecs } from "../gateway/variables";
import { configKey, conflictIssue as conflict, invalidIssue as invalid } from "./issues";
import { defaultVariable } from "./names";
import type { OriginModel } from "./model";

/** Zuplo reserves these prefixes for its own variables. */
export const RESERVED_VARIABLE_PREFIXES = ["ZUPLO_", "__ZUPLO", "ZUDOKU_"];

/** `origins[i]` with its model. */
export function checkGatewayVariables(origins: readonly { readonly index: number; readonly origin: OriginModel }[]): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const first = new Map<string, number>();
  for (const { index, origin } of origins) {
    const secretVariable = origin.method === "shared-secret" ? origin.sharedSecret.variable : undefined;
    const explicit = secretVariable !== undefined && secretVariable !== defaultVariable(origin.name);
    const nameKey = configKey(["origins", index, "name"]);
    const variableKey = configKey(["origins", index, "sharedSecret", "variable"]);
    for (const spec of variableSpecs(origin)) {
      const isSecretVariable = spec.name === secretVariable;
      // A reserved prefix comes from whoever chose the name: the origin's name, or an explicit variable.
      const reserved = RESERVED_VARIABLE_PREFIXES.find((p) => spec.name.startsWith(p));
      if (reserved) {
        issues.push(invalid(isSecretVariable && explicit ? variableKey : nameKey, `the gateway variable \`${spec.name}\` starts with \`${reserved}\`, which Zuplo reserves for its own variables.`, isSecretVariable && explicit ? "choose another name." : "rename the origin."));
      }
      // A clash of the secret is fixed with `sharedSecret.variable`; any other by renaming the origin.
      const at = first.get(spec.name);
      if (at === undefined) first.set(spec.name, index);
      else if (at !== index) {
        issues.push(conflict(isSecretVariable ? variableKey : nameKey, `gateway variable \`${spec.name}\` is already written by gatelock:origins[${at}].`, isSecretVariable ? "set a distinct `sharedSecret.variable`." : "rename one of the two origins."));
      }
    }
  }
  return issues;
}
