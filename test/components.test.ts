/**
 * The components with typed args, as a platform repo uses them: values from other resources
 * (`Output`s) are accepted, checked when they resolve with the same code and message a stack
 * file gets, and a child that would use a refused value is never created. Known values are
 * checked before any child is registered.
 */
import * as pulumi from "@pulumi/pulumi";
import { Role } from "@pulumi/aws/iam/role";
import { Service } from "@pulumi/gcp/cloudrunv2/service";
import { StorageAccount } from "@pulumi/azure-native/storage/storageAccount";
import { describe, expect, it } from "vitest";
import { AwsFederatedOrigin } from "../components/aws/federated-origin";
import { AwsOidcProvider } from "../components/aws/oidc-provider";
import { AwsSharedSecretOrigin } from "../components/aws/shared-secret-origin";
import { AzureFederatedOrigin } from "../components/azure/federated-origin";
import { AzureSharedSecretOrigin } from "../components/azure/shared-secret-origin";
import { customGateway, zuploGateway } from "../components/component/checked-origin";
import { ConfigError } from "../components/errors";
import { GcpFederatedOrigin } from "../components/gcp/federated-origin";
import { GcpSharedSecretOrigin } from "../components/gcp/shared-secret-origin";
import { ZuploEnvironment } from "../components/gateway/environment";
import { LocalSharedSecretOrigin } from "../components/local/shared-secret-origin";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { buildModel } from "../components/model/model";
import { OtherFederatedOrigin } from "../components/other/federated-origin";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { UNFAKED } from "../components/testing/fakes";
import { awsOrigin, config } from "./fixtures/configs";
import { ofType, one, type RecordedResource, reveal } from "./harness";

const SUB = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const gateway = zuploGateway({ account: "acme", project: "orders-api" });
const T = {
  secretPolicy: "aws:secretsmanager/secretPolicy:SecretPolicy",
  secret: "aws:secretsmanager/secret:Secret",
  role: "aws:iam/role:Role",
  gcpMember: "gcp:secretmanager/secretIamMember:SecretIamMember",
  invoker: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  azureAssignment: "azure-native:authorization:RoleAssignment",
};

async function run(program: () => void | Promise<void>) {
  return runUnderMocks(async () => {
    await program();
    return {};
  }, { stack: "prod" });
}

async function failure(p: Promise<unknown>): Promise<MockRunError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MockRunError);
  return e as MockRunError;
}

/** The stack file's refusal of the same value, for comparison. */
function stackFileIssue(readers: string[]) {
  try {
    buildModel(config({ ...awsOrigin, aws: { ...awsOrigin.aws, readers } }), { stack: "prod" });
  } catch (e) {
    return (e as ConfigError).issues[0]!;
  }
  throw new Error("expected a refusal");
}

describe("an AWS shared-secret origin next to the role it trusts", () => {
  it("takes the role's ARN as an Output: the secret policy names that role", async () => {
    const r = await run(() => {
      const role = new Role("orders-api", {
        name: "orders-api",
        assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
      });
      new AwsSharedSecretOrigin("orders", { region: "us-east-1", readers: [role.arn], url: "https://orders.internal.acme.example" });
    });
    expect(UNFAKED).toEqual([]);
    const policy = JSON.parse(String(reveal(one(r.resources, T.secretPolicy).inputs.policy)));
    const principals = policy.Statement.find((s: { Effect: string }) => s.Effect === "Allow").Principal.AWS;
    expect(principals).toEqual([expect.stringMatching(/^arn:aws:iam::\d{12}:role\/orders-api$/)]);
  });

  it("refuses `readers: [output('*')]` when it resolves, with the stack file's code and message, and never creates the policy", async () => {
    const e = await failure(run(() => {
      new AwsSharedSecretOrigin("orders", { region: "us-east-1", readers: [pulumi.output("*")] });
    }));
    const err = e.cause as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.code).toBe("ERR_TRUST_UNSAFE");
    const issue = err.issues[0]!;
    const fromStackFile = stackFileIssue(["*"]);
    expect(issue.path).toBe("orders: readers[0]");
    expect([issue.code, issue.message, issue.fix]).toEqual([fromStackFile.code, fromStackFile.message, fromStackFile.fix]);
    expect(ofType(e.resources, T.secretPolicy)).toEqual([]);
  });

  it("refuses a known bad value at construction, before any child is registered", async () => {
    const e = await failure(run(() => {
      new AwsSharedSecretOrigin("orders", { region: "us-east-1", readers: ["arn:aws:iam::123456789012:root"], length: 16 });
    }));
    const err = e.cause as ConfigError;
    expect(err.issues.map((i) => [i.code, i.path])).toEqual([
      ["ERR_TRUST_UNSAFE", "orders: length"],
      ["ERR_TRUST_UNSAFE", "orders: readers[0]"],
    ]);
    // The component itself is registered by its constructor's super(); nothing below it is.
    expect(e.resources.filter((x) => x.custom)).toEqual([]);
  });
});

