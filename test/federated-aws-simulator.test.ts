/**
 * The IAM documents gatelock registers for federated origins on AWS, judged by an IAM policy
 * simulator nobody here wrote: @cloud-copilot/iam-simulate (a dev dependency only; AGPL-3.0).
 *
 * The documents are taken from what the real program registers under the mock engine, with
 * the provider ARN the fake returns, so the test judges exactly what `pulumi up` would send.
 *
 * A vacuous oracle is the danger here. `runSimulation` validates context keys against the
 * IAM service reference and silently drops keys it does not know, and a custom issuer's
 * `<host/path>:aud` and `:sub` are unknown to it: every web-identity request then comes back
 * denied, whatever the trust policy says. So the trust policy is evaluated with
 * `runUnsafeSimulation`, which takes the context as given, the allowed case comes first, and
 * every denial is paired with the same request allowed but for the one thing that changed.
 * The first block proves the trap is real and that the evaluation path avoids it.
 */
import { runSimulation, runUnsafeSimulation, type Simulation } from "@cloud-copilot/iam-simulate";
import { beforeAll, describe, expect, it } from "vitest";
import { lambdaUrlPermissions } from "../components/documents/aws-trust-policy";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { type FederatedOrigin } from "../components/model/model";
import { UNFAKED } from "../components/testing/fakes";
import { one, type ProgramRun, reveal, runProgram } from "./harness";

const ACCOUNT = "123456789012";
const OTHER_ACCOUNT = "210987654321";
const KEY = "dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD";
const PROVIDER = `arn:aws:iam::${ACCOUNT}:oidc-provider/${KEY}`;
const SUB = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const SUB_2 = "atcl_9hRtY2uE4wQ6pL8kJ0nB3vXc";
const FOREIGN_SUB = "atcl_Fz7Kq1Xw9Lm3Np5Rt2Vb8Yc4"; // another Zuplo customer's environment
const AUD = "aws:acme:prod";

const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };
const origins = [
  {
    name: "orders",
    method: "federated",
    cloud: "aws",
    federated: { audience: AUD, subjects: [SUB, SUB_2] },
    aws: {
      region: "us-east-1",
      apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders", "GET /orders/{id}", "POST /orders"] },
      additionalStatements: [{ actions: ["sqs:SendMessage"], resources: [`arn:aws:sqs:us-east-1:${ACCOUNT}:orders-events`] }],
    },
  },
  {
    name: "billing",
    method: "federated",
    cloud: "aws",
    federated: { audience: "aws:acme:billing", subjects: [SUB] },
    aws: { region: "us-east-1", lambdaUrl: { functionName: "billing-api" } },
  },
  {
    name: "previews",
    method: "federated",
    cloud: "aws",
    federated: { audience: "aws:acme:previews", subjects: [SUB, "atcl_preview_*"], dangerouslyAllowWildcardSubjects: true },
    aws: { region: "us-east-1", lambdaUrl: { functionName: "previews", qualifier: "live" } },
  },
];

let run: ProgramRun;
const policyOf = (type: string, name: string, key: string) => JSON.parse(String(reveal(one(run.resources, type, name).inputs[key])));
const trustOf = (origin: string) => policyOf("aws:iam/role:Role", `${origin}-role`, "assumeRolePolicy");
const permissionsOf = (origin: string) => policyOf("aws:iam/rolePolicy:RolePolicy", `${origin}-invoke`, "policy");

beforeAll(async () => {
  UNFAKED.length = 0;
  run = await runProgram({ gateway, origins });
  expect(UNFAKED).toEqual([]);
});

/** Wraps a document as iam-policy's ValidatedPolicy: `runUnsafeSimulation` needs the name it carries. */
function validated(policy: unknown, name: string) {
  return { __validated: true, policyDocument: policy, metadata: { name }, errors: [] };
}

interface Token {
  /** The principal AWS sees for AssumeRoleWithWebIdentity: the provider the token matched. */
  provider?: string;
  /** `null`: the key is absent from the request. */
  aud?: string | null;
  sub?: string | null;
  /** Condition-key prefix of the token's issuer. */
  issuerKey?: string;
  action?: string;
}

