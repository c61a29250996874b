/**
 * While `gatelock audit --program` runs a user's program, its `require`s of `@pulumi/pulumi`
 * and of `gatelock` resolve to the audit's own copies.
 *
 * Why: Pulumi's mocks, config and stack live in module state of `@pulumi/pulumi`. A program
 * that loads its own copy (its node_modules holds one, often another version) registers its
 * resources with a runtime the audit never set up, so the mocks would not apply and nothing
 * would be recorded. Likewise its own `gatelock` would be a different version from the one
 * auditing it. Provider SDKs (`@pulumi/aws`…) only talk to that runtime, so the program's own
 * copies are fine; gatelock's are used only where the program has none.
 *
 * It works at the level of Node's resolver (`Module._resolveFilename`), which every
 * `require` and `require.resolve` goes through, so dependencies of the program's
 * dependencies are redirected too.
 */
import * as fs from "node:fs";
import Module from "node:module";
import * as path from "node:path";

type Resolve = (request: string, parent: unknown, isMain: boolean, options?: unknown) => string;
const internals = Module as unknown as { _resolveFilename: Resolve; _nodeModulePaths(dir: string): string[] };

/** Redirect until the returned function is called. */
export function redirectModules(): () => void {
  const original = internals._resolveFilename;
  // Resolve as this module would, with the resolver as it was (not through the hook below).
  const self = { id: __filename, filename: __filename, paths: internals._nodeModulePaths(__dirname) };
  const own = { resolve: (request: string) => original.call(Module, request, self, false) };
  // gatelock's compiled modules (dist/) or, run from source, its TypeScript (components/).
  const codeRoot = path.resolve(__dirname, "..");
  const pkgRoot = packageRoot(codeRoot);
  const exportsMap = (JSON.parse(fs.readFileSync(path.join(pkgRoot, "package.json"), "utf8")) as { exports?: Record<string, unknown> }).exports ?? {};

  const gatelockFile = (request: string): string | undefined => {
    const target = exportTarget(exportsMap[request === "gatelock" ? "." : `.${request.slice("gatelock".length)}`]);
    if (target === undefined) return undefined;
    // `./dist/aws/index.js` is `<codeRoot>/aws/index` in either layout: let the resolver pick
    // `.js` or, from source, `.ts`.
    if (target.startsWith("./dist/")) return own.resolve(path.join(codeRoot, target.slice("./dist/".length)).replace(/\.js$/, ""));
    return path.join(pkgRoot, target);
  };

  internals._resolveFilename = function (this: unknown, request, parent, isMain, options) {
    if (request === "gatelock" || request.startsWith("gatelock/")) {
      const file = gatelockFile(request);
      if (file !== undefined) return file;
    } else if (request === "@pulumi/pulumi" || request.startsWith("@pulumi/pulumi/")) {
      return own.resolve(request);
    } else if (request.startsWith("@pulumi/")) {
      try {
        return original.call(this, request, parent, isMain, options);
      } catch (e) {
        if ((e as NodeJS.ErrnoException)?.code !== "MODULE_NOT_FOUND") throw e;
        return own.resolve(request);
      }
    }
    return original.call(this, request, parent, isMain, options);
  };
  return () => {
    internals._resolveFilename = original;
  };
}

/** The directory of gatelock's package.json, at or above `from`. */
function packageRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    const file = path.join(dir, "package.json");
    if (fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, "utf8")) as { name?: string }).name === "gatelock") return dir;
    if (path.dirname(dir) === dir) throw new Error("gatelock's package.json not found");
  }
}

/** The file an `exports` entry names for `require` (`default`), if any. */
function exportTarget(entry: unknown): string | undefined {
  if (typeof entry === "string") return entry;
  if (entry && typeof entry === "object") {
    const e = entry as Record<string, unknown>;
    return exportTarget(e.require ?? e.node ?? e.default);
  }
  return undefined;
}
