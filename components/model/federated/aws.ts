/**
 * The `aws` block of a federated origin: its schema, the refusals specific to AWS, and the
 * target the AWS translator consumes (`components/aws/federated-origin.ts`).
 *
 * What gatelock builds on AWS for such an origin: one IAM OIDC provider per issuer per account
 * (shared by every origin of the stack, or adopted by ARN), and per origin one IAM role that
 * the gateway's tokens may assume only with the pinned audience and subjects, allowed to do
 * exactly one thing: invoke the configured API Gateway routes, or the configured Lambda
 * function URL.
 */
import { createHash } from "node:crypto";
import { z } from "zod";
import type { ConfigIssue } from "../../errors";
import type { ParsedFederatedOrigin, ParsedOrigin } from "../config";
import { configKey, conflictIssue as conflict, invalidIssue as invalid, missingIssue, unsafeIssue as unsafe } from "../issues";
import { stackSlug } from "../names";
import { AWS_ACCOUNT_ID, AWS_REGION } from "../primitives";
import { actionCatalogSource, type ActionRisk, expandActionPattern, isActionPattern, judgeAction, lookupAction } from "./aws-actions";
import { isPattern, issuerHostPath, partitionOf } from "../../documents/names";
import type { FederatedTrust } from "./trust";

/** Methods a route may name. `ANY` and `*` would grant every method: list them instead. */
export const HTTP_METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"] as const;
export type HttpMethod = (typeof HTTP_METHODS)[number];

/** AWS's bounds for a role's maximum session duration (IAM `MaxSessionDuration`). */
export const MIN_SESSION_SECONDS = 3600;
export const MAX_SESSION_SECONDS = 43200;

/** IAM's hard maximum for a role trust policy (the default quota is 2,048; raisable to 4,096). */
export const MAX_TRUST_POLICY_CHARS = 4096;
/** IAM: an OIDC provider client ID (our audience) is at most 255 characters. */
export const MAX_CLIENT_ID_CHARS = 255;

/** AWS managed policies that hand out administrator-level power. Never attached by gatelock. */
export const ADMIN_MANAGED_POLICIES = new Set(["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AWSOrganizationsFullAccess", "job-function/SystemAdministrator"]);

/**
 * The only AWS managed policies gatelock attaches, each with what it grants. AWS managed
 * policies grant on every resource of the account and AWS edits them at will, so the rule is an
 * allowlist: a policy is listed only after its document (AWS Managed Policy Reference) was read
 * and found to invoke and nothing else: no data read, no write, nothing sensitive.
 * Attaching one still yields a warning, since it covers far more than this origin.
 */
export const ALLOWED_AWS_MANAGED_POLICIES: ReadonlyMap<string, string> = new Map([
  // v2: execute-api:Invoke and execute-api:ManageConnections on arn:aws:execute-api:*:*:*.
  ["AmazonAPIGatewayInvokeFullAccess", "`execute-api:Invoke` and `execute-api:ManageConnections` on every IAM-authorized API Gateway API (`arn:aws:execute-api:*:*:*`), not only this origin's routes"],
]);

