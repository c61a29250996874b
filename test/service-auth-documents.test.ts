/**
 * The pure origin-side documents of method 3: Easy Auth v2 settings (type-checked against the
 * azure-native SDK's own input types), the ESPv2 security definition (round-tripped through a
 * real OpenAPI YAML document), and the Zuplo form of a GCP key (refusals that never echo it).
 */
import { generateKeyPairSync } from "node:crypto";
import type * as azureNative from "@pulumi/azure-native";
import { importPKCS8 } from "jose";
import { describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import { containerAppsAuthConfig, webAppAuthSettingsV2 } from "../components/documents/azure-easy-auth";
import { endpointsServiceAccountSecurity } from "../components/documents/gcp-endpoints-auth";
import { serviceAccountJsonFromKeyFile, serviceAccountJsonFromProviderKey, serviceAccountKeyFacts } from "../components/documents/gcp-service-account-key";
import { createEntraTokenVerifier } from "../components/origin";
import { credentialsFile } from "../components/testing/fakes-gcp-keys";

const TENANT = "8f3e2d1c-4b5a-4c6d-9e8f-7a6b5c4d3e2f";
const CLIENT = "0b1c2d3e-4f5a-4b6c-8d7e-9f0a1b2c3d4e";
const SP = "6c7d8e9f-0a1b-4c2d-b3e4-f5a6b7c8d9e0";

describe("Easy Auth v2 (azure-native web.WebAppAuthSettingsV2)", () => {
  it("requires authentication, answers 401, and pins issuer, audience and client application to the app", () => {
    const doc = webAppAuthSettingsV2({ tenantId: TENANT, clientId: CLIENT });
    // Compile-time proof that the shape is the SDK's.
    const args: azureNative.web.WebAppAuthSettingsV2Args = { name: "orders-api", resourceGroupName: "rg-orders", ...structuredClone(doc) } as azureNative.web.WebAppAuthSettingsV2Args;
    expect(args.name).toBe("orders-api");
    expect(doc).toEqual({
      platform: { enabled: true },
      globalValidation: { requireAuthentication: true, unauthenticatedClientAction: "Return401" },
      httpSettings: { requireHttps: true },
      identityProviders: {
        azureActiveDirectory: {
          enabled: true,
          registration: { clientId: CLIENT, openIdIssuer: `https://login.microsoftonline.com/${TENANT}/v2.0` },
          validation: {
            allowedAudiences: [CLIENT],
            defaultAuthorizationPolicy: { allowedApplications: [CLIENT] },
            jwtClaimChecks: { allowedClientApplications: [CLIENT] },
          },
        },
      },
    });
    // The same issuer the origin-side verifier pins: both sides accept the same tokens.
    expect(doc.identityProviders.azureActiveDirectory.registration.openIdIssuer).toBe(createEntraTokenVerifier({ tenantId: TENANT, clientId: CLIENT }).issuer);
    // No secret is needed to validate bearer tokens, so none is referenced.
    expect(JSON.stringify(doc)).not.toMatch(/secret/i);
  });

  it("pins the service principal too when given, and lower-cases GUIDs as Entra writes them", () => {
    const doc = webAppAuthSettingsV2({ tenantId: TENANT.toUpperCase(), clientId: CLIENT.toUpperCase(), servicePrincipalObjectId: SP });
    expect(doc.identityProviders.azureActiveDirectory.validation.defaultAuthorizationPolicy).toEqual({ allowedApplications: [CLIENT], allowedPrincipals: { identities: [SP] } });
    expect(doc.identityProviders.azureActiveDirectory.registration.openIdIssuer).toContain(TENANT);
  });

  it("has a Container Apps equivalent without requireAuthentication (the SDK type has none)", () => {
    const doc = containerAppsAuthConfig({ tenantId: TENANT, clientId: CLIENT });
    const args: azureNative.app.ContainerAppsAuthConfigArgs = { resourceGroupName: "rg", containerAppName: "orders", authConfigName: "current", ...structuredClone(doc) } as azureNative.app.ContainerAppsAuthConfigArgs;
    expect(args.authConfigName).toBe("current");
    expect(doc.globalValidation).toEqual({ unauthenticatedClientAction: "Return401" });
    expect(doc.identityProviders).toEqual(webAppAuthSettingsV2({ tenantId: TENANT, clientId: CLIENT }).identityProviders);
  });

  it.each([
    ["a domain tenant", { tenantId: "contoso.onmicrosoft.com", clientId: CLIENT }, /`tenantId` must be a GUID/],
    ["an api:// client", { tenantId: TENANT, clientId: `api://${CLIENT}` }, /`clientId` must be a GUID/],
    ["an http authority", { tenantId: TENANT, clientId: CLIENT, authorityHost: "http://login.microsoftonline.com" }, /authorityHost/],
  ])("refuses %s", (_label, input, message) => {
    expect(() => webAppAuthSettingsV2(input)).toThrow(message);
  });
});

describe("ESPv2 / API Gateway security definition for the gateway's service account", () => {
  const email = "gatelock-gw-jwt@acme-prod.iam.gserviceaccount.com";

  it("round-trips through an OpenAPI 2.0 YAML document with every field pinned", () => {
    const security = endpointsServiceAccountSecurity({ serviceAccountEmail: email, audience: "orders.endpoints.acme-prod.cloud.goog" });
    const openapi = { swagger: "2.0", info: { title: "orders", version: "1.0.0" }, host: "orders.endpoints.acme-prod.cloud.goog", ...security, paths: {} };
    const back = parse(stringify(openapi)) as typeof openapi;
    expect(back.securityDefinitions).toEqual({
      gatelock_gateway: {
        authorizationUrl: "",
        flow: "implicit",
        type: "oauth2",
        "x-google-issuer": email,
        "x-google-jwks_uri": `https://www.googleapis.com/robot/v1/metadata/x509/${email}`,
        "x-google-audiences": "orders.endpoints.acme-prod.cloud.goog",
      },
    });
    expect(back.security).toEqual([{ gatelock_gateway: [] }]);
  });

  it.each([
    ["a user email", { serviceAccountEmail: "alice@acme.example", audience: "a" }, /serviceAccountEmail/],
    ["two audiences in one", { serviceAccountEmail: email, audience: "a,b" }, /audience/],
    ["an empty audience", { serviceAccountEmail: email, audience: "" }, /audience/],
    ["a bad definition name", { serviceAccountEmail: email, audience: "a", name: "my auth" }, /name/],
  ])("refuses %s", (_label, input, message) => {
    expect(() => endpointsServiceAccountSecurity(input)).toThrow(message);
  });
});

describe("serviceAccountJson for Zuplo", () => {
  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const pem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
  const file = credentialsFile({ project: "acme-prod", keyId: "a".repeat(40), privateKeyPem: pem, email: "gw@acme-prod.iam.gserviceaccount.com", clientId: "104729384756102938475" });
  const body = pem.split("\n")[1]!;

  it("is the decoded file as one line, `\\n` escapes kept, equal in content, and its key imports as Zuplo imports it", async () => {
    const value = serviceAccountJsonFromProviderKey(Buffer.from(file).toString("base64"));
    expect(value.split("\n")).toHaveLength(1);
    expect(value).toContain("-----BEGIN PRIVATE KEY-----\\n");
    expect(JSON.parse(value)).toEqual(JSON.parse(file));
    expect(value).toBe(serviceAccountJsonFromKeyFile(file));
    await expect(importPKCS8((JSON.parse(value) as { private_key: string }).private_key.trim(), "RS256")).resolves.toBeDefined();
    expect(serviceAccountKeyFacts(value)).toEqual({ clientEmail: "gw@acme-prod.iam.gserviceaccount.com", privateKeyId: "a".repeat(40), projectId: "acme-prod", clientId: "104729384756102938475" });
  });

  it("refuses a double-escaped file (Zuplo's runtime would fail on it), JSON where base64 is expected, and non-credentials, never quoting the key", () => {
    const doubled = file.replace(/\\n/g, "\\\\n");
    const attempts: Array<[() => unknown, RegExp]> = [
      [() => serviceAccountJsonFromKeyFile(doubled), /escaped twice/],
      [() => serviceAccountJsonFromProviderKey(file), /got JSON/],
      [() => serviceAccountJsonFromProviderKey("not base64!"), /not base64/],
      [() => serviceAccountJsonFromProviderKey(Buffer.from("{broken").toString("base64")), /not JSON/],
      [() => serviceAccountJsonFromKeyFile(JSON.stringify({ ...JSON.parse(file), type: "authorized_user" })), /service_account/],
      [() => serviceAccountJsonFromKeyFile(JSON.stringify({ ...JSON.parse(file), private_key: "-----BEGIN RSA PRIVATE KEY-----\nabc\n-----END RSA PRIVATE KEY-----\n" })), /PKCS#8/],
    ];
    for (const [attempt, message] of attempts) {
      let error: unknown;
      try {
        attempt();
      } catch (e) {
        error = e;
      }
      expect((error as Error)?.message).toMatch(message);
      expect((error as Error).message).not.toContain(body.slice(0, 16));
    }
  });
});
