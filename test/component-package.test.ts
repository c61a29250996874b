/**
 * gatelock as a Pulumi component package (`pulumi package add …/provider`), without the Pulumi
 * CLI: the schema Pulumi's TypeScript component provider infers, as the plugin really runs it
 * (from a fresh build's declarations, read through provider/), and the components it builds,
 * compared with the TypeScript classes under the mock engine.
 */
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import * as pulumi from "@pulumi/pulumi";
import { ResourceProviderClient } from "@pulumi/pulumi/proto/provider_grpc_pb";
import { GetSchemaRequest } from "@pulumi/pulumi/proto/provider_pb";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { AwsFederatedOrigin } from "../components/aws/federated-origin";
import { AwsOidcProvider } from "../components/aws/oidc-provider";
import { AwsSharedSecretOrigin } from "../components/aws/shared-secret-origin";
import { AzureFederatedOrigin } from "../components/azure/federated-origin";
import { AzureServiceAuthOrigin } from "../components/azure/service-auth-origin";
import { AzureSharedSecretOrigin } from "../components/azure/shared-secret-origin";
import { ZuploEnvironment } from "../components/gateway/environment";
import { GcpFederatedOrigin } from "../components/gcp/federated-origin";
import { GcpGatewayServiceAccount } from "../components/gcp/gateway-service-account";
import { GcpServiceAuthOrigin } from "../components/gcp/service-auth-origin";
import { GcpSharedSecretOrigin } from "../components/gcp/shared-secret-origin";
import { LocalSharedSecretOrigin } from "../components/local/shared-secret-origin";
import { ZUPLO_ISSUER } from "../components/model/identity";
import { OtherFederatedOrigin } from "../components/other/federated-origin";
import { GatelockComponentProvider, loadPackageComponents, PACKAGE_AREAS } from "../components/provider/host";
import * as packageComponents from "../components/provider/index";
import { isSecretValue, reveal, type RecordedResource, runUnderMocks } from "../components/testing";
import { describeType, expectSameChildren, registeredBy, resourceNames, type SchemaProperty, settled, shape, useComponentPackage } from "./harness/component-package";

const root = path.resolve(__dirname, "..");
const SUB = "atcl_3c5VqX0pQ7JmA1bT9kLwZr2e";
const GATEWAY = { account: "acme", project: "orders-api" };

// Built from this source, laid out as the plugin is installed.
const gatelock = useComponentPackage("gatelock-component-package-");

/** Every property below `props` (nested types and list items included) that takes Outputs. */
function nonPlain(props: Record<string, SchemaProperty>, prefix = "", seen = new Set<string>()): string[] {
  const out: string[] = [];
  const visit = (p: SchemaProperty, at: string) => {
    if (!p.plain) out.push(at);
    if (p.items) visit(p.items, `${at}[]`);
    if (p.additionalProperties) visit(p.additionalProperties, `${at}{}`);
    if (p.$ref?.startsWith("#/types/") && !seen.has(at)) out.push(...nonPlain(gatelock.typeOf(p.$ref).properties ?? {}, `${at}.`, new Set([...seen, at])));
  };
  for (const [k, p] of Object.entries(props)) visit(p, `${prefix}${k}`);
  return out.sort();
}

const CREDENTIAL_SETTINGS = { rotateAfterDays: "number", overlapDays: "number", rotation: "number" };
const SHARED_SECRET_SETTINGS = { header: "string", length: "number", rotateAfterDays: "number", overlapDays: "number", rotation: "number", variable: "string", url: "string" };
/** Every mTLS origin's args besides its cloud's: the gateway, its URL, and the PKI settings. */
const MTLS_SETTINGS = {
  gateway: "MtlsGatewayArgs",
  url: "string",
  caKey: "string",
  caValidityDays: "number",
  caRotateAfterDays: "number",
  caRotation: "number",
  clientKey: "string",
  clientValidityDays: "number",
  maxClientValidityDays: "number",
  rotateAfterDays: "number",
  overlapDays: "number",
  rotation: "number",
  certificateName: "string",
  gatewayEnvironments: "MtlsGatewayEnvironment[]",
  variable: "string",
  organization: "string",
  ca: "OwnCaArgs",
  trustBundle: "string",
  dangerouslyAllowOptionalClientCert: "boolean",
};
/** Every tunnel origin's args besides its connector target's: the tunnel (its token from a `GatewayTunnel`). */
const TUNNEL_SETTINGS = { tunnel: "TunnelArgs" };
/** In a tunnel origin's `tunnel`, the `GatewayTunnel`'s outputs: its token and generation. */
const TUNNEL_TAKES_OUTPUTS = ["tunnel.token", "tunnel.tokenGeneration"];
const FEDERATED_SETTINGS = { gateway: "GatewayArgs", audience: "string", subjects: "string[]", claims: "map<string>", dangerouslyAllowWildcardSubjects: "boolean", url: "string" };

