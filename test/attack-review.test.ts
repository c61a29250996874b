/**
 * Issue 6: configs an attack review found gatelock accepted although they grant unsafe trust
 * (and one crash), each refused now with its code and exact key, beside the safe config that
 * must still pass. Items 2-5 and 7 (AWS grants, Azure roles and scopes) have their own files.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { gitIgnoreOracle } from "../components/dotenv/git-ignore";
import { ConfigError, type ConfigIssue } from "../components/errors";
import { describeOrigin } from "../components/model/describe";
import type { IgnoreOracle } from "../components/model/dotenv-target";
import { ZUPLO_ISSUER, ZUPLO_JWKS_URI } from "../components/model/identity";
import { buildModel, type FederatedOrigin, type GatelockModel } from "../components/model/model";
import { awsOrigin, gateway, gcpOrigin, localOrigin } from "./fixtures/configs";

const SUBJECT = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const NO_REPO: IgnoreOracle = () => "no-repo";

const ledger = {
  name: "ledger",
  method: "federated",
  cloud: "other",
  url: "https://ledger.internal.acme.example",
  federated: { audience: "https://ledger.internal.acme.example", claims: { environment_type: "production" } },
};
const shipments = {
  name: "shipments",
  method: "federated",
  cloud: "aws",
  federated: { audience: "aws:acme:prod", subjects: [SUBJECT] },
  aws: { region: "us-east-1", apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders"] } },
};
const invoices = {
  name: "invoices",
  method: "federated",
  cloud: "gcp",
  url: "https://invoices-3kq7x2vbma-ew.a.run.app",
  federated: { subjects: [SUBJECT] },
  gcp: { project: "acme-prod", cloudRun: { service: "invoices", location: "europe-west1" } },
};

type Gateway = Record<string, unknown>;

function build(origins: object[], gw: Gateway = gateway, oracle: IgnoreOracle = NO_REPO): GatelockModel {
  return buildModel(structuredClone({ gateway: gw, origins }), { stack: "prod", ignoreOracle: oracle });
}

function issues(origins: object[], gw: Gateway = gateway, oracle: IgnoreOracle = NO_REPO): readonly ConfigIssue[] {
  try {
    build(origins, gw, oracle);
  } catch (e) {
    if (e instanceof ConfigError) return e.issues;
    throw e;
  }
  return [];
}

function expectIssue(found: readonly ConfigIssue[], path: string, code: ConfigIssue["code"]): ConfigIssue {
  const hit = found.find((i) => i.path === path && i.code === code);
  if (!hit) throw new Error(`expected ${code} at ${path}; got ${JSON.stringify(found.map((i) => [i.code, i.path]))}`);
  expect(hit.fix).toBeTruthy();
  return hit;
}

const reachable = (m: GatelockModel, i = 0) => describeOrigin(m.origins[i]!, m.gateway).reachableBy[0]!;

describe("1. Zuplo's issuer named as a custom identity keeps the preset's pins", () => {
  for (const issuer of [ZUPLO_ISSUER, `${ZUPLO_ISSUER}/`, ZUPLO_ISSUER.toUpperCase(), `${ZUPLO_ISSUER.replace("dev.zuplo.com", "DEV.Zuplo.com:443")}//`]) {
    it(`pins account and project for ${JSON.stringify(issuer.slice(0, 30))}…`, () => {
      const m = build([ledger], { ...gateway, identity: { issuer } });
      const trust = (m.origins[0] as FederatedOrigin).trust;
      expect(trust).toMatchObject({ issuer: ZUPLO_ISSUER, jwksUri: ZUPLO_JWKS_URI, sharedIssuer: true });
      expect(trust.claims).toEqual({ account: "acme", project: "orders-api", environment_type: "production" });
      // The review's line: "reachable by acme/orders-api@main". It admits every production branch.
      expect(reachable(m)).toContain("every production environment (branch) of zuplo acme/orders-api");
      expect(reachable(m)).not.toContain("@main");
    });
  }

  it("refuses identity claims that would replace the account or project", () => {
    const found = issues([ledger], { ...gateway, identity: { issuer: ZUPLO_ISSUER, claims: { account: "someone-else" } } });
    expectIssue(found, "gatelock:gateway.identity.claims.account", "ERR_TRUST_UNSAFE");
    // Another issuer on Zuplo's control plane is shared too.
    const other = issues([ledger], { ...gateway, identity: { issuer: "https://dev.zuplo.com/v1/client-auth/auth_other", claims: { project: "x" } } });
    expectIssue(other, "gatelock:gateway.identity.claims.project", "ERR_TRUST_UNSAFE");
  });

  it("refuses a JWKS on another host than the issuer's, unless explicitly allowed", () => {
    const identity = { issuer: "https://gateway.acme.example/__zuplo/issuer", jwksUri: "https://keys.evil.example/jwks.json", claims: { tenant: "acme" } };
    expectIssue(issues([ledger], { ...gateway, identity }), "gatelock:gateway.identity.jwksUri", "ERR_TRUST_UNSAFE");
    expect(() => build([ledger], { ...gateway, identity: { ...identity, dangerouslyAllowForeignJwksHost: true } })).not.toThrow();
    expect(() => build([ledger], { ...gateway, identity: { ...identity, jwksUri: "https://gateway.acme.example/keys" } })).not.toThrow();
    // Zuplo's issuer publishes its keys at one address.
    const zuplo = { issuer: ZUPLO_ISSUER, jwksUri: "https://dev.zuplo.com/other/jwks.json" };
    expectIssue(issues([ledger], { ...gateway, identity: zuplo }), "gatelock:gateway.identity.jwksUri", "ERR_CONFIG_CONFLICT");
  });
});

describe("6. a subject pattern that matches other Zuplo customers is refused even behind the escape hatch", () => {
  const withSubjects = (base: Record<string, any>, subjects: string[]) => ({ ...base, federated: { ...base.federated, subjects, dangerouslyAllowWildcardSubjects: true } });
  for (const pattern of ["atcl_*", "atcl_?*", "at*", "atcl_3c5V*", "a?cl_3c5VqX0pQ7*"]) {
    it(`refuses ${pattern} on AWS and GCP`, () => {
      expectIssue(issues([withSubjects(shipments, [pattern])]), "gatelock:origins[0].federated.subjects[0]", "ERR_TRUST_UNSAFE");
      expectIssue(issues([withSubjects(invoices, [SUBJECT, pattern])]), "gatelock:origins[0].federated.subjects[1]", "ERR_TRUST_UNSAFE");
    });
  }
  it("accepts a pattern that fixes 8 or more characters of the client ID (with a warning)", () => {
    const m = build([withSubjects(shipments, ["atcl_3c5VqX0p*"])]);
    expect(m.findings.map((f) => f.code)).toContain("WARN_WILDCARD_SUBJECTS");
  });
  it("a custom issuer is not Zuplo's: its own anchored patterns stay allowed", () => {
    const identity = { issuer: "https://gateway.acme.example", claims: { tenant: "acme" } };
    expect(() => build([withSubjects(ledger, [])].map((o) => ({ ...o, cloud: "gcp", federated: { ...o.federated, audience: undefined, subjects: ["svc-*"] }, gcp: invoices.gcp, url: invoices.url })), { ...gateway, identity })).not.toThrow();
  });
});

describe("8. the GCP default compute service account as a reader", () => {
  const computeSa = "418203751982-compute@developer.gserviceaccount.com";
  it("is refused without the escape hatch", () => {
    const found = issues([{ ...gcpOrigin, gcp: { ...gcpOrigin.gcp, readers: [computeSa] } }]);
    expectIssue(found, "gatelock:origins[0].gcp.readers[0]", "ERR_TRUST_UNSAFE");
  });
  it("is a warning with it", () => {
    const m = build([{ ...gcpOrigin, gcp: { ...gcpOrigin.gcp, readers: [computeSa], dangerouslyAllowDefaultServiceAccount: true } }]);
    expect(m.findings.map((f) => [f.code, f.path])).toEqual([["WARN_DEFAULT_SERVICE_ACCOUNT", "gatelock:origins[0].gcp.readers[0]"]]);
  });
});

describe("9. a dotenv sink never writes into a file git would commit", () => {
  const dotenvGateway = (dotenv: string) => ({ ...gateway, environment: { developerApi: false, dotenv } });

  it("in this repository (git check-ignore): .env.example and config/zuplo.env are refused, .env passes", () => {
    const repo = gitIgnoreOracle(process.cwd());
    expectIssue(issues([localOrigin], dotenvGateway(".env.example"), repo), "gatelock:gateway.environment.dotenv", "ERR_TRUST_UNSAFE");
    expectIssue(issues([localOrigin], dotenvGateway("config/zuplo.env"), repo), "gatelock:gateway.environment.dotenv", "ERR_TRUST_UNSAFE");
    expect(() => build([localOrigin], dotenvGateway(".env"), repo)).not.toThrow();
  });

  it("in a fresh git repository: only what .gitignore ignores, and never a tracked file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-git-"));
    try {
      const git = (...args: string[]) => expect(spawnSync("git", args, { cwd: dir, encoding: "utf8" }).status).toBe(0);
      git("init", "-q");
      fs.writeFileSync(path.join(dir, ".gitignore"), ".env\nsecrets/\n");
      const oracle = gitIgnoreOracle(dir);
      expect(() => build([localOrigin], dotenvGateway(".env"), oracle)).toThrow(/\.env\.orders/); // the local store is not ignored
      fs.appendFileSync(path.join(dir, ".gitignore"), ".env.orders\n");
      expect(() => build([localOrigin], dotenvGateway(".env"), oracle)).not.toThrow();
      expect(() => build([localOrigin], dotenvGateway("secrets/gateway.env"), oracle)).not.toThrow();
      expectIssue(issues([localOrigin], dotenvGateway(".env.production"), oracle), "gatelock:gateway.environment.dotenv", "ERR_TRUST_UNSAFE");
      // A file git already tracks is committed whatever .gitignore says.
      fs.writeFileSync(path.join(dir, "tracked.env"), "A=1\n");
      git("-c", "user.email=t@example.com", "-c", "user.name=t", "add", "-f", "tracked.env");
      fs.appendFileSync(path.join(dir, ".gitignore"), "tracked.env\n");
      expectIssue(issues([localOrigin], dotenvGateway("tracked.env"), oracle), "gatelock:gateway.environment.dotenv", "ERR_TRUST_UNSAFE");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("outside git, by name: .env, .env.local and .env.<mode>.local only", () => {
    for (const ok of [".env", ".env.local", ".env.development.local", "gateway/.env"]) expect(() => build([localOrigin], dotenvGateway(ok))).not.toThrow();
    for (const bad of [".env.example", "config/zuplo.env", ".env.production", "env", ".envrc"]) {
      expectIssue(issues([localOrigin], dotenvGateway(bad)), "gatelock:gateway.environment.dotenv", "ERR_TRUST_UNSAFE");
    }
  });

  it("a local origin whose store would be a template's file (.env.example) is refused outside git", () => {
    expectIssue(issues([{ ...localOrigin, name: "example" }], dotenvGateway(".env")), "gatelock:origins[0].name", "ERR_TRUST_UNSAFE");
  });

  it("the gateway's file and a local origin's store are never the same file", () => {
    expectIssue(issues([localOrigin], dotenvGateway("./.env.orders")), "gatelock:gateway.environment.dotenv", "ERR_CONFIG_CONFLICT");
  });
});

describe("10. the Developer API URL reaches Zuplo and nowhere else; origin URLs carry no credential", () => {
  const api = (apiUrl: string, extra: object = {}) => ({ ...gateway, environment: { apiUrl, ...extra } });
  for (const url of ["https://dev.zuplo.com@evil.example", "https://user:pw@dev.zuplo.com", "https://evil.example", "https://dev.zuplo.com.evil.example", "https://dev.zuplo.com/?x=1"]) {
    it(`refuses ${url}`, () => {
      const hit = issues([awsOrigin], api(url)).find((i) => i.path === "gatelock:gateway.environment.apiUrl");
      expect(hit?.code).toMatch(/ERR_TRUST_UNSAFE|ERR_CONFIG_INVALID/);
      expect(hit?.message).not.toContain("evil");
    });
  }
  it("accepts Zuplo's host, loopback for tests, and another host only with the escape hatch", () => {
    for (const url of ["https://dev.zuplo.com", "https://DEV.zuplo.com/", "http://127.0.0.1:4010", "http://localhost:8080"]) expect(() => build([awsOrigin], api(url))).not.toThrow();
    expect(() => build([awsOrigin], api("https://zuplo-proxy.acme.example", { dangerouslyAllowCustomApiUrl: true }))).not.toThrow();
    expect(build([awsOrigin], api("https://dev.zuplo.com")).gateway.environment.developerApi?.apiUrl).toBe("https://dev.zuplo.com");
  });
  for (const url of ["https://svc:s3cr3t-pass@orders.internal.acme.example", "https://orders.internal.acme.example/?api_key=abc", "https://orders.internal.acme.example/#token"]) {
    it(`refuses the origin URL ${url.replace(/s3cr3t-pass|abc|token/, "…")}`, () => {
      const found = issues([{ ...awsOrigin, url }]);
      const hit = expectIssue(found, "gatelock:origins[0].url", "ERR_TRUST_UNSAFE");
      expect(JSON.stringify(found)).not.toMatch(/s3cr3t-pass|api_key=abc|#token/);
      expect(hit.message).toBeTruthy();
    });
  }
});

describe("11. an origin cannot replace the gateway's pinned claims, and 'reachable by' says what is admitted", () => {
  it("refuses claims.account on an `other` origin as GCP does", () => {
    const found = issues([{ ...ledger, federated: { ...ledger.federated, claims: { account: "someone-else" } } }]);
    expectIssue(found, "gatelock:origins[0].federated.claims.account", "ERR_CONFIG_CONFLICT");
  });
  it("the gateway's pins win even if a caller bypasses the check", () => {
    const m = build([ledger]);
    expect((m.origins[0] as FederatedOrigin).trust.claims.account).toBe("acme");
  });
  it("says who each trust admits", () => {
    const m = build([ledger, { ...ledger, name: "ledger-main", federated: { audience: "https://l2.acme.example", subjects: [SUBJECT] } }, shipments]);
    expect(reachable(m, 0)).toMatch(/^every production environment \(branch\) of zuplo acme\/orders-api/);
    expect(reachable(m, 1)).toContain(`zuplo acme/orders-api, the environment whose token has sub ∈ {${SUBJECT}}`);
    expect(reachable(m, 2)).toContain(`any Zuplo gateway environment whose token has sub ∈ {${SUBJECT}}`);
    expect(reachable(m, 2)).toContain("AWS checks only sub and aud");
    const custom = build([ledger], { ...gateway, identity: { issuer: "https://gateway.acme.example", claims: { tenant: "acme" } } });
    expect(reachable(custom)).toContain("tokens from https://gateway.acme.example with tenant = acme, environment_type = production");
  });
});

describe("12. gateway variable collisions across all origins", () => {
  it("refuses a shared secret written to another origin's URL variable", () => {
    const billing = { ...gcpOrigin, url: "https://billing.internal.acme.example" };
    const found = issues([billing, { ...awsOrigin, sharedSecret: { variable: "BILLING_ORIGIN_URL" } }]);
    expectIssue(found, "gatelock:origins[1].sharedSecret.variable", "ERR_CONFIG_CONFLICT");
  });
  it("refuses two origins whose derived names collide (inv on GCP beside inv-gcp)", () => {
    const inv = { ...invoices, name: "inv" };
    const invGcp = { ...ledger, name: "inv-gcp" };
    const found = issues([inv, invGcp]);
    const hit = expectIssue(found, "gatelock:origins[1].name", "ERR_CONFIG_CONFLICT");
    expect(hit.message).toContain("INV_GCP_AUDIENCE");
  });
  it("reports a clash beside the origin's other problems, once per key", () => {
    const found = issues([awsOrigin, { ...awsOrigin, aws: { ...awsOrigin.aws, readers: ["*"] } }]);
    expectIssue(found, "gatelock:origins[1].name", "ERR_CONFIG_CONFLICT");
    expectIssue(found, "gatelock:origins[1].aws.readers[0]", "ERR_TRUST_UNSAFE");
    expectIssue(found, "gatelock:origins[1].sharedSecret.variable", "ERR_CONFIG_CONFLICT");
    const keys = found.map((i) => `${i.code} ${i.path}`);
    expect(new Set(keys).size).toBe(keys.length);
  });
});

describe("GCP: a wildcard that would reach the workloadIdentityUser binding is refused in the model (was a RangeError)", () => {
  const gcpWith = (federated: object, principalAttribute: string) => ({ ...invoices, federated, gcp: { ...invoices.gcp, principalAttribute } });
  for (const value of ["*", "prod/*", "prod*"]) {
    it(`environment_type = ${value}`, () => {
      expectIssue(issues([gcpWith({ claims: { environment_type: value } }, "environment_type")]), "gatelock:origins[0].federated.claims.environment_type", "ERR_TRUST_UNSAFE");
    });
  }
  it("sub bound through a claim `sub: *`", () => {
    expectIssue(issues([gcpWith({ claims: { sub: "*" } }, "sub")]), "gatelock:origins[0].federated.claims.sub", "ERR_TRUST_UNSAFE");
  });
  it("a concrete value still binds", () => {
    expect(() => build([gcpWith({ claims: { environment_type: "production" } }, "environment_type")])).not.toThrow();
  });
});
