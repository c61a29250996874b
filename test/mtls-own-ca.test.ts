/**
 * Method 4 with the user's own CA: gatelock issues and renews the gateway's certificate with a
 * CA made by the openssl CLI (as a user's PKI would be), whose key comes from a secret stack
 * config key, or from the component's `ca.key` arg. Checked by openssl and by a TLS handshake.
 *
 * Proves: the client certificate chains to that CA; the origin trusts exactly it (and the
 * previous one while the user rotates); a key stored in plain text or missing is refused
 * before any resource exists, naming the key; the key's config key counts as one gatelock
 * reads; the offline audit, which cannot decrypt the key, shows the certificate as a
 * placeholder rather than inventing one; and the model refuses a public root, a short RSA key,
 * a CA beside a bundle, and rotating a CA gatelock does not own.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { rootCertificates } from "node:tls";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAudit } from "../components/audit/report";
import { isStoredSecret } from "../components/testing/pulumi-internals";
import { ConfigError } from "../components/errors";
import { LocalMtlsOrigin } from "../components/local/mtls-origin";
import { buildModel } from "../components/model/model";
import { deploy } from "../components/program/deploy";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import { isSecretValue, one, reveal } from "./harness";

let scratch: string;
let projectDir: string;
let ca: { cert: string; key: string };
let previous: { cert: string; key: string };

/** A private CA by the openssl CLI: what a user's own PKI gives. */
function makeCa(cn: string, keyArgs = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"]): { cert: string; key: string } {
  const [key, cert] = [path.join(scratch, `${cn}.key`), path.join(scratch, `${cn}.crt`)];
  execFileSync("openssl", ["req", "-x509", ...keyArgs, "-nodes", "-subj", `/O=acme/CN=${cn}`, "-days", "900", "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign", "-keyout", key, "-out", cert], { stdio: "ignore" });
  return { cert: fs.readFileSync(cert, "utf8"), key: fs.readFileSync(key, "utf8") };
}

