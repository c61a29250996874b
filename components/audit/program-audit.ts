/**
 * `gatelock audit --program <dir>`: audit a user's own Pulumi program (placeholder until built).
 */
import { GatelockError } from "../errors";
import type { AuditReport } from "./report";

export interface ProgramAuditOptions {
  /** The program's directory (holds its Pulumi.yaml). */
  readonly programDir: string;
  readonly stack: string;
}

export async function runProgramAudit(options: ProgramAuditOptions): Promise<AuditReport> {
  throw new GatelockError("ERR_STACK_NOT_FOUND", `--program is not built yet (${options.programDir})`);
}
