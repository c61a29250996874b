/**
 * Federated identity on GCP: what gatelock refuses (before any resource exists), and what it
 * registers under the mock engine with faithful fakes — a suffixed pool, an OIDC provider for
 * the gateway's issuer whose registered mapping and condition a real CEL evaluator admits only
 * the right gateway through, a service account only the pinned principal may impersonate, the
 * invoker role for that account alone, and the gateway's variables and Zuplo policy.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { evaluate } from "@marcbachmann/cel-js";
import { describe, expect, it } from "vitest";
import { runAudit } from "../components/audit/report";
import { ConfigError } from "../components/errors";
import { isWholePoolMember } from "../components/documents/gcp-workload-identity";
import { buildModel } from "../components/model/model";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { MockRunError } from "../components/testing/engine";
import { UNFAKED } from "../components/testing/fakes";
import { gateway } from "./fixtures/configs";
import { ofType, one, type ProgramRun, type RecordedResource, reveal, runProgram } from "./harness";

const PROJECT_NUMBER = "418203751982";
const SUBJECT = "atcl_01JPRODCLIENT";
const RUN_URL = "https://billing-3kq7x2vbma-ew.a.run.app";

const T = {
  pool: "gcp:iam/workloadIdentityPool:WorkloadIdentityPool",
  provider: "gcp:iam/workloadIdentityPoolProvider:WorkloadIdentityPoolProvider",
  sa: "gcp:serviceaccount/account:Account",
  saMember: "gcp:serviceaccount/iAMMember:IAMMember",
  invoker: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  random: "random:index/randomId:RandomId",
  variable: "pulumi-nodejs:dynamic/gatelock:ZuploVariable",
};

/** A GCP federated origin that passes every refusal (the example-stack shape). */
function gcpFederated(over: Record<string, unknown> = {}) {
  return {
    name: "billing",
    method: "federated",
    cloud: "gcp",
    url: RUN_URL,
    federated: { subjects: [SUBJECT], claims: { environment_type: "production" } },
    gcp: { project: "acme-prod", cloudRun: { service: "billing", location: "europe-west1" } },
    ...over,
  };
}

function cfg(...origins: object[]) {
  return structuredClone({ gateway, origins });
}

/** Set a nested key of the first origin (dotted path), or delete it with `undefined`. */
function withKey(key: string, value: unknown, origin: Record<string, unknown> = gcpFederated()) {
  const o = structuredClone(origin) as Record<string, any>;
  const parts = key.split(".");
  let cur = o;
  for (const p of parts.slice(0, -1)) cur = cur[p] ??= {};
  if (value === undefined) delete cur[parts.at(-1)!];
  else cur[parts.at(-1)!] = value;
  return o;
}

