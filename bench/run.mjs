// Benchmark: `gatelock audit` against a plain Pulumi program that registers the same cloud
// resources directly, under the same mock engine, measured in the same run.
//   npm run bench [-- --sizes 10,100,1000 --repeat 3]
// Prints medians and ratios (gatelock / baseline). Not a test: nothing here passes or fails.
import { execFileSync } from "node:child_process";
import * as path from "node:path";

const args = process.argv.slice(2);
const opt = (name, def) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : def;
};
const sizes = opt("sizes", "10,100,1000").split(",").map(Number);
const repeat = Number(opt("repeat", "3"));
const child = path.join(path.dirname(new URL(import.meta.url).pathname), "child.mjs");

function measure(mode, n) {
  const out = execFileSync(process.execPath, [child, mode, String(n)], { encoding: "utf8", maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split("\n").pop());
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`node ${process.version}, ${repeat} runs per cell (alternating), medians\n`);
console.log("| origins | resources | baseline ms | audit ms | time ratio | baseline peak MB | audit peak MB | memory ratio |");
console.log("|---:|---:|---:|---:|---:|---:|---:|---:|");
for (const n of sizes) {
  const runs = { baseline: [], audit: [] };
  for (let r = 0; r < repeat; r++) for (const mode of ["baseline", "audit"]) runs[mode].push(measure(mode, n));
  const b = { ms: median(runs.baseline.map((x) => x.ms)), mb: median(runs.baseline.map((x) => x.maxRssMb)) };
  const a = { ms: median(runs.audit.map((x) => x.ms)), mb: median(runs.audit.map((x) => x.maxRssMb)) };
  console.log(`| ${n} | ${runs.audit[0].resources} (${runs.baseline[0].resources}) | ${b.ms.toFixed(0)} | ${a.ms.toFixed(0)} | ${(a.ms / b.ms).toFixed(2)}× | ${b.mb.toFixed(0)} | ${a.mb.toFixed(0)} | ${(a.mb / b.mb).toFixed(2)}× |`);
}
