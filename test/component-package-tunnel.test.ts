/**
 * The secure tunnel (method 5) in gatelock's Pulumi component package: `GatewayTunnel`, the
 * services configuration another language creates with `GatewayTunnelServices` (the TypeScript
 * class's `carry()` is a method, not callable across languages), and the connectors
 * `AwsTunnelOrigin`, `GcpTunnelOrigin`, `AzureTunnelOrigin`, `KubernetesTunnelOrigin` and
 * `DockerTunnelOrigin`. The schema Pulumi's component provider infers from a fresh build's
 * declarations (as test/component-package.test.ts builds it), the components it builds compared
 * with the TypeScript classes under the mock engine, the token never plain, and a YAML program
 * checked against the schema. (The inputs of every package component, and which take Outputs,
 * are listed in test/component-package.test.ts.)
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import { describe, expect, it } from "vitest";
import { AwsTunnelOrigin } from "../components/aws/tunnel-origin";
import { ZuploEnvironment } from "../components/gateway/environment";
import { GatewayTunnel } from "../components/gateway/tunnel-gateway";
import { KubernetesTunnelOrigin } from "../components/kubernetes/tunnel-origin";
import { TunnelServiceOrigin } from "../components/tunnel/service-origin";
import { isSecretValue, reveal, type RecordedResource } from "../components/testing";
import { described, describeType, expectSameChildren, registeredBy, resourceNames, type SchemaProperty, settled, shape, useComponentPackage } from "./harness/component-package";
import { yamlProgramProblems, type YamlProgram } from "./harness/yaml-program";

// Built from this source, laid out as the plugin is installed.
const gatelock = useComponentPackage("gatelock-component-package-tunnel-");

const secretKeys = (props: Record<string, SchemaProperty>) => Object.entries(props).filter(([, p]) => p.secret).map(([k]) => k);

const ORIGINS = ["AwsTunnelOrigin", "GcpTunnelOrigin", "AzureTunnelOrigin", "KubernetesTunnelOrigin", "DockerTunnelOrigin"];
/** What every tunnel origin outputs besides its connector's. */
const GATEWAY_SIDE = { tunnelService: "TunnelService", gatewayVariables: "GatewayVariable[]", findings: "Finding[]" };
const OUTPUTS: Record<string, { outputs: Record<string, string>; required: string[] }> = {
  AwsTunnelOrigin: {
    outputs: { tokenSecretArn: "string", taskDefinitionArn: "string", serviceArn: "string", securityGroupId: "string", ...GATEWAY_SIDE },
    required: ["securityGroupId", "serviceArn", "taskDefinitionArn", "tokenSecretArn"],
  },
  GcpTunnelOrigin: {
    outputs: { serviceAccountEmail: "string", secretName: "string", tokenVersion: "string", workerPoolName: "string", latestRevision: "string", ...GATEWAY_SIDE },
    required: ["latestRevision", "secretName", "serviceAccountEmail", "tokenVersion", "workerPoolName"],
  },
  AzureTunnelOrigin: {
    outputs: { containerAppId: "string", latestRevisionName: "string", tokenSecretId: "string", identityId: "string", ...GATEWAY_SIDE },
    required: ["containerAppId", "latestRevisionName"],
  },
  KubernetesTunnelOrigin: { outputs: { deploymentName: "string", secretName: "string", namespace: "string", ...GATEWAY_SIDE }, required: ["deploymentName", "namespace", "secretName"] },
  DockerTunnelOrigin: { outputs: { configPath: "string", tokenPath: "string", ...GATEWAY_SIDE }, required: ["configPath", "tokenPath"] },
};