const API_ID = /^[a-z0-9]{10}$/;
const STAGE = /^(\$default|[A-Za-z0-9_-]{1,128})$/;
const FUNCTION_NAME = /^[A-Za-z0-9_-]{1,64}$/;
const QUALIFIER = /^(\$LATEST|[A-Za-z0-9_-]{1,128})$/;
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;
/** `arn:<partition>:iam::<account>:oidc-provider/<issuer host/path>` */
const OIDC_PROVIDER_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(\d{12}):oidc-provider\/(.+)$/;
/** `arn:<partition>:iam::aws|<account>:policy/<path/name>` */
const POLICY_ARN = /^arn:(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b):iam::(aws|\d{12}):policy\/([\w+=,.@/-]{1,512})$/;
const ARN = /^arn:([^:]*):([^:]*):([^:]*):([^:]*):(.+)$/;
const ROUTE = /^(\S+) (\S+)$/;
/** A path segment: literal, or an API Gateway parameter `{name}`, or the greedy `{name+}` (last only). */
const LITERAL_SEGMENT = /^[A-Za-z0-9._~!$&'()+,;=:@-]+$/;
const PARAM_SEGMENT = /^\{[A-Za-z_][A-Za-z0-9_]*\+?\}$/;

export const AwsApiGatewayTarget = z
  .strictObject({
    apiId: z.string().regex(API_ID, { error: "expected an API Gateway API ID (10 lower-case letters and digits, e.g. `a1b2c3d4e5`)" }).describe("ID of the IAM-authorized REST or HTTP API."),
    stage: z.string().regex(STAGE, { error: "expected a stage name (e.g. `prod`, or `$default` for an HTTP API)" }).describe("Stage the gateway calls."),
    routes: z
      .array(z.string())
      .describe("Exact routes the gateway may invoke, `METHOD /path` (e.g. `GET /orders`, `GET /orders/{id}`). Path parameters are allowed; `*` and `ANY` are not."),
  })
  .describe("An API Gateway API whose routes use `AWS_IAM` authorization: the role may call `execute-api:Invoke` on these routes only.");

export const AwsLambdaUrlTarget = z
  .strictObject({
    functionName: z.string().regex(FUNCTION_NAME, { error: "expected a Lambda function name (not its ARN)" }).describe("Name of the function whose URL has `AuthType: AWS_IAM`."),
    qualifier: z.string().regex(QUALIFIER, { error: "expected an alias or version" }).optional().describe("Alias the function URL belongs to, if any."),
  })
  .describe("A Lambda function URL with `AuthType: AWS_IAM`: the role may call the URL (and nothing else on the function).");

export const AwsExtraStatement = z
  .strictObject({
    actions: z
      .array(z.string())
      .describe(
        "IAM actions, e.g. `sqs:SendMessage`, checked against AWS's action catalog. A pattern (`sqs:Send*`) must stay within one service, not cover all of it, and reach nothing sensitive (IAM, STS credentials, KMS decrypt, secret and parameter reads, permission changes).",
      ),
    resources: z.array(z.string()).describe("Exact resource ARNs: no `*` or `?` unless `dangerouslyAllowWildcardResources` is set."),
    dangerouslyAllowWildcardResources: z
      .boolean()
      .default(false)
      .describe(
        "Escape hatch: allow `*`/`?` (and policy variables) in this statement's resource ARNs, in the region and the resource part only: never in the partition, service or account, never a resource that is only wildcards, and never with a sensitive action. Reported as a warning.",
      ),
  })
  .describe("One extra Allow statement for the role (e.g. an AWS API the gateway calls with `AwsClient`).");

export const AwsFederatedConfig = z
  .strictObject({
    region: z.string().regex(AWS_REGION, { error: "expected an AWS region (e.g. `us-east-1`)" }).describe("Region of the API or function, and of the STS endpoint the gateway calls."),
    accountId: z
      .string()
      .regex(AWS_ACCOUNT_ID, { error: "expected a 12-digit AWS account ID" })
      .optional()
      .describe("Account the origin lives in, i.e. the account of the AWS provider gatelock deploys with (default: looked up from the provider's credentials)."),
    oidcProviderArn: z
      .string()
      .optional()
      .describe("Adopt this existing IAM OIDC provider for the gateway's issuer instead of creating one (AWS allows one per issuer per account). Add the audience to its client IDs yourself."),
    roleName: z.string().regex(ROLE_NAME, { error: "expected an IAM role name (1-64 letters, digits and `+=,.@_-`)" }).optional().describe("Name of the role the gateway assumes (default `gatelock-<stack>-<origin>`)."),
    maxSessionDurationSeconds: z.int().default(MIN_SESSION_SECONDS).describe("Longest session the gateway may request, 3600 to 43200 seconds (default 3600)."),
    permissionsBoundary: z.string().optional().describe("ARN of a managed policy that bounds the role's permissions."),
    apiGateway: AwsApiGatewayTarget.optional(),
    lambdaUrl: AwsLambdaUrlTarget.optional(),
    additionalManagedPolicyArns: z
      .array(z.string())
      .default([])
      .describe(
        "Extra managed policies to attach to the role. AWS managed policies are refused except an allowlist that only invokes (`AmazonAPIGatewayInvokeFullAccess`); customer-managed policies are accepted with a warning, since gatelock cannot see inside them.",
      ),
    additionalStatements: z
      .array(AwsExtraStatement)
      .default([])
      .describe("Extra Allow statements for the role: exact actions, or patterns within one service that reach nothing sensitive, on exact resource ARNs."),
  })
  .describe("Where a federated origin on AWS lives and what the gateway may do there: exactly one of `apiGateway` or `lambdaUrl`.");

export type ParsedAwsFederated = z.output<typeof AwsFederatedConfig>;

export interface AwsRoute {
  readonly method: HttpMethod;
  /** As configured, e.g. `/orders/{id}`. */
  readonly path: string;
}

export type AwsInvokeTarget =
  | { readonly kind: "apiGateway"; readonly apiId: string; readonly stage: string; readonly routes: readonly AwsRoute[] }
  | { readonly kind: "lambdaUrl"; readonly functionName: string; readonly qualifier?: string };

export interface AwsFederatedTarget {
  readonly cloud: "aws";
  readonly region: string;
  /** `aws`, `aws-cn`, `aws-us-gov`…, from the region. */
  readonly partition: string;
  /** When configured; otherwise the translator asks the provider's credentials. */
  readonly accountId?: string;
  /** Create the stack's shared provider for the issuer, or adopt an existing one. */
  readonly oidcProvider: { readonly kind: "create" } | { readonly kind: "adopt"; readonly arn: string };
  readonly roleName: string;
  readonly maxSessionDurationSeconds: number;
  readonly permissionsBoundary?: string;
  readonly invoke: AwsInvokeTarget;
  readonly managedPolicyArns: readonly string[];
  readonly statements: readonly { readonly actions: readonly string[]; readonly resources: readonly string[] }[];
}

export { issuerHostPath, partitionOf };

export function defaultRoleName(stack: string, origin: string): string {
  const name = `gatelock-${stackSlug(stack)}-${origin}`;
  if (name.length <= 64) return name;
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return `${name.slice(0, 55)}-${hash}`;
}

export function parseRoute(route: string): AwsRoute | undefined {
  const m = ROUTE.exec(route);
  if (!m) return undefined;
  const [, method, path] = m as unknown as [string, string, string];
  if (!(HTTP_METHODS as readonly string[]).includes(method)) return undefined;
  if (!path.startsWith("/")) return undefined;
  if (path !== "/") {
    const segments = path.slice(1).split("/");
    for (const [i, s] of segments.entries()) {
      if (LITERAL_SEGMENT.test(s)) continue;
      if (PARAM_SEGMENT.test(s) && (!s.endsWith("+}") || i === segments.length - 1)) continue;
      return undefined;
    }
  }
  return { method: method as HttpMethod, path };
}

/** Refusals specific to AWS (the common trust checks run before this). */
export function checkAwsFederated(origin: ParsedFederatedOrigin, trust: FederatedTrust, at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  const a = origin.aws;
  if (!a) return []; // the common checks report the missing block
  const issues: ConfigIssue[] = [];
  const hostPath = issuerHostPath(trust.issuer);

  // What IAM can and cannot check in a web-identity trust.
  if (origin.federated.claims && Object.keys(origin.federated.claims).length > 0) {
    issues.push(
      conflict(
        at("federated", "claims"),
        "an AWS role trust can only check a token's `aud` and `sub`, so these claims would look pinned but never be checked.",
        "remove `claims`; the pinned subjects already name one gateway environment (Zuplo: one `atcl_…` client per environment).",
      ),
    );
  }
  const audience = origin.federated.audience;
  if (audience && audience.length > MAX_CLIENT_ID_CHARS) {
    issues.push(invalid(at("federated", "audience"), `IAM accepts OIDC client IDs (audiences) of at most ${MAX_CLIENT_ID_CHARS} characters.`, "use a shorter audience, e.g. `aws:<account>:<env>`."));
  }
  if (audience?.includes("${")) {
    issues.push(invalid(at("federated", "audience"), "`${` starts an IAM policy variable, so the trust would not compare this value literally.", "choose an audience without `${`."));
  }
  origin.federated.subjects.forEach((s, i) => {
    if (s.includes("${")) issues.push(invalid(at("federated", "subjects", i), "`${` starts an IAM policy variable, so the trust would not compare this subject literally.", "list the subject exactly as the token carries it."));
  });

  // Session duration and boundary.
  if (a.maxSessionDurationSeconds < MIN_SESSION_SECONDS || a.maxSessionDurationSeconds > MAX_SESSION_SECONDS) {
    issues.push(invalid(at("aws", "maxSessionDurationSeconds"), `AWS accepts a role's maximum session duration from ${MIN_SESSION_SECONDS} to ${MAX_SESSION_SECONDS} seconds.`, `set a value from ${MIN_SESSION_SECONDS} (1 hour, the default) to ${MAX_SESSION_SECONDS} (12 hours).`));
  }
  if (a.permissionsBoundary !== undefined && !POLICY_ARN.test(a.permissionsBoundary)) {
    issues.push(invalid(at("aws", "permissionsBoundary"), "expected a managed policy ARN (arn:aws:iam::<account or aws>:policy/<name>).", "copy the ARN of the boundary policy."));
  }

  // The provider to adopt must be this issuer's, in this account.
  if (a.oidcProviderArn !== undefined) {
    const m = OIDC_PROVIDER_ARN.exec(a.oidcProviderArn);
    if (!m) {
      issues.push(invalid(at("aws", "oidcProviderArn"), "expected an IAM OIDC provider ARN (arn:aws:iam::<account>:oidc-provider/<issuer host/path>).", "copy the provider's ARN from IAM → Identity providers, or remove the key to let gatelock create it."));
    } else {
      if (m[3] !== hostPath) {
        issues.push(conflict(at("aws", "oidcProviderArn"), "this provider is for another issuer than the gateway's, so no gateway token would ever match it.", `adopt the provider for \`${hostPath}\`, or remove the key to let gatelock create it.`));
      }
      if (a.accountId && m[2] !== a.accountId) {
        issues.push(conflict(at("aws", "oidcProviderArn"), "the provider is in another account than `accountId`.", "adopt the provider of the origin's own account."));
      }
      if (m[1] !== partitionOf(a.region)) {
        issues.push(conflict(at("aws", "oidcProviderArn"), `the provider is in partition \`${m[1]}\`, the region in \`${partitionOf(a.region)}\`.`, "adopt the provider of the origin's own partition."));
      }
    }
  }

  // Exactly one target.
  if (a.apiGateway && a.lambdaUrl) {
    issues.push(conflict(at("aws", "lambdaUrl"), "an AWS federated origin is either an API Gateway API or a Lambda function URL, not both.", "keep one of `apiGateway` and `lambdaUrl`; declare another origin for the other."));
  } else if (!a.apiGateway && !a.lambdaUrl) {
    issues.push(missingIssue(at("aws"), "what the gateway may call: without a target the role would grant nothing, or be granted by hand.", "add `apiGateway: { apiId, stage, routes }` or `lambdaUrl: { functionName }`."));
  }
  if (a.apiGateway) issues.push(...checkRoutes(a.apiGateway.routes, (...rest) => at("aws", "apiGateway", "routes", ...rest)));

  // Extra grants: least privilege, never administrator-level (see extraGrantFindings).
  issues.push(...extraGrantFindings(a, at).issues);

  // The trust policy must fit IAM's hard limit; only subjects can make it grow.
  if (audience && issues.length === 0) {
    const size = estimatedTrustPolicyChars(hostPath, partitionOf(a.region), audience, origin.federated.subjects);
    if (size > MAX_TRUST_POLICY_CHARS) {
      issues.push(invalid(at("federated", "subjects"), `the role's trust policy would be about ${size} characters; IAM allows at most ${MAX_TRUST_POLICY_CHARS} (2,048 by default).`, "split the subjects over several origins."));
    }
  }
  return issues;
}

/** Case-insensitive: IAM does not tell policy names apart by case, and the message is the clearer one. */
function isAdminManagedPolicy(name: string): boolean {
  const lower = name.toLowerCase();
  return [...ADMIN_MANAGED_POLICIES].some((n) => n.toLowerCase() === lower) || /(^|\/)administratoraccess(-|$)/.test(lower);
}

/** A finding that does not block the config: accepted, but worth a reviewer's eye. */
export interface AwsFederatedWarning {
  readonly path: string;
  readonly code: "WARN_BROAD_MANAGED_POLICY" | "WARN_OPAQUE_POLICY" | "WARN_SENSITIVE_ACTION" | "WARN_ACTION_PATTERN" | "WARN_WILDCARD_RESOURCES";
  readonly message: string;
  readonly fix: string;
}

/**
 * What an AWS federated origin's extra grants may do only with a warning (for
 * `federatedWarnings`): allowlisted AWS managed policies, customer-managed policies, sensitive
 * actions named exactly, accepted action patterns, and resources let through by
 * `dangerouslyAllowWildcardResources`. Only accepted entries warn; refused ones are issues.
 */
export function awsFederatedWarnings(origin: ParsedFederatedOrigin, at: (...rest: (string | number)[]) => string): AwsFederatedWarning[] {
  return origin.cloud === "aws" && origin.aws ? extraGrantFindings(origin.aws, at).warnings : [];
}

/** Sensitive actions the escape hatch never opens to wildcard resources: they read or share one resource's contents. */
const RESOURCE_BOUND_KINDS: ReadonlySet<ActionRisk["kind"]> = new Set(["decrypt", "secret-read", "permissions"]);

/** `*`, `?`, or an IAM policy variable (`${aws:…}`), which IAM resolves per request. */
const hasWildcard = (s: string) => /[*?]|\$\{/.test(s);

/**
 * The extra grants' refusals and warnings, computed together so they never disagree. What is
 * accepted, in short: exact catalog actions except IAM writes, `iam:PassRole` and STS
 * credential minting; patterns within one service that neither cover all of it nor reach a
 * sensitive action (aws-actions.ts); sensitive reads and permission changes only when named
 * exactly, on exact resources; AWS managed policies only from the allowlist.
 */
function extraGrantFindings(a: ParsedAwsFederated, at: (...rest: (string | number)[]) => string): { issues: ConfigIssue[]; warnings: AwsFederatedWarning[] } {
  const issues: ConfigIssue[] = [];
  const warnings: AwsFederatedWarning[] = [];

  // Managed policies: an allowlist for AWS's own, a warning for the customer's.
  const seenPolicies = new Set<string>();
  a.additionalManagedPolicyArns.forEach((arn, i) => {
    const path = at("aws", "additionalManagedPolicyArns", i);
    if (seenPolicies.has(arn)) issues.push(conflict(path, "duplicate policy.", "list each policy once."));
    seenPolicies.add(arn);
    const m = POLICY_ARN.exec(arn);
    if (!m) {
      issues.push(invalid(path, "expected a managed policy ARN (arn:aws:iam::<account or aws>:policy/<name>).", "copy the policy's ARN."));
    } else if (m[2] === "aws" && isAdminManagedPolicy(m[3]!)) {
      issues.push(unsafe(path, "an administrator-level policy would let every gateway token do anything in the account.", "grant only what the gateway calls: the target's invoke permission, or `additionalStatements` with exact actions and resources."));
    } else if (m[2] === "aws") {
      const grants = ALLOWED_AWS_MANAGED_POLICIES.get(m[3]!);
      if (grants) {
        warnings.push({ path, code: "WARN_BROAD_MANAGED_POLICY", message: `this AWS managed policy grants ${grants}.`, fix: "prefer `additionalStatements` with the exact actions and resources the gateway calls." });
      } else {
        issues.push(
          unsafe(
            path,
            `AWS managed policies grant broad actions on every resource of the account (\`SecretsManagerReadWrite\` reads every secret, \`AmazonS3FullAccess\` every bucket) and AWS changes them at will; gatelock attaches only ${[...ALLOWED_AWS_MANAGED_POLICIES.keys()].map((n) => `\`${n}\``).join(" and ")}.`,
            "grant exact actions and resources with `additionalStatements`, or attach a customer-managed policy you review.",
          ),
        );
      }
    } else {
      warnings.push({ path, code: "WARN_OPAQUE_POLICY", message: "gatelock cannot see inside a customer-managed policy: whatever it grants, now or after an edit, every gateway token gets.", fix: "review the policy, or grant with `additionalStatements`, which gatelock checks." });
    }
  });

  // Every action the role's extra statements reach, for refusals that depend on a combination.
  const reachable = new Set(a.additionalStatements.flatMap((s) => s.actions.flatMap((action) => (isActionPattern(action) ? expandActionPattern(action) : (lookupAction(action) ?? [])))));

  a.additionalStatements.forEach((s, i) => {
    const path = (...rest: (string | number)[]) => at("aws", "additionalStatements", i, ...rest);
    if (s.actions.length === 0) issues.push(missingIssue(path("actions"), "at least one action.", "list the exact actions, e.g. `sqs:SendMessage`."));
    if (s.resources.length === 0) issues.push(missingIssue(path("resources"), "at least one resource.", "list the exact resource ARNs."));
    // The first sensitive action the statement names exactly and may keep on exact resources.
    let resourceBound: ActionRisk | undefined;
    s.actions.forEach((action, j) => {
      const v = judgeAction(action);
      const p = path("actions", j);
      switch (v.kind) {
        case "syntax":
          issues.push(invalid(p, "expected an IAM action `service:Action`.", "e.g. `sqs:SendMessage`."));
          break;
        case "unknown":
          issues.push(
            invalid(
              p,
              `AWS documents no such action (gatelock's catalog: ${actionCatalogSource()}).`,
              v.suggestion ? `did you mean \`${v.suggestion}\`?` : "copy the action from the service's page of AWS's Service Authorization Reference; an action newer than gatelock's catalog needs a gatelock update.",
            ),
          );
          break;
        case "matches-nothing":
          issues.push(invalid(p, "this pattern matches no AWS action.", "check the spelling, or name the actions exactly."));
          break;
        case "many-services":
          issues.push(unsafe(p, `this pattern reaches the actions of ${v.services.length} services (as \`*\` and \`*:*\` do): administrator-level for its scope.`, "list the exact actions the gateway calls."));
          break;
        case "whole-service":
          issues.push(unsafe(p, `this pattern covers every action of \`${v.service}\` (as \`${v.service}:*\` does): administrator-level for that service.`, "list the exact actions the gateway calls."));
          break;
        case "sensitive-pattern":
          issues.push(
            unsafe(
              p,
              `this pattern reaches \`${v.risk.action}\`${v.matches > 1 ? ` (among the ${v.matches} actions it matches)` : ""}. ${v.risk.why}`,
              v.risk.refusedWhenExact ? "list the exact actions the gateway calls." : `list the exact actions the gateway calls; name \`${v.risk.action}\` exactly, on exact resources, if the gateway needs it.`,
            ),
          );
          break;
        case "pattern":
          warnings.push({
            path: p,
            code: "WARN_ACTION_PATTERN",
            message: `this pattern grants ${v.matches.length} action${v.matches.length === 1 ? "" : "s"} of \`${v.service}\` today, and any that AWS adds later with a matching name.`,
            fix: "list the exact actions the gateway calls.",
          });
          break;
        case "exact":
          if (!v.risk) break;
          if (v.risk.refusedWhenExact) {
            issues.push(unsafe(p, exactRefusal(v.risk, reachable), exactRefusalFix(v.risk)));
          } else {
            const bound = RESOURCE_BOUND_KINDS.has(v.risk.kind);
            if (bound) resourceBound ??= v.risk;
            warnings.push({
              path: p,
              code: "WARN_SENSITIVE_ACTION",
              message: `${v.risk.why} Accepted because it is named exactly${bound ? "; gatelock refuses it on wildcard resources" : ""}.`,
              fix: "grant it only on the exact resources the gateway needs (e.g. the one key of an SSE-KMS queue).",
            });
          }
          break;
      }
    });
    s.resources.forEach((resource, j) => {
      const p = path("resources", j);
      const m = ARN.exec(resource);
      if (resource === "*" || (m && ([m[1], m[2], m[4]].some((part) => hasWildcard(part!)) || /^[*?/:]*$/.test(m[5]!)))) {
        issues.push(
          unsafe(p, "a wildcard resource (`*`, every resource of a service such as `arn:aws:s3:::*`, or a wildcard in the partition, service or account) reaches far beyond this origin; no escape hatch opens it.", "list the exact resource ARNs."),
        );
      } else if (!m) {
        issues.push(invalid(p, "expected a resource ARN.", "copy the resource's ARN."));
      } else if (hasWildcard(resource) && !s.dangerouslyAllowWildcardResources) {
        issues.push(
          unsafe(p, "a wildcard (`*`, `?`) or policy variable in a resource ARN matches more resources than the ones the gateway needs (`secret:*` is every secret of the account).", "list the exact resource ARNs, or set `dangerouslyAllowWildcardResources: true` on this statement if you truly need a pattern."),
        );
      } else if (hasWildcard(resource) && resourceBound) {
        issues.push(
          unsafe(p, `this statement grants \`${resourceBound.action}\`, and on a wildcard resource it would reach every matching resource. ${resourceBound.why}`, `list the exact resource ARNs; \`dangerouslyAllowWildcardResources\` does not cover \`${resourceBound.action}\`.`),
        );
      } else if (hasWildcard(resource)) {
        warnings.push({ path: p, code: "WARN_WILDCARD_RESOURCES", message: "a wildcard resource, allowed by `dangerouslyAllowWildcardResources`: the statement's actions reach every matching resource, including ones created later.", fix: "prefer exact resource ARNs." });
      }
    });
  });
  return { issues, warnings };
}

