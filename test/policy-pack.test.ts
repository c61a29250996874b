/**
 * gatelock's policy pack, driven the way `pulumi preview` drives it.
 *
 * The rules run inside @pulumi/policy's own analyzer functions (`makeAnalyzeRpcFun`,
 * `makeAnalyzeStackRpcFun`, the ones its gRPC server registers), fed protobuf requests built
 * as the engine builds them: resource inputs as a `Struct`, secrets still wrapped in
 * `{<sig>, value}` (the server unwraps them), unknowns as the engine's sentinel. The inputs
 * come from mock runs: the example stack, which must pass every rule, and small bad programs,
 * each of which must be flagged by the right rule and no other.
 */
import { createRequire } from "node:module";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { oidcTrustProblems } from "../components/policy-pack/aws-oidc-trust";
import { parsePin, pinnedClaims, topLevelConjuncts } from "../components/policy-pack/cel-pins";
import { workloadIdentityProviderProblems } from "../components/policy-pack/gcp-workload-identity-provider";
import { gatelockPolicies, PACK_NAME } from "../components/policy-pack/policies";
import { secretOutputProblems } from "../components/policy-pack/secret-stack-output";
import { type MockRun, type RecordedResource, runUnderMocks } from "../components/testing/engine";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { runStack } from "./harness";

const req = createRequire(require.resolve("@pulumi/policy"));
const server = req("./server") as {
  makeAnalyzeRpcFun(name: string, version: string, level: string, policies: unknown[]): (call: unknown, cb: (err: unknown, resp: AnalyzeResponse) => void) => void;
  makeAnalyzeStackRpcFun(name: string, version: string, level: string, policies: unknown[]): (call: unknown, cb: (err: unknown, resp: AnalyzeResponse) => void) => void;
};
const pulumiReq = createRequire(require.resolve("@pulumi/pulumi"));
const analyzerPb = pulumiReq("./proto/analyzer_pb");
const { Struct } = pulumiReq("google-protobuf/google/protobuf/struct_pb");

interface AnalyzeResponse {
  getDiagnosticsList(): { getPolicyname(): string; getMessage(): string; getEnforcementlevel(): number; getUrn(): string }[];
}
interface Diagnostic {
  readonly policy: string;
  readonly message: string;
  readonly level: "advisory" | "mandatory";
  readonly urn: string;
}

const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
const policies = [...gatelockPolicies];
const analyze = server.makeAnalyzeRpcFun(PACK_NAME, "0.0.0-test", "advisory", policies);
const analyzeStack = server.makeAnalyzeStackRpcFun(PACK_NAME, "0.0.0-test", "advisory", policies);

/** JSON as the engine marshals it: no `undefined`, secrets kept as `{<sig>, value}`. */
const wire = (props: Record<string, unknown>) => Struct.fromJavaScript(JSON.parse(JSON.stringify(props)));

function toDiagnostics(resp: AnalyzeResponse): Diagnostic[] {
  return resp.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), message: d.getMessage(), level: d.getEnforcementlevel() === 1 ? "mandatory" : "advisory", urn: d.getUrn() }));
}

interface EngineResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly props: Record<string, unknown>;
  readonly parent?: string;
}

/** One `Analyze` call, as the engine makes it for each resource before it is created or updated. */
function analyzeResource(r: EngineResource): Promise<Diagnostic[]> {
  const request = new analyzerPb.AnalyzeRequest();
  request.setUrn(r.urn);
  request.setType(r.type);
  request.setName(r.name);
  request.setProperties(wire(r.props));
  request.setOptions(new analyzerPb.AnalyzerResourceOptions());
  return new Promise((resolve, reject) => analyze({ request }, (err, resp) => (err ? reject(err) : resolve(toDiagnostics(resp)))));
}