const EXPECTED: Record<string, { inputs: Record<string, string>; required: string[]; takeOutputs: string[] }> = {
  AwsSharedSecretOrigin: {
    inputs: { ...SHARED_SECRET_SETTINGS, region: "string", readers: "string[]", secretName: "string", kmsKeyId: "string", recoveryWindowInDays: "number" },
    required: ["readers", "region"],
    takeOutputs: ["kmsKeyId", "readers[]", "url"],
  },
  AwsFederatedOrigin: {
    inputs: {
      ...FEDERATED_SETTINGS,
      region: "string",
      oidcProviderArn: "string",
      accountId: "string",
      roleName: "string",
      maxSessionDurationSeconds: "number",
      permissionsBoundary: "string",
      apiGateway: "AwsApiGateway",
      lambdaUrl: "AwsLambdaUrl",
      additionalManagedPolicyArns: "string[]",
      additionalStatements: "AwsPolicyStatement[]",
    },
    required: ["gateway", "oidcProviderArn", "region"],
    takeOutputs: ["additionalManagedPolicyArns[]", "apiGateway.apiId", "lambdaUrl.functionName", "oidcProviderArn", "permissionsBoundary", "url"],
  },
  AwsOidcProvider: { inputs: { issuer: "string", clientIds: "string[]" }, required: ["clientIds", "issuer"], takeOutputs: ["clientIds", "clientIds[]"] },
  GcpSharedSecretOrigin: {
    inputs: { ...SHARED_SECRET_SETTINGS, project: "string", readers: "string[]", secretId: "string", locations: "string[]", dangerouslyAllowDefaultServiceAccount: "boolean" },
    required: ["project", "readers"],
    takeOutputs: ["readers[]", "url"],
  },
  GcpFederatedOrigin: {
    inputs: { ...FEDERATED_SETTINGS, project: "string", pool: "string", serviceAccountId: "string", principalAttribute: "string", cloudRun: "GcpCloudRun" },
    required: ["cloudRun", "gateway", "project"],
    takeOutputs: ["cloudRun.audience", "cloudRun.service", "url"],
  },
  GcpGatewayServiceAccount: { inputs: { project: "string", accountId: "string", token: "GcpTokenKind", ...CREDENTIAL_SETTINGS }, required: ["accountId", "project", "token"], takeOutputs: [] },
  GcpServiceAuthOrigin: {
    inputs: { serviceAccount: "GcpGatewayServiceAccountDescription", url: "string", cloudRun: "GcpServiceAuthCloudRun", iap: "GcpServiceAuthIap", endpoints: "GcpEndpointsService", scopes: "string[]" },
    required: ["serviceAccount"],
    // The account's outputs are passed in its description; its settings are plain (the origin is checked with them).
    takeOutputs: ["cloudRun.service", "iap.service", "serviceAccount.email", "serviceAccount.serviceAccountJson", "url"],
  },
  AzureSharedSecretOrigin: {
    inputs: { ...SHARED_SECRET_SETTINGS, resourceGroup: "string", vault: "string", readers: "string[]", secretName: "string" },
    required: ["readers", "resourceGroup", "vault"],
    takeOutputs: ["readers[]", "resourceGroup", "url", "vault"],
  },
  AzureFederatedOrigin: {
    inputs: { ...FEDERATED_SETTINGS, resourceGroup: "string", location: "string", identityName: "string", role: "string", scope: "string", resource: "string", dangerouslyAllowUnlistedRole: "boolean" },
    required: ["gateway", "location", "resourceGroup", "role", "scope"],
    takeOutputs: ["resourceGroup", "scope", "url"],
  },
  AzureServiceAuthOrigin: {
    inputs: { url: "string", tenantId: "string", appName: "string", appRole: "string", appService: "AzureSiteArgs", containerApp: "AzureSiteArgs", ...CREDENTIAL_SETTINGS },
    required: [],
    takeOutputs: ["appService.name", "appService.resourceGroup", "containerApp.name", "containerApp.resourceGroup", "url"],
  },
  LocalSharedSecretOrigin: { inputs: { ...SHARED_SECRET_SETTINGS, projectDir: "string" }, required: [], takeOutputs: ["url"] },
  AwsMtlsOrigin: {
    inputs: { ...MTLS_SETTINGS, region: "string", truststoreBucket: "string", apiGateway: "AwsMtlsApiGateway", alb: "AwsMtlsAlb" },
    required: ["gateway", "region"],
    takeOutputs: ["alb.certificateArn", "alb.loadBalancerArn", "alb.targetGroupArn", "apiGateway.apiId", "apiGateway.certificateArn", "apiGateway.domainName", "ca.key", "url"],
  },
  GcpMtlsOrigin: {
    inputs: { ...MTLS_SETTINGS, project: "string", clientValidationMode: "GcpMtlsClientValidationMode", targetHttpsProxy: "GcpMtlsTargetHttpsProxyArgs" },
    required: ["gateway", "project"],
    takeOutputs: ["ca.key", "targetHttpsProxy.sslCertificates[]", "targetHttpsProxy.urlMap", "url"],
  },
  AzureMtlsOrigin: {
    inputs: { ...MTLS_SETTINGS, appService: "AzureMtlsAppService", appGateway: "AzureMtlsAppGatewayArgs", vault: "AzureMtlsVaultArgs" },
    required: ["gateway"],
    takeOutputs: ["appGateway.name", "appGateway.resourceGroup", "appService.name", "appService.resourceGroup", "ca.key", "url", "vault.name", "vault.readers[]", "vault.resourceGroup"],
  },
  LocalMtlsOrigin: { inputs: { ...MTLS_SETTINGS, certificatesDir: "string", projectDir: "string" }, required: ["gateway"], takeOutputs: ["ca.key", "url"] },
  AwsTunnelOrigin: {
    inputs: { region: "string", vpcId: "string", subnets: "string[]", clusterArn: "string", originCidr: "string", ...TUNNEL_SETTINGS },
    required: ["region", "subnets", "tunnel", "vpcId"],
    takeOutputs: ["clusterArn", "subnets[]", ...TUNNEL_TAKES_OUTPUTS, "vpcId"],
  },
  GcpTunnelOrigin: {
    inputs: { project: "string", region: "string", network: "string", subnetwork: "string", ...TUNNEL_SETTINGS },
    required: ["network", "project", "region", "subnetwork", "tunnel"],
    takeOutputs: ["network", "subnetwork", ...TUNNEL_TAKES_OUTPUTS],
  },
  AzureTunnelOrigin: {
    inputs: { resourceGroup: "string", containerAppsEnvironmentId: "string", vaultUri: "string", ...TUNNEL_SETTINGS },
    required: ["containerAppsEnvironmentId", "resourceGroup", "tunnel"],
    takeOutputs: ["containerAppsEnvironmentId", "resourceGroup", ...TUNNEL_TAKES_OUTPUTS, "vaultUri"],
  },
  KubernetesTunnelOrigin: { inputs: { namespace: "string", networkPolicy: "boolean", originCidr: "string", ...TUNNEL_SETTINGS }, required: ["tunnel"], takeOutputs: ["namespace", ...TUNNEL_TAKES_OUTPUTS] },
  DockerTunnelOrigin: { inputs: { format: "DockerTunnelFormat", dir: "string", projectDir: "string", ...TUNNEL_SETTINGS }, required: ["tunnel"], takeOutputs: TUNNEL_TAKES_OUTPUTS },
  GatewayTunnel: {
    inputs: { account: "string", project: "string", name: "string", apiUrl: "string", rotateAfterDays: "number", rotation: "number" },
    required: ["account", "name", "project"],
    takeOutputs: [],
  },
  GatewayTunnelServices: {
    inputs: { account: "string", project: "string", tunnelId: "string", services: "TunnelService[]", apiUrl: "string" },
    required: ["account", "project", "services", "tunnelId"],
    // TunnelService is the origins' output type: the list, and each entry's fields, take Outputs.
    takeOutputs: ["services", "services[]", ...["accessibleBy", "accessibleBy[]", "dangerouslyAllowPublicEndpoint", "endpoint", "name", "origin", "tunnel"].map((f) => `services[].${f}`), "tunnelId"],
  },
  // An origin another origin's connector carries: known settings, no resource of its own.
  TunnelServiceOrigin: { inputs: { tunnel: "TunnelServiceArgs" }, required: ["tunnel"], takeOutputs: [] },
  OtherFederatedOrigin: { inputs: FEDERATED_SETTINGS, required: ["gateway"], takeOutputs: ["url"] },
  ZuploEnvironment: {
    inputs: {
      account: "string",
      project: "string",
      branch: "string",
      variables: "GatewayVariable[]",
      variableLists: "GatewayVariable[][]",
      certificates: "GatewayCertificate[]",
      certificateLists: "GatewayCertificate[][]",
      developerApi: "boolean",
      apiUrl: "string",
      dangerouslyAllowCustomApiUrl: "boolean",
      dotenv: "string",
      redeploy: "boolean",
      projectDir: "string",
    },
    required: ["account", "branch", "project"],
    // GatewayVariable and GatewayCertificate are origins' output types too, so their fields take Outputs (the provider settles them).
    takeOutputs: [
      "variableLists[]",
      ...["variableLists[]", "variables"].flatMap((at) => ["description", "isSecret", "name", "origin", "value"].map((f) => `${at}[].${f}`)),
      "variables",
      "certificateLists[]",
      ...["certificateLists[]", "certificates"].flatMap((at) => ["certificate", "environments", "environments[]", "key", "localDir", "name", "origin"].map((f) => `${at}[].${f}`)),
      "certificates",
    ].sort(),
  },
};

