/**
 * A gatelock dynamic provider as `pulumi up` really runs it: installed in a user's project,
 * serialised by Pulumi's closure serialiser, and loaded by a fresh Node process in which no
 * gatelock module can be found. The provider files (components/files/private-files.ts) explain
 * why a provider may capture nothing but builtins and function declarations.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import { isBuiltin } from "node:module";
import * as path from "node:path";
import * as ts from "typescript";
import { expect } from "vitest";
import { PROJECT_DIR } from "./index";

export interface SerialisedProvider {
  /** The serialised module (`require(file).handler()` returns the provider). */
  readonly file: string;
  readonly text: string;
}

/**
 * Compile `sources` (project-relative .ts paths, the provider's first) with the project's
 * compiler options and install them under `<project>/node_modules/gatelock`, laid out as in the
 * build, behind an `exports` map that hides deep paths: Pulumi serialises a captured module
 * under node_modules as `require("<package>/<deep path>")`, which that map refuses, just as it
 * would in a user's project.
 */
function installAsPackage(project: string, sources: readonly string[], exportName: string): void {
  const config = ts.getParsedCommandLineOfConfigFile(path.join(PROJECT_DIR, "tsconfig.json"), {}, { ...ts.sys, onUnRecoverableConfigFileDiagnostic: () => undefined })!;
  const pkg = path.join(project, "node_modules", "gatelock");
  for (const file of sources) {
    const js = ts.transpileModule(fs.readFileSync(path.join(PROJECT_DIR, file), "utf8"), {
      compilerOptions: { ...config.options, sourceMap: false, declaration: false },
      fileName: path.basename(file),
    }).outputText;
    const compiled = path.join(pkg, "dist", file.replace(/\.ts$/, ".js"));
    fs.mkdirSync(path.dirname(compiled), { recursive: true });
    fs.writeFileSync(compiled, js);
  }
  const main = `./${sources[0]!.replace(/\.ts$/, ".js")}`;
  fs.writeFileSync(path.join(pkg, "dist", "index.js"), `exports.${exportName} = require(${JSON.stringify(main)}).${exportName};\n`);
  fs.writeFileSync(path.join(pkg, "package.json"), JSON.stringify({ name: "gatelock", version: "0.0.0", main: "dist/index.js", exports: { ".": "./dist/index.js" } }));
}

/**
 * Install the provider `exportName` of `sources` in `project` (see installAsPackage) and
 * serialise it as dynamic.Resource does (`serializeFunction(() => provider, { allowSecrets:
 * true })`), from that project, in a child Node. The serialiser runs from a script file, not
 * `node -e`: there every builtin is also a global, which would hide a module it failed to capture.
 */
export function serialiseInstalledProvider(project: string, sources: readonly string[], exportName: string): SerialisedProvider {
  installAsPackage(project, sources, exportName);
  const file = path.join(project, "provider.js");
  const script = path.join(project, "serialise.js");
  fs.writeFileSync(
    script,
    `const pulumi = require(${JSON.stringify(require.resolve("@pulumi/pulumi"))});
    const provider = require("gatelock").${exportName};
    pulumi.runtime.serializeFunction(() => provider, { allowSecrets: true }).then((sf) => {
      require("fs").writeFileSync(${JSON.stringify(file)}, sf.text);
    }).catch((e) => { console.error(e); process.exit(1); });`,
  );
  execFileSync(process.execPath, [script], { cwd: project, stdio: ["ignore", "ignore", "pipe"] });
  return { file, text: fs.readFileSync(file, "utf8") };
}

/**
 * The serialised text requires builtins only (reached through `getBuiltinModule`), and the
 * private-file helpers travel in it as code rather than as a required module.
 */
export function expectSelfContained(text: string): void {
  const requires = [...text.matchAll(/require\("([^"]+)"\)/g)].map((m) => m[1]!);
  expect(text).toContain("getBuiltinModule");
  for (const r of requires) expect(isBuiltin(r), `the serialised provider requires ${r}`).toBe(true);
  expect(text).toContain("function /*writeAtomic*/(");
}

/**
 * Load the serialised provider as the dynamic provider host does (`require(file).handler()`) in
 * a fresh Node with only PATH in its environment, from `cwd`, and run `body` there: an async
 * function body that sees `fs`, `provider` and `args` (`input`, passed on stdin so that keys
 * and tokens never appear in a command line or a script file) and returns what the test checks,
 * as JSON.
 */
export function runInFreshHost<T = Record<string, unknown>>(serialised: SerialisedProvider, cwd: string, body: string, input: unknown = null): T {
  const script = path.join(cwd, "host.js");
  fs.writeFileSync(
    script,
    `(async () => {
      const fs = require("fs");
      const provider = require(${JSON.stringify(serialised.file)}).handler();
      const args = JSON.parse(fs.readFileSync(0, "utf8"));
      ${body}
    })().then((result) => process.stdout.write(JSON.stringify(result)), (e) => { console.error(e); process.exit(1); });`,
  );
  const stdout = execFileSync(process.execPath, [script], { cwd, encoding: "utf8", input: JSON.stringify(input), env: { PATH: process.env.PATH ?? "" } });
  return JSON.parse(stdout) as T;
}