/** The `AnalyzeStack` call at the end of an update, with every resource's outputs. */
function analyzeStackOf(resources: readonly EngineResource[]): Promise<Diagnostic[]> {
  const request = new analyzerPb.AnalyzeStackRequest();
  request.setResourcesList(
    resources.map((r) => {
      const res = new analyzerPb.AnalyzerResource();
      res.setUrn(r.urn);
      res.setType(r.type);
      res.setName(r.name);
      res.setProperties(wire(r.props));
      res.setOptions(new analyzerPb.AnalyzerResourceOptions());
      if (r.parent) res.setParent(r.parent);
      return res;
    }),
  );
  return new Promise((resolve, reject) => analyzeStack({ request }, (err, resp) => (err ? reject(err) : resolve(toDiagnostics(resp)))));
}

/** What the engine analyzes before `pulumi up` creates each resource: its inputs. */
const inputsOf = (resources: readonly RecordedResource[]): EngineResource[] =>
  resources.map((r) => ({ urn: r.urn, type: r.type, name: r.name, props: r.inputs, ...(r.parent ? { parent: r.parent } : {}) }));

/** What it analyzes at the end of `pulumi up`: each resource's outputs, and the stack's outputs on the Stack resource. */
function outputsOf(run: MockRun<unknown>): EngineResource[] {
  return run.resources.map((r) => {
    const produced = run.fakes.produced.get(`${r.type}::${r.name}`);
    const props = r.type === "pulumi:pulumi:Stack" ? (run.outputs as Record<string, unknown>) : r.custom ? { ...r.inputs, ...(produced?.state ?? {}) } : {};
    return { urn: r.urn, type: r.type, name: r.name, props, ...(r.parent ? { parent: r.parent } : {}) };
  });
}

async function analyzeAll(resources: readonly EngineResource[]): Promise<Diagnostic[]> {
  return (await Promise.all(resources.map(analyzeResource))).flat();
}

describe("the pack's rules", () => {
  it("each has a stable gatelock- name, a description with the fix, a level, an exceptions schema and a preview note", () => {
    expect(policies.map((p) => p.name)).toEqual([
      "gatelock-aws-oidc-trust-pinned",
      "gatelock-gcp-wif-provider-pinned",
      "gatelock-gcp-no-pool-wide-impersonation",
      "gatelock-azure-federated-subject-exact",
      "gatelock-secret-store-not-public",
      "gatelock-mtls-enforced",
      "gatelock-cloud-run-not-public",
      "gatelock-no-secret-in-stack-output",
    ]);
    for (const p of policies) {
      expect(p.description).toMatch(/Fix: /);
      expect(["mandatory", "advisory"]).toContain(p.enforcementLevel);
      expect(Object.keys(p.configSchema!.properties)).toEqual(expect.arrayContaining(["allowedUrns", "allowedNames"]));
      // @pulumi/policy exits the process on a schema that names enforcementLevel.
      expect(p.configSchema!.properties).not.toHaveProperty("enforcementLevel");
      expect(p.previewLimits.length).toBeGreaterThan(20);
    }
    expect(policies.filter((p) => p.enforcementLevel === "advisory").map((p) => p.name)).toEqual(["gatelock-no-secret-in-stack-output"]);
  });

  it("match on type tokens that are exactly the installed SDK classes' __pulumiType", async () => {
    const tokens = new Set<string>();
    const sdkModules = [
      "@pulumi/aws/iam/role", "@pulumi/aws/secretsmanager/secretPolicy", "@pulumi/aws/lb/listener", "@pulumi/aws/alb/listener",
      "@pulumi/gcp/iam/workloadIdentityPoolProvider", "@pulumi/gcp/serviceaccount/iammember", "@pulumi/gcp/serviceaccount/iambinding", "@pulumi/gcp/serviceaccount/iampolicy",
      "@pulumi/gcp/secretmanager/secretIamMember", "@pulumi/gcp/secretmanager/secretIamBinding", "@pulumi/gcp/secretmanager/secretIamPolicy",
      "@pulumi/gcp/secretmanager/regionalSecretIamMember", "@pulumi/gcp/secretmanager/regionalSecretIamBinding", "@pulumi/gcp/secretmanager/regionalSecretIamPolicy",
      "@pulumi/gcp/cloudrun/iamMember", "@pulumi/gcp/cloudrun/iamBinding", "@pulumi/gcp/cloudrun/iamPolicy",
      "@pulumi/gcp/cloudrunv2/serviceIamMember", "@pulumi/gcp/cloudrunv2/serviceIamBinding", "@pulumi/gcp/cloudrunv2/serviceIamPolicy",
      "@pulumi/gcp/networksecurity/serverTlsPolicy", "@pulumi/azure-native/managedidentity/federatedIdentityCredential",
      "@pulumi/azure-native/web/webApp", "@pulumi/azure-native/web/webAppSlot", "@pulumi/azure-native/app/containerApp",
      "@pulumi/azuread/applicationFederatedIdentityCredential", "@pulumi/azuread/applicationFlexibleFederatedIdentityCredential",
    ];
    for (const m of sdkModules) {
      const mod = (await import(m)) as Record<string, unknown>;
      for (const v of Object.values(mod)) {
        const token = typeof v === "function" ? (v as { __pulumiType?: unknown }).__pulumiType : undefined;
        if (typeof token === "string") tokens.add(token);
      }
    }
    for (const p of policies) for (const t of p.types) if (t !== "pulumi:pulumi:Stack") expect(tokens, `${p.name}: ${t}`).toContain(t);
  });
});

