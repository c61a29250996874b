/**
 * The origins a stack file locks, for `gateway sync`: the stack's model, checked by the same
 * `buildModel` as the audit and `pulumi up` (an invalid stack is a `ConfigError`), without
 * running the program: the gateway configuration is a pure function of the model.
 */
import { rawGatelockConfig } from "../audit/report";
import { readStackConfig } from "../audit/stack-file";
import { buildModel } from "../model/model";
import { type LockedOrigin, lockedOrigins } from "./locked-origins";

export function stackLockedOrigins(projectDir: string, stack: string): LockedOrigin[] {
  const raw = rawGatelockConfig(readStackConfig(projectDir, stack));
  return lockedOrigins(buildModel(raw, { stack, projectDir }).origins);
}