describe("the schema of the tunnel components", () => {
  it.each(ORIGINS)("%s: its outputs, with their types, the ones always there required; none secret (the token goes to the connector's store only)", (name) => {
    const r = gatelock.resource(name);
    expect(described(r.properties)).toEqual(OUTPUTS[name]!.outputs);
    expect([...r.required].sort()).toEqual([...OUTPUTS[name]!.required, ...Object.keys(GATEWAY_SIDE)].sort());
    expect(secretKeys(r.properties)).toEqual([]);
    // The tunnel: a named type, its token (a secret) and generation taking GatewayTunnel's outputs.
    expect(describeType(r.inputProperties.tunnel!)).toBe("TunnelArgs");
    expect(r.requiredInputs).toContain("tunnel");
  });

  it("TunnelArgs: every setting of the TypeScript components' tunnel, the token a secret input that takes an Output, as the generation does; the rest plain", () => {
    const t = gatelock.type("TunnelArgs");
    expect(described(t.properties!)).toEqual({
      token: "string",
      tokenGeneration: "number",
      name: "string",
      service: "string",
      endpoint: "string",
      accessibleBy: "TunnelAccess[]",
      rotateAfterDays: "number",
      rotation: "number",
      replicas: "number",
      dangerouslyAllowSingleReplica: "boolean",
      image: "string",
      dangerouslyAllowPublicEndpoint: "boolean",
      alsoCarries: "CarriedTunnelService[]",
    });
    expect([...t.required!].sort()).toEqual(["endpoint", "token"]);
    expect(secretKeys(t.properties!)).toEqual(["token"]);
    expect(Object.entries(t.properties!).filter(([, p]) => !p.plain).map(([k]) => k)).toEqual(["token", "tokenGeneration"]);
  });

  it("GatewayTunnel: the tunnel's ID, its token (the one secret output) and its generation; GatewayTunnelServices takes the ID and the origins' tunnelService outputs", () => {
    const t = gatelock.resource("GatewayTunnel");
    expect(described(t.properties)).toEqual({ tunnelId: "string", token: "string", generation: "number" });
    expect([...t.required].sort()).toEqual(["generation", "token", "tunnelId"]);
    expect(secretKeys(t.properties)).toEqual(["token"]);
    const s = gatelock.resource("GatewayTunnelServices");
    expect(describeType(s.inputProperties.services!)).toBe("TunnelService[]");
    // An origin's output passed as is: the list, and each entry, take Outputs; so does the ID.
    expect(s.inputProperties.services!.plain).toBeUndefined();
    expect(s.inputProperties.services!.items!.plain).toBeUndefined();
    expect(s.inputProperties.tunnelId!.plain).toBeUndefined();
    expect(described(s.properties)).toEqual({ operationId: "string", services: "TunnelService[]" });
    expect(described(gatelock.type("TunnelService").properties!)).toEqual({ origin: "string", tunnel: "string", name: "string", endpoint: "string", accessibleBy: "TunnelAccess[]", dangerouslyAllowPublicEndpoint: "boolean" });
  });

  it("the choices are enums with exactly the TypeScript components' values", () => {
    const values = (name: string) => gatelock.type(name).enum!.map((m) => m.value);
    expect(values("TunnelAccess")).toEqual(["production", "preview", "working-copy"]);
    expect(values("DockerTunnelFormat")).toEqual(["compose", "systemd"]);
    expect(describeType(gatelock.resource("DockerTunnelOrigin").inputProperties.format!)).toBe("DockerTunnelFormat");
  });
});

