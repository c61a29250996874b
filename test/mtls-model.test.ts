/**
 * Method 4's model, pure: the PKI settings, an mTLS origin in the stack file, and what gatelock
 * refuses, each with its key and fix; a bring-your-own trust bundle judged by the same code as
 * the origin's guard.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import { configKey } from "../components/model/issues";
import { ConfigError } from "../components/errors";
import { gatewayConfigFor } from "../components/gateway/zuplo-policies";
import { variableSpecs } from "../components/gateway/variables";
import { MtlsPkiConfig } from "../components/model/mtls/config";
import { checkMtlsPki } from "../components/model/mtls/checks";
import { buildModel } from "../components/model/model";

const at = (...rest: (string | number)[]) => configKey(["origins", 0, ...rest]);
const pki = (over: Record<string, unknown> = {}) => MtlsPkiConfig.parse(over);
const issues = (over: Record<string, unknown>) => checkMtlsPki(pki(over), at).map((i) => [i.code, i.path]);

const openssl = (() => {
  try {
    execFileSync("openssl", ["version"], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
})();

/** A private CA (and its key) made by the openssl CLI: what a user's own PKI would give. */
function privateCa(): { cert: string; key: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "gatelock-mtls-model-"));
  try {
    const [cert, key] = [path.join(dir, "ca.pem"), path.join(dir, "ca.key")];
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/O=acme/CN=acme gateway CA", "-days", "30", "-keyout", key, "-out", cert, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"], { stdio: "ignore" });
    return { cert: readFileSync(cert, "utf8"), key: readFileSync(key, "utf8") };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("mTLS PKI settings", () => {
  it("the defaults are accepted: P-256 keys, a five-year CA, 397-day client certificates rotated every 90 days", () => {
    expect(pki()).toMatchObject({ caKey: "ECDSA_P256", clientKey: "ECDSA_P256", caValidityDays: 1825, clientValidityDays: 397, rotateAfterDays: 90, overlapDays: 14 });
    expect(checkMtlsPki(pki(), at)).toEqual([]);
  });

  it("keys weaker than P-256 / RSA 2048 are refused by allowlist, with the key and a fix", () => {
    expect(issues({ caKey: "ECDSA_P224" })).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].mtls.caKey"]]);
    expect(issues({ caKey: "RSA_2048" })).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].mtls.caKey"]]);
    expect(issues({ clientKey: "RSA_1024" })).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].mtls.clientKey"]]);
    expect(issues({ clientKey: "ecdsa_p256" })).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].mtls.clientKey"]]);
    expect(issues({ clientKey: "RSA_2048" })).toEqual([]);
    expect(checkMtlsPki(pki({ caKey: "ECDSA_P224" }), at)[0]!.fix).toContain("ECDSA_P256");
  });

  it("validity over the maximum, a rotation that would come too late, a CA that dies first", () => {
    expect(issues({ clientValidityDays: 500 })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].mtls.clientValidityDays"]]);
    expect(issues({ clientValidityDays: 500, maxClientValidityDays: 600 })).toEqual([]);
    expect(MtlsPkiConfig.safeParse({ maxClientValidityDays: 1000 }).success).toBe(false);
    expect(issues({ rotateAfterDays: 390 })).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].mtls.rotateAfterDays"]]);
    expect(issues({ caValidityDays: 300 })).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].mtls.caValidityDays"]]);
    expect(issues({ overlapDays: 100, rotateAfterDays: 60 })).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].mtls.overlapDays"]]);
  });

  it("a trust bundle with a public root CA is refused as unsafe; other broken bundles as invalid", () => {
    const [issue] = checkMtlsPki(pki({ trustBundle: rootCertificates[0] }), at);
    expect(issue).toMatchObject({ code: "ERR_TRUST_UNSAFE", path: "gatelock:origins[0].mtls.trustBundle" });
    expect(issue!.message).toContain("public root CA");
    expect(issues({ trustBundle: "not a certificate" })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].mtls.trustBundle"]]);
  });

  it.skipIf(!openssl)("a private CA is accepted; its key in the bundle is refused without being quoted", () => {
    const ca = privateCa();
    expect(checkMtlsPki(pki({ trustBundle: ca.cert }), at)).toEqual([]);
    const [issue] = checkMtlsPki(pki({ trustBundle: ca.cert + ca.key }), at);
    expect(issue).toMatchObject({ code: "ERR_CONFIG_INVALID", path: "gatelock:origins[0].mtls.trustBundle" });
    expect(issue!.message).toContain("private key");
    for (const line of ca.key.split("\n").filter((l) => l.length > 16 && !l.startsWith("-----"))) expect(JSON.stringify(issue)).not.toContain(line);
  });
});

