/**
 * No module of gatelock reaches itself through its own runtime imports: a cycle makes load
 * order matter (a half-initialised module hands out `undefined`), and it is how layers start
 * to run backwards. Type-only imports are erased by tsc and do not count.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = path.resolve(__dirname, "../components");

function runtimeImports(file: string): string[] {
  const src = fs.readFileSync(file, "utf8");
  const out: string[] = [];
  for (const m of src.matchAll(/^(import|export)\s+(type\s+)?([^;]*?)\s+from\s+"(\.[^"]+)";/gms)) {
    const [, , typeOnly, clause, spec] = m as unknown as [string, string, string | undefined, string, string];
    if (typeOnly) continue;
    const braces = /^\{([^}]*)\}$/.exec(clause.trim());
    if (m[1] === "import" && braces && braces[1]!.split(",").every((x) => !x.trim() || x.trim().startsWith("type "))) continue;
    const target = path.resolve(path.dirname(file), spec);
    out.push(fs.existsSync(target) && fs.statSync(target).isDirectory() ? path.join(target, "index.ts") : `${target}.ts`);
  }
  return out;
}

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : e.name.endsWith(".ts") ? [path.join(dir, e.name)] : []));
}

describe("runtime imports", () => {
  it("form no cycle in components/", () => {
    const graph = new Map(sourceFiles(ROOT).map((f) => [f, runtimeImports(f)]));
    const cycles: string[] = [];
    const state = new Map<string, "visiting" | "done">();
    const visit = (f: string, trail: string[]) => {
      if (state.get(f) === "done" || !graph.has(f)) return;
      if (state.get(f) === "visiting") {
        cycles.push([...trail.slice(trail.indexOf(f)), f].map((x) => path.relative(ROOT, x)).join(" → "));
        return;
      }
      state.set(f, "visiting");
      for (const d of graph.get(f)!) visit(d, [...trail, f]);
      state.set(f, "done");
    };
    for (const f of graph.keys()) visit(f, []);
    expect(cycles).toEqual([]);
  });

  it("run one way: the model reaches no component folder, and documents reach only documents and the model's constants", () => {
    const components = ["aws", "gcp", "azure", "local", "other", "program", "component", "audit", "cli", "testing"].map((d) => path.join(ROOT, d) + path.sep);
    const backwards: string[] = [];
    for (const f of sourceFiles(ROOT)) {
      const rel = path.relative(ROOT, f);
      for (const d of runtimeImports(f)) {
        if (rel.startsWith(`model${path.sep}`) && components.some((c) => d.startsWith(c))) backwards.push(`${rel} → ${path.relative(ROOT, d)}`);
        if (rel.startsWith(`documents${path.sep}`) && !d.startsWith(path.join(ROOT, "documents") + path.sep) && d !== path.join(ROOT, "model/identity.ts")) backwards.push(`${rel} → ${path.relative(ROOT, d)}`);
      }
    }
    expect(backwards).toEqual([]);
  });
});