/** Why an exact action is refused; `iam:PassRole` next to `lambda:CreateFunction` is the classic escalation. */
function exactRefusal(risk: ActionRisk, reachable: ReadonlySet<string>): string {
  if (risk.action === "iam:PassRole" && reachable.has("lambda:CreateFunction")) {
    return "`iam:PassRole` with `lambda:CreateFunction` on the same role lets a gateway token create a function that runs as any role it may pass, then invoke it: that role's permissions become the gateway's.";
  }
  return risk.why;
}

function exactRefusalFix(risk: ActionRisk): string {
  switch (risk.kind) {
    case "credentials":
      return "remove it: grant this role what the gateway calls instead of letting it become another role (or declare another origin for the other target).";
    case "iam":
      return risk.action === "iam:PassRole" ? "remove `iam:PassRole`: the gateway should call your services, not deploy them; leave that to your deployment pipeline." : "remove it: manage IAM from your deployment pipeline, not from the gateway's role.";
    default:
      return "remove it.";
  }
}

function checkRoutes(routes: readonly string[], at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  if (routes.length === 0) return [missingIssue(at(), "at least one route.", "list the routes the gateway calls, e.g. `GET /orders`.")];
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  routes.forEach((route, i) => {
    if (seen.has(route)) issues.push(conflict(at(i), "duplicate route.", "list each route once."));
    seen.add(route);
    const [method = "", path = ""] = route.split(" ");
    if (route.includes("*") || method === "ANY" || route === "$default") {
      issues.push(unsafe(at(i), "a wildcard route (`*`, `ANY` or `$default`) lets the gateway call every method or path, not the routes it serves.", "list each `METHOD /path` exactly; use `{param}` for path parameters."));
    } else if (!parseRoute(route)) {
      issues.push(
        invalid(
          at(i),
          `expected \`METHOD /path\` with METHOD one of ${HTTP_METHODS.join(", ")} and path segments that are literal or \`{param}\` (\`{param+}\` last only).`,
          method && !path ? "separate the method and the path with one space." : "e.g. `GET /orders/{id}`.",
        ),
      );
    }
  });
  return issues;
}

