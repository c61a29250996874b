/**
 * The pack as the npm package ships it and as the Pulumi CLI starts it: `policy/` with its
 * PulumiPolicy.yaml and a package.json whose version is gatelock's, in the packed tarball, and
 * `policy/index.js` loading the compiled pack from dist/. The pack is started the way the
 * CLI's policy host does (a Node process in `policy/`, `require(".")`), and spoken to over
 * its gRPC analyzer service on loopback: info, configuration (an escape hatch), analysis.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = path.resolve(__dirname, "..");
const policyDir = path.join(root, "policy");
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8")) as { version: string };

describe("the policy/ folder", () => {
  it("has a package.json whose version is gatelock's (the PolicyPack constructor needs one)", () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(policyDir, "package.json"), "utf8")) as { version: string };
    expect(pkg.version).toBe(rootPkg.version);
  });

  it("has a PulumiPolicy.yaml for the nodejs runtime, with a description", () => {
    const project = parse(fs.readFileSync(path.join(policyDir, "PulumiPolicy.yaml"), "utf8")) as Record<string, unknown>;
    expect(project.runtime).toBe("nodejs");
    expect(String(project.description)).toMatch(/gatelock/);
    // A `version` here would override package.json's and drift from gatelock's.
    expect(project).not.toHaveProperty("version");
  });

  it("loads compiled JavaScript only, never TypeScript (the CLI's loader skips node_modules)", () => {
    const index = fs.readFileSync(path.join(policyDir, "index.js"), "utf8");
    expect(index).toContain(`"dist", "policy-pack", "pack.js"`);
    expect(fs.readdirSync(policyDir).sort()).toEqual(["PulumiPolicy.yaml", "index.js", "package.json"]);
  });

  it("is in the packed npm package", () => {
    const out = execFileSync("npm", ["pack", "--dry-run", "--json", "--ignore-scripts"], { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
    const files = (JSON.parse(out) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(expect.arrayContaining(["policy/PulumiPolicy.yaml", "policy/package.json", "policy/index.js"]));
  });
});

describe("the pack, started as the CLI starts it", () => {
  const pulumiReq = createRequire(require.resolve("@pulumi/pulumi"));
  const grpc = pulumiReq("@grpc/grpc-js");
  const analyzerPb = pulumiReq("./proto/analyzer_pb");
  const analyzerGrpc = pulumiReq("./proto/analyzer_grpc_pb");
  const { Empty } = pulumiReq("google-protobuf/google/protobuf/empty_pb");
  const { Struct } = pulumiReq("google-protobuf/google/protobuf/struct_pb");
  let child: ChildProcess;
  let client: Record<string, (req: unknown, cb: (err: unknown, resp: never) => void) => void> & { close(): void };
  let stderr = "";

  const rpc = <T>(method: string, request: unknown): Promise<T> =>
    new Promise((resolve, reject) => client[method]!.call(client, request, (err, resp) => (err ? reject(err) : resolve(resp as T))));

  beforeAll(async () => {
    // The compiled pack: `npm run build` makes it; build just this output if it is missing.
    if (!fs.existsSync(path.join(root, "dist/policy-pack/pack.js"))) {
      try {
        execFileSync(path.join(root, "node_modules/.bin/tsc"), ["-p", "tsconfig.build.json"], { cwd: root, stdio: "ignore" });
      } catch {
        // Type errors elsewhere still emit; the file check below is what matters.
      }
    }
    expect(fs.existsSync(path.join(root, "dist/policy-pack/pack.js"))).toBe(true);
    child = spawn(process.execPath, ["-e", 'require(".")'], { cwd: policyDir, stdio: ["ignore", "pipe", "pipe"] });
    child.stderr!.on("data", (d: Buffer) => (stderr += d.toString()));
    const port = await new Promise<number>((resolve, reject) => {
      let out = "";
      child.stdout!.on("data", (d: Buffer) => {
        out += d.toString();
        const m = /^(\d+)\s*$/m.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.on("exit", (code) => reject(new Error(`the pack exited with ${code}: ${stderr}`)));
    });
    client = new analyzerGrpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  }, 120_000);

  afterAll(() => {
    client?.close();
    if (child?.pid !== undefined && child.exitCode === null) child.kill();
  });

  it("describes itself: name, gatelock's version, every rule with its level and config schema", async () => {
    const info = await rpc<{ getName(): string; getVersion(): string; getSupportsconfig(): boolean; getPoliciesList(): { getName(): string; getEnforcementlevel(): number; getConfigschema(): { getProperties(): { toJavaScript(): Record<string, unknown> } } }[] }>(
      "getAnalyzerInfo",
      new Empty(),
    );
    expect(info.getName()).toBe("gatelock");
    expect(info.getVersion()).toBe(rootPkg.version);
    expect(info.getSupportsconfig()).toBe(true);
    const policies = info.getPoliciesList();
    expect(policies.map((p) => p.getName())).toContain("gatelock-aws-oidc-trust-pinned");
    expect(policies).toHaveLength(8);
    const levels = Object.fromEntries(policies.map((p) => [p.getName(), p.getEnforcementlevel()]));
    expect(levels["gatelock-no-secret-in-stack-output"]).toBe(analyzerPb.EnforcementLevel.ADVISORY);
    expect(levels["gatelock-cloud-run-not-public"]).toBe(analyzerPb.EnforcementLevel.MANDATORY);
    for (const p of policies) expect(Object.keys(p.getConfigschema().getProperties().toJavaScript())).toEqual(expect.arrayContaining(["allowedUrns", "allowedNames"]));
  });

  it("flags a public Cloud Run invoker, and skips it once the policy config allowlists it", async () => {
    const request = () => {
      const r = new analyzerPb.AnalyzeRequest();
      r.setUrn("urn:pulumi:dev::docs::gcp:cloudrunv2/serviceIamMember:ServiceIamMember::public-docs");
      r.setType("gcp:cloudrunv2/serviceIamMember:ServiceIamMember");
      r.setName("public-docs");
      r.setProperties(Struct.fromJavaScript({ name: "docs", location: "europe-west1", role: "roles/run.invoker", member: "allUsers" }));
      r.setOptions(new analyzerPb.AnalyzerResourceOptions());
      return r;
    };
    type Resp = { getDiagnosticsList(): { getPolicyname(): string; getEnforcementlevel(): number }[] };
    const before = await rpc<Resp>("analyze", request());
    expect(before.getDiagnosticsList().map((d) => [d.getPolicyname(), d.getEnforcementlevel()])).toEqual([["gatelock-cloud-run-not-public", analyzerPb.EnforcementLevel.MANDATORY]]);

    const configure = new analyzerPb.ConfigureAnalyzerRequest();
    const config = new analyzerPb.PolicyConfig();
    config.setEnforcementlevel(analyzerPb.EnforcementLevel.MANDATORY);
    config.setProperties(Struct.fromJavaScript({ allowedNames: ["public-docs"] }));
    configure.getPolicyconfigMap().set("gatelock-cloud-run-not-public", config);
    await rpc("configure", configure);
    const after = await rpc<Resp>("analyze", request());
    expect(after.getDiagnosticsList()).toEqual([]);
  });

  it("loaded no cloud provider SDK: it works with whichever providers the host has", () => {
    expect(stderr).toBe("");
    const out = execFileSync(process.execPath, ["-e", 'require("."); const m = Object.keys(require.cache).filter((f) => /@pulumi[\\\\/](aws|gcp|azure-native|azuread|kubernetes)[\\\\/]/.test(f)); console.log(JSON.stringify(m)); process.exit(0);'], { cwd: policyDir, encoding: "utf8" });
    // The pack prints its port first; the list of provider modules comes last.
    expect(JSON.parse(out.trim().split("\n").pop()!)).toEqual([]);
  });
});
