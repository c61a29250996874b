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
   * The Zuplo project named on the command line (`gateway sync --project`, `init --from`) is not
   * one: no `config/` folder with a `*.oas.json` routes file.
   */
  | "ERR_GATEWAY_PROJECT_NOT_FOUND"
  /** `init` would overwrite an existing stack file; gatelock never does. */
  | "ERR_STACK_EXISTS"
  /**
   * A package the stack needs is not installed: the Pulumi SDK of a cloud its origins use
   * (`@pulumi/aws`, `@pulumi/gcp`, `@pulumi/azure-native` are optional peer dependencies).
   * The config is fine; the installation is not. Built by `missingDependencyError`.
   */
  | "ERR_DEPENDENCY_MISSING"
  /**
   * A (fake) cloud refused a resource the way the real provider's API would: thrown by the
   * faithful fakes of `gatelock/testing` (`ResourceRefusedError`), reported by the audit.
   */
  | "ERR_RESOURCE_REFUSED"
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

/**
 * Codes of findings a config is accepted with, but a reviewer should see (the audit's warnings).
 * Stable like the error codes; tests and CI match on them.
 */
export type WarningCode =
  /** `gatelock:origins` is empty (or missing): the stack locks nothing. */
  | "WARN_NO_ORIGINS"
  /** `gateway.environment.redeploy` without the Developer API: it does nothing. */
  | "WARN_REDEPLOY_WITHOUT_API"
  /** No Zuplo Developer API key is configured, so `pulumi up` cannot write the variables. */
  | "WARN_NO_API_KEY"
  /**
   * An AWS federated origin without `aws.accountId`: the trust policy and invoke grants show
   * `<deploying account>`, since only the credentials `pulumi up` runs with decide it.
   */
  | "WARN_ACCOUNT_AT_DEPLOY"
  /** A GCP service-auth origin: key creation is blocked by default in organisations since May 2024. */
  | "WARN_KEY_CREATION_BLOCKED"
  /** A GCP service-auth origin on Cloud Run, which federated identity could lock without a key. */
  | "WARN_PREFER_FEDERATED"
  /** Google API scopes: the access token can do what its service account may, and gatelock grants nothing. */
  | "WARN_UNGRANTED_SCOPES"
  /** `overlapDays: 0`: the previous shared secret retires at the moment of rotation. */
  | "WARN_NO_OVERLAP"
  /** An mTLS origin's front end lets requests without a valid client certificate through (behind `dangerouslyAllowOptionalClientCert`). */
  | "WARN_OPTIONAL_CLIENT_CERT"
  /** An API Gateway's default `execute-api` endpoint stays open beside its mutual-TLS domain (behind `dangerouslyAllowExecuteApiEndpoint`). */
  | "WARN_EXECUTE_API_ENDPOINT_OPEN"
  /** gatelock emits the settings of a front end it does not manage (a proxy to attach to, an App Service, an Application Gateway): nothing is enforced until they are applied. */
  | "WARN_NOT_ENFORCED_HERE"
  /** A tunnel connector with one replica (behind `dangerouslyAllowSingleReplica`). */
  | "WARN_SINGLE_REPLICA"
  /** A tunnel connector image given by tag, not pinned by digest. */
  | "WARN_IMAGE_NOT_PINNED"
  /** A tunnel origin with a public address (behind `dangerouslyAllowPublicEndpoint`). */
  | "WARN_PUBLIC_ENDPOINT"
  /** A shared secret rotates less than once a year. */
  | "WARN_LONG_ROTATION"
  /** A `local` origin whose URL is not on loopback. */
  | "WARN_LOCAL_NOT_LOOPBACK"
  /** The GCP default compute service account reads a secret (behind its escape hatch). */
  | "WARN_DEFAULT_SERVICE_ACCOUNT"
  /** A default audience other tenants use too, beside pinned subjects. */
  | "WARN_GENERIC_AUDIENCE"
  /** Subject patterns are trusted (behind `dangerouslyAllowWildcardSubjects`). */
  | "WARN_WILDCARD_SUBJECTS"
  /** An Azure role on a resource group rather than one resource. */
  | "WARN_BROAD_SCOPE"
  /** An Azure role off the allowlist (behind `dangerouslyAllowUnlistedRole`). */
  | "WARN_UNLISTED_ROLE"
  /** An allowlisted AWS-managed policy: invoke-only, but on every API of the account. */
  | "WARN_BROAD_MANAGED_POLICY"
  /**
   * `audit --program`: resources of types with no faithful fake got generic ones, whose
   * outputs (IDs, ARNs, URLs) are placeholders, not what the cloud would return.
   */
  | "WARN_GENERIC_FAKE"
  /** A customer-managed AWS policy: gatelock cannot see inside it. */
  | "WARN_OPAQUE_POLICY"
  /** An exact sensitive AWS action (a KMS decrypt, a secret or parameter read). */
  | "WARN_SENSITIVE_ACTION"
  /** A narrow AWS action pattern, expanded against the catalog. */
  | "WARN_ACTION_PATTERN"
  /** Wildcard AWS resources (behind `dangerouslyAllowWildcardResources`). */
  | "WARN_WILDCARD_RESOURCES"
  /** `gateway sync`: a route forwards to an origin the stack does not lock (a URL or variable gatelock does not know). */
  | "WARN_ROUTE_UNKNOWN_ORIGIN"
  /**
   * `gateway sync`: a route forwards to a locked origin with a handler sync cannot give what the
   * method needs (an AWS federated origin behind a `urlRewriteHandler` or custom handler: nothing signs the request).
   */
  | "WARN_ROUTE_HANDLER_UNSUPPORTED";