/** Size of the trust policy (IAM counts it without whitespace), with a placeholder account. */
function estimatedTrustPolicyChars(hostPath: string, partition: string, audience: string, subjects: readonly string[]): number {
  const provider = `arn:${partition}:iam::000000000000:oidc-provider/${hostPath}`;
  const exact = subjects.filter((s) => !isPattern(s));
  const patterns = subjects.filter(isPattern);
  const statement = (op: string, subs: string[]) => ({
    Sid: "GatelockGatewayWebIdentity",
    Effect: "Allow",
    Principal: { Federated: provider },
    Action: "sts:AssumeRoleWithWebIdentity",
    Condition: { StringEquals: { [`${hostPath}:aud`]: audience }, [op]: { [`${hostPath}:sub`]: subs } },
  });
  const statements = [...(exact.length ? [statement("StringEquals", exact)] : []), ...(patterns.length ? [statement("StringLike", patterns)] : [])];
  return JSON.stringify({ Version: "2012-10-17", Statement: statements }).length;
}

/**
 * Refusals across the stack's AWS federated origins, which one origin's check cannot see:
 * they all share one OIDC provider per issuer, in the one account the stack deploys to, and
 * their roles share the account's role names. (Run by `checkConfig` beside the per-origin
 * checks; the translator refuses a mixed provider again when it builds the origins.)
 */