describe("the example stack", () => {
  let run: MockRun<unknown>;
  beforeAll(async () => {
    run = await runStack("example");
  }, 120_000);

  it("passes every rule, mandatory and advisory, on its inputs (Analyze) and its outputs (AnalyzeStack)", async () => {
    const inputs = inputsOf(run.resources);
    // The rules really look at the stack: it has resources of most of the types they judge.
    const judged = new Set(policies.flatMap((p) => p.types));
    expect(inputs.filter((r) => judged.has(r.type)).map((r) => r.type)).toEqual(
      expect.arrayContaining([
        "aws:iam/role:Role", "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider", "gcp:serviceaccount/iAMMember:IAMMember",
        "azure-native:managedidentity:FederatedIdentityCredential", "aws:secretsmanager/secretPolicy:SecretPolicy", "gcp:secretmanager/secretIamMember:SecretIamMember",
        "gcp:networksecurity/serverTlsPolicy:ServerTlsPolicy", "azure-native:app:ContainerApp", "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
      ]),
    );
    expect(await analyzeAll(inputs)).toEqual([]);
    const outputs = outputsOf(run);
    expect(outputs.filter((r) => r.type === "random:index/randomPassword:RandomPassword").length).toBeGreaterThan(0);
    expect(await analyzeStackOf(outputs)).toEqual([]);
  });

  it("and a copy of it exporting one of its generated secrets is flagged, by path and never by value", async () => {
    const outputs = outputsOf(run);
    const password = outputs.find((r) => r.type === "random:index/randomPassword:RandomPassword")!;
    const value = String((password.props.result as { value?: unknown }).value ?? password.props.result);
    const stack = outputs.find((r) => r.type === "pulumi:pulumi:Stack")!;
    const leaked = outputs.map((r) => (r === stack ? { ...r, props: { ...r.props, debug: { current: value } } } : r));
    const found = await analyzeStackOf(leaked);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ policy: "gatelock-no-secret-in-stack-output", level: "advisory", urn: stack.urn });
    expect(found[0]!.message).toContain("`debug.current`");
    expect(found[0]!.message).toContain(`RandomPassword \`${password.name}\``);
    expect(found[0]!.message).not.toContain(value);
  });
});

/** Small programs with one mistake each, run under the same mock engine as gatelock's own. */
const ZUPLO_KEY = ZUPLO_ISSUER.replace("https://", "");
const PROVIDER_ARN = `arn:aws:iam::123456789012:oidc-provider/${ZUPLO_KEY}`;
const ACA_ENVIRONMENT = "/subscriptions/6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b/resourceGroups/rg/providers/Microsoft.App/managedEnvironments/env";
const trust = (condition: unknown) =>
  JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Federated: PROVIDER_ARN }, Action: "sts:AssumeRoleWithWebIdentity", Condition: condition }] });

