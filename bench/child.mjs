// One measurement in a fresh process, so peak memory (maxRSS) belongs to it alone.
//   node bench/child.mjs <audit|baseline> <origins>
// Prints one JSON line: { ms, maxRssMb, resources }.
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const require = createRequire(import.meta.url);
const [mode, nArg] = process.argv.slice(2);
const n = Number(nArg);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const CLOUDS = ["aws", "gcp", "azure"];

function origin(i) {
  const cloud = CLOUDS[i % 3];
  const name = `o${i}`;
  const block = {
    aws: { aws: { region: "us-east-1", readers: [`arn:aws:iam::123456789012:role/origin-${i}`] } },
    gcp: { gcp: { project: "acme-prod", readers: [`origin-${i}@acme-prod.iam.gserviceaccount.com`] } },
    azure: { azure: { resourceGroup: "rg", vault: "kv-acme", readers: ["0f8fad5b-d9cb-469f-a165-70867728950e"] } },
  }[cloud];
  return { name, method: "shared-secret", cloud, ...block };
}
const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };

async function audit() {
  const { runAudit } = require(path.join(root, "dist/audit/report.js"));
  const { render } = require(path.join(root, "dist/audit/render.js"));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-bench-"));
  fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(dir, "stacks"));
  const origins = Array.from({ length: n }, (_, i) => origin(i));
  fs.writeFileSync(path.join(dir, "stacks/Pulumi.bench.yaml"), `config:\n  gatelock:gateway: ${JSON.stringify(gateway)}\n  gatelock:origins: ${JSON.stringify(origins)}\n`);
  const t = performance.now();
  const report = await runAudit({ projectDir: dir, stack: "bench" });
  render(report, "json");
  return { ms: performance.now() - t, resources: report.resources.length };
}

/** The same cloud resources, registered directly by a plain program: no model, no components, no report. */
async function baseline() {
  const pulumi = require("@pulumi/pulumi");
  const { runUnderMocks } = require(path.join(root, "dist/testing/engine.js"));
  const { RandomPassword } = require("@pulumi/random/randomPassword");
  const { RotationSchedule } = require(path.join(root, "dist/shared-secret/rotation-schedule.js"));
  const { ZuploVariable } = require(path.join(root, "dist/zuplo/variable.js"));
  const aws = { Secret: require("@pulumi/aws/secretsmanager/secret").Secret, Version: require("@pulumi/aws/secretsmanager/secretVersion").SecretVersion, Policy: require("@pulumi/aws/secretsmanager/secretPolicy").SecretPolicy };
  const gcp = { Secret: require("@pulumi/gcp/secretmanager/secret").Secret, Version: require("@pulumi/gcp/secretmanager/secretVersion").SecretVersion, Member: require("@pulumi/gcp/secretmanager/secretIamMember").SecretIamMember };
  const az = { Secret: require("@pulumi/azure-native/keyvault/secret").Secret, Role: require("@pulumi/azure-native/authorization/roleAssignment").RoleAssignment };
  const t = performance.now();
  const run = await runUnderMocks(() => {
    for (let i = 0; i < n; i++) {
      const o = origin(i);
      const sched = new RotationSchedule(`${o.name}-rotation`, { rotateAfterDays: 90, overlapDays: 14, rotation: 0 });
      const pw = ["a", "b"].map((s) => new RandomPassword(`${o.name}-slot-${s}`, { length: 48, special: true, overrideSpecial: "-_", keepers: { slot: s, generation: (s === "a" ? sched.slotA : sched.slotB).apply(String) } }));
      const doc = pulumi.secret(pw[0].result.apply((v) => JSON.stringify({ version: 1, current: v })));
      let store;
      if (o.cloud === "aws") {
        const s = new aws.Secret(`${o.name}-store`, { name: `gatelock/bench/${o.name}`, region: "us-east-1" });
        store = new aws.Version(`${o.name}-store-version`, { secretId: s.id, secretString: doc, region: "us-east-1" });
        new aws.Policy(`${o.name}-store-policy`, { secretArn: s.arn, policy: JSON.stringify({ Version: "2012-10-17", Statement: [] }), region: "us-east-1" });
      } else if (o.cloud === "gcp") {
        const s = new gcp.Secret(`${o.name}-store`, { project: "acme-prod", secretId: `gatelock-bench-${o.name}`, replication: { auto: {} } });
        store = new gcp.Version(`${o.name}-store-version`, { secret: s.id, secretData: doc });
        new gcp.Member(`${o.name}-reader-0`, { project: "acme-prod", secretId: s.secretId, role: "roles/secretmanager.secretAccessor", member: `serviceAccount:${o.gcp.readers[0]}` });
      } else {
        store = new az.Secret(`${o.name}-store`, { resourceGroupName: "rg", vaultName: "kv-acme", secretName: `gatelock-bench-${o.name}`, properties: { value: doc } });
        new az.Role(`${o.name}-reader-0`, { scope: store.id, roleDefinitionId: "/subscriptions/x/providers/Microsoft.Authorization/roleDefinitions/y", principalId: o.azure.readers[0], principalType: "ServicePrincipal" });
      }
      new ZuploVariable(`gateway-${o.name}`, { apiUrl: "https://dev.zuplo.com", account: "acme", project: "orders-api", branch: "main", name: `${o.name.toUpperCase()}_SHARED_SECRET`, isSecret: true, value: pw[0].result }, { dependsOn: [store] });
    }
    return {};
  }, { stack: "bench" });
  return { ms: performance.now() - t, resources: run.resources.length };
}

const result = await (mode === "audit" ? audit() : baseline());
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ...result, maxRssMb })}\n`);
process.exit(0);
