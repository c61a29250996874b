/**
 * The whole sync of a Zuplo project, planned without touching a file (pure): each file's
 * text before and after, and the route findings before and after.
 */
import { policyModules } from "../gateway/policy-modules";
import { policiesDocument } from "../gateway/zuplo-policies";
import type { Finding } from "../model/safety";
import type { LockedOrigin } from "./locked-origins";
import { routeFindings } from "./route-findings";
import { readRoutes } from "./routes";
import { syncPoliciesText } from "./sync-policies";
import { syncRoutesText } from "./sync-routes";

export const POLICIES_FILE = "config/policies.json";

/** A Zuplo project's files gatelock reads, by path relative to the project (`/` separated). */
export interface ProjectSnapshot {
  /** `config/policies.json`; undefined when the project has none yet. */
  readonly policies: string | undefined;
  /** Every `config/*.oas.json`, in name order. */
  readonly routes: readonly { readonly path: string; readonly text: string }[];
  /** gatelock's own modules present in the project (`modules/gatelock-*.ts`). */
  readonly modules: Readonly<Record<string, string>>;
}

export interface FileChange {
  readonly path: string;
  /** Undefined for a new file. */
  readonly before: string | undefined;
  readonly after: string;
}

export interface SyncPlan {
  /** Only the files whose text changes. */
  readonly changes: readonly FileChange[];
  /** Route findings of the project as it is. */
  readonly findingsBefore: readonly Finding[];
  /** Route findings once the changes are written. */
  readonly findingsAfter: readonly Finding[];
}

export function planSync(project: ProjectSnapshot, origins: readonly LockedOrigin[], stack: string): SyncPlan {
  const configs = origins.map((o) => o.config);
  const { policies } = policiesDocument(configs);
  const known = new Set(policies.map((p) => p.name));
  const changes: FileChange[] = [];
  const policiesAfter = syncPoliciesText(project.policies, POLICIES_FILE, policies);
  if (policiesAfter !== project.policies) changes.push({ path: POLICIES_FILE, before: project.policies, after: policiesAfter });
  const routesAfter = project.routes.map((f) => ({ path: f.path, text: syncRoutesText(f.text, f.path, origins, known) }));
  project.routes.forEach((f, i) => {
    if (routesAfter[i]!.text !== f.text) changes.push({ path: f.path, before: f.text, after: routesAfter[i]!.text });
  });
  // The custom modules the policies and handlers import: without them the project does not build.
  for (const m of policyModules(policies, configs.map((c) => c.handler))) {
    if (project.modules[m.path] !== m.source) changes.push({ path: m.path, before: project.modules[m.path], after: m.source });
  }
  const findings = (files: readonly { path: string; text: string }[]) => routeFindings(files.flatMap((f) => readRoutes(f.text, f.path)), origins, stack);
  return { changes, findingsBefore: findings(project.routes), findingsAfter: findings(routesAfter) };
}