function webIdentityRequest(trust: unknown, roleName: string, t: Token = {}): Simulation {
  const key = t.issuerKey ?? KEY;
  const context: Record<string, string> = {};
  if (t.aud !== null) context[`${key}:aud`] = t.aud ?? AUD;
  if (t.sub !== null) context[`${key}:sub`] = t.sub ?? SUB;
  return {
    request: {
      principal: t.provider ?? PROVIDER,
      action: t.action ?? "sts:AssumeRoleWithWebIdentity",
      resource: { resource: `arn:aws:iam::${ACCOUNT}:role/${roleName}`, accountId: ACCOUNT },
      contextVariables: context,
    },
    identityPolicies: [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    resourcePolicy: trust,
  };
}

/** Evaluates a trust policy with the context exactly as given (see the file comment). */
function assume(trust: unknown, roleName: string, t: Token = {}): string {
  return runUnsafeSimulation({ ...webIdentityRequest(trust, roleName, t), resourcePolicy: validated(trust, "trust-policy") }, {});
}

describe("the oracle itself", () => {
  it("runSimulation accepts the trust policy as valid IAM, but ignores the issuer's condition keys (the vacuous trap)", async () => {
    const trust = trustOf("orders");
    const result = await runSimulation(webIdentityRequest(trust, "gatelock-test-orders"), {});
    if (result.resultType === "error") throw new Error(`simulator refused the policy: ${JSON.stringify(result.errors)}`);
    expect(result.resultType).toBe("single");
    // The right token, and still denied: the keys were dropped, so a denial from here proves nothing.
    expect(result.overallResult).toBe("ImplicitlyDenied");
    if (result.resultType === "single") expect(result.result.ignoredContextKeys).toEqual([`${KEY}:aud`, `${KEY}:sub`]);
  });

  it("runUnsafeSimulation evaluates the keys: the right token is allowed, and removing or changing either key flips it", () => {
    const trust = trustOf("orders");
    expect(assume(trust, "gatelock-test-orders")).toBe("Allowed");
    expect(assume(trust, "gatelock-test-orders", { sub: null })).toBe("ImplicitlyDenied");
    expect(assume(trust, "gatelock-test-orders", { aud: null })).toBe("ImplicitlyDenied");
    expect(assume(trust, "gatelock-test-orders", { sub: `${SUB}x` })).toBe("ImplicitlyDenied");
    expect(assume(trust, "gatelock-test-orders", { aud: `${AUD}x` })).toBe("ImplicitlyDenied");
  });

  it("tells a subject-pinned trust from one that is not: dropping the `:sub` condition lets a foreign subject in", () => {
    const trust = trustOf("orders");
    const mutant = structuredClone(trust);
    delete mutant.Statement[0].Condition.StringEquals[`${KEY}:sub`];
    expect(assume(mutant, "gatelock-test-orders", { sub: FOREIGN_SUB })).toBe("Allowed");
    expect(assume(trust, "gatelock-test-orders", { sub: FOREIGN_SUB })).toBe("ImplicitlyDenied");
  });

  it("models the ForAllValues pitfall gatelock avoids: true when the key is absent", () => {
    const trust = trustOf("orders");
    const mutant = structuredClone(trust);
    const cond = mutant.Statement[0].Condition;
    mutant.Statement[0].Condition = { "ForAllValues:StringEquals": cond.StringEquals };
    expect(assume(mutant, "gatelock-test-orders", { sub: null, aud: null })).toBe("Allowed");
    expect(assume(trust, "gatelock-test-orders", { sub: null, aud: null })).toBe("ImplicitlyDenied");
  });
});

describe("the role trust policy", () => {
  it("has the shape the issue asks for: one Allow per operator, the provider as principal, StringEquals on aud and sub", () => {
    const trust = trustOf("orders");
    expect(trust).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GatelockGatewayExactSubjects",
          Effect: "Allow",
          Principal: { Federated: PROVIDER },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${KEY}:aud`]: AUD, [`${KEY}:sub`]: [SUB, SUB_2] } },
        },
      ],
    });
    // The provider in the trust is the one the stack created for the issuer.
    expect(reveal(one(run.resources, "aws:iam/openIdConnectProvider:OpenIdConnectProvider").inputs.url)).toBe(ZUPLO_ISSUER);
  });

  it("allows the gateway's token: pinned audience and each pinned subject, from the right provider", () => {
    expect(assume(trustOf("orders"), "gatelock-test-orders", { sub: SUB })).toBe("Allowed");
    expect(assume(trustOf("orders"), "gatelock-test-orders", { sub: SUB_2 })).toBe("Allowed");
    expect(assume(trustOf("billing"), "gatelock-test-billing", { aud: "aws:acme:billing" })).toBe("Allowed");
  });

  it("denies another subject: another Zuplo customer on the same shared issuer", () => {
    expect(assume(trustOf("orders"), "gatelock-test-orders", { sub: FOREIGN_SUB })).toBe("ImplicitlyDenied");
    // Case matters: IAM compares exactly.
    expect(assume(trustOf("orders"), "gatelock-test-orders", { sub: SUB.toUpperCase() })).toBe("ImplicitlyDenied");
  });

  it("denies another audience: Zuplo's and AWS's default, and another origin's", () => {
    expect(assume(trustOf("orders"), "gatelock-test-orders", { aud: "sts.amazonaws.com" })).toBe("ImplicitlyDenied");
    expect(assume(trustOf("orders"), "gatelock-test-orders", { aud: "aws:acme:billing" })).toBe("ImplicitlyDenied");
    expect(assume(trustOf("billing"), "gatelock-test-billing", { aud: AUD })).toBe("ImplicitlyDenied");
  });

  it("denies another provider: the same issuer in another account, and another issuer with the same claims", () => {
    const trust = trustOf("orders");
    expect(assume(trust, "gatelock-test-orders", { provider: `arn:aws:iam::${OTHER_ACCOUNT}:oidc-provider/${KEY}` })).toBe("ImplicitlyDenied");
    const gh = "token.actions.githubusercontent.com";
    expect(assume(trust, "gatelock-test-orders", { provider: `arn:aws:iam::${ACCOUNT}:oidc-provider/${gh}`, issuerKey: gh })).toBe("ImplicitlyDenied");
    // Same provider principal but the claims under another issuer's keys: not this issuer's token.
    expect(assume(trust, "gatelock-test-orders", { issuerKey: gh })).toBe("ImplicitlyDenied");
  });

  it("allows nothing but AssumeRoleWithWebIdentity, and no AWS principal", () => {
    const trust = trustOf("orders");
    expect(assume(trust, "gatelock-test-orders", { action: "sts:AssumeRole" })).toBe("ImplicitlyDenied");
    expect(assume(trust, "gatelock-test-orders", { action: "sts:TagSession" })).toBe("ImplicitlyDenied");
    expect(assume(trust, "gatelock-test-orders", { provider: `arn:aws:iam::${ACCOUNT}:role/someone` })).toBe("ImplicitlyDenied");
  });

  it("with the escape hatch, matches patterns with StringLike in a statement of its own, still pinned to the audience", () => {
    const trust = trustOf("previews");
    expect(trust.Statement.map((s: any) => Object.keys(s.Condition))).toEqual([["StringEquals"], ["StringEquals", "StringLike"]]);
    expect(trust.Statement[1].Condition.StringLike).toEqual({ [`${KEY}:sub`]: "atcl_preview_*" });
    const role = "gatelock-test-previews";
    expect(assume(trust, role, { aud: "aws:acme:previews", sub: SUB })).toBe("Allowed");
    expect(assume(trust, role, { aud: "aws:acme:previews", sub: "atcl_preview_42" })).toBe("Allowed");
    expect(assume(trust, role, { aud: "aws:acme:previews", sub: "atcl_other_42" })).toBe("ImplicitlyDenied");
    expect(assume(trust, role, { aud: AUD, sub: "atcl_preview_42" })).toBe("ImplicitlyDenied");
    // Without the hatch, no statement uses StringLike.
    expect(JSON.stringify(trustOf("orders"))).not.toContain("StringLike");
  });
});

/** Identity-policy request for the role's session (what the gateway signs with). */
async function invoke(origin: string, action: string, resource: string, context: Record<string, string> = {}, identity = true, resourcePolicy?: unknown) {
  const sim: Simulation = {
    request: {
      principal: `arn:aws:sts::${ACCOUNT}:assumed-role/gatelock-test-${origin}/zuplo`,
      action,
      resource: { resource, accountId: resource.split(":")[4] || ACCOUNT },
      contextVariables: context,
    },
    identityPolicies: identity ? [{ name: "gatelock-invoke", policy: permissionsOf(origin) }] : [],
    serviceControlPolicies: [],
    resourceControlPolicies: [],
    ...(resourcePolicy ? { resourcePolicy } : {}),
  };
  const result = await runSimulation(sim, {});
  if (result.resultType === "error") throw new Error(`simulator refused the request: ${JSON.stringify(result.errors)}`);
  if (result.resultType === "single") expect(result.result.ignoredContextKeys ?? []).toEqual([]);
  return result.overallResult;
}

describe("the role's permissions: an IAM-authorized API Gateway", () => {
  const api = (path: string, account = ACCOUNT, region = "us-east-1") => `arn:aws:execute-api:${region}:${account}:${path}`;

  it("allows execute-api:Invoke on the configured routes, including a path parameter", async () => {
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/GET/orders"))).toBe("Allowed");
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/GET/orders/o-123"))).toBe("Allowed");
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/POST/orders"))).toBe("Allowed");
  });

  it("denies another method, route, stage, API, account and region", async () => {
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/DELETE/orders/o-123"))).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/POST/orders/o-123"))).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/GET/customers"))).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/staging/GET/orders"))).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "execute-api:Invoke", api("z9y8x7w6v5/prod/GET/orders"))).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/GET/orders", OTHER_ACCOUNT))).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "execute-api:Invoke", api("a1b2c3d4e5/prod/GET/orders", ACCOUNT, "eu-west-1"))).toBe("ImplicitlyDenied");
  });

  it("grants the extra statement exactly, and nothing of the function origins", async () => {
    expect(await invoke("orders", "sqs:SendMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-events`)).toBe("Allowed");
    expect(await invoke("orders", "sqs:SendMessage", `arn:aws:sqs:us-east-1:${ACCOUNT}:other-queue`)).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "sqs:DeleteQueue", `arn:aws:sqs:us-east-1:${ACCOUNT}:orders-events`)).toBe("ImplicitlyDenied");
    expect(await invoke("orders", "lambda:InvokeFunctionUrl", `arn:aws:lambda:us-east-1:${ACCOUNT}:function:billing-api`, { "lambda:FunctionUrlAuthType": "AWS_IAM" })).toBe("ImplicitlyDenied");
  });
});

