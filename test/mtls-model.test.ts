/**
 * Method 4's model, pure (groundwork): the PKI settings and the origin-side modes gatelock
 * will refuse, each with its key and fix; a bring-your-own trust bundle judged by the same
 * code as the origin's guard.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import * as path from "node:path";
import { rootCertificates } from "node:tls";
import { describe, expect, it } from "vitest";
import { configKey } from "../components/model/issues";
import { MtlsOriginModes, MtlsPkiConfig } from "../components/model/mtls/config";
import { checkMtlsModes, checkMtlsPki } from "../components/model/mtls/checks";

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

describe("mTLS origin-side modes", () => {
  it("verify / REJECT_INVALID / Required are the defaults and accepted", () => {
    const modes = MtlsOriginModes.parse({ aws: {}, gcp: {}, azure: { appService: { name: "orders-api", resourceGroup: "rg" } } });
    expect(modes).toMatchObject({ aws: { albMode: "verify" }, gcp: { clientValidationMode: "REJECT_INVALID" }, azure: { appService: { clientCertMode: "Required" } } });
    expect(checkMtlsModes(modes, false, at)).toEqual([]);
  });

  it("permissive modes are refused unless the loudly named escape hatch is set", () => {
    const modes = MtlsOriginModes.parse({ aws: { albMode: "passthrough" }, gcp: { clientValidationMode: "ALLOW_INVALID_OR_MISSING_CLIENT_CERT" }, azure: { appService: { name: "orders-api", resourceGroup: "rg", clientCertMode: "Optional" } } });
    expect(checkMtlsModes(modes, false, at).map((i) => [i.code, i.path])).toEqual([
      ["ERR_TRUST_UNSAFE", "gatelock:origins[0].aws.albMode"],
      ["ERR_TRUST_UNSAFE", "gatelock:origins[0].gcp.clientValidationMode"],
      ["ERR_TRUST_UNSAFE", "gatelock:origins[0].azure.appService.clientCertMode"],
    ]);
    for (const i of checkMtlsModes(modes, false, at)) expect(i.fix).toContain("dangerouslyAllowOptionalClientCert");
    expect(checkMtlsModes(modes, true, at)).toEqual([]);
  });
});
