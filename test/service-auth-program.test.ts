/**
 * Method 3 through the real program under the mock engine, with faithful fakes: the Entra app
 * registration and its rotating client secret, the GCP gateway service account shared by every
 * origin of a token kind, its rotating key (loaded by Google's own library), and no secret in
 * any plain output.
 */
import { createVerify, X509Certificate } from "node:crypto";
import { JWT } from "google-auth-library";
import { describe, expect, it } from "vitest";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { config } from "./fixtures/configs";
import { runAudit } from "../components/audit/report";
import { isSecretValue, one, ofType, plainStrings, PROJECT_DIR, reveal, runProgram, type RecordedResource } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const t0 = Date.parse("2026-03-01T00:00:00Z");
const TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47";

const T = {
  app: "azuread:index/application:Application",
  sp: "azuread:index/servicePrincipal:ServicePrincipal",
  password: "azuread:index/applicationPassword:ApplicationPassword",
  assignment: "azuread:index/appRoleAssignment:AppRoleAssignment",
  easyAuth: "azure-native:web:WebAppAuthSettingsV2",
  account: "gcp:serviceaccount/account:Account",
  key: "gcp:serviceaccount/key:Key",
  invoker: "gcp:cloudrunv2/serviceIamMember:ServiceIamMember",
  variable: "pulumi-nodejs:dynamic/gatelock:ZuploVariable",
};

const payments = {
  name: "payments",
  method: "service-auth",
  cloud: "azure",
  url: "https://payments-api.azurewebsites.net",
  azure: { tenantId: TENANT, appService: { name: "payments-api", resourceGroup: "rg-payments" } },
};
const reports = { name: "reports", method: "service-auth", cloud: "gcp", url: "https://reports-7hk3pq2xna-ew.a.run.app", gcp: { project: "acme-prod", cloudRun: { service: "reports", location: "europe-west1" } } };
const billing = { name: "billing", method: "service-auth", cloud: "gcp", url: "https://billing-4xq2m7a-uc.a.run.app", gcp: { project: "acme-prod", cloudRun: { service: "billing", location: "us-central1" } } };
const legacy = {
  name: "legacy",
  method: "service-auth",
  cloud: "gcp",
  url: "https://legacy.endpoints.acme-prod.cloud.goog",
  gcp: { project: "acme-prod", token: "self-signed-jwt", endpoints: { serviceName: "legacy.endpoints.acme-prod.cloud.goog" } },
};

/** The value the gateway is given for a variable (revealed: for the test's eyes only). */
function variable(resources: readonly RecordedResource[], name: string): { value: string; secret: boolean } {
  const v = ofType(resources, T.variable).find((r) => reveal(r.inputs.name) === name);
  if (!v) throw new Error(`no variable ${name}`);
  return { value: String(reveal(v.inputs.value)), secret: isSecretValue(v.inputs.value) };
}

