/**
 * The mTLS origins (method 4) in gatelock's Pulumi component package: `AwsMtlsOrigin`,
 * `GcpMtlsOrigin`, `AzureMtlsOrigin`, `LocalMtlsOrigin` and the certificates `ZuploEnvironment`
 * takes from them. The schema Pulumi's component provider infers from a fresh build's
 * declarations (as test/component-package.test.ts builds it), the components it builds compared
 * with the TypeScript classes under the mock engine, and a YAML program checked against the
 * schema. (The inputs of every package component, and which are secret, are listed in
 * test/component-package.test.ts.)
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AwsMtlsOrigin } from "../components/aws/mtls-origin";
import { AzureMtlsOrigin } from "../components/azure/mtls-origin";
import { ZuploEnvironment } from "../components/gateway/environment";
import { GcpMtlsOrigin } from "../components/gcp/mtls-origin";
import { LocalMtlsOrigin } from "../components/local/mtls-origin";
import { isSecretValue, reveal, type RecordedResource, runUnderMocks } from "../components/testing";
import { described, describeType, expectSameChildren, registeredBy, resourceNames, settled, shape, useComponentPackage } from "./harness/component-package";
import { yamlProgramProblems, type YamlProgram } from "./harness/yaml-program";

// Built from this source, laid out as the plugin is installed.
const gatelock = useComponentPackage("gatelock-component-package-mtls-");
let projectDir: string;
beforeAll(() => {
  projectDir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-component-package-mtls-local-"));
});
afterAll(() => {
  if (projectDir) fs.rmSync(projectDir, { recursive: true, force: true });
});

const MTLS = ["AwsMtlsOrigin", "GcpMtlsOrigin", "AzureMtlsOrigin", "LocalMtlsOrigin"];
/** What every mTLS origin outputs besides its cloud's. */
const GATEWAY_SIDE = { pki: "MtlsPkiSummary", gatewayVariables: "GatewayVariable[]", gatewayCertificates: "GatewayCertificate[]", findings: "Finding[]" };
const OUTPUTS: Record<string, { outputs: Record<string, string>; required: string[] }> = {
  AwsMtlsOrigin: {
    outputs: {
      truststoreUri: "string",
      truststoreVersion: "string",
      bucketName: "string",
      domainName: "string",
      regionalDomainName: "string",
      regionalHostedZoneId: "string",
      trustStoreArn: "string",
      listenerArn: "string",
      ...GATEWAY_SIDE,
    },
    required: ["bucketName", "truststoreUri", "truststoreVersion"],
  },
  GcpMtlsOrigin: { outputs: { trustConfigId: "string", serverTlsPolicyId: "string", targetHttpsProxySelfLink: "string", ...GATEWAY_SIDE }, required: ["serverTlsPolicyId", "trustConfigId"] },
  AzureMtlsOrigin: {
    outputs: { bundleSecretId: "string", bundleSecretUri: "string", appServiceSettings: "AzureAppServiceMtlsSettings", appGatewayFragments: "Any", ...GATEWAY_SIDE },
    required: [],
  },
  LocalMtlsOrigin: { outputs: { dotenvPath: "string", certificatesDir: "string", trustBundle: "string", ...GATEWAY_SIDE }, required: ["certificatesDir", "dotenvPath", "trustBundle"] },
};

