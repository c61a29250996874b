/**
 * Federated origins on AWS, without Pulumi: every refusal (code and exact key), the target
 * the model hands the translator, the pure IAM documents, and the gateway side.
 * (The documents are judged by an IAM simulator in federated-aws-simulator.test.ts; the
 * component under the mock engine in federated-aws-program.test.ts.)
 */
import { describe, expect, it } from "vitest";
import { executeApiArn, invokePermissionPolicy, lambdaUrlPermissions, oidcProviderArn, webIdentityConditionKeys, webIdentityTrustPolicy } from "../components/documents/aws-trust-policy";
import { ConfigError, type ConfigIssue } from "../components/errors";
import { awsFederatedGatewayConfig, awsFederatedVariables } from "../components/gateway/federated/aws";
import { variableSpecs } from "../components/gateway/variables";
import { gatewayConfigFor } from "../components/gateway/zuplo-policies";
import { GatelockConfig } from "../components/model/config";
import { type AwsFederatedTarget, checkAwsFederatedOrigins, defaultRoleName, parseRoute } from "../components/model/federated/aws";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { configKey } from "../components/model/issues";
import { buildModel, type FederatedOrigin } from "../components/model/model";

const SUB = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const AUD = "aws:acme:prod";
const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };

export function awsFederated(): Record<string, any> {
  return {
    name: "orders",
    method: "federated",
    cloud: "aws",
    url: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod",
    federated: { audience: AUD, subjects: [SUB] },
    aws: { region: "us-east-1", apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders", "GET /orders/{id}"] } },
  };
}

/** A copy of the fixture with `path` (dotted) set to `value`, or removed when `value` is undefined. */
function withKey(path: string, value: unknown, base: Record<string, any> = awsFederated()): Record<string, any> {
  const o = structuredClone(base);
  const keys = path.split(".");
  let cur = o;
  for (const k of keys.slice(0, -1)) cur = cur[k] ??= {};
  if (value === undefined) delete cur[keys.at(-1)!];
  else cur[keys.at(-1)!] = value;
  return o;
}

function issuesOf(...origins: object[]): readonly ConfigIssue[] {
  try {
    buildModel({ gateway, origins }, { stack: "test" });
    return [];
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
}

const at = (path: string, i = 0) => `gatelock:origins[${i}].${path}`;

/** `schema`: a syntax error zod reports (an expectation, no separate fix). */
function expectRefusal(origin: object, path: string, code: ConfigIssue["code"], kind: "check" | "schema" = "check") {
  const issues = issuesOf(origin);
  expect(issues, JSON.stringify(issues, null, 1)).toContainEqual(expect.objectContaining({ path: at(path), code }));
  const issue = issues.find((i) => i.path === at(path) && i.code === code)!;
  // Every judgement says how to fix it.
  if (kind === "check") expect(issue.fix ?? "").not.toBe("");
  else expect(issue.message).toMatch(/expected|unknown key/);
}

function model(...origins: object[]) {
  return buildModel({ gateway, origins }, { stack: "test" });
}
function aws(origin: Record<string, any> = awsFederated()): FederatedOrigin & { target: AwsFederatedTarget } {
  return model(origin).origins[0] as FederatedOrigin & { target: AwsFederatedTarget };
}

describe("the valid origin", () => {
  it("passes every check, with the defaults filled in", () => {
    expect(issuesOf(awsFederated())).toEqual([]);
    const o = aws();
    expect(o.target).toEqual({
      cloud: "aws",
      region: "us-east-1",
      partition: "aws",
      oidcProvider: { kind: "create" },
      roleName: "gatelock-test-orders",
      maxSessionDurationSeconds: 3600,
      invoke: { kind: "apiGateway", apiId: "a1b2c3d4e5", stage: "prod", routes: [{ method: "GET", path: "/orders" }, { method: "GET", path: "/orders/{id}" }] },
      managedPolicyArns: [],
      statements: [],
    });
    expect(o.trust).toMatchObject({ issuer: ZUPLO_ISSUER, audience: AUD, subjects: [SUB], wildcardSubjects: false, sharedIssuer: true });
  });

  it("accepts the bounds of the session duration, a boundary, an adopted provider, an alias URL and exact extras", () => {
    const o = withKey("aws", {
      region: "eu-west-1",
      accountId: "123456789012",
      oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${ZUPLO_ISSUER.slice(8)}`,
      maxSessionDurationSeconds: 43200,
      permissionsBoundary: "arn:aws:iam::123456789012:policy/gatelock-boundary",
      lambdaUrl: { functionName: "billing-api", qualifier: "live" },
      additionalManagedPolicyArns: ["arn:aws:iam::aws:policy/AmazonAPIGatewayInvokeFullAccess"],
      additionalStatements: [{ actions: ["sqs:SendMessage"], resources: ["arn:aws:sqs:eu-west-1:123456789012:events"] }],
    });
    expect(issuesOf(o)).toEqual([]);
    expect(issuesOf(withKey("aws.maxSessionDurationSeconds", 3600))).toEqual([]);
    expect(aws(o).target).toMatchObject({ oidcProvider: { kind: "adopt" }, maxSessionDurationSeconds: 43200, invoke: { kind: "lambdaUrl", functionName: "billing-api", qualifier: "live" } });
  });

  it("derives partitions from the region and a role name within IAM's 64 characters", () => {
    expect(aws(withKey("aws.region", "cn-north-1")).target.partition).toBe("aws-cn");
    expect(aws(withKey("aws.region", "us-gov-west-1")).target.partition).toBe("aws-us-gov");
    const long = defaultRoleName("production-europe-west-with-a-very-long-name", "billing-reconciliation-service-eu");
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^gatelock-production-europe-west-with-a-very-long-name-[a-z-]*-[0-9a-f]{8}$/);
    expect(defaultRoleName("production-europe-west-with-a-very-long-name", "billing-reconciliation-service-us")).not.toBe(long);
  });
});

describe("refusals common to every cloud, as they apply on AWS", () => {
  it("no subject pinning: the issuer is shared by every Zuplo customer", () => {
    expectRefusal(withKey("federated.subjects", []), "federated.subjects", "ERR_TRUST_UNSAFE");
    // The default, generic audience does not help: still refused without subjects.
    expectRefusal(withKey("federated", { audience: "sts.amazonaws.com", subjects: [] }), "federated.audience", "ERR_TRUST_UNSAFE");
  });

  it("a wildcard subject without the escape hatch, or an unanchored one with it", () => {
    expectRefusal(withKey("federated.subjects", ["atcl_*"]), "federated.subjects[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(withKey("federated", { audience: AUD, subjects: ["*"], dangerouslyAllowWildcardSubjects: true }), "federated.subjects[0]", "ERR_TRUST_UNSAFE");
  });

  it("a missing audience", () => {
    expectRefusal(withKey("federated.audience", undefined), "federated.audience", "ERR_TRUST_UNSAFE");
  });

  it("a missing aws block", () => {
    expectRefusal(withKey("aws", undefined), "aws", "ERR_CONFIG_INVALID");
  });
});

describe("refusals specific to AWS", () => {
  it("custom claims: an IAM trust can only check aud and sub", () => {
    expectRefusal(withKey("federated.claims", { environment_type: "production" }), "federated.claims", "ERR_CONFIG_CONFLICT");
  });

  it("an audience IAM cannot hold as a client ID, or a value IAM would read as a policy variable", () => {
    expectRefusal(withKey("federated.audience", "a".repeat(256)), "federated.audience", "ERR_CONFIG_INVALID");
    expect(issuesOf(withKey("federated.audience", "a".repeat(255)))).toEqual([]);
    expectRefusal(withKey("federated.audience", "aws:${aws:username}"), "federated.audience", "ERR_CONFIG_INVALID");
    expectRefusal(withKey("federated.subjects", [SUB, "atcl_${aws:userid}"]), "federated.subjects[1]", "ERR_CONFIG_INVALID");
  });

  it("a session duration out of AWS's range", () => {
    expectRefusal(withKey("aws.maxSessionDurationSeconds", 3599), "aws.maxSessionDurationSeconds", "ERR_CONFIG_INVALID");
    expectRefusal(withKey("aws.maxSessionDurationSeconds", 43201), "aws.maxSessionDurationSeconds", "ERR_CONFIG_INVALID");
    expectRefusal(withKey("aws.maxSessionDurationSeconds", 0), "aws.maxSessionDurationSeconds", "ERR_CONFIG_INVALID");
  });

  it("both targets, or neither", () => {
    expectRefusal(withKey("aws.lambdaUrl", { functionName: "billing" }), "aws.lambdaUrl", "ERR_CONFIG_CONFLICT");
    const neither = issuesOf(withKey("aws.apiGateway", undefined));
    expect(neither).toContainEqual(expect.objectContaining({ path: at("aws"), code: "ERR_CONFIG_INVALID", reason: "missing" }));
  });

  it("wildcard routes: `*` in method or path, ANY, $default", () => {
    const routes = (r: string[]) => withKey("aws.apiGateway.routes", r);
    expectRefusal(routes(["GET /orders", "GET /orders/*"]), "aws.apiGateway.routes[1]", "ERR_TRUST_UNSAFE");
    expectRefusal(routes(["* /orders"]), "aws.apiGateway.routes[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(routes(["*"]), "aws.apiGateway.routes[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(routes(["ANY /orders"]), "aws.apiGateway.routes[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(routes(["$default"]), "aws.apiGateway.routes[0]", "ERR_TRUST_UNSAFE");
  });

  it("malformed, duplicate or missing routes", () => {
    const routes = (r: string[]) => withKey("aws.apiGateway.routes", r);
    expectRefusal(routes(["get /orders"]), "aws.apiGateway.routes[0]", "ERR_CONFIG_INVALID");
    expectRefusal(routes(["GET orders"]), "aws.apiGateway.routes[0]", "ERR_CONFIG_INVALID");
    expectRefusal(routes(["GET  /orders"]), "aws.apiGateway.routes[0]", "ERR_CONFIG_INVALID");
    expectRefusal(routes(["GET /{proxy+}/x"]), "aws.apiGateway.routes[0]", "ERR_CONFIG_INVALID");
    expectRefusal(routes(["GET /orders", "GET /orders"]), "aws.apiGateway.routes[1]", "ERR_CONFIG_CONFLICT");
    expectRefusal(routes([]), "aws.apiGateway.routes", "ERR_CONFIG_INVALID");
    expect(issuesOf(routes(["GET /", "PUT /orders/{id}", "GET /files/{proxy+}", "DELETE /orders/{id}/items/{item}"]))).toEqual([]);
  });

  it("malformed identifiers, caught by the schema at their key", () => {
    expectRefusal(withKey("aws.accountId", "12345"), "aws.accountId", "ERR_CONFIG_INVALID", "schema");
    expectRefusal(withKey("aws.region", "mars-1"), "aws.region", "ERR_CONFIG_INVALID", "schema");
    expectRefusal(withKey("aws.apiGateway.apiId", "arn:aws:execute-api:x"), "aws.apiGateway.apiId", "ERR_CONFIG_INVALID", "schema");
    expectRefusal(withKey("aws.apiGateway.stage", "prod/x"), "aws.apiGateway.stage", "ERR_CONFIG_INVALID", "schema");
    expectRefusal(withKey("aws.lambdaUrl", { functionName: "arn:aws:lambda:us-east-1:123456789012:function:x" }, withKey("aws.apiGateway", undefined)), "aws.lambdaUrl.functionName", "ERR_CONFIG_INVALID", "schema");
    expectRefusal(withKey("aws.maxSessionDuration", 7200), "aws.maxSessionDuration", "ERR_CONFIG_INVALID", "schema");
  });

  it("invalid ARNs: permissions boundary, OIDC provider, managed policy, extra resource", () => {
    expectRefusal(withKey("aws.permissionsBoundary", "gatelock-boundary"), "aws.permissionsBoundary", "ERR_CONFIG_INVALID");
    expectRefusal(withKey("aws.oidcProviderArn", "arn:aws:iam::123456789012:role/x"), "aws.oidcProviderArn", "ERR_CONFIG_INVALID");
    expectRefusal(withKey("aws.additionalManagedPolicyArns", ["AdministratorAccess"]), "aws.additionalManagedPolicyArns[0]", "ERR_CONFIG_INVALID");
    expectRefusal(withKey("aws.additionalStatements", [{ actions: ["sqs:SendMessage"], resources: ["orders-events"] }]), "aws.additionalStatements[0].resources[0]", "ERR_CONFIG_INVALID");
    expectRefusal(withKey("aws.additionalStatements", [{ actions: ["SendMessage"], resources: ["arn:aws:sqs:us-east-1:123456789012:q"] }]), "aws.additionalStatements[0].actions[0]", "ERR_CONFIG_INVALID");
  });

  it("an adopted provider of another issuer, account or partition", () => {
    expectRefusal(withKey("aws.oidcProviderArn", "arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"), "aws.oidcProviderArn", "ERR_CONFIG_CONFLICT");
    const hostPath = ZUPLO_ISSUER.slice("https://".length);
    const o = withKey("aws.accountId", "123456789012", withKey("aws.oidcProviderArn", `arn:aws:iam::210987654321:oidc-provider/${hostPath}`));
    expectRefusal(o, "aws.oidcProviderArn", "ERR_CONFIG_CONFLICT");
    expectRefusal(withKey("aws.oidcProviderArn", `arn:aws-cn:iam::123456789012:oidc-provider/${hostPath}`), "aws.oidcProviderArn", "ERR_CONFIG_CONFLICT");
  });

  it("administrator-level managed policies", () => {
    for (const name of ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess", "AdministratorAccess-Amplify", "job-function/SystemAdministrator"]) {
      expectRefusal(withKey("aws.additionalManagedPolicyArns", [`arn:aws:iam::aws:policy/${name}`]), "aws.additionalManagedPolicyArns[0]", "ERR_TRUST_UNSAFE");
    }
    expectRefusal(withKey("aws.additionalManagedPolicyArns", ["arn:aws:iam::aws:policy/AmazonAPIGatewayInvokeFullAccess", "arn:aws:iam::aws:policy/AmazonAPIGatewayInvokeFullAccess"]), "aws.additionalManagedPolicyArns[1]", "ERR_CONFIG_CONFLICT");
  });

  it("`*`, `*:*` and `<service>:*` actions, and `*` resources, in extra statements", () => {
    const stmt = (actions: string[], resources: string[]) => withKey("aws.additionalStatements", [{ actions, resources }]);
    const q = "arn:aws:sqs:us-east-1:123456789012:orders-events";
    expectRefusal(stmt(["*"], [q]), "aws.additionalStatements[0].actions[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(stmt(["*:*"], [q]), "aws.additionalStatements[0].actions[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(stmt(["sqs:SendMessage", "iam:*"], [q]), "aws.additionalStatements[0].actions[1]", "ERR_TRUST_UNSAFE");
    expectRefusal(stmt(["sqs:SendMessage"], ["*"]), "aws.additionalStatements[0].resources[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(stmt(["s3:GetObject"], ["arn:aws:s3:::*"]), "aws.additionalStatements[0].resources[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(stmt(["sqs:SendMessage"], ["arn:aws:sqs:us-east-1:*:orders-events"]), "aws.additionalStatements[0].resources[0]", "ERR_TRUST_UNSAFE");
    expectRefusal(stmt([], [q]), "aws.additionalStatements[0].actions", "ERR_CONFIG_INVALID");
    expectRefusal(stmt(["sqs:SendMessage"], []), "aws.additionalStatements[0].resources", "ERR_CONFIG_INVALID");
  });

  it("a trust policy larger than IAM allows", () => {
    const subjects = Array.from({ length: 120 }, (_, i) => `atcl_${String(i).padStart(24, "0")}`);
    expectRefusal(withKey("federated.subjects", subjects), "federated.subjects", "ERR_CONFIG_INVALID");
    expect(issuesOf(withKey("federated.subjects", subjects.slice(0, 20)))).toEqual([]);
  });
});

describe("refusals across the stack's AWS origins (checkAwsFederatedOrigins)", () => {
  const stack = (...origins: object[]) => {
    const parsed = GatelockConfig.parse({ gateway, origins });
    return checkAwsFederatedOrigins(parsed.origins, "test", (i, ...rest) => configKey(["origins", i, ...rest]));
  };
  const hostPath = ZUPLO_ISSUER.slice("https://".length);
  const adopted = (name: string, account = "123456789012") => withKey("aws.oidcProviderArn", `arn:aws:iam::${account}:oidc-provider/${hostPath}`, withKey("name", name));

  it("accepts origins that all create, or all adopt the same provider", () => {
    expect(stack(awsFederated(), withKey("name", "billing"))).toEqual([]);
    expect(stack(adopted("orders"), adopted("billing"))).toEqual([]);
  });

  it("refuses one origin adopting the provider another creates, in either order", () => {
    expect(stack(awsFederated(), adopted("billing"))).toContainEqual(expect.objectContaining({ path: at("aws.oidcProviderArn", 1), code: "ERR_CONFIG_CONFLICT" }));
    expect(stack(adopted("orders"), withKey("name", "billing"))).toContainEqual(expect.objectContaining({ path: at("aws.oidcProviderArn", 1), code: "ERR_CONFIG_CONFLICT" }));
    expect(stack(adopted("orders"), adopted("billing", "210987654321"))).toContainEqual(expect.objectContaining({ path: at("aws.oidcProviderArn", 1), code: "ERR_CONFIG_CONFLICT" }));
  });

  it("refuses two accounts in one stack, and one role name twice", () => {
    const a = withKey("aws.accountId", "123456789012");
    const b = withKey("aws.accountId", "210987654321", withKey("name", "billing"));
    expect(stack(a, b)).toContainEqual(expect.objectContaining({ path: at("aws.accountId", 1), code: "ERR_CONFIG_CONFLICT" }));
    const r1 = withKey("aws.roleName", "gateway-orders");
    const r2 = withKey("aws.roleName", "gateway-orders", withKey("name", "billing"));
    expect(stack(r1, r2)).toContainEqual(expect.objectContaining({ path: at("aws.roleName", 1), code: "ERR_CONFIG_CONFLICT" }));
    // An explicit name that is another origin's default collides too.
    expect(stack(withKey("name", "billing"), withKey("aws.roleName", "gatelock-test-billing"))).toContainEqual(expect.objectContaining({ path: at("aws.roleName", 1), code: "ERR_CONFIG_CONFLICT" }));
  });
});

describe("the documents (pure)", () => {
  it("names IAM's condition keys and provider ARN after the issuer without its scheme", () => {
    expect(webIdentityConditionKeys(ZUPLO_ISSUER)).toEqual({
      aud: "dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD:aud",
      sub: "dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD:sub",
    });
    expect(oidcProviderArn("aws", "123456789012", ZUPLO_ISSUER)).toBe("arn:aws:iam::123456789012:oidc-provider/dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD");
  });

  it("never emits ForAllValues, sts:TagSession, an :iss key, or StringLike without the escape hatch", () => {
    const o = aws(withKey("federated.subjects", [SUB, "atcl_9hRtY2uE4wQ6pL8kJ0nB3vXc"]));
    const text = JSON.stringify(webIdentityTrustPolicy(o.trust, "arn:aws:iam::123456789012:oidc-provider/x"));
    for (const bad of ["ForAllValues", "ForAnyValue", "TagSession", ":iss", "StringLike", "IfExists"]) expect(text).not.toContain(bad);
  });

  it("refuses to write a trust policy the model would have refused", () => {
    const o = aws();
    expect(() => webIdentityTrustPolicy({ ...o.trust, subjects: [] }, "arn")).toThrow(/subjects/);
    expect(() => webIdentityTrustPolicy({ ...o.trust, audience: "" }, "arn")).toThrow(/audience/);
    expect(() => webIdentityTrustPolicy({ ...o.trust, subjects: ["atcl_*"] }, "arn")).toThrow(/dangerouslyAllowWildcardSubjects/);
  });

  it("turns routes into exact execute-api ARNs, path parameters into `*`", () => {
    const t = { partition: "aws", region: "us-east-1" };
    const arn = (r: string) => executeApiArn(t, "123456789012", "a1b2c3d4e5", "prod", parseRoute(r)!);
    expect(arn("GET /orders")).toBe("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/orders");
    expect(arn("GET /")).toBe("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/GET/");
    expect(arn("DELETE /orders/{id}/items/{item}")).toBe("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/prod/DELETE/orders/*/items/*");
    expect(executeApiArn(t, "123456789012", "a1b2c3d4e5", "$default", parseRoute("GET /files/{proxy+}")!)).toBe("arn:aws:execute-api:us-east-1:123456789012:a1b2c3d4e5/$default/GET/files/*");
  });

  it("grants a function URL both actions, confined to the URL, and two resource-based permissions", () => {
    const o = aws(withKey("aws", { region: "eu-west-1", lambdaUrl: { functionName: "billing-api", qualifier: "live" } }));
    const policy = invokePermissionPolicy(o.target, "123456789012");
    const fn = "arn:aws:lambda:eu-west-1:123456789012:function:billing-api:live";
    expect(policy.Statement).toEqual([
      { Sid: "GatelockInvokeFunctionUrl", Effect: "Allow", Action: "lambda:InvokeFunctionUrl", Resource: fn, Condition: { StringEquals: { "lambda:FunctionUrlAuthType": "AWS_IAM" } } },
      { Sid: "GatelockInvokeFunctionViaUrl", Effect: "Allow", Action: "lambda:InvokeFunction", Resource: fn, Condition: { Bool: { "lambda:InvokedViaFunctionUrl": "true" } } },
    ]);
    expect(lambdaUrlPermissions(o.target)).toEqual([
      { suffix: "url-invoke", statementId: "gatelock-test-orders-invoke-url", action: "lambda:InvokeFunctionUrl", functionUrlAuthType: "AWS_IAM", functionName: "billing-api", qualifier: "live" },
      { suffix: "url-function-invoke", statementId: "gatelock-test-orders-invoke-via-url", action: "lambda:InvokeFunction", invokedViaFunctionUrl: true, functionName: "billing-api", qualifier: "live" },
    ]);
    expect(lambdaUrlPermissions(aws().target)).toEqual([]);
    // Statement IDs follow the role, so another stack's grant on the same function never collides.
    const prod = buildModel({ gateway, origins: [withKey("aws", { region: "eu-west-1", lambdaUrl: { functionName: "billing-api" } })] }, { stack: "prod" }).origins[0] as FederatedOrigin & { target: AwsFederatedTarget };
    expect(lambdaUrlPermissions(prod.target).map((p) => p.statementId)).toEqual(["gatelock-prod-orders-invoke-url", "gatelock-prod-orders-invoke-via-url"]);
  });
});

describe("the gateway side", () => {
  it("needs the role ARN and region, neither secret, plus the origin URL", () => {
    const o = aws();
    const { roleArn, region } = awsFederatedVariables(o);
    expect([roleArn, region]).toEqual([
      { name: "ORDERS_AWS_ROLE_ARN", isSecret: false, origin: "orders", description: expect.any(String) },
      { name: "ORDERS_AWS_REGION", isSecret: false, origin: "orders", description: expect.any(String) },
    ]);
    expect(variableSpecs(o).map((v) => v.name)).toEqual(["ORDERS_AWS_ROLE_ARN", "ORDERS_AWS_REGION", "ORDERS_ORIGIN_URL"]);
    const keyed = awsFederatedVariables(aws(withKey("name", "order-svc")));
    expect([keyed.roleArn.name, keyed.region.name, keyed.url?.name]).toEqual(["ORDER_SVC_AWS_ROLE_ARN", "ORDER_SVC_AWS_REGION", "ORDER_SVC_ORIGIN_URL"]);
  });

  it("emits Zuplo's upstream AWS federated policy with the pinned audience, never the default", () => {
    const o = aws();
    expect(awsFederatedGatewayConfig(o)).toEqual({
      origin: "orders",
      policies: [
        {
          name: "gatelock-orders-aws-federated",
          policyType: "upstream-aws-federated-auth-inbound",
          handler: {
            export: "UpstreamAwsFederatedAuthInboundPolicy",
            module: "$import(@zuplo/runtime)",
            options: { roleArn: "$env(ORDERS_AWS_ROLE_ARN)", region: "$env(ORDERS_AWS_REGION)", audience: AUD },
          },
        },
      ],
      inbound: ["gatelock-orders-aws-federated"],
    });
    // The program adds the forward handler for the origin URL: gatelock's, which signs with the
    // policy's credentials (urlForwardHandler would forward unsigned; test/federated-aws-forward.test.ts).
    expect(gatewayConfigFor(o).handler).toEqual({
      export: "default",
      module: "$import(./modules/gatelock-aws-forward)",
      options: { baseUrl: "${env.ORDERS_ORIGIN_URL}", service: "execute-api", region: "${env.ORDERS_AWS_REGION}" },
    });
  });

  it("the role ARN the gateway gets passes the Zuplo policy's own check", () => {
    // UpstreamAwsFederatedAuthInboundPolicy (runtime 7.6.4) requires this shape of `roleArn`.
    expect(`arn:aws:iam::123456789012:role/${aws().target.roleName}`).toMatch(/^arn:aws[\w-]*:iam::\d{12}:role\/.+/);
  });
});
