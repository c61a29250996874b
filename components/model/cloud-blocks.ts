/**
 * Every method keeps an origin's cloud-specific settings in a block named after its cloud
 * (`aws:`, `gcp:`, `azure:`): the block of the origin's cloud is required, and a block of
 * another cloud is a mistake (often a copy-paste from another origin).
 */
import type { ConfigIssue } from "../errors";
import { conflictIssue as conflict, missingIssue } from "./issues";

const CLOUD_BLOCKS = ["aws", "gcp", "azure"] as const;

export function cloudBlockIssues(
  origin: { readonly cloud: string; readonly aws?: unknown; readonly gcp?: unknown; readonly azure?: unknown },
  at: (...rest: string[]) => string,
  /** What the block says, e.g. "saying where its secret is stored and who reads it". */
  purpose: string,
  /** The page that documents the block. */
  docs: string,
): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  for (const cloud of CLOUD_BLOCKS) {
    const present = origin[cloud] !== undefined;
    if (cloud === origin.cloud && !present) {
      issues.push(missingIssue(at(cloud), `an origin on ${cloud} needs an \`${cloud}\` block ${purpose}.`, `add \`${cloud}: { ... }\` (see ${docs}).`));
    } else if (cloud !== origin.cloud && present) {
      issues.push(conflict(at(cloud), `this origin's cloud is \`${origin.cloud}\`, not \`${cloud}\`.`, `remove the \`${cloud}\` block or change \`cloud\`.`));
    }
  }
  return issues;
}