/** The schema the plugin in `<pkg>/provider` serves, started as Pulumi's Node language host starts a plugin. */
async function servedSchema(pkg: string): Promise<string> {
  const runPlugin = path.join(root, "node_modules/@pulumi/pulumi/cmd/run-plugin");
  // The engine address is only dialled to log; GetSchema needs no engine.
  const plugin = spawn(process.execPath, [runPlugin, path.join(pkg, "provider"), "127.0.0.1:1"], { cwd: pkg, stdio: ["ignore", "pipe", "pipe"] });
  try {
    let stderr = "";
    plugin.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<string>((resolve, reject) => {
      plugin.stdout.once("data", (d: Buffer) => resolve(d.toString().trim()));
      plugin.once("exit", (code) => reject(new Error(`plugin exited (${code}): ${stderr}`)));
    });
    expect(port).toMatch(/^\d+$/);
    const client = new ResourceProviderClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
    try {
      return await new Promise<string>((resolve, reject) => client.getSchema(new GetSchemaRequest(), (e, r) => (e ? reject(e) : resolve(r!.getSchema()))));
    } finally {
      client.close();
    }
  } finally {
    plugin.kill();
  }
}

describe("the plugin folder", () => {
  it("starts as Pulumi's Node language host starts a plugin (run-plugin on the folder) and serves the schema over gRPC", async () => {
    expect(JSON.parse(await servedSchema(gatelock.dir))).toEqual(gatelock.schema);
  });

  /** The same package, installed beside every dependency but the `@pulumi/<name>` packages named. */
  function installedWithout(...missing: string[]): string {
    const pkg = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-component-package-without-"));
    fs.cpSync(path.join(gatelock.dir, "dist"), path.join(pkg, "dist"), { recursive: true });
    fs.cpSync(path.join(gatelock.dir, "provider"), path.join(pkg, "provider"), { recursive: true });
    fs.copyFileSync(path.join(root, "package.json"), path.join(pkg, "package.json"));
    fs.mkdirSync(path.join(pkg, "node_modules/@pulumi"), { recursive: true });
    for (const dep of fs.readdirSync(path.join(root, "node_modules"))) {
      if (dep !== "@pulumi") fs.symlinkSync(path.join(root, "node_modules", dep), path.join(pkg, "node_modules", dep));
    }
    for (const dep of fs.readdirSync(path.join(root, "node_modules/@pulumi")).filter((d) => !missing.includes(d))) {
      fs.symlinkSync(path.join(root, "node_modules/@pulumi", dep), path.join(pkg, "node_modules/@pulumi", dep));
    }
    return pkg;
  }

  /** The components the plugin in `pkg` loads as refusals, with the package each names (loaded there, in its own Node). */
  function refusedIn(pkg: string): Record<string, string> {
    // Only what is no package class (a subclass of the TypeScript component) is built: a refusal
    // throws before it registers anything, and a real component needs an engine.
    const script = `const { ComponentResource } = require("@pulumi/pulumi");
    require("./dist/provider/host").loadPackageComponents().then((cs) => {
      const refused = {};
      for (const C of cs.filter((c) => Object.getPrototypeOf(c) === ComponentResource)) {
        try { new C("probe", {}); refused[C.name] = "built"; } catch (e) { refused[C.name] = e.code === "ERR_DEPENDENCY_MISSING" ? e.dependency : String(e); }
      }
      process.stdout.write(JSON.stringify(refused) + "\\n");
    });`;
    const out = execFileSync(process.execPath, ["-e", script], { cwd: pkg, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    return JSON.parse(out.trim().split("\n")[0]!) as Record<string, string>;
  }

  it("in a project with only the AWS SDK, still serves every component; one whose SDK is missing is refused when built", async () => {
    const awsOnly = installedWithout("gcp", "azure-native", "kubernetes");
    try {
      expect(JSON.parse(await servedSchema(awsOnly))).toEqual(gatelock.schema);
      const gcp = ["GcpSharedSecretOrigin", "GcpFederatedOrigin", "GcpGatewayServiceAccount", "GcpServiceAuthOrigin", "GcpMtlsOrigin", "GcpTunnelOrigin"].map((n) => [n, "@pulumi/gcp"]);
      const azure = ["AzureSharedSecretOrigin", "AzureFederatedOrigin", "AzureMtlsOrigin", "AzureTunnelOrigin", "AzureServiceAuthOrigin"].map((n) => [n, "@pulumi/azure-native"]);
      // The Docker connector and the gateway's tunnel need no SDK beside @pulumi/pulumi: they are built.
      expect(refusedIn(awsOnly)).toEqual(Object.fromEntries([...gcp, ...azure, ["KubernetesTunnelOrigin", "@pulumi/kubernetes"]]));
    } finally {
      fs.rmSync(awsOnly, { recursive: true, force: true });
    }
    const missing = Object.assign(new Error("Cannot find module '@pulumi/gcp/secretmanager/secret'"), { code: "MODULE_NOT_FOUND" });
    const components = await loadPackageComponents([{ cloud: "gcp", pkgs: ["@pulumi/gcp"], components: { GcpSharedSecretOrigin: {} }, load: () => Promise.reject(missing) }]);
    const gcpOnly = new GatelockComponentProvider({ components, dirname: path.join(gatelock.dir, "provider") });
    let refusal: unknown;
    const registered = await runUnderMocks(
      async () => {
        refusal = await gcpOnly.construct("billing", "gatelock:index:GcpSharedSecretOrigin", { project: "acme-prod", readers: [] }, {}).catch((e: unknown) => e);
        return {};
      },
      { stack: "prod" },
    );
    expect(refusal).toMatchObject({ code: "ERR_DEPENDENCY_MISSING", dependency: "@pulumi/gcp", cloud: "gcp" });
    expect(registered.resources.map((r) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("with azure-native but not azuread, serves every component; only the one that needs azuread too is refused, naming it", async () => {
    const noAzuread = installedWithout("azuread");
    try {
      expect(JSON.parse(await servedSchema(noAzuread))).toEqual(gatelock.schema);
      expect(refusedIn(noAzuread)).toEqual({ AzureServiceAuthOrigin: "@pulumi/azuread" });
    } finally {
      fs.rmSync(noAzuread, { recursive: true, force: true });
    }
    // An area that needs two SDKs names the one that is missing; another failure is not taken for one.
    const area = (e: Error) => ({ cloud: "azure", pkgs: ["@pulumi/azure-native", "@pulumi/azuread"], components: { AzureServiceAuthOrigin: {} }, load: () => Promise.reject(e) });
    const notFound = (m: string) => Object.assign(new Error(`Cannot find module '${m}'`), { code: "MODULE_NOT_FOUND" });
    for (const [module, pkg] of [["@pulumi/azuread/application", "@pulumi/azuread"], ["@pulumi/azure-native/app/containerAppsAuthConfig", "@pulumi/azure-native"]] as const) {
      const [refused] = await loadPackageComponents([area(notFound(module))]);
      expect(() => new refused!("payments", {})).toThrow(expect.objectContaining({ code: "ERR_DEPENDENCY_MISSING", dependency: pkg, cloud: "azure" }));
    }
    await expect(loadPackageComponents([area(notFound("@pulumi/azuread-extra"))])).rejects.toThrow("azuread-extra");
  });

  it("is shipped in the npm package, with the plugin's files", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { files: string[] };
    expect(pkg.files).toContain("provider");
    expect(fs.readdirSync(path.join(root, "provider")).sort()).toEqual(["PulumiPlugin.yaml", "index.js", "index.ts", "package.json", "tsconfig.json"]);
    expect(parse(fs.readFileSync(path.join(root, "provider/PulumiPlugin.yaml"), "utf8"))).toEqual({ runtime: "nodejs" });
  });
});

describe("the schema Pulumi's component provider infers from the shipped declarations", () => {
  it("lists exactly the package components, as gatelock:index:<ClassName>, each class declaring that type", async () => {
    expect(gatelock.schema.name).toBe("gatelock");
    expect(gatelock.schema.version).toBe(JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")).version);
    expect(Object.keys(gatelock.schema.resources).sort()).toEqual(Object.keys(EXPECTED).map((n) => `gatelock:index:${n}`).sort());
    const classes = Object.entries(packageComponents).filter(([, v]) => typeof v === "function" && "packageType" in v) as [string, { packageType?: string }][];
    expect(Object.keys(packageComponents).filter((k) => !classes.some(([n]) => n === k))).toEqual([]);
    expect(classes.map(([n]) => n).sort()).toEqual(Object.keys(EXPECTED).sort());
    for (const [n, c] of classes) expect(c.packageType).toBe(`gatelock:index:${n}`);
    // The runtime list (per cloud, loaded only when its SDK is there) names the same classes.
    expect(PACKAGE_AREAS.flatMap((a) => Object.keys(a.components)).sort()).toEqual(Object.keys(EXPECTED).sort());
    expect((await loadPackageComponents()).map((c) => c.name).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.keys(EXPECTED))("%s: every input with its type, and the required ones", (name) => {
    const r = gatelock.resource(name);
    expect(Object.fromEntries(Object.entries(r.inputProperties).map(([k, p]) => [k, describeType(p)]))).toEqual(EXPECTED[name]!.inputs);
    expect(r.requiredInputs).toEqual(EXPECTED[name]!.required);
  });

  it.each(Object.keys(EXPECTED))("%s: the inputs that take Outputs (pulumi.Input in TypeScript) are not plain; every other is", (name) => {
    expect(nonPlain(gatelock.resource(name).inputProperties)).toEqual(EXPECTED[name]!.takeOutputs);
  });

  it("marks secret the outputs that carry secrets, and no other", () => {
    const secret = Object.entries(gatelock.schema.resources).flatMap(([t, r]) => Object.entries(r.properties).filter(([, p]) => p.secret).map(([k]) => `${t.replace("gatelock:index:", "")}.${k}`));
    expect(secret.sort()).toEqual(
      ["AwsSharedSecretOrigin", "AzureSharedSecretOrigin", "GcpSharedSecretOrigin", "LocalSharedSecretOrigin", "AzureServiceAuthOrigin", "GcpServiceAuthOrigin"]
        .map((n) => `${n}.gatewayVariables`)
        .concat(["AwsMtlsOrigin", "GcpMtlsOrigin", "AzureMtlsOrigin", "LocalMtlsOrigin"].map((n) => `${n}.gatewayCertificates`))
        .concat("ZuploEnvironment.values", "GcpGatewayServiceAccount.serviceAccountJson", "GatewayTunnel.token")
        .sort(),
    );
    expect(Object.values(gatelock.schema.resources).flatMap((r) => Object.values(r.inputProperties)).some((p) => p.secret)).toBe(false);
    // The gateway service account's key, passed to an origin in its description, is a secret input there;
    // so are the gateway's private key in a certificate (an mTLS origin's output, ZuploEnvironment's
    // input) and the key of a CA brought to an mTLS origin.
    const secretFields = Object.entries(gatelock.schema.types).flatMap(([t, ty]) => Object.entries(ty.properties ?? {}).filter(([, p]) => p.secret).map(([k]) => `${t.replace("gatelock:index:", "")}.${k}`));
    // And a tunnel's connector token, in a tunnel origin's `tunnel`.
    expect(secretFields.sort()).toEqual(["GatewayCertificate.key", "GcpGatewayServiceAccountDescription.serviceAccountJson", "OwnCaArgs.key", "TunnelArgs.token"]);
  });

  it("describes every component, input, output and type field from its TSDoc", () => {
    const undocumented: string[] = [];
    for (const [t, r] of Object.entries(gatelock.schema.resources)) {
      if (!r.description) undocumented.push(t);
      for (const [k, p] of [...Object.entries(r.inputProperties), ...Object.entries(r.properties)]) if (!p.description) undocumented.push(`${t}.${k}`);
    }
    for (const [t, ty] of Object.entries(gatelock.schema.types)) for (const [k, p] of Object.entries(ty.properties ?? {})) if (!p.description) undocumented.push(`${t}.${k}`);
    expect(undocumented).toEqual([]);
    // Straight from the args interfaces of the component files (and the settings they extend).
    expect(gatelock.resource("AwsSharedSecretOrigin").inputProperties.readers!.description).toBe(
      "IAM role ARNs the origin runs as, which may read the secret: exact ARNs, no wildcards, no whole accounts.",
    );
    expect(gatelock.resource("GcpFederatedOrigin").inputProperties.audience!.description).toMatch(/^The `aud` the gateway requests and the trust pins/);
    expect(gatelock.resource("AzureSharedSecretOrigin").inputProperties.rotateAfterDays!.description).toBe("Rotate the secret after this many days (default 90).");
    expect(gatelock.schema.types["gatelock:index:GatewayArgs"]!.properties!.issuer!.description).toBe("A custom https OIDC issuer (default: Zuplo's shared issuer).");
    expect(gatelock.resource("AwsFederatedOrigin").description).toMatch(/^A federated origin on AWS: the gateway's own ID token/);
    // The service-auth components' args, and the description of the gateway's service account.
    expect(gatelock.resource("AzureServiceAuthOrigin").inputProperties.appRole!.description).toBe("The app role the gateway's token carries in `roles` (default `Gateway.Invoke`).");
    expect(gatelock.resource("AzureServiceAuthOrigin").inputProperties.overlapDays!.description).toBe("After a rotation, keep the previous credential valid this many days (default 14).");
    expect(gatelock.schema.types["gatelock:index:GcpServiceAuthCloudRun"]!.properties!.audience!.description).toBe(
      "The ID token's audience: the service's run.app URL or a custom audience (default: `url`).",
    );
    expect(gatelock.schema.types["gatelock:index:GcpGatewayServiceAccountDescription"]!.properties!.email!.description).toMatch(/^The account's `email` output: must be `<accountId>@<project>/);
    expect(gatelock.schema.types["gatelock:index:GcpTokenKind"]!.enum!.map((m) => m.value)).toEqual(["id-token", "self-signed-jwt"]);
  });
});

describe("components built by the provider (ComponentProvider.construct) under the mock engine", () => {
  it("AWS: a shared-secret origin, and a federated origin with its OIDC provider, register what the TypeScript classes register", async () => {
    const shared = { region: "us-east-1", readers: ["arn:aws:iam::123456789012:role/orders-api"], url: "https://orders.internal.acme.example" };
    const federated = { gateway: GATEWAY, audience: "aws:acme:prod", subjects: [SUB], region: "us-east-1", apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /shipments"] } };
    const ts = await registeredBy(() => {
      new AwsSharedSecretOrigin("orders", shared);
      const oidc = new AwsOidcProvider("zuplo", { issuer: ZUPLO_ISSUER, clientIds: ["aws:acme:prod"] });
      new AwsFederatedOrigin("shipments", { ...federated, oidcProviderArn: oidc.arn });
    });
    let state: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      state = (await gatelock.construct("orders", "AwsSharedSecretOrigin", shared)).state as Record<string, unknown>;
      const oidc = await gatelock.construct("zuplo", "AwsOidcProvider", { issuer: ZUPLO_ISSUER, clientIds: ["aws:acme:prod"] });
      await gatelock.construct("shipments", "AwsFederatedOrigin", { ...federated, oidcProviderArn: oidc.state!.arn });
    });
    expectSameChildren(ts, pkg, {
      "gatelock:aws:SharedSecretOrigin": "gatelock:index:AwsSharedSecretOrigin",
      "gatelock:aws:OidcProvider": "gatelock:index:AwsOidcProvider",
      "gatelock:aws:FederatedOrigin": "gatelock:index:AwsFederatedOrigin",
    });
    // The state holds the schema's outputs, the secret ones as secrets.
    expect(Object.keys(state).sort()).toEqual(Object.keys(gatelock.resource("AwsSharedSecretOrigin").properties).sort());
    expect(await pulumi.isSecret(state.gatewayVariables as pulumi.Output<unknown>)).toBe(true);
    expect(await pulumi.isSecret(state.secretArn as pulumi.Output<unknown>)).toBe(false);
  });

  it("GCP: shared-secret and federated origins", async () => {
    const shared = { project: "acme-prod", readers: ["billing-api@acme-prod.iam.gserviceaccount.com"] };
    const federated = { gateway: GATEWAY, subjects: [SUB], project: "acme-prod", url: "https://invoices-3kq7x2vbma-ew.a.run.app", cloudRun: { service: "invoices", location: "europe-west1" } };
    const ts = await registeredBy(() => {
      new GcpSharedSecretOrigin("billing", shared);
      new GcpFederatedOrigin("invoices", federated);
    });
    const pkg = await registeredBy(async () => {
      await gatelock.construct("billing", "GcpSharedSecretOrigin", shared);
      await gatelock.construct("invoices", "GcpFederatedOrigin", federated);
    });
    expectSameChildren(ts, pkg, { "gatelock:gcp:SharedSecretOrigin": "gatelock:index:GcpSharedSecretOrigin", "gatelock:gcp:FederatedOrigin": "gatelock:index:GcpFederatedOrigin" });
  });

  it("Azure: shared-secret and federated origins", async () => {
    const shared = { resourceGroup: "rg-users", vault: "kv-acme-users", readers: ["0f8fad5b-d9cb-469f-a165-70867728950e"] };
    const federated = {
      gateway: GATEWAY,
      subjects: [SUB],
      resourceGroup: "rg-gateway",
      location: "westeurope",
      role: "Storage Blob Data Reader",
      scope: "/subscriptions/6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmereports",
    };
    const ts = await registeredBy(() => {
      new AzureSharedSecretOrigin("users", shared);
      new AzureFederatedOrigin("reports", federated);
    });
    const pkg = await registeredBy(async () => {
      await gatelock.construct("users", "AzureSharedSecretOrigin", shared);
      await gatelock.construct("reports", "AzureFederatedOrigin", federated);
    });
    expectSameChildren(ts, pkg, { "gatelock:azure:SharedSecretOrigin": "gatelock:index:AzureSharedSecretOrigin", "gatelock:azure:FederatedOrigin": "gatelock:index:AzureFederatedOrigin" });
  });

  it("Azure service auth: an origin with Easy Auth on its App Service registers what the TypeScript class registers", async () => {
    const origin = { url: "https://payments-api.azurewebsites.net", appService: { name: "payments-api", resourceGroup: "rg-payments" }, overlapDays: 7 };
    const ts = await registeredBy(() => {
      new AzureServiceAuthOrigin("payments", origin);
    });
    let state: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      state = (await gatelock.construct("payments", "AzureServiceAuthOrigin", origin)).state as Record<string, unknown>;
    });
    expectSameChildren(ts, pkg, { "gatelock:azure:ServiceAuthOrigin": "gatelock:index:AzureServiceAuthOrigin" });
    expect(shape(pkg).children).toContain("azure-native:web:WebAppAuthSettingsV2 payments-easy-auth < payments");
    expect(Object.keys(state).sort()).toEqual(Object.keys(gatelock.resource("AzureServiceAuthOrigin").properties).sort());
    // The client secret makes the whole list a secret; the IDs are not.
    expect(await pulumi.isSecret(state.gatewayVariables as pulumi.Output<unknown>)).toBe(true);
    expect(await pulumi.isSecret(state.clientId as pulumi.Output<unknown>)).toBe(false);
    const variables = (await settled(state.gatewayVariables)) as { name: string; isSecret: boolean }[];
    expect(variables.map((v) => `${v.name}${v.isSecret ? " (secret)" : ""}`)).toEqual([
      "PAYMENTS_AZURE_TENANT_ID",
      "PAYMENTS_AZURE_CLIENT_ID",
      "PAYMENTS_AZURE_CLIENT_SECRET (secret)",
      "PAYMENTS_ORIGIN_URL",
    ]);
  });

  it("GCP service auth: the gateway's service account, described to the origin by its settings and outputs, registers what the TypeScript classes register", async () => {
    const account = { project: "acme-prod", accountId: "gl-prod-svc", token: "id-token" as const };
    const origin = { url: "https://reports-3kq7x2vbma-ew.a.run.app", cloudRun: { service: "reports", location: "europe-west1" } };
    let tsFindings: unknown;
    const ts = await registeredBy(() => {
      const serviceAccount = new GcpGatewayServiceAccount("gateway-svc", { ...account, rotation: { rotateAfterDays: 90, overlapDays: 14, rotation: 0 } });
      tsFindings = new GcpServiceAuthOrigin("reports", { serviceAccount, ...origin }).findings;
    });
    let sa: Record<string, unknown> = {};
    let state: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      sa = (await gatelock.construct("gateway-svc", "GcpGatewayServiceAccount", account)).state as Record<string, unknown>;
      const serviceAccount = { ...account, email: sa.email, serviceAccountJson: sa.serviceAccountJson };
      state = (await gatelock.construct("reports", "GcpServiceAuthOrigin", { serviceAccount, ...origin })).state as Record<string, unknown>;
    });
    expectSameChildren(ts, pkg, {
      "gatelock:gcp:GatewayServiceAccount": "gatelock:index:GcpGatewayServiceAccount",
      "gatelock:gcp:ServiceAuthOrigin": "gatelock:index:GcpServiceAuthOrigin",
    });
    // The invoker grant is the account's, on the one service, as in TypeScript.
    const grant = (rs: readonly RecordedResource[]) => rs.find((r) => r.name === "reports-invoker")!.inputs;
    expect(reveal(grant(pkg).member)).toBe("serviceAccount:gl-prod-svc@acme-prod.iam.gserviceaccount.com");
    expect(grant(pkg)).toEqual(grant(ts));
    expect(Object.keys(sa).sort()).toEqual(Object.keys(gatelock.resource("GcpGatewayServiceAccount").properties).sort());
    expect(Object.keys(state).sort()).toEqual(Object.keys(gatelock.resource("GcpServiceAuthOrigin").properties).sort());
    expect(await pulumi.isSecret(sa.serviceAccountJson as pulumi.Output<unknown>)).toBe(true);
    expect(await pulumi.isSecret(sa.email as pulumi.Output<unknown>)).toBe(false);
    expect(await pulumi.isSecret(state.gatewayVariables as pulumi.Output<unknown>)).toBe(true);
    expect(await settled(state.serviceAccountEmail)).toBe("gl-prod-svc@acme-prod.iam.gserviceaccount.com");
    expect(state.audience).toBe("https://reports-3kq7x2vbma-ew.a.run.app");
    expect(state.findings).toEqual(tsFindings);
    const variables = (await settled(state.gatewayVariables)) as { name: string; isSecret: boolean }[];
    expect(variables.map((v) => `${v.name}${v.isSecret ? " (secret)" : ""}`)).toEqual(["REPORTS_GCP_SERVICE_ACCOUNT_JSON (secret)", "REPORTS_ORIGIN_URL"]);
  });

  it("GCP service auth: a description whose email is not the account its project and accountId name fails the deployment", async () => {
    const serviceAccount = {
      project: "acme-prod",
      accountId: "gl-prod-svc",
      token: "id-token",
      email: pulumi.output("gl-prod-jwt@acme-prod.iam.gserviceaccount.com"),
      serviceAccountJson: pulumi.secret("{}"),
    };
    const origin = { serviceAccount, url: "https://reports-3kq7x2vbma-ew.a.run.app", cloudRun: { service: "reports", location: "europe-west1" } };
    await expect(registeredBy(() => gatelock.construct("reports", "GcpServiceAuthOrigin", origin))).rejects.toThrow(
      "serviceAccount.email is gl-prod-jwt@acme-prod.iam.gserviceaccount.com, but its project and accountId name gl-prod-svc@acme-prod.iam.gserviceaccount.com",
    );
  });

  it("local and other: a local shared-secret origin, and a federated origin that verifies tokens itself", async () => {
    const local = { url: "http://127.0.0.1:8787", projectDir: path.join(os.tmpdir(), "gatelock-component-package-local") };
    const other = { gateway: { issuer: "https://gateway.acme.example", claims: { tenant: "acme" } }, audience: "https://ledger.acme.example" };
    const ts = await registeredBy(() => {
      new LocalSharedSecretOrigin("orders", local);
      new OtherFederatedOrigin("ledger", other);
    });
    let verifier: unknown;
    const pkg = await registeredBy(async () => {
      await gatelock.construct("orders", "LocalSharedSecretOrigin", local);
      verifier = (await gatelock.construct("ledger", "OtherFederatedOrigin", other)).state!.verifier;
    });
    // The other origin has no children of its own: only the local one's are compared.
    expectSameChildren(ts, pkg, { "gatelock:local:SharedSecretOrigin": "gatelock:index:LocalSharedSecretOrigin", "gatelock:other:FederatedOrigin": "gatelock:index:OtherFederatedOrigin" });
    expect(verifier).toMatchObject({ issuer: "https://gateway.acme.example", audience: "https://ledger.acme.example", subjects: [], claims: { tenant: "acme" } });
  });

  const item = (list: unknown, i: number) => (list as pulumi.Output<unknown[]>).apply((all) => all[i]);
  it.each([
    ["an origin's gatewayVariables, one Output as every language passes it", (v: unknown) => ({ variables: v })],
    ["a list of Outputs, one per variable", (v: unknown) => ({ variables: [item(v, 0), item(v, 1)] })],
    ["one list per origin (variableLists), as YAML passes them", (v: unknown) => ({ variableLists: [v] })],
  ])("ZuploEnvironment, given %s, writes the variables the TypeScript class writes, waiting for the same resources", async (_, pass) => {
    const env = { account: "acme", project: "orders-api", branch: "main" };
    const origin = { region: "us-east-1", readers: ["arn:aws:iam::123456789012:role/orders-api"], url: "https://orders.internal.acme.example" };
    const ts = await registeredBy(() => {
      const o = new AwsSharedSecretOrigin("orders", origin);
      new ZuploEnvironment("gateway", { ...env, variables: o.gatewayVariables });
    });
    const pkg = await registeredBy(async () => {
      const o = await gatelock.construct("orders", "AwsSharedSecretOrigin", origin);
      await gatelock.construct("gateway", "ZuploEnvironment", { ...env, ...pass(o.state!.gatewayVariables) });
    });
    expectSameChildren(ts, pkg, { "gatelock:aws:SharedSecretOrigin": "gatelock:index:AwsSharedSecretOrigin", "gatelock:gateway:GatewayEnvironment": "gatelock:index:ZuploEnvironment" });
    const variables = (rs: readonly RecordedResource[]) => rs.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    for (const a of variables(ts)) {
      const b = variables(pkg).find((v) => v.name === a.name)!;
      // The secret stays a secret (a shared-secret origin's list is secret as a whole, so the URL
      // is kept as one too); the value is the same (a fresh secret of the same form); it waits
      // for what the TypeScript one waits for.
      expect(reveal(b.inputs.isSecret)).toBe(reveal(a.inputs.isSecret));
      if (isSecretValue(a.inputs.value)) {
        expect(isSecretValue(b.inputs.value)).toBe(true);
        expect(reveal(b.inputs.value)).toMatch(/^[A-Za-z0-9_-]{48}$/);
      } else {
        expect(reveal(b.inputs.value)).toEqual(reveal(a.inputs.value));
      }
      expect(resourceNames(pkg, b.dependsOn)).toEqual(expect.arrayContaining(resourceNames(ts, a.dependsOn)));
    }
    expect(variables(pkg).map((v) => reveal(v.inputs.name)).sort()).toEqual(["ORDERS_ORIGIN_URL", "ORDERS_SHARED_SECRET"]);
    // The secret is written only once its version is in the store.
    const secret = variables(pkg).find((v) => reveal(v.inputs.name) === "ORDERS_SHARED_SECRET")!;
    expect(resourceNames(pkg, secret.dependsOn)).toContain("orders-store-version");
  });

  it("in a preview, variables not known yet are left out rather than failing the environment", async () => {
    const known = pulumi.output([{ name: "LEDGER_ORIGIN_URL", isSecret: false, origin: "ledger", description: "base URL of ledger", value: "https://ledger.acme.example" }]);
    const pkg = await runUnderMocks(
      async () => {
        const unknown = pulumi.output(pulumi.unknown); // not known in this preview
        await gatelock.construct("gateway", "ZuploEnvironment", { account: "acme", project: "orders-api", branch: "main", variableLists: [unknown, known] });
        return {};
      },
      { stack: "prod", preview: true },
    );
    expect(shape(pkg.resources).components).toEqual(["gatelock:index:ZuploEnvironment gateway"]);
    expect(shape(pkg.resources).children).toEqual(["pulumi-nodejs:dynamic/gatelock:ZuploVariable gateway-ledger_origin_url < gateway"]);
  });
});

describe("the documented examples use the package as the schema says", () => {
  const read = (file: string) => fs.readFileSync(path.join(root, file), "utf8");
  const blocks = (doc: string, lang: string) => [...doc.matchAll(new RegExp("```" + lang + "\\n([\\s\\S]*?)```", "g"))].map((m) => m[1]!);

  /** Problems of `value` against a schema property: nested blocks against their types' fields. */
  function check(value: unknown, p: SchemaProperty, at: string): string[] {
    if (typeof value === "string" && value.startsWith("${")) return [];
    const enumValues = p.$ref?.startsWith("#/types/") ? gatelock.typeOf(p.$ref).enum?.map((m) => m.value) : undefined;
    if (enumValues) return enumValues.includes(value as string) ? [] : [`${at}: ${String(value)} is not one of ${enumValues.join(", ")}`];
    if (p.$ref?.startsWith("#/types/") && value && typeof value === "object" && !Array.isArray(value)) {
      const t = gatelock.typeOf(p.$ref);
      return checkFields(value as Record<string, unknown>, { properties: t.properties ?? {}, required: t.required ?? [] }, at);
    }
    if (p.type === "array" && Array.isArray(value)) return value.flatMap((v, i) => check(v, p.items!, `${at}[${i}]`));
    return [];
  }
  function checkFields(props: Record<string, unknown>, t: { properties: Record<string, SchemaProperty>; required: string[] }, at: string): string[] {
    const unknownKeys = Object.keys(props).filter((k) => !(k in t.properties)).map((k) => `${at}.${k}: not in the schema`);
    const missing = t.required.filter((k) => !(k in props)).map((k) => `${at}.${k}: required`);
    return [...unknownKeys, ...missing, ...Object.entries(props).flatMap(([k, v]) => (t.properties[k] ? check(v, t.properties[k]!, `${at}.${k}`) : []))];
  }

  it.each([
    ["docs/components.md", 3],
    ["README.md", 1],
  ])("the YAML programs in %s: every type is a package resource, every property one of its inputs, every required input there", (file, count) => {
    type Program = { resources?: Record<string, { type: string; properties?: Record<string, unknown> }> };
    const programs = blocks(read(file), "yaml").map((b) => parse(b) as Program).filter((p) => p.resources);
    expect(programs).toHaveLength(count);
    for (const program of programs) {
      const resources = Object.entries(program.resources!);
      expect(resources.length).toBeGreaterThan(1);
      const problems = resources.flatMap(([name, r]) => {
        const res = gatelock.schema.resources[r.type];
        if (!res) return [`${name}: ${r.type} is not a resource of the package`];
        return checkFields(r.properties ?? {}, { properties: res.inputProperties, required: res.requiredInputs }, name);
      });
      expect(problems).toEqual([]);
    }
  });

  it("the Python programs: every keyword is an input (in snake_case) of the component it creates, every required input there", () => {
    const programs = blocks(read("docs/components.md"), "python");
    const calls = programs.flatMap((program) => [...program.matchAll(/gatelock\.(\w+)\("[\w-]+",([\s\S]*?)\)\n\n/g)]);
    expect(calls.map((c) => c[1])).toEqual(["AwsSharedSecretOrigin", "AwsOidcProvider", "AwsFederatedOrigin", "ZuploEnvironment", "GatewayTunnel", "TunnelServiceOrigin", "AwsTunnelOrigin", "GatewayTunnelServices", "ZuploEnvironment"]);
    const camel = (s: string) => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
    const problems = calls.flatMap(([, component, args]) => {
      const r = gatelock.resource(component!);
      const keywords = [...args!.matchAll(/^\s*(\w+)=/gm)].map((m) => camel(m[1]!));
      // Keys of dicts passed to an input (`tunnel={"token": …, "also_carries": [{…}]}`): each a field of a type the inputs reach.
      const fields = new Set<string>();
      const reach = (p: SchemaProperty, seen: Set<string>) => {
        const ref = p.$ref ?? p.items?.$ref;
        if (!ref?.startsWith("#/types/") || seen.has(ref)) return;
        seen.add(ref);
        for (const [k, f] of Object.entries(gatelock.typeOf(ref).properties ?? {})) fields.add(k), reach(f, seen);
      };
      for (const p of Object.values(r.inputProperties)) reach(p, new Set());
      const keys = [...args!.matchAll(/"(\w+)":/g)].map((m) => camel(m[1]!));
      return [
        // `opts` is Pulumi's resource options, not an input.
        ...keywords.filter((k) => k !== "opts" && !(k in r.inputProperties)).map((k) => `${component}.${k}: not an input`),
        ...r.requiredInputs.filter((k) => !keywords.includes(k)).map((k) => `${component}.${k}: required`),
        ...keys.filter((k) => !fields.has(k)).map((k) => `${component}: "${k}" is no field of its inputs' types`),
      ];
    });
    expect(problems).toEqual([]);
  });
});
