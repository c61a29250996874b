/**
 * Loads a user's Pulumi program in this process the way Pulumi's Node.js host would: from its
 * directory (the working directory while it runs), `require` of its `main`, TypeScript
 * transpiled on load, and a function or promise it exports awaited.
 *
 * Everything it changes in the process (the `.ts` hook, the module redirect, the working
 * directory) is undone by `close()`, which also forgets the program's own modules so the
 * next run executes it afresh rather than returning the modules cached by this one.
 */
import Module, { createRequire } from "node:module";
import * as path from "node:path";
import { redirectModules } from "./module-redirect";
import { installTsLoader, ProgramSyntaxError } from "./ts-loader";

export interface ProgramSession {
  /** Require the program and await what it exports: its stack outputs. */
  run(): Promise<unknown>;
  /**
   * Where in the program an error it threw comes from (`lib/roles.ts:12:5`), relative to its
   * directory; else its entry file, which `main` may leave implicit.
   */
  locate(error: unknown): string;
  close(): void;
}

export function openProgramSession(dir: string, main: string): ProgramSession {
  const cache = (Module as unknown as { _cache: Record<string, unknown> })._cache;
  const before = new Set(Object.keys(cache));
  // gatelock's own modules (the program's `gatelock` resolves to them) stay loaded: they are
  // the audit's, not the program's.
  const gatelockCode = path.resolve(__dirname, "..") + path.sep;
  const ts = installTsLoader(dir);
  const unredirect = redirectModules();
  const cwd = process.cwd();
  process.chdir(dir);

  const relative = (file: string) => path.relative(dir, file).split(path.sep).join("/") || ".";
  let entry = main;
  return {
    async run() {
      const load = createRequire(path.join(dir, "package.json"));
      entry = load.resolve(main);
      const exported = load(entry) as unknown;
      // `export =` a function or promise, or (ES module syntax) `export default` one.
      const program = isEsModule(exported) && exported.default !== undefined ? exported.default : exported;
      return await (typeof program === "function" ? (program as () => unknown)() : program);
    },
    locate(error) {
      if (error instanceof ProgramSyntaxError) return `${relative(error.file)}:${error.line}:${error.column}`;
      const stack = error instanceof Error ? (error.stack ?? "") : "";
      for (const m of stack.matchAll(/\(?((?:[A-Za-z]:)?[\\/][^\s():]+):(\d+):(\d+)\)?$/gm)) {
        const [, file, line, column] = m as unknown as [string, string, string, string];
        if (!file.startsWith(dir + path.sep) || file.includes(`${path.sep}node_modules${path.sep}`)) continue;
        const at = ts.originalPosition(file, Number(line), Number(column)) ?? { line: Number(line), column: Number(column) };
        return `${relative(file)}:${at.line}:${at.column}`;
      }
      return relative(entry);
    },
    close() {
      process.chdir(cwd);
      unredirect();
      ts.uninstall();
      for (const key of Object.keys(cache)) {
        if (!before.has(key) && !key.startsWith(gatelockCode) && !key.includes(`${path.sep}node_modules${path.sep}`)) delete cache[key];
      }
    },
  };
}

function isEsModule(v: unknown): v is { default?: unknown } {
  return typeof v === "object" && v !== null && (v as { __esModule?: unknown }).__esModule === true;
}