const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };
const ACM = "arn:aws:acm:us-east-1:123456789012:certificate/0f8fad5b-d9cb-469f-a165-70867728950e";
const ALB = "arn:aws:elasticloadbalancing:us-east-1:123456789012:loadbalancer/app/orders/50dc6c495c0c9188";
const TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/orders/73e2d6bc24d8a067";
const origins: Record<string, Record<string, unknown>> = {
  aws: { name: "ledger", method: "mtls", cloud: "aws", url: "https://ledger.example.com", aws: { region: "us-east-1", apiGateway: { domainName: "ledger.example.com", certificateArn: ACM, apiId: "a1b2c3d4e5", executeApiEndpointDisabled: true }, alb: { loadBalancerArn: ALB, certificateArn: ACM, targetGroupArn: TG } } },
  gcp: { name: "ledger", method: "mtls", cloud: "gcp", gcp: { project: "acme-prod", targetHttpsProxy: { name: "ledger-proxy", urlMap: "ledger-map", sslCertificates: ["ledger-cert"] } } },
  azure: { name: "ledger", method: "mtls", cloud: "azure", azure: { appService: { name: "ledger-api", resourceGroup: "rg" }, vault: { resourceGroup: "rg", name: "kv-acme", readers: ["0f8fad5b-d9cb-469f-a165-70867728950e"] } } },
};
const model = (origin: Record<string, unknown>) => buildModel({ gateway, origins: [origin] }, { stack: "dev", ignoreOracle: () => "ignored" });
const refusals = (origin: Record<string, unknown>) => {
  try {
    model(origin);
    return [];
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return e.issues.map((i) => [i.code, i.path]);
  }
};
const merge = (base: Record<string, unknown>, over: Record<string, unknown>): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base };
  for (const [k, v] of Object.entries(over)) out[k] = v && typeof v === "object" && !Array.isArray(v) && base[k] && typeof base[k] === "object" ? merge(base[k] as Record<string, unknown>, v as Record<string, unknown>) : v;
  return out;
};

