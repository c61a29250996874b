/**
 * Method 4 on GCP under the mock engine with faithful fakes: a Certificate Manager trust
 * config holding the stack's CA(s) one anchor each, a ServerTlsPolicy that rejects invalid
 * client certificates and names the trust config by project number, and the global target
 * HTTPS proxy it is attached to. The anchors are judged by tools nobody here wrote (node's
 * X509Certificate, `openssl verify`), across a CA rotation and its overlap.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { TrustConfig } from "@pulumi/gcp/certificatemanager/trustConfig";
import { afterAll, describe, expect, it } from "vitest";
import { clientValidationTrustConfig, GCP_TRUST_CONFIG_PEM_MAX_BYTES, gcpTrustAnchors } from "../components/documents/gcp-trust-config";
import { ConfigError, ResourceRefusedError } from "../components/errors";
import { GcpMtlsOrigin, type GcpMtlsOriginArgs } from "../components/gcp/mtls-origin";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import type { FakeCloudOptions, MockResourceArgs } from "../components/testing/fake-kit";
import { FakeCloud, UNFAKED } from "../components/testing/fakes";
import { config } from "./fixtures/configs";
import { isSecretValue, ofType, one, plainStrings, type RecordedResource, reveal, runProgram } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const t0 = Date.parse("2026-03-01T00:00:00Z");
const PROJECT_NUMBER = "418203751982"; // FakeCloud's fixed number for tests
const T = {
  trustConfig: "gcp:certificatemanager/trustConfig:TrustConfig",
  policy: "gcp:networksecurity/serverTlsPolicy:ServerTlsPolicy",
  proxy: "gcp:compute/targetHttpsProxy:TargetHttpsProxy",
  caCert: "tls:index/selfSignedCert:SelfSignedCert",
  clientCert: "tls:index/locallySignedCert:LocallySignedCert",
  key: "tls:index/privateKey:PrivateKey",
  variable: "pulumi-nodejs:dynamic/gatelock:ZuploVariable",
};
const gateway = { account: "acme", project: "orders-api", branch: "main" };
const proxy = { name: "orders-https", urlMap: "orders-map", sslCertificates: ["orders-cert"] };
const orders: GcpMtlsOriginArgs = { gateway, project: "acme-prod", url: "https://orders.acme.example", targetHttpsProxy: proxy };

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-gcp-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
let files = 0;
function write(pem: string): string {
  const file = path.join(tmp, `${files++}.pem`);
  fs.writeFileSync(file, pem);
  return file;
}

const openssl = spawnSync("openssl", ["version"]).status === 0;
/** `openssl verify` of a client certificate against exactly these anchors (no system store). */
function opensslVerify(anchors: readonly string[], client: string): { ok: boolean; out: string } {
  const r = spawnSync("openssl", ["verify", "-no-CApath", "-no-CAstore", "-CAfile", write(anchors.join("")), "-purpose", "sslclient", write(client)]);
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

interface Outputs {
  trustConfigId: string;
  serverTlsPolicyId: string;
  selfLink?: string;
  summary: Record<string, unknown>;
  clientCert: string;
  otherClientCert?: string;
}

/** One `pulumi up` of an `orders` origin (and an unrelated `billing` one, for a foreign CA). */
async function up(args: Partial<GcpMtlsOriginArgs> = {}, fakes: FakeCloudOptions = { now: () => new Date(t0) }, withOther = false) {
  let component!: GcpMtlsOrigin;
  const run = await runUnderMocks(
    async () => {
      component = new GcpMtlsOrigin("orders", { ...orders, ...args });
      const other = withOther ? new GcpMtlsOrigin("billing", { gateway, project: "acme-prod" }) : undefined;
      return {
        trustConfigId: component.trustConfigId,
        serverTlsPolicyId: component.serverTlsPolicyId,
        ...(component.targetHttpsProxySelfLink ? { selfLink: component.targetHttpsProxySelfLink } : {}),
        summary: component.summary,
        clientCert: component.gatewayCertificates[0]!.certificate,
        ...(other ? { otherClientCert: other.gatewayCertificates[0]!.certificate } : {}),
      };
    },
    { stack: "prod", fakes },
  );
  return { ...run, outputs: run.outputs as unknown as Outputs, component };
}

/** The anchors the trust config was created with, as the fake (GCP) received them. */
function anchors(run: { resources: readonly RecordedResource[] }): string[] {
  const stores = reveal(one(run.resources, T.trustConfig, "orders-trust-config").inputs.trustStores) as Array<{ trustAnchors: Array<{ pemCertificate: string }> }>;
  expect(stores).toHaveLength(1);
  return stores[0]!.trustAnchors.map((a) => a.pemCertificate);
}

function state(run: { fakes: FakeCloud }, type: string, name: string): Record<string, unknown> {
  const r = run.fakes.produced.get(`${type}::${name}`);
  if (!r) throw new Error(`no ${type} ${name}`);
  return reveal(r.state) as Record<string, unknown>;
}

async function failure(p: Promise<unknown>): Promise<MockRunError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MockRunError);
  return e as MockRunError;
}

