/**
 * Federated identity on Azure: the model's refusals (code and exact key), the pure pieces
 * (role resolution, scope breadth, credential names, the gateway configuration), and the
 * program under the mock engine (identity, one credential per subject created one after
 * another, the role assignment, the gateway variables). Whether a credential admits the
 * gateway's token is judged by jose on real RS256 tokens shaped like Zuplo's.
 */
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, createLocalJWKSet, type JWK } from "jose";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { render } from "../components/audit/render";
import { runAudit } from "../components/audit/report";
import { ADMIN_ROLES, classifyScope, DATA_PLANE_ROLES, resolveRole } from "../components/documents/azure-roles";
import { credentialName, defaultIdentityName, subjectHash } from "../components/documents/azure-names";
import { ConfigError } from "../components/errors";
import { azureFederatedGatewayConfig, azureFederatedVariables } from "../components/gateway/federated/azure";
import { gatewayConfigFor } from "../components/gateway/zuplo-policies";
import { variableSpecs } from "../components/gateway/variables";
import { describeOrigin } from "../components/model/describe";
import { azureFederatedWarnings, checkAzureFederated, checkAzureFederatedOrigins, type AzureFederatedTarget } from "../components/model/federated/azure";
import { buildModel, type FederatedOrigin } from "../components/model/model";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { FederatedIdentityCredential } from "@pulumi/azure-native/managedidentity/federatedIdentityCredential";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import { AzureFederatedOrigin } from "../components/azure/federated-origin";
import { zuploGateway } from "../components/component/checked-origin";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { UNFAKED } from "../components/testing/fakes";
import { AZURE_REJECTED } from "../components/testing/fakes-azure";
import { gateway } from "./fixtures/configs";
import { ofType, one, type ProgramRun, type RecordedResource, reveal, runProgram } from "./harness";

/** FakeCloud's default subscription and tenant. */
const SUB = "6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b";
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";
const STORAGE = `/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmereports`;
/** Zuplo `sub` values: one OAuth client per environment. */
const PROD = "atcl_2bX9kQ7mP4vR8sT1wY5z";
const PREVIEW = "atcl_7hJ3nL5cW9yZ2aD6fG8k";
const DEV = "atcl_Qm4Rt7Uv1Wx3Yz5Ab8Cd0Ef";

const I_ID = "gatelock:origins[0]";

function azureFederatedOrigin(overrides: { federated?: object; azure?: object; name?: string } = {}) {
  return {
    name: overrides.name ?? "reports",
    method: "federated",
    cloud: "azure",
    url: "https://reports.acme.example",
    federated: { subjects: [PROD, PREVIEW, DEV], ...(overrides.federated ?? {}) },
    azure: { resourceGroup: "rg-gateway", location: "westeurope", role: "Storage Blob Data Reader", scope: STORAGE, ...(overrides.azure ?? {}) },
  };
}

function cfg(...origins: object[]) {
  return structuredClone({ gateway, origins });
}

function model(origin: object = azureFederatedOrigin(), stack = "prod"): FederatedOrigin {
  return buildModel(cfg(origin), { stack }).origins[0] as FederatedOrigin;
}

function target(o: FederatedOrigin): AzureFederatedTarget {
  if (o.target.cloud !== "azure") throw new Error("not azure");
  return o.target;
}

