/**
 * The custom policy modules gatelock's gateway configuration imports (`$import(./modules/…)`),
 * by the import their policies name: what `gatelock audit --write-modules` writes into the
 * Zuplo project, so no policy refers to a file the user does not have.
 */
import type { ZuploPolicy } from "./zuplo-policies";
import { AZURE_FEDERATED_MODULE_IMPORT, AZURE_FEDERATED_MODULE_PATH, AZURE_FEDERATED_POLICY_MODULE } from "./federated/azure";
import { GATELOCK_ID_TOKEN_MODULE_IMPORT, GATELOCK_ID_TOKEN_MODULE_PATH, GATELOCK_ID_TOKEN_MODULE_SOURCE } from "./federated/other";

export interface PolicyModule {
  /** Path in the Zuplo project, e.g. `modules/gatelock-id-token.ts`. */
  readonly path: string;
  readonly source: string;
}

const MODULES: Readonly<Record<string, PolicyModule>> = {
  [AZURE_FEDERATED_MODULE_IMPORT]: { path: AZURE_FEDERATED_MODULE_PATH, source: AZURE_FEDERATED_POLICY_MODULE },
  [GATELOCK_ID_TOKEN_MODULE_IMPORT]: { path: GATELOCK_ID_TOKEN_MODULE_PATH, source: GATELOCK_ID_TOKEN_MODULE_SOURCE },
};

/** The modules these policies import, once each, in path order. */
export function policyModules(policies: readonly ZuploPolicy[]): PolicyModule[] {
  const found = new Map<string, PolicyModule>();
  for (const p of policies) {
    const module = MODULES[p.handler.module];
    if (module) found.set(module.path, module);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}