describe("GcpMtlsOrigin: what it builds", () => {
  it("a global trust config, a REJECT_INVALID policy naming it by project number, and the proxy with the policy attached", async () => {
    const run = await up();
    for (const t of [T.trustConfig, T.policy, T.proxy]) expect(UNFAKED).not.toContain(t);
    const component = run.resources.find((r) => r.type === "gatelock:gcp:MtlsOrigin" && r.name === "orders")!;
    expect(component).toBeDefined();

    const tc = one(run.resources, T.trustConfig, "orders-trust-config");
    expect(reveal(tc.inputs)).toMatchObject({ project: "acme-prod", name: "gatelock-prod-orders", location: "global" });
    expect(tc.parent).toBe(component.urn);

    const policy = one(run.resources, T.policy, "orders-server-tls-policy");
    const p = reveal(policy.inputs) as Record<string, any>;
    expect(p).toMatchObject({ project: "acme-prod", name: "gatelock-prod-orders", location: "global", allowOpen: false });
    expect(p.mtlsPolicy).toEqual({ clientValidationMode: "REJECT_INVALID", clientValidationTrustConfig: `projects/${PROJECT_NUMBER}/locations/global/trustConfigs/gatelock-prod-orders` });
    expect(policy.parent).toBe(component.urn);

    const px = one(run.resources, T.proxy, "orders-https-proxy");
    expect(reveal(px.inputs)).toEqual(
      expect.objectContaining({ project: "acme-prod", name: "orders-https", urlMap: "orders-map", sslCertificates: ["orders-cert"], serverTlsPolicy: "projects/acme-prod/locations/global/serverTlsPolicies/gatelock-prod-orders" }),
    );
    expect(px.parent).toBe(component.urn);

    expect(run.outputs.trustConfigId).toBe("projects/acme-prod/locations/global/trustConfigs/gatelock-prod-orders");
    expect(run.outputs.serverTlsPolicyId).toBe("projects/acme-prod/locations/global/serverTlsPolicies/gatelock-prod-orders");
    expect(run.outputs.selfLink).toBe("https://www.googleapis.com/compute/v1/projects/acme-prod/global/targetHttpsProxies/orders-https");
    expect(run.outputs.summary).toMatchObject({
      trustConfigId: run.outputs.trustConfigId,
      serverTlsPolicyId: run.outputs.serverTlsPolicyId,
      targetHttpsProxySelfLink: run.outputs.selfLink,
      caGeneration: 0,
      previousCaTrusted: false,
      certificateName: expect.stringMatching(/^orders_\w*mtls_c0g0$/),
    });
    // The proxy's outputs are GCP's: a numeric ID and full self links for what it references.
    const proxyState = state(run, T.proxy, "orders-https-proxy");
    expect(typeof proxyState.proxyId).toBe("number");
    expect(proxyState.urlMap).toBe("https://www.googleapis.com/compute/v1/projects/acme-prod/global/urlMaps/orders-map");
    expect(run.component.findings).toEqual([]);
  });

  it("without targetHttpsProxy: no proxy, the policy's ID is for the user to attach, and the model warns it is not enforced here", async () => {
    const run = await up({ targetHttpsProxy: undefined });
    expect(ofType(run.resources, T.proxy)).toEqual([]);
    expect(run.outputs.serverTlsPolicyId).toBe("projects/acme-prod/locations/global/serverTlsPolicies/gatelock-prod-orders");
    expect(run.outputs.summary).not.toHaveProperty("targetHttpsProxySelfLink");
    expect(run.component.findings.map((f) => [f.code, f.path])).toEqual([["WARN_NOT_ENFORCED_HERE", "orders: args"]]);
  });

  it("proxy references given as Outputs (another resource's) reach the proxy", async () => {
    const run = await up({ targetHttpsProxy: { name: "orders-https", urlMap: pulumi.output("projects/acme-prod/global/urlMaps/orders-map"), sslCertificates: [pulumi.output("orders-cert")] } });
    expect(reveal(one(run.resources, T.proxy).inputs)).toMatchObject({ urlMap: "projects/acme-prod/global/urlMaps/orders-map", sslCertificates: ["orders-cert"] });
  });
});