async function badProgram(): Promise<Record<string, unknown>> {
  const { Role } = await import("@pulumi/aws/iam/role");
  const { SecretPolicy } = await import("@pulumi/aws/secretsmanager/secretPolicy");
  const { Listener } = await import("@pulumi/aws/lb/listener");
  const { WorkloadIdentityPoolProvider } = await import("@pulumi/gcp/iam/workloadIdentityPoolProvider");
  const { IAMMember } = await import("@pulumi/gcp/serviceaccount/iammember");
  const { SecretIamMember } = await import("@pulumi/gcp/secretmanager/secretIamMember");
  const { ServerTlsPolicy } = await import("@pulumi/gcp/networksecurity/serverTlsPolicy");
  const { ServiceIamMember } = await import("@pulumi/gcp/cloudrunv2/serviceIamMember");
  const { IamBinding } = await import("@pulumi/gcp/cloudrun/iamBinding");
  const { ApplicationFederatedIdentityCredential } = await import("@pulumi/azuread/applicationFederatedIdentityCredential");
  const { WebApp } = await import("@pulumi/azure-native/web/webApp");
  const { ContainerApp } = await import("@pulumi/azure-native/app/containerApp");
  const { RandomPassword } = await import("@pulumi/random/randomPassword");

  new Role("aws-wildcard-sub", { assumeRolePolicy: trust({ StringEquals: { [`${ZUPLO_KEY}:aud`]: "aws:acme:prod" }, StringLike: { [`${ZUPLO_KEY}:sub`]: "atcl_*" } }) });
  new Role("aws-for-all-values", { assumeRolePolicy: trust({ "ForAllValues:StringEquals": { [`${ZUPLO_KEY}:aud`]: "aws:acme:prod", [`${ZUPLO_KEY}:sub`]: "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e" } }) });
  new Role("aws-no-sub", { assumeRolePolicy: trust({ StringEquals: { [`${ZUPLO_KEY}:aud`]: "sts.amazonaws.com" } }) });
  new WorkloadIdentityPoolProvider("gcp-no-condition", { workloadIdentityPoolId: "pool-1", workloadIdentityPoolProviderId: "zuplo", attributeMapping: { "google.subject": "assertion.sub" }, oidc: { issuerUri: ZUPLO_ISSUER } });
  new WorkloadIdentityPoolProvider("gcp-no-account", {
    workloadIdentityPoolId: "pool-1",
    workloadIdentityPoolProviderId: "zuplo2",
    attributeMapping: { "google.subject": "assertion.sub", "attribute.project": "assertion.project" },
    attributeCondition: 'attribute.project == "orders-api"',
    oidc: { issuerUri: ZUPLO_ISSUER },
  });
  new IAMMember("gcp-pool-wide", {
    serviceAccountId: "projects/acme-prod/serviceAccounts/orders@acme-prod.iam.gserviceaccount.com",
    role: "roles/iam.workloadIdentityUser",
    member: "principalSet://iam.googleapis.com/projects/418203751982/locations/global/workloadIdentityPools/pool-1/*",
  });
  new ApplicationFederatedIdentityCredential("entra-wildcard", { applicationId: "/applications/00000000-0000-0000-0000-000000000001", displayName: "gw", audiences: ["api://AzureADTokenExchange"], issuer: ZUPLO_ISSUER, subject: "*" });
  new SecretPolicy("aws-public-secret", {
    secretArn: "arn:aws:secretsmanager:us-east-1:123456789012:secret:orders-AbCdEf",
    policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: "*", Action: "secretsmanager:GetSecretValue", Resource: "*" }] }),
  });
  new SecretIamMember("gcp-public-secret", { secretId: "orders", role: "roles/secretmanager.secretAccessor", member: "allUsers" });
  new Listener("alb-passthrough", {
    loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/50dc6c495c0c9188",
    port: 443,
    protocol: "HTTPS",
    certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/6f1c2a9e-8b3d-4c5e-9f7a-2b4d6e8f0a1c",
    defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
    mutualAuthentication: { mode: "passthrough" },
  });
  new ServerTlsPolicy("gcp-optional-mtls", {
    project: "acme-prod",
    location: "global",
    mtlsPolicy: { clientValidationMode: "ALLOW_INVALID_OR_MISSING_CLIENT_CERT", clientValidationTrustConfig: "projects/418203751982/locations/global/trustConfigs/t" },
  });
  new WebApp("app-optional-cert", { resourceGroupName: "rg", clientCertEnabled: true, clientCertMode: "Optional" });
  new ContainerApp("aca-accept-cert", {
    resourceGroupName: "rg",
    environmentId: ACA_ENVIRONMENT,
    configuration: { ingress: { external: true, targetPort: 8080, clientCertificateMode: "accept" } },
    template: { containers: [{ name: "api", image: "nginx@sha256:4f1b7c2d9e8a6b5c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c" }] },
  });
  new ServiceIamMember("run-public", { name: "orders", location: "europe-west1", role: "roles/run.invoker", member: "allUsers" });
  new IamBinding("run-v1-public", { service: "orders", location: "europe-west1", role: "roles/run.invoker", members: ["allAuthenticatedUsers"] });
  const password = new RandomPassword("db-password", { length: 32 });
  return { databasePassword: password.result };
}

