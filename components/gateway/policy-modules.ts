/**
 * The custom modules gatelock's gateway configuration imports (`$import(./modules/…)`), policy
 * modules and route handler modules alike, by the import that names them: what
 * `gatelock audit --write-modules` writes into the Zuplo project, so no policy or route refers
 * to a file the user does not have.
 */
import type { RouteHandler, ZuploPolicy } from "./zuplo-policies";
import { AWS_FEDERATED_POLICY_TYPE, AWS_FORWARD_HANDLER_MODULE, AWS_FORWARD_MODULE_IMPORT, AWS_FORWARD_MODULE_PATH } from "./federated/aws";
import { AZURE_FEDERATED_MODULE_IMPORT, AZURE_FEDERATED_MODULE_PATH, AZURE_FEDERATED_POLICY_MODULE } from "./federated/azure";
import { GATELOCK_ID_TOKEN_MODULE_IMPORT, GATELOCK_ID_TOKEN_MODULE_PATH, GATELOCK_ID_TOKEN_MODULE_SOURCE } from "./federated/other";

export interface PolicyModule {
  /** Path in the Zuplo project, e.g. `modules/gatelock-id-token.ts`. */
  readonly path: string;
  readonly source: string;
}

const MODULES: Readonly<Record<string, PolicyModule>> = {
  [AWS_FORWARD_MODULE_IMPORT]: { path: AWS_FORWARD_MODULE_PATH, source: AWS_FORWARD_HANDLER_MODULE },
  [AZURE_FEDERATED_MODULE_IMPORT]: { path: AZURE_FEDERATED_MODULE_PATH, source: AZURE_FEDERATED_POLICY_MODULE },
  [GATELOCK_ID_TOKEN_MODULE_IMPORT]: { path: GATELOCK_ID_TOKEN_MODULE_PATH, source: GATELOCK_ID_TOKEN_MODULE_SOURCE },
};

/**
 * The modules these policies and route handlers import, once each, in path order.
 *
 * An AWS federated policy brings the signing handler module even when no handler is passed:
 * the credentials it registers are of no use to a plain forward, and a caller that has only
 * `policiesJson` (an origin without a `url` gets no handler) still needs the module to reach
 * the origin.
 */
export function policyModules(policies: readonly ZuploPolicy[], handlers: readonly (RouteHandler | undefined)[] = []): PolicyModule[] {
  const imports = [
    ...policies.map((p) => p.handler.module),
    ...(policies.some((p) => p.policyType === AWS_FEDERATED_POLICY_TYPE) ? [AWS_FORWARD_MODULE_IMPORT] : []),
    ...handlers.flatMap((h) => (h ? [h.module] : [])),
  ];
  const found = new Map<string, PolicyModule>();
  for (const i of imports) {
    const module = MODULES[i];
    if (module) found.set(module.path, module);
  }
  return [...found.values()].sort((a, b) => (a.path < b.path ? -1 : 1));
}