describe("an mTLS origin in the stack file", () => {
  it.each(["aws", "gcp", "azure"])("on %s, the strict defaults are accepted and modelled: the stack's CA, a client certificate naming the gateway", (cloud) => {
    const o = model(origins[cloud]!).origins[0]!;
    expect(o).toMatchObject({ method: "mtls", cloud, allowOptionalClientCert: false, client: { subject: { commonName: "acme/orders-api@main", organization: "gatelock", organizationalUnit: "dev/ledger" }, certificateName: "ledger_dev_mtls", variable: "LEDGER_MTLS_CERT", environments: ["production"] } });
    if (o.method !== "mtls" || o.trust.kind !== "stack-ca") throw new Error("expected the stack's own CA");
    expect(o.trust.pki).toMatchObject({ caKey: { algorithm: "ECDSA", ecdsaCurve: "P256" }, clientKey: { algorithm: "ECDSA", ecdsaCurve: "P256" }, clientValidityDays: 397, caRotateAfterDays: 1825 - 397 - 14 - 30 });
  });

  it("permissive modes are refused at their keys unless the loudly named escape hatch is set, and then warned about", () => {
    const permissive = {
      aws: merge(origins.aws!, { aws: { alb: { mode: "passthrough" } } }),
      gcp: merge(origins.gcp!, { gcp: { clientValidationMode: "ALLOW_INVALID_OR_MISSING_CLIENT_CERT" } }),
      azure: merge(origins.azure!, { azure: { appService: { clientCertMode: "Optional" } } }),
    };
    expect(refusals(permissive.aws)).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].aws.alb.mode"]]);
    expect(refusals(permissive.gcp)).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].gcp.clientValidationMode"]]);
    expect(refusals(permissive.azure)).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].azure.appService.clientCertMode"]]);
    for (const o of Object.values(permissive)) {
      const m = model(merge(o, { mtls: { dangerouslyAllowOptionalClientCert: true } }));
      expect(m.findings.map((f) => f.code)).toContain("WARN_OPTIONAL_CLIENT_CERT");
    }
  });

  it("an API Gateway domain is refused while the API's execute-api endpoint may stay open", () => {
    const open = merge(origins.aws!, { aws: { apiGateway: { executeApiEndpointDisabled: false } } });
    expect(refusals(open)).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].aws.apiGateway.executeApiEndpointDisabled"]]);
    const hatch = model(merge(open, { aws: { apiGateway: { dangerouslyAllowExecuteApiEndpoint: true } } }));
    expect(hatch.findings.map((f) => [f.code, f.path])).toContainEqual(["WARN_EXECUTE_API_ENDPOINT_OPEN", "gatelock:origins[0].aws.apiGateway.dangerouslyAllowExecuteApiEndpoint"]);
  });

  it("nothing to check the certificate, a plain-http URL, a CA that dies before its last client certificate: refused at their keys", () => {
    expect(refusals({ ...origins.aws!, aws: { region: "us-east-1" } })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].aws"]]);
    expect(refusals({ ...origins.azure!, azure: { vault: (origins.azure!.azure as Record<string, unknown>).vault } })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].azure"]]);
    expect(refusals({ ...origins.azure!, azure: { appService: { name: "ledger-api", resourceGroup: "rg" } } })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].azure.vault"]]);
    expect(refusals({ ...origins.gcp!, url: "http://ledger.example.com" })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].url"]]);
    expect(refusals(merge(origins.gcp!, { mtls: { caRotateAfterDays: 1500 } }))).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].mtls.caRotateAfterDays"]]);
    expect(refusals({ ...origins.gcp!, aws: { region: "us-east-1" } })).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].aws"]]);
    expect(refusals({ ...origins.gcp!, gcp: undefined })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].gcp"]]);
  });

  it("a local origin's key directory must be one git ignores", () => {
    const local = { name: "ledger", method: "mtls", cloud: "local", url: "https://localhost:9443" };
    expect(buildModel({ gateway, origins: [local] }, { stack: "dev", ignoreOracle: () => "ignored" }).origins[0]).toMatchObject({ target: { cloud: "local", certificatesDir: ".zuplo-local/mtls", dotenv: ".env.ledger", bundleVariable: "LEDGER_MTLS_TRUST_BUNDLE_B64", subjectVariable: "LEDGER_MTLS_SUBJECT" } });
    expect(() => buildModel({ gateway, origins: [local] }, { stack: "dev", ignoreOracle: () => "not-ignored" })).toThrow(/git would commit/);
  });

  it("the gateway forwards with the certificate its variable names; the variable is plain (a name, not a key)", () => {
    const o = model(origins.aws!).origins[0]!;
    expect(variableSpecs(o)).toEqual([
      expect.objectContaining({ name: "LEDGER_MTLS_CERT", isSecret: false }),
      expect.objectContaining({ name: "LEDGER_ORIGIN_URL", isSecret: false }),
    ]);
    expect(gatewayConfigFor(o).handler).toEqual({ export: "urlForwardHandler", module: "$import(@zuplo/runtime)", options: { baseUrl: "${env.LEDGER_ORIGIN_URL}", mtlsCertificate: "$env(LEDGER_MTLS_CERT)" } });
  });
});