describe.skipIf(!openssl)("GcpMtlsOrigin: the trust config's anchors", () => {
  it("hold exactly the PKI's CA, which verifies the gateway's client certificate; another CA's certificate is refused", async () => {
    const run = await up({}, { now: () => new Date(t0) }, true);
    const pems = anchors(run);
    expect(pems).toHaveLength(1);
    const ca = new X509Certificate(pems[0]!);
    // The anchor is the current CA (slot a), byte for byte as the tls provider issued it.
    expect(pems[0]).toBe(String(state(run, T.caCert, "orders-ca-a").certPem));
    expect(ca.ca).toBe(true);

    const client = new X509Certificate(run.outputs.clientCert);
    expect(run.outputs.clientCert).toBe(String(state(run, T.clientCert, "orders-client-cert").certPem));
    expect(client.checkIssued(ca)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    expect(opensslVerify(pems, run.outputs.clientCert).ok).toBe(true);

    // The billing origin's CA is another gatelock CA: its client certificate is not let in.
    const foreign = new X509Certificate(run.outputs.otherClientCert!);
    expect(foreign.verify(ca.publicKey)).toBe(false);
    const refused = opensslVerify(pems, run.outputs.otherClientCert!);
    expect(refused.ok).toBe(false);
    expect(refused.out).toMatch(/unable to get local issuer certificate/);
    // ...while its own anchors accept it (the refusal is about the CA, not a broken certificate).
    const billingAnchors = (reveal(one(run.resources, T.trustConfig, "billing-trust-config").inputs.trustStores) as any)[0].trustAnchors.map((a: any) => a.pemCertificate);
    expect(opensslVerify(billingAnchors, run.outputs.otherClientCert!).ok).toBe(true);
  });

  it("across a CA rotation: two anchors during the overlap, both certificates accepted; one anchor after it, the old one refused", async () => {
    const first = await up();
    const oldClient = first.outputs.clientCert;
    expect(anchors(first)).toHaveLength(1);

    // 2. caRotation: 1 → a new CA in slot b; the old one stays trusted for overlapDays (14).
    const rotated = await up({ caRotation: 1 }, { now: () => new Date(t0 + DAY), prior: first.fakes.produced });
    const during = anchors(rotated);
    expect(during).toHaveLength(2);
    const [a, b] = [String(state(rotated, T.caCert, "orders-ca-a").certPem), String(state(rotated, T.caCert, "orders-ca-b").certPem)];
    expect(new Set(during)).toEqual(new Set([a, b]));
    expect(a).toBe(anchors(first)[0]); // the old CA is the same certificate, not a re-issue
    const newClient = rotated.outputs.clientCert;
    expect(new X509Certificate(newClient).checkIssued(new X509Certificate(b))).toBe(true);
    expect(opensslVerify(during, oldClient).ok).toBe(true);
    expect(opensslVerify(during, newClient).ok).toBe(true);
    expect(rotated.outputs.summary).toMatchObject({ caGeneration: 1, previousCaTrusted: true });
    // The trust config changed in place (same ID), and GCP recorded an update.
    expect(state(rotated, T.trustConfig, "orders-trust-config").createTime).toBe(state(first, T.trustConfig, "orders-trust-config").createTime);
    expect(state(rotated, T.trustConfig, "orders-trust-config").updateTime).not.toBe(state(first, T.trustConfig, "orders-trust-config").updateTime);

    // The gateway switches only once the origin trusts the new CA: its certificate and variable wait for the trust store.
    for (const dep of [rotated.component.gatewayCertificates[0]!.dependsOn!, rotated.component.gatewayVariables.find((v) => v.name === "ORDERS_MTLS_CERT")!.dependsOn]) {
      expect((dep ?? []).some((r) => TrustConfig.isInstance(r))).toBe(true);
    }

    // 3. After the overlap: only the new CA; the old certificate is refused, the new one accepted.
    const retired = await up({ caRotation: 1 }, { now: () => new Date(t0 + 16 * DAY), prior: rotated.fakes.produced });
    const after = anchors(retired);
    expect(after).toEqual([b]);
    expect(opensslVerify(after, newClient).ok).toBe(true);
    expect(opensslVerify(after, oldClient).ok).toBe(false);
    expect(retired.outputs.summary).toMatchObject({ caGeneration: 1, previousCaTrusted: false });
  });
});

describe("GcpMtlsOrigin: refusals", () => {
  it("a refused known value throws ConfigError naming `orders: <arg>` before any child is registered", async () => {
    const e = await failure(up({ clientValidationMode: "ALLOW_INVALID_OR_MISSING_CLIENT_CERT", caKey: "ECDSA_P224" }));
    const err = e.cause as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => [i.code, i.path]).sort()).toEqual([
      ["ERR_TRUST_UNSAFE", "orders: caKey"],
      ["ERR_TRUST_UNSAFE", "orders: clientValidationMode"],
    ]);
    expect(e.resources.filter((r) => r.custom)).toEqual([]);
  });

  it("the permissive mode passes with the escape hatch, and reaches the policy", async () => {
    const run = await up({ clientValidationMode: "ALLOW_INVALID_OR_MISSING_CLIENT_CERT", dangerouslyAllowOptionalClientCert: true });
    expect((reveal(one(run.resources, T.policy).inputs.mtlsPolicy) as any).clientValidationMode).toBe("ALLOW_INVALID_OR_MISSING_CLIENT_CERT");
    expect(run.component.findings.map((f) => f.code)).toContain("WARN_OPTIONAL_CLIENT_CERT");
  });

  it("an Output urlMap that resolves to a refused value fails the run, and the proxy is never created", async () => {
    const e = await failure(up({ targetHttpsProxy: { ...proxy, urlMap: pulumi.output("") } }));
    const err = e.cause as ConfigError;
    expect(err).toBeInstanceOf(ConfigError);
    expect(err.issues.map((i) => i.path)).toEqual(["orders: targetHttpsProxy.urlMap"]);
    expect(ofType(e.resources, T.proxy)).toEqual([]);
  });

  it("an Output url that resolves to plain http fails the run", async () => {
    const e = await failure(up({ url: pulumi.output("http://orders.acme.example") }));
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toContain("orders: url");
  });
});

