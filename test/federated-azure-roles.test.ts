/**
 * Federated identity on Azure, issue 6 items 4 and 5: the role the gateway's identity gets is
 * judged against an allowlist of data-plane roles (anything else needs
 * `dangerouslyAllowUnlistedRole`, and roles that manage access, resources or keys are refused
 * even with it); the scope is normalised before it is classed, and dot segments, encoded
 * separators, backslashes, control characters and whitespace are refused outright.
 *
 * Configs go through `buildModel`, as in test/federated-azure.test.ts, so each refusal is
 * checked with its exact code and key, and nothing else is reported.
 */
import { describe, expect, it } from "vitest";
import { ADMIN_ROLES, DATA_PLANE_ROLES, isListedRole, normaliseScope, resolveRole, UNLISTED_KNOWN_ROLES } from "../components/documents/azure-roles";
import { ConfigError } from "../components/errors";
import { AzureFederatedConfig, type AzureFederatedTarget } from "../components/model/federated/azure";
import { buildModel, type FederatedOrigin } from "../components/model/model";
import { gateway } from "./fixtures/configs";

/** The same fixture as test/federated-azure.test.ts: FakeCloud's subscription, Zuplo subjects. */
const SUB = "6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b";
const RG = `/subscriptions/${SUB}/resourceGroups/rg-data`;
const STORAGE = `${RG}/providers/Microsoft.Storage/storageAccounts/acmereports`;
const PROD = "atcl_2bX9kQ7mP4vR8sT1wY5z";
const PREVIEW = "atcl_7hJ3nL5cW9yZ2aD6fG8k";
const I_ID = "gatelock:origins[0]";
const HATCH = { dangerouslyAllowUnlistedRole: true };
/** A GUID that is no built-in role: stands for a custom role. */
const CUSTOM = "3f1c2a9e-7b4d-4c8a-9e2f-5a6b7c8d9e0f";

function azureFederatedOrigin(azure: object = {}) {
  return {
    name: "reports",
    method: "federated",
    cloud: "azure",
    url: "https://reports.acme.example",
    federated: { subjects: [PROD, PREVIEW] },
    azure: { resourceGroup: "rg-gateway", location: "westeurope", role: "Storage Blob Data Reader", scope: STORAGE, ...azure },
  };
}

function cfg(azure: object = {}) {
  return structuredClone({ gateway, origins: [azureFederatedOrigin(azure)] });
}

function target(azure: object = {}): AzureFederatedTarget {
  const o = buildModel(cfg(azure), { stack: "prod" }).origins[0] as FederatedOrigin;
  if (o.target.cloud !== "azure") throw new Error("not azure");
  return o.target;
}