describe("the schema of the mTLS origins", () => {
  it.each(MTLS)("%s: its outputs, with their types; the ones always there required", (name) => {
    const r = gatelock.resource(name);
    expect(described(r.properties)).toEqual(OUTPUTS[name]!.outputs);
    expect([...r.required].sort()).toEqual([...OUTPUTS[name]!.required, ...Object.keys(GATEWAY_SIDE)].sort());
  });

  it.each(MTLS)("%s: the certificates (with the gateway's key) are a secret output; the variables (a name and a URL) are not", (name) => {
    const r = gatelock.resource(name);
    expect(Object.entries(r.properties).filter(([, p]) => p.secret).map(([k]) => k)).toEqual(["gatewayCertificates"]);
  });

  it("the choices are enums with exactly the TypeScript components' values", () => {
    const values = (name: string) => gatelock.type(name).enum!.map((m) => m.value);
    expect(values("MtlsGatewayEnvironment")).toEqual(["development", "preview", "production"]);
    expect(values("AwsMtlsApiType")).toEqual(["http", "rest"]);
    expect(values("AwsMtlsAlbMode")).toEqual(["verify", "passthrough", "off"]);
    expect(values("GcpMtlsClientValidationMode")).toEqual(["REJECT_INVALID", "ALLOW_INVALID_OR_MISSING_CLIENT_CERT"]);
    expect(values("AzureAppServiceClientCertMode")).toEqual(["Required", "Optional", "OptionalInteractiveUser"]);
    // Where they are used.
    expect(describeType(gatelock.type("AwsMtlsApiGateway").properties!.type!)).toBe("AwsMtlsApiType");
    expect(describeType(gatelock.type("AwsMtlsAlb").properties!.mode!)).toBe("AwsMtlsAlbMode");
    expect(describeType(gatelock.type("AzureMtlsAppService").properties!.clientCertMode!)).toBe("AzureAppServiceClientCertMode");
    expect(describeType(gatelock.type("GatewayCertificate").properties!.environments!)).toBe("MtlsGatewayEnvironment[]");
  });

  it("the nested blocks take Outputs where the TypeScript component takes pulumi.Input, and are plain elsewhere", () => {
    const plain = (t: string) =>
      Object.fromEntries(Object.entries(gatelock.type(t).properties!).map(([k, p]) => [k, `${p.plain ? "plain" : "Input"}${p.items ? `, items ${p.items.plain ? "plain" : "Input"}` : ""}`]));
    expect(plain("MtlsGatewayArgs")).toEqual({ account: "plain", project: "plain", branch: "plain" });
    expect(plain("AwsMtlsApiGateway")).toEqual({
      type: "plain",
      domainName: "Input",
      certificateArn: "Input",
      apiId: "Input",
      stage: "plain",
      executeApiEndpointDisabled: "plain",
      dangerouslyAllowExecuteApiEndpoint: "plain",
    });
    expect(plain("AwsMtlsAlb")).toEqual({ mode: "plain", loadBalancerArn: "Input", certificateArn: "Input", targetGroupArn: "Input", port: "plain" });
    expect(plain("GcpMtlsTargetHttpsProxyArgs")).toEqual({ name: "plain", urlMap: "Input", sslCertificates: "plain, items Input" });
    expect(plain("AzureMtlsVaultArgs")).toEqual({ resourceGroup: "Input", name: "Input", readers: "plain, items Input" });
    // A CA brought by the user: its key may be another resource's output (a secret config value), and is a secret input.
    expect(plain("OwnCaArgs")).toEqual({ certificate: "plain", key: "Input", previousCertificate: "plain" });
    expect(gatelock.type("OwnCaArgs").properties!.key!.secret).toBe(true);
  });

  it("GatewayCertificate: what an origin outputs and ZuploEnvironment takes, its key a secret; ZuploEnvironment takes one list or one list per origin", () => {
    const t = gatelock.type("GatewayCertificate");
    expect(described(t.properties!)).toEqual({ origin: "string", name: "string", certificate: "string", key: "string", environments: "MtlsGatewayEnvironment[]", localDir: "string" });
    expect([...t.required!].sort()).toEqual(["certificate", "key", "name", "origin"]);
    expect(Object.entries(t.properties!).filter(([, p]) => p.secret).map(([k]) => k)).toEqual(["key"]);
    const env = gatelock.resource("ZuploEnvironment");
    expect(describeType(env.inputProperties.certificates!)).toBe("GatewayCertificate[]");
    expect(describeType(env.inputProperties.certificateLists!)).toBe("GatewayCertificate[][]");
    // An origin's output is passed as is: the list, and each list of the lists, take Outputs.
    expect(env.inputProperties.certificates!.plain).toBeUndefined();
    expect(env.inputProperties.certificateLists!.items!.plain).toBeUndefined();
    expect(described(env.properties)).toEqual({ variables: "VariableSummary[]", values: "map<string>", certificates: "CertificateSummary[]" });
    expect(described(gatelock.type("CertificateSummary").properties!)).toEqual({ origin: "string", name: "string", sinks: "string[]" });
  });
});