/** Every place a string occurs in a recorded value, and whether it is inside a Pulumi secret there. */
function occurrences(v: unknown, needle: string, at = "", secret = false, out: { at: string; secret: boolean }[] = []) {
  if (isSecretValue(v)) return occurrences(v.value, needle, at, true, out);
  if (typeof v === "string" && v.includes(needle)) out.push({ at, secret });
  else if (Array.isArray(v)) v.forEach((x, i) => occurrences(x, needle, `${at}[${i}]`, secret, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) occurrences(x, needle, at ? `${at}.${k}` : k, secret, out);
  return out;
}
/** Where the token was registered: `<resource>: <input path>`, each inside a secret or not. */
const tokenIn = (rs: readonly RecordedResource[], token: string) => rs.flatMap((r) => occurrences(r.inputs, token).map((o) => ({ at: `${r.name}: ${o.at}`, secret: o.secret })));

const newToken = () => `tk_${randomBytes(24).toString("base64url")}`;
const PINNED = `zuplo/tunnel@sha256:${"a".repeat(64)}`;
const gatewayTunnel = { account: "acme", project: "orders-api", name: "gl-prod-orders" };
const tunnel = { name: "gl-prod-orders", endpoint: "http://10.0.3.12:8080", image: PINNED, accessibleBy: ["production", "preview"] as ("production" | "preview")[] };
const aws = { region: "us-east-1", vpcId: "vpc-0a1b2c3d4e5f60718", subnets: ["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"] };
const kubernetes = { namespace: "gateway-connectors" };

/** The state holds the schema's outputs (those the args call for); no secret among them. */
async function expectPublished(component: string, s: Record<string, unknown>, absent: readonly string[] = []) {
  expect(Object.keys(s).sort()).toEqual(Object.keys(gatelock.resource(component).properties).filter((k) => !absent.includes(k)).sort());
  for (const [k, v] of Object.entries(s)) expect(await pulumi.isSecret(pulumi.output(v as pulumi.Input<unknown>)), k).toBe(false);
  expect(await settled(s.tunnelService)).toEqual({ origin: "orders", tunnel: "gl-prod-orders", name: "orders-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production", "preview"] });
  const variables = (await settled(s.gatewayVariables)) as { name: string; value: string; isSecret: boolean }[];
  expect(variables).toEqual([expect.objectContaining({ name: "ORDERS_ORIGIN_URL", value: "service://orders-prod", isSecret: false })]);
}

