/**
 * The npm package as a user gets it: pack the tarball, install it into a fresh consumer
 * project that has only the AWS SDK, type-check a program importing `gatelock/aws`, run it,
 * and run the packaged `gatelock audit` on an AWS-only stack.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as nodeModule from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const root = path.resolve(__dirname, "..");
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
let consumer: string;
let tarball: string;

function run(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): string {
  try {
    return execFileSync(cmd, args, { cwd, env: { ...process.env, ...env }, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], timeout: 240_000 });
  } catch (e) {
    const { stdout, stderr } = e as { stdout?: string; stderr?: string };
    throw new Error(`${cmd} ${args.join(" ")} failed in ${cwd}:\n${stdout ?? ""}${stderr ?? ""}`);
  }
}

beforeAll(() => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-pack-"));
  const out = run("npm", ["pack", "--silent", "--pack-destination", work], root).trim().split("\n").pop()!;
  tarball = path.join(work, out);
  consumer = path.join(work, "consumer");
  fs.mkdirSync(consumer);
  const dev = rootPkg.devDependencies;
  fs.writeFileSync(
    path.join(consumer, "package.json"),
    JSON.stringify({
      name: "platform-repo",
      private: true,
      dependencies: {
        gatelock: `file:${tarball}`,
        "@pulumi/pulumi": dev["@pulumi/pulumi"],
        "@pulumi/aws": dev["@pulumi/aws"],
        typescript: dev.typescript,
        "@types/node": dev["@types/node"],
      },
    }),
  );
  run("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], consumer);
}, 300_000);

describe("the packed npm package", () => {
  it("passes publint --strict and arethetypeswrong for every subpath under every resolution mode", () => {
    const bin = (name: string) => path.join(root, "node_modules", ".bin", name);
    const lint = run(bin("publint"), ["--strict", "--pack", "npm"], root);
    expect(lint).not.toMatch(/Errors:|Warnings:/);
    // attw exits non-zero on any problem; its JSON names the entry points it checked.
    const report = JSON.parse(run(bin("attw"), [tarball, "--format", "json"], root)) as { analysis: { entrypoints: Record<string, unknown> } };
    expect(Object.keys(report.analysis.entrypoints).sort()).toEqual(
      [".", "./aws", "./azure", "./azuread", "./docker", "./gcp", "./kubernetes", "./origin", "./package.json", "./schema/gatelock-stack.schema.json", "./testing", "./zuplo"].sort(),
    );
  });

  it("ships dist with declarations and the schema, and no sources or tests", () => {
    const files = run("tar", ["-tzf", tarball], root);
    expect(files).toContain("package/dist/aws/index.d.ts");
    expect(files).toContain("package/dist/origin/index.js");
    expect(files).toContain("package/schema/gatelock-stack.schema.json");
    expect(files).not.toMatch(/package\/(components|test)\//);
  });

  it("installs without the GCP and Azure SDKs (optional peers)", () => {
    expect(fs.existsSync(path.join(consumer, "node_modules/@pulumi/aws"))).toBe(true);
    expect(fs.existsSync(path.join(consumer, "node_modules/@pulumi/gcp"))).toBe(false);
    expect(fs.existsSync(path.join(consumer, "node_modules/@pulumi/azure-native"))).toBe(false);
  });

  it("type-checks and runs a program that imports gatelock/aws, loading no other cloud SDK", () => {
    fs.writeFileSync(
      path.join(consumer, "index.ts"),
      `import { ZuploEnvironment } from "gatelock";
import { AwsSharedSecretOrigin } from "gatelock/aws";
import { reveal, runUnderMocks } from "gatelock/testing";
import { Role } from "@pulumi/aws/iam/role";

async function main() {
  const run = await runUnderMocks(() => {
    // The platform repo's own role, created in the same program: its ARN is an Output.
    const role = new Role("orders-api", {
      name: "orders-api",
      assumeRolePolicy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Principal: { Service: "lambda.amazonaws.com" }, Action: "sts:AssumeRole" }] }),
    });
    const origin = new AwsSharedSecretOrigin("orders", { region: "eu-west-1", readers: [role.arn], url: "https://orders.internal.acme.example" });
    new ZuploEnvironment("gateway", { account: "acme", project: "orders-api", branch: "main", variables: origin.gatewayVariables });
    return { arn: origin.secretArn, readers: origin.readers };
  }, { stack: "prod" });
  const policy = run.resources.find((r) => r.type === "aws:secretsmanager/secretPolicy:SecretPolicy")!;
  const principal = JSON.parse(String(reveal(policy.inputs.policy))).Statement[0].Principal.AWS;
  const loaded = Object.keys(require.cache).filter((k) => /@pulumi\\/(gcp|azure-native)\\//.test(k));
  console.log(JSON.stringify({ arn: run.outputs.arn, readers: run.outputs.readers, principal, types: run.resources.map((r) => r.type), loaded }));
}
main().catch((e) => { console.error(e); process.exit(1); });
`,
    );
    fs.writeFileSync(
      path.join(consumer, "tsconfig.json"),
      JSON.stringify({ compilerOptions: { target: "ES2022", module: "node16", moduleResolution: "node16", strict: true, skipLibCheck: true, outDir: "out", types: ["node"] }, files: ["index.ts"] }),
    );
    run("npx", ["tsc", "-p", "."], consumer);
    const result = JSON.parse(run("node", ["out/index.js"], consumer).trim().split("\n").pop()!);
    expect(result.arn).toMatch(/^arn:aws:secretsmanager:eu-west-1:123456789012:secret:gatelock\/prod\/orders\/shared-secret-[A-Za-z0-9]{6}$/);
    expect(result.types).toContain("aws:secretsmanager/secretPolicy:SecretPolicy");
    // The role's ARN, an Output when the origin was built, reached the secret's policy.
    expect(result.readers).toEqual(["arn:aws:iam::123456789012:role/orders-api"]);
    expect(result.principal).toEqual(["arn:aws:iam::123456789012:role/orders-api"]);
    expect(result.types).toContain("pulumi-nodejs:dynamic/gatelock:ZuploVariable");
    expect(result.loaded).toEqual([]);
  });

  it("the stack-file program loads the components of the methods a stack uses, and no other", () => {
    // An AWS stack of shared-secret origins loads no federated, mTLS or tunnel component, nor
    // the IAM, ECS, load balancer or API Gateway SDK modules they import; a federated origin
    // brings its component and the OIDC provider's.
    fs.writeFileSync(
      path.join(consumer, "methods.js"),
      `const { deploy } = require("gatelock");
const { runUnderMocks } = require("gatelock/testing");
const gateway = { kind: "zuplo", account: "acme", project: "orders-api", branch: "main" };
const origins = {
  "shared-secret": [{ name: "orders", method: "shared-secret", cloud: "aws", aws: { region: "us-east-1", readers: ["arn:aws:iam::123456789012:role/orders"] } }],
  federated: [{ name: "shipments", method: "federated", cloud: "aws", url: "https://a1b2c3d4e5.execute-api.us-east-1.amazonaws.com/prod", federated: { audience: "aws:acme:prod", subjects: ["atcl_3c5VqX0pQ7JmA1bT9kLwZr2e"] }, aws: { region: "us-east-1", apiGateway: { apiId: "a1b2c3d4e5", stage: "prod", routes: ["GET /orders"] } } }],
}[process.argv[2]];
runUnderMocks(async () => (await deploy({ config: { gateway, origins }, stack: "prod", projectDir: __dirname })).outputs, { stack: "prod" }).then(() => {
  const loaded = Object.keys(require.cache).map((k) => k.replace(/\\\\/g, "/").replace(/.*\\/node_modules\\//, ""));
  console.log(JSON.stringify({
    gatelock: loaded.filter((k) => /^gatelock\\/dist\\/aws\\//.test(k)).sort(),
    sdk: [...new Set(loaded.flatMap((k) => /^@pulumi\\/aws\\/([a-z0-9]+)\\//.exec(k)?.[1] ?? []))].sort(),
  }));
}, (e) => { console.error(e); process.exit(1); });
`,
    );
    const loaded = (method: string) => JSON.parse(run("node", ["methods.js", method], consumer).trim().split("\n").pop()!);
    const sharedSecret = loaded("shared-secret");
    expect(sharedSecret.gatelock).toEqual(["gatelock/dist/aws/program.js", "gatelock/dist/aws/shared-secret-origin.js"]);
    expect(sharedSecret.sdk).toEqual(["secretsmanager"]);
    const federated = loaded("federated");
    expect(federated.gatelock).toEqual(expect.arrayContaining(["gatelock/dist/aws/federated-origin.js", "gatelock/dist/aws/oidc-provider.js"]));
    expect(federated.gatelock).not.toContain("gatelock/dist/aws/shared-secret-origin.js");
    expect(federated.gatelock.filter((k: string) => /(mtls|tunnel)-origin/.test(k))).toEqual([]);
    expect(federated.sdk).toContain("iam");
    expect(federated.sdk.filter((m: string) => ["ecs", "lb", "s3", "secretsmanager"].includes(m))).toEqual([]);
  });

  it("type-checks with classic node10 resolution too (typesVersions)", () => {
    fs.writeFileSync(path.join(consumer, "tsconfig.node10.json"), JSON.stringify({ extends: "./tsconfig.json", compilerOptions: { module: "commonjs", moduleResolution: "node10", noEmit: true } }));
    run("npx", ["tsc", "-p", "tsconfig.node10.json"], consumer);
  });

  it("runs the packaged `gatelock audit` on an AWS-only stack", () => {
    fs.writeFileSync(path.join(consumer, "Pulumi.yaml"), "name: platform\nruntime: nodejs\nstackConfigDir: stacks\n");
    fs.mkdirSync(path.join(consumer, "stacks"), { recursive: true });
    fs.writeFileSync(
      path.join(consumer, "stacks/Pulumi.prod.yaml"),
      `config:\n  gatelock:gateway: {kind: zuplo, account: acme, project: orders-api, branch: main}\n  gatelock:origins:\n    - {name: orders, method: shared-secret, cloud: aws, aws: {region: us-east-1, readers: ["arn:aws:iam::123456789012:role/orders"]}}\n`,
    );
    const cache = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-compile-cache-"));
    const report = JSON.parse(run("npx", ["gatelock", "audit", "--stack", "prod", "--format", "json"], consumer, { NODE_COMPILE_CACHE: cache }));
    expect(report.origins.map((o: { cloud: string }) => o.cloud)).toEqual(["aws"]);
    expect(report.resources.some((r: { type: string }) => r.type === "aws:secretsmanager/secret:Secret")).toBe(true);
    // The bin turns on Node's compile cache where Node has one (22.1+; the compatibility run's
    // Node 24), before the modules load; Node 20 has none and writes nothing.
    const hasCompileCache = typeof (nodeModule as { enableCompileCache?: unknown }).enableCompileCache === "function";
    const cached = fs.readdirSync(cache, { recursive: true }).length;
    if (hasCompileCache) expect(cached, "compile cache entries").toBeGreaterThan(0);
    else expect(cached).toBe(0);
  });
});
