/**
 * The Azure mTLS origin under the mock engine with the faithful tls fakes (real keys and
 * X.509): the trust bundle in the Key Vault the app reads, readable by its identities only; the
 * App Service and Application Gateway fragments; the App Service path end to end through the
 * forwarded-certificate verifier of `gatelock/origin`; refusals; no key anywhere it does not
 * belong; and a CA rotation across deployments.
 */
import { execFileSync, spawnSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cloud } from "../components/azure/program";
import { AzureMtlsOrigin, type AzureMtlsOriginArgs } from "../components/azure/mtls-origin";
import { KEY_VAULT_SECRETS_USER } from "../components/azure/shared-secret-origin";
import { zuploGateway } from "../components/component/checked-origin";
import { splitChains } from "../components/documents/azure-mtls";
import { ConfigError } from "../components/errors";
import { MtlsOriginConfig } from "../components/model/mtls/config";
import { subjectString } from "../components/model/mtls/describe";
import { APP_SERVICE_CLIENT_CERT_HEADER, createForwardedClientCertVerifier } from "../components/origin/client-cert-header";
import { MockRunError, type MockRun, runUnderMocks } from "../components/testing/engine";
import { AZURE_REJECTED } from "../components/testing/fakes-azure";
import { type PriorResource, UNFAKED } from "../components/testing/fakes";
import { isSecretValue, ofType, one, plainStrings, type RecordedResource, reveal } from "./harness";

const DAY = 24 * 60 * 60 * 1000;
const SUBSCRIPTION = "6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b"; // the fakes' deploying subscription
const READERS = ["0f8fad5b-d9cb-469f-a165-70867728950e", "7c9e6679-7425-40de-944b-e07fc1f90ae7"];
const gateway = { account: "acme", project: "orders-api", branch: "main" };
const T = {
  secret: "azure-native:keyvault:Secret",
  assignment: "azure-native:authorization:RoleAssignment",
  key: "tls:index/privateKey:PrivateKey",
  caCert: "tls:index/selfSignedCert:SelfSignedCert",
  clientCert: "tls:index/locallySignedCert:LocallySignedCert",
};
const typical: AzureMtlsOriginArgs = {
  gateway,
  url: "https://orders-api.azurewebsites.net",
  appService: { name: "orders-api", resourceGroup: "rg-orders" },
  appGateway: { name: "agw-edge", resourceGroup: "rg-edge" },
  vault: { resourceGroup: "rg-orders", name: "kv-acme-orders", readers: READERS },
};

interface Outputs {
  summary: Record<string, any>;
  variables: { name: string; value: string; dependsOn: string[] }[];
  certificates: { name: string; certificate: string; dependsOn: string[] }[];
}
type Run = MockRun<Outputs>;

async function deploy(args: AzureMtlsOriginArgs, fakes: { now?: Date; prior?: ReadonlyMap<string, PriorResource> } = {}): Promise<Run> {
  const now = fakes.now ?? new Date();
  return runUnderMocks(
    () => {
      const c = new AzureMtlsOrigin("orders", args);
      const urns = (rs: readonly pulumi.Resource[] | undefined) => pulumi.all((rs ?? []).map((r) => r.urn));
      return {
        summary: c.summary,
        variables: c.gatewayVariables.map((v) => ({ name: v.name, value: v.value, dependsOn: urns(v.dependsOn) })),
        // The key stays out of the stack outputs: it is checked where it lives (the fakes' state).
        certificates: c.gatewayCertificates.map((g) => ({ name: g.name, certificate: g.certificate, dependsOn: urns(g.dependsOn) })),
      } as unknown as Outputs;
    },
    { stack: "prod", fakes: { now: () => now, ...(fakes.prior ? { prior: fakes.prior } : {}) } },
  );
}

async function failure(p: Promise<unknown>): Promise<MockRunError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MockRunError);
  return e as MockRunError;
}