describe("service auth on Azure", () => {
  it("a single-tenant v2 app with one app role, assigned to its own service principal only", async () => {
    const run = await runProgram(config(payments), { fakes: { now: () => new Date(t0) } });
    const app = one(run.resources, T.app);
    expect(reveal(app.inputs)).toMatchObject({ displayName: "gatelock-test-payments", signInAudience: "AzureADMyOrg", api: { requestedAccessTokenVersion: 2 } });
    const roles = reveal(app.inputs.appRoles) as Array<Record<string, unknown>>;
    expect(roles).toHaveLength(1);
    expect(roles[0]).toMatchObject({ value: "Gateway.Invoke", allowedMemberTypes: ["Application"], enabled: true });
    expect(reveal(one(run.resources, T.sp).inputs)).toMatchObject({ appRoleAssignmentRequired: true });
    const assignment = reveal(one(run.resources, T.assignment).inputs) as Record<string, string>;
    expect(assignment.principalObjectId).toBe(assignment.resourceObjectId);
    expect(assignment.appRoleId).toBe(roles[0]!.id);
  });

  it("the gateway gets tenant, client ID and the current secret (secret); Easy Auth accepts exactly that app", async () => {
    const run = await runProgram(config(payments), { fakes: { now: () => new Date(t0) } });
    const passwords = ofType(run.resources, T.password);
    expect(passwords.map((p) => p.name).sort()).toEqual(["payments-secret-a", "payments-secret-b"]);
    const secret = variable(run.resources, "PAYMENTS_AZURE_CLIENT_SECRET");
    expect(secret.secret).toBe(true);
    expect(variable(run.resources, "PAYMENTS_AZURE_TENANT_ID")).toEqual({ value: TENANT, secret: false });
    const clientId = variable(run.resources, "PAYMENTS_AZURE_CLIENT_ID").value;
    expect(clientId).toMatch(/^[0-9a-f-]{36}$/);
    const auth = reveal(one(run.resources, T.easyAuth).inputs) as Record<string, any>;
    expect(auth).toMatchObject({ name: "payments-api", resourceGroupName: "rg-payments", globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" } });
    const aad = auth.identityProviders.azureActiveDirectory;
    expect(aad.registration).toEqual({ clientId, openIdIssuer: `https://login.microsoftonline.com/${TENANT}/v2.0` });
    expect(aad.validation.allowedAudiences).toEqual([clientId]);
    expect(aad.validation.defaultAuthorizationPolicy.allowedApplications).toEqual([clientId]);
    // Every password ends: rotation (90) + overlap (14) + grace (7) days from its slot's start.
    for (const p of passwords) expect(reveal(p.inputs.endDate)).toBe("2026-06-20T00:00:00Z");
    // The secret is nowhere in plain text: not in any plain input, nor in the stack outputs.
    for (const r of run.resources) expect(plainStrings(r.inputs)).not.toContain(secret.value);
    expect(JSON.stringify(run.outputs)).not.toContain(secret.value);
  });

  it("rotates without downtime: four deployments, the old secret deleted only after the overlap", async () => {
    const first = await runProgram(config(payments), { fakes: { now: () => new Date(t0) } });
    const s1 = variable(first.resources, "PAYMENTS_AZURE_CLIENT_SECRET").value;
    const keyIds = (run: typeof first) => Object.fromEntries(ofType(run.resources, T.password).map((p) => [p.name, run.fakes.produced.get(`${T.password}::${p.name}`)!.state.keyId]));

    // 2. Rotation due: a new secret in slot b goes to the gateway; slot a (the old one) stays.
    const rotated = await runProgram(config(payments), { fakes: { now: () => new Date(t0 + 90 * DAY), prior: first.fakes.produced } });
    const s2 = variable(rotated.resources, "PAYMENTS_AZURE_CLIENT_SECRET").value;
    expect(s2).not.toBe(s1);
    expect(keyIds(rotated)["payments-secret-a"]).toBe(keyIds(first)["payments-secret-a"]);
    expect(keyIds(rotated)["payments-secret-b"]).not.toBe(keyIds(first)["payments-secret-b"]);

    // 3. Within the overlap: nothing changes.
    const overlap = await runProgram(config(payments), { fakes: { now: () => new Date(t0 + 100 * DAY), prior: rotated.fakes.produced } });
    expect(keyIds(overlap)).toEqual(keyIds(rotated));
    expect(variable(overlap.resources, "PAYMENTS_AZURE_CLIENT_SECRET").value).toBe(s2);

    // 4. After the overlap: the old secret (slot a) is replaced, the gateway's is untouched.
    const retired = await runProgram(config(payments), { fakes: { now: () => new Date(t0 + 105 * DAY), prior: overlap.fakes.produced } });
    expect(keyIds(retired)["payments-secret-a"]).not.toBe(keyIds(overlap)["payments-secret-a"]);
    expect(keyIds(retired)["payments-secret-b"]).toBe(keyIds(overlap)["payments-secret-b"]);
    expect(variable(retired.resources, "PAYMENTS_AZURE_CLIENT_SECRET").value).toBe(s2);
  });
});

describe("service auth on GCP", () => {
  it("one gateway account per token kind, invoker on each Cloud Run service for it alone", async () => {
    const run = await runProgram(config(reports, billing, legacy), { fakes: { now: () => new Date(t0) } });
    const accounts = ofType(run.resources, T.account).map((a) => reveal(a.inputs.accountId)).sort();
    expect(accounts).toEqual(["gl-test-jwt", "gl-test-svc"]);
    expect(ofType(run.resources, T.key)).toHaveLength(4); // two slots per account
    const invokers = ofType(run.resources, T.invoker).map((r) => reveal(r.inputs) as Record<string, string>);
    expect(invokers.map((i) => [i.name, i.member, i.role]).sort()).toEqual([
      ["billing", "serviceAccount:gl-test-svc@acme-prod.iam.gserviceaccount.com", "roles/run.invoker"],
      ["reports", "serviceAccount:gl-test-svc@acme-prod.iam.gserviceaccount.com", "roles/run.invoker"],
    ]);
    // The same key for both ID-token origins (Zuplo keeps the first account it parses).
    expect(variable(run.resources, "REPORTS_GCP_SERVICE_ACCOUNT_JSON").value).toBe(variable(run.resources, "BILLING_GCP_SERVICE_ACCOUNT_JSON").value);
    expect(variable(run.resources, "LEGACY_GCP_SERVICE_ACCOUNT_JSON").value).not.toBe(variable(run.resources, "REPORTS_GCP_SERVICE_ACCOUNT_JSON").value);
  });

  it("the gateway's variable is the single line Zuplo parses; Google's library signs with it, the key's certificate verifies", async () => {
    const run = await runProgram(config(legacy), { fakes: { now: () => new Date(t0) } });
    const json = variable(run.resources, "LEGACY_GCP_SERVICE_ACCOUNT_JSON");
    expect(json.secret).toBe(true);
    expect(json.value).not.toContain("\n");
    const creds = JSON.parse(json.value) as { client_email: string; private_key_id: string };
    expect(creds.client_email).toBe("gl-test-jwt@acme-prod.iam.gserviceaccount.com");
    const client = new JWT();
    client.fromJSON(JSON.parse(json.value));
    const headers = await client.getRequestHeaders("https://legacy.endpoints.acme-prod.cloud.goog");
    // google-auth-library 10 returns a Headers object.
    const token = String(headers.get("authorization")).replace(/^Bearer /, "");
    expect(decodeJwt(token)).toMatchObject({ iss: creds.client_email, sub: creds.client_email, aud: "https://legacy.endpoints.acme-prod.cloud.goog" });
    expect(decodeProtectedHeader(token).kid).toBe(creds.private_key_id);
    // The key the gateway holds is the current slot's; its certificate verifies the signature.
    const keys = ofType(run.resources, T.key).map((k) => run.fakes.produced.get(`${T.key}::${k.name}`)!.state);
    const cert = keys.map((k) => new X509Certificate(Buffer.from(String(k.publicKey), "base64"))).find((c) => {
      const [h, p, s] = token.split(".");
      return createVerify("RSA-SHA256").update(`${h}.${p}`).verify(c.publicKey, Buffer.from(s!, "base64url"));
    });
    expect(cert).toBeDefined();
    // And it is nowhere in plain text.
    for (const r of run.resources) expect(plainStrings(r.inputs).some((s) => s.includes(creds.private_key_id) && s.includes("PRIVATE KEY"))).toBe(false);
    expect(JSON.stringify(run.outputs)).not.toContain("PRIVATE KEY");
  });

  it("IAP: the accessor role on the service for the gateway's account alone, and IAP's client ID as the audience", async () => {
    const iap = { ...reports, name: "admin", gcp: { project: "acme-prod", iap: { service: "admin", location: "europe-west1", audience: "418203751982-a1b2c3d4e5f6.apps.googleusercontent.com" } } };
    const run = await runProgram(config(reports, iap), { fakes: { now: () => new Date(t0) } });
    const accessor = reveal(one(run.resources, "gcp:iap/webCloudRunServiceIamMember:WebCloudRunServiceIamMember").inputs) as Record<string, string>;
    expect(accessor).toMatchObject({ cloudRunServiceName: "admin", location: "europe-west1", project: "acme-prod", role: "roles/iap.httpsResourceAccessor", member: "serviceAccount:gl-test-svc@acme-prod.iam.gserviceaccount.com" });
    // One invoker grant (reports) and one accessor grant (admin): the same account, no other member.
    expect(ofType(run.resources, T.invoker)).toHaveLength(1);
    const policy = run.outputs.gatewayPolicies.find((c) => c.origin === "admin")!.policies[0]!;
    expect(policy.handler.options).toEqual({ audience: "418203751982-a1b2c3d4e5f6.apps.googleusercontent.com", serviceAccountJson: "$env(ADMIN_GCP_SERVICE_ACCOUNT_JSON)" });
  });

  it("Endpoints: the OpenAPI security definition for the gateway's account and audience", async () => {
    const run = await runProgram(config(legacy), { fakes: { now: () => new Date(t0) } });
    const out = run.outputs.origins.legacy!.resources as Record<string, any>;
    expect(out.endpointsSecurity.securityDefinitions.gatelock_gateway).toMatchObject({
      "x-google-issuer": "gl-test-jwt@acme-prod.iam.gserviceaccount.com",
      "x-google-jwks_uri": "https://www.googleapis.com/robot/v1/metadata/x509/gl-test-jwt@acme-prod.iam.gserviceaccount.com",
      "x-google-audiences": "https://legacy.endpoints.acme-prod.cloud.goog",
    });
  });
});

describe("the audit's leak guard and service-auth credentials", () => {
  /** The example stack's audit, with `plant` putting a piece of a credential into a printed input. */
  async function auditPlanting(plant: (value: string, creds: Record<string, string>) => string) {
    let planted = "";
    const report = await runAudit({
      projectDir: PROJECT_DIR,
      stack: "example",
      observe: (rs) => {
        const json = variable(rs, "ANALYTICS_GCP_SERVICE_ACCOUNT_JSON").value;
        planted = plant(json, JSON.parse(json) as Record<string, string>);
        const secret = rs.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        (secret.inputs as Record<string, unknown>).description = `for ${planted}`;
      },
    });
    return { report, planted };
  }

  it("the example stack's audit prints no credential, and is ok", async () => {
    const report = await runAudit({ projectDir: PROJECT_DIR, stack: "example" });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    expect(report.origins.map((o) => `${o.name} ${o.method} ${o.cloud}`).filter((o) => o.includes("service-auth"))).toEqual(["payments service-auth azure", "analytics service-auth gcp", "catalog service-auth gcp"]);
  });

  it("catches the private key of the gateway's key file anywhere in the report", async () => {
    const { report, planted } = await auditPlanting((_json, c) => c.private_key!.split("\n")[3]!);
    expect(planted.length).toBeGreaterThan(40);
    expect(report.findings.map((f) => f.code)).toContain("ERR_SECRET_IN_OUTPUT");
  });

  it("but not the key file's public fields (the account's email, its endpoints), which the report prints anyway", async () => {
    const { report } = await auditPlanting((_json, c) => `${c.client_email} ${c.token_uri}`);
    expect(report.findings.map((f) => f.code)).not.toContain("ERR_SECRET_IN_OUTPUT");
  });
});