describe("grants named by what they grant", () => {
  const gcp = (readers: string[]) => () => {
    new GcpSharedSecretOrigin("billing", { project: "acme-prod", readers });
  };
  const azure = (readers: string[]) => () => {
    new AzureSharedSecretOrigin("users", { resourceGroup: "rg-users", vault: "kv-acme-users", readers });
  };
  const grants = (resources: readonly RecordedResource[], type: string) => new Map(ofType(resources, type).map((g) => [g.urn, JSON.stringify(reveal(g.inputs))]));

  it.each([
    ["GCP", T.gcpMember, gcp, ["a-reader@acme-prod.iam.gserviceaccount.com", "b-reader@acme-prod.iam.gserviceaccount.com", "c-reader@acme-prod.iam.gserviceaccount.com"]],
    ["Azure", T.azureAssignment, azure, ["0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7", "9b2f7d1e-3c4a-4f5b-8e6d-1a2b3c4d5e6f"]],
  ] as const)("%s: adding, removing and reordering readers leaves every unchanged grant untouched", async (_cloud, type, program, [a, b, c]) => {
    const before = grants((await run(program([a, b]))).resources, type);
    const after = grants((await run(program([c, b]))).resources, type); // a removed, c added in front, b moved
    const reordered = grants((await run(program([b, a]))).resources, type);
    const bGrant = [...before].find(([, inputs]) => inputs.includes(b))!;
    expect(after.get(bGrant[0])).toBe(bGrant[1]);
    const aGrant = [...before].find(([, inputs]) => inputs.includes(a))!;
    expect(reordered.get(aGrant[0])).toBe(aGrant[1]);
    expect(reordered.get(bGrant[0])).toBe(bGrant[1]);
    expect(after.has(aGrant[0])).toBe(false);
  });

  it("GCP federated: adding, removing and reordering subjects leaves every unchanged impersonation grant untouched", async () => {
    const [a, b, c] = ["atcl_A1b2C3d4E5f6G7h8", "atcl_B2c3D4e5F6g7H8i9", "atcl_C3d4E5f6G7h8I9j0"];
    const program = (subjects: string[]) => () => {
      new GcpFederatedOrigin("invoices", { gateway, subjects, project: "acme-prod", url: "https://invoices-3kq7x2vbma-ew.a.run.app", cloudRun: { service: "invoices", location: "europe-west1" } });
    };
    const T_SA_MEMBER = "gcp:serviceaccount/iAMMember:IAMMember";
    const names = async (subjects: string[]) => new Map(ofType((await run(program(subjects))).resources, T_SA_MEMBER).map((g) => [g.name, String(reveal(g.inputs.member)).replace(/workloadIdentityPools\/[^/]+/, "workloadIdentityPools/POOL")]));
    const before = await names([a, b]);
    const after = await names([c, b]);
    const reordered = await names([b, a]);
    const nameOf = (m: Map<string, string>, sub: string) => [...m].find(([, member]) => member.endsWith(`/attribute.sub/${sub}`))![0];
    expect(nameOf(after, b)).toBe(nameOf(before, b));
    expect(nameOf(reordered, a)).toBe(nameOf(before, a));
    expect(nameOf(reordered, b)).toBe(nameOf(before, b));
    expect(after.has(nameOf(before, a))).toBe(false);
  });

  it("a reader that is another resource's Output keeps its position name (a hash needs the value)", async () => {
    const r = await run(() => {
      new GcpSharedSecretOrigin("billing", { project: "acme-prod", readers: ["a-reader@acme-prod.iam.gserviceaccount.com", pulumi.output("b-reader@acme-prod.iam.gserviceaccount.com")] });
    });
    const names = ofType(r.resources, T.gcpMember).map((g) => g.name);
    expect(names).toContain("billing-reader-1");
    expect(names.find((n) => n !== "billing-reader-1")).toMatch(/^billing-reader-[0-9a-f]{8}$/);
  });
});