function refuse(raw: unknown): ConfigError {
  try {
    buildModel(raw, { stack: "prod" });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected the config to be refused");
}

/** The refusal has exactly these (code, path) pairs: nothing missing, nothing extra. */
function expectIssues(raw: unknown, expected: [code: string, path: string][], { schema = false } = {}) {
  const err = refuse(raw);
  expect(err.issues.map((i) => [i.code, i.path]).sort()).toEqual([...expected].sort());
  // gatelock's own refusals always say how to fix them (schema errors say what was expected).
  if (!schema) for (const i of err.issues) expect(i.fix, `${i.path} has a fix`).toBeTruthy();
  return err;
}

describe("azure federated: what the model refuses", () => {
  it("accepts the reference origin without any issue", () => {
    expect(() => model()).not.toThrow();
  });

  it.each([
    ["Owner", "by name"],
    ["contributor", "by name, any case"],
    ["User  Access  Administrator", "by name, odd spacing"],
    ["Role Based Access Control Administrator", "by name"],
    ["8e3af657-a8ff-443c-a75c-2fe8c4bcb635", "Owner by GUID"],
    ["B24988AC-6180-42A0-AB88-20F7382DD24C", "Contributor by upper-case GUID"],
    [`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/18d7d88d-d35e-4fb5-a5c3-7773c20a72d9`, "User Access Administrator by subscription role definition ID"],
    ["/providers/Microsoft.Authorization/roleDefinitions/f58310d9-a9f6-439a-9e8d-f62e7b41a168", "RBAC Administrator by tenant role definition ID"],
  ])("refuses the administrator role %s (%s) at azure.role, suggesting a data-plane role", (role) => {
    const err = expectIssues(cfg(azureFederatedOrigin({ azure: { role } })), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
    expect(err.issues[0]!.fix).toMatch(/data-plane role/);
    expect(err.message).toContain(`${I_ID}.azure.role`);
  });

  it("refuses a subject pattern even with the escape hatch: Azure has no wildcards", () => {
    const raw = cfg(azureFederatedOrigin({ federated: { subjects: [PROD, "atcl_*"], dangerouslyAllowWildcardSubjects: true } }));
    const err = expectIssues(raw, [["ERR_TRUST_UNSAFE", `${I_ID}.federated.subjects[1]`]]);
    expect(err.issues[0]!.message).toMatch(/no wildcards/);
  });

  it("refuses a subject pattern without the escape hatch (the common refusal)", () => {
    expectIssues(cfg(azureFederatedOrigin({ federated: { subjects: ["atcl_?bc", PROD] } })), [["ERR_TRUST_UNSAFE", `${I_ID}.federated.subjects[0]`]]);
  });

  it("refuses more than 20 subjects at federated.subjects, and accepts exactly 20", () => {
    const subjects = Array.from({ length: 21 }, (_, i) => `atcl_client${String(i).padStart(2, "0")}`);
    const err = expectIssues(cfg(azureFederatedOrigin({ federated: { subjects } })), [["ERR_TRUST_UNSAFE", `${I_ID}.federated.subjects`]]);
    expect(err.issues[0]!.message).toMatch(/at most 20/);
    expect(target(model(azureFederatedOrigin({ federated: { subjects: subjects.slice(0, 20) } }))).credentials).toHaveLength(20);
  });

  it("refuses a trust without subjects at federated.subjects", () => {
    expectIssues(cfg(azureFederatedOrigin({ federated: { subjects: [] } })), [["ERR_TRUST_UNSAFE", `${I_ID}.federated.subjects`]]);
  });

  it("refuses an audience Entra would not accept, and accepts the token exchange audience", () => {
    expectIssues(cfg(azureFederatedOrigin({ federated: { audience: "azure:acme:prod" } })), [["ERR_CONFIG_INVALID", `${I_ID}.federated.audience`]]);
    expect(model(azureFederatedOrigin({ federated: { audience: "api://AzureADTokenExchange" } })).trust.audience).toBe("api://AzureADTokenExchange");
  });

  it("refuses pinned claims Azure would silently not check", () => {
    expectIssues(cfg(azureFederatedOrigin({ federated: { claims: { environment_type: "production" } } })), [["ERR_CONFIG_CONFLICT", `${I_ID}.federated.claims`]]);
  });

  it.each([
    [`/subscriptions/${SUB}`, "a subscription"],
    [`/subscriptions/${SUB}/`, "a subscription with a trailing slash"],
    ["/providers/Microsoft.Management/managementGroups/acme-root", "a management group"],
    ["/", "the root"],
  ])("refuses the scope %s (%s) at azure.scope", (scope) => {
    expectIssues(cfg(azureFederatedOrigin({ azure: { scope } })), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.scope`]]);
  });

  it("refuses a scope that is not an ARM resource ID", () => {
    expectIssues(cfg(azureFederatedOrigin({ azure: { scope: "acmereports" } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.scope`]]);
  });

  it("accepts a resource group scope, with a warning finding", () => {
    const raw = cfg(azureFederatedOrigin({ azure: { scope: `/subscriptions/${SUB}/resourceGroups/rg-data` } }));
    const m = buildModel(raw, { stack: "prod" });
    expect(target(m.origins[0] as FederatedOrigin).scopeLevel).toBe("resourceGroup");
    const parsed = { ...azureFederatedOrigin({ azure: { scope: `/subscriptions/${SUB}/resourceGroups/rg-data` } }), federated: { subjects: [PROD], dangerouslyAllowWildcardSubjects: false } } as never;
    expect(azureFederatedWarnings(parsed, (...r) => [I_ID, ...r].join("."))).toEqual([expect.objectContaining({ code: "WARN_BROAD_SCOPE", path: `${I_ID}.azure.scope` })]);
    expect(azureFederatedWarnings({ ...(parsed as object), azure: { ...(parsed as any).azure, scope: STORAGE } } as never, (...r) => r.join("."))).toEqual([]);
  });

  it("refuses an unknown role name, a malformed role ID, and a role ID from another subscription", () => {
    expectIssues(cfg(azureFederatedOrigin({ azure: { role: "Storage Blob Reader" } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.role`]]);
    expectIssues(cfg(azureFederatedOrigin({ azure: { role: "/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.role`]]);
    const other = "/subscriptions/00000000-1111-2222-3333-444444444444/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    expectIssues(cfg(azureFederatedOrigin({ azure: { role: other } })), [["ERR_CONFIG_CONFLICT", `${I_ID}.azure.role`]]);
  });

  it("needs `resource` for a role given by an unknown GUID, and takes it from a known one", () => {
    const custom = "0b962ed2-6d56-471c-bd5f-3477d83a7ba4";
    // A role gatelock does not know needs the escape hatch (test/federated-azure-roles.test.ts).
    const hatch = { dangerouslyAllowUnlistedRole: true };
    const err = expectIssues(cfg(azureFederatedOrigin({ azure: { role: custom, ...hatch } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.resource`]]);
    expect(err.issues[0]!.reason).toBe("missing");
    expect(target(model(azureFederatedOrigin({ azure: { role: custom, resource: "api://reports-api", ...hatch } }))).tokenScope).toBe("api://reports-api/.default");
    expect(target(model(azureFederatedOrigin({ azure: { role: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1" } }))).tokenScope).toBe("https://storage.azure.com/.default");
    expectIssues(cfg(azureFederatedOrigin({ azure: { resource: "https://storage.azure.com/.default" } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.resource`]]);
  });

  it("refuses a region where identities cannot hold federated credentials", () => {
    expectIssues(cfg(azureFederatedOrigin({ azure: { location: "newzealandnorth" } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.location`]]);
  });

  it("refuses a missing azure block and schema errors in it, with exact keys", () => {
    const { azure: _azure, ...noBlock } = azureFederatedOrigin();
    expectIssues(cfg(noBlock), [["ERR_CONFIG_INVALID", `${I_ID}.azure`]]);
    const schema = { schema: true };
    expectIssues(cfg(azureFederatedOrigin({ azure: { scope: undefined } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.scope`]], schema);
    expectIssues(cfg(azureFederatedOrigin({ azure: { identityName: "-bad" } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.identityName`]], schema);
    expectIssues(cfg(azureFederatedOrigin({ azure: { location: "West Europe" } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.location`]], schema);
    expectIssues(cfg(azureFederatedOrigin({ azure: { roles: ["Owner"] } })), [["ERR_CONFIG_INVALID", `${I_ID}.azure.roles`]], schema);
  });

  it("names the right origin when it is not the first, and reports every problem at once", () => {
    const other = azureFederatedOrigin({ name: "ledger" });
    const bad = azureFederatedOrigin({ name: "admin", azure: { role: "Owner", scope: `/subscriptions/${SUB}` } });
    expectIssues(cfg(other, bad), [
      ["ERR_TRUST_UNSAFE", "gatelock:origins[1].azure.role"],
      ["ERR_TRUST_UNSAFE", "gatelock:origins[1].azure.scope"],
    ]);
  });
});

describe("azure federated: pure pieces", () => {
  it("resolves built-in roles by name, GUID and ID to the same GUID, with their service", () => {
    const guid = "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1";
    for (const r of ["Storage Blob Data Reader", "storage blob data reader", guid, guid.toUpperCase(), `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`]) {
      expect(resolveRole(r)).toMatchObject({ ok: true, guid, name: "Storage Blob Data Reader", resource: "https://storage.azure.com" });
    }
    expect(resolveRole("0b962ed2-6d56-471c-bd5f-3477d83a7ba4")).toEqual({ ok: true, guid: "0b962ed2-6d56-471c-bd5f-3477d83a7ba4" });
    for (const admin of ADMIN_ROLES) {
      expect(resolveRole(admin.name)).toEqual({ ok: false, problem: "admin", name: admin.name });
      expect(resolveRole(admin.guid)).toEqual({ ok: false, problem: "admin", name: admin.name });
    }
    // No allowed role is an administrator role, and every GUID is distinct.
    const guids = [...DATA_PLANE_ROLES, ...ADMIN_ROLES].map((r) => r.guid);
    expect(new Set(guids).size).toBe(guids.length);
  });

  it("classifies scopes by breadth", () => {
    expect(classifyScope(STORAGE)).toEqual({ level: "resource", subscription: SUB });
    expect(classifyScope(`${STORAGE}/blobServices/default/containers/reports`)).toEqual({ level: "resource", subscription: SUB });
    expect(classifyScope(`/subscriptions/${SUB}/resourceGroups/rg-data`)).toEqual({ level: "resourceGroup", subscription: SUB });
    expect(classifyScope(`/subscriptions/${SUB.toUpperCase()}`)).toEqual({ level: "subscription", subscription: SUB });
    expect(classifyScope("/providers/Microsoft.Management/managementGroups/root")).toEqual({ level: "managementGroup" });
    expect(classifyScope("/")).toEqual({ level: "root" });
    expect(classifyScope(`/subscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage`)).toBeUndefined();
    expect(classifyScope("/subscriptions/not-a-guid/resourceGroups/rg")).toBeUndefined();
  });

  it("derives credential names Entra accepts, from the subject alone", () => {
    const entraRule = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
    for (const s of [PROD, "repo:acme/api:ref:refs/heads/main", "x".repeat(600), "*", "-lead", "_", "ünïcødé/ß"]) {
      const n = credentialName(s);
      expect(n, s).toMatch(entraRule);
      expect(n.endsWith(subjectHash(s))).toBe(true);
      expect(credentialName(s)).toBe(n);
    }
    expect(credentialName(PROD)).toBe(`gatelock-${PROD}-${subjectHash(PROD)}`);
    // Case matters to Entra, so it matters to the name.
    expect(credentialName(PROD)).not.toBe(credentialName(PROD.toLowerCase()));
    expect(defaultIdentityName("prod", "reports")).toBe("gatelock-prod-reports");
    expect(defaultIdentityName("s".repeat(200), "reports")).toMatch(/^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/);
  });

  it("keeps credential names when subjects are reordered", () => {
    const a = target(model(azureFederatedOrigin({ federated: { subjects: [PROD, PREVIEW, DEV] } })));
    const b = target(model(azureFederatedOrigin({ federated: { subjects: [DEV, PROD, PREVIEW] } })));
    const byName = (t: AzureFederatedTarget) => Object.fromEntries(t.credentials.map((c) => [c.subject, c.name]));
    expect(byName(b)).toEqual(byName(a));
    expect(b.credentials.map((c) => c.subject)).toEqual([DEV, PROD, PREVIEW]);
  });

  it("builds the target: identity, credentials, role in the scope's subscription, token scope", () => {
    const t = target(model(azureFederatedOrigin({ azure: { identityName: "id-zuplo-reports" } })));
    expect(t).toEqual({
      cloud: "azure",
      resourceGroup: "rg-gateway",
      location: "westeurope",
      identityName: "id-zuplo-reports",
      credentials: [PROD, PREVIEW, DEV].map((subject) => ({ subject, name: credentialName(subject) })),
      role: { guid: "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", name: "Storage Blob Data Reader", definitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1` },
      scope: STORAGE,
      scopeLevel: "resource",
      resource: "https://storage.azure.com",
      tokenScope: "https://storage.azure.com/.default",
    });
    expect(target(model()).identityName).toBe("gatelock-prod-reports");
  });

  it("checkAzureFederated is what buildModel runs (a direct call yields the same refusal)", () => {
    const parsed = { ...azureFederatedOrigin({ azure: { role: "Owner" } }), federated: { subjects: [PROD], dangerouslyAllowWildcardSubjects: false } } as never;
    const trust = model().trust;
    expect(checkAzureFederated(parsed, trust, (...r) => [I_ID, ...r].join(".")).map((i) => [i.code, i.path])).toEqual([["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
  });

  it("describes the trust for the audit: who may use it, where, with what role", () => {
    const o = model();
    const d = describeOrigin(o, buildModel(cfg(azureFederatedOrigin()), { stack: "prod" }).gateway);
    expect(d.store.kind).toMatch(/managed identity with 3 federated credentials; Storage Blob Data Reader on the resource/);
    expect(d.store.location).toBe(`gatelock-prod-reports (resource group rg-gateway, westeurope) → ${STORAGE}`);
    expect(d.store.readers).toEqual([PROD, PREVIEW, DEV].map((s) => `tokens from ${ZUPLO_ISSUER} with sub = ${s} and aud = api://AzureADTokenExchange`));
  });
});

describe("azure federated: the gateway side", () => {
  it("needs the tenant and client IDs, neither secret, plus the origin URL", () => {
    const o = model();
    const keyed = azureFederatedVariables(o);
    expect([keyed.tenantId, keyed.clientId].map((v) => [v.name, v.isSecret])).toEqual([
      ["REPORTS_AZURE_TENANT_ID", false],
      ["REPORTS_AZURE_CLIENT_ID", false],
    ]);
    expect(variableSpecs(o).map((v) => v.name)).toEqual(["REPORTS_AZURE_TENANT_ID", "REPORTS_AZURE_CLIENT_ID", "REPORTS_ORIGIN_URL"]);
    const history = azureFederatedVariables(model(azureFederatedOrigin({ name: "order-history" })));
    expect([history.tenantId.name, history.clientId.name]).toEqual(["ORDER_HISTORY_AZURE_TENANT_ID", "ORDER_HISTORY_AZURE_CLIENT_ID"]);
  });

  it("emits a custom-code inbound policy whose options name those variables and the token request", () => {
    const o = model();
    expect(azureFederatedGatewayConfig(o)).toEqual({
      origin: "reports",
      policies: [
        {
          name: "gatelock-reports-azure-federated",
          policyType: "custom-code-inbound",
          handler: {
            export: "default",
            module: "$import(./modules/gatelock-azure-federated)",
            options: {
              tenantId: "$env(REPORTS_AZURE_TENANT_ID)",
              clientId: "$env(REPORTS_AZURE_CLIENT_ID)",
              scope: "https://storage.azure.com/.default",
              audience: "api://AzureADTokenExchange",
              authorityHost: "https://login.microsoftonline.com",
              expirationOffsetSeconds: 300,
            },
          },
        },
      ],
      inbound: ["gatelock-reports-azure-federated"],
    });
    // The program's view adds the forward handler for the origin URL.
    expect(gatewayConfigFor(o).handler?.options.baseUrl).toBe("${env.REPORTS_ORIGIN_URL}");
  });
});

/** A Zuplo-shaped ID token (RS256, `kid atky_…`), signed by a key only this test holds. */
async function zuploLikeToken(key: Parameters<SignJWT["sign"]>[0], claims: { sub: string; aud: string; iss?: string }) {
  return new SignJWT({ account: gateway.account, project: gateway.project, deployment: "orders-api-main-53c4947", environment_type: "production" })
    .setProtectedHeader({ alg: "RS256", kid: "atky_test", typ: "JWT" })
    .setIssuer(claims.iss ?? ZUPLO_ISSUER)
    .setSubject(claims.sub)
    .setAudience(claims.aud)
    .setIssuedAt()
    .setExpirationTime("10h")
    .sign(key);
}

describe("azure federated under the mock engine", () => {
  let run: ProgramRun;
  let credentials: RecordedResource[];
  beforeAll(async () => {
    run = await runProgram(cfg(azureFederatedOrigin()), { stack: "prod" });
    credentials = ofType(run.resources, "azure-native:managedidentity:FederatedIdentityCredential");
  });

  it("registers only faked resources, that Azure would accept, inside the gatelock:azure:FederatedOrigin component", () => {
    expect(UNFAKED).toEqual([]);
    expect(AZURE_REJECTED).toEqual([]);
    const component = one(run.resources, "gatelock:azure:FederatedOrigin", "reports");
    expect(component.custom).toBe(false);
    expect(component.inputs).toEqual({});
    for (const r of run.resources.filter((x) => x.type.startsWith("azure-native:"))) expect(r.parent, r.name).toBe(component.urn);
  });

  it("creates one user-assigned identity where configured", () => {
    const identity = one(run.resources, "azure-native:managedidentity:UserAssignedIdentity");
    expect(identity.inputs).toMatchObject({ resourceGroupName: "rg-gateway", resourceName: "gatelock-prod-reports", location: "westeurope" });
  });

  it("creates exactly one credential per subject, with the exact issuer, subject and audience", () => {
    expect(credentials).toHaveLength(3);
    expect(credentials.map((c) => c.inputs.subject)).toEqual([PROD, PREVIEW, DEV]);
    for (const c of credentials) {
      expect(c.inputs).toEqual({
        resourceGroupName: "rg-gateway",
        resourceName: "gatelock-prod-reports",
        federatedIdentityCredentialResourceName: credentialName(String(c.inputs.subject)),
        issuer: ZUPLO_ISSUER,
        subject: c.inputs.subject,
        audiences: ["api://AzureADTokenExchange"],
      });
      expect(c.name).toBe(`reports-credential-${subjectHash(String(c.inputs.subject))}`);
    }
  });

  it("serialises the credentials: each one depends on the one before it", () => {
    const identity = one(run.resources, "azure-native:managedidentity:UserAssignedIdentity");
    expect(credentials[0]!.dependsOn).toContain(identity.urn);
    for (let i = 1; i < credentials.length; i++) {
      expect(credentials[i]!.dependsOn, `credential ${i}`).toContain(credentials[i - 1]!.urn);
    }
    // A chain, not a fan: no credential waits for a later one, and the first waits for none.
    const urns = credentials.map((c) => c.urn);
    credentials.forEach((c, i) => {
      const waitsFor = c.dependsOn.filter((u) => urns.includes(u));
      expect(waitsFor).toEqual(i === 0 ? [] : [urns[i - 1]]);
    });
  });

  it("grants the configured role on the configured scope to the identity's principal, and nothing else", async () => {
    const assignments = ofType(run.resources, "azure-native:authorization:RoleAssignment");
    expect(assignments).toHaveLength(1);
    const a = assignments[0]!.inputs;
    expect(a.scope).toBe(STORAGE);
    expect(a.roleDefinitionId).toBe(`/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/2a2b9908-6ea1-4ae2-8e65-a410df84e7d1`);
    expect(a.principalType).toBe("ServicePrincipal");
    const identity = run.fakes.produced.get(`azure-native:managedidentity:UserAssignedIdentity::reports-identity`)!;
    expect(a.principalId).toBe(identity.state.principalId);
    expect(String(a.principalId)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it("writes the tenant and client IDs to the gateway, in plain text, after the trust and the role exist", () => {
    const identity = run.fakes.produced.get(`azure-native:managedidentity:UserAssignedIdentity::reports-identity`)!;
    const vars = ofType(run.resources, "pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    const byName = Object.fromEntries(vars.map((v) => [v.inputs.name, v]));
    expect(Object.keys(byName).sort()).toEqual(["REPORTS_AZURE_CLIENT_ID", "REPORTS_AZURE_TENANT_ID", "REPORTS_ORIGIN_URL"]);
    expect(byName.REPORTS_AZURE_TENANT_ID!.inputs).toMatchObject({ value: TENANT, isSecret: false });
    expect(byName.REPORTS_AZURE_CLIENT_ID!.inputs).toMatchObject({ value: identity.state.clientId, isSecret: false });
    const lastCredential = credentials[credentials.length - 1]!.urn;
    const assignment = one(run.resources, "azure-native:authorization:RoleAssignment").urn;
    for (const v of [byName.REPORTS_AZURE_TENANT_ID!, byName.REPORTS_AZURE_CLIENT_ID!]) {
      expect(v.dependsOn).toContain(lastCredential);
      expect(v.dependsOn).toContain(assignment);
    }
  });

  it("outputs the identity and trust, with real ID formats, and no secret", async () => {
    const text = JSON.stringify(run.outputs);
    expect(text).toContain(`/subscriptions/${SUB}/resourceGroups/rg-gateway/providers/Microsoft.ManagedIdentity/userAssignedIdentities/gatelock-prod-reports`);
    const produced = [...run.fakes.produced.entries()].filter(([k]) => k.startsWith("azure-native:managedidentity:FederatedIdentityCredential::"));
    expect(produced.map(([, p]) => p.id)).toEqual(
      [PROD, PREVIEW, DEV].map((s) => `/subscriptions/${SUB}/resourceGroups/rg-gateway/providers/Microsoft.ManagedIdentity/userAssignedIdentities/gatelock-prod-reports/federatedIdentityCredentials/${credentialName(s)}`),
    );
    expect(text).toContain("gatelock-reports-azure-federated");
  });

  it("keeps the same resources when subjects are reordered; only the chain follows the new order", async () => {
    const again = await runProgram(cfg(azureFederatedOrigin({ federated: { subjects: [DEV, PROD, PREVIEW] } })), { stack: "prod", fakes: { prior: run.fakes.produced } });
    const creds = ofType(again.resources, "azure-native:managedidentity:FederatedIdentityCredential");
    expect(new Set(creds.map((c) => c.urn))).toEqual(new Set(credentials.map((c) => c.urn)));
    expect(creds.map((c) => c.inputs.subject)).toEqual([DEV, PROD, PREVIEW]);
    expect(creds[1]!.dependsOn).toContain(creds[0]!.urn);
    expect(creds[2]!.dependsOn).toContain(creds[1]!.urn);
    // The identity is unchanged, so the gateway keeps its client ID.
    const before = run.fakes.produced.get("azure-native:managedidentity:UserAssignedIdentity::reports-identity")!.state.clientId;
    expect(again.fakes.produced.get("azure-native:managedidentity:UserAssignedIdentity::reports-identity")!.state.clientId).toBe(before);
  });

  it("each credential admits exactly the gateway token with its subject (judged by jose on real RS256 tokens)", async () => {
    const { privateKey, publicKey } = await generateKeyPair("RS256");
    const jwks = createLocalJWKSet({ keys: [{ ...((await exportJWK(publicKey)) as JWK), kid: "atky_test", alg: "RS256" }] });
    const gatewayAudience = (azureFederatedGatewayConfig(model()).policies[0]!.handler.options as { audience: string }).audience;
    /** What Entra compares: exact iss, exact sub, the one audience. */
    const admits = async (c: RecordedResource, token: string) => {
      try {
        await jwtVerify(token, jwks, { issuer: String(c.inputs.issuer), subject: String(c.inputs.subject), audience: (c.inputs.audiences as string[])[0]!, algorithms: ["RS256"] });
        return true;
      } catch {
        return false;
      }
    };
    for (const sub of [PROD, PREVIEW, DEV]) {
      const token = await zuploLikeToken(privateKey, { sub, aud: gatewayAudience });
      const admitted = [];
      for (const c of credentials) if (await admits(c, token)) admitted.push(c.inputs.subject);
      expect(admitted, sub).toEqual([sub]);
    }
    const refused = [
      await zuploLikeToken(privateKey, { sub: "atcl_someOtherZuploCustomer", aud: gatewayAudience }),
      await zuploLikeToken(privateKey, { sub: PROD.toLowerCase(), aud: gatewayAudience }),
      await zuploLikeToken(privateKey, { sub: PROD, aud: "sts.amazonaws.com" }),
      await zuploLikeToken(privateKey, { sub: PROD, aud: gatewayAudience, iss: `${ZUPLO_ISSUER}/` }),
    ];
    for (const token of refused) for (const c of credentials) expect(await admits(c, token)).toBe(false);
  });

  it("fails before any resource exists when the config is refused", async () => {
    const err = await runProgram(cfg(azureFederatedOrigin({ azure: { role: "Contributor" } }))).catch((e) => e);
    expect(err).toBeInstanceOf(MockRunError);
    expect((err as MockRunError).cause).toBeInstanceOf(ConfigError);
    expect(((err as MockRunError).cause as ConfigError).issues.map((i) => i.path)).toEqual([`${I_ID}.azure.role`]);
    expect((err as MockRunError).resources.filter((r) => r.custom)).toEqual([]);
  });
});

describe("two Azure origins never share an identity", () => {
  const at = (i: number, ...r: (string | number)[]) => [`gatelock:origins[${i}]`, ...r].join(".");
  it("refuses a second origin on the same resource group and identity name (case-insensitive)", () => {
    const a = azureFederatedOrigin({ name: "one", azure: { identityName: "id-Shared" } });
    const b = azureFederatedOrigin({ name: "two", azure: { identityName: "ID-shared" } });
    expect(checkAzureFederatedOrigins([a, b], "prod", at).map((i) => [i.code, i.path])).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[1].azure.identityName"]]);
    // An explicit name equal to another origin's default name clashes too.
    const c = azureFederatedOrigin({ name: "three", azure: { identityName: "gatelock-prod-one" } });
    expect(checkAzureFederatedOrigins([azureFederatedOrigin({ name: "one" }), c], "prod", at).map((i) => i.path)).toEqual(["gatelock:origins[1].azure.identityName"]);
    // Distinct names, or the same name in another resource group, are fine.
    expect(checkAzureFederatedOrigins([azureFederatedOrigin({ name: "one" }), azureFederatedOrigin({ name: "two" })], "prod", at)).toEqual([]);
    expect(checkAzureFederatedOrigins([a, azureFederatedOrigin({ name: "two", azure: { identityName: "id-shared", resourceGroup: "rg-other" } })], "prod", at)).toEqual([]);
  });
});

describe("the fakes refuse what Entra refuses", () => {
  /**
   * The component refuses these before Azure sees them, so the credentials are registered
   * here directly, as a program that bypassed gatelock would: the fakes must refuse them too.
   */
  async function runCredentials(credentials: readonly { subject: string; name: string }[]) {
    return runUnderMocks(() => {
      const identity = new UserAssignedIdentity("reports-identity", { resourceGroupName: "rg-gateway", resourceName: "gatelock-prod-reports", location: "westeurope" });
      let previous: FederatedIdentityCredential | undefined;
      for (const c of credentials) {
        previous = new FederatedIdentityCredential(
          `reports-credential-${subjectHash(c.subject)}`,
          { resourceGroupName: "rg-gateway", resourceName: identity.name, federatedIdentityCredentialResourceName: c.name, issuer: ZUPLO_ISSUER, subject: c.subject, audiences: ["api://AzureADTokenExchange"] },
          { dependsOn: previous ? [previous] : [] },
        );
      }
    }, { stack: "prod" });
  }
  const credential = (subject: string) => ({ subject, name: credentialName(subject) });

  it("a 21st credential on one identity is rejected, as in Azure (the model refuses it first)", async () => {
    AZURE_REJECTED.length = 0;
    const subjects = Array.from({ length: 20 }, (_, i) => `atcl_c${i}`);
    const twenty = azureFederatedOrigin({ federated: { subjects } });
    const ok = await runUnderMocks(() => {
      new AzureFederatedOrigin("reports", { gateway: zuploGateway(gateway), subjects, url: twenty.url, ...twenty.azure });
    }, { stack: "prod" });
    expect(ofType(ok.resources, "azure-native:managedidentity:FederatedIdentityCredential")).toHaveLength(20);
    expect(AZURE_REJECTED).toEqual([]);
    await runCredentials([...subjects, "atcl_c20"].map(credential));
    expect(AZURE_REJECTED).toEqual([`azure-native:managedidentity:FederatedIdentityCredential reports-credential-${subjectHash("atcl_c20")}: 400 The maximum number of federated identity credentials (20) for this identity has been reached.`]);
  });

  it("a wildcard subject, a second audience or a bad name is rejected, as in Azure", async () => {
    AZURE_REJECTED.length = 0;
    await runCredentials([credential("atcl_*")]);
    expect(AZURE_REJECTED).toEqual([expect.stringMatching(/400 Wildcard characters/)]);
    AZURE_REJECTED.length = 0;
    await runCredentials([{ subject: PROD, name: "-x" }]);
    expect(AZURE_REJECTED).toEqual([expect.stringMatching(/400 Federated Identity Credential name '-x' is invalid/)]);
    AZURE_REJECTED.length = 0;
    await runCredentials([credential(PROD), { subject: PROD, name: `${credentialName(PROD)}-2` }]);
    expect(AZURE_REJECTED).toEqual([expect.stringMatching(/Issuer and subject combination already exists/)]);
    AZURE_REJECTED.length = 0;
  });

  it("the identity keeps its client and principal IDs across runs; a new identity gets new ones", async () => {
    const first = await runProgram(cfg(azureFederatedOrigin()));
    const second = await runProgram(cfg(azureFederatedOrigin()), { fakes: { prior: first.fakes.produced } });
    const key = "azure-native:managedidentity:UserAssignedIdentity::reports-identity";
    expect(reveal(second.fakes.produced.get(key)!.state.clientId)).toBe(reveal(first.fakes.produced.get(key)!.state.clientId));
    expect(reveal(second.fakes.produced.get(key)!.state.principalId)).toBe(reveal(first.fakes.produced.get(key)!.state.principalId));
    const renamed = await runProgram(cfg(azureFederatedOrigin({ azure: { identityName: "id-new" } })), { fakes: { prior: first.fakes.produced } });
    expect(renamed.fakes.produced.get(key)!.state.clientId).not.toBe(first.fakes.produced.get(key)!.state.clientId);
  });
});

describe("the guide and the audit", () => {
  const doc = fs.readFileSync(path.join(__dirname, "../docs/federated/azure.md"), "utf8");
  const example = (parseYaml(/```yaml\n([\s\S]*?)```/.exec(doc)![1]!) as Record<string, unknown[]>)["gatelock:origins"]!;

  it("the guide's example passes every refusal, and its policy JSON is what gatelock emits", () => {
    const m = buildModel(cfg(...(example as object[])), { stack: "prod" });
    expect(m.findings).toEqual([]);
    const emitted = azureFederatedGatewayConfig(m.origins[0] as FederatedOrigin).policies[0];
    const shown = JSON.parse(/```json\n([\s\S]*?)```/.exec(doc)![1]!);
    expect(shown).toEqual(emitted);
  });

  it("`gatelock audit` shows the origin with its principals, variables and policy, and no error", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-azure-audit-"));
    fs.copyFileSync(path.join(__dirname, "../Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    fs.writeFileSync(path.join(dir, "stacks/Pulumi.azfed.yaml"), `config:\n  gatelock:gateway: ${JSON.stringify(gateway)}\n  gatelock:origins: ${JSON.stringify(example)}\n`);
    const report = await runAudit({ projectDir: dir, stack: "azfed" });
    expect(report.ok).toBe(true);
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    const origin = report.origins[0]!;
    expect(origin.store.readers).toEqual((example[0] as any).federated.subjects.map((s: string) => `tokens from ${ZUPLO_ISSUER} with sub = ${s} and aud = api://AzureADTokenExchange`));
    expect(report.variables.map((v) => [v.name, v.isSecret])).toEqual([["REPORTS_AZURE_TENANT_ID", false], ["REPORTS_AZURE_CLIENT_ID", false], ["REPORTS_ORIGIN_URL", false]]);
    expect(report.resources.map((r) => r.type)).toEqual(expect.arrayContaining(["azure-native:managedidentity:UserAssignedIdentity", "azure-native:managedidentity:FederatedIdentityCredential", "azure-native:authorization:RoleAssignment"]));
    const text = render(report, "markdown");
    expect(text).toContain("gatelock-reports-azure-federated");
    expect(text).toContain("atcl_2bX9kQ7mP4vR8sT1wY5z");
  });
});
