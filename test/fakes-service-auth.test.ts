/**
 * The fakes for method 3 (upstream service auth), checked by what no one here wrote:
 * - the GCP key fake's credentials file is loaded by Google's own `google-auth-library` from
 *   the exact single-line value gatelock writes to the gateway, which signs a self-signed JWT
 *   offline; Node's X.509 parser and `jose` verify that JWT with the certificate the fake
 *   published, and it satisfies the ESPv2 security definition gatelock generates;
 * - Zuplo's runtime path (`JSON.parse`, then `importPKCS8`) works on the same value, and not
 *   on the provider's base64;
 * - the Entra fakes return real GUIDs, the formats Graph returns, a secret `value`, and refuse
 *   what Graph refuses.
 */
import { createPrivateKey, X509Certificate } from "node:crypto";
import { GoogleAuth, JWT } from "google-auth-library";
import { importPKCS8, importX509, jwtVerify, SignJWT } from "jose";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { endpointsServiceAccountSecurity } from "../components/documents/gcp-endpoints-auth";
import { SERVICE_ACCOUNT_KEY_FIELDS, serviceAccountJsonFromProviderKey } from "../components/documents/gcp-service-account-key";
import type { Fake, PriorResource } from "../components/testing/fake-kit";
import { isSecretValue, reveal } from "../components/testing/fake-kit";
import { FakeCloud } from "../components/testing/fakes";
import { AZUREAD_FAKES } from "../components/testing/fakes-azuread";
import { GCP_KEY_FAKES, MAX_KEYS_PER_SERVICE_ACCOUNT, NO_EXPIRY } from "../components/testing/fakes-gcp-keys";

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const PROJECT = "acme-prod";
const AUDIENCE = "https://orders-a2ev-uc.a.run.app";

/** Call a fake the way FakeCloud does, within one run (`cloud`). */
function call(fakes: Record<string, Fake>, cloud: FakeCloud, type: string, name: string, inputs: Record<string, unknown>, prior?: PriorResource) {
  return fakes[type]!({ type, name, inputs, custom: true } as Parameters<Fake>[0], cloud.context(prior));
}

function account(cloud: FakeCloud, accountId = "gatelock-gw-jwt") {
  return call(GCP_KEY_FAKES, cloud, "gcp:serviceaccount/account:Account", accountId, { accountId, project: PROJECT });
}

function key(cloud: FakeCloud, serviceAccountId: string, inputs: Record<string, unknown> = {}, prior?: PriorResource) {
  return call(GCP_KEY_FAKES, cloud, "gcp:serviceaccount/key:Key", "gw-key", { serviceAccountId, ...inputs }, prior);
}

// Nothing here may touch the network: Google's library would otherwise fall back to a token endpoint.
beforeEach(() => {
  vi.stubGlobal("fetch", () => Promise.reject(new Error("no network in this test")));
});
afterEach(() => {
  vi.unstubAllGlobals();
});