function refuse(raw: unknown): ConfigError {
  try {
    buildModel(raw, { stack: "prod" });
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error("expected the config to be refused");
}

/** Exactly these (code, path) pairs, each with a fix. */
function expectIssues(raw: unknown, expected: [code: string, path: string][]) {
  const err = refuse(raw);
  expect(err.issues.map((i) => [i.code, i.path]).sort()).toEqual([...expected].sort());
  for (const i of err.issues) expect(i.fix, `${i.path} has a fix`).toBeTruthy();
  return err;
}

function warnings(azure: object) {
  return buildModel(cfg(azure), { stack: "prod" }).findings.filter((f) => f.path.startsWith(`${I_ID}.azure`));
}

describe("azure roles: management roles that passed by GUID are refused, and named", () => {
  // The attack review's four: each passed the old denylist when given by GUID.
  const REVIEWED = [
    ["17d1049b-9a84-46fb-8f53-869881c3d3ab", "Storage Account Contributor", "https://storage.azure.com"],
    ["00482a5a-887f-4fb3-b363-3b7fe8e74483", "Key Vault Administrator", "https://vault.azure.net"],
    ["8b54135c-b56d-4d72-a534-26097cfdc8d8", "Key Vault Data Access Administrator", "https://vault.azure.net"],
    ["de139f84-1756-47ae-9be6-808fbbe84772", "Website Contributor", "api://reports-api"],
  ] as const;

  it.each(REVIEWED)("refuses %s (%s) at azure.role with ERR_TRUST_UNSAFE, naming the role", (guid, name, resource) => {
    const err = expectIssues(cfg({ role: guid, resource }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
    expect(err.issues[0]!.message).toContain(`\`${name}\``);
    expect(err.issues[0]!.fix).toMatch(/data-plane role/);
  });

  it.each(REVIEWED)("refuses %s (%s) by subscription role definition ID and upper-case GUID too", (guid, name, resource) => {
    const id = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`;
    for (const role of [id, guid.toUpperCase()]) {
      const err = expectIssues(cfg({ role, resource }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
      expect(err.issues[0]!.message).toContain(`\`${name}\``);
    }
  });
});

/**
 * The allowlist, pinned here as verified against Microsoft's built-in roles reference
 * (MicrosoftDocs/azure-docs, articles/role-based-access-control/built-in-roles.md): a GUID
 * changed by mistake in the source fails this test.
 */
const ALLOWLIST: readonly (readonly [name: string, guid: string, resource: string])[] = [
  ["Storage Blob Data Reader", "2a2b9908-6ea1-4ae2-8e65-a410df84e7d1", "https://storage.azure.com"],
  ["Storage Blob Data Contributor", "ba92f5b4-2d11-453d-a403-e96b0029c9fe", "https://storage.azure.com"],
  ["Storage Queue Data Reader", "19e7f393-937e-4f77-808e-94535e297925", "https://storage.azure.com"],
  ["Storage Queue Data Message Sender", "c6a89b2d-59bc-44d0-9896-0f6e12d7b80a", "https://storage.azure.com"],
  ["Storage Queue Data Message Processor", "8a0f0c08-91a1-4084-bc3d-661d67233fed", "https://storage.azure.com"],
  ["Storage Queue Data Contributor", "974c5e8b-45b9-4653-ba55-5f855dd0fb88", "https://storage.azure.com"],
  ["Storage Table Data Reader", "76199698-9eea-4c19-bc75-cec21354c6b6", "https://storage.azure.com"],
  ["Storage Table Data Contributor", "0a9a7e1f-b9d0-4cc4-a60d-0319b160aaa3", "https://storage.azure.com"],
  ["Azure Service Bus Data Sender", "69a216fc-b8fb-44d8-bc22-1f3c2cd27a39", "https://servicebus.azure.net"],
  ["Azure Service Bus Data Receiver", "4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0", "https://servicebus.azure.net"],
  ["Azure Event Hubs Data Sender", "2b629674-e913-4c01-ae53-ef4638d8f975", "https://eventhubs.azure.net"],
  ["Azure Event Hubs Data Receiver", "a638d3c7-ab3a-418d-83e6-5f17a39d4fde", "https://eventhubs.azure.net"],
  ["EventGrid Data Sender", "d5a91429-5739-47e2-a06b-3470a27159e7", "https://eventgrid.azure.net"],
  ["Azure Relay Sender", "26baccc8-eea7-41f1-98f4-1762cc7f685d", "https://relay.azure.net"],
  ["Cognitive Services OpenAI User", "5e0bd9bd-7b93-4f28-af87-19fc36ad61bd", "https://cognitiveservices.azure.com"],
  ["Search Index Data Reader", "1407120a-92aa-4202-b7e9-c0e197c71c8f", "https://search.azure.com"],
  ["Search Index Data Contributor", "8ebe5a00-799e-43f5-93ac-243d3dce84a7", "https://search.azure.com"],
  ["Key Vault Secrets User", "4633458b-17de-408a-b874-0445c86b69e6", "https://vault.azure.net"],
  ["Key Vault Certificate User", "db79e9a7-68ee-4b58-9aeb-b90e7c24fcba", "https://vault.azure.net"],
  ["Key Vault Crypto User", "12338af0-0e69-4776-bea7-57ae8d297424", "https://vault.azure.net"],
  ["App Configuration Data Reader", "516239f1-63e1-4d78-a4de-a74fb236a071", "https://azconfig.io"],
  ["Azure Maps Data Reader", "423170ca-a8f6-4b0f-8487-9e4eb8f49bfa", "https://atlas.microsoft.com"],
  ["Azure Maps Search and Render Data Reader", "6be48352-4f82-47c9-ad5e-0acacefdb005", "https://atlas.microsoft.com"],
];

describe("azure roles: the allowlist", () => {
  it("is exactly the verified data-plane reader, writer and invoker roles, each with its token resource", () => {
    expect(DATA_PLANE_ROLES.map((r) => [r.name, r.guid, r.resource])).toEqual(ALLOWLIST.map((r) => [...r]));
    for (const [name, guid] of ALLOWLIST) expect(isListedRole(guid) && isListedRole(guid.toUpperCase()), name).toBe(true);
  });

  it("keeps the three tables disjoint: every GUID and every name appears once", () => {
    const all = [...DATA_PLANE_ROLES, ...ADMIN_ROLES, ...UNLISTED_KNOWN_ROLES];
    expect(new Set(all.map((r) => r.guid)).size).toBe(all.length);
    expect(new Set(all.map((r) => r.name.toLowerCase())).size).toBe(all.length);
    for (const r of [...ADMIN_ROLES, ...UNLISTED_KNOWN_ROLES]) expect(isListedRole(r.guid), r.name).toBe(false);
  });

  it("accepts every allowlisted role by name (any case), with its token resource", () => {
    for (const [name, guid, resource] of ALLOWLIST) {
      for (const role of [name, name.toLowerCase()]) {
        const t = target({ role });
        expect(t.role, role).toEqual({ guid, name, definitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}` });
        expect(t.resource, role).toBe(resource);
        expect(t.tokenScope, role).toBe(`${resource}/.default`);
      }
    }
  });

  it("accepts every allowlisted role by GUID (any case), taking the token resource from the role", () => {
    for (const [name, guid, resource] of ALLOWLIST) {
      for (const role of [guid, guid.toUpperCase()]) {
        const t = target({ role });
        expect(t.role.name, role).toBe(name);
        expect(t.tokenScope, role).toBe(`${resource}/.default`);
      }
    }
  });

  it("accepts every allowlisted role by tenant or subscription role definition ID", () => {
    for (const [, guid, resource] of ALLOWLIST) {
      for (const role of [`/providers/Microsoft.Authorization/roleDefinitions/${guid}`, `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${guid}`]) {
        const t = target({ role });
        expect(t.role.guid, role).toBe(guid);
        expect(t.resource, role).toBe(resource);
      }
    }
  });

  it("reports no role warning for an allowlisted role, with or without the hatch", () => {
    for (const azure of [{ role: "Storage Queue Data Message Sender" }, { role: "Azure Event Hubs Data Receiver", ...HATCH }]) {
      expect(warnings(azure).filter((w) => w.code === "WARN_UNLISTED_ROLE")).toEqual([]);
    }
  });
});

describe("azure roles: anything else needs dangerouslyAllowUnlistedRole", () => {
  it("refuses an unknown GUID without the hatch, saying gatelock does not know it and never echoing it", () => {
    const err = expectIssues(cfg({ role: CUSTOM, resource: "api://reports-api" }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
    const issue = err.issues[0]!;
    expect(issue.message).toMatch(/not one gatelock knows/);
    expect(issue.fix).toContain("dangerouslyAllowUnlistedRole");
    expect(`${issue.message} ${issue.fix} ${err.message}`).not.toContain(CUSTOM);
  });

  it("refuses an unknown role definition ID without the hatch", () => {
    const role = `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM}`;
    expectIssues(cfg({ role, resource: "api://reports-api" }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
  });

  it("accepts an unknown GUID with the hatch, with a WARN_UNLISTED_ROLE finding at azure.role", () => {
    const azure = { role: CUSTOM, resource: "api://reports-api", ...HATCH };
    const t = target(azure);
    expect(t.role).toEqual({ guid: CUSTOM, definitionId: `/subscriptions/${SUB}/providers/Microsoft.Authorization/roleDefinitions/${CUSTOM}` });
    expect(t.tokenScope).toBe("api://reports-api/.default");
    const w = warnings(azure).filter((f) => f.code === "WARN_UNLISTED_ROLE");
    expect(w).toEqual([expect.objectContaining({ severity: "warning", path: `${I_ID}.azure.role`, code: "WARN_UNLISTED_ROLE" })]);
    expect(w[0]!.message).toMatch(/does not know this role/);
    expect(w[0]!.message).not.toContain(CUSTOM);
  });

  it("still needs `resource` for an unknown GUID with the hatch", () => {
    expectIssues(cfg({ role: CUSTOM, ...HATCH }), [["ERR_CONFIG_INVALID", `${I_ID}.azure.resource`]]);
  });

  it.each([
    ["Azure Service Bus Data Owner", "https://servicebus.azure.net"],
    ["Key Vault Secrets Officer", "https://vault.azure.net"],
    ["Reader", undefined],
  ])("refuses the known unlisted role %s by name, naming it, and accepts it with the hatch and a warning", (name, resource) => {
    const known = UNLISTED_KNOWN_ROLES.find((r) => r.name === name)!;
    const extra = resource ? {} : { resource: "https://management.azure.com" };
    for (const role of [name, known.guid]) {
      const err = expectIssues(cfg({ role, ...extra }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
      expect(err.issues[0]!.message).toContain(`\`${name}\``);
      expect(err.issues[0]!.message).toMatch(/not on gatelock's allowlist/);
    }
    const azure = { role: name, ...extra, ...HATCH };
    const t = target(azure);
    expect(t.role.name).toBe(name);
    expect(t.resource).toBe(resource ?? "https://management.azure.com");
    expect(warnings(azure)).toEqual([expect.objectContaining({ code: "WARN_UNLISTED_ROLE", path: `${I_ID}.azure.role`, message: expect.stringContaining(`\`${name}\``) })]);
  });

  it("declares the hatch in the schema, off by default, described as an escape hatch", () => {
    const field = AzureFederatedConfig.shape.dangerouslyAllowUnlistedRole;
    expect(field.description).toMatch(/^Escape hatch/);
    expect(AzureFederatedConfig.parse({ resourceGroup: "rg", location: "westeurope", role: "Storage Blob Data Reader", scope: STORAGE }).dangerouslyAllowUnlistedRole).toBe(false);
    // A schema error: it says what was expected rather than carrying a fix.
    expect(refuse(cfg({ dangerouslyAllowUnlistedRole: "yes" })).issues.map((i) => [i.code, i.path])).toEqual([["ERR_CONFIG_INVALID", `${I_ID}.azure.dangerouslyAllowUnlistedRole`]]);
  });
});

describe("azure roles: management and administration roles stay refused even with the hatch", () => {
  it.each([
    "Owner",
    "Contributor",
    "User Access Administrator",
    "Role Based Access Control Administrator",
    "Key Vault Administrator",
    "Key Vault Data Access Administrator",
    "Storage Account Contributor",
    "Website Contributor",
    "Cognitive Services User",
    "Storage Blob Data Owner",
    "Managed Identity Operator",
  ])("refuses %s by name and by GUID with dangerouslyAllowUnlistedRole: true", (name) => {
    const admin = ADMIN_ROLES.find((r) => r.name === name)!;
    expect(admin, name).toBeDefined();
    for (const role of [name, admin.guid]) {
      const err = expectIssues(cfg({ role, resource: "api://reports-api", ...HATCH }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.role`]]);
      expect(err.issues[0]!.message).toContain(`\`${name}\``);
      expect(err.issues[0]!.message).toMatch(/dangerouslyAllowUnlistedRole` does not allow it/);
    }
  });

  it("resolves management roles, by name or GUID, to a refusal that names them", () => {
    const verified = [
      ["Storage Account Contributor", "17d1049b-9a84-46fb-8f53-869881c3d3ab"],
      ["Key Vault Administrator", "00482a5a-887f-4fb3-b363-3b7fe8e74483"],
      ["Key Vault Data Access Administrator", "8b54135c-b56d-4d72-a534-26097cfdc8d8"],
      ["Website Contributor", "de139f84-1756-47ae-9be6-808fbbe84772"],
      ["Key Vault Contributor", "f25e0fa2-a7c8-4377-a976-54943a77a395"],
      ["Storage Account Key Operator Service Role", "81a9662b-bebf-436f-a333-f67b29880f12"],
      ["Cognitive Services User", "a97b65f3-24c7-4388-baec-2e87135dc908"],
      ["Managed Identity Contributor", "e40ec5ca-96e0-45a2-b4ff-59039f2c2b59"],
    ] as const;
    for (const [name, guid] of verified) {
      expect(resolveRole(name)).toEqual({ ok: false, problem: "admin", name });
      expect(resolveRole(guid.toUpperCase())).toEqual({ ok: false, problem: "admin", name });
    }
    for (const r of ADMIN_ROLES) expect(resolveRole(r.guid)).toEqual({ ok: false, problem: "admin", name: r.name });
  });
});

describe("azure scope: normalised first; dot segments and encoded separators refused", () => {
  const ACCOUNT = `${RG}/providers/Microsoft.Storage/storageAccounts/acmereports`;

  it.each([
    [`${RG}/providers/Microsoft.Storage/../../../..`, "`..` climbing from a provider namespace to the subscription"],
    [`${ACCOUNT}/../../../../..`, "`..` after the resource name"],
    [`${RG}/..`, "`..` after a resource group"],
    [`/subscriptions/${SUB}/resourceGroups/..`, "`..` as the resource group name"],
    [`${ACCOUNT}/./blobServices/default`, "a `.` segment"],
    [`${ACCOUNT}/.`, "a trailing `.`"],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/acmereports%2F..%2F..%2F..%2F..`, "`%2F..`"],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/acmereports%2f..%2f..`, "lower-case `%2f`"],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/acmereports%252F..%252F..`, "double-encoded `%252F`"],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/acmereports%25252F..`, "triple-encoded `%25252F`"],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/acme%5Creports`, "`%5C`"],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/acme%5creports`, "lower-case `%5c`"],
    [`${RG}/providers/Microsoft.Storage/storageAccounts/acme%255Creports`, "double-encoded `%255C`"],
    [`${RG}/providers/Microsoft.Storage/%2E%2E/%2e%2e/%2E./.%2e`, "percent-encoded dot segments"],
    [`${RG}/providers/Microsoft.Storage/%252E%252E/%252e%252e/x/y`, "double-encoded dot segments"],
    [`${RG}/providers/Microsoft.Storage/\uFF0E\uFF0E/\uFF0E\uFF0E/x/y`, "full-width dots"],
    [`${RG}\\providers\\Microsoft.Storage\\storageAccounts\\acmereports`, "backslashes"],
    [`${ACCOUNT}\\..\\..`, "backslash dot segments"],
    [`${ACCOUNT} `, "a trailing space"],
    [`${ACCOUNT}%20`, "an encoded space"],
    [`${ACCOUNT}%0A`, "an encoded line feed"],
    [`${ACCOUNT}\u0000`, "a NUL"],
    [`${ACCOUNT}%00`, "an encoded NUL"],
    [`${ACCOUNT}\t/blobServices/default`, "a tab"],
    [`${ACCOUNT}%`, "a stray `%`"],
    [`${ACCOUNT}%zz`, "an invalid escape"],
    [`${ACCOUNT}%FF`, "an escape that is not UTF-8"],
  ])("refuses %s (%s) with ERR_TRUST_UNSAFE at azure.scope and nothing else, never echoing it", (scope) => {
    const err = expectIssues(cfg({ scope }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.scope`]]);
    const text = `${err.issues[0]!.message} ${err.issues[0]!.fix} ${err.message}`;
    expect(text).not.toContain("acmereports");
    expect(text).not.toContain(SUB);
  });

  it("normalises before classing: duplicate and trailing slashes collapse, and the translator gets the normalised scope", () => {
    expect(target({ scope: `/${ACCOUNT.replace(/\//g, "//")}//` }).scope).toBe(ACCOUNT);
    expect(target({ scope: `${ACCOUNT}/` }).scope).toBe(ACCOUNT);
    // Gratuitous percent-encoding of unreserved letters is decoded: the role assignment gets the plain ID.
    expect(target({ scope: `${RG}/providers/Microsoft.Storage/storageAccounts/acme%72%65ports` }).scope).toBe(ACCOUNT);
    expect(target({ scope: `/%73ubscriptions/${SUB}/resourceGroups/rg-data/providers/Microsoft.Storage/storageAccounts/acmereports` }).scope).toBe(ACCOUNT);
  });

  it("classes a percent-encoded subscription scope as the subscription, and refuses it", () => {
    for (const scope of [`/%73ubscriptions/${SUB}`, `//subscriptions//${SUB}//`, `/subscriptions/${SUB.replace(/a/g, "%61")}`]) {
      const err = expectIssues(cfg({ scope }), [["ERR_TRUST_UNSAFE", `${I_ID}.azure.scope`]]);
      expect(err.issues[0]!.message).toMatch(/whole subscription/);
    }
  });

  it("normaliseScope: decodes layer by layer, collapses slashes, strips the trailing one, and names each refusal", () => {
    expect(normaliseScope(`${ACCOUNT}//`)).toEqual({ ok: true, scope: ACCOUNT });
    expect(normaliseScope("/")).toEqual({ ok: true, scope: "/" });
    expect(normaliseScope("//")).toEqual({ ok: true, scope: "/" });
    expect(normaliseScope(`${RG}/providers/Microsoft.Storage/storageAccounts/acme%2572eports`)).toEqual({ ok: true, scope: ACCOUNT });
    expect(normaliseScope(`${ACCOUNT}%2F..`)).toEqual({ ok: false, problem: "encoded-separator" });
    expect(normaliseScope(`${ACCOUNT}%252f..`)).toEqual({ ok: false, problem: "encoded-separator" });
    expect(normaliseScope(`${ACCOUNT}/..`)).toEqual({ ok: false, problem: "dot-segment" });
    expect(normaliseScope(`${ACCOUNT}/%2e`)).toEqual({ ok: false, problem: "dot-segment" });
    expect(normaliseScope(`${ACCOUNT}\\x`)).toEqual({ ok: false, problem: "backslash" });
    expect(normaliseScope(`${ACCOUNT}\n`)).toEqual({ ok: false, problem: "control-or-space" });
    expect(normaliseScope(`${ACCOUNT}%09`)).toEqual({ ok: false, problem: "control-or-space" });
    expect(normaliseScope(`${ACCOUNT}%`)).toEqual({ ok: false, problem: "bad-encoding" });
    // Five layers of encoding around one letter: more than gatelock undoes.
    expect(normaliseScope(`${ACCOUNT}x%2525252541`)).toEqual({ ok: false, problem: "bad-encoding" });
    // Names with dots that are not dot segments stay.
    expect(normaliseScope(`${RG}/providers/Microsoft.Web/sites/app.v2/slots/...`)).toEqual({ ok: true, scope: `${RG}/providers/Microsoft.Web/sites/app.v2/slots/...` });
  });
});
