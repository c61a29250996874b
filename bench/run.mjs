// Benchmark: `gatelock audit` against what a careful Pulumi engineer writes by hand for the
// same stack (the same resources, one plain ComponentResource per origin), under the same
// mock engine, measured in the same run. See docs/performance.md.
//   npm run bench [-- --sizes 10,100,1000 --repeat 3 --baseline-aliases --floor]
// Prints medians and ratios (gatelock / baseline). With --floor, also the floor: the baseline
// after reading and validating the stack file, the least any offline audit must do (child.mjs).
// Not a test: nothing here passes or fails.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt("sizes", "10,100,1000").split(",").map(Number);
const repeat = Number(opt("repeat", "3"));
const flags = args.includes("--baseline-aliases") ? ["--baseline-aliases"] : [];
const withFloor = args.includes("--floor");
const modes = withFloor ? ["baseline", "floor", "audit"] : ["baseline", "audit"];
const child = path.join(path.dirname(new URL(import.meta.url).pathname), "child.mjs");

function measure(mode, n) {
  const out = execFileSync(process.execPath, [child, mode, String(n), ...flags], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split("\n").pop());
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** Whether both programs registered the same resources: the same count by type, and the same tree. */
function sameResources(a, b) {
  const types = [...new Set([...Object.keys(a.types), ...Object.keys(b.types)])].sort();
  const diff = types.filter((t) => a.types[t] !== b.types[t]).map((t) => `${t}: audit ${a.types[t] ?? 0}, baseline ${b.types[t] ?? 0}`);
  return { sameTypes: diff.length === 0, sameTree: a.tree === b.tree, sameAliases: a.aliasTree === b.aliasTree, diff, types: types.length };
}

console.log(`node ${process.version}, ${repeat} runs per cell (alternating), medians; baseline ${flags.length ? "with" : "without"} gatelock's aliases\n`);
const rows = [];
const floorRows = [];
const notes = [];
const spread = [];
for (const n of sizes) {
  const runs = Object.fromEntries(modes.map((m) => [m, []]));
  for (let r = 0; r < repeat; r++) for (const mode of modes) runs[mode].push(measure(mode, n));
  // The fastest run too: on a shared machine other work only ever adds time, so the fastest
  // runs are the least disturbed (a second estimate beside the median, not a replacement).
  const summary = (xs) => ({ ms: median(xs.map((x) => x.ms)), fastest: Math.min(...xs.map((x) => x.ms)), cpu: median(xs.map((x) => x.cpuMs)), mb: median(xs.map((x) => x.maxRssMb)) });
  const b = summary(runs.baseline);
  const a = summary(runs.audit);
  if (withFloor) {
    const f = summary(runs.floor);
    floorRows.push(`| ${n} | ${f.ms.toFixed(0)} | ${(f.ms / b.ms).toFixed(2)}× | ${(a.ms / f.ms).toFixed(2)}× | ${(f.fastest / b.fastest).toFixed(2)}× | ${(a.fastest / f.fastest).toFixed(2)}× | ${(f.cpu / b.cpu).toFixed(2)}× | ${(a.cpu / f.cpu).toFixed(2)}× | ${f.mb.toFixed(0)} | ${(f.mb / b.mb).toFixed(2)}× | ${(a.mb / f.mb).toFixed(2)}× |`);
  }
  const same = sameResources(runs.audit[0], runs.baseline[0]);
  const count = runs.audit[0].resources === runs.baseline[0].resources ? `${runs.audit[0].resources}` : `${runs.audit[0].resources} (baseline ${runs.baseline[0].resources})`;
  rows.push(`| ${n} | ${count} | ${b.ms.toFixed(0)} | ${a.ms.toFixed(0)} | ${(a.ms / b.ms).toFixed(2)}× | ${(a.fastest / b.fastest).toFixed(2)}× | ${(a.cpu / b.cpu).toFixed(2)}× | ${b.mb.toFixed(0)} | ${a.mb.toFixed(0)} | ${(a.mb / b.mb).toFixed(2)}× |`);
  spread.push(`- ${n} origins, every run (ms / MB): baseline ${runs.baseline.map((x) => `${x.ms.toFixed(0)}/${x.maxRssMb.toFixed(0)}`).join(", ")}; audit ${runs.audit.map((x) => `${x.ms.toFixed(0)}/${x.maxRssMb.toFixed(0)}`).join(", ")}${withFloor ? `; floor ${runs.floor.map((x) => `${x.ms.toFixed(0)}/${x.maxRssMb.toFixed(0)}`).join(", ")}` : ""}.`);
  notes.push(
    same.sameTypes
      ? `- ${n} origins: both registered ${runs.audit[0].resources} resources of the same ${same.types} types, in the same counts; ${same.sameTree ? "the same resources too (type, name, parent and inputs, secrets masked)" : "but NOT the same resources (names, parents or inputs differ; BENCH_DUMP=<prefix> writes both lists)"}.`
      : `- ${n} origins: NOT the same resources: ${same.diff.join("; ")}.`,
  );
  if (withFloor && runs.floor[0].tree !== runs.baseline[0].tree) notes.push(`- ${n} origins: the floor did NOT register the baseline's resources.`);
  notes.push(`  Aliases (earlier URNs kept): audit ${runs.audit[0].aliases}, baseline ${runs.baseline[0].aliases}${same.sameAliases ? ", the same ones" : ""}.`);
}
console.log("| origins | resources (each) | baseline ms | audit ms | time ratio | time ratio, fastest runs | CPU time ratio | baseline peak MB | audit peak MB | memory ratio |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const r of rows) console.log(r);
console.log("");
if (withFloor) {
  console.log("The floor: the baseline after reading the stack file (yaml) and validating it (gatelock's zod schema), the least any offline audit does.");
  console.log("| origins | floor ms | time: floor / baseline | time: audit / floor | fastest: floor / baseline | fastest: audit / floor | CPU: floor / baseline | CPU: audit / floor | floor peak MB | memory: floor / baseline | memory: audit / floor |");
  console.log("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of floorRows) console.log(r);
  console.log("");
}
for (const l of notes) console.log(l);
console.log("");
for (const l of spread) console.log(l);
