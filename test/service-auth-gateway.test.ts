/**
 * The gateway side of upstream service auth (pure): variables and the Zuplo policy per cloud
 * and token kind, with the options type-checked against `@zuplo/runtime`'s own declarations.
 */
import { describe, expect, it } from "vitest";
import { type ServiceAuthGatewayOrigin, serviceAuthGatewayConfig, serviceAuthVariables } from "../components/gateway/service-auth";
import { ServiceAuthOriginConfig } from "../components/model/service-auth/config";
import { toServiceAuthTarget } from "../components/model/service-auth/target";
import { hasZuploRuntimeTypes, zuploTypeErrors } from "./harness/zuplo-types";

function origin(raw: Record<string, unknown>): ServiceAuthGatewayOrigin {
  const parsed = ServiceAuthOriginConfig.parse(raw);
  return { name: parsed.name, ...(parsed.url ? { url: parsed.url } : {}), target: toServiceAuthTarget(parsed, "prod") };
}

const AZURE = origin({ name: "payments", method: "service-auth", cloud: "azure", url: "https://payments-api.azurewebsites.net", azure: { tenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47" } });
const RUN = origin({ name: "reports", method: "service-auth", cloud: "gcp", url: "https://reports-7hk3pq2xna-ew.a.run.app", gcp: { project: "acme-prod", cloudRun: { service: "reports", location: "europe-west1" } } });
const API = origin({ name: "bq", method: "service-auth", cloud: "gcp", gcp: { project: "acme-prod", scopes: ["https://www.googleapis.com/auth/bigquery.readonly"] } });
const JWT = origin({ name: "legacy", method: "service-auth", cloud: "gcp", url: "https://legacy.endpoints.acme-prod.cloud.goog", gcp: { project: "acme-prod", token: "self-signed-jwt", endpoints: { serviceName: "legacy.endpoints.acme-prod.cloud.goog" } } });

describe("service-auth gateway variables", () => {
  it("Azure: tenant and client ID plain, the client secret secret, and the URL", () => {
    expect(Object.values(serviceAuthVariables(AZURE)).map((v) => [v.name, v.isSecret])).toEqual([
      ["PAYMENTS_AZURE_TENANT_ID", false],
      ["PAYMENTS_AZURE_CLIENT_ID", false],
      ["PAYMENTS_AZURE_CLIENT_SECRET", true],
      ["PAYMENTS_ORIGIN_URL", false],
    ]);
  });

  it("GCP: the key file, secret; no URL variable without a URL", () => {
    expect(Object.values(serviceAuthVariables(RUN)).map((v) => [v.name, v.isSecret])).toEqual([
      ["REPORTS_GCP_SERVICE_ACCOUNT_JSON", true],
      ["REPORTS_ORIGIN_URL", false],
    ]);
    expect(Object.values(serviceAuthVariables(API)).map((v) => v.name)).toEqual(["BQ_GCP_SERVICE_ACCOUNT_JSON"]);
  });
});

describe("service-auth gateway policies", () => {
  it("Azure: Zuplo's Azure AD service auth, every value from a variable", () => {
    expect(serviceAuthGatewayConfig(AZURE)).toEqual({
      origin: "payments",
      policies: [
        {
          name: "gatelock-payments-service-auth",
          policyType: "upstream-azure-ad-service-auth-inbound",
          handler: {
            export: "UpstreamAzureAdServiceAuthInboundPolicy",
            module: "$import(@zuplo/runtime)",
            options: { activeDirectoryTenantId: "$env(PAYMENTS_AZURE_TENANT_ID)", activeDirectoryClientId: "$env(PAYMENTS_AZURE_CLIENT_ID)", activeDirectoryClientSecret: "$env(PAYMENTS_AZURE_CLIENT_SECRET)" },
          },
        },
      ],
      inbound: ["gatelock-payments-service-auth"],
    });
  });

  it("GCP: an ID token for the run.app URL, an access token for scopes, or a self-signed JWT for Endpoints", () => {
    expect(serviceAuthGatewayConfig(RUN).policies[0]!).toMatchObject({ policyType: "upstream-gcp-service-auth-inbound", handler: { export: "UpstreamGcpServiceAuthInboundPolicy", options: { audience: "https://reports-7hk3pq2xna-ew.a.run.app", serviceAccountJson: "$env(REPORTS_GCP_SERVICE_ACCOUNT_JSON)" } } });
    expect(serviceAuthGatewayConfig(API).policies[0]!.handler.options).toEqual({ scopes: ["https://www.googleapis.com/auth/bigquery.readonly"], serviceAccountJson: "$env(BQ_GCP_SERVICE_ACCOUNT_JSON)" });
    expect(serviceAuthGatewayConfig(JWT).policies[0]!).toMatchObject({ policyType: "upstream-gcp-jwt-inbound", handler: { export: "UpstreamGcpJwtInboundPolicy", options: { audience: "https://legacy.endpoints.acme-prod.cloud.goog", serviceAccountJson: "$env(LEGACY_GCP_SERVICE_ACCOUNT_JSON)" } } });
  });

  it("uses only variables it declares", () => {
    for (const o of [AZURE, RUN, API, JWT]) {
      const names = new Set(Object.values(serviceAuthVariables(o)).map((v) => v.name));
      for (const m of JSON.stringify(serviceAuthGatewayConfig(o)).matchAll(/\$env\(([A-Z0-9_]+)\)/g)) expect(names.has(m[1]!), m[1]).toBe(true);
    }
  });

  it.skipIf(!hasZuploRuntimeTypes)("the options type-check against @zuplo/runtime's declarations of each policy", () => {
    const typeOf: Record<string, string> = {
      UpstreamAzureAdServiceAuthInboundPolicy: "UpstreamAzureAdServiceAuthInboundPolicyOptions",
      UpstreamGcpServiceAuthInboundPolicy: "UpstreamGcpServiceAuthInboundPolicyOptions",
      UpstreamGcpJwtInboundPolicy: "UpstreamGcpJwtInboundPolicyOptions",
    };
    const check = (source: string) => zuploTypeErrors("check.ts", source);
    const lines = [AZURE, RUN, API, JWT].map((o, i) => {
      const p = serviceAuthGatewayConfig(o).policies[0]!;
      return `export const p${i}: rt.${typeOf[p.handler.export]} = ${JSON.stringify(p.handler.options)};`;
    });
    expect(check(`import type * as rt from "@zuplo/runtime";\n${lines.join("\n")}\n`)).toEqual([]);
    // The check is real: an option the policy does not have fails it.
    expect(check(`import type * as rt from "@zuplo/runtime";\nexport const p: rt.UpstreamGcpJwtInboundPolicyOptions = { audience: "a", serviceAccountJson: "b", scopes: [] };\n`).length).toBeGreaterThan(0);
  });
});
