/**
 * Type-checking gatelock's emitted Zuplo code (policy modules, route handlers, policy options)
 * against the real `@zuplo/runtime` declarations the e2e tools install, with a Zuplo project's
 * compiler options (lib WebWorker: the runtime is a worker).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as ts from "typescript";
import { PROJECT_DIR } from "./index";

export const ZUPLO_RUNTIME_TYPES = path.join(PROJECT_DIR, "e2e/node_modules/@zuplo/runtime/out/types");

/** Whether the declarations are installed (the e2e tools may not be). */
export const hasZuploRuntimeTypes = fs.existsSync(path.join(ZUPLO_RUNTIME_TYPES, "sdks/aws/index.d.ts"));

/** The compiler's complaints about `source`, saved as `file` (relative) in a fresh Zuplo project. */
export function zuploTypeErrors(file: string, source: string): string[] {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "gatelock-zuplo-types-"));
  try {
    const at = path.join(dir, file);
    fs.mkdirSync(path.dirname(at), { recursive: true });
    fs.writeFileSync(at, source);
    const program = ts.createProgram([at], {
      module: ts.ModuleKind.ESNext,
      target: ts.ScriptTarget.ES2022,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      lib: ["lib.esnext.d.ts", "lib.webworker.d.ts", "lib.webworker.iterable.d.ts"],
      strict: true,
      noEmit: true,
      skipLibCheck: true,
      types: [],
      baseUrl: dir,
      paths: { "@zuplo/runtime": [path.join(ZUPLO_RUNTIME_TYPES, "index.d.ts")], "@zuplo/runtime/aws": [path.join(ZUPLO_RUNTIME_TYPES, "sdks/aws/index.d.ts")] },
    });
    return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