describe("tunnel components built by the provider (ComponentProvider.construct) under the mock engine", () => {
  it("GatewayTunnel registers what the TypeScript class registers; its token is a secret output", async () => {
    let tsToken: unknown;
    const ts = await registeredBy(() => {
      tsToken = new GatewayTunnel("tunnel", gatewayTunnel).token;
    });
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("tunnel", "GatewayTunnel", gatewayTunnel);
    });
    expectSameChildren(ts, pkg, { "gatelock:gateway:Tunnel": "gatelock:index:GatewayTunnel" });
    expect(shape(pkg).children).toContain("pulumi-nodejs:dynamic/gatelock:ZuploTunnel tunnel-tunnel < tunnel");
    expect(Object.keys(s).sort()).toEqual(Object.keys(gatelock.resource("GatewayTunnel").properties).sort());
    expect(await pulumi.isSecret(s.token as pulumi.Output<unknown>)).toBe(true);
    expect(await pulumi.isSecret(s.tunnelId as pulumi.Output<unknown>)).toBe(false);
    expect(await settled(s.tunnelId)).toMatch(/^tnl_/);
    expect(await settled(s.generation)).toBe(0);
    expect(typeof (await settled(s.token))).toBe("string");
    expect(await settled(tsToken)).toEqual(expect.any(String));
  });

  it.each([
    ["a secret, as GatewayTunnel's token output arrives", (t: string) => pulumi.secret(t)],
    ["a plain string, as another language's program may pass it", (t: string) => t],
  ])("AWS, given the token as %s: the same children as the TypeScript class, the token only ever inside a secret", async (_, pass) => {
    const token = newToken();
    const args = (t: pulumi.Input<string>) => ({ ...aws, tunnel: { ...tunnel, token: t, tokenGeneration: 3 } });
    const ts = await registeredBy(() => {
      new AwsTunnelOrigin("orders", args(pass(token)));
    });
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("orders", "AwsTunnelOrigin", args(pass(token)));
    });
    expectSameChildren(ts, pkg, { "gatelock:aws:TunnelOrigin": "gatelock:index:AwsTunnelOrigin" });
    expect(shape(pkg).children).toEqual(expect.arrayContaining(["aws:ecs/service:Service orders-tunnel-service < orders", "aws:secretsmanager/secretVersion:SecretVersion orders-tunnel-token-version < orders"]));
    // Only the token's secret version holds it, as a secret (as in TypeScript).
    expect(tokenIn(pkg, token)).toEqual([{ at: "orders-tunnel-token-version: secretString", secret: true }]);
    expect(tokenIn(pkg, token)).toEqual(tokenIn(ts, token));
    await expectPublished("AwsTunnelOrigin", s);
    expect(await settled(s.serviceArn)).toEqual(expect.any(String));
  });

  it.each([
    ["a secret, as GatewayTunnel's token output arrives", (t: string) => pulumi.secret(t)],
    ["a plain string, as another language's program may pass it", (t: string) => t],
  ])("Kubernetes, given the token as %s: the same children as the TypeScript class, the token only ever inside the Secret, as a secret", async (_, pass) => {
    const token = newToken();
    const args = (t: pulumi.Input<string>) => ({ ...kubernetes, tunnel: { ...tunnel, token: t, tokenGeneration: 3 } });
    const ts = await registeredBy(() => {
      new KubernetesTunnelOrigin("orders", args(pass(token)));
    });
    let s: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      s = await gatelock.state("orders", "KubernetesTunnelOrigin", args(pass(token)));
    });
    expectSameChildren(ts, pkg, { "gatelock:kubernetes:TunnelOrigin": "gatelock:index:KubernetesTunnelOrigin" });
    expect(shape(pkg).children).toEqual(
      ["kubernetes:apps/v1:Deployment orders-connector < orders", "kubernetes:core/v1:Secret orders-token < orders", "kubernetes:networking.k8s.io/v1:NetworkPolicy orders-egress < orders", "kubernetes:policy/v1:PodDisruptionBudget orders-pdb < orders"],
    );
    expect(tokenIn(pkg, token)).toEqual([{ at: "orders-token: stringData.token", secret: true }]);
    // The generation, passed on from GatewayTunnel, rolls the pods (not a fingerprint of the token).
    const deployment = pkg.find((r) => r.type === "kubernetes:apps/v1:Deployment")!;
    expect(JSON.stringify(reveal(deployment.inputs))).toContain("generation-3");
    await expectPublished("KubernetesTunnelOrigin", s);
    expect(await settled(s.namespace)).toBe("gateway-connectors");
    expect(s.secretName).toEqual(expect.any(String));
  });

  it("TunnelServiceOrigin, and a connector carrying it in tunnel.alsoCarries: what the TypeScript classes register, the egress reaching both", async () => {
    const ledgerArgs = { tunnel: { name: "gl-prod-orders", endpoint: "http://10.0.4.20:9090" } };
    const carried = { origin: "ledger", tunnel: "gl-prod-orders", name: "ledger-prod", endpoint: "http://10.0.4.20:9090", accessibleBy: ["production" as const] };
    const args = { ...aws, tunnel: { ...tunnel, token: newToken(), alsoCarries: [carried] } };
    const ts = await registeredBy(() => {
      new TunnelServiceOrigin("ledger", ledgerArgs);
      new AwsTunnelOrigin("orders", args);
    });
    let ledger: Record<string, unknown> = {};
    const pkg = await registeredBy(async () => {
      ledger = await gatelock.state("ledger", "TunnelServiceOrigin", ledgerArgs);
      await gatelock.state("orders", "AwsTunnelOrigin", args);
    });
    expectSameChildren(ts, pkg, { "gatelock:tunnel:ServiceOrigin": "gatelock:index:TunnelServiceOrigin", "gatelock:aws:TunnelOrigin": "gatelock:index:AwsTunnelOrigin" });
    // What the carried origin's component outputs is what the connector takes.
    expect(await settled(ledger.tunnelService)).toEqual(carried);
    const group = pkg.find((r) => r.type === "aws:ec2/securityGroup:SecurityGroup")!;
    expect((reveal(group.inputs.egress) as { cidrBlocks: string[] }[]).map((r) => r.cidrBlocks[0])).toEqual(["0.0.0.0/0", "0.0.0.0/0", "10.0.3.12/32", "10.0.4.20/32"]);
  });

  it("a model refusal fails the component as in TypeScript (a public endpoint)", async () => {
    const args = { ...kubernetes, tunnel: { ...tunnel, endpoint: "http://8.8.8.8:8080", token: newToken() } };
    await expect(registeredBy(() => gatelock.construct("orders", "KubernetesTunnelOrigin", args))).rejects.toThrow(/public/i);
  });
});