const gateway = { account: "acme", project: "orders-api", branch: "main" };
const ACCOUNT = "123456789012";
const CERT = `arn:aws:acm:us-east-1:${ACCOUNT}:certificate/0f8fad5b-d9cb-469f-a165-70867728950e`;
const aws = {
  gateway,
  region: "us-east-1",
  url: "https://orders.api.example.com",
  apiGateway: { domainName: "orders.api.example.com", certificateArn: CERT, apiId: "a1b2c3d4e5", executeApiEndpointDisabled: true },
  alb: {
    loadBalancerArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:loadbalancer/app/orders/50dc6c495c0c9188`,
    certificateArn: CERT,
    targetGroupArn: `arn:aws:elasticloadbalancing:us-east-1:${ACCOUNT}:targetgroup/orders/73e2d6bc24d8a067`,
  },
};
const gcp = { gateway, project: "acme-prod", url: "https://orders.acme.example", targetHttpsProxy: { name: "orders-https", urlMap: "orders-map", sslCertificates: ["orders-cert"] } };
const azure = {
  gateway,
  url: "https://orders-api.azurewebsites.net",
  appService: { name: "orders-api", resourceGroup: "rg-orders" },
  appGateway: { name: "agw-edge", resourceGroup: "rg-edge" },
  vault: { resourceGroup: "rg-orders", name: "kv-acme-orders", readers: ["0f8fad5b-d9cb-469f-a165-70867728950e"] },
};
const local = () => ({ gateway, url: "https://127.0.0.1:8443", projectDir });

/** The state holds the schema's outputs (those the args call for), the certificates as a secret. */
async function expectPublished(component: string, s: Record<string, unknown>, absent: readonly string[] = []) {
  expect(Object.keys(s).sort()).toEqual(Object.keys(gatelock.resource(component).properties).filter((k) => !absent.includes(k)).sort());
  expect(await pulumi.isSecret(s.gatewayCertificates as pulumi.Output<unknown>)).toBe(true);
  expect(await pulumi.isSecret(pulumi.output(s.gatewayVariables as pulumi.Input<unknown>))).toBe(false);
  const [certificate] = (await settled(s.gatewayCertificates)) as { origin: string; name: string; certificate: string; key: string; environments: string[] }[];
  expect(certificate).toMatchObject({ origin: "orders", environments: ["production"] });
  expect(certificate!.certificate).toMatch(/^-----BEGIN CERTIFICATE-----/);
  expect(certificate!.key).toMatch(/PRIVATE KEY-----/);
  const variables = (await settled(s.gatewayVariables)) as { name: string; value: string }[];
  expect(variables.map((v) => v.name)).toEqual(["ORDERS_MTLS_CERT", "ORDERS_ORIGIN_URL"]);
  // The variable names the certificate the origin outputs; the summary says the same.
  expect(variables[0]!.value).toBe(certificate!.name);
  const pki = (await settled(s.pki)) as Record<string, unknown>;
  expect(pki).toMatchObject({ certificateName: certificate!.name, caGeneration: expect.any(Number), clientGeneration: expect.any(Number), previousCaTrusted: false });
  expect(pki.clientSubject).toMatch(/^CN=/);
}

describe("mTLS origins built by the provider (ComponentProvider.construct) under the mock engine", () => {
  it("AWS: an API Gateway custom domain and an ALB listener register what the TypeScript class registers", async () => {
    const ts = await registeredBy(() => {
      new AwsMtlsOrigin("orders", aws);
    });
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("orders", "AwsMtlsOrigin", aws);
    });
    expectSameChildren(ts, pkg, { "gatelock:aws:MtlsOrigin": "gatelock:index:AwsMtlsOrigin" });
    expect(shape(pkg).children).toEqual(expect.arrayContaining(["aws:apigatewayv2/domainName:DomainName orders-domain < orders", "aws:lb/listener:Listener orders-alb-listener < orders"]));
    await expectPublished("AwsMtlsOrigin", s);
    expect(await settled(s.truststoreUri)).toMatch(/^s3:\/\/.+\/gatelock\/prod\/orders\/truststore\.pem$/);
  });

  it("GCP: a trust config, a ServerTlsPolicy and the target HTTPS proxy register what the TypeScript class registers", async () => {
    const ts = await registeredBy(() => {
      new GcpMtlsOrigin("orders", gcp);
    });
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("orders", "GcpMtlsOrigin", gcp);
    });
    expectSameChildren(ts, pkg, { "gatelock:gcp:MtlsOrigin": "gatelock:index:GcpMtlsOrigin" });
    expect(shape(pkg).children).toContain("gcp:compute/targetHttpsProxy:TargetHttpsProxy orders-https-proxy < orders");
    await expectPublished("GcpMtlsOrigin", s);
  });

  it("Azure: the trust bundle in the Key Vault, and the App Service and Application Gateway settings", async () => {
    const ts = await registeredBy(() => {
      new AzureMtlsOrigin("orders", azure);
    });
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("orders", "AzureMtlsOrigin", azure);
    });
    expectSameChildren(ts, pkg, { "gatelock:azure:MtlsOrigin": "gatelock:index:AzureMtlsOrigin" });
    await expectPublished("AzureMtlsOrigin", s);
    expect(await settled(s.appServiceSettings)).toEqual({ clientCertEnabled: true, clientCertMode: "Required", httpsOnly: true });
    const fragments = (await settled(s.appGatewayFragments)) as { trustedClientCertificates: unknown[]; sslProfiles: unknown[] };
    expect(fragments.trustedClientCertificates).toHaveLength(1);
    expect(fragments.sslProfiles).toHaveLength(1);
  });

  it("local: the origin's dotenv file, with no cloud at all", async () => {
    const ts = await registeredBy(() => {
      new LocalMtlsOrigin("orders", local());
    });
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("orders", "LocalMtlsOrigin", local());
    });
    expectSameChildren(ts, pkg, { "gatelock:local:MtlsOrigin": "gatelock:index:LocalMtlsOrigin" });
    await expectPublished("LocalMtlsOrigin", s);
    expect(s.dotenvPath).toBe(path.join(projectDir, ".env.orders"));
    expect(s.certificatesDir).toBe(".zuplo-local/mtls");
    const [certificate] = (await settled(s.gatewayCertificates)) as { localDir: string }[];
    expect(certificate!.localDir).toBe(".zuplo-local/mtls");
  });

  it("a CA brought as a bundle: no certificate to store, only its name, and the summary says so", async () => {
    // A CA certificate from the openssl CLI (its key thrown away: only the certificate is trusted).
    const key = path.join(projectDir, "ca.key");
    const bundle = execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", key, "-days", "30", "-subj", "/CN=acme issuing CA"], {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "ignore"],
    });
    fs.rmSync(key);
    let s: Record<string, unknown> = {};
    await registeredBy(async () => {
      s = await gatelock.state("orders", "GcpMtlsOrigin", { ...gcp, trustBundle: bundle, certificateName: "orders_cert" });
    });
    expect(await settled(s.gatewayCertificates)).toEqual([]);
    expect(await settled(s.pki)).toEqual({ certificateName: "orders_cert" });
  });

  it("with enum values as another language passes them (strings), the choices reach the resources", async () => {
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("orders", "AwsMtlsOrigin", {
        ...aws,
        apiGateway: { ...aws.apiGateway, type: "rest", stage: "prod" },
        alb: undefined,
        gatewayEnvironments: ["preview", "production"],
      });
    });
    expect(shape(pkg).children).toContain("aws:apigateway/domainName:DomainName orders-domain < orders");
    expect(s.trustStoreArn).toBeUndefined();
    const [certificate] = (await settled(s.gatewayCertificates)) as { environments: string[] }[];
    expect(certificate!.environments).toEqual(["preview", "production"]);
  });
});

describe("ZuploEnvironment stores an mTLS origin's certificates as the TypeScript class does", () => {
  const env = { account: "acme", project: "orders-api", branch: "main" };
  const item = (list: unknown, i: number) => (list as pulumi.Output<unknown[]>).apply((all) => all[i]);
  const stored = (rs: readonly RecordedResource[]) => rs.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploMtlsCertificate");
  const variables = (rs: readonly RecordedResource[]) => rs.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploVariable");

  it.each([
    ["the origin's gatewayCertificates, one Output as every language passes it", (c: unknown) => ({ certificates: c })],
    ["a list of Outputs, one per certificate", (c: unknown) => ({ certificates: [item(c, 0)] })],
    ["one list per origin (certificateLists), as YAML passes them", (c: unknown) => ({ certificateLists: [c] })],
  ])("AWS, given %s: the same certificate, its key a secret, stored after the origin's trust stores; the variable naming it after it", async (_, pass) => {
    const ts = await registeredBy(() => {
      const o = new AwsMtlsOrigin("orders", aws);
      new ZuploEnvironment("gateway", { ...env, variables: o.gatewayVariables, certificates: o.gatewayCertificates });
    });
    let summary: unknown;
    const pkg = await registeredBy(async () => {
      const o = await gatelock.state("orders", "AwsMtlsOrigin", aws);
      summary = (await gatelock.construct("gateway", "ZuploEnvironment", { ...env, variableLists: [o.gatewayVariables], ...pass(o.gatewayCertificates) })).state!.certificates;
    });
    expectSameChildren(ts, pkg, { "gatelock:aws:MtlsOrigin": "gatelock:index:AwsMtlsOrigin", "gatelock:gateway:GatewayEnvironment": "gatelock:index:ZuploEnvironment" });
    const [a] = stored(ts);
    const [b] = stored(pkg);
    expect(stored(pkg)).toHaveLength(1);
    expect(b!.name).toBe("gateway-mtls-orders");
    expect(isSecretValue(b!.inputs.key)).toBe(true);
    expect(reveal(b!.inputs.key)).toMatch(/PRIVATE KEY-----/);
    expect(reveal(b!.inputs.certificate)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    expect(reveal(b!.inputs.name)).toMatch(/^orders_prod_mtls_c\d+g\d+$/);
    expect(reveal(b!.inputs.environments)).toEqual(reveal(a!.inputs.environments));
    // It waits for every trust store the TypeScript one waits for: the bundle, the custom domain, the ELB trust store and listener.
    const waits = resourceNames(pkg, b!.dependsOn);
    expect(waits).toEqual(expect.arrayContaining(resourceNames(ts, a!.dependsOn)));
    expect(waits).toEqual(expect.arrayContaining(["orders-alb-listener", "orders-alb-truststore", "orders-domain", "orders-truststore-bundle"]));
    // The gateway switches to the certificate only once it is stored.
    const variable = variables(pkg).find((v) => reveal(v.inputs.name) === "ORDERS_MTLS_CERT")!;
    expect(reveal(variable.inputs.value)).toBe(reveal(b!.inputs.name));
    expect(resourceNames(pkg, variable.dependsOn)).toContain("gateway-mtls-orders");
    expect(await settled(summary)).toEqual([{ origin: "orders", name: reveal(b!.inputs.name), sinks: ["zuplo-developer-api"] }]);
  });

  it("local: the certificate goes to zuplo dev's certificates directory, as in TypeScript", async () => {
    const ts = await registeredBy(() => {
      const o = new LocalMtlsOrigin("orders", local());
      new ZuploEnvironment("gateway", { ...env, developerApi: false, dotenv: ".env", projectDir, variables: o.gatewayVariables, certificates: o.gatewayCertificates });
    });
    const pkg = await registeredBy(async () => {
      const o = await gatelock.state("orders", "LocalMtlsOrigin", local());
      await gatelock.construct("gateway", "ZuploEnvironment", { ...env, developerApi: false, dotenv: ".env", projectDir, variableLists: [o.gatewayVariables], certificateLists: [o.gatewayCertificates] });
    });
    expectSameChildren(ts, pkg, { "gatelock:local:MtlsOrigin": "gatelock:index:LocalMtlsOrigin", "gatelock:gateway:GatewayEnvironment": "gatelock:index:ZuploEnvironment" });
    const dir = (rs: readonly RecordedResource[]) => rs.find((r) => r.type.endsWith("gatelock:MtlsCertificateDir"))!;
    expect(reveal(dir(pkg).inputs.dir)).toBe(".zuplo-local/mtls");
    expect(isSecretValue(dir(pkg).inputs.key)).toBe(true);
    // Written once the origin trusts its CA (its dotenv file holds the bundle).
    expect(resourceNames(pkg, dir(pkg).dependsOn)).toEqual(expect.arrayContaining(resourceNames(ts, dir(ts).dependsOn)));
    expect(resourceNames(pkg, dir(pkg).dependsOn)).toContain("orders-store");
  });

  it("in a preview, certificates not known yet are left out rather than failing the environment", async () => {
    const pkg = await runUnderMocks(
      async () => {
        await gatelock.construct("gateway", "ZuploEnvironment", { ...env, certificateLists: [pulumi.output(pulumi.unknown)] });
        return {};
      },
      { stack: "prod", preview: true },
    );
    expect(shape(pkg.resources).components).toEqual(["gatelock:index:ZuploEnvironment gateway"]);
    expect(shape(pkg.resources).children).toEqual([]);
  });
});

describe("a YAML program with an mTLS origin uses the package as the schema says", () => {
  const program = `
name: orders
runtime: yaml
packages:
  gatelock: ./node_modules/gatelock/provider
resources:
  orders:
    type: gatelock:index:GcpMtlsOrigin
    properties:
      gateway: { account: acme, project: orders-api, branch: main }
      project: acme-prod
      url: https://orders.acme.example
      clientValidationMode: REJECT_INVALID
      gatewayEnvironments: [production]
      targetHttpsProxy:
        name: orders-https
        urlMap: orders-map
        sslCertificates: [orders-cert]
  billing:
    type: gatelock:index:LocalMtlsOrigin
    properties:
      gateway: { account: acme, project: orders-api, branch: main }
      url: https://127.0.0.1:8443
  gateway:
    type: gatelock:index:ZuploEnvironment
    properties:
      account: acme
      project: orders-api
      branch: main
      variableLists:
        - \${orders.gatewayVariables}
        - \${billing.gatewayVariables}
      certificateLists:
        - \${orders.gatewayCertificates}
        - \${billing.gatewayCertificates}
outputs:
  serverTlsPolicyId: \${orders.serverTlsPolicyId}
  certificateName: \${orders.pki.certificateName}
  certificates: \${gateway.certificates}
`;
  it("every type is a package resource, every property one of its inputs of the right type, every required input there, every reference an output", () => {
    expect(yamlProgramProblems(gatelock, parse(program) as YamlProgram)).toEqual([]);
  });

  it("the check finds what is wrong: a wrong enum value, an output of another type, a missing output", () => {
    const p2 = parse(program) as YamlProgram;
    const orders = p2.resources.orders!.properties!;
    orders.clientValidationMode = "ALLOW_ALL";
    const gw = p2.resources.gateway!.properties!;
    gw.certificateLists = ["${orders.gatewayVariables}"];
    gw.variableLists = ["${orders.gatewayVars}"];
    expect(yamlProgramProblems(gatelock, p2)).toEqual([
      "orders.clientValidationMode: ALLOW_ALL is not one of REJECT_INVALID, ALLOW_INVALID_OR_MISSING_CLIENT_CERT",
      "gateway.variableLists[0]: gatelock:index:GcpMtlsOrigin has no output gatewayVars",
      "gateway.certificateLists[0]: ${orders.gatewayVariables} is GatewayVariable[], not GatewayCertificate[]",
    ]);
  });
});