describe("GcpMtlsOrigin: keys stay secret", () => {
  it("no private key PEM in the summary, the stack outputs, or any plain input of the GCP resources", async () => {
    const run = await up();
    const keys = ofType(run.resources, T.key).map((k) => run.fakes.produced.get(`${T.key}::${k.name}`)!.state.privateKeyPem);
    expect(keys.length).toBeGreaterThan(0);
    for (const k of keys) expect(isSecretValue(k)).toBe(true);
    const pems = keys.map((k) => String(reveal(k)));
    const outputs = JSON.stringify(run.outputs);
    expect(outputs).not.toMatch(/PRIVATE KEY/);
    for (const r of run.resources.filter((x) => x.type.startsWith("gcp:"))) {
      const text = JSON.stringify(reveal(r.inputs));
      expect(text).not.toMatch(/PRIVATE KEY/);
      for (const pem of pems) expect(plainStrings(r.inputs)).not.toContain(pem);
    }
    expect(Object.values(run.outputs.summary).join("\n")).not.toMatch(/PRIVATE KEY/);
  });
});

describe("through the program: the gateway's variable waits for the trust store", () => {
  it("the ZuploVariable naming the certificate depends on the trust config, the policy and the proxy", async () => {
    const origin = { name: "orders", method: "mtls", cloud: "gcp", url: "https://orders.acme.example", gcp: { project: "acme-prod", targetHttpsProxy: proxy } };
    const run = await runProgram(config(origin), { fakes: { now: () => new Date(t0) } });
    const v = ofType(run.resources, T.variable).find((r) => reveal(r.inputs.name) === "ORDERS_MTLS_CERT");
    expect(v).toBeDefined();
    for (const t of [T.trustConfig, T.policy, T.proxy]) expect(v!.dependsOn).toContain(one(run.resources, t).urn);
  });
});