describe("the whole tunnel as another language builds it: GatewayTunnel, its origin, GatewayTunnelServices, ZuploEnvironment", () => {
  const env = { account: "acme", project: "orders-api", branch: "main" };
  const services = (rs: readonly RecordedResource[]) => rs.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploTunnelServices");

  it("registers what the TypeScript program (GatewayTunnel.carry) registers; the services configuration waits for the connector; the token reaches the connector as a secret only", async () => {
    let tsToken: unknown;
    const ts = await registeredBy(() => {
      const t = new GatewayTunnel("tunnel", gatewayTunnel);
      tsToken = t.token;
      const o = new AwsTunnelOrigin("orders", { ...aws, tunnel: { ...tunnel, token: t.token, tokenGeneration: t.generation } });
      t.carry([o.tunnelService], [o]);
      new ZuploEnvironment("gateway", { ...env, variables: o.gatewayVariables });
    });
    let pkgToken: unknown;
    let pkgTunnelId: unknown;
    let configured: unknown;
    const pkg = await registeredBy(async () => {
      const t = await gatelock.state("tunnel", "GatewayTunnel", gatewayTunnel);
      pkgToken = t.token;
      pkgTunnelId = t.tunnelId;
      const o = await gatelock.state("orders", "AwsTunnelOrigin", { ...aws, tunnel: { ...tunnel, token: t.token, tokenGeneration: t.generation } });
      // Named after its tunnel: its resource gets the name carry() gives it.
      configured = (await gatelock.state("tunnel", "GatewayTunnelServices", { account: "acme", project: "orders-api", tunnelId: t.tunnelId, services: [o.tunnelService] })).services;
      await gatelock.construct("gateway", "ZuploEnvironment", { ...env, variableLists: [o.gatewayVariables] });
    });
    expectSameChildren(
      ts,
      pkg,
      { "gatelock:gateway:Tunnel": "gatelock:index:GatewayTunnel", "gatelock:aws:TunnelOrigin": "gatelock:index:AwsTunnelOrigin", "gatelock:gateway:GatewayEnvironment": "gatelock:index:ZuploEnvironment" },
      ["gatelock:index:GatewayTunnelServices tunnel"],
    );
    const [a] = services(ts);
    const [b] = services(pkg);
    expect(services(pkg)).toHaveLength(1);
    expect(b!.name).toBe("tunnel-services");
    // The same configuration (each run's fake tunnel has an ID of its own): the tunnel's, the origin's service.
    const { tunnelId, ...rest } = reveal(b!.inputs) as Record<string, unknown>;
    const { tunnelId: _tsTunnelId, ...tsRest } = reveal(a!.inputs) as Record<string, unknown>;
    expect(rest).toEqual(tsRest);
    expect(tunnelId).toMatch(/^tnl_/);
    expect(tunnelId).toBe(await settled(pkgTunnelId));
    expect(reveal(b!.inputs.services)).toEqual([{ name: "orders-prod", endpoint: "http://10.0.3.12:8080", configurations: [{ project: "orders-api", accessibleBy: ["production", "preview"] }] }]);
    // It waits for what carry(…, [origin]) waits for: the connector (its ECS service among them) and the tunnel.
    const waits = resourceNames(pkg, b!.dependsOn);
    expect(waits).toEqual(expect.arrayContaining(resourceNames(ts, a!.dependsOn)));
    expect(waits).toEqual(expect.arrayContaining(["orders-tunnel-service", "orders-tunnel-token-version", "tunnel-tunnel"]));
    expect(await settled(configured)).toEqual([{ origin: "orders", tunnel: "gl-prod-orders", name: "orders-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production", "preview"] }]);
    // The token, from GatewayTunnel's secret output, only in the connector's secret version, as a secret.
    for (const [rs, t] of [
      [pkg, pkgToken],
      [ts, tsToken],
    ] as const) {
      const token = (await settled(t)) as string;
      expect(token.length).toBeGreaterThan(8);
      expect(tokenIn(rs, token)).toEqual([{ at: "orders-tunnel-token-version: secretString", secret: true }]);
    }
    // The gateway gets the service's URL, not the token.
    const variable = pkg.find((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploVariable")!;
    expect(reveal(variable.inputs.name)).toBe("ORDERS_ORIGIN_URL");
    expect(reveal(variable.inputs.value)).toBe("service://orders-prod");
  });

  it("refuses services of two tunnels in one configuration", async () => {
    const entry = (t: string) => ({ tunnel: t, name: `${t}-svc`, endpoint: "http://10.0.3.12:8080", accessibleBy: ["production"] });
    await expect(registeredBy(() => gatelock.construct("tunnel", "GatewayTunnelServices", { account: "acme", project: "orders-api", tunnelId: "tnl_1", services: [entry("gl-a"), entry("gl-b")] }))).rejects.toThrow(
      "services of one tunnel only (got gl-a, gl-b)",
    );
  });
});

describe("a YAML program with a tunnel uses the package as the schema says", () => {
  const program = `
name: orders
runtime: yaml
packages:
  gatelock: ./node_modules/gatelock/provider
resources:
  tunnel:
    type: gatelock:index:GatewayTunnel
    properties:
      account: acme
      project: orders-api
      name: gl-prod-orders
  orders:
    type: gatelock:index:KubernetesTunnelOrigin
    properties:
      namespace: gateway-connectors
      tunnel:
        token: \${tunnel.token}
        tokenGeneration: \${tunnel.generation}
        name: gl-prod-orders
        endpoint: http://10.0.3.12:8080
        accessibleBy: [production, preview]
        image: zuplo/tunnel@sha256:${"a".repeat(64)}
  tunnelServices:
    type: gatelock:index:GatewayTunnelServices
    properties:
      account: acme
      project: orders-api
      tunnelId: \${tunnel.tunnelId}
      services:
        - \${orders.tunnelService}
  gateway:
    type: gatelock:index:ZuploEnvironment
    properties:
      account: acme
      project: orders-api
      branch: main
      variableLists:
        - \${orders.gatewayVariables}
    options:
      dependsOn:
        - \${tunnelServices}
outputs:
  tunnelId: \${tunnel.tunnelId}
  service: \${orders.tunnelService.name}
  operationId: \${tunnelServices.operationId}
`;
  const problemsOf = (p2: YamlProgram) => yamlProgramProblems(gatelock, p2, { secretsOnlyIntoSecretInputs: true });

  it("every type is a package resource, every property one of its inputs of the right type, every required input there, every reference an output, the token only into a secret input", () => {
    expect(problemsOf(parse(program) as YamlProgram)).toEqual([]);
  });

  it("the check finds what is wrong: the token into a plain input, a wrong enum value, an output of another type, a missing output", () => {
    const p2 = parse(program) as YamlProgram;
    const t = p2.resources.orders!.properties!.tunnel as Record<string, unknown>;
    t.service = "${tunnel.token}";
    t.accessibleBy = ["everyone"];
    p2.resources.tunnelServices!.properties!.services = ["${orders.gatewayVariables}"];
    p2.resources.gateway!.options!.dependsOn = ["${tunnelServicez}"];
    p2.outputs!.operationId = "${tunnelServices.operation}";
    expect(problemsOf(p2)).toEqual([
      "orders.tunnel.accessibleBy[0]: everyone is not one of production, preview, working-copy",
      "orders.tunnel.service: ${tunnel.token} is a secret, and orders.tunnel.service is not a secret input",
      "tunnelServices.services[0]: ${orders.gatewayVariables} is GatewayVariable[], not TunnelService",
      "gateway.options.dependsOn: ${tunnelServicez} is no resource of the program",
      "outputs.operationId: gatelock:index:GatewayTunnelServices has no output operation",
    ]);
  });

  it("the Kubernetes origin of the program, built by the provider with GatewayTunnel's token, keeps the token a secret", async () => {
    const p2 = parse(program) as YamlProgram;
    const token = newToken();
    const orders = p2.resources.orders!.properties!;
    const pkg = await registeredBy(async () => {
      await gatelock.construct("orders", "KubernetesTunnelOrigin", { ...orders, tunnel: { ...(orders.tunnel as object), token: pulumi.secret(token), tokenGeneration: pulumi.output(0) } });
    });
    expect(tokenIn(pkg, token)).toEqual([{ at: "orders-token: stringData.token", secret: true }]);
  });
});