export function checkAwsFederatedOrigins(origins: readonly ParsedOrigin[], stack: string, at: (index: number, ...rest: (string | number)[]) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  let firstProvider: { index: number; arn: string | undefined } | undefined;
  let firstAccount: { index: number; accountId: string } | undefined;
  const roleNames = new Map<string, number>();
  origins.forEach((o, i) => {
    if (o.method !== "federated" || o.cloud !== "aws" || !o.aws) return;
    const arn = o.aws.oidcProviderArn;
    if (!firstProvider) firstProvider = { index: i, arn };
    else if (arn !== firstProvider.arn) {
      issues.push(
        conflict(
          at(i, "aws", "oidcProviderArn"),
          firstProvider.arn === undefined || arn === undefined
            ? `${configKey(["origins", firstProvider.index])} ${firstProvider.arn === undefined ? "creates" : "adopts"} the stack's OIDC provider for the issuer and this origin ${arn === undefined ? "would create another" : "adopts one"}; AWS allows one per issuer per account.`
            : `${configKey(["origins", firstProvider.index])} adopts another provider; AWS allows one per issuer per account.`,
          "set the same `oidcProviderArn` on every AWS federated origin of the stack, or on none.",
        ),
      );
    }
    const accountId = o.aws.accountId;
    if (accountId) {
      if (!firstAccount) firstAccount = { index: i, accountId };
      else if (accountId !== firstAccount.accountId) {
        issues.push(conflict(at(i, "aws", "accountId"), `${configKey(["origins", firstAccount.index])} names another account; a stack deploys to the one account of its AWS provider.`, "put origins of other accounts in a stack of their own."));
      }
    }
    // Explicit or default, every role needs its own name (a default is per stack and origin).
    const roleName = o.aws.roleName ?? defaultRoleName(stack, o.name);
    const first = roleNames.get(roleName);
    if (first !== undefined) {
      issues.push(conflict(at(i, "aws", "roleName"), `${configKey(["origins", first])} already uses the role name \`${roleName}\`.`, "give every origin its own role (set a distinct `roleName`)."));
    } else roleNames.set(roleName, i);
  });
  return issues;
}

