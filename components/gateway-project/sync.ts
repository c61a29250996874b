/**
 * `gatelock gateway sync` as a library call: read the Zuplo project, plan, and (unless only
 * checking) write each changed file atomically. The CLI and the end-to-end test both use it.
 */
import * as path from "node:path";
import type { Finding } from "../model/safety";
import { writeFileAtomic } from "./atomic-write";
import type { LockedOrigin } from "./locked-origins";
import { type FileChange, planSync } from "./plan";
import { readProject } from "./project-files";
import { unifiedDiff } from "./unified-diff";

export type SyncMode = "write" | "check" | "dry-run";

export interface SyncOptions {
  /** The Zuplo project's folder (holding `config/`). */
  readonly projectDir: string;
  readonly origins: readonly LockedOrigin[];
  /** The stack's name, for messages. */
  readonly stack: string;
  /** `write` (default) writes; `check` and `dry-run` write nothing. */
  readonly mode?: SyncMode;
}

export interface SyncResult {
  readonly changes: readonly FileChange[];
  /** Unified diff of every change, in file order. */
  readonly diff: string;
  /** `check`: the project as it is; otherwise the project once synced. */
  readonly findings: readonly Finding[];
  /** Absolute paths written (`write` only). */
  readonly written: readonly string[];
}

export function syncGatewayProject(options: SyncOptions): SyncResult {
  const mode = options.mode ?? "write";
  const plan = planSync(readProject(options.projectDir), options.origins, options.stack);
  const written: string[] = [];
  if (mode === "write") {
    for (const c of plan.changes) {
      const file = path.join(options.projectDir, ...c.path.split("/"));
      writeFileAtomic(file, c.after);
      written.push(file);
    }
  }
  return {
    changes: plan.changes,
    diff: plan.changes.map((c) => unifiedDiff(c.path, c.before, c.after)).join(""),
    findings: mode === "check" ? plan.findingsBefore : plan.findingsAfter,
    written,
  };
}