const state = (run: Run, type: string, name: string) => run.fakes.produced.get(`${type}::${name}`)!.state;
/** The bundle as the app reads it: the value of the recorded Key Vault secret. */
const vaultBundle = (run: Run) => String(reveal((one(run.resources, T.secret).inputs.properties as { value: unknown }).value));
const pems = (bundle: string) => splitBundle(bundle).map((p) => new X509Certificate(p));
const splitBundle = (bundle: string) => [...bundle.matchAll(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----\n?/g)].map((m) => m[0]);
const clientPem = (run: Run) => String(state(run, T.clientCert, "orders-client-cert").certPem);
/** Base64 of the DER certificate, as App Service's front end puts it in `X-ARR-ClientCert`. */
const arrHeader = (pem: string) => new X509Certificate(pem).raw.toString("base64");
/** `CN=a, OU=b, O=c` → `{ CN: "a", OU: "b", O: "c" }` (gatelock's values never contain `, ` or `=`). */
const pinOf = (subject: string) => Object.fromEntries(subject.split(", ").map((p) => [p.slice(0, p.indexOf("=")), p.slice(p.indexOf("=") + 1)]));

const openssl = spawnSync("openssl", ["version"]).status === 0;
let dir: string;
/** `openssl verify` for a TLS client at `at` (the fakes' clock, which may be ahead of the real one). */
function opensslVerify(bundle: string, leaf: string, at: Date = t0): { ok: boolean; out: string } {
  const ca = path.join(dir, `ca-${Math.random().toString(36).slice(2)}.pem`);
  const cert = path.join(dir, `leaf-${Math.random().toString(36).slice(2)}.pem`);
  fs.writeFileSync(ca, bundle);
  fs.writeFileSync(cert, leaf);
  const r = spawnSync("openssl", ["verify", "-purpose", "sslclient", "-attime", String(Math.floor(at.getTime() / 1000) + 60), "-CAfile", ca, cert], { encoding: "utf8" });
  return { ok: r.status === 0, out: `${r.stdout}${r.stderr}` };
}

let first: Run;
let elsewhere: Run; // the same origin in another deployment: same subject, another CA
const t0 = new Date();

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-mtls-azure-"));
  first = await deploy(typical, { now: t0 });
  elsewhere = await deploy(typical, { now: t0 });
}, 120_000);