/** Codes of error findings only the audit and `gateway sync` raise (beside every `GatelockErrorCode`). */
export type AuditErrorCode =
  /** A secret value would have been printed; the audit refused to print it. */
  | "ERR_SECRET_IN_OUTPUT"
  /** A gateway policy uses a variable no sink writes. */
  | "ERR_POLICY_VARIABLE_MISSING"
  /** The Zuplo API key is in plain text in the stack file. */
  | "ERR_PLAINTEXT_API_KEY"
  /** `audit --program`: the user's program failed to load (a syntax error) or threw. */
  | "ERR_PROGRAM_FAILED"
  /**
   * `gateway sync`: a route of the Zuplo project forwards to a locked origin without the
   * origin's gateway policies (or without the handler options its method needs): requests
   * leave the gateway without what the origin checks.
   */
  | "ERR_ROUTE_UNLOCKED";

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
  /** The name of the origin the key belongs to, when it has a valid one: `origins[3]` is `shipments`. */
  readonly origin?: string;
}

/**
 * Brand of the errors gatelock builds where it cannot construct its own classes: the Zuplo
 * dynamic providers (components/zuplo/client.ts) are serialised by Pulumi and run in another
 * process, so they may not import this module and throw plain `Error`s instead. Such an error
 * carries this non-enumerable property, whose value is the name of the class it stands for
 * (`"GatewayApiError"`, `"GatelockError"`). `Symbol.for` makes the key the same in every copy
 * of gatelock and lets code without imports create it.
 */
export const GATELOCK_ERROR_BRAND: unique symbol = Symbol.for("gatelock.error") as never;

/** The class a branded error stands for, if it carries the brand. */
function brandOf(value: unknown): unknown {
  return typeof value === "object" && value !== null ? (value as Record<symbol, unknown>)[GATELOCK_ERROR_BRAND] : undefined;
}

export class GatelockError extends Error {
  readonly code: GatelockErrorCode;

  constructor(code: GatelockErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }

  /**
   * `instanceof` for this family: true for real instances (the prototype chain, as usual) and
   * for branded errors (see `GATELOCK_ERROR_BRAND`): `GatelockError` accepts any branded error,
   * `GatewayApiError` only one branded as a `GatewayApiError` with code `ERR_GATEWAY_API`;
   * every other subclass accepts real instances only. Why a brand rather than a class the
   * providers construct: Pulumi's closure serialiser would either turn the imported class
   * into `require("gatelock/dist/errors.js")` (refused by the package's `exports` map) or
   * copy it into the provider as a different class (rewritten into a function, dropping field
   * initialisers), so the thrown error could never be an instance of the class users import.
   * A brand needs no shared class, and unlike matching `code` alone it is not claimed by
   * an unrelated error that happens to use the same code.
   */
  static override [Symbol.hasInstance](this: abstract new (...args: never[]) => unknown, value: unknown): boolean {
    if (Function.prototype[Symbol.hasInstance].call(this, value)) return true;
    if (!(value instanceof Error)) return false;
    const brand = brandOf(value);
    if (this === GatelockError) return brand === "GatelockError" || brand === "GatewayApiError";
    if (this === GatewayApiError) return brand === "GatewayApiError" && (value as { code?: unknown }).code === "ERR_GATEWAY_API";
    return false;
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

/**
 * A request to the gateway's management API failed. Names the variable (or deployment),
 * never a value or the API key.
 *
 * The Zuplo providers throw branded plain `Error`s with these properties rather than
 * instances (see `GatelockError[Symbol.hasInstance]`); `instanceof GatewayApiError` is true
 * for both.
 */
export class GatewayApiError extends GatelockError {
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  /** Provider operation: `create`, `update`, `delete` (with the fallback, if one was taken). */
  readonly operation: string;
  /** Variable name (never its value). */
  readonly variable: string | undefined;
  /** Deployment name, for a redeploy. */
  readonly deployment: string | undefined;
  /** Whether trying again later may help (rate limits, outages, timeouts). */
  readonly retryable: boolean;
  /** Requests sent for this operation when the client gave up. */
  readonly attempts: number | undefined;

  constructor(args: {
    message: string;
    operation: string;
    status?: number;
    variable?: string;
    deployment?: string;
    retryable?: boolean;
    attempts?: number;
    cause?: unknown;
  }) {
    super("ERR_GATEWAY_API", args.message, { cause: args.cause });
    this.status = args.status;
    this.operation = args.operation;
    this.variable = args.variable;
    this.deployment = args.deployment;
    this.retryable = args.retryable ?? false;
    this.attempts = args.attempts;
  }
}

/** A package the stack needs is not installed (see `missingDependencyError`). */
export class DependencyMissingError extends GatelockError {
  /** The missing package, e.g. `@pulumi/gcp`. */
  readonly dependency: string;
  /** The cloud whose origins need it, e.g. `gcp`. */
  readonly cloud: string;

  constructor(dependency: string, cloud: string, options?: { cause?: unknown }) {
    super(
      "ERR_DEPENDENCY_MISSING",
      `this stack has origins on ${cloud}, which needs the optional peer dependency ${dependency}: run \`npm install ${dependency}\`.`,
      options,
    );
    this.dependency = dependency;
    this.cloud = cloud;
  }
}

/**
 * The error for a missing peer dependency: `pkg` (e.g. `@pulumi/gcp`) is not installed but
 * origins on `cloud` (e.g. `gcp`) need it. Code `ERR_DEPENDENCY_MISSING`; `cause` is what
 * loading it threw. The message names the cloud, the package and the install command (the
 * same words as before this code existed), nothing else.
 */
export function missingDependencyError(pkg: string, cloud: string, cause?: unknown): DependencyMissingError {
  return new DependencyMissingError(pkg, cloud, cause === undefined ? undefined : { cause });
}

/**
 * A (fake) cloud refused a resource, as the real provider's API would have: thrown by the
 * faithful fakes of `gatelock/testing`, so the mock engine fails the run and the audit reports
 * an `ERR_RESOURCE_REFUSED` finding. `cause` is the fake's own error (e.g. AWS's
 * `EntityAlreadyExists`). Match on the class or the code, never on the message.
 */
export class ResourceRefusedError extends GatelockError {
  /** Pulumi type token of the refused resource. */
  readonly resourceType: string;
  /** Its logical name. */
  readonly resourceName: string;

  constructor(resourceType: string, resourceName: string, reason: string, options?: { cause?: unknown }) {
    super("ERR_RESOURCE_REFUSED", `${resourceType} ${resourceName} was refused: ${reason}`, options);
    this.resourceType = resourceType;
    this.resourceName = resourceName;
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
  const origin = issue.origin ? ` (${issue.origin})` : "";
  return `${issue.path}${origin}: ${issue.message}${fix} [${issue.code}]`;
}

function formatIssues(issues: readonly ConfigIssue[]): string {
  const head = issues.length === 1 ? "gatelock config has 1 problem" : `gatelock config has ${issues.length} problems`;
  return [`${head}:`, ...issues.map((i) => `  - ${formatIssue(i)}`)].join("\n");
}
