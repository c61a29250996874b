/**
 * The IAM documents of a federated origin on AWS, as pure functions of the model (no Pulumi),
 * so that an IAM policy simulator can judge them in tests:
 *
 * - the role's trust policy: the gateway's tokens, from the stack's OIDC provider for the
 *   gateway's issuer, may assume the role only with the pinned audience and subjects;
 * - the role's permission policy: invoke exactly the configured API Gateway routes, or the
 *   configured Lambda function URL (and any extra statements the config names exactly);
 * - the Lambda function's resource-based permissions for the role.
 */
import type { FederatedTrust } from "../model/federated/trust";
import type { AwsFederatedTarget, AwsRoute } from "../model/federated/aws";
import { isPattern, issuerHostPath } from "./names";

export const WEB_IDENTITY_ACTION = "sts:AssumeRoleWithWebIdentity";

export interface IamStatement {
  readonly Sid: string;
  readonly Effect: "Allow";
  readonly Principal?: { readonly Federated: string };
  readonly Action: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | readonly string[]>>>>;
}

export interface IamPolicyDocument {
  readonly Version: "2012-10-17";
  readonly Statement: readonly IamStatement[];
}

/** `dev.zuplo.com/v1/client-auth/auth_…:aud` and `…:sub`: IAM's condition keys for the issuer. */
export function webIdentityConditionKeys(issuer: string): { readonly aud: string; readonly sub: string } {
  const prefix = issuerHostPath(issuer);
  return { aud: `${prefix}:aud`, sub: `${prefix}:sub` };
}

/** The ARN IAM gives the provider for an issuer: `arn:aws:iam::<account>:oidc-provider/<host/path>`. */
export function oidcProviderArn(partition: string, accountId: string, issuer: string): string {
  return `arn:${partition}:iam::${accountId}:oidc-provider/${issuerHostPath(issuer)}`;
}

/**
 * Trust policy of the role the gateway assumes. `StringEquals` on `:aud` and `:sub` (a list
 * of subjects means any one of them); never `ForAllValues` (true when the key is absent) and
 * never a check on `:iss` (IAM has no such key: the provider is the issuer). Subject patterns
 * exist only behind `dangerouslyAllowWildcardSubjects`, and then in a statement of their own
 * with `StringLike`, because the conditions of one statement must all hold.
 */
export function webIdentityTrustPolicy(trust: FederatedTrust, providerArn: string): IamPolicyDocument {
  if (!trust.audience) throw new TypeError("an AWS web-identity trust needs a pinned audience");
  if (trust.subjects.length === 0) throw new TypeError("an AWS web-identity trust needs pinned subjects");
  const keys = webIdentityConditionKeys(trust.issuer);
  const exact = trust.subjects.filter((s) => !isPattern(s));
  const patterns = trust.subjects.filter(isPattern);
  if (patterns.length > 0 && !trust.wildcardSubjects) throw new TypeError("subject patterns need dangerouslyAllowWildcardSubjects");
  const one = (values: readonly string[]): string | readonly string[] => (values.length === 1 ? values[0]! : [...values]);
  const statement = (sid: string, subjects: readonly string[], operator: "StringEquals" | "StringLike"): IamStatement => ({
    Sid: sid,
    Effect: "Allow",
    Principal: { Federated: providerArn },
    Action: WEB_IDENTITY_ACTION,
    Condition:
      operator === "StringEquals"
        ? { StringEquals: { [keys.aud]: trust.audience, [keys.sub]: one(subjects) } }
        : { StringEquals: { [keys.aud]: trust.audience }, StringLike: { [keys.sub]: one(subjects) } },
  });
  return {
    Version: "2012-10-17",
    Statement: [
      ...(exact.length > 0 ? [statement("GatelockGatewayExactSubjects", exact, "StringEquals")] : []),
      ...(patterns.length > 0 ? [statement("GatelockGatewaySubjectPatterns", patterns, "StringLike")] : []),
    ],
  };
}

/**
 * `execute-api:Invoke` resource of a route: `arn:aws:execute-api:<region>:<account>:<api>/<stage>/<METHOD>/<path>`.
 * IAM checks the request's actual path, so a path parameter (`{id}`, `{proxy+}`) becomes `*`.
 */
export function executeApiArn(target: Pick<AwsFederatedTarget, "partition" | "region">, accountId: string, apiId: string, stage: string, route: AwsRoute): string {
  const path = route.path
    .split("/")
    .map((segment) => (/^\{.+\}$/.test(segment) ? "*" : segment))
    .join("/");
  return `arn:${target.partition}:execute-api:${target.region}:${accountId}:${apiId}/${stage}/${route.method}${path}`;
}

/** The function's ARN, qualified when the URL belongs to an alias. */
export function lambdaFunctionArn(target: Pick<AwsFederatedTarget, "partition" | "region">, accountId: string, functionName: string, qualifier?: string): string {
  return `arn:${target.partition}:lambda:${target.region}:${accountId}:function:${functionName}${qualifier ? `:${qualifier}` : ""}`;
}

/** The role's only permissions: what this origin is, and nothing else. */
export function invokePermissionPolicy(target: AwsFederatedTarget, accountId: string): IamPolicyDocument {
  const invoke = target.invoke;
  const statements: IamStatement[] = [];
  if (invoke.kind === "apiGateway") {
    statements.push({
      Sid: "GatelockInvokeApiRoutes",
      Effect: "Allow",
      Action: "execute-api:Invoke",
      Resource: [...new Set(invoke.routes.map((r) => executeApiArn(target, accountId, invoke.apiId, invoke.stage, r)))],
    });
  } else {
    const fn = lambdaFunctionArn(target, accountId, invoke.functionName, invoke.qualifier);
    // Since October 2025 a function URL needs both actions; each is confined to the URL.
    statements.push(
      { Sid: "GatelockInvokeFunctionUrl", Effect: "Allow", Action: "lambda:InvokeFunctionUrl", Resource: fn, Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } } },
      { Sid: "GatelockInvokeFunctionViaUrl", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn, Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } } },
    );
  }
  target.statements.forEach((s, i) => {
    statements.push({ Sid: `GatelockAdditional${i}`, Effect: "Allow", Action: [...s.actions], Resource: [...s.resources] });
  });
  return { Version: "2012-10-17", Statement: statements };
}

/** Arguments of the function's two resource-based permissions for the role (Lambda `AddPermission`). */
export interface LambdaUrlPermission {
  readonly suffix: string;
  readonly statementId: string;
  readonly action: "lambda:InvokeFunctionUrl" | "lambda:InvokeFunction";
  readonly functionName: string;
  readonly qualifier?: string;
  readonly functionUrlAuthType?: "AWS_IAM";
  readonly invokedViaFunctionUrl?: true;
}

/**
 * Statement IDs are named after the role, which is unique in the account, so two stacks (or
 * two origins) granting the same function never collide.
 */
export function lambdaUrlPermissions(target: AwsFederatedTarget): LambdaUrlPermission[] {
  const invoke = target.invoke;
  if (invoke.kind !== "lambdaUrl") return [];
  const base = { functionName: invoke.functionName, ...(invoke.qualifier ? { qualifier: invoke.qualifier } : {}) };
  const sid = (what: string) => `${target.roleName.replace(/[^A-Za-z0-9_.-]/g, "-")}-${what}`;
  return [
    { suffix: "url-invoke", statementId: sid("invoke-url"), action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "AWS_IAM", ...base },
    { suffix: "url-function-invoke", statementId: sid("invoke-via-url"), action: "lambda:InvokeFunction", invokedViaFunctionUrl: true, ...base },
  ];
}