export function toAwsFederatedTarget(origin: ParsedFederatedOrigin, stack: string): AwsFederatedTarget {
  const a = origin.aws!;
  const invoke: AwsInvokeTarget = a.apiGateway
    ? { kind: "apiGateway", apiId: a.apiGateway.apiId, stage: a.apiGateway.stage, routes: a.apiGateway.routes.map((r) => parseRoute(r)!) }
    : { kind: "lambdaUrl", functionName: a.lambdaUrl!.functionName, ...(a.lambdaUrl!.qualifier ? { qualifier: a.lambdaUrl!.qualifier } : {}) };
  return {
    cloud: "aws",
    region: a.region,
    partition: partitionOf(a.region),
    ...(a.accountId ? { accountId: a.accountId } : {}),
    oidcProvider: a.oidcProviderArn ? { kind: "adopt", arn: a.oidcProviderArn } : { kind: "create" },
    roleName: a.roleName ?? defaultRoleName(stack, origin.name),
    maxSessionDurationSeconds: a.maxSessionDurationSeconds,
    ...(a.permissionsBoundary ? { permissionsBoundary: a.permissionsBoundary } : {}),
    invoke,
    managedPolicyArns: a.additionalManagedPolicyArns,
    // The escape hatch is the model's business, not the policy document's.
    statements: a.additionalStatements.map(({ actions, resources }) => ({ actions, resources })),
  };
}

export function describeAwsFederated(origin: import("../model").FederatedOrigin, target: AwsFederatedTarget): import("./describe").TrustTargetDescription {
  const account = target.accountId ?? "the deploying account";
  const what =
    target.invoke.kind === "apiGateway"
      ? `API Gateway ${target.invoke.apiId} stage ${target.invoke.stage}: ${target.invoke.routes.map((r) => `${r.method} ${r.path}`).join(", ")}`
      : `Lambda function URL ${target.invoke.functionName}${target.invoke.qualifier ? `:${target.invoke.qualifier}` : ""}`;
  const t = origin.trust;
  const provider = target.oidcProvider.kind === "adopt" ? target.oidcProvider.arn : `oidc-provider/${issuerHostPath(t.issuer)}`;
  return {
    kind: "AWS IAM role assumed with web identity (sts:AssumeRoleWithWebIdentity)",
    location: `role ${target.roleName} in ${account} (${target.region}); may invoke ${what}`,
    readers: t.subjects.map((s) => `${provider} with ${isPattern(s) ? "sub like" : "sub ="} ${s}, aud = ${t.audience}`),
  };
}
