/**
 * `require` of TypeScript for `gatelock audit --program`, on a Node.js with no ts-node and
 * no type stripping (Node 20): each `.ts` file is transpiled on load with the `typescript`
 * package's `transpileModule`, the way ts-node's `transpileOnly` mode does. Types are not
 * checked (that takes the whole program and its dependencies' declarations; `tsc` does it),
 * so only syntax errors are reported, by file, line and column.
 */
import Module, { createRequire, SourceMap } from "node:module";
import * as path from "node:path";
import { GatelockError } from "../errors";

type Ts = typeof import("typescript");

/** The program could not be loaded: a syntax error, at a place in one of its files. */
export class ProgramSyntaxError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly column: number,
    problem: string,
  ) {
    super(problem);
    this.name = "ProgramSyntaxError";
  }
}

export interface TsLoader {
  /** Where in the TypeScript source a position of the emitted JavaScript came from (1-based). */
  originalPosition(file: string, line: number, column: number): { line: number; column: number } | undefined;
  uninstall(): void;
}

/**
 * Install the `.ts` hook until `uninstall()`. `typescript` is an optional peer dependency of
 * gatelock: taken from beside gatelock, else from the program's own node_modules.
 */
export function installTsLoader(programDir: string): TsLoader {
  // Loaded on the first `.ts` file, so a JavaScript program does not need it.
  let typescript: Ts | undefined;
  const maps = new Map<string, string>();
  const extensions = (Module as unknown as { _extensions: Record<string, (m: NodeModule, file: string) => void> })._extensions;
  const previous = extensions[".ts"];
  extensions[".ts"] = (m, file) => {
    const ts = (typescript ??= loadTypescript(programDir));
    const source = ts.sys.readFile(file) ?? "";
    const out = ts.transpileModule(source, {
      fileName: file,
      reportDiagnostics: true,
      compilerOptions: {
        module: ts.ModuleKind.CommonJS,
        target: ts.ScriptTarget.ES2022,
        esModuleInterop: true,
        // Kept in memory (below) to place a thrown error on its TypeScript line: the emitted
        // JavaScript's lines differ.
        sourceMap: true,
      },
    });
    const error = out.diagnostics?.find((d) => d.category === ts.DiagnosticCategory.Error);
    if (error) {
      const { line, character } = error.file && error.start !== undefined ? error.file.getLineAndCharacterOfPosition(error.start) : { line: 0, character: 0 };
      throw new ProgramSyntaxError(file, line + 1, character + 1, ts.flattenDiagnosticMessageText(error.messageText, " "));
    }
    if (out.sourceMapText) maps.set(file, out.sourceMapText);
    // The emitted `//# sourceMappingURL=` names a .map file that does not exist on disk.
    (m as unknown as { _compile(code: string, file: string): void })._compile(out.outputText.replace(/\n\/\/# sourceMappingURL=.*\s*$/, "\n"), file);
  };
  return {
    originalPosition(file, line, column) {
      const text = maps.get(file);
      if (!text) return undefined;
      const entry = new SourceMap(JSON.parse(text)).findEntry(line - 1, column - 1) as { originalLine?: number; originalColumn?: number };
      return entry.originalLine === undefined ? undefined : { line: entry.originalLine + 1, column: (entry.originalColumn ?? 0) + 1 };
    },
    uninstall() {
      if (previous) extensions[".ts"] = previous;
      else delete extensions[".ts"];
    },
  };
}

function loadTypescript(programDir: string): Ts {
  for (const from of [__filename, path.join(programDir, "package.json")]) {
    try {
      return createRequire(from)("typescript") as Ts;
    } catch (e) {
      if ((e as NodeJS.ErrnoException)?.code !== "MODULE_NOT_FOUND") throw e;
    }
  }
  throw new GatelockError(
    "ERR_DEPENDENCY_MISSING",
    "this program is TypeScript, which the audit transpiles with the optional peer dependency typescript: run `npm install typescript`.",
  );
}
