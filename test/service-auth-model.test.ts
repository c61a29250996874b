/**
 * Method 3's model, pure: the schema, every refusal (each with key and fix), the warnings, the
 * one-account-per-token-kind rule, and the targets the translators will build.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { runAudit } from "../components/audit/report";
import { checkCloudRunInvoke } from "../components/model/cloud-run";
import { configKey } from "../components/model/issues";
import { ServiceAuthOriginConfig } from "../components/model/service-auth/config";
import { checkServiceAuthOrigin, checkServiceAuthOrigins, serviceAuthWarnings } from "../components/model/service-auth/checks";
import { describeServiceAuth } from "../components/model/service-auth/describe";
import { defaultGatewayServiceAccountId, toServiceAuthTarget } from "../components/model/service-auth/target";
import { PROJECT_DIR } from "./harness";

const azure = (over: Record<string, unknown> = {}) =>
  ServiceAuthOriginConfig.parse({ name: "payments", method: "service-auth", cloud: "azure", url: "https://payments-api.azurewebsites.net", azure: { tenantId: "72F988BF-86F1-41AF-91AB-2D7CD011DB47", appService: { name: "payments-api", resourceGroup: "rg-payments" }, ...over } });
const gcp = (gcpOver: Record<string, unknown> = {}, over: Record<string, unknown> = {}) =>
  ServiceAuthOriginConfig.parse({
    name: "reports",
    method: "service-auth",
    cloud: "gcp",
    url: "https://reports-7hk3pq2xna-ew.a.run.app",
    gcp: { project: "acme-prod", cloudRun: { service: "reports", location: "europe-west1" }, ...gcpOver },
    ...over,
  });
const at = (...rest: (string | number)[]) => configKey(["origins", 0, ...rest]);
const issuesOf = (o: ReturnType<typeof azure>) => checkServiceAuthOrigin(o, at).map((i) => [i.code, i.path]);

describe("service-auth: accepted configs and their targets", () => {
  it("Azure: a single-tenant app named after stack and origin, role Gateway.Invoke, Easy Auth on the site", () => {
    const o = azure();
    expect(checkServiceAuthOrigin(o, at)).toEqual([]);
    expect(o.serviceAuth).toEqual({ rotateAfterDays: 90, overlapDays: 14, rotation: 0 });
    expect(toServiceAuthTarget(o, "Prod")).toEqual({
      cloud: "azure",
      tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47",
      appName: "gatelock-prod-payments",
      appRole: "Gateway.Invoke",
      appService: { name: "payments-api", resourceGroup: "rg-payments" },
    });
  });

  it("GCP ID token: the stack's one id-token account, invoker on the Cloud Run service, audience the run.app URL", () => {
    const o = gcp();
    expect(checkServiceAuthOrigin(o, at)).toEqual([]);
    expect(toServiceAuthTarget(o, "prod")).toEqual({
      cloud: "gcp",
      token: "id-token",
      project: "acme-prod",
      serviceAccountId: "gl-prod-svc",
      serviceAccountEmail: "gl-prod-svc@acme-prod.iam.gserviceaccount.com",
      invoke: { kind: "cloud-run", service: "reports", location: "europe-west1", project: "acme-prod", role: "roles/run.invoker", audience: "https://reports-7hk3pq2xna-ew.a.run.app" },
    });
  });

  it("GCP behind IAP: the id-token account, IAP's OAuth client ID as the audience", () => {
    const o = gcp({ cloudRun: undefined, iap: { service: "reports", location: "europe-west1", audience: "418203751982-a1b2c3d4e5f6.apps.googleusercontent.com" } });
    expect(checkServiceAuthOrigin(o, at)).toEqual([]);
    expect(toServiceAuthTarget(o, "prod")).toMatchObject({ token: "id-token", invoke: { kind: "iap", service: "reports", project: "acme-prod", audience: "418203751982-a1b2c3d4e5f6.apps.googleusercontent.com" } });
    // The audience IAP accepts is its OAuth client ID, not a URL.
    expect(ServiceAuthOriginConfig.safeParse({ ...o, gcp: { ...o.gcp, iap: { ...o.gcp!.iap, audience: "https://reports-7hk3pq2xna-ew.a.run.app" } } }).success).toBe(false);
    expect(issuesOf(gcp({ iap: { service: "reports", location: "europe-west1", audience: "1-x.apps.googleusercontent.com" } }))).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].gcp.iap"]]);
  });

  it("GCP self-signed JWT: the jwt account, and the Endpoints service with the origin URL as audience", () => {
    const o = gcp({ token: "self-signed-jwt", cloudRun: undefined, endpoints: { serviceName: "reports.endpoints.acme-prod.cloud.goog" } }, { url: "https://reports.endpoints.acme-prod.cloud.goog" });
    expect(checkServiceAuthOrigin(o, at)).toEqual([]);
    const t = toServiceAuthTarget(o, "prod");
    expect(t).toMatchObject({ token: "self-signed-jwt", serviceAccountId: "gl-prod-jwt", invoke: { kind: "endpoints", serviceName: "reports.endpoints.acme-prod.cloud.goog", audience: "https://reports.endpoints.acme-prod.cloud.goog" } });
  });

  it("a long stack name still gives a valid 30-character account ID, different per token kind", () => {
    const stack = "a-very-long-environment-name-for-testing";
    const [svc, jwt] = [defaultGatewayServiceAccountId(stack, "id-token"), defaultGatewayServiceAccountId(stack, "self-signed-jwt")];
    for (const id of [svc, jwt]) expect(id).toMatch(/^[a-z][a-z0-9-]{4,28}[a-z0-9]$/);
    expect(svc).not.toBe(jwt);
  });
});

describe("service-auth refusals: each names the key and says how to fix it", () => {
  it("a multi-tenant or personal-account app", () => {
    for (const audience of ["AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount", "PersonalMicrosoftAccount"]) {
      const [issue] = checkServiceAuthOrigin(azure({ signInAudience: audience }), at);
      expect(issue).toMatchObject({ code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].azure.signInAudience" });
      expect(issue!.fix).toContain("single-tenant");
    }
  });

  it("a credential without a bounded life: longer than Entra's two years, or an overlap longer than the rotation", () => {
    expect(() => ServiceAuthOriginConfig.parse({ ...azure(), serviceAuth: { rotateAfterDays: 0 } })).toThrow();
    expect(issuesOf(ServiceAuthOriginConfig.parse({ ...azure(), serviceAuth: { rotateAfterDays: 720, overlapDays: 10 } }))).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].serviceAuth.rotateAfterDays"]]);
    expect(issuesOf(ServiceAuthOriginConfig.parse({ ...azure(), serviceAuth: { rotateAfterDays: 10, overlapDays: 20 } }))).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].serviceAuth.overlapDays"]]);
    // The schema itself has no way to say "never expires".
    expect(ServiceAuthOriginConfig.safeParse({ ...azure(), serviceAuth: { rotateAfterDays: 100_000 } }).success).toBe(false);
  });

  it("administrator-level roles for the service account, on the Cloud Run grant", () => {
    for (const role of ["roles/owner", "roles/editor", "roles/run.admin", "roles/iam.serviceAccountTokenCreator"]) {
      expect(issuesOf(gcp({ cloudRun: { service: "reports", location: "europe-west1", role } }))).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].gcp.cloudRun.role"]]);
    }
  });

  it("an audience that names another Cloud Run service than the origin URL", () => {
    const o = gcp({ cloudRun: { service: "reports", location: "europe-west1", audience: "https://billing-4xq2m7a-uc.a.run.app" } });
    const [issue] = checkServiceAuthOrigin(o, at);
    expect(issue).toMatchObject({ code: "ERR_CONFIG_CONFLICT", path: "gatelock:origins[0].gcp.cloudRun.audience" });
    expect(issue!.message).toContain("https://reports-7hk3pq2xna-ew.a.run.app");
    // The same check guards federated origins (one implementation).
    expect(checkCloudRunInvoke({ role: "roles/run.invoker", audience: "https://billing-4xq2m7a-uc.a.run.app" }, "https://reports-7hk3pq2xna-ew.a.run.app", (...r) => r.join("."), "url")).toHaveLength(1);
    // A custom audience configured on the service is fine.
    expect(checkServiceAuthOrigin(gcp({ cloudRun: { service: "reports", location: "europe-west1", audience: "reports-gateway" } }), at)).toEqual([]);
  });

  it("both an audience (Cloud Run) and scopes", () => {
    const o = gcp({ scopes: ["https://www.googleapis.com/auth/bigquery.readonly"] });
    expect(issuesOf(o)).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].gcp.scopes"]]);
  });

  it("allUsers or allAuthenticatedUsers can never be the invoker: only the generated service account is granted", () => {
    // There is no member list to put them in: the schema refuses the key.
    expect(ServiceAuthOriginConfig.safeParse({ ...gcp(), gcp: { ...gcp().gcp, invokers: ["allUsers"] } }).success).toBe(false);
    expect(ServiceAuthOriginConfig.safeParse({ ...gcp(), gcp: { ...gcp().gcp, serviceAccountId: "allUsers" } }).success).toBe(false);
  });

  it("a token kind that does not fit the target, a missing target, a plain-HTTP origin, the wrong cloud block", () => {
    expect(issuesOf(gcp({ token: "self-signed-jwt" }))).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].gcp.token"]]);
    expect(issuesOf(gcp({ cloudRun: undefined, endpoints: { serviceName: "r.endpoints.acme-prod.cloud.goog" } }))).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].gcp.endpoints"]]);
    expect(issuesOf(gcp({ cloudRun: undefined }))).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].gcp"]]);
    expect(issuesOf(ServiceAuthOriginConfig.parse({ ...azure(), url: "http://payments.example" }))).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].url"]]);
    expect(issuesOf(ServiceAuthOriginConfig.parse({ ...azure(), gcp: gcp().gcp }))).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].gcp"]]);
    expect(issuesOf(ServiceAuthOriginConfig.parse({ ...azure(), azure: undefined }))).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].azure"]]);
    expect(issuesOf(azure({ containerApp: { name: "payments", resourceGroup: "rg" } }))).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].azure.containerApp"]]);
  });
});

describe("one service account per token kind (Zuplo's runtime keeps the first it parses)", () => {
  const key = (i: number, ...rest: (string | number)[]) => configKey(["origins", i, ...rest]);

  it("origins of one kind share the account; another kind gets its own", () => {
    const jwt = gcp({ token: "self-signed-jwt", cloudRun: undefined, endpoints: { serviceName: "r.endpoints.acme-prod.cloud.goog" } });
    expect(checkServiceAuthOrigins([gcp(), { ...gcp(), name: "billing" }, jwt, azure()], "prod", key)).toEqual([]);
  });

  it("two projects or two account IDs for one kind are refused, saying why", () => {
    const other = gcp({ project: "acme-other" });
    const [byProject] = checkServiceAuthOrigins([gcp(), other], "prod", key);
    expect(byProject).toMatchObject({ code: "ERR_CONFIG_CONFLICT", path: "gatelock:origins[1].gcp.project" });
    expect(byProject!.message).toContain("keeps the first service account it parses");
    const [byId] = checkServiceAuthOrigins([gcp(), gcp({ serviceAccountId: "gateway-two" })], "prod", key);
    expect(byId).toMatchObject({ code: "ERR_CONFIG_CONFLICT", path: "gatelock:origins[1].gcp.serviceAccountId" });
    const [byRotation] = checkServiceAuthOrigins([gcp(), gcp({}, { serviceAuth: { rotateAfterDays: 30 } })], "prod", key);
    expect(byRotation).toMatchObject({ code: "ERR_CONFIG_CONFLICT", path: "gatelock:origins[1].serviceAuth" });
  });
});

describe("service-auth warnings", () => {
  it("GCP: key creation may be blocked, and a Cloud Run origin could be federated; Azure: none by default", () => {
    expect(serviceAuthWarnings(gcp(), at).map((w) => [w.code, w.path])).toEqual([
      ["WARN_KEY_CREATION_BLOCKED", "gatelock:origins[0].gcp"],
      ["WARN_PREFER_FEDERATED", "gatelock:origins[0].method"],
    ]);
    expect(serviceAuthWarnings(azure(), at)).toEqual([]);
    expect(serviceAuthWarnings(ServiceAuthOriginConfig.parse({ ...azure(), serviceAuth: { overlapDays: 0 } }), at).map((w) => w.code)).toEqual(["WARN_NO_OVERLAP"]);
    expect(serviceAuthWarnings(gcp({ cloudRun: undefined, scopes: ["https://www.googleapis.com/auth/bigquery.readonly"] }), at).map((w) => w.code)).toEqual(["WARN_KEY_CREATION_BLOCKED", "WARN_UNGRANTED_SCOPES"]);
  });
});

describe("describeServiceAuth", () => {
  it("says who holds what and what the origin's cloud checks", () => {
    const a = describeServiceAuth("payments", "zuplo acme/orders-api@main", toServiceAuthTarget(azure(), "prod"));
    expect(a.proof).toBe("an Entra v2 access token from https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0 with aud = azp = the client ID of app registration `gatelock-prod-payments`, roles ∋ Gateway.Invoke");
    expect(a.store.location).toBe("gatelock-prod-payments in tenant 72f988bf-86f1-41af-91ab-2d7cd011db47; Easy Auth on App Service rg-payments/payments-api");
    const untenanted = describeServiceAuth("payments", "gw", toServiceAuthTarget(azure({ tenantId: undefined }), "prod"));
    expect(untenanted.proof).toContain("https://login.microsoftonline.com/<deploying tenant>/v2.0");
    const g = describeServiceAuth("reports", "gw", toServiceAuthTarget(gcp(), "prod"));
    expect(g.store.readers).toEqual(["serviceAccount:gl-prod-svc@acme-prod.iam.gserviceaccount.com (roles/run.invoker on reports, for reports alone)"]);
    expect(g.proof).toBe("a Google-signed ID token of gl-prod-svc@acme-prod.iam.gserviceaccount.com with aud = https://reports-7hk3pq2xna-ew.a.run.app");
  });
});

describe("service-auth refusals in the audit: error findings with the key and the fix", () => {
  it("each refusal of a stack file shows as an error finding, all at once, and the audit exits refused", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-sa-audit-"));
    fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    const origins = [
      { name: "payments", method: "service-auth", cloud: "azure", azure: { signInAudience: "AzureADMultipleOrgs" } },
      { name: "reports", method: "service-auth", cloud: "gcp", url: "https://reports-7hk3pq2xna-ew.a.run.app", serviceAuth: { rotateAfterDays: 720, overlapDays: 14 }, gcp: { project: "acme-prod", cloudRun: { service: "reports", location: "europe-west1", role: "roles/run.admin", audience: "https://billing-4xq2m7a-uc.a.run.app" }, scopes: ["https://www.googleapis.com/auth/bigquery"] } },
    ];
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.bad.yaml"), `config:\n  gatelock:gateway: {kind: zuplo, account: acme, project: orders-api, branch: main}\n  gatelock:origins: ${JSON.stringify(origins)}\n`);
    try {
      const report = await runAudit({ projectDir: dir, stack: "bad", env: {} });
      expect(report.ok).toBe(false);
      const errors = report.findings.filter((f) => f.severity === "error");
      expect(errors.map((f) => [f.code, f.path]).sort()).toEqual(
        [
          ["ERR_TRUST_UNSAFE", "gatelock:origins[0].azure.signInAudience"],
          ["ERR_CONFIG_INVALID", "gatelock:origins[1].serviceAuth.rotateAfterDays"],
          ["ERR_TRUST_UNSAFE", "gatelock:origins[1].gcp.cloudRun.role"],
          ["ERR_CONFIG_CONFLICT", "gatelock:origins[1].gcp.cloudRun.audience"],
          ["ERR_CONFIG_CONFLICT", "gatelock:origins[1].gcp.scopes"],
        ].sort(),
      );
      for (const f of errors) expect(f.fix, `${f.code} ${f.path}`).toBeTruthy();
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