describe("the role's permissions: a Lambda function URL with AuthType AWS_IAM", () => {
  const fn = (name: string, account = ACCOUNT) => `arn:aws:lambda:us-east-1:${account}:function:${name}`;

  it("allows both actions a function URL needs, on the function, through its IAM-authenticated URL", async () => {
    expect(await invoke("billing", "lambda:InvokeFunctionUrl", fn("billing-api"), { "lambda:FunctionUrlAuthType": "AWS_IAM" })).toBe("Allowed");
    expect(await invoke("billing", "lambda:InvokeFunction", fn("billing-api"), { "lambda:InvokedViaFunctionUrl": "true" })).toBe("Allowed");
  });

  it("evaluates the URL conditions: a direct Invoke, or a URL without IAM auth, is denied", async () => {
    expect(await invoke("billing", "lambda:InvokeFunction", fn("billing-api"))).toBe("ImplicitlyDenied");
    expect(await invoke("billing", "lambda:InvokeFunction", fn("billing-api"), { "lambda:InvokedViaFunctionUrl": "false" })).toBe("ImplicitlyDenied");
    expect(await invoke("billing", "lambda:InvokeFunctionUrl", fn("billing-api"), { "lambda:FunctionUrlAuthType": "NONE" })).toBe("ImplicitlyDenied");
  });

  it("denies another function, another account, and other actions on the function", async () => {
    expect(await invoke("billing", "lambda:InvokeFunctionUrl", fn("payroll"), { "lambda:FunctionUrlAuthType": "AWS_IAM" })).toBe("ImplicitlyDenied");
    expect(await invoke("billing", "lambda:InvokeFunction", fn("payroll"), { "lambda:InvokedViaFunctionUrl": "true" })).toBe("ImplicitlyDenied");
    expect(await invoke("billing", "lambda:InvokeFunctionUrl", fn("billing-api", OTHER_ACCOUNT), { "lambda:FunctionUrlAuthType": "AWS_IAM" })).toBe("ImplicitlyDenied");
    expect(await invoke("billing", "lambda:UpdateFunctionCode", fn("billing-api"))).toBe("ImplicitlyDenied");
    expect(await invoke("billing", "lambda:GetFunction", fn("billing-api"))).toBe("ImplicitlyDenied");
  });

  it("confines an alias's URL to the alias", async () => {
    expect(await invoke("previews", "lambda:InvokeFunctionUrl", `${fn("previews")}:live`, { "lambda:FunctionUrlAuthType": "AWS_IAM" })).toBe("Allowed");
    expect(await invoke("previews", "lambda:InvokeFunctionUrl", `${fn("previews")}:canary`, { "lambda:FunctionUrlAuthType": "AWS_IAM" })).toBe("ImplicitlyDenied");
  });

  /**
   * The statements Lambda's AddPermission writes to the function's policy for the recorded
   * Permission inputs (AWS Lambda docs, "urls-auth": `--function-url-auth-type AWS_IAM` adds
   * `StringEquals lambda:FunctionUrlAuthType`, `--invoked-via-function-url` adds
   * `Bool lambda:InvokedViaFunctionUrl`).
   */
  function functionPolicy(origin: string) {
    const perms = run.resources.filter((r) => r.type === "aws:lambda/permission:Permission" && r.parent?.endsWith(`::${origin}`));
    return {
      Version: "2012-10-17",
      Statement: perms.map((p) => {
        const i = reveal(p.inputs) as Record<string, any>;
        return {
          Sid: i.statementId,
          Effect: "Allow",
          Principal: { AWS: i.principal },
          Action: i.action,
          Resource: fn(i.function),
          ...(i.functionUrlAuthType ? { Condition: { StringEquals: { "lambda:FunctionUrlAuthType": i.functionUrlAuthType } } } : {}),
          ...(i.invokedViaFunctionUrl ? { Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } } } : {}),
        };
      }),
    };
  }

  it("the function's resource-based permissions alone admit the role through the URL, and no one else", async () => {
    const policy = functionPolicy("billing");
    expect(policy.Statement).toHaveLength(2);
    const url = { "lambda:FunctionUrlAuthType": "AWS_IAM" };
    const via = { "lambda:InvokedViaFunctionUrl": "true" };
    expect(await invoke("billing", "lambda:InvokeFunctionUrl", fn("billing-api"), url, false, policy)).toBe("Allowed");
    expect(await invoke("billing", "lambda:InvokeFunction", fn("billing-api"), via, false, policy)).toBe("Allowed");
    expect(await invoke("billing", "lambda:InvokeFunction", fn("billing-api"), {}, false, policy)).toBe("ImplicitlyDenied");
    // Another role of the account (e.g. the orders origin's) gets nothing from them.
    expect(await invoke("orders", "lambda:InvokeFunctionUrl", fn("billing-api"), url, false, policy)).toBe("ImplicitlyDenied");
  });

  it("the recorded permissions are the ones the pure function describes", () => {
    const origin = run.deployment.model.origins.find((o) => o.name === "billing") as FederatedOrigin;
    if (origin.target.cloud !== "aws") throw new Error("expected aws");
    const expected = lambdaUrlPermissions(origin.target).map((p) => p.statementId);
    expect(functionPolicy("billing").Statement.map((s) => s.Sid)).toEqual(expected);
  });
});