/** The same kinds of resource, done right: none may be flagged. */
async function goodProgram(): Promise<Record<string, unknown>> {
  const { Role } = await import("@pulumi/aws/iam/role");
  const { Listener } = await import("@pulumi/aws/lb/listener");
  const { WorkloadIdentityPoolProvider } = await import("@pulumi/gcp/iam/workloadIdentityPoolProvider");
  const { WebApp } = await import("@pulumi/azure-native/web/webApp");
  const { ContainerApp } = await import("@pulumi/azure-native/app/containerApp");
  const { RandomPassword } = await import("@pulumi/random/randomPassword");
  new Role("aws-pinned", { assumeRolePolicy: trust({ StringEquals: { [`${ZUPLO_KEY}:aud`]: "aws:acme:prod", [`${ZUPLO_KEY}:sub`]: ["atcl_3c5VqX0pQ7JmA1bT9kLwZr2e"] } }) });
  new WorkloadIdentityPoolProvider("gcp-pinned", {
    workloadIdentityPoolId: "pool-1",
    workloadIdentityPoolProviderId: "zuplo",
    attributeMapping: { "google.subject": "assertion.sub", "attribute.account": "assertion.account" },
    attributeCondition: '(attribute.account == "acme") && assertion.project == "orders-api"',
    oidc: { issuerUri: ZUPLO_ISSUER },
  });
  new Listener("alb-verify", {
    loadBalancerArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/lb/50dc6c495c0c9188",
    port: 443,
    protocol: "HTTPS",
    certificateArn: "arn:aws:acm:us-east-1:123456789012:certificate/6f1c2a9e-8b3d-4c5e-9f7a-2b4d6e8f0a1c",
    defaultActions: [{ type: "fixed-response", fixedResponse: { contentType: "text/plain", statusCode: "404" } }],
    mutualAuthentication: { mode: "verify", trustStoreArn: "arn:aws:elasticloadbalancing:us-east-1:123456789012:truststore/ts/0123456789abcdef" },
  });
  new WebApp("app-required-cert", { resourceGroupName: "rg", clientCertEnabled: true, clientCertMode: "Required" });
  new ContainerApp("aca-require-cert", {
    resourceGroupName: "rg",
    environmentId: ACA_ENVIRONMENT,
    configuration: { ingress: { external: true, targetPort: 8080, clientCertificateMode: "require" } },
    template: { containers: [{ name: "api", image: "nginx@sha256:4f1b7c2d9e8a6b5c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a1b0c" }] },
  });
  const password = new RandomPassword("db-password", { length: 32 });
  return { databasePasswordLength: password.length, note: "hello there, world" };
}

const runProgram = (program: () => Promise<Record<string, unknown>>) =>
  runUnderMocks(async () => {
    const outputs = await program();
    return Object.fromEntries(Object.entries(outputs).map(([k, v]) => [k, pulumi.output(v)]));
  }, { stack: "bad", project: "bad" });

