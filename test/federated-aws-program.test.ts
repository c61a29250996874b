/**
 * Federated origins on AWS under the mock engine, with faithful fakes that refuse what AWS
 * refuses (notably a second OIDC provider for one URL in an account): one provider shared by
 * every AWS origin of the stack, or adopted and then none created; the role's inputs; the
 * Lambda resource-based permissions; and the gateway's variables and Zuplo policy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runAudit } from "../components/audit/report";
import { AwsFederatedOrigin } from "../components/aws/federated-origin";
import { AwsOidcProvider } from "../components/aws/oidc-provider";
import { zuploGateway } from "../components/component/checked-origin";
import { GatelockError } from "../components/errors";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { FakeCloud, UNFAKED } from "../components/testing/fakes";
import { AWS_FAKES } from "../components/testing/fakes-aws";
import { ofType, one, type ProgramRun, type RecordedResource, reveal, runProgram } from "./harness";

const ACCOUNT = "123456789012";
const KEY = ZUPLO_ISSUER.slice("https://".length);
const PROVIDER_ARN = `arn:aws:iam::${ACCOUNT}:oidc-provider/${KEY}`;
const SUB = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };

const T = {
  oidc: "aws:iam/openIdConnectProvider:OpenIdConnectProvider",
  oidcComponent: "gatelock:aws:OidcProvider",
  origin: "gatelock:aws:FederatedOrigin",
  role: "aws:iam/role:Role",
  rolePolicy: "aws:iam/rolePolicy:RolePolicy",
  attachment: "aws:iam/rolePolicyAttachment:RolePolicyAttachment",
  permission: "aws:lambda/permission:Permission",
  variable: "pulumi-nodejs:dynamic/gatelock:ZuploVariable",
};

function orders(over: Record<string, unknown> = {}) {
  return {
    name: "orders",
    method: "federated",
    cloud: "aws",
    url: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod",
    federated: { audience: "aws:acme:prod", subjects: [SUB] },
    aws: { region: "us-east-1", apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders", "GET /orders/{id}"] } },
    ...over,
  };
}
function billing(over: Record<string, unknown> = {}, aws: Record<string, unknown> = {}) {
  return {
    name: "billing",
    method: "federated",
    cloud: "aws",
    federated: { audience: "aws:acme:billing", subjects: [SUB] },
    aws: { region: "eu-west-1", lambdaUrl: { functionName: "billing-api" }, ...aws },
    ...over,
  };
}
const cfg = (...origins: object[]) => structuredClone({ gateway, origins });
const adopt = { oidcProviderArn: PROVIDER_ARN };

const json = (r: RecordedResource, key: string) => JSON.parse(String(reveal(r.inputs[key])));
const byParent = (rs: readonly RecordedResource[], type: string, parent: RecordedResource) => ofType(rs, type).filter((r) => r.parent === parent.urn);
const originComponent = (rs: readonly RecordedResource[], name: string) => ofType(rs, T.origin).find((r) => r.name === name)!;

async function runOk(config: unknown, options: Parameters<typeof runProgram>[1] = {}): Promise<ProgramRun> {
  UNFAKED.length = 0;
  const run = await runProgram(config, options);
  expect(UNFAKED).toEqual([]);
  return run;
}

async function failure(p: Promise<unknown>): Promise<Error & { code?: string }> {
  try {
    await p;
  } catch (e) {
    return (e instanceof MockRunError ? e.cause : e) as Error & { code?: string };
  }
  throw new Error("expected the program to fail");
}

describe("the OIDC provider", () => {
  it("is one per issuer, shared by every AWS federated origin of the stack, serving all their audiences", async () => {
    const run = await runOk(cfg(orders(), billing()));
    const providers = ofType(run.resources, T.oidc);
    expect(providers).toHaveLength(1);
    const provider = providers[0]!;
    expect(reveal(provider.inputs)).toEqual({ url: ZUPLO_ISSUER, clientIdLists: ["aws:acme:billing", "aws:acme:prod"], tags: { "managed-by": "gatelock" } });
    // No thumbprints: IAM checks the issuer's certificate against its trusted CAs.
    expect(provider.inputs.thumbprintLists).toBeUndefined();
    // Its own component at the stack's root, so its URN survives origins coming and going.
    const component = one(run.resources, T.oidcComponent);
    expect(provider.parent).toBe(component.urn);
    expect(component.parent).toMatch(/pulumi:pulumi:Stack::gatelock-test$/);
    expect(component.inputs).toEqual({});
    // Both roles trust that provider.
    for (const name of ["orders", "billing"]) {
      const role = byParent(run.resources, T.role, originComponent(run.resources, name))[0]!;
      expect(json(role, "assumeRolePolicy").Statement[0].Principal).toEqual({ Federated: PROVIDER_ARN });
      // Created only after the provider exists.
      expect(role.dependsOn.some((urn) => urn === component.urn || urn === provider.urn)).toBe(true);
    }
    expect(run.outputs.origins.orders!.resources.oidcProviderArn).toBe(PROVIDER_ARN);
  });

  it("lists an audience once however many origins pin it", async () => {
    const run = await runOk(cfg(orders(), billing({ federated: { audience: "aws:acme:prod", subjects: [SUB] } })));
    expect(reveal(one(run.resources, T.oidc).inputs.clientIdLists)).toEqual(["aws:acme:prod"]);
  });

  it("is adopted by ARN: then none is created and the trust names the adopted one", async () => {
    const adopted = `arn:aws:iam::${ACCOUNT}:oidc-provider/${KEY}`;
    const run = await runOk(cfg(orders({ aws: { ...orders().aws, ...adopt } }), billing({}, adopt)));
    expect(ofType(run.resources, T.oidc)).toEqual([]);
    expect(ofType(run.resources, T.oidcComponent)).toEqual([]);
    for (const role of ofType(run.resources, T.role)) expect(json(role, "assumeRolePolicy").Statement[0].Principal).toEqual({ Federated: adopted });
    expect(run.outputs.origins.billing!.resources).toMatchObject({ oidcProviderArn: adopted, oidcProvider: "adopted" });
  });

  it("is refused when one origin adopts it and another would create it, whichever comes first", async () => {
    for (const origins of [[orders(), billing({}, adopt)], [orders({ aws: { ...orders().aws, ...adopt } }), billing()]]) {
      const e = await failure(runProgram(cfg(...origins)));
      expect(e).toBeInstanceOf(GatelockError);
      expect(e.code).toBe("ERR_CONFIG_CONFLICT");
      expect(e.message).toContain("gatelock:origins[1].aws.oidcProviderArn");
    }
  });

  it("is created afresh by every run in the process, never reused from a previous stack run", async () => {
    const first = await runOk(cfg(orders({ aws: { ...orders().aws, ...adopt } })));
    expect(ofType(first.resources, T.oidc)).toEqual([]);
    const second = await runOk(cfg(billing()));
    expect(reveal(one(second.resources, T.oidc).inputs.clientIdLists)).toEqual(["aws:acme:billing"]);
    const third = await runOk(cfg(orders()));
    // Only this run's audience: nothing carried over from the second run.
    expect(reveal(one(third.resources, T.oidc).inputs.clientIdLists)).toEqual(["aws:acme:prod"]);
    expect(json(one(third.resources, T.role), "assumeRolePolicy").Statement[0].Principal.Federated).toBe(PROVIDER_ARN);
  });

  it("the fake refuses a second provider for the URL in an account, as AWS does, so sharing is really checked", () => {
    const fake = AWS_FAKES[T.oidc]!;
    const cloud = new FakeCloud();
    const ctx = cloud.context();
    const args = (name: string, clientIdLists: string[]) => ({ type: T.oidc, name, inputs: { url: ZUPLO_ISSUER, clientIdLists }, custom: true }) as never;
    expect(fake(args("one", ["a"]), ctx).id).toBe(PROVIDER_ARN);
    expect(() => fake(args("two", ["b"]), ctx)).toThrow(/EntityAlreadyExists/);
    // Another account (another run's options) may have its own.
    expect(fake(args("two", ["b"]), new FakeCloud().context()).id).toBe(PROVIDER_ARN);
  });

  it("is an explicit resource: origins built after an await share it, and keep their resource options", async () => {
    const run = await runUnderMocks(
      async () => {
        const gw = zuploGateway(gateway);
        const provider = new AwsOidcProvider("zuplo", { issuer: ZUPLO_ISSUER, clientIds: ["aws:acme:prod", "aws:acme:billing"] });
        await new Promise((r) => setImmediate(r));
        const o = orders();
        new AwsFederatedOrigin("orders", { gateway: gw, ...o.federated, ...o.aws, oidcProviderArn: provider.arn }, { protect: true });
        await new Promise((r) => setImmediate(r));
        const b = billing();
        new AwsFederatedOrigin("billing", { gateway: gw, ...b.federated, ...b.aws, oidcProviderArn: provider.arn });
        return {};
      },
      { stack: "test" },
    );
    expect(ofType(run.resources, T.oidc)).toHaveLength(1);
    for (const name of ["orders-role", "billing-role"]) {
      expect(json(one(run.resources, T.role, name), "assumeRolePolicy").Statement[0].Principal.Federated).toBe(PROVIDER_ARN);
    }
  });
});

describe("the role", () => {
  it("has the configured name, session duration, boundary and tags, and a trust pinned to audience and subject", async () => {
    const boundary = `arn:aws:iam::${ACCOUNT}:policy/gatelock-boundary`;
    const run = await runOk(cfg(orders({ aws: { ...orders().aws, roleName: "zuplo-orders", maxSessionDurationSeconds: 7200, permissionsBoundary: boundary } })));
    const role = one(run.resources, T.role);
    expect(role.parent).toBe(one(run.resources, T.origin).urn);
    expect(reveal(role.inputs)).toMatchObject({ name: "zuplo-orders", maxSessionDuration: 7200, permissionsBoundary: boundary, tags: { "managed-by": "gatelock", "gatelock-origin": "orders" } });
    expect(json(role, "assumeRolePolicy")).toEqual({
      Version: "2012-10-17",
      Statement: [
        {
          Sid: "GatelockGatewayExactSubjects",
          Effect: "Allow",
          Principal: { Federated: PROVIDER_ARN },
          Action: "sts:AssumeRoleWithWebIdentity",
          Condition: { StringEquals: { [`${KEY}:aud`]: "aws:acme:prod", [`${KEY}:sub`]: SUB } },
        },
      ],
    });
    expect(run.outputs.origins.orders!.resources.roleArn).toBe(`arn:aws:iam::${ACCOUNT}:role/zuplo-orders`);
  });

  it("defaults to a one-hour session, no boundary, and a name per stack", async () => {
    const run = await runOk(cfg(orders()), { stack: "prod" });
    const role = one(run.resources, T.role);
    expect(role.inputs.maxSessionDuration).toBe(3600);
    expect(role.inputs.permissionsBoundary).toBeUndefined();
    expect(role.inputs.name).toBe("gatelock-prod-orders");
  });

  it("may invoke the configured routes only, in the account the provider's credentials name", async () => {
    const run = await runOk(cfg(orders()), { fakes: new FakeCloud({ awsAccountId: "555566667777" }) });
    const policy = one(run.resources, T.rolePolicy);
    expect(policy.inputs.role).toBe("gatelock-test-orders");
    expect(json(policy, "policy").Statement).toEqual([
      {
        Sid: "GatelockInvokeApiRoutes",
        Effect: "Allow",
        Action: "execute-api:Invoke",
        Resource: ["arn:aws:execute-api:us-east-1:555566667777:a1b2c3d4e5/prod/GET/orders", "arn:aws:execute-api:us-east-1:555566667777:a1b2c3d4e5/prod/GET/orders/*"],
      },
    ]);
    expect(ofType(run.resources, T.permission)).toEqual([]);
    expect(ofType(run.resources, T.attachment)).toEqual([]);
  });

  it("uses a configured account without asking the provider's credentials", async () => {
    class CountingCloud extends FakeCloud {
      calls: string[] = [];
      override call(args: Parameters<FakeCloud["call"]>[0]) {
        this.calls.push(args.token);
        return super.call(args);
      }
    }
    const counted = new CountingCloud({ awsAccountId: ACCOUNT });
    const run = await runOk(cfg(orders({ aws: { ...orders().aws, accountId: ACCOUNT } })), { fakes: counted });
    expect(counted.calls).toEqual([]);
    expect(JSON.stringify(json(one(run.resources, T.rolePolicy), "policy"))).toContain(`:${ACCOUNT}:a1b2c3d4e5/prod/GET/orders`);
    const looked = new CountingCloud({ awsAccountId: ACCOUNT });
    await runOk(cfg(orders()), { fakes: looked });
    expect(looked.calls).toEqual(["aws:index/getCallerIdentity:getCallerIdentity"]);
  });

  it("gets exactly the extra managed policies named, one attachment each", async () => {
    const arns = ["arn:aws:iam::aws:policy/AmazonAPIGatewayInvokeFullAccess", `arn:aws:iam::${ACCOUNT}:policy/orders-extra`];
    const run = await runOk(cfg(orders({ aws: { ...orders().aws, additionalManagedPolicyArns: arns } })));
    const attachments = ofType(run.resources, T.attachment);
    expect(attachments.map((a) => reveal(a.inputs))).toEqual(arns.map((policyArn) => ({ role: "gatelock-test-orders", policyArn })));
  });
});

describe("a Lambda function URL origin", () => {
  it("gets the function's two resource-based permissions for the role, and an identity policy for both actions", async () => {
    const run = await runOk(cfg(billing({}, { lambdaUrl: { functionName: "billing-api", qualifier: "live" } })));
    const origin = one(run.resources, T.origin);
    const roleArn = `arn:aws:iam::${ACCOUNT}:role/gatelock-test-billing`;
    const permissions = byParent(run.resources, T.permission, origin).map((p) => reveal(p.inputs));
    expect(permissions).toEqual([
      { function: "billing-api", qualifier: "live", action: "lambda:InvokeFunctionUrl", principal: roleArn, statementId: "gatelock-test-billing-invoke-url", region: "eu-west-1", functionUrlAuthType: "AWS_IAM" },
      { function: "billing-api", qualifier: "live", action: "lambda:InvokeFunction", principal: roleArn, statementId: "gatelock-test-billing-invoke-via-url", region: "eu-west-1", invokedViaFunctionUrl: true },
    ]);
    const actions = json(one(run.resources, T.rolePolicy), "policy").Statement.map((s: any) => [s.Action, s.Resource]);
    const fn = `arn:aws:lambda:eu-west-1:${ACCOUNT}:function:billing-api:live`;
    expect(actions).toEqual([
      ["lambda:InvokeFunctionUrl", fn],
      ["lambda:InvokeFunction", fn],
    ]);
  });
});

describe("the gateway", () => {
  it("gets the role ARN and region, not secret, written only once the role can call the origin", async () => {
    const run = await runOk(cfg(orders(), billing()));
    const variables = ofType(run.resources, T.variable);
    const v = (name: string) => variables.find((x) => x.inputs.name === name)!;
    expect(reveal(v("ORDERS_AWS_ROLE_ARN").inputs)).toMatchObject({ value: `arn:aws:iam::${ACCOUNT}:role/gatelock-test-orders`, isSecret: false });
    expect(reveal(v("ORDERS_AWS_REGION").inputs)).toMatchObject({ value: "us-east-1", isSecret: false });
    expect(reveal(v("BILLING_AWS_REGION").inputs)).toMatchObject({ value: "eu-west-1", isSecret: false });
    expect(reveal(v("ORDERS_ORIGIN_URL").inputs)).toMatchObject({ value: orders().url, isSecret: false });

    const ready = (name: string) => [T.role, T.rolePolicy, T.permission].flatMap((t) => byParent(run.resources, t, originComponent(run.resources, name))).map((r) => r.urn);
    for (const urn of ready("orders")) expect(v("ORDERS_AWS_ROLE_ARN").dependsOn).toContain(urn);
    expect(ready("billing")).toHaveLength(4);
    for (const urn of ready("billing")) expect(v("BILLING_AWS_ROLE_ARN").dependsOn).toContain(urn);

    expect(run.outputs.gatewayVariables.filter((x) => x.origin === "orders").map((x) => [x.name, x.isSecret])).toEqual([
      ["ORDERS_AWS_ROLE_ARN", false],
      ["ORDERS_AWS_REGION", false],
      ["ORDERS_ORIGIN_URL", false],
    ]);
  });

  it("is told which Zuplo policy to add, reading exactly the variables written", async () => {
    const run = await runOk(cfg(orders()));
    const config = run.outputs.gatewayPolicies.find((c) => c.origin === "orders")!;
    expect(config.inbound).toEqual(["gatelock-orders-aws-federated"]);
    expect(config.policies[0]).toMatchObject({
      policyType: "upstream-aws-federated-auth-inbound",
      handler: { export: "UpstreamAwsFederatedAuthInboundPolicy", options: { roleArn: "$env(ORDERS_AWS_ROLE_ARN)", region: "$env(ORDERS_AWS_REGION)", audience: "aws:acme:prod" } },
    });
    expect(run.outputs.policiesJson.policies.map((p) => p.name)).toEqual(["gatelock-orders-aws-federated"]);
    const written = new Set(run.outputs.gatewayVariables.map((v) => v.name));
    for (const m of JSON.stringify(config).matchAll(/\$env\(([A-Z0-9_]+)\)|\$\{env\.([A-Z0-9_]+)\}/g)) expect(written).toContain(m[1] ?? m[2]);
  });

  it("describes who may reach the origin for the stack outputs and audit", async () => {
    const run = await runOk(cfg(orders()));
    expect(run.outputs.origins.orders!.store).toEqual({
      kind: "AWS IAM role assumed with web identity (sts:AssumeRoleWithWebIdentity)",
      location: "role gatelock-test-orders in the deploying account (us-east-1); may invoke API Gateway a1b2c3d4e5 stage prod: GET /orders, GET /orders/{id}",
      readers: [`oidc-provider/${KEY} with sub = ${SUB}, aud = aws:acme:prod`],
    });
  });
});

describe("the offline audit", () => {
  function stackDir(origins: object[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-aws-fed-"));
    fs.copyFileSync(path.join(__dirname, "../Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks/Pulumi.fed.yaml"), `config:\n  gatelock:gateway: ${JSON.stringify(gateway)}\n  gatelock:origins: ${JSON.stringify(origins)}\n`);
    return dir;
  }

  it("shows the origins with their principals and no error finding", async () => {
    const report = await runAudit({ projectDir: stackDir([orders(), billing()]), stack: "fed", env: { ZUPLO_API_KEY: "zpka_test" } });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    const text = JSON.stringify(report);
    expect(text).toContain(`sub = ${SUB}, aud = aws:acme:prod`);
    expect(text).toContain("gatelock-orders-aws-federated");
  });

  it("reports a refusal as an error finding at its key", async () => {
    const bad = orders({ aws: { ...orders().aws, additionalManagedPolicyArns: ["arn:aws:iam::aws:policy/AdministratorAccess"] } });
    const report = await runAudit({ projectDir: stackDir([bad]), stack: "fed", env: { ZUPLO_API_KEY: "zpka_test" } });
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].aws.additionalManagedPolicyArns[0]" }));
  });
});
