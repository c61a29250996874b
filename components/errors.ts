/**
 * One error family for everything gatelock refuses or fails at.
 *
 * Every error has a stable `code` that callers and tests can match on; messages may be
 * reworded, codes may not. Config problems also carry the exact config key path
 * (`gatelock:origins[1].aws.readers[0]`) so a user can find the line to fix.
 *
 * No message in this family ever contains a secret value: errors are built from keys,
 * names and expectations, never from the values that failed.
 */

export type GatelockErrorCode =
  /** The stack config does not have the expected shape or values. */
  | "ERR_CONFIG_INVALID"
  /** The config asks for a trust relationship gatelock refuses by default. */
  | "ERR_TRUST_UNSAFE"
  /** Two parts of the config contradict each other (duplicate names, clashing variables). */
  | "ERR_CONFIG_CONFLICT"
  /** The gateway's management API refused or failed a request. */
  | "ERR_GATEWAY_API"
  /** No credential for the gateway's management API was found. */
  | "ERR_GATEWAY_CREDENTIALS"
  /** A stack named on the command line could not be found or read. */
  | "ERR_STACK_NOT_FOUND"
  /**
   * A stack file or `Pulumi.yaml` is not the YAML it should be: a syntax error, a duplicate
   * key, an alias bomb or cycle, more than one document, a top level or `config:` that is not
   * a mapping, text that is not UTF-8. The message names the file, line and column, and never
   * quotes the file (a broken line may hold a plain-text secret).
   */
  | "ERR_CONFIG_SYNTAX"
  /**
   * gatelock itself failed unexpectedly: a bug. The CLI exits 3 with this code (not 1, which
   * means "refused"), so CI can tell a crash from a refusal; please report it.
   */
  | "ERR_INTERNAL";

/** Why one config key was refused. */
export type IssueReason = "missing" | "invalid" | "conflict" | "unsafe";

/** One problem with one config key. */
export interface ConfigIssue {
  /** Stable code: `ERR_CONFIG_INVALID`, `ERR_TRUST_UNSAFE` or `ERR_CONFIG_CONFLICT`. */
  readonly code: Extract<GatelockErrorCode, "ERR_CONFIG_INVALID" | "ERR_TRUST_UNSAFE" | "ERR_CONFIG_CONFLICT">;
  /** Full config key path, e.g. `gatelock:origins[1].aws.readers[0]`. */
  readonly path: string;
  readonly reason: IssueReason;
  /** What was expected. Never contains the refused value if it could be a secret. */
  readonly message: string;
  /** How to fix it. */
  readonly fix?: string;
}

export class GatelockError extends Error {
  readonly code: GatelockErrorCode;

  constructor(code: GatelockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/**
 * The config was refused. Carries every problem found, not just the first, so a user
 * fixes the whole stack file in one pass.
 */
export class ConfigError extends GatelockError {
  readonly issues: readonly ConfigIssue[];

  constructor(issues: readonly ConfigIssue[]) {
    super(configErrorCode(issues), formatIssues(issues));
    this.issues = issues;
  }
}

/** A request to the gateway's management API failed. Names the variable, never its value. */
export class GatewayApiError extends GatelockError {
  readonly status: number | undefined;
  readonly operation: string;
  readonly variable: string | undefined;
  readonly retryable: boolean;

  constructor(args: {
    message: string;
    operation: string;
    status?: number;
    variable?: string;
    retryable?: boolean;
    cause?: unknown;
  }) {
    super("ERR_GATEWAY_API", args.message, { cause: args.cause });
    this.status = args.status;
    this.operation = args.operation;
    this.variable = args.variable;
    this.retryable = args.retryable ?? false;
  }
}

/** The most severe code wins: an unsafe trust is reported as such even beside typos. */
function configErrorCode(issues: readonly ConfigIssue[]): GatelockErrorCode {
  if (issues.some((i) => i.code === "ERR_TRUST_UNSAFE")) return "ERR_TRUST_UNSAFE";
  if (issues.some((i) => i.code === "ERR_CONFIG_CONFLICT")) return "ERR_CONFIG_CONFLICT";
  return "ERR_CONFIG_INVALID";
}

export function formatIssue(issue: ConfigIssue): string {
  const fix = issue.fix ? ` Fix: ${issue.fix}` : "";
  return `${issue.path}: ${issue.message}${fix} [${issue.code}]`;
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  const head = issues.length === 1 ? "gatelock config has 1 problem" : `gatelock config has ${issues.length} problems`;
  return [`${head}:`, ...issues.map((i) => `  - ${formatIssue(i)}`)].join("\n");
}