describe("gcp:serviceaccount/key:Key", () => {
  it("returns a real RSA-2048 key as a base64 Google credentials file, marked secret, with a real certificate", () => {
    const cloud = new FakeCloud();
    const sa = account(cloud).state as { email: string; uniqueId: string; name: string };
    const { id, state } = key(cloud, sa.name);

    expect(isSecretValue(state.privateKey)).toBe(true);
    const file = JSON.parse(Buffer.from(reveal(state.privateKey) as string, "base64").toString("utf8")) as Record<string, string>;
    expect(Object.keys(file)).toEqual([...SERVICE_ACCOUNT_KEY_FIELDS]);
    expect(file).toMatchObject({
      type: "service_account",
      project_id: PROJECT,
      client_email: sa.email,
      client_id: sa.uniqueId,
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: "https://oauth2.googleapis.com/token",
      auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
      client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/gatelock-gw-jwt%40${PROJECT}.iam.gserviceaccount.com`,
      universe_domain: "googleapis.com",
    });
    expect(file.private_key_id).toMatch(/^[0-9a-f]{40}$/);
    expect(id).toBe(`projects/${PROJECT}/serviceAccounts/${sa.email}/keys/${file.private_key_id}`);
    expect(state.name).toBe(id);
    expect(file.private_key).toMatch(/^-----BEGIN PRIVATE KEY-----\n(?:[A-Za-z0-9+/=]{64}\n)+[A-Za-z0-9+/=]{1,64}\n-----END PRIVATE KEY-----\n$/);
    const privateKey = createPrivateKey(file.private_key!);
    expect(privateKey.asymmetricKeyDetails?.modulusLength).toBe(2048);

    expect(isSecretValue(state.publicKey)).toBe(false);
    const cert = new X509Certificate(Buffer.from(state.publicKey as string, "base64"));
    expect(cert.verify(cert.publicKey)).toBe(true); // self-signed, and the signature is real
    expect(cert.checkPrivateKey(privateKey)).toBe(true);
    expect(cert.ca).toBe(false);
    expect(new Date(cert.validTo).toISOString()).toBe("9999-12-31T23:59:59.000Z");
    expect(state).toMatchObject({ keyAlgorithm: "KEY_ALG_RSA_2048", validBefore: NO_EXPIRY, publicKeyType: "TYPE_X509_PEM_FILE", privateKeyType: "TYPE_GOOGLE_CREDENTIALS_FILE" });
    expect(Date.parse(state.validAfter as string)).toBeLessThanOrEqual(Date.now());
  });

  it("keeps an unchanged key across runs, and makes a new one when `keepers` change", () => {
    const first = new FakeCloud();
    const sa = account(first).state as { name: string };
    const a = key(first, sa.name, { keepers: { rotation: "1" } });
    const prior = { inputs: { serviceAccountId: sa.name, keepers: { rotation: "1" } }, id: a.id, state: a.state };
    const second = new FakeCloud();
    account(second);
    expect(key(second, sa.name, { keepers: { rotation: "1" } }, prior)).toEqual(a);
    const third = new FakeCloud();
    account(third);
    const rotated = key(third, sa.name, { keepers: { rotation: "2" } }, prior);
    expect(rotated.id).not.toBe(a.id);
    expect(reveal(rotated.state.privateKey)).not.toBe(reveal(a.state.privateKey));
  });

  it(`refuses key ${MAX_KEYS_PER_SERVICE_ACCOUNT + 1} on one service account, but not on another`, () => {
    const cloud = new FakeCloud();
    const sa = account(cloud).state as { email: string };
    const other = account(cloud, "gatelock-gw-svc").state as { email: string };
    for (let n = 0; n < MAX_KEYS_PER_SERVICE_ACCOUNT; n++) key(cloud, sa.email, { keepers: { n: String(n) } });
    expect(() => key(cloud, sa.email, { keepers: { n: "10" } })).toThrow(/FAILED_PRECONDITION.*10 keys/);
    expect(() => key(cloud, other.email)).not.toThrow();
  }, 60_000);

  it("refuses what the IAM API refuses: an unknown algorithm or output type, an upload that is not a certificate", () => {
    const cloud = new FakeCloud();
    const sa = account(cloud).state as { name: string };
    expect(() => key(cloud, sa.name, { keyAlgorithm: "KEY_ALG_EC_P256" })).toThrow(/invalid keyAlgorithm/);
    expect(() => key(cloud, sa.name, { publicKeyType: "TYPE_PEM" })).toThrow(/invalid publicKeyType/);
    expect(() => key(cloud, sa.name, { publicKeyData: Buffer.from("not a certificate").toString("base64") })).toThrow(/not a base64-encoded X.509/);
    expect(() => key(cloud, "not-an-account")).toThrow(/404/);
  });
});

describe("the gateway variable: the exact single-line value Zuplo parses", () => {
  function made() {
    const cloud = new FakeCloud();
    const sa = account(cloud).state as { email: string; name: string };
    const k = key(cloud, sa.name);
    return { sa, k, value: serviceAccountJsonFromProviderKey(reveal(k.state.privateKey) as string) };
  }

  it("is loaded by google-auth-library (JWT and GoogleAuth.fromJSON), whose offline self-signed JWT the published certificate verifies", async () => {
    const { sa, k, value } = made();
    expect(value).not.toMatch(/[\r\n]/);
    const creds = JSON.parse(value) as Record<string, string>;

    const jwt = new JWT();
    jwt.fromJSON(creds);
    const headers = await jwt.getRequestHeaders(AUDIENCE);
    const token = headers.get("authorization")!.replace(/^Bearer /, "");
    const viaGoogleAuth = new GoogleAuth().fromJSON(creds) as JWT;
    expect(viaGoogleAuth.email).toBe(sa.email);
    const token2 = (await viaGoogleAuth.getRequestHeaders(AUDIENCE)).get("authorization")!.replace(/^Bearer /, "");

    const certificate = Buffer.from(k.state.publicKey as string, "base64").toString("utf8");
    const publicKey = await importX509(certificate, "RS256");
    for (const t of [token, token2]) {
      const { payload, protectedHeader } = await jwtVerify(t, publicKey, { issuer: sa.email, subject: sa.email, audience: AUDIENCE, algorithms: ["RS256"] });
      expect(protectedHeader).toMatchObject({ alg: "RS256", kid: creds.private_key_id });
      expect(payload.exp! - payload.iat!).toBe(3600);
    }
    // And a key that is not this account's does not verify.
    const otherCert = Buffer.from(key(new FakeCloud(), sa.email).state.publicKey as string, "base64").toString("utf8");
    await expect(jwtVerify(token, await importX509(otherCert, "RS256"))).rejects.toMatchObject({ code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  });

  it("signs on Zuplo's runtime path (JSON.parse, then importPKCS8 of private_key), which the provider's base64 cannot take", async () => {
    const { k, value } = made();
    expect(() => JSON.parse(reveal(k.state.privateKey) as string)).toThrow(SyntaxError);
    const sa = JSON.parse(value) as Record<string, string>;
    await expect(importPKCS8(sa.private_key!.trim(), "RS256")).resolves.toBeDefined();
  });

  it("satisfies the ESPv2 security definition generated for that account and audience, as ESP checks it", async () => {
    const { sa, k, value } = made();
    const creds = JSON.parse(value) as Record<string, string>;
    // What upstream-gcp-jwt-inbound signs: header {alg, kid}, iss = sub = email, aud, iat, exp.
    const now = Math.floor(Date.now() / 1000);
    const zuploJwt = await new SignJWT({ iss: creds.client_email, sub: creds.client_email, aud: AUDIENCE, iat: now, exp: now + 3600 })
      .setProtectedHeader({ alg: "RS256", kid: creds.private_key_id! })
      .sign(await importPKCS8(creds.private_key!.trim(), "RS256"));

    const security = endpointsServiceAccountSecurity({ serviceAccountEmail: sa.email, audience: AUDIENCE });
    const [name] = Object.keys(security.securityDefinitions);
    const def = security.securityDefinitions[name!]!;
    expect(security.security).toEqual([{ [name!]: [] }]);
    expect(def["x-google-jwks_uri"]).toBe(`https://www.googleapis.com/robot/v1/metadata/x509/${sa.email}`);

    // What the x509 URL serves for this account: key ID → PEM certificate.
    const published: Record<string, string> = { [creds.private_key_id!]: Buffer.from(k.state.publicKey as string, "base64").toString("utf8") };
    const esp = async (token: string) => {
      const [headerPart] = token.split(".");
      const { kid } = JSON.parse(Buffer.from(headerPart!, "base64url").toString()) as { kid: string };
      const pem = published[kid];
      if (!pem) throw new Error("unknown kid");
      return jwtVerify(token, await importX509(pem, "RS256"), { issuer: def["x-google-issuer"], audience: def["x-google-audiences"].split(","), requiredClaims: ["iss", "sub", "aud", "iat", "exp"] });
    };
    await expect(esp(zuploJwt)).resolves.toMatchObject({ payload: { iss: sa.email, aud: AUDIENCE } });
    // Another audience, or another account's key, is refused.
    const wrongAud = await new SignJWT({ iss: sa.email, sub: sa.email, aud: "https://other.example", iat: now, exp: now + 3600 })
      .setProtectedHeader({ alg: "RS256", kid: creds.private_key_id! })
      .sign(await importPKCS8(creds.private_key!.trim(), "RS256"));
    await expect(esp(wrongAud)).rejects.toMatchObject({ code: "ERR_JWT_CLAIM_VALIDATION_FAILED", claim: "aud" });
    const stranger = JSON.parse(serviceAccountJsonFromProviderKey(reveal(key(new FakeCloud(), "gatelock-gw-x@acme-prod.iam.gserviceaccount.com").state.privateKey) as string)) as Record<string, string>;
    const forged = await new SignJWT({ iss: sa.email, sub: sa.email, aud: AUDIENCE, iat: now, exp: now + 3600 })
      .setProtectedHeader({ alg: "RS256", kid: creds.private_key_id! })
      .sign(await importPKCS8(stranger.private_key!.trim(), "RS256"));
    await expect(esp(forged)).rejects.toMatchObject({ code: "ERR_JWS_SIGNATURE_VERIFICATION_FAILED" });
  });
});

describe("Entra ID fakes", () => {
  const ROLE_ID = "3f1e5a9c-7b2d-4c8e-9a6f-1d2c3b4a5e6f";
  const app = (cloud: FakeCloud, inputs: Record<string, unknown> = {}, prior?: PriorResource) =>
    call(
      AZUREAD_FAKES,
      cloud,
      "azuread:index/application:Application",
      "orders",
      {
        displayName: "gatelock-prod-orders",
        signInAudience: "AzureADMyOrg",
        api: { requestedAccessTokenVersion: 2 },
        appRoles: [{ id: ROLE_ID, allowedMemberTypes: ["Application"], value: "Gateway.Invoke", displayName: "Gateway", description: "Calls from the API gateway" }],
        ...inputs,
      },
      prior,
    );
  const sp = (cloud: FakeCloud, clientId: string, name = "orders") =>
    call(AZUREAD_FAKES, cloud, "azuread:index/servicePrincipal:ServicePrincipal", name, { clientId, appRoleAssignmentRequired: true });
  const password = (cloud: FakeCloud, inputs: Record<string, unknown>) => call(AZUREAD_FAKES, cloud, "azuread:index/applicationPassword:ApplicationPassword", "orders-a", inputs);
  const assign = (cloud: FakeCloud, inputs: Record<string, unknown>) => call(AZUREAD_FAKES, cloud, "azuread:index/appRoleAssignment:AppRoleAssignment", "orders", inputs);

  it("an application: GUIDs, `/applications/<objectId>`, app role IDs by value; an unchanged one keeps its IDs", () => {
    const cloud = new FakeCloud();
    const { id, state } = app(cloud);
    expect(state.clientId).toMatch(GUID);
    expect(state.objectId).toMatch(GUID);
    expect(state.clientId).not.toBe(state.objectId);
    expect(id).toBe(`/applications/${state.objectId}`);
    expect(state.appRoleIds).toEqual({ "Gateway.Invoke": ROLE_ID });
    expect(state.api).toMatchObject({ requestedAccessTokenVersion: 2 });
    // The provider's default is v1 tokens, which the origin verifier refuses.
    expect(app(new FakeCloud(), { api: undefined }).state.api).toMatchObject({ requestedAccessTokenVersion: 1 });
    const again = app(new FakeCloud(), { displayName: "gatelock-prod-orders-renamed" }, { inputs: {}, id, state });
    expect([again.id, again.state.clientId]).toEqual([id, state.clientId]);
  });

  it("a service principal for it: `/servicePrincipals/<objectId>`, its client ID and roles; one per application", () => {
    const cloud = new FakeCloud();
    const a = app(cloud).state as { clientId: string; objectId: string };
    const { id, state } = sp(cloud, a.clientId);
    expect(state.objectId).toMatch(GUID);
    expect(state.objectId).not.toBe(a.objectId);
    expect(id).toBe(`/servicePrincipals/${state.objectId}`);
    expect(state).toMatchObject({ clientId: a.clientId, appRoleAssignmentRequired: true, appRoleIds: { "Gateway.Invoke": ROLE_ID }, type: "Application" });
    expect(() => sp(cloud, a.clientId, "orders-again")).toThrow(/409/);
    expect(() => sp(cloud, "11111111-2222-4333-8444-555555555555", "ghost")).toThrow(/does not reference a valid application/);
  });

  it("a password: secret `value`, GUID keyId, Graph's two-year default; refused on a client ID or a past end date", () => {
    const cloud = new FakeCloud();
    const a = app(cloud);
    const { id, state } = password(cloud, { applicationId: a.id, displayName: "slot-a" });
    expect(isSecretValue(state.value)).toBe(true);
    const secret = reveal(state.value) as string;
    expect(secret).toMatch(/^[A-Za-z0-9]{3}\dQ~[A-Za-z0-9_.~-]{34}$/);
    expect(JSON.stringify({ ...state, value: null })).not.toContain(secret);
    expect(state.keyId).toMatch(GUID);
    expect(id).toBe(`${a.state.objectId}/password/${state.keyId}`);
    const years = (Date.parse(state.endDate as string) - Date.parse(state.startDate as string)) / (365.25 * 86_400_000);
    expect(Math.round(years)).toBe(2);

    const relative = password(cloud, { applicationId: a.id, endDateRelative: "240h" }).state;
    expect(Date.parse(relative.endDate as string) - Date.parse(relative.startDate as string)).toBe(240 * 3_600_000);
    expect(() => password(cloud, { applicationId: a.state.clientId })).toThrow(/\/applications\/\{objectId\}.*client ID/);
    expect(() => password(cloud, { applicationId: a.id, endDate: "2020-01-01T00:00:00Z" })).toThrow(/400 .*endDateTime/);
    expect(() => password(cloud, { applicationId: a.id, endDate: "next year" })).toThrow(/RFC3339/);
    expect(() => password(cloud, { applicationId: "/applications/11111111-2222-4333-8444-555555555555" })).toThrow(/404/);
  });

  it("an app role assignment to the app's own service principal; an unknown role or a repeat is refused", () => {
    const cloud = new FakeCloud();
    const a = app(cloud).state as { clientId: string };
    const s = sp(cloud, a.clientId).state as { objectId: string };
    const { id, state } = assign(cloud, { appRoleId: ROLE_ID, principalObjectId: s.objectId, resourceObjectId: s.objectId });
    expect(id).toMatch(new RegExp(`^/servicePrincipals/${s.objectId}/appRoleAssignedTo/[A-Za-z0-9_-]{43}$`));
    expect(state).toMatchObject({ principalType: "ServicePrincipal", resourceDisplayName: "gatelock-prod-orders" });
    expect(() => assign(cloud, { appRoleId: ROLE_ID, principalObjectId: s.objectId, resourceObjectId: s.objectId })).toThrow(/already exists/);
    expect(() => assign(cloud, { appRoleId: "99999999-2222-4333-8444-555555555555", principalObjectId: s.objectId, resourceObjectId: s.objectId })).toThrow(/not found on application/);
  });

  it.each([
    ["an unknown sign-in audience", { signInAudience: "AzureADMyOrgs" }, /signInAudience/],
    ["personal accounts with v1 tokens", { signInAudience: "AzureADandPersonalMicrosoftAccount", api: { requestedAccessTokenVersion: 1 } }, /requestedAccessTokenVersion/],
    ["a token version of 3", { api: { requestedAccessTokenVersion: 3 } }, /requestedAccessTokenVersion/],
    ["a role ID that is not a GUID", { appRoles: [{ id: "gateway", allowedMemberTypes: ["Application"], value: "A", displayName: "A", description: "A" }] }, /'id' of resource 'AppRole'/],
    [
      "two roles with one value",
      {
        appRoles: [
          { id: ROLE_ID, allowedMemberTypes: ["Application"], value: "Gateway.Invoke", displayName: "A", description: "A" },
          { id: "4f1e5a9c-7b2d-4c8e-9a6f-1d2c3b4a5e6f", allowedMemberTypes: ["Application"], value: "Gateway.Invoke", displayName: "B", description: "B" },
        ],
      },
      /duplicate values: appRoles.value/,
    ],
    ["a role value with a space", { appRoles: [{ id: ROLE_ID, allowedMemberTypes: ["Application"], value: "Gateway Invoke", displayName: "A", description: "A" }] }, /'value' of resource 'AppRole'/],
    ["a role for devices", { appRoles: [{ id: ROLE_ID, allowedMemberTypes: ["Device"], value: "A", displayName: "A", description: "A" }] }, /allowedMemberTypes/],
    ["a wildcard identifier URI", { identifierUris: ["api://*.acme.example"] }, /identifierUris/],
  ])("refuses an application with %s", (_label, inputs, message) => {
    expect(() => app(new FakeCloud(), inputs)).toThrow(message);
  });

  it("all accept the multi-tenant audience Graph allows (refusing it is gatelock's job, not Azure's)", () => {
    expect(app(new FakeCloud(), { signInAudience: "AzureADMultipleOrgs" }).state.signInAudience).toBe("AzureADMultipleOrgs");
  });
});
