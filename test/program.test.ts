import { describe, expect, it, vi } from "vitest";
import { ConfigError } from "../components/errors";
import { MockRunError } from "../components/testing/engine";
import { UNFAKED } from "../components/testing/fakes";
import { awsOrigin, azureOrigin, config, gcpOrigin } from "./fixtures/configs";
import { isSecretValue, PROJECT_DIR, runProgram } from "./harness";

describe("the gatelock program", () => {
  it("builds one component per origin and one gateway environment, every resource parented", async () => {
    const run = await runProgram(config(awsOrigin, gcpOrigin, azureOrigin));
    const components = run.resources.filter((r) => !r.custom && r.type !== "pulumi:pulumi:Stack");
    expect(components.map((c) => `${c.type}::${c.name}`).sort()).toEqual([
      "gatelock:aws:SharedSecretOrigin::orders",
      "gatelock:azure:SharedSecretOrigin::users",
      "gatelock:gateway:GatewayEnvironment::gateway",
      "gatelock:gcp:SharedSecretOrigin::billing",
    ]);
    for (const c of components) expect(c.type).toMatch(/^gatelock:[a-z-]+:[A-Z][A-Za-z]+$/);
    // Every cloud resource sits under a gatelock component, never loose in the stack.
    for (const r of run.resources.filter((x) => x.custom)) expect(r.parent, `${r.type} ${r.name}`).toMatch(/[:$]gatelock:[a-z-]+:[A-Za-z]+::[a-z-]+$/);
    expect(UNFAKED).toEqual([]);
  });

  it("loads only what the stack uses: a shared-secret stack never loads another method's component or the tunnel parts", async () => {
    // Each module a shared-secret stack must not need, made to fail as a missing package would.
    const unneeded = [
      ...["aws", "gcp", "azure"].flatMap((c) => ["federated-origin", "mtls-origin", "tunnel-origin"].map((m) => `../components/${c}/${m}`)),
      "../components/aws/oidc-provider",
      "../components/gcp/service-auth-origin",
      "../components/gcp/gateway-service-account",
      "../components/azuread",
      "../components/program/tunnels",
    ];
    const loaded: string[] = [];
    for (const m of unneeded) {
      vi.doMock(m, () => {
        loaded.push(m);
        throw Object.assign(new Error(`Cannot find module '${m}'`), { code: "MODULE_NOT_FOUND" });
      });
    }
    try {
      const run = await runProgram(config(awsOrigin, gcpOrigin, azureOrigin));
      expect(run.resources.filter((r) => !r.custom && r.type.endsWith(":SharedSecretOrigin"))).toHaveLength(3);
      expect(loaded).toEqual([]);
    } finally {
      for (const m of unneeded) vi.doUnmock(m);
    }
  });

  it("refuses invalid config before registering any resource", async () => {
    const bad = config(awsOrigin) as any;
    bad.origins[0].aws.readers = ["*"];
    const err = await runProgram(bad).then(() => undefined, (e) => e);
    expect(err).toBeInstanceOf(MockRunError);
    expect(err.cause).toBeInstanceOf(ConfigError);
    expect(err.cause.issues[0].path).toBe("gatelock:origins[0].aws.readers[0]");
    // Only the stack itself was registered: no cloud resource, no component.
    expect(err.resources.map((r: { type: string }) => r.type)).toEqual(["pulumi:pulumi:Stack"]);
  });

  it("carries the program's resource options to every component and its children (e.g. an explicit provider)", async () => {
    const { Provider } = await import("@pulumi/aws/provider");
    const { deploy } = await import("../components/program/deploy");
    const { runUnderMocks } = await import("../components/testing/engine");
    const run = await runUnderMocks(async () => {
      const eu = new Provider("eu", { region: "eu-west-1" });
      await deploy({ config: config(awsOrigin), stack: "test", projectDir: PROJECT_DIR, opts: { providers: [eu] } });
      return {};
    }, { stack: "test" });
    const eu = run.resources.find((r) => r.type === "pulumi:providers:aws")!;
    const secrets = run.resources.filter((r) => r.type.startsWith("aws:secretsmanager/"));
    expect(secrets.length).toBeGreaterThan(0);
    for (const r of secrets) expect(r.provider, `${r.type} ${r.name}`).toMatch(new RegExp(`^${eu.urn.replace(/[$]/g, "\\$")}::`));
  });

  it("exposes gateway variables and policies as stack outputs, without values", async () => {
    const run = await runProgram(config(awsOrigin));
    expect(run.outputs.gatewayVariables.map((v) => [v.name, v.isSecret])).toEqual([
      ["ORDERS_SHARED_SECRET", true],
      ["ORDERS_ORIGIN_URL", false],
    ]);
    expect(run.outputs.gatewayPolicies[0]).toMatchObject({
      origin: "orders",
      inbound: ["gatelock-orders-shared-secret"],
      handler: { options: { baseUrl: "${env.ORDERS_ORIGIN_URL}" } },
    });
    // The origin URL is not a secret: reviewers see it; the shared secret stays masked.
    const zuplo = run.resources.filter((r) => r.type === "pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    expect(zuplo.find((r) => r.inputs.name === "ORDERS_ORIGIN_URL")!.inputs.value).toBe("https://orders.internal.acme.example");
    expect(isSecretValue(zuplo.find((r) => r.inputs.name === "ORDERS_SHARED_SECRET")!.inputs.value)).toBe(true);
    expect(run.outputs.origins.orders!.resources.secretArn).toMatch(/^arn:aws:secretsmanager:us-east-1:\d{12}:secret:gatelock\/test\/orders\/shared-secret-\w{6}$/);
  });
});