describe("hand-written bad programs", () => {
  let bad: MockRun<unknown>;
  let good: MockRun<unknown>;
  beforeAll(async () => {
    bad = await runProgram(badProgram);
    good = await runProgram(goodProgram);
  }, 120_000);

  const expected: Record<string, string> = {
    "aws-wildcard-sub": "gatelock-aws-oidc-trust-pinned",
    "aws-for-all-values": "gatelock-aws-oidc-trust-pinned",
    "aws-no-sub": "gatelock-aws-oidc-trust-pinned",
    "gcp-no-condition": "gatelock-gcp-wif-provider-pinned",
    "gcp-no-account": "gatelock-gcp-wif-provider-pinned",
    "gcp-pool-wide": "gatelock-gcp-no-pool-wide-impersonation",
    "entra-wildcard": "gatelock-azure-federated-subject-exact",
    "aws-public-secret": "gatelock-secret-store-not-public",
    "gcp-public-secret": "gatelock-secret-store-not-public",
    "alb-passthrough": "gatelock-mtls-enforced",
    "gcp-optional-mtls": "gatelock-mtls-enforced",
    "app-optional-cert": "gatelock-mtls-enforced",
    "aca-accept-cert": "gatelock-mtls-enforced",
    "run-public": "gatelock-cloud-run-not-public",
    "run-v1-public": "gatelock-cloud-run-not-public",
  };

  it("flags each mistake with the right mandatory rule, and with no other", async () => {
    for (const r of inputsOf(bad.resources)) {
      const found = await analyzeResource(r);
      const rule = expected[r.name];
      if (!rule) {
        expect(found, r.name).toEqual([]);
        continue;
      }
      expect(found.map((d) => d.policy), r.name).toEqual(found.length > 1 ? Array(found.length).fill(rule) : [rule]);
      expect(found.every((d) => d.level === "mandatory"), r.name).toBe(true);
    }
    const flagged = new Set((await analyzeAll(inputsOf(bad.resources))).map((d) => d.urn || d.message));
    expect(flagged.size).toBeGreaterThan(0);
  });

  it("flags a wildcard subject on an azure-native credential before Azure refuses it at deploy time (args as the engine sends them)", async () => {
    const found = await analyzeResource({
      urn: "urn:pulumi:bad::bad::azure-native:managedidentity:FederatedIdentityCredential::azure-wildcard",
      type: "azure-native:managedidentity:FederatedIdentityCredential",
      name: "azure-wildcard",
      props: { resourceGroupName: "rg", resourceName: "mi", audiences: ["api://AzureADTokenExchange"], issuer: ZUPLO_ISSUER, subject: "atcl_*" },
    });
    expect(found.map((d) => [d.policy, d.level])).toEqual([["gatelock-azure-federated-subject-exact", "mandatory"]]);
    expect(found[0]!.message).toContain("wildcard subject `atcl_*`");
  });

  it("says what is wrong: the wildcard, the set operator, the missing pin", async () => {
    const messages = async (name: string) => (await analyzeResource(inputsOf(bad.resources).find((r) => r.name === name)!)).map((d) => d.message).join("\n");
    expect(await messages("aws-wildcard-sub")).toMatch(/:sub`.*`StringLike` with a wildcard/);
    expect(await messages("aws-for-all-values")).toMatch(/`ForAllValues:StringEquals`, which is true when the token lacks the claim/);
    expect(await messages("aws-no-sub")).toMatch(/:sub` \(it has no condition at all\)/);
    expect(await messages("aws-no-sub")).not.toContain(`${ZUPLO_KEY}:aud\``);
    expect(await messages("gcp-no-account")).toMatch(/does not pin the account/);
    // The diagnostic is the description (with the fix), then the finding.
    expect(await messages("run-public")).toMatch(/^A Cloud Run service must not[\s\S]*Fix: [\s\S]*\nlets `allUsers` invoke/);
  });

  it("flags the plain secret stack output at the end of the update, and nothing in the good twin", async () => {
    const found = await analyzeStackOf(outputsOf(bad));
    expect(found.map((d) => d.policy)).toEqual(["gatelock-no-secret-in-stack-output"]);
    expect(found[0]!.message).toContain("`databasePassword` holds the value of `result` of RandomPassword `db-password`");
    expect(await analyzeAll(inputsOf(good.resources))).toEqual([]);
    expect(await analyzeStackOf(outputsOf(good))).toEqual([]);
  });
});