describe("gcp-trust-config (pure)", () => {
  const pemOf = (run: { fakes: FakeCloud }, name: string) => String(state(run, T.caCert, name).certPem);

  it("splits a bundle into one anchor per CA, once each; refuses a single PEM over GCP's limit", async () => {
    const run = await up({}, { now: () => new Date(t0) }, true);
    const [a, b] = [pemOf(run, "orders-ca-a"), pemOf(run, "billing-ca-a")];
    expect(gcpTrustAnchors(a + b + a)).toEqual([{ pemCertificate: a }, { pemCertificate: b }]);
    expect(() => gcpTrustAnchors("")).toThrow(/empty/);
    if (!openssl) return;
    const big = selfSigned(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha256", "-addext", `nsComment=${"x".repeat(4000)}`]);
    expect(Buffer.byteLength(big)).toBeGreaterThan(GCP_TRUST_CONFIG_PEM_MAX_BYTES);
    expect(() => gcpTrustAnchors(a + big)).toThrow(/certificate #2 .* bytes as PEM; a GCP trust config takes at most 5000 bytes/);
  });

  it("the trust config path takes the project number, never the project ID", () => {
    expect(clientValidationTrustConfig(PROJECT_NUMBER, "gatelock-prod-orders")).toBe(`projects/${PROJECT_NUMBER}/locations/global/trustConfigs/gatelock-prod-orders`);
    expect(() => clientValidationTrustConfig("acme-prod", "gatelock-prod-orders")).toThrow(/project number/);
  });
});

/** A self-signed CA certificate made by openssl itself (not gatelock's fakes). */
function selfSigned(opts: string[]): string {
  const out = path.join(tmp, `ss-${files++}.pem`);
  execFileSync("openssl", ["req", "-x509", "-nodes", "-keyout", path.join(tmp, `ss-${files++}.key`), "-out", out, "-subj", "/CN=test CA", "-days", "2", ...opts], { stdio: "pipe" });
  return fs.readFileSync(out, "utf8");
}

describe.skipIf(!openssl)("the GCP fakes refuse what GCP refuses", () => {
  const cloud = () => new FakeCloud({ now: () => new Date(t0) });
  const create = (type: string, inputs: Record<string, unknown>) => cloud().newResource({ type, name: "x", inputs, custom: true } as MockResourceArgs);
  const good = () => selfSigned(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha256"]);
  const trustConfig = (...pems: string[]) => ({ project: "acme-prod", name: "gatelock-prod-orders", location: "global", trustStores: [{ trustAnchors: pems.map((pemCertificate) => ({ pemCertificate })) }] });
  const refused = (f: () => unknown, message: RegExp) => {
    let e: unknown;
    try {
      f();
    } catch (x) {
      e = x;
    }
    expect(e).toBeInstanceOf(ResourceRefusedError);
    expect((e as Error).message).toMatch(message);
  };

  it("accepts a P-256 / SHA-256 anchor and answers as GCP does", () => {
    const r = create(T.trustConfig, trustConfig(good(), good()));
    expect(r.id).toBe("projects/acme-prod/locations/global/trustConfigs/gatelock-prod-orders");
    expect(r.state).toMatchObject({ deletionPolicy: "DELETE", createTime: new Date(t0).toISOString(), updateTime: new Date(t0).toISOString() });
    expect(String(r.state.etag).length).toBeGreaterThan(8);
  });

  it.each([
    ["not a PEM certificate", () => "hello", /exactly one PEM-encoded certificate/],
    ["two certificates in one anchor", () => good() + good(), /exactly one PEM-encoded certificate/],
    ["over 5 kB", () => selfSigned(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha256", "-addext", `nsComment=${"x".repeat(4000)}`]), /up to 5kB/],
    ["an RSA 1024 key", () => selfSigned(["-newkey", "rsa:1024", "-sha256"]), /at least 2048 bits/],
    ["a P-224 key", () => selfSigned(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-224", "-sha256"]), /P-256 or stronger/],
    ["a SHA-1 signature", () => selfSigned(["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-sha1"]), /SHA-256 or stronger/],
  ])("a trust anchor: %s", (_what, pem, message) => {
    refused(() => create(T.trustConfig, trustConfig(pem())), message);
  });

  const policy = (mtlsPolicy: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ project: "acme-prod", name: "gatelock-prod-orders", location: "global", allowOpen: false, mtlsPolicy, ...extra });
  const path = `projects/${PROJECT_NUMBER}/locations/global/trustConfigs/gatelock-prod-orders`;

  it("a load balancer policy: the trust config by number, in its location; no allowOpen", () => {
    expect(create(T.policy, policy({ clientValidationMode: "REJECT_INVALID", clientValidationTrustConfig: path })).id).toBe("projects/acme-prod/locations/global/serverTlsPolicies/gatelock-prod-orders");
    refused(() => create(T.policy, policy({ clientValidationMode: "REJECT_INVALID", clientValidationTrustConfig: "projects/acme-prod/locations/global/trustConfigs/gatelock-prod-orders" })), /projects\/\{project_number\}/);
    refused(() => create(T.policy, policy({ clientValidationMode: "REJECT_INVALID", clientValidationTrustConfig: "projects/999999999999/locations/global/trustConfigs/gatelock-prod-orders" })), /not the number of project acme-prod/);
    refused(() => create(T.policy, policy({ clientValidationMode: "REJECT_INVALID", clientValidationTrustConfig: path }, { allowOpen: true })), /allowOpen must be false/);
    refused(() => create(T.policy, policy({ clientValidationMode: "REJECT_INVALID", clientValidationTrustConfig: path }, { location: "europe-west1" })), /a europe-west1 policy takes a trust config in europe-west1/);
    refused(() => create(T.policy, policy({ clientValidationMode: "SOMETIMES", clientValidationTrustConfig: path })), /clientValidationMode/);
  });

  it("a global target HTTPS proxy takes only a global policy", () => {
    const base = { project: "acme-prod", name: "orders-https", urlMap: "orders-map", sslCertificates: ["orders-cert"] };
    const ok = create(T.proxy, { ...base, serverTlsPolicy: "projects/acme-prod/locations/global/serverTlsPolicies/p" });
    expect(ok.state).toMatchObject({ selfLink: "https://www.googleapis.com/compute/v1/projects/acme-prod/global/targetHttpsProxies/orders-https" });
    refused(() => create(T.proxy, { ...base, serverTlsPolicy: "projects/acme-prod/locations/europe-west1/serverTlsPolicies/p" }), /takes a global ServerTlsPolicy/);
    refused(() => create(T.proxy, { ...base, name: "Orders_HTTPS" }), /invalid name/);
  });
});