function opensslVerifies(bundle: string, leaf: string): boolean {
  const [b, l] = [path.join(scratch, `b-${Math.random()}.pem`), path.join(scratch, `l-${Math.random()}.pem`)];
  fs.writeFileSync(b, bundle);
  fs.writeFileSync(l, leaf);
  try {
    execFileSync("openssl", ["verify", "-purpose", "sslclient", "-CAfile", b, l], { stdio: "ignore" });
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  scratch = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-own-ca-"));
  projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-own-ca-project-"));
  execFileSync("git", ["init", "-q", projectDir]);
  fs.writeFileSync(path.join(projectDir, ".gitignore"), ".env\n.env.*\n.zuplo-local/\n");
  ca = makeCa("acme gateway CA");
  previous = makeCa("acme gateway CA 2024");
});
afterAll(() => {
  for (const d of [scratch, projectDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
});

const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main", environment: { developerApi: false, dotenv: ".env" } };
const origin = (caBlock: Record<string, unknown>) => ({ name: "records", method: "mtls", cloud: "local", url: "https://127.0.0.1:8443", mtls: { ca: caBlock } });

/** The stack-file program with these config values, as `pulumi up` gives them (secret keys marked). */
async function runWithConfig(config: Record<string, string>, secretKeys: readonly string[]) {
  return runUnderMocks(
    async () => (await deploy({ projectDir })).outputs,
    { stack: "dev", config: { "gatelock:gateway": JSON.stringify(gateway), ...config }, secretKeys },
  );
}

describe("a CA brought in the stack file", () => {
  it("issues the gateway's certificate with it, the key read from a secret config key that counts as one gatelock reads", async () => {
    const run = await runWithConfig(
      { "gatelock:origins": JSON.stringify([origin({ certificate: ca.cert, keySecret: "gatelock:recordsCaKey", previousCertificate: previous.cert })]), "gatelock:recordsCaKey": ca.key },
      ["gatelock:recordsCaKey"],
    );
    const cert = one(run.resources, "tls:index/locallySignedCert:LocallySignedCert");
    // The key reached the tls provider as a secret, never in plain text.
    expect(isSecretValue(cert.inputs.caPrivateKeyPem)).toBe(true);
    expect(reveal(cert.inputs.caPrivateKeyPem)).toBe(ca.key);
    // No CA of gatelock's own: no CA key, no self-signed certificate, no CA rotation.
    expect(run.resources.filter((r) => r.type === "tls:index/selfSignedCert:SelfSignedCert")).toEqual([]);
    expect(run.resources.filter((r) => r.name.endsWith("-ca-rotation"))).toEqual([]);
    const dir = one(run.resources, "pulumi-nodejs:dynamic/gatelock:MtlsCertificateDir");
    const leaf = String(dir.inputs.certificate);
    expect(new X509Certificate(leaf).checkIssued(new X509Certificate(ca.cert))).toBe(true);
    expect(opensslVerifies(ca.cert, leaf)).toBe(true);
    expect(opensslVerifies(previous.cert, leaf)).toBe(false);
    // The origin trusts the CA and, while the user rotates, the previous one.
    const store = one(run.resources, "pulumi-nodejs:dynamic/gatelock:DotenvFile", "records-store");
    const bundle = Buffer.from((reveal(store.inputs.entries) as Record<string, string>).RECORDS_MTLS_TRUST_BUNDLE_B64!, "base64").toString("utf8");
    expect(bundle.split(/(?=-----BEGIN CERTIFICATE-----)/).map((p) => new X509Certificate(p).fingerprint256)).toEqual([new X509Certificate(ca.cert).fingerprint256, new X509Certificate(previous.cert).fingerprint256]);
    // The key appears in no plain input anywhere.
    const keyLine = ca.key.split("\n").find((l) => l.length > 20 && !l.startsWith("-----"))!;
    for (const r of run.resources) expect(JSON.stringify(r.inputs).includes(keyLine) && !isSecretValue(r.inputs.caPrivateKeyPem)).toBe(false);
  });

  it("a key stored in plain text, or missing, is refused before any resource exists, naming the config key", async () => {
    const config = { "gatelock:origins": JSON.stringify([origin({ certificate: ca.cert, keySecret: "gatelock:recordsCaKey" })]) };
    const refusal = async (extra: Record<string, string>, secretKeys: string[]) => {
      try {
        await runWithConfig({ ...config, ...extra }, secretKeys);
      } catch (e) {
        const cause = e instanceof MockRunError ? e.cause : e;
        if (!(cause instanceof ConfigError)) throw e;
        return { issues: cause.issues.map((i) => [i.code, i.path]), resources: e instanceof MockRunError ? e.resources.filter((r) => r.custom) : [], text: JSON.stringify(cause.issues) };
      }
      throw new Error("expected a refusal");
    };
    const plain = await refusal({ "gatelock:recordsCaKey": ca.key }, []);
    expect(plain.issues).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].mtls.ca.keySecret"]]);
    expect(plain.resources).toEqual([]);
    // The refusal never quotes the key.
    expect(plain.text.includes(ca.key.split("\n")[1]!)).toBe(false);
    expect((await refusal({}, [])).issues).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].mtls.ca.keySecret"]]);
  });

  it("the offline audit, which cannot decrypt the key, shows the certificate as a placeholder", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-own-ca-audit-"));
    fs.copyFileSync(path.join(__dirname, "..", "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    const stack = { "gatelock:gateway": { ...gateway, environment: { developerApi: true } }, "gatelock:origins": [{ ...origin({ certificate: ca.cert, keySecret: "gatelock:statementsCaKey" }), name: "statements", cloud: "gcp", url: "https://statements.example.com", gcp: { project: "acme-prod" } }] };
    fs.writeFileSync(path.join(dir, "stacks", "Pulumi.dev.yaml"), `config:\n  gatelock:gateway: ${JSON.stringify(stack["gatelock:gateway"])}\n  gatelock:origins: ${JSON.stringify(stack["gatelock:origins"])}\n  gatelock:statementsCaKey:\n    secure: v1:c2VjcmV0:ZW5jcnlwdGVk\n`);
    const report = await runAudit({ projectDir: dir, stack: "dev", env: { ZUPLO_API_KEY: "zpka_test" } });
    expect(report.findings.filter((f) => f.severity === "error")).toEqual([]);
    const cert = report.resources.find((r) => r.type === "tls:index/locallySignedCert:LocallySignedCert")!;
    expect(cert.inputs.caPrivateKeyPem).toBe("[secret]");
    const zuplo = report.resources.find((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploMtlsCertificate")!;
    expect(zuplo.inputs.certificate).toBe("<certificate of statements-client-cert, signed at deploy time with your CA's key>");
    // The trust config holds the user's real CA.
    const trust = report.resources.find((r) => r.type === "gcp:certificatemanager/trustConfig:TrustConfig")!;
    expect(JSON.stringify(trust.inputs)).toContain(ca.cert.split("\n")[1]!);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("Pulumi's SDK says which config keys are stored encrypted (the internal the check relies on)", async () => {
    await runUnderMocks(
      () => {
        expect(isStoredSecret("gatelock:a")).toBe(true);
        expect(isStoredSecret("gatelock:b")).toBe(false);
        return {};
      },
      { stack: "dev", config: { "gatelock:a": "x", "gatelock:b": "y" }, secretKeys: ["gatelock:a"] },
    );
  });
});

describe("a CA passed to the component", () => {
  it("takes the key as an Input and makes it a secret; the chain verifies", async () => {
    const run = await runUnderMocks(
      () => {
        const o = new LocalMtlsOrigin("records", { gateway: { account: "acme", project: "orders-api", branch: "main" }, url: "https://127.0.0.1:8443", projectDir, ca: { certificate: ca.cert, key: pulumi.output(ca.key) } });
        return { certificate: o.gatewayCertificates[0]!.certificate };
      },
      { stack: "dev" },
    );
    const cert = one(run.resources, "tls:index/locallySignedCert:LocallySignedCert");
    expect(isSecretValue(cert.inputs.caPrivateKeyPem)).toBe(true);
    expect(opensslVerifies(ca.cert, String((run.outputs as { certificate: string }).certificate))).toBe(true);
  });
});

describe("the model's refusals for a CA brought by the user", () => {
  const issues = (caBlock: Record<string, unknown>, mtls: Record<string, unknown> = {}) => {
    try {
      buildModel({ gateway, origins: [{ ...origin(caBlock), mtls: { ca: caBlock, ...mtls } }] }, { stack: "dev", ignoreOracle: () => "ignored" });
      return [];
    } catch (e) {
      if (!(e instanceof ConfigError)) throw e;
      return e.issues.map((i) => [i.code, i.path]);
    }
  };
  const keySecret = "gatelock:recordsCaKey";

  it("a public root, a short RSA key, two certificates, a CA beside a bundle, a CA rotation gatelock does not own", () => {
    expect(issues({ certificate: ca.cert, keySecret })).toEqual([]);
    expect(issues({ certificate: rootCertificates[0]!, keySecret })).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].mtls.ca.certificate"]]);
    const rsa2048 = makeCa("short", ["-newkey", "rsa:2048"]);
    expect(issues({ certificate: rsa2048.cert, keySecret })).toEqual([["ERR_TRUST_UNSAFE", "gatelock:origins[0].mtls.ca.certificate"]]);
    expect(issues({ certificate: ca.cert + previous.cert, keySecret })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].mtls.ca.certificate"]]);
    expect(issues({ certificate: ca.cert, keySecret }, { trustBundle: ca.cert })).toContainEqual(["ERR_CONFIG_CONFLICT", "gatelock:origins[0].mtls.ca"]);
    expect(issues({ certificate: ca.cert, keySecret }, { caRotation: 1 })).toEqual([["ERR_CONFIG_CONFLICT", "gatelock:origins[0].mtls.caRotation"]]);
    expect(issues({ certificate: ca.cert, keySecret: "recordsCaKey" })).toEqual([["ERR_CONFIG_INVALID", "gatelock:origins[0].mtls.ca.keySecret"]]);
  });
});
