import { describe, expect, it } from "vitest";
import { ConfigError } from "../components/errors";
import { buildModel, type SharedSecretOrigin } from "../components/model/model";
import { AWS_ROLE, awsOrigin, azureOrigin, config, gateway, gcpOrigin, localOrigin } from "./fixtures/configs";

function refuse(raw: unknown): ConfigError {
  try {
    buildModel(raw, { stack: "dev" });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected the config to be refused");
}

function issueAt(err: ConfigError, path: string) {
  const found = err.issues.find((i) => i.path === path);
  if (!found) throw new Error(`no issue at ${path}; issues: ${err.issues.map((i) => i.path).join(", ")}`);
  return found;
}

describe("buildModel: valid config", () => {
  it("fills defaults and derives names per stack", () => {
    const m = buildModel(config(awsOrigin, gcpOrigin, azureOrigin), { stack: "prod.eu" });
    const [aws, gcp, azure] = m.origins as SharedSecretOrigin[];
    expect(aws!.sharedSecret).toEqual({ header: "x-gateway-secret", length: 48, rotateAfterDays: 90, overlapDays: 14, rotation: 0, variable: "ORDERS_SHARED_SECRET" });
    expect(aws!.store).toMatchObject({ cloud: "aws", region: "us-east-1", secretName: "gatelock/prod-eu/orders/shared-secret", readers: [AWS_ROLE] });
    expect(gcp!.store).toMatchObject({ cloud: "gcp", secretId: "gatelock-prod-eu-billing-shared-secret" });
    expect(azure!.store).toMatchObject({ cloud: "azure", secretName: "gatelock-prod-eu-users-shared-secret" });
    expect(m.gateway).toMatchObject({ label: "zuplo acme/orders-api@main", environment: { developerApi: { apiUrl: "https://dev.zuplo.com" } } });
    expect(aws!.key).toBe("gatelock:origins[0]");
  });

  it("models a local origin whose secrets go to its own dotenv file", () => {
    const raw = { gateway: { ...gateway, environment: { developerApi: false, dotenv: ".env" } }, origins: [localOrigin] };
    const m = buildModel(raw, { stack: "local" });
    expect((m.origins[0] as SharedSecretOrigin).store).toEqual({ cloud: "local", dotenv: ".env.orders", variable: "ORDERS_SHARED_SECRET_ACCEPTED" });
    expect(m.gateway.environment).toEqual({ dotenv: { path: ".env" } });
  });
});

describe("buildModel: refusals name the exact key", () => {
  it("reports every problem at once, each with its full key path", () => {
    const raw = config(awsOrigin, gcpOrigin);
    (raw.origins[0] as any).aws.readers = ["not-an-arn"];
    (raw.origins[1] as any).gcp.readers = ["allUsers"];
    (raw.origins[1] as any).sharedSecret = { length: 16 };
    const err = refuse(raw);
    expect(err.issues.map((i) => i.path).sort()).toEqual([
      "gatelock:origins[0].aws.readers[0]",
      "gatelock:origins[1].gcp.readers[0]",
      "gatelock:origins[1].sharedSecret.length",
    ]);
    expect(err.code).toBe("ERR_TRUST_UNSAFE");
    expect(err.message).toContain("gatelock:origins[1].sharedSecret.length");
    expect(err.message).toMatch(/3 problems/);
  });

  it("names a missing key and says it is required", () => {
    const raw = config(awsOrigin) as any;
    delete raw.gateway.account;
    const i = issueAt(refuse(raw), "gatelock:gateway.account");
    expect(i.reason).toBe("missing");
    expect(i.code).toBe("ERR_CONFIG_INVALID");
  });

  it("suggests the right key for a typo", () => {
    const raw = config(awsOrigin) as any;
    raw.origins[0].sharedSecret = { rotateAfterDay: 30 };
    const i = issueAt(refuse(raw), "gatelock:origins[0].sharedSecret.rotateAfterDay");
    expect(i.fix).toContain("rotateAfterDays");
  });

  it("never echoes a refused value (it may be a secret pasted into the wrong key)", () => {
    const leaked = "sk_live_9c2d7e1f0a3b4c5d6e7f8a9b0c1d2e3f";
    const raw = config(awsOrigin) as any;
    raw.origins[0].aws.readers = [leaked];
    raw.origins[0].sharedSecret = { header: leaked.toUpperCase(), variable: leaked };
    raw.gateway.branch = `${leaked} `;
    raw.origins[0].extra = leaked;
    const err = refuse(raw);
    expect(err.issues.length).toBeGreaterThanOrEqual(4);
    expect(err.message).not.toContain(leaked);
    expect(err.message.toLowerCase()).not.toContain(leaked.toLowerCase());
    expect(JSON.stringify(err.issues)).not.toContain(leaked);
  });

  const unsafe: Array<[string, (raw: any) => void, string]> = [
    ["wildcard AWS reader", (r) => (r.origins[0].aws.readers = ["arn:aws:iam::123456789012:role/*"]), "gatelock:origins[0].aws.readers[0]"],
    ["whole-account AWS reader", (r) => (r.origins[0].aws.readers = ["arn:aws:iam::123456789012:root"]), "gatelock:origins[0].aws.readers[0]"],
    ["weak secret", (r) => (r.origins[0].sharedSecret = { length: 31 }), "gatelock:origins[0].sharedSecret.length"],
    ["plain-HTTP origin", (r) => (r.origins[0].url = "http://orders.acme.example"), "gatelock:origins[0].url"],
    ["plain-HTTP Developer API", (r) => (r.gateway.environment = { apiUrl: "http://dev.zuplo.example" }), "gatelock:gateway.environment.apiUrl"],
  ];
  it.each(unsafe)("refuses %s as unsafe", (_name, breakIt, path) => {
    const raw = config(awsOrigin) as any;
    breakIt(raw);
    const i = issueAt(refuse(raw), path);
    expect(i.code).toBe("ERR_TRUST_UNSAFE");
    expect(i.fix).toBeTruthy();
  });

  it.each([
    ["allAuthenticatedUsers"],
    ["domain:acme.example"],
    ["group:devs@acme.example"],
    ["principalSet://iam.googleapis.com/projects/1/locations/global/workloadIdentityPools/p/*"],
  ])("refuses the broad GCP reader %s", (reader) => {
    const raw = config(gcpOrigin) as any;
    raw.origins[0].gcp.readers = [reader];
    expect(issueAt(refuse(raw), "gatelock:origins[0].gcp.readers[0]").code).toBe("ERR_TRUST_UNSAFE");
  });

  it("refuses an Azure reader that is not a principal ID", () => {
    const raw = config(azureOrigin) as any;
    raw.origins[0].azure.readers = ["my-managed-identity"];
    expect(issueAt(refuse(raw), "gatelock:origins[0].azure.readers[0]").fix).toContain("principalId");
  });

  it("refuses an empty reader list", () => {
    const raw = config(awsOrigin) as any;
    raw.origins[0].aws.readers = [];
    expect(issueAt(refuse(raw), "gatelock:origins[0].aws.readers").reason).toBe("missing");
  });

  it("requires the block of the origin's cloud and refuses the others", () => {
    const raw = config(awsOrigin) as any;
    raw.origins[0].cloud = "gcp";
    const err = refuse(raw);
    expect(issueAt(err, "gatelock:origins[0].gcp").reason).toBe("missing");
    expect(issueAt(err, "gatelock:origins[0].aws").code).toBe("ERR_CONFIG_CONFLICT");
  });

  it("refuses duplicate origins and clashing gateway variables", () => {
    const second = { ...structuredClone(awsOrigin) };
    const err = refuse(config(awsOrigin, second));
    expect(issueAt(err, "gatelock:origins[1].name").code).toBe("ERR_CONFIG_CONFLICT");
    expect(issueAt(err, "gatelock:origins[1].sharedSecret.variable").code).toBe("ERR_CONFIG_CONFLICT");
  });

  it("refuses Zuplo-reserved variable names and headers a proxy rewrites", () => {
    const raw = config(awsOrigin) as any;
    raw.origins[0].sharedSecret = { variable: "ZUPLO_SECRET", header: "host" };
    const err = refuse(raw);
    expect(issueAt(err, "gatelock:origins[0].sharedSecret.variable").message).toContain("ZUPLO_");
    issueAt(err, "gatelock:origins[0].sharedSecret.header");
  });

  it("refuses an overlap longer than the rotation period", () => {
    const raw = config(awsOrigin) as any;
    raw.origins[0].sharedSecret = { rotateAfterDays: 7, overlapDays: 8 };
    expect(issueAt(refuse(raw), "gatelock:origins[0].sharedSecret.overlapDays").code).toBe("ERR_CONFIG_CONFLICT");
  });

  it("refuses a gateway whose variables would land nowhere, and dotenv paths outside the project", () => {
    let raw = config(awsOrigin) as any;
    raw.gateway.environment = { developerApi: false };
    issueAt(refuse(raw), "gatelock:gateway.environment");
    raw = config(awsOrigin) as any;
    raw.gateway.environment = { dotenv: "../../etc/zuplo.env" };
    issueAt(refuse(raw), "gatelock:gateway.environment.dotenv");
  });

  it("refuses an unknown method with the allowed values", () => {
    const raw = config(awsOrigin) as any;
    raw.origins[0].method = "telepathy";
    const i = issueAt(refuse(raw), "gatelock:origins[0].method");
    expect(i.message).toContain("shared-secret");
  });

  it("accepts loopback http for the local origin and warns about zero overlap", () => {
    const raw = { gateway: { ...gateway, environment: { developerApi: false, dotenv: ".env" } }, origins: [{ ...localOrigin, sharedSecret: { overlapDays: 0 } }] };
    const m = buildModel(raw, { stack: "local" });
    expect(m.findings.map((f) => f.code)).toEqual(["WARN_NO_OVERLAP"]);
  });
});

describe("gateway identity", () => {
  it("defaults to Zuplo's shared issuer, pinned to the account and project", () => {
    const m = buildModel(config(awsOrigin), { stack: "dev" });
    expect(m.gateway.identity).toEqual({
      issuer: "https://dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD",
      jwksUri: "https://dev.zuplo.com/v1/client-auth/auth_o8PUdhKxSTOiB794GWPwLQCD/.well-known/jwks.json",
      claims: { account: "acme", project: "orders-api" },
      sharedIssuer: true,
    });
  });

  it("accepts a custom https issuer instead", () => {
    const raw = config(awsOrigin) as any;
    raw.gateway.identity = { issuer: "https://orders-main-1a2b3c.zuplo.app/__zuplo/issuer", claims: { deployment: "orders-main-1a2b3c" } };
    const m = buildModel(raw, { stack: "dev" });
    expect(m.gateway.identity).toEqual({
      issuer: "https://orders-main-1a2b3c.zuplo.app/__zuplo/issuer",
      jwksUri: "https://orders-main-1a2b3c.zuplo.app/__zuplo/issuer/.well-known/jwks.json",
      claims: { deployment: "orders-main-1a2b3c" },
      sharedIssuer: false,
    });
  });

  it("refuses a plain-HTTP issuer or JWKS", () => {
    const raw = config(awsOrigin) as any;
    raw.gateway.identity = { issuer: "http://issuer.acme.example", jwksUri: "http://issuer.acme.example/keys" };
    const err = refuse(raw);
    expect(issueAt(err, "gatelock:gateway.identity.issuer").code).toBe("ERR_TRUST_UNSAFE");
    expect(issueAt(err, "gatelock:gateway.identity.jwksUri").code).toBe("ERR_TRUST_UNSAFE");
  });
});

describe("origin names", () => {
  it("refuses a name whose variables would carry a Zuplo-reserved prefix, whatever the method", () => {
    for (const origin of [awsOrigin, gcpOrigin]) {
      const raw = config({ ...origin, name: "zuplo-orders" }) as any;
      const i = issueAt(refuse(raw), "gatelock:origins[0].name");
      expect(i.message).toContain("ZUPLO_ORDERS_");
    }
  });
});

describe("gateway environment", () => {
  it("warns that redeploy does nothing without the Developer API", () => {
    const raw = { gateway: { ...gateway, environment: { developerApi: false, dotenv: ".env", redeploy: true } }, origins: [localOrigin] };
    expect(buildModel(raw, { stack: "local" }).findings.map((f) => [f.code, f.path])).toEqual([["WARN_REDEPLOY_WITHOUT_API", "gatelock:gateway.environment.redeploy"]]);
    const on = { gateway: { ...gateway, environment: { redeploy: true } }, origins: [awsOrigin] };
    expect(buildModel(on, { stack: "prod" }).findings).toEqual([]);
  });
});