describe("federated origins with Outputs", () => {
  it("AWS: an explicit OIDC provider's ARN; a bad ARN (another issuer) is refused when it resolves", async () => {
    const ok = await run(() => {
      const provider = new AwsOidcProvider("zuplo", { issuer: ZUPLO_ISSUER, clientIds: ["aws:acme:prod"] });
      new AwsFederatedOrigin("shipments", {
        gateway,
        audience: "aws:acme:prod",
        subjects: [SUB],
        region: "us-east-1",
        oidcProviderArn: provider.arn,
        apiGateway: { apiId: pulumi.output("a1b2c3d4e5"), stage: "prod", routes: ["GET /orders"] },
      });
    });
    expect(UNFAKED).toEqual([]);
    expect(ofType(ok.resources, "aws:iam/rolePolicy:RolePolicy")).toHaveLength(1);
    const e = await failure(run(() => {
      new AwsFederatedOrigin("shipments", {
        gateway,
        audience: "aws:acme:prod",
        subjects: [SUB],
        region: "us-east-1",
        oidcProviderArn: pulumi.output("arn:aws:iam::123456789012:oidc-provider/token.actions.githubusercontent.com"),
        apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders"] },
      });
    }));
    expect((e.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_CONFIG_CONFLICT", "shipments: oidcProviderArn"]]);
    expect(ofType(e.resources, T.role)).toEqual([]);
  });

  it("GCP: the Cloud Run service's name from the service resource; its URL as an Output", async () => {
    const url = "https://invoices-3kq7x2vbma-ew.a.run.app";
    const r = await run(() => {
      const svc = new Service("invoices", { name: "invoices-svc", location: "europe-west1", template: { containers: [{ image: "gcr.io/acme/invoices" }] } });
      new GcpFederatedOrigin("invoices", { gateway, subjects: [SUB], project: "acme-prod", url: pulumi.output(url), cloudRun: { service: svc.name, location: "europe-west1" } });
    });
    expect(reveal(one(r.resources, T.invoker).inputs.name)).toBe("invoices-svc");
    const audience = ofType(r.resources, "pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    expect(audience).toEqual([]); // no environment here: the variables wait in the component
    const e = await failure(run(() => {
      new GcpFederatedOrigin("invoices", { gateway, subjects: [SUB], project: "acme-prod", url: pulumi.output("http://invoices.example"), cloudRun: { service: "invoices", location: "europe-west1" } });
    }));
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toContain("invoices: url");
    expect(ofType(e.resources, T.invoker).length + ofType(e.resources, "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider").length).toBeGreaterThanOrEqual(0);
  });

  it("Azure: the scope from the storage account's ID; a subscription-wide scope is refused when it resolves", async () => {
    const r = await run(() => {
      const account = new StorageAccount("reports", { accountName: "acmereports", resourceGroupName: "rg-data", kind: "StorageV2", sku: { name: "Standard_LRS" } });
      const scope = account.name.apply((n) => `/subscriptions/6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/${n}`);
      new AzureFederatedOrigin("reports", { gateway, subjects: [SUB], resourceGroup: "rg-gateway", location: "westeurope", role: "Storage Blob Data Reader", scope });
    });
    expect(String(reveal(one(r.resources, T.azureAssignment).inputs.scope))).toMatch(/\/providers\/Microsoft\.Storage\/storageAccounts\//);
    const e = await failure(run(() => {
      new AzureFederatedOrigin("reports", { gateway, subjects: [SUB], resourceGroup: "rg-gateway", location: "westeurope", role: "Storage Blob Data Reader", scope: pulumi.output("/subscriptions/6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b") });
    }));
    expect((e.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_TRUST_UNSAFE", "reports: scope"]]);
    expect(ofType(e.resources, T.azureAssignment)).toEqual([]);
  });

  it("the gateway is a small value built once: Zuplo's preset, or a custom issuer; the shared issuer needs its account", async () => {
    const r = await run(() => {
      new OtherFederatedOrigin("ledger", { gateway: customGateway({ issuer: "https://gateway.acme.example", claims: { tenant: "acme" } }), audience: "https://ledger.acme.example" });
    });
    expect(r.resources.some((x) => x.type === "gatelock:other:FederatedOrigin")).toBe(true);
    const e = await failure(run(() => {
      new OtherFederatedOrigin("ledger", { gateway: customGateway({ issuer: ZUPLO_ISSUER }), audience: "https://ledger.acme.example" });
    }));
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["ledger: gateway"]);
  });
});

describe("the gateway environment and a local origin", () => {
  it("ZuploEnvironment takes typed args and refuses what the stack file refuses, by arg", async () => {
    const e = await failure(run(() => {
      new ZuploEnvironment("gateway", { account: "acme", project: "orders-api", branch: "main", apiUrl: "https://dev.zuplo.com@evil.example", variables: [] });
    }));
    expect((e.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_TRUST_UNSAFE", "gateway: apiUrl"]]);
  });

  it("a local origin writes `.env.<origin>` in its project directory, and the state keeps the path relative", async () => {
    const projectDir = "/tmp/gatelock-components-test";
    const r = await run(() => {
      const o = new LocalSharedSecretOrigin("orders", { url: "http://127.0.0.1:8787", projectDir });
      expect(o.dotenvPath).toBe(`${projectDir}/.env.orders`);
    });
    const file = one(r.resources, "pulumi-nodejs:dynamic/gatelock:DotenvFile");
    expect(reveal(file.inputs.path)).toBe(".env.orders");
    expect(reveal(file.inputs.projectDir)).toBe(projectDir);
  });
});
