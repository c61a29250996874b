/**
 * The shared-secret method end to end under the mock engine, on every cloud: generated,
 * stored, readable only by the configured readers, wired into the gateway as a secret,
 * absent from everything printed, and rotated without losing the previous value.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { render } from "../components/audit/render";
import { runAudit } from "../components/audit/report";
import { KEY_VAULT_SECRETS_USER } from "../components/azure/shared-secret-origin";
import { createSharedSecretVerifier, fromStatic } from "../components/origin";
import { decodeSecretDocument, encodeSecretDocument } from "../components/shared-secret/document";
import { AWS_ROLE, AZURE_PRINCIPAL, awsOrigin, azureOrigin, config, GCP_SA, gcpOrigin } from "./fixtures/configs";
import { isSecretValue, ofType, one, plainStrings, type ProgramRun, type RecordedResource, resolve, reveal, runProgram } from "./harness";

const DAY = 24 * 60 * 60 * 1000;

interface CloudCase {
  cloud: string;
  origin: object;
  /** Type and input key where the origin's store receives the document. */
  store: { type: string; key: (inputs: Record<string, unknown>) => unknown };
  /** Asserts the store is readable by exactly the configured readers, and nothing broader. */
  readers: (resources: readonly RecordedResource[]) => void;
}

const cases: CloudCase[] = [
  {
    cloud: "aws",
    origin: awsOrigin,
    store: { type: "aws:secretsmanager/secretVersion:SecretVersion", key: (i) => i.secretString },
    readers: (rs) => {
      const policy = JSON.parse(String(one(rs, "aws:secretsmanager/secretPolicy:SecretPolicy").inputs.policy));
      const allows = policy.Statement.filter((s: any) => s.Effect === "Allow");
      expect(allows).toHaveLength(1);
      expect(allows[0].Principal).toEqual({ AWS: [AWS_ROLE] });
      expect(allows[0].Action).toEqual(["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]);
      expect(one(rs, "aws:secretsmanager/secretPolicy:SecretPolicy").inputs.blockPublicPolicy).toBe(true);
      // The policy is attached to the gatelock secret, not another one.
      const secret = one(rs, "aws:secretsmanager/secret:Secret");
      expect(secret.inputs.name).toBe("gatelock/test/orders/shared-secret");
      expect(secret.inputs.region).toBe("us-east-1");
    },
  },
  {
    cloud: "gcp",
    origin: gcpOrigin,
    store: { type: "gcp:secretmanager/secretVersion:SecretVersion", key: (i) => i.secretData },
    readers: (rs) => {
      const members = ofType(rs, "gcp:secretmanager/secretIamMember:SecretIamMember");
      expect(members.map((m) => [m.inputs.role, m.inputs.member, m.inputs.secretId])).toEqual([
        ["roles/secretmanager.secretAccessor", `serviceAccount:${GCP_SA}`, "gatelock-test-billing-shared-secret"],
      ]);
      // No project-level grant: access is on the one secret only.
      expect(rs.some((r) => r.type.startsWith("gcp:projects/"))).toBe(false);
    },
  },
  {
    cloud: "azure",
    origin: azureOrigin,
    // The secret is `properties.value`; its content type beside it is not secret.
    store: { type: "azure-native:keyvault:Secret", key: (i) => (i.properties as Record<string, unknown>).value },
    readers: (rs) => {
      const secret = one(rs, "azure-native:keyvault:Secret");
      expect(secret.inputs).toMatchObject({ vaultName: "kv-acme-users", resourceGroupName: "rg-users" });
      const assignments = ofType(rs, "azure-native:authorization:RoleAssignment");
      expect(assignments).toHaveLength(1);
      const a = assignments[0]!.inputs;
      expect(a.principalId).toBe(AZURE_PRINCIPAL);
      expect(a.principalType).toBe("ServicePrincipal");
      // Scoped to the secret itself, not the vault or the resource group.
      expect(String(a.scope)).toMatch(/\/providers\/Microsoft\.KeyVault\/vaults\/kv-acme-users\/secrets\/gatelock-test-users-shared-secret$/);
      expect(String(a.roleDefinitionId)).toMatch(new RegExp(`^/subscriptions/[0-9a-f-]{36}/providers/Microsoft.Authorization/roleDefinitions/${KEY_VAULT_SECRETS_USER}$`));
    },
  },
];

/** The store's document, decoded. */
function storedDocument(run: ProgramRun, c: CloudCase) {
  const input = c.store.key(one(run.resources, c.store.type).inputs);
  expect(isSecretValue(input)).toBe(true);
  const plain = reveal(input) as unknown;
  return decodeSecretDocument(typeof plain === "string" ? plain : String((plain as any).value));
}

function gatewayValue(run: ProgramRun, variable: string): { value: string; input: unknown } {
  const v = ofType(run.resources, "pulumi-nodejs:dynamic/gatelock:ZuploVariable").find((r) => r.inputs.name === variable);
  if (!v) throw new Error(`no gateway variable ${variable}`);
  return { value: String(reveal(v.inputs.value)), input: v.inputs };
}

describe.each(cases)("shared secret on $cloud", (c) => {
  const variable = `${(c.origin as any).name.toUpperCase()}_SHARED_SECRET`;

  it("generates a strong header-safe secret, stores it, and gives the same one to the gateway", async () => {
    const run = await runProgram(config(c.origin));
    const passwords = ofType(run.resources, "random:index/randomPassword:RandomPassword");
    expect(passwords).toHaveLength(2);
    for (const p of passwords) expect(p.inputs).toMatchObject({ length: 48, special: true, overrideSpecial: "-_" });

    const { value, input } = gatewayValue(run, variable);
    expect(value).toMatch(/^[A-Za-z0-9_-]{48}$/);
    expect(input).toMatchObject({ isSecret: true, account: "acme", project: "orders-api", branch: "main", apiUrl: "https://dev.zuplo.com" });
    expect(isSecretValue((input as any).value)).toBe(true);

    const doc = storedDocument(run, c);
    expect(doc.current).toBe(value);
    expect(doc.previous).toBeUndefined();
  });

  it("grants read access to the configured readers and nothing broader", async () => {
    const run = await runProgram(config(c.origin));
    c.readers(run.resources);
  });

  it("writes the gateway variable only after the origin's store accepts the secret", async () => {
    const run = await runProgram(config(c.origin));
    const store = one(run.resources, c.store.type);
    const v = ofType(run.resources, "pulumi-nodejs:dynamic/gatelock:ZuploVariable").find((r) => r.inputs.name === variable)!;
    expect(v.dependsOn).toContain(store.urn);
  });

  it("keeps the secret out of plain outputs, component inputs and the audit", async () => {
    const run = await runProgram(config(c.origin));
    const { value } = gatewayValue(run, variable);
    const doc = storedDocument(run, c);

    // Stack outputs: no secret anywhere.
    expect(JSON.stringify(run.outputs)).not.toContain(value);
    // Components receive no inputs at all; custom resources hold it only as a Pulumi secret.
    for (const r of run.resources.filter((x) => !x.custom)) expect(r.inputs).toEqual({});
    for (const r of run.resources) {
      for (const s of plainStrings(r.inputs)) {
        expect(s.includes(value), `${r.type} ${r.name} holds the secret in plain text`).toBe(false);
      }
    }
    // The gateway environment hands values on only as a secret.
    expect(await pulumi.isSecret(run.deployment.environment.values)).toBe(true);
    expect((await resolve(run.deployment.environment.values))[variable]).toBe(value);
    expect(doc.current).toBe(value);
  });
});

describe("the offline audit never prints a secret", () => {
  it.each(["json", "markdown", "mermaid"] as const)("%s", async (format) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-audit-"));
    fs.copyFileSync(path.join(__dirname, "../Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.mkdirSync(path.join(dir, "stacks"));
    const yaml = `config:\n  gatelock:gateway: ${JSON.stringify(config().gateway)}\n  gatelock:origins: ${JSON.stringify([awsOrigin, gcpOrigin, azureOrigin])}\n`;
    fs.writeFileSync(path.join(dir, "stacks/Pulumi.leak.yaml"), yaml);
    const secrets: string[] = [];
    const report = await runAudit({
      projectDir: dir,
      stack: "leak",
      observe: (rs) => {
        for (const r of rs.filter((x) => x.type.endsWith("ZuploVariable") && x.inputs.isSecret)) secrets.push(String(reveal(r.inputs.value)));
      },
    });
    expect(secrets).toHaveLength(3);
    const text = render(report, format);
    for (const s of secrets) expect(text).not.toContain(s);
    if (format === "json") expect(text).toContain('"[secret]"');
    expect(report.findings.filter((f) => f.code === "ERR_SECRET_IN_OUTPUT")).toEqual([]);
  });
});

describe("rotation without downtime, across deployments", () => {
  it.each(cases)("$cloud: the gateway gets the new secret, the origin accepts both until the previous retires", async (c) => {
    const variable = `${(c.origin as any).name.toUpperCase()}_SHARED_SECRET`;
    const t0 = Date.parse("2026-03-01T00:00:00Z");
    const first = await runProgram(config(c.origin), { fakes: { now: () => new Date(t0) } });
    const before = gatewayValue(first, variable).value;

    // Nothing due: a second deployment changes nothing.
    const same = await runProgram(config(c.origin), { fakes: { now: () => new Date(t0 + 10 * DAY), prior: first.fakes.produced } });
    expect(gatewayValue(same, variable).value).toBe(before);

    // 90 days later the rotation is due.
    const rotated = await runProgram(config(c.origin), { fakes: { now: () => new Date(t0 + 90 * DAY), prior: same.fakes.produced } });
    const after = gatewayValue(rotated, variable).value;
    expect(after).not.toBe(before);
    const doc = storedDocument(rotated, c);
    expect(doc).toMatchObject({ current: after, previous: before, previousRetiresAt: new Date(t0 + 104 * DAY).toISOString() });

    // What the origin's verifier (gatelock/origin) makes of the stored document, mid-overlap.
    const verifier = createSharedSecretVerifier({ source: fromStatic(encodeSecretDocument(doc)), now: () => new Date(t0 + 95 * DAY) });
    expect(await verifier.verify(after)).toEqual({ ok: true, matched: "current" });
    expect(await verifier.verify(before)).toEqual({ ok: true, matched: "previous" });
    expect(await verifier.verify(`${before}x`)).toMatchObject({ ok: false });

    // After the overlap (14 days by default) only the new one is accepted.
    const retired = await runProgram(config(c.origin), { fakes: { now: () => new Date(t0 + 105 * DAY), prior: rotated.fakes.produced } });
    expect(storedDocument(retired, c)).toEqual({ version: 1, current: after });
    expect(gatewayValue(retired, variable).value).toBe(after);
  });

  it("a forced rotation (rotation: 1) rotates at once", async () => {
    const first = await runProgram(config(awsOrigin));
    const before = gatewayValue(first, "ORDERS_SHARED_SECRET").value;
    const forcedConfig = config({ ...awsOrigin, sharedSecret: { ...awsOrigin.sharedSecret, rotation: 1 } });
    const forced = await runProgram(forcedConfig, { fakes: { prior: first.fakes.produced } });
    expect(gatewayValue(forced, "ORDERS_SHARED_SECRET").value).not.toBe(before);
    expect(storedDocument(forced, cases[0]!).previous).toBe(before);
  });
});
