// One measurement in a fresh process, so peak memory (maxRSS) belongs to it alone.
//   node bench/child.mjs <audit|baseline|floor> <origins> [--baseline-aliases]
// Prints one JSON line: { ms, cpuMs, maxRssMb, resources, types, tree }.
//   ms         from the first `require` of the program's own modules to the end of the run
//              (audit: to the rendered report), so each side pays for what it loads;
//   cpuMs      user + system CPU time over the same span (every thread: V8's GC helpers too);
//   maxRssMb   the process's peak resident memory;
//   types      resources registered, by type token;
//   tree       a hash of every resource's type, name, parent's name and inputs (secrets
//              masked): equal hashes mean the two programs registered the same resources;
//   aliases    how many earlier URNs the resources keep as aliases (aliasTree: a hash of them).
import { createHash } from "node:crypto";
import { createRequire } from "node:module";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const require = createRequire(import.meta.url);
const [mode, nArg, ...flags] = process.argv.slice(2);
/** Give the baseline the aliases gatelock adds for stacks deployed with gatelock 0.1 (see below). */
const baselineAliases = flags.includes("--baseline-aliases");
const n = Number(nArg);
const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const CLOUDS = ["aws", "gcp", "azure"];
const STACK = "bench";

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

/** `gatelock audit --stack bench --format json` on a stack file with n origins. */
async function audit() {
  const dir = writeStack();
  const t = performance.now();
  const cpu = process.cpuUsage();
  const { runAudit } = require(path.join(root, "dist/audit/report.js"));
  const { render } = require(path.join(root, "dist/audit/render.js"));
  let recorded = [];
  // The deploying identity's facts the baseline's fakes use, so both sides register the same
  // inputs (left out, the audit draws them and prints placeholders instead).
  const facts = { awsAccountId: "123456789012", gcpProjectNumber: "418203751982", azureSubscriptionId: "6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b", azureTenantId: "72f988bf-86f1-41af-91ab-2d7cd011db47", now: () => new Date() };
  const report = await runAudit({ projectDir: dir, stack: STACK, fakes: facts, observe: (resources) => (recorded = resources) });
  const text = render(report, "json");
  const ms = performance.now() - t;
  const cpuMs = cpuSince(cpu);
  if (!report.ok) throw new Error(`the bench stack should pass the audit: ${JSON.stringify(report.findings)}`);
  // What was registered (the report prints random suffixes as placeholders).
  return { ms, cpuMs, outputChars: text.length, ...shape(recorded), ...aliasesOf(recorded) };
}

