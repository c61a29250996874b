/**
 * Method 5's connector on Azure under the mock engine with faithful fakes: a Container App
 * without ingress, always exactly `replicas` replicas, its token a Container Apps secret or a
 * Key Vault secret read through a user-assigned identity allowed that one secret; a rotated
 * token makes a new revision.
 */
import { randomBytes } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { AzureTunnelOrigin, type AzureTunnelOriginArgs, keyVaultName, TOKEN_VERSION_VARIABLE, tokenFingerprint, TUNNEL_TOKEN_SECRET } from "../components/azure/tunnel-origin";
import { ConfigError, ResourceRefusedError } from "../components/errors";
import { MockRunError, runUnderMocks } from "../components/testing/engine";
import type { FakeCloudOptions } from "../components/testing/fake-kit";
import { FakeCloud, UNFAKED } from "../components/testing/fakes";
import { isSecretValue, ofType, one, reveal } from "./harness";

const T = {
  component: "gatelock:azure:TunnelOrigin",
  app: "azure-native:app:ContainerApp",
  identity: "azure-native:managedidentity:UserAssignedIdentity",
  secret: "azure-native:keyvault:Secret",
  role: "azure-native:authorization:RoleAssignment",
};
const SUB = "6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b"; // FakeCloud's fixed subscription for tests
const ENV_ID = `/subscriptions/${SUB}/resourceGroups/rg-net/providers/Microsoft.App/managedEnvironments/orders-env`;
const VAULT_URI = "https://kv-acme-tunnel.vault.azure.net/";
const DIGEST = `zuplo/tunnel@sha256:${"c".repeat(64)}`;
const TUNNEL = "wh-tunnel";
const APP = `gl-tunnel-${TUNNEL}`;
const KV_SECRETS_USER = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/4633458b-17de-408a-b874-0445c86b69e6`;

function newToken(): string {
  return `tk_${randomBytes(48).toString("base64url")}`;
}

/** Every string holding `needle`, with its path and whether a secret marker encloses it. */
function occurrences(v: unknown, needle: string, path = "", secret = false, out: { path: string; secret: boolean }[] = []) {
  if (isSecretValue(v)) return occurrences(v.value, needle, path, true, out);
  if (typeof v === "string") {
    if (v.includes(needle)) out.push({ path, secret });
  } else if (Array.isArray(v)) v.forEach((x, i) => occurrences(x, needle, `${path}[${i}]`, secret, out));
  else if (v && typeof v === "object") for (const [k, x] of Object.entries(v)) occurrences(x, needle, path ? `${path}.${k}` : k, secret, out);
  return out;
}

function args(token: string, over: Partial<AzureTunnelOriginArgs> = {}, tunnel: Partial<AzureTunnelOriginArgs["tunnel"]> = {}): AzureTunnelOriginArgs {
  return {
    tunnel: { token: pulumi.secret(token), name: TUNNEL, endpoint: "http://10.0.3.12:8080", image: DIGEST, ...tunnel },
    resourceGroup: "rg-tunnel",
    containerAppsEnvironmentId: ENV_ID,
    ...over,
  };
}

async function up(a: AzureTunnelOriginArgs, fakes: FakeCloudOptions = {}) {
  let component!: AzureTunnelOrigin;
  const run = await runUnderMocks(
    async () => {
      component = new AzureTunnelOrigin("warehouse", a);
      return { summary: component.summary, gatewayVariables: component.gatewayVariables.map((v) => ({ name: v.name, isSecret: v.isSecret, value: v.value })), tunnelService: component.tunnelService, revision: component.latestRevisionName };
    },
    { stack: "prod", fakes },
  );
  return { ...run, component };
}
type Run = Awaited<ReturnType<typeof up>>;

async function failure(p: Promise<unknown>): Promise<MockRunError> {
  const e = await p.then(() => undefined, (x: unknown) => x);
  expect(e).toBeInstanceOf(MockRunError);
  return e as MockRunError;
}

const state = (run: Run, type: string, name: string) => reveal(run.fakes.produced.get(`${type}::${name}`)!.state) as Record<string, any>;
const appInputs = (run: Run) => reveal(one(run.resources, T.app).inputs) as Record<string, any>;
const envOf = (run: Run) => appInputs(run).template.containers[0].env as { name: string; value?: string; secretRef?: string }[];

describe("AzureTunnelOrigin: a Container Apps secret (default)", () => {
  it("one Container App: no ingress, the connector image, TUNNEL_TOKEN by secretRef, min = max = replicas", async () => {
    const token = newToken();
    const run = await up(args(token));
    expect(UNFAKED).not.toContain(T.app);
    const component = one(run.resources, T.component, "warehouse");
    expect(run.resources.filter((r) => r.custom).map((r) => r.type)).toEqual([T.app]);
    const app = one(run.resources, T.app);
    expect(app.parent).toBe(component.urn);

    const a = appInputs(run);
    expect(a).toMatchObject({ resourceGroupName: "rg-tunnel", containerAppName: APP, environmentId: ENV_ID });
    expect(a.identity).toBeUndefined();
    expect(a.configuration).not.toHaveProperty("ingress");
    expect(a.configuration.secrets).toEqual([{ name: TUNNEL_TOKEN_SECRET, value: token }]);
    expect(a.template.containers).toHaveLength(1);
    expect(a.template.containers[0].image).toBe(DIGEST);
    expect(envOf(run)).toEqual([
      { name: "TUNNEL_TOKEN", secretRef: TUNNEL_TOKEN_SECRET },
      { name: TOKEN_VERSION_VARIABLE, value: tokenFingerprint(token) },
    ]);
    expect(a.template.scale).toEqual({ minReplicas: 2, maxReplicas: 2 });

    // Azure gives an app without ingress no FQDN.
    expect(state(run, T.app, "warehouse-app").latestRevisionFqdn).toBe("");
    expect(run.outputs.gatewayVariables).toEqual([{ name: "WAREHOUSE_ORIGIN_URL", isSecret: false, value: "service://warehouse-prod" }]);
    expect(run.outputs.tunnelService).toEqual({ origin: "warehouse", tunnel: TUNNEL, name: "warehouse-prod", endpoint: "http://10.0.3.12:8080", accessibleBy: ["production"] });
    expect(run.outputs.summary).toMatchObject({ containerApp: APP, replicas: 2, ingress: "none", tokenStore: "container-apps-secret", latestRevision: run.outputs.revision });
    expect(run.component.findings).toEqual([]);
  });

  it("the token is only a secret, only in the app's secret: nowhere else in inputs, state or outputs", async () => {
    const token = newToken();
    const run = await up(args(token));
    const found = run.resources.flatMap((r) => occurrences(r.inputs, token).map((o) => ({ ...o, at: r.name })));
    expect(found).toEqual([{ at: "warehouse-app", path: expect.stringMatching(/^configuration(\.secrets\[0\]\.value)?$/), secret: true }]);
    expect((reveal(one(run.resources, T.app).inputs.configuration) as any).secrets[0].value).toBe(token);
    // Azure never returns a secret's value: the app's state holds none.
    for (const [, r] of run.fakes.produced) expect(occurrences(r.state, token).filter((o) => !o.secret)).toEqual([]);
    expect(JSON.stringify(run.outputs)).not.toContain(token);
    // The revision marker is a fingerprint: it does not contain the token or any long part of it.
    const marker = envOf(run).find((e) => e.name === TOKEN_VERSION_VARIABLE)!.value!;
    expect(marker).toMatch(/^[0-9a-f]{12}$/);
    expect(token).not.toContain(marker);
  });

  it("a rotated token (next run) makes a new revision; the same token keeps the revision", async () => {
    const token = newToken();
    const first = await up(args(token));
    const same = await up(args(token), { prior: first.fakes.produced });
    expect(same.outputs.revision).toBe(first.outputs.revision);

    const rotated = await up(args(newToken()), { prior: same.fakes.produced });
    expect(rotated.outputs.revision).not.toBe(first.outputs.revision);
    expect(rotated.outputs.revision).toMatch(new RegExp(`^${APP}--[a-z0-9]{7}$`));
    const marker = (run: Run) => envOf(run).find((e) => e.name === TOKEN_VERSION_VARIABLE)!.value;
    expect(marker(rotated)).not.toBe(marker(first));
  });
});

describe("AzureTunnelOrigin: a Key Vault secret (vaultUri)", () => {
  it("the token in Key Vault; a user-assigned identity with Key Vault Secrets User on that secret only; the app reads it through the identity", async () => {
    const token = newToken();
    const run = await up(args(token, { vaultUri: VAULT_URI }));
    for (const t of [T.identity, T.secret, T.role, T.app]) expect(UNFAKED).not.toContain(t);
    expect(run.resources.filter((r) => r.custom).map((r) => r.type).sort()).toEqual([T.app, T.identity, T.role, T.secret].sort());

    const kv = one(run.resources, T.secret);
    expect(reveal(kv.inputs)).toMatchObject({ resourceGroupName: "rg-tunnel", vaultName: "kv-acme-tunnel", secretName: `${APP}-token` });
    const kvState = state(run, T.secret, "warehouse-token");
    const identity = state(run, T.identity, "warehouse-identity");

    const roles = ofType(run.resources, T.role);
    expect(roles).toHaveLength(1);
    expect(roles[0]!.name).toMatch(/^warehouse-token-reader-[0-9a-f]{8}$/);
    expect(reveal(roles[0]!.inputs)).toEqual(
      // The scope is the secret itself, not the vault or the group.
      expect.objectContaining({ scope: run.fakes.produced.get(`${T.secret}::warehouse-token`)!.id, roleDefinitionId: KV_SECRETS_USER, principalId: identity.principalId, principalType: "ServicePrincipal" }),
    );
    expect(String(reveal(roles[0]!.inputs.scope))).toMatch(/\/providers\/Microsoft\.KeyVault\/vaults\/kv-acme-tunnel\/secrets\/gl-tunnel-wh-tunnel-token$/);

    const a = appInputs(run);
    const identityId = run.fakes.produced.get(`${T.identity}::warehouse-identity`)!.id;
    expect(a.identity).toEqual({ type: "UserAssigned", userAssignedIdentities: [identityId] });
    expect(a.configuration).not.toHaveProperty("ingress");
    expect(a.configuration.secrets).toEqual([{ name: TUNNEL_TOKEN_SECRET, keyVaultUrl: kvState.properties.secretUriWithVersion, identity: identityId }]);
    expect(envOf(run)[0]).toEqual({ name: "TUNNEL_TOKEN", secretRef: TUNNEL_TOKEN_SECRET });
    // The app reads the secret as it is created: the grant comes first.
    expect(one(run.resources, T.app).dependsOn).toContain(roles[0]!.urn);

    // The token: a secret, in the Key Vault secret's value and nowhere else.
    const found = run.resources.flatMap((r) => occurrences(r.inputs, token).map((o) => ({ ...o, at: r.name })));
    expect(found).toEqual([{ at: "warehouse-token", path: expect.stringMatching(/^properties(\.value)?$/), secret: true }]);
    for (const [, r] of run.fakes.produced) expect(occurrences(r.state, token).filter((o) => !o.secret)).toEqual([]);
    expect(JSON.stringify(run.outputs)).not.toContain(token);
    expect(run.outputs.summary).toMatchObject({ tokenStore: "key-vault" });
  });

  it("a rotated token (next run) is a new Key Vault version, the app's reference pinned to it, and a new revision", async () => {
    const first = await up(args(newToken(), { vaultUri: VAULT_URI }));
    const second = await up(args(newToken(), { vaultUri: VAULT_URI }), { prior: first.fakes.produced });
    const versioned = (run: Run) => String(state(run, T.secret, "warehouse-token").properties.secretUriWithVersion);
    expect(versioned(second)).not.toBe(versioned(first));
    expect(appInputs(second).configuration.secrets[0].keyVaultUrl).toBe(versioned(second));
    expect(envOf(second).find((e) => e.name === TOKEN_VERSION_VARIABLE)!.value).toBe(versioned(second).split("/").pop());
    expect(second.outputs.revision).not.toBe(first.outputs.revision);
  });
});

describe("AzureTunnelOrigin: replicas", () => {
  it("min = max = replicas as configured; one only with the escape hatch (warned); never zero", async () => {
    const three = await up(args(newToken(), {}, { replicas: 3 }));
    expect(appInputs(three).template.scale).toEqual({ minReplicas: 3, maxReplicas: 3 });
    const single = await up(args(newToken(), {}, { replicas: 1, dangerouslyAllowSingleReplica: true }));
    expect(appInputs(single).template.scale).toEqual({ minReplicas: 1, maxReplicas: 1 });
    expect(single.component.findings.map((f) => [f.code, f.path])).toEqual([["WARN_SINGLE_REPLICA", "warehouse: tunnel.replicas"]]);
    for (const tunnel of [{ replicas: 0, dangerouslyAllowSingleReplica: true }, { replicas: 1 }]) {
      const e = await failure(up(args(newToken(), {}, tunnel)));
      expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["warehouse: tunnel.replicas"]);
      expect(e.resources.filter((r) => r.custom)).toEqual([]);
    }
  });
});

describe("AzureTunnelOrigin: refusals", () => {
  it("refused known values throw ConfigError naming `warehouse: <arg>` before any child is registered", async () => {
    const cases: [Partial<AzureTunnelOriginArgs>, Partial<AzureTunnelOriginArgs["tunnel"]>, string][] = [
      [{ resourceGroup: "rg tunnel" }, {}, "warehouse: resourceGroup"],
      [{ containerAppsEnvironmentId: "" }, {}, "warehouse: containerAppsEnvironmentId"],
      [{ vaultUri: "https://vault.example.com/" }, {}, "warehouse: vaultUri"],
      [{}, { endpoint: "http://orders.acme.example:8080" }, "warehouse: tunnel.endpoint"],
    ];
    for (const [over, tunnel, path] of cases) {
      const e = await failure(up(args(newToken(), over, tunnel)));
      const err = e.cause as ConfigError;
      expect(err).toBeInstanceOf(ConfigError);
      expect(err.issues.map((i) => i.path)).toEqual([path]);
      expect(e.resources.filter((r) => r.custom)).toEqual([]);
    }
  });

  it("an Output environment ID resolving to a refused value fails the run, and the app is never created", async () => {
    const e = await failure(up(args(newToken(), { containerAppsEnvironmentId: pulumi.output("") })));
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["warehouse: containerAppsEnvironmentId"]);
    expect(ofType(e.resources, T.app)).toEqual([]);
  });

  it("an Output vaultUri resolving to something not a Key Vault fails the run: no secret, no app", async () => {
    const e = await failure(up(args(newToken(), { vaultUri: pulumi.output("https://vault.example.com/") })));
    expect(e.cause).toBeInstanceOf(ConfigError);
    expect((e.cause as ConfigError).issues.map((i) => i.path)).toEqual(["warehouse: vaultUri"]);
    expect(ofType(e.resources, T.secret)).toEqual([]);
    expect(ofType(e.resources, T.app)).toEqual([]);
  });

  it("Output environment ID and vaultUri that pass reach the app and the vault", async () => {
    const run = await up(args(newToken(), { containerAppsEnvironmentId: pulumi.output(ENV_ID), vaultUri: pulumi.output(VAULT_URI) }));
    expect(appInputs(run).environmentId).toBe(ENV_ID);
    expect(reveal(one(run.resources, T.secret).inputs.vaultName)).toBe("kv-acme-tunnel");
  });
});

describe("keyVaultName (pure)", () => {
  it("takes the vault's name from its URI, in every cloud; nothing else", () => {
    expect(keyVaultName("https://kv-acme-tunnel.vault.azure.net/")).toBe("kv-acme-tunnel");
    expect(keyVaultName("https://kv-acme.vault.azure.net")).toBe("kv-acme");
    expect(keyVaultName("https://kv-acme.vault.usgovcloudapi.net/")).toBe("kv-acme");
    for (const bad of ["http://kv-acme.vault.azure.net/", "https://kv-acme.vault.azure.net.evil.example/", "https://vault.example.com/", "https://kv.vault.azure.net/secrets/x"]) expect(keyVaultName(bad)).toBeUndefined();
  });
});

describe("the Container App fake (as Azure Resource Manager)", () => {
  const base = {
    resourceGroupName: "rg",
    containerAppName: "gl-tunnel-x",
    environmentId: ENV_ID,
    configuration: { secrets: [{ name: "tunnel-token", value: "x" }] },
    template: { containers: [{ name: "c", image: DIGEST, env: [{ name: "TUNNEL_TOKEN", secretRef: "tunnel-token" }] }], scale: { minReplicas: 2, maxReplicas: 2 } },
  };
  const create = (inputs: Record<string, unknown>, cloud = new FakeCloud()) => cloud.newResource({ type: T.app, name: "app", inputs, custom: true });

  it("refuses what Azure refuses: a secretRef to no secret, a Key Vault secret through an unassigned identity, min above max, a bad name", () => {
    const refused = [
      { template: { ...base.template, containers: [{ name: "c", image: DIGEST, env: [{ name: "TUNNEL_TOKEN", secretRef: "other" }] }] } },
      { configuration: { secrets: [{ name: "tunnel-token", keyVaultUrl: "https://kv.vault.azure.net/secrets/t", identity: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ManagedIdentity/userAssignedIdentities/i" }] } },
      { template: { ...base.template, scale: { minReplicas: 3, maxReplicas: 2 } } },
      { containerAppName: "gl--tunnel" },
      { environmentId: "/subscriptions/s/resourceGroups/rg/providers/Microsoft.Web/sites/x" },
    ];
    for (const over of refused) expect(() => create({ ...base, ...over })).toThrow(ResourceRefusedError);
    expect(() => create(base)).not.toThrow();
  });

  it("a secret change alone keeps the revision (secrets are app-scoped); a template change makes a new one; secret values are never returned", () => {
    const first = new FakeCloud();
    const a = create(base, first);
    expect(JSON.stringify(a.state.configuration)).not.toContain('"value"');
    const secretOnly = create({ ...base, configuration: { secrets: [{ name: "tunnel-token", value: "y" }] } }, new FakeCloud({ prior: first.produced }));
    expect(secretOnly.state.latestRevisionName).toBe(a.state.latestRevisionName);
    const template = create({ ...base, template: { ...base.template, scale: { minReplicas: 3, maxReplicas: 3 } } }, new FakeCloud({ prior: first.produced }));
    expect(template.state.latestRevisionName).not.toBe(a.state.latestRevisionName);
    // Without ingress, no FQDN; with it, one.
    expect(a.state.latestRevisionFqdn).toBe("");
    expect(create({ ...base, configuration: { ...base.configuration, ingress: { external: false, targetPort: 80 } } }).state.latestRevisionFqdn).not.toBe("");
  });
});