describe("values unknown during preview", () => {
  it("a trust policy the engine cannot know yet makes the mandatory rule an advisory \"can't run\", not a pass", async () => {
    const found = await analyzeResource({ urn: "urn:pulumi:dev::p::aws:iam/role:Role::r", type: "aws:iam/role:Role", name: "r", props: { assumeRolePolicy: UNKNOWN, name: "r" } });
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ policy: "gatelock-aws-oidc-trust-pinned", level: "advisory" });
    expect(found[0]!.message).toMatch(/can't run policy 'gatelock-aws-oidc-trust-pinned'.*during preview: string value at \.assumeRolePolicy/);
  });

  it("an unknown property a rule does not read never stops it", async () => {
    const props = { mutualAuthentication: { mode: "passthrough", trustStoreArn: UNKNOWN }, loadBalancerArn: UNKNOWN };
    const found = await analyzeResource({ urn: "urn:pulumi:dev::p::aws:lb/listener:Listener::l", type: "aws:lb/listener:Listener", name: "l", props });
    expect(found.map((d) => [d.policy, d.level])).toEqual([["gatelock-mtls-enforced", "mandatory"]]);
  });

  it("the stack rule skips unknown outputs instead of giving up on the whole stack", async () => {
    const found = await analyzeStackOf([
      { urn: "urn:pulumi:dev::p::pulumi:pulumi:Stack::p-dev", type: "pulumi:pulumi:Stack", name: "p-dev", props: { later: UNKNOWN, apiToken: "tok_live_0123456789" } },
      { urn: "urn:pulumi:dev::p::random:index/randomPassword:RandomPassword::pw", type: "random:index/randomPassword:RandomPassword", name: "pw", props: { length: 32, result: UNKNOWN } },
    ]);
    expect(found.map((d) => d.message)).toEqual([expect.stringContaining("stack output `apiToken` is named like a secret")]);
  });
});

describe("the escape hatches, through args shaped as @pulumi/policy builds them", () => {
  const rule = policies.find((p) => p.name === "gatelock-cloud-run-not-public")!;
  const call = (config: Record<string, unknown>, urn = "urn:pulumi:dev::p::gcp:cloudrunv2/serviceIamMember:ServiceIamMember::public-docs") => {
    const reports: string[] = [];
    const notApplicable: string[] = [];
    const type = "gcp:cloudrunv2/serviceIamMember:ServiceIamMember";
    const props = { name: "docs", location: "europe-west1", role: "roles/run.invoker", member: "allUsers" };
    const args = {
      type,
      props,
      urn,
      name: urn.slice(urn.lastIndexOf("::") + 2),
      opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
      stackTags: new Map<string, string>(),
      isType: (cls: { __pulumiType?: string }) => cls.__pulumiType === type,
      asType: (cls: { __pulumiType?: string }) => (cls.__pulumiType === type ? props : undefined),
      getConfig: () => config,
      notApplicable: (reason?: string) => {
        notApplicable.push(reason ?? "");
        throw new Error("not applicable");
      },
    };
    try {
      ((rule as { validateResource: unknown }).validateResource as (a: unknown, r: (m: string) => void) => void)(args, (m) => reports.push(m));
    } catch (e) {
      if ((e as Error).message !== "not applicable") throw e;
    }
    return { reports, notApplicable };
  };

  it("an allowlisted URN or name is skipped (and says so); any other resource is still flagged", () => {
    expect(call({}).reports).toHaveLength(1);
    expect(call({ allowedUrns: ["urn:pulumi:dev::p::gcp:cloudrunv2/serviceIamMember:ServiceIamMember::public-docs"] })).toEqual({ reports: [], notApplicable: [expect.stringContaining("exempted")] });
    expect(call({ allowedNames: ["public-docs"] }).reports).toEqual([]);
    expect(call({ allowedNames: ["public-docs"] }, "urn:pulumi:dev::p::gcp:cloudrunv2/serviceIamMember:ServiceIamMember::orders").reports).toHaveLength(1);
  });

  it("allowedOutputs silences a checked stack output and nothing else", () => {
    const secrets = new Map([["s3cr3t-value-123456", "`result` of RandomPassword `pw`"]]);
    expect(secretOutputProblems({ a: "s3cr3t-value-123456", b: { c: "s3cr3t-value-123456" } }, secrets, ["a"])).toEqual(["stack output `b.c` holds the value of `result` of RandomPassword `pw`."]);
  });
});