function refuse(raw: unknown): ConfigError {
  try {
    buildModel(raw, { stack: "test" });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected the config to be refused");
}

/** The issue at `path` has `code`; gatelock's own refusals (not schema errors) also carry a fix. */
function expectIssue(raw: unknown, path: string, code: string, withFix = code !== "ERR_CONFIG_INVALID") {
  const err = refuse(raw);
  const found = err.issues.find((i) => i.path === path);
  expect(found, `no issue at ${path}; got ${JSON.stringify(err.issues)}`).toBeDefined();
  expect(found!.code).toBe(code);
  if (withFix) expect(found!.fix ?? "").not.toBe("");
  return found!;
}

const at = (k: string) => `gatelock:origins[0].${k}`;

describe("GCP federated: refusals, each naming the key and the fix", () => {
  it("accepts the example shape", () => {
    const model = buildModel(cfg(gcpFederated()), { stack: "test" });
    expect(model.origins[0]).toMatchObject({ method: "federated", cloud: "gcp", target: { cloud: "gcp", project: "acme-prod" } });
  });

  it.each(["*", "attribute.*", " "])("a principalSet over the whole pool (principalAttribute %j)", (attr) => {
    expectIssue(cfg(withKey("gcp.principalAttribute", attr)), at("gcp.principalAttribute"), "ERR_TRUST_UNSAFE");
  });

  it("a binding on an attribute the condition does not pin (it could only be a wildcard)", () => {
    expectIssue(cfg(withKey("gcp.principalAttribute", "deployment")), at("gcp.principalAttribute"), "ERR_TRUST_UNSAFE");
  });

  it("a binding on `sub` without exact subjects", () => {
    const o = withKey("gcp.principalAttribute", "sub", withKey("federated.subjects", []));
    expectIssue(cfg(o), at("gcp.principalAttribute"), "ERR_CONFIG_CONFLICT");
  });

  it.each(["roles/owner", "roles/editor", "roles/viewer", "roles/run.admin", "roles/iam.serviceAccountAdmin", "roles/resourcemanager.projectIamAdmin", "roles/iam.serviceAccountTokenCreator", "roles/iam.workloadIdentityUser", "roles/run.developer"])(
    "an administrator-level or impersonation role: %s",
    (role) => {
      expectIssue(cfg(withKey("gcp.cloudRun.role", role)), at("gcp.cloudRun.role"), "ERR_TRUST_UNSAFE");
    },
  );

  it("a role that is not an invoker role", () => {
    expectIssue(cfg(withKey("gcp.cloudRun.role", "roles/storage.objectViewer")), at("gcp.cloudRun.role"), "ERR_CONFIG_INVALID", true);
  });

  it.each(["roles/run.servicesInvoker", "projects/acme-prod/roles/gatewayInvoker"])("accepts the invoker role %s", (role) => {
    expect(() => buildModel(cfg(withKey("gcp.cloudRun.role", role)), { stack: "test" })).not.toThrow();
  });

  it("a condition that pins no claim: a custom issuer with neither claims nor subjects", () => {
    const raw = { gateway: { ...gateway, identity: { issuer: "https://gateway.acme.example" } }, origins: [withKey("federated.claims", undefined, withKey("federated.subjects", []))] };
    expectIssue(raw, at("federated"), "ERR_TRUST_UNSAFE");
  });

  it("a condition that could pin only a pattern: a custom issuer with subject patterns and no claims", () => {
    const o = withKey("federated", { subjects: ["svc-*"], dangerouslyAllowWildcardSubjects: true });
    const raw = { gateway: { ...gateway, identity: { issuer: "https://gateway.acme.example" } }, origins: [o] };
    expectIssue(raw, at("federated.subjects"), "ERR_TRUST_UNSAFE");
  });

  it("overriding the gateway's account pin on Zuplo's shared issuer", () => {
    expectIssue(cfg(withKey("federated.claims.account", "someone-else")), at("federated.claims.account"), "ERR_CONFIG_CONFLICT");
    expectIssue(cfg(withKey("federated.claims.project", "other")), at("federated.claims.project"), "ERR_CONFIG_CONFLICT");
  });

  it("a claim name GCP cannot map to an attribute", () => {
    expectIssue(cfg(withKey("federated.claims", { Tier: "gold" })), at("federated.claims.Tier"), "ERR_CONFIG_INVALID", true);
  });

  it("a configured audience (GCP pins the provider's own URL)", () => {
    expectIssue(cfg(withKey("federated.audience", "gcp:acme:prod")), at("federated.audience"), "ERR_CONFIG_CONFLICT");
  });

  it.each([
    ["gcp.project", "Acme_Prod"],
    ["gcp.project", "ab"],
    ["gcp.cloudRun.service", "Billing"],
    ["gcp.cloudRun.service", "billing-"],
    ["gcp.cloudRun.service", `b${"x".repeat(49)}`],
    ["gcp.cloudRun.location", "europe"],
    ["gcp.cloudRun.project", "1acme"],
    ["gcp.pool", "gcp-reserved"],
    ["gcp.pool", "abc"],
    ["gcp.serviceAccountId", "gw"],
    ["gcp.serviceAccountId", "1gateway"],
  ])("an invalid name at %s (%j)", (key, value) => {
    expectIssue(cfg(withKey(key, value)), at(key), "ERR_CONFIG_INVALID");
  });

  it("a missing Cloud Run target", () => {
    expectIssue(cfg(withKey("gcp.cloudRun", undefined)), at("gcp.cloudRun"), "ERR_CONFIG_INVALID");
  });

  it("no audience for the final ID token: no url, or a url Cloud Run does not accept as audience", () => {
    expectIssue(cfg(withKey("url", undefined)), at("gcp.cloudRun.audience"), "ERR_CONFIG_INVALID", true);
    expectIssue(cfg(withKey("url", "https://billing.acme.example")), at("gcp.cloudRun.audience"), "ERR_CONFIG_INVALID", true);
    // An explicit audience (e.g. a custom audience configured on the service) is fine.
    const o = withKey("gcp.cloudRun.audience", "https://billing.acme.example", withKey("url", "https://billing.acme.example"));
    expect(() => buildModel(cfg(o), { stack: "test" })).not.toThrow();
  });

  it("an adopted pool without exact subjects (other providers there can mint the same attributes)", () => {
    const o = withKey("gcp.pool", "shared-pool", withKey("federated.subjects", []));
    expectIssue(cfg(o), at("gcp.pool"), "ERR_TRUST_UNSAFE");
  });

  it("an origin name that makes Zuplo-reserved variable names", () => {
    expectIssue(cfg(withKey("name", "zuplo-billing")), at("name"), "ERR_CONFIG_INVALID", true);
  });

  it("every problem at once, and before any resource is registered", async () => {
    const bad = withKey("gcp.cloudRun.role", "roles/owner", withKey("gcp.principalAttribute", "*"));
    expect(refuse(cfg(bad)).issues.map((i) => i.path).sort()).toEqual([at("gcp.cloudRun.role"), at("gcp.principalAttribute")]);
    const err = await runProgram(cfg(bad)).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(MockRunError);
    expect(err.cause).toBeInstanceOf(ConfigError);
    expect(err.resources.map((r: RecordedResource) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });
});

/** What GCP's STS would decide for a token, using the mapping and condition as registered. */
function stsAdmits(provider: RecordedResource, claims: Record<string, unknown>): boolean {
  const mapping = reveal(provider.inputs.attributeMapping) as Record<string, string>;
  const google: Record<string, unknown> = {};
  const attribute: Record<string, unknown> = {};
  for (const [key, expr] of Object.entries(mapping)) {
    const [ns, name] = key.split(".", 2) as [string, string];
    (ns === "google" ? google : attribute)[name] = evaluate(expr, { assertion: claims });
  }
  return evaluate(String(provider.inputs.attributeCondition), { google, attribute, assertion: claims }) === true;
}

function variable(run: ProgramRun, name: string): RecordedResource {
  const v = ofType(run.resources, T.variable).find((r) => r.inputs.name === name);
  if (!v) throw new Error(`no gateway variable ${name}`);
  return v;
}

function producedState(run: ProgramRun, type: string, name: string): Record<string, unknown> {
  const p = run.fakes.produced.get(`${type}::${name}`);
  if (!p) throw new Error(`nothing produced for ${type}::${name}`);
  return p.state;
}

describe("GCP federated under the mock engine", () => {
  it("creates a pool with a random suffix and an OIDC provider for Zuplo's issuer, pinned to the gateway", async () => {
    UNFAKED.length = 0;
    const run = await runProgram(cfg(gcpFederated()));
    expect(UNFAKED).toEqual([]);

    const suffix = one(run.resources, T.random);
    expect(suffix.inputs.byteLength).toBe(3);
    const hex = String(producedState(run, T.random, "billing-id-suffix").hex);
    expect(hex).toMatch(/^[0-9a-f]{6}$/);

    const pool = one(run.resources, T.pool);
    expect(pool.inputs).toMatchObject({ project: "acme-prod", workloadIdentityPoolId: `gl-test-billing-${hex}` });
    const provider = one(run.resources, T.provider);
    expect(provider.inputs).toMatchObject({
      project: "acme-prod",
      workloadIdentityPoolId: `gl-test-billing-${hex}`,
      workloadIdentityPoolProviderId: `gl-billing-${hex}`,
      oidc: { issuerUri: ZUPLO_ISSUER, allowedAudiences: [] },
      attributeCondition: `attribute.account == "acme" && attribute.project == "orders-api" && attribute.environment_type == "production" && attribute.sub == "${SUBJECT}"`,
    });
    expect((reveal(provider.inputs.attributeMapping) as Record<string, string>)["google.subject"]).toBe(
      '"zuplo::" + assertion.account + "::" + assertion.project + "::" + assertion.deployment',
    );
  });

  it("the registered mapping and condition admit the right gateway only (CEL-evaluated)", async () => {
    const run = await runProgram(cfg(gcpFederated()));
    const provider = one(run.resources, T.provider);
    const right = { iss: ZUPLO_ISSUER, sub: SUBJECT, account: "acme", project: "orders-api", deployment: "copper-bedbug-main-53c4947", environment_type: "production" };
    expect(stsAdmits(provider, right)).toBe(true);
    expect(stsAdmits(provider, { ...right, account: "evil-corp" })).toBe(false);
    expect(stsAdmits(provider, { ...right, project: "payments-api" })).toBe(false);
    expect(stsAdmits(provider, { ...right, environment_type: "preview" })).toBe(false);
    expect(stsAdmits(provider, { ...right, sub: "atcl_01JSOMEONEELSE" })).toBe(false);
  });

  it("the token Zuplo requests carries the audience GCP requires with empty allowedAudiences", async () => {
    const run = await runProgram(cfg(gcpFederated()));
    const providerName = String(producedState(run, T.provider, "billing-provider").name);
    expect(providerName).toMatch(new RegExp(`^projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/gl-test-billing-[0-9a-f]{6}/providers/gl-billing-[0-9a-f]{6}$`));
    const wip = String(reveal(variable(run, "BILLING_GCP_WORKLOAD_IDENTITY_PROVIDER").inputs.value));
    expect(wip).toBe(providerName);
    // zuplo.md §2: the runtime asks getIDToken for `https://iam.googleapis.com/` + wip; GCP accepts
    // exactly the provider's canonical name with or without the https prefix.
    expect(`https://iam.googleapis.com/${wip}`).toBe(`https://iam.googleapis.com/${providerName}`);
  });

  it("creates one service account, impersonable only by the pinned principal, never the pool", async () => {
    const run = await runProgram(cfg(gcpFederated()));
    const sa = one(run.resources, T.sa);
    expect(sa.inputs).toMatchObject({ project: "acme-prod", accountId: "gl-test-billing" });
    const saState = producedState(run, T.sa, "billing-sa");
    expect(saState).toMatchObject({
      email: "gl-test-billing@acme-prod.iam.gserviceaccount.com",
      member: "serviceAccount:gl-test-billing@acme-prod.iam.gserviceaccount.com",
      name: "projects/acme-prod/serviceAccounts/gl-test-billing@acme-prod.iam.gserviceaccount.com",
    });

    const bindings = ofType(run.resources, T.saMember);
    expect(bindings).toHaveLength(1);
    const poolName = String(producedState(run, T.pool, "billing-pool").name);
    expect(poolName).toMatch(new RegExp(`^projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/`));
    expect(bindings[0]!.inputs).toEqual({
      serviceAccountId: saState.name,
      role: "roles/iam.workloadIdentityUser",
      member: `principalSet://iam.googleapis.com/${poolName}/attribute.sub/${SUBJECT}`,
    });
    expect(isWholePoolMember(String(bindings[0]!.inputs.member))).toBe(false);
    // Nothing is granted at the project level.
    expect(run.resources.some((r) => r.type.startsWith("gcp:projects/"))).toBe(false);
  });

  it("binds one principal per exact subject, and the account when no subject is pinned", async () => {
    const two = await runProgram(cfg(withKey("federated.subjects", ["atcl_A", "atcl_B"])));
    expect(ofType(two.resources, T.saMember).map((b) => String(b.inputs.member).replace(/.*\/attribute\./, "attribute."))).toEqual(["attribute.sub/atcl_A", "attribute.sub/atcl_B"]);
    const none = await runProgram(cfg(withKey("federated.subjects", [])));
    const members = ofType(none.resources, T.saMember).map((b) => String(b.inputs.member));
    expect(members).toHaveLength(1);
    expect(members[0]).toMatch(/\/attribute\.account\/acme$/);
    expect(String(one(none.resources, T.provider).inputs.attributeCondition)).toBe('attribute.account == "acme" && attribute.project == "orders-api" && attribute.environment_type == "production"');
  });

  it("grants roles/run.invoker on the configured service to that service account alone", async () => {
    const run = await runProgram(cfg(gcpFederated()));
    const invokers = ofType(run.resources, T.invoker);
    expect(invokers).toHaveLength(1);
    expect(invokers[0]!.inputs).toEqual({
      project: "acme-prod",
      location: "europe-west1",
      name: "billing",
      role: "roles/run.invoker",
      member: "serviceAccount:gl-test-billing@acme-prod.iam.gserviceaccount.com",
    });
    const other = await runProgram(cfg(withKey("gcp.cloudRun.project", "acme-run", withKey("gcp.cloudRun.role", "roles/run.servicesInvoker"))));
    expect(one(other.resources, T.invoker).inputs).toMatchObject({ project: "acme-run", role: "roles/run.servicesInvoker" });
  });

  it("writes the gateway's three variables (not secret) after the trust chain exists, and emits the Zuplo policy", async () => {
    const run = await runProgram(cfg(gcpFederated()));
    const expected = {
      BILLING_GCP_WORKLOAD_IDENTITY_PROVIDER: String(producedState(run, T.provider, "billing-provider").name),
      BILLING_GCP_SERVICE_ACCOUNT: "gl-test-billing@acme-prod.iam.gserviceaccount.com",
      BILLING_GCP_AUDIENCE: RUN_URL,
      BILLING_ORIGIN_URL: RUN_URL,
    };
    const chain = [one(run.resources, T.provider), one(run.resources, T.saMember), one(run.resources, T.invoker)].map((r) => r.urn);
    for (const [name, value] of Object.entries(expected)) {
      const v = variable(run, name);
      expect(v.inputs.isSecret).toBe(false);
      expect(reveal(v.inputs.value)).toBe(value);
      if (name !== "BILLING_ORIGIN_URL") for (const urn of chain) expect(v.dependsOn, name).toContain(urn);
    }
    expect(run.outputs.gatewayPolicies).toEqual([
      {
        origin: "billing",
        policies: [
          {
            name: "gatelock-billing-gcp-federated",
            policyType: "upstream-gcp-federated-auth-inbound",
            handler: {
              export: "UpstreamGcpFederatedAuthInboundPolicy",
              module: "$import(@zuplo/runtime)",
              options: {
                audience: "$env(BILLING_GCP_AUDIENCE)",
                serviceAccountEmail: "$env(BILLING_GCP_SERVICE_ACCOUNT)",
                workloadIdentityProvider: "$env(BILLING_GCP_WORKLOAD_IDENTITY_PROVIDER)",
              },
            },
          },
        ],
        inbound: ["gatelock-billing-gcp-federated"],
        handler: { export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: "${env.BILLING_ORIGIN_URL}" } },
      },
    ]);
    // Every $env() the policy reads is a variable gatelock writes.
    const written = new Set(run.outputs.gatewayVariables.map((v) => v.name));
    for (const ref of JSON.stringify(run.outputs.policiesJson).matchAll(/\$env\(([A-Z0-9_]+)\)/g)) expect(written.has(ref[1]!)).toBe(true);
  });

  it("uses an explicit audience over the url", async () => {
    const o = withKey("gcp.cloudRun.audience", "https://billing.acme.example", withKey("url", "https://billing.acme.example"));
    const run = await runProgram(cfg(o));
    expect(reveal(variable(run, "BILLING_GCP_AUDIENCE").inputs.value)).toBe("https://billing.acme.example");
  });

  it("keeps the suffix across deployments, and picks a new one for a recreated stack", async () => {
    const first = await runProgram(cfg(gcpFederated()));
    const again = await runProgram(cfg(gcpFederated()), { fakes: { prior: first.fakes.produced } });
    const poolId = (r: ProgramRun) => one(r.resources, T.pool).inputs.workloadIdentityPoolId;
    expect(poolId(again)).toBe(poolId(first));
    // After `pulumi destroy` the old ID stays soft-deleted for 30 days: a fresh stack must not reuse it.
    const recreated = await runProgram(cfg(gcpFederated()));
    expect(poolId(recreated)).not.toBe(poolId(first));
  });

  it("adopts an existing pool: no pool resource, the provider and members in that pool", async () => {
    const run = await runProgram(cfg(withKey("gcp.pool", "acme-gateways")));
    expect(ofType(run.resources, T.pool)).toEqual([]);
    const provider = one(run.resources, T.provider);
    expect(provider.inputs.workloadIdentityPoolId).toBe("acme-gateways");
    expect(String(provider.inputs.workloadIdentityPoolProviderId)).toMatch(/^gl-billing-[0-9a-f]{6}$/);
    expect(one(run.resources, T.saMember).inputs.member).toBe(`principalSet://iam.googleapis.com/projects/${PROJECT_NUMBER}/locations/global/workloadIdentityPools/acme-gateways/attribute.sub/${SUBJECT}`);
  });

  it("keeps resource IDs within GCP's limits for long stack and origin names", async () => {
    const o = withKey("name", "billing-reconciliation-service-eu");
    const run = await runProgram(cfg(o), { stack: "production-europe-west" });
    expect(String(one(run.resources, T.pool).inputs.workloadIdentityPoolId)).toMatch(/^gl-[a-z0-9-]{1,22}-[0-9a-f]{6}$/);
    expect(String(one(run.resources, T.provider).inputs.workloadIdentityPoolProviderId).length).toBeLessThanOrEqual(32);
    const accountId = String(one(run.resources, T.sa).inputs.accountId);
    expect(accountId.length).toBeLessThanOrEqual(30);
    expect(accountId).toMatch(/^gl-production-europe-we[a-z0-9-]*-[0-9a-f]{6}$/);
    expect(UNFAKED).toEqual([]);
  });

  it("is one gatelock:gcp:FederatedOrigin component with no inputs, holding every resource", async () => {
    const run = await runProgram(cfg(gcpFederated()));
    const component = one(run.resources, "gatelock:gcp:FederatedOrigin");
    expect(component.inputs).toEqual({});
    for (const type of [T.random, T.pool, T.provider, T.sa, T.saMember, T.invoker]) expect(one(run.resources, type).parent).toBe(component.urn);
    expect(run.outputs.origins.billing!.store.readers).toEqual([
      `principalSet://iam.googleapis.com/projects/<number of project acme-prod>/locations/global/workloadIdentityPools/gl-test-billing-<random>/attribute.sub/${SUBJECT} (roles/iam.workloadIdentityUser on gl-test-billing@acme-prod.iam.gserviceaccount.com)`,
    ]);
    expect(run.outputs.origins.billing!.resources).toMatchObject({ serviceAccount: "gl-test-billing@acme-prod.iam.gserviceaccount.com", audience: RUN_URL });
  });
});

describe("the offline audit", () => {
  function stackDir(origins: object[]): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-gcp-fed-"));
    fs.copyFileSync(path.join(__dirname, "../Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks/Pulumi.fed.yaml"), `config:\n  gatelock:gateway: ${JSON.stringify(gateway)}\n  gatelock:origins: ${JSON.stringify(origins)}\n`);
    return dir;
  }

  it("shows the origin with its principals and no error finding", async () => {
    const report = await runAudit({ projectDir: stackDir([gcpFederated()]), stack: "fed", env: { ZUPLO_API_KEY: "zpka_test" } });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    const text = JSON.stringify(report);
    expect(text).toContain(`attribute.sub/${SUBJECT}`);
    expect(text).toContain("gatelock-billing-gcp-federated");
  });

  it("reports a refusal as an error finding at its key", async () => {
    const report = await runAudit({ projectDir: stackDir([withKey("gcp.principalAttribute", "*")]), stack: "fed", env: { ZUPLO_API_KEY: "zpka_test" } });
    expect(report.findings).toContainEqual(expect.objectContaining({ severity: "error", code: "ERR_TRUST_UNSAFE", path: at("gcp.principalAttribute") }));
  });
});