afterAll(() => {
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

describe("AzureMtlsOrigin: what it registers", () => {
  it("a PEM secret in the app's vault, one Key Vault Secrets User grant on it per reader, the PKI, and nothing for the App Service or the gateway", () => {
    expect(UNFAKED).toEqual([]);
    expect(AZURE_REJECTED).toEqual([]);
    const rs = first.resources;
    const custom = rs.filter((r) => r.custom && !r.type.startsWith("tls:") && !r.type.startsWith("pulumi-nodejs:dynamic/gatelock:RotationSchedule"));
    expect(custom.map((r) => r.type).sort()).toEqual([T.assignment, T.assignment, T.secret]);
    const component = one(rs, "gatelock:azure:MtlsOrigin");
    expect(component.name).toBe("orders");

    const secret = one(rs, T.secret);
    expect(secret.name).toBe("orders-trust-bundle");
    expect(secret.parent).toBe(component.urn);
    expect(secret.inputs).toMatchObject({ resourceGroupName: "rg-orders", vaultName: "kv-acme-orders", secretName: "gatelock-prod-orders-mtls-trust-bundle" });
    expect((secret.inputs.properties as Record<string, unknown>).contentType).toBe("application/x-pem-file");

    const grants = ofType(rs, T.assignment);
    expect(grants.map((g) => g.inputs.principalId).sort()).toEqual([...READERS].sort());
    const secretId = first.fakes.produced.get(`${T.secret}::orders-trust-bundle`)!.id;
    for (const g of grants) {
      expect(g.name).toMatch(/^orders-bundle-reader-[0-9a-f]{8}$/);
      expect(g.parent).toBe(component.urn);
      // On the one secret: not the vault, not the resource group.
      expect(g.inputs.scope).toBe(secretId);
      expect(g.inputs.scope).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-orders/providers/Microsoft.KeyVault/vaults/kv-acme-orders/secrets/gatelock-prod-orders-mtls-trust-bundle`);
      expect(g.inputs.roleDefinitionId).toBe(`/subscriptions/${SUBSCRIPTION}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}`);
      expect(g.inputs.principalType).toBe("ServicePrincipal");
    }

    // The PKI: two CA slots and the gateway's client certificate, P-256 and client auth only.
    expect(ofType(rs, T.caCert).map((r) => r.name).sort()).toEqual(["orders-ca-a", "orders-ca-b"]);
    expect(ofType(rs, T.key).map((r) => [r.name, r.inputs.algorithm, r.inputs.ecdsaCurve]).sort()).toEqual([
      ["orders-ca-key-a", "ECDSA", "P256"],
      ["orders-ca-key-b", "ECDSA", "P256"],
      ["orders-client-key", "ECDSA", "P256"],
    ]);
    expect(one(rs, T.clientCert).inputs.allowedUses).toEqual(["client_auth", "digital_signature"]);
  });

  it("grants are named by what they grant: reordering the readers keeps every grant", async () => {
    const reordered = await deploy({ ...typical, vault: { ...typical.vault!, readers: [READERS[1]!, READERS[0]!] } }, { now: t0 });
    const byName = (r: Run) => Object.fromEntries(ofType(r.resources, T.assignment).map((g) => [g.name, g.inputs.principalId]));
    expect(byName(reordered)).toEqual(byName(first));
  });

  it("outputs and summary: the secret's ID and URI, the App Service settings, the gateway fragments, and the PKI's facts", () => {
    const s = first.outputs.summary;
    expect(s.bundleSecretId).toBe(first.fakes.produced.get(`${T.secret}::orders-trust-bundle`)!.id);
    expect(s.bundleSecretUri).toBe("https://kv-acme-orders.vault.azure.net/secrets/gatelock-prod-orders-mtls-trust-bundle");
    expect(s.appServiceSettings).toEqual({ clientCertEnabled: true, clientCertMode: "Required", httpsOnly: true });
    expect(s.clientSubject).toBe(subjectString({ commonName: "acme/orders-api@main", organizationalUnit: "prod/orders", organization: "gatelock" }));
    expect(s).toMatchObject({ ca: "gatelock CA prod/orders (a)", caGeneration: 0, previousCaTrusted: false, clientGeneration: 0 });
    expect(s.certificateName).toMatch(/_c0g0$/);
    expect(s.certificateName).toBe(first.outputs.certificates[0]!.name);
  });
});

describe("the trust bundle holds exactly the stack's CA, and it issued the gateway's certificate", () => {
  it("node: one certificate, the current CA, which issued and signed the client certificate", () => {
    const bundle = pems(vaultBundle(first));
    expect(bundle).toHaveLength(1);
    const ca = new X509Certificate(String(state(first, T.caCert, "orders-ca-a").certPem));
    expect(bundle[0]!.fingerprint256).toBe(ca.fingerprint256);
    expect(ca.ca).toBe(true);
    const client = new X509Certificate(clientPem(first));
    expect(client.checkIssued(ca)).toBe(true);
    expect(client.verify(ca.publicKey)).toBe(true);
    // The certificate the gateway is given is that one.
    expect(first.outputs.certificates.map((c) => c.certificate)).toEqual([clientPem(first)]);
    // Another deployment's CA did not issue it.
    expect(client.verify(new X509Certificate(vaultBundle(elsewhere)).publicKey)).toBe(false);
  });

  it.skipIf(!openssl)("openssl verify accepts the chain for a TLS client, and refuses the other CA's certificate", () => {
    const ok = opensslVerify(vaultBundle(first), clientPem(first));
    expect(ok.out).toMatch(/: OK\s*$/);
    expect(ok.ok).toBe(true);
    expect(opensslVerify(vaultBundle(first), clientPem(elsewhere)).ok).toBe(false);
  });
});

describe("App Service end to end: the app checks X-ARR-ClientCert against the bundle from its vault", () => {
  const verifierFor = (run: Run, now: Date) =>
    createForwardedClientCertVerifier({ header: APP_SERVICE_CLIENT_CERT_HEADER, ca: vaultBundle(run), pinnedSubjects: [pinOf(run.outputs.summary.clientSubject)], now: () => now });

  it("accepts the gateway's certificate with the pinned subject", () => {
    const verifier = verifierFor(first, new Date(t0.getTime() + 60_000));
    expect(pinOf(first.outputs.summary.clientSubject)).toEqual({ CN: "acme/orders-api@main", OU: "prod/orders", O: "gatelock" });
    const r = verifier.verify(arrHeader(clientPem(first)));
    expect(r).toMatchObject({ ok: true, fingerprint256: new X509Certificate(clientPem(first)).fingerprint256 });
  });

  it("refuses a certificate from another CA, even with the very same subject", () => {
    expect(new X509Certificate(clientPem(elsewhere)).subject).toBe(new X509Certificate(clientPem(first)).subject);
    const r = verifierFor(first, new Date(t0.getTime() + 60_000)).verify(arrHeader(clientPem(elsewhere)));
    expect(r).toEqual({ ok: false, reason: "untrusted" });
  });

  it("refuses the gateway's own certificate under another pin, and a missing header", () => {
    const other = createForwardedClientCertVerifier({ header: "X-ARR-ClientCert", ca: vaultBundle(first), pinnedSubjects: [{ CN: "acme/orders-api@staging" }], now: () => new Date(t0.getTime() + 60_000) });
    expect(other.verify(arrHeader(clientPem(first)))).toEqual({ ok: false, reason: "subject" });
    expect(other.verify(undefined)).toEqual({ ok: false, reason: "missing" });
  });
});

describe("the Application Gateway fragments", () => {
  const gatewayId = `/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-edge/providers/Microsoft.Network/applicationGateways/agw-edge`;

  it("one trusted client certificate whose data is exactly the bundle, and an SSL profile that requires it (TLS 1.2+)", () => {
    const f = first.outputs.summary.appGatewayFragments;
    expect(f.trustedClientCertificates).toHaveLength(1);
    const [trusted] = f.trustedClientCertificates;
    expect(trusted.name).toBe("gatelock-orders-ca");
    expect(Buffer.from(trusted.data, "base64").toString("utf8")).toBe(vaultBundle(first));
    expect(f.sslProfiles).toEqual([
      {
        name: "gatelock-orders-mtls",
        trustedClientCertificates: [{ id: `${gatewayId}/trustedClientCertificates/gatelock-orders-ca` }],
        clientAuthConfiguration: { verifyClientCertIssuerDN: true, verifyClientRevocation: "None" },
        sslPolicy: { policyType: "Predefined", policyName: "AppGwSslPolicy20220101S" },
      },
    ]);
  });

  it("a gateway name that is another resource's Output ends up in the IDs", async () => {
    const run = await deploy({ ...typical, appGateway: { name: pulumi.output("agw-edge-2"), resourceGroup: pulumi.output("rg-edge") } }, { now: t0 });
    const f = run.outputs.summary.appGatewayFragments;
    expect(f.sslProfiles[0].trustedClientCertificates[0].id).toBe(`/subscriptions/${SUBSCRIPTION}/resourceGroups/rg-edge/providers/Microsoft.Network/applicationGateways/agw-edge-2/trustedClientCertificates/gatelock-orders-ca`);
  });

  it("with only an Application Gateway: no vault, no Azure resource, the gateway waits on nothing", async () => {
    const run = await deploy({ gateway, appGateway: typical.appGateway! }, { now: t0 });
    expect(run.resources.filter((r) => r.type.startsWith("azure-native:"))).toEqual([]);
    expect(run.outputs.summary.bundleSecretId).toBeUndefined();
    expect(run.outputs.summary.appServiceSettings).toBeUndefined();
    expect(run.outputs.certificates[0]!.dependsOn).toEqual([]);
    expect(pems(Buffer.from(run.outputs.summary.appGatewayFragments.trustedClientCertificates[0].data, "base64").toString()).length).toBe(1);
  });
});

describe("refusals", () => {
  const customChildren = (rs: readonly RecordedResource[]) => rs.filter((r) => r.custom);

  it("known values are refused at construction with `<name>: <arg>`, before any child is registered", async () => {
    const optional = await failure(deploy({ ...typical, appService: { ...typical.appService!, clientCertMode: "Optional" } }));
    expect(optional.cause).toBeInstanceOf(ConfigError);
    expect((optional.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_TRUST_UNSAFE", "orders: appService.clientCertMode"]]);
    expect(customChildren(optional.resources)).toEqual([]);

    const noVault = await failure(deploy({ gateway, appService: typical.appService! }));
    expect((noVault.cause as ConfigError).issues.map((i) => i.path)).toEqual(["orders: vault"]);
    expect(customChildren(noVault.resources)).toEqual([]);

    const badReader = await failure(deploy({ ...typical, vault: { ...typical.vault!, readers: ["orders-api"] } }));
    expect((badReader.cause as ConfigError).issues.map((i) => i.path)).toEqual(["orders: vault.readers[0]"]);
    expect(customChildren(badReader.resources)).toEqual([]);
  });

  it("the escape hatch lets `Optional` through, with a warning", async () => {
    let built!: AzureMtlsOrigin;
    await runUnderMocks(() => {
      built = new AzureMtlsOrigin("orders", { ...typical, dangerouslyAllowOptionalClientCert: true, appService: { ...typical.appService!, clientCertMode: "Optional" } });
      return {};
    }, { stack: "prod" });
    expect(built.findings.map((f) => [f.code, f.path])).toContainEqual(["WARN_OPTIONAL_CLIENT_CERT", "orders: dangerouslyAllowOptionalClientCert"]);
    // The settings say what was asked for, so the reviewer sees the weaker mode where it is applied.
    expect(built.appServiceSettings).toEqual({ clientCertEnabled: true, clientCertMode: "Optional", httpsOnly: true });
  });

  it("a reader that is an Output resolving to a non-GUID fails the run, and its grant is never created", async () => {
    const e = await failure(deploy({ ...typical, vault: { ...typical.vault!, readers: [READERS[0]!, pulumi.output("orders-api")] } }));
    expect(e.cause).toBeInstanceOf(ConfigError);
    expect((e.cause as ConfigError).issues.map((i) => [i.code, i.path])).toEqual([["ERR_CONFIG_INVALID", "orders: vault.readers[1]"]]);
    expect(ofType(e.resources, T.assignment).map((g) => g.inputs.principalId)).not.toContain("orders-api");
    expect(ofType(e.resources, T.assignment).filter((g) => g.name === "orders-bundle-reader-1")).toEqual([]);
  });

  it("a vault name that is an Output resolving to a bad name fails the run, and the secret is never created", async () => {
    const e = await failure(deploy({ ...typical, vault: { ...typical.vault!, name: pulumi.output("kv") } }));
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["orders: vault.name"]);
    expect(ofType(e.resources, T.secret)).toEqual([]);
    expect(ofType(e.resources, T.assignment)).toEqual([]);
  });
});

describe("no private key where it does not belong", () => {
  it("neither in the summary, nor in any Azure resource's inputs (even revealed), nor in the gateway's outputs", () => {
    const keys = ofType(first.resources, T.key).map((k) => String(reveal(state(first, T.key, k.name).privateKeyPem)));
    expect(keys).toHaveLength(3);
    for (const k of keys) expect(k).toMatch(/PRIVATE KEY/);
    const azure = first.resources.filter((r) => r.type.startsWith("azure-native:"));
    const texts = [JSON.stringify(first.outputs), JSON.stringify(azure.map((r) => reveal(r.inputs))), ...azure.flatMap((r) => plainStrings(r.inputs))];
    for (const t of texts) {
      expect(t).not.toMatch(/PRIVATE KEY/);
      for (const k of keys) expect(t).not.toContain(k.split("\n")[1]!);
    }
    // The key itself travels only as a secret: the client key's state is secret-marked.
    expect(isSecretValue(state(first, T.key, "orders-client-key").privateKeyPem)).toBe(true);
  });
});

describe("CA rotation across deployments", () => {
  let rotated: Run;
  let settled: Run;
  const t1 = new Date(t0.getTime() + DAY);
  beforeAll(async () => {
    rotated = await deploy({ ...typical, caRotation: 1 }, { now: t1, prior: first.fakes.produced });
    settled = await deploy({ ...typical, caRotation: 1 }, { now: new Date(t1.getTime() + 15 * DAY), prior: rotated.fakes.produced });
  }, 120_000);

  it("the vault's bundle then holds the new CA and the old one; the gateway's new certificate is the new CA's", () => {
    const before = pems(vaultBundle(first));
    const during = pems(vaultBundle(rotated));
    expect(during).toHaveLength(2);
    expect(during[1]!.fingerprint256).toBe(before[0]!.fingerprint256);
    expect(during[0]!.fingerprint256).not.toBe(before[0]!.fingerprint256);
    expect(rotated.outputs.summary).toMatchObject({ caGeneration: 1, previousCaTrusted: true, ca: "gatelock CA prod/orders (b)" });
    const newClient = new X509Certificate(clientPem(rotated));
    expect(newClient.verify(during[0]!.publicKey)).toBe(true);
    expect(rotated.outputs.certificates[0]!.name).not.toBe(first.outputs.certificates[0]!.name);
  });

  it("the app accepts the old and the new certificate during the overlap, and only the new one after it", () => {
    const at = (run: Run, now: Date) => createForwardedClientCertVerifier({ header: APP_SERVICE_CLIENT_CERT_HEADER, ca: vaultBundle(run), pinnedSubjects: [pinOf(run.outputs.summary.clientSubject)], now: () => now });
    const during = at(rotated, new Date(t1.getTime() + 60_000));
    expect(during.verify(arrHeader(clientPem(first))).ok).toBe(true);
    expect(during.verify(arrHeader(clientPem(rotated))).ok).toBe(true);
    expect(during.verify(arrHeader(clientPem(elsewhere)))).toEqual({ ok: false, reason: "untrusted" });
    const after = at(settled, new Date(t1.getTime() + 15 * DAY + 60_000));
    expect(pems(vaultBundle(settled))).toHaveLength(1);
    expect(after.verify(arrHeader(clientPem(settled))).ok).toBe(true);
    expect(after.verify(arrHeader(clientPem(first)))).toEqual({ ok: false, reason: "untrusted" });
  });

  it.skipIf(!openssl)("openssl agrees at each step", () => {
    const t2 = new Date(t1.getTime() + 15 * DAY);
    expect(opensslVerify(vaultBundle(rotated), clientPem(first), t1).ok).toBe(true);
    expect(opensslVerify(vaultBundle(rotated), clientPem(rotated), t1).ok).toBe(true);
    expect(opensslVerify(vaultBundle(settled), clientPem(settled), t2).ok).toBe(true);
    expect(opensslVerify(vaultBundle(settled), clientPem(first), t2).ok).toBe(false);
  });

  it("the Application Gateway gets one trusted certificate per CA chain, both required by the SSL profile", () => {
    const f = rotated.outputs.summary.appGatewayFragments;
    const decoded = f.trustedClientCertificates.map((t: { data: string }) => Buffer.from(t.data, "base64").toString("utf8"));
    expect(decoded.join("")).toBe(vaultBundle(rotated));
    expect(decoded.map((d: string) => pems(d).length)).toEqual([1, 1]);
    expect(f.trustedClientCertificates.map((t: { name: string }) => t.name)).toEqual(["gatelock-orders-ca", "gatelock-orders-ca-2"]);
    expect(f.sslProfiles[0].trustedClientCertificates.map((r: { id: string }) => r.id.split("/").slice(-2).join("/"))).toEqual(["trustedClientCertificates/gatelock-orders-ca", "trustedClientCertificates/gatelock-orders-ca-2"]);
  });

  it("the gateway's variable and certificate wait for the vault's secret and every grant on it", () => {
    const store = [one(rotated.resources, T.secret), ...ofType(rotated.resources, T.assignment)].map((r) => r.urn).sort();
    const certVar = rotated.outputs.variables.find((v) => v.name === "ORDERS_MTLS_CERT")!;
    expect(certVar.value).toBe(rotated.outputs.certificates[0]!.name);
    expect([...certVar.dependsOn].sort()).toEqual(store);
    expect([...rotated.outputs.certificates[0]!.dependsOn].sort()).toEqual(store);
  });
});

describe("chains for the Application Gateway", () => {
  it.skipIf(!openssl)("a root with its intermediate stays one chain; a second root starts another", () => {
    const mk = (args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "ignore"] });
    const ext = path.join(dir, "ext.cnf");
    fs.writeFileSync(ext, "basicConstraints=critical,CA:TRUE\nkeyUsage=critical,keyCertSign,cRLSign\n");
    for (const n of ["root1", "root2"]) mk(["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", `/CN=${n}`, "-days", "2", "-keyout", `${n}.key`, "-out", `${n}.pem`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"]);
    mk(["req", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=inter1", "-keyout", "inter1.key", "-out", "inter1.csr"]);
    mk(["x509", "-req", "-in", "inter1.csr", "-CA", "root1.pem", "-CAkey", "root1.key", "-CAcreateserial", "-days", "1", "-extfile", ext, "-out", "inter1.pem"]);
    const read = (n: string) => fs.readFileSync(path.join(dir, `${n}.pem`), "utf8");
    const [r1, r2, i1] = [read("root1"), read("root2"), read("inter1")];
    expect(splitChains(i1 + r2 + r1)).toEqual([i1 + r1, r2]);
    expect(() => splitChains(r1 + fs.readFileSync(path.join(dir, "root1.key"), "utf8"))).toThrow(/never a private key/);
  });
});

describe("the stack file's builder", () => {
  it("`cloud.methods.mtls` loads the component and builds it from a parsed origin, block and all", async () => {
    const parsed = MtlsOriginConfig.parse({
      name: "orders",
      method: "mtls",
      cloud: "azure",
      url: "https://orders-api.azurewebsites.net",
      azure: { appService: { name: "orders-api", resourceGroup: "rg-orders" }, vault: { resourceGroup: "rg-orders", name: "kv-acme-orders", readers: [READERS[0]] } },
    });
    const build = await cloud.methods.mtls!.load();
    let built: unknown;
    const run = await runUnderMocks(() => {
      built = build(parsed, { gateway: zuploGateway(gateway), zuplo: gateway, projectDir: dir });
      return {};
    }, { stack: "prod" });
    expect(built).toBeInstanceOf(AzureMtlsOrigin);
    expect(one(run.resources, T.secret).inputs).toMatchObject({ vaultName: "kv-acme-orders", secretName: "gatelock-prod-orders-mtls-trust-bundle" });
    expect(ofType(run.resources, T.assignment).map((g) => g.inputs.principalId)).toEqual([READERS[0]]);
    expect((built as AzureMtlsOrigin).appServiceSettings).toEqual({ clientCertEnabled: true, clientCertMode: "Required", httpsOnly: true });
  });
});