describe("the pure checks", () => {
  it("AWS: every Allow statement counts; Deny and non-OIDC principals do not; keys compare case-insensitively", () => {
    const pinned = { StringEquals: { [`${ZUPLO_KEY}:aud`]: "a", [`${ZUPLO_KEY}:sub`]: "s" } };
    const stmt = (extra: Record<string, unknown>) => ({ Effect: "Allow", Principal: { Federated: PROVIDER_ARN }, Action: "sts:AssumeRoleWithWebIdentity", Condition: pinned, ...extra });
    expect(oidcTrustProblems({ Statement: [stmt({})] })).toEqual([]);
    expect(oidcTrustProblems({ Statement: [stmt({}), stmt({ Condition: {} })] })).toHaveLength(2);
    expect(oidcTrustProblems({ Statement: [stmt({ Effect: "Deny", Condition: {} })] })).toEqual([]);
    expect(oidcTrustProblems({ Statement: [stmt({ Principal: { Service: "ecs-tasks.amazonaws.com" }, Condition: {} })] })).toEqual([]);
    expect(oidcTrustProblems({ Statement: [stmt({ Action: "sts:*", Condition: {} })] })).toHaveLength(2);
    expect(oidcTrustProblems({ Statement: [stmt({ Action: "sts:TagSession", Condition: {} })] })).toEqual([]);
    expect(oidcTrustProblems({ Statement: stmt({ Condition: { StringEquals: { [`${ZUPLO_KEY.toUpperCase()}:AUD`]: "a", [`${ZUPLO_KEY}:Sub`]: "s" } } }) })).toEqual([]);
    expect(oidcTrustProblems({ Statement: [stmt({ Condition: { StringEqualsIfExists: pinned.StringEquals } })] })).toHaveLength(2);
    expect(oidcTrustProblems("not json")).toEqual([]);
  });

  it("GCP: a condition pins a claim only through a top-level && of plain equalities, with the attribute mapped from it", () => {
    expect(topLevelConjuncts('a == "x" && (b == "y" && c == "z")')).toEqual(['a == "x"', 'b == "y"', 'c == "z"']);
    expect(topLevelConjuncts('a == "x" && b == "y" || true')).toEqual(['a == "x" && b == "y" || true']);
    expect(topLevelConjuncts('a == "x&&y"')).toEqual(['a == "x&&y"']);
    expect(parsePin('"acme" == assertion.account')).toEqual({ source: "assertion", name: "account", values: ["acme"] });
    expect(parsePin('attribute.sub in ["a", "b"]')).toEqual({ source: "attribute", name: "sub", values: ["a", "b"] });
    expect(parsePin('attribute.sub in ["a", x]')).toBeUndefined();
    expect(parsePin('attribute.account != "acme"')).toBeUndefined();
    expect([...pinnedClaims('attribute.account == "acme"', { "attribute.account": "assertion.sub" }).keys()]).toEqual(["sub"]);
    const zuplo = (attributeCondition: string, mapping: Record<string, string> = { "attribute.account": "assertion.account" }) =>
      workloadIdentityProviderProblems({ attributeCondition, attributeMapping: mapping, oidc: { issuerUri: ZUPLO_ISSUER } });
    expect(zuplo('attribute.account == "acme"')).toEqual([]);
    expect(zuplo('attribute.account == "acme" || true')).toHaveLength(1);
    expect(zuplo('!(attribute.account == "acme")')).toHaveLength(1);
    expect(zuplo('attribute.account == "acme"', { "attribute.account": "assertion.project" })).toHaveLength(1);
    expect(zuplo("true")).toHaveLength(1);
    expect(workloadIdentityProviderProblems({ attributeCondition: 'assertion.repository == "acme/api"', oidc: { issuerUri: "https://token.actions.githubusercontent.com" } })).toEqual([]);
    expect(workloadIdentityProviderProblems({ attributeCondition: "true", oidc: { issuerUri: "https://token.actions.githubusercontent.com" } })).toHaveLength(1);
  });
});