/** A project with the bench's stack file, `stacks/Pulumi.bench.yaml` (written before any clock starts). */
function writeStack() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-bench-"));
  fs.copyFileSync(path.join(root, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
  fs.mkdirSync(path.join(dir, "stacks"));
  const origins = Array.from({ length: n }, (_, i) => origin(i));
  fs.writeFileSync(path.join(dir, `stacks/Pulumi.${STACK}.yaml`), `config:\n  gatelock:gateway: ${JSON.stringify(gateway)}\n  gatelock:origins: ${JSON.stringify(origins)}\n`);
  return dir;
}

/**
 * The floor: the baseline, after the least that any offline audit of the stack file must do
 * before it can deploy anything: read the YAML file (with the `yaml` package) and validate it
 * against gatelock's config schema (zod, with the schema's own modules). No safety checks, no
 * components, no report. What `floor / baseline` shows is out of any audit's reach; what
 * `audit / floor` shows is gatelock's own.
 */
async function floor() {
  const dir = writeStack();
  const t = performance.now();
  const cpu = process.cpuUsage();
  const YAML = require("yaml");
  const { GatelockConfig } = require(path.join(root, "dist/model/config.js"));
  const { config } = YAML.parse(fs.readFileSync(path.join(dir, `stacks/Pulumi.${STACK}.yaml`), "utf8"));
  const parsed = GatelockConfig.parse({ gateway: config["gatelock:gateway"], origins: config["gatelock:origins"] });
  if (parsed.origins.length !== n) throw new Error(`the floor read ${parsed.origins.length} origins, not ${n}`);
  return baseline({ t, cpu });
}

/**
 * What a careful Pulumi engineer writes by hand for the same stack: the same cloud resources
 * with the same names and inputs, one plain `ComponentResource` per origin (with the same type
 * token as gatelock's component, so the two programs register identical trees) and one for the
 * gateway's variables, the same rotation wiring and dependencies; it exports each origin's
 * outputs and the gateway variables' names. No model, no validation, no report, and no aliases
 * (a program written fresh has no earlier URNs to keep) unless `--baseline-aliases`: then the
 * same aliases as gatelock's, in the same form. The same mock engine and fakes.
 */
async function baseline({ t = performance.now(), cpu = process.cpuUsage() } = {}) {
  const pulumi = require("@pulumi/pulumi");
  const { runUnderMocks } = require(path.join(root, "dist/testing/engine.js"));
  const { RandomPassword } = require("@pulumi/random/randomPassword");
  // gatelock's own dynamic resources: the rotation state and the Zuplo variable.
  const { RotationSchedule } = require(path.join(root, "dist/shared-secret/rotation-schedule.js"));
  const { ZuploVariable } = require(path.join(root, "dist/zuplo/variable.js"));
  const aws = { Secret: require("@pulumi/aws/secretsmanager/secret").Secret, Version: require("@pulumi/aws/secretsmanager/secretVersion").SecretVersion, Policy: require("@pulumi/aws/secretsmanager/secretPolicy").SecretPolicy };
  const gcp = { Secret: require("@pulumi/gcp/secretmanager/secret").Secret, Version: require("@pulumi/gcp/secretmanager/secretVersion").SecretVersion, Member: require("@pulumi/gcp/secretmanager/secretIamMember").SecretIamMember };
  const az = { Secret: require("@pulumi/azure-native/keyvault/secret").Secret, Role: require("@pulumi/azure-native/authorization/roleAssignment").RoleAssignment };
  const KV_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";
  const ACCESSOR = "roles/secretmanager.secretAccessor";
  // Grants named by what they grant, so reordering readers renames nothing.
  const grantName = (name, ...grants) => `${name}-reader-${createHash("sha256").update(JSON.stringify(grants)).digest("hex").slice(0, 8)}`;

  const run = await runUnderMocks(() => {
    const variables = [];
    const exported = {};
    for (let i = 0; i < n; i++) {
      const o = origin(i);
      const name = o.name;
      const component = new pulumi.ComponentResource(`gatelock:${o.cloud}:SharedSecretOrigin`, name, {}, {});
      const parent = { parent: component };
      // gatelock 0.1 kept these in a nested component; gatelock aliases them to their URNs there.
      const moved = baselineAliases ? { parent: component, aliases: [{ parent: pulumi.createUrn(name, "gatelock:shared-secret:SharedSecret", component) }] } : parent;
      const grant = (index) => (baselineAliases ? { parent: component, aliases: [{ name: `${name}-reader-${index}` }] } : parent);
      const sched = new RotationSchedule(`${name}-rotation`, { rotateAfterDays: 90, overlapDays: 14, rotation: 0 }, moved);
      const slot = (id, generation) =>
        new RandomPassword(`${name}-slot-${id}`, { length: 48, special: true, overrideSpecial: "-_", minLower: 1, minUpper: 1, minNumeric: 1, keepers: { slot: id, generation: generation.apply(String) } }, moved);
      const a = slot("a", sched.slotA);
      const b = slot("b", sched.slotB);
      const values = pulumi.all([sched.current, sched.previousActive, sched.previousRetiresAt, a.result, b.result]).apply(([current, previousActive, retiresAt, av, bv]) => ({
        current: current === "a" ? av : bv,
        previous: previousActive ? (current === "a" ? bv : av) : "",
        retiresAt,
      }));
      const current = pulumi.secret(values.apply((v) => v.current));
      const doc = pulumi.secret(values.apply((v) => JSON.stringify({ version: 1, current: v.current, ...(v.previous ? { previous: v.previous, previousRetiresAt: v.retiresAt } : {}) })));
      const tags = { "managed-by": "gatelock", "gatelock-origin": name };
      let store;
      let outputs;
      if (o.cloud === "aws") {
        const { region, readers } = o.aws;
        const s = new aws.Secret(`${name}-store`, { name: `gatelock/${STACK}/${name}/shared-secret`, region, description: `gatelock: shared secret the gateway sends to ${name}`, tags }, parent);
        store = new aws.Version(`${name}-store-version`, { secretId: s.id, secretString: doc, region }, parent);
        const policy = {
          Version: "2012-10-17",
          Statement: [
            { Sid: "GatelockOriginReads", Effect: "Allow", Principal: { AWS: readers }, Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: "*" },
            { Sid: "GatelockDenyInsecureTransport", Effect: "Deny", Principal: "*", Action: "secretsmanager:*", Resource: "*", Condition: { Bool: { "aws:SecureTransport": false } } },
          ],
        };
        new aws.Policy(`${name}-store-policy`, { secretArn: s.arn, policy: JSON.stringify(policy), blockPublicPolicy: true, region }, parent);
        outputs = { secretArn: s.arn, readers, generation: sched.generation };
      } else if (o.cloud === "gcp") {
        const { project, readers } = o.gcp;
        const secretId = `gatelock-${STACK}-${name}-shared-secret`;
        const s = new gcp.Secret(`${name}-store`, { project, secretId, replication: { auto: {} }, labels: tags }, parent);
        store = new gcp.Version(`${name}-store-version`, { secret: s.id, secretData: doc }, parent);
        readers.forEach((r, i) => {
          new gcp.Member(grantName(name, `serviceAccount:${r}`, ACCESSOR, project, secretId), { project, secretId: s.secretId, role: ACCESSOR, member: `serviceAccount:${r}` }, grant(i));
        });
        outputs = { secretName: s.name, readers, generation: sched.generation };
      } else {
        const { resourceGroup, vault, readers } = o.azure;
        const secretName = `gatelock-${STACK}-${name}-shared-secret`;
        const kv = new az.Secret(`${name}-store`, { resourceGroupName: resourceGroup, vaultName: vault, secretName, properties: { value: doc, contentType: "application/vnd.gatelock.secret-document+json" }, tags }, parent);
        store = kv;
        readers.forEach((r, i) => {
          new az.Role(
            grantName(name, r, KV_SECRETS_USER, resourceGroup, vault, secretName),
            { scope: kv.id, roleDefinitionId: kv.id.apply((id) => `/subscriptions/${/^\/subscriptions\/([^/]+)\//i.exec(id)[1]}/providers/Microsoft.Authorization/roleDefinitions/${KV_SECRETS_USER}`), principalId: r, principalType: "ServicePrincipal" },
            grant(i),
          );
        });
        outputs = { secretId: kv.id, secretUri: kv.properties.apply((p) => p.secretUri), readers, generation: sched.generation };
      }
      component.registerOutputs(outputs);
      exported[name] = outputs;
      variables.push({ name: `${name.toUpperCase()}_SHARED_SECRET`, origin: name, value: current, store });
    }
    const environment = new pulumi.ComponentResource("gatelock:gateway:GatewayEnvironment", "gateway", {}, {});
    for (const v of variables) {
      new ZuploVariable(
        `gateway-${v.name.toLowerCase()}`,
        { apiUrl: "https://dev.zuplo.com", account: gateway.account, project: gateway.project, branch: gateway.branch, name: v.name, isSecret: true, value: v.value },
        { parent: environment, dependsOn: [v.store] },
      );
    }
    const summary = variables.map((v) => ({ name: v.name, isSecret: true, origin: v.origin }));
    environment.registerOutputs({ variables: summary });
    return { origins: exported, gatewayVariables: summary };
  }, { stack: STACK });
  return { ms: performance.now() - t, cpuMs: cpuSince(cpu), ...shape(run.resources), ...aliasesOf(run.resources) };
}

/** User and system CPU time since `start`, in ms (all threads: the main one and V8's GC helpers). */
function cpuSince(start) {
  const { user, system } = process.cpuUsage(start);
  return (user + system) / 1000;
}

/** Resource count, count by type, and a hash of the resources (type, name, parent's name, inputs). */
function shape(resources) {
  const types = {};
  const lines = [];
  for (const r of resources) {
    types[r.type] = (types[r.type] ?? 0) + 1;
    // The fake AWS gives each secret's ARN a random suffix, as AWS does.
    const inputs = canonical(r.inputs).replace(/(:secret:[^"]*)-[A-Za-z0-9]{6}"/g, '$1-XXXXXX"');
    lines.push(`${r.type} ${r.name} ${r.parent ? r.parent.split("::").pop() : ""} ${inputs}`);
  }
  // BENCH_DUMP=<prefix> writes the lines hashed to <prefix>.<mode>, to see what differs.
  if (process.env.BENCH_DUMP) fs.writeFileSync(`${process.env.BENCH_DUMP}.${mode}`, `${lines.sort().join("\n")}\n`);
  const tree = createHash("sha256").update(lines.sort().join("\n")).digest("hex").slice(0, 12);
  return { resources: resources.length, types: Object.fromEntries(Object.entries(types).sort()), tree };
}

/** How many aliases the resources name, and a hash of them (the earlier URNs they keep). */
function aliasesOf(resources) {
  const all = resources.flatMap((r) => r.aliases).sort();
  return { aliases: all.length, aliasTree: createHash("sha256").update(all.join("\n")).digest("hex").slice(0, 12) };
}

/** JSON with sorted keys, Pulumi secrets masked as the audit masks them. */
function canonical(v) {
  if (v && typeof v === "object" && v["4dabf18193072939515e22adb298388d"] === "1b47061264138c4ac30d75fd1eb44270") return JSON.stringify("[secret]");
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (v && typeof v === "object") return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`).join(",")}}`;
  return JSON.stringify(v) ?? "null";
}

const modes = { audit, baseline, floor };
if (!modes[mode]) throw new Error(`mode ${mode}: expected one of ${Object.keys(modes).join(", ")}`);
const result = await modes[mode]();
const maxRssMb = process.resourceUsage().maxRSS / 1024;
process.stdout.write(`${JSON.stringify({ ...result, maxRssMb })}\n`);
process.exit(0);
