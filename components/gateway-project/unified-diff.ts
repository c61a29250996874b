/**
 * A unified diff of two texts (pure, no dependency), as `git diff` prints it: `---`/`+++`
 * headers, `@@` hunks with three lines of context, and `\ No newline at end of file` where a
 * text does not end with one. What `gateway sync --check` and `--dry-run` print.
 */

const NO_NEWLINE = "\\ No newline at end of file";

type Op = { readonly kind: " " | "-" | "+"; readonly line: string; readonly a: number; readonly b: number };

/** `""` when the texts are equal. `before` undefined: a new file (`--- /dev/null`). */
export function unifiedDiff(file: string, before: string | undefined, after: string, context = 3): string {
  if (before === after) return "";
  const a = lines(before ?? "");
  const b = lines(after);
  const ops = diffLines(a, b);
  // Changes closer than twice the context share a hunk, as git's do.
  const changed = ops.flatMap((op, i) => (op.kind === " " ? [] : [i]));
  const hunks: Op[][] = [];
  for (let k = 0; k < changed.length; ) {
    let last = k;
    while (last + 1 < changed.length && changed[last + 1]! - changed[last]! <= 2 * context + 1) last++;
    hunks.push(ops.slice(Math.max(0, changed[k]! - context), Math.min(ops.length, changed[last]! + context + 1)));
    k = last + 1;
  }

  const out = [`--- ${before === undefined ? "/dev/null" : `a/${file}`}`, `+++ b/${file}`];
  for (const hunk of hunks) {
    const aLines = hunk.filter((o) => o.kind !== "+");
    const bLines = hunk.filter((o) => o.kind !== "-");
    const aStart = aLines.length ? aLines[0]!.a + 1 : (hunk[0]?.a ?? 0);
    const bStart = bLines.length ? bLines[0]!.b + 1 : (hunk[0]?.b ?? 0);
    out.push(`@@ -${range(aStart, aLines.length)} +${range(bStart, bLines.length)} @@`);
    for (const op of hunk) {
      const last = op.line.endsWith(NO_EOL);
      out.push(`${op.kind}${last ? op.line.slice(0, -NO_EOL.length) : op.line}`);
      if (last) out.push(NO_NEWLINE);
    }
  }
  return `${out.join("\n")}\n`;
}

function range(start: number, count: number): string {
  return count === 1 ? `${start}` : `${count === 0 ? start : start},${count}`;
}

/**
 * A last line without a newline carries a mark, so that it differs from the same line with
 * one (as in git, adding the final newline changes that line).
 */
const NO_EOL = "\u0000";

function lines(text: string): string[] {
  if (text === "") return [];
  const parts = text.split("\n");
  if (parts.at(-1) === "") parts.pop();
  else parts[parts.length - 1] += NO_EOL;
  return parts;
}

/**
 * Line operations turning `a` into `b`: common head and tail kept, the middle by longest
 * common subsequence (project files are small; a middle too large for the table is shown as
 * replaced whole).
 */
export function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  let head = 0;
  while (head < a.length && head < b.length && a[head] === b[head]) head++;
  let tail = 0;
  while (tail < a.length - head && tail < b.length - head && a[a.length - 1 - tail] === b[b.length - 1 - tail]) tail++;
  const ops: Op[] = [];
  for (let i = 0; i < head; i++) ops.push({ kind: " ", line: a[i]!, a: i, b: i });
  const n = a.length - head - tail;
  const m = b.length - head - tail;
  if (n * m > 25_000_000) {
    for (let i = 0; i < n; i++) ops.push({ kind: "-", line: a[head + i]!, a: head + i, b: head });
    for (let j = 0; j < m; j++) ops.push({ kind: "+", line: b[head + j]!, a: head + n, b: head + j });
  } else {
    // lcs[i][j]: the longest common subsequence of a's middle from i and b's from j.
    const lcs = new Uint32Array((n + 1) * (m + 1));
    const at = (i: number, j: number) => i * (m + 1) + j;
    for (let i = n - 1; i >= 0; i--)
      for (let j = m - 1; j >= 0; j--) lcs[at(i, j)] = a[head + i] === b[head + j] ? lcs[at(i + 1, j + 1)]! + 1 : Math.max(lcs[at(i + 1, j)]!, lcs[at(i, j + 1)]!);
    let i = 0;
    let j = 0;
    while (i < n || j < m) {
      if (i < n && j < m && a[head + i] === b[head + j]) ops.push({ kind: " ", line: a[head + i]!, a: head + i++, b: head + j++ });
      else if (i < n && (j === m || lcs[at(i + 1, j)]! >= lcs[at(i, j + 1)]!)) ops.push({ kind: "-", line: a[head + i]!, a: head + i++, b: head + j });
      else ops.push({ kind: "+", line: b[head + j]!, a: head + i, b: head + j++ });
    }
  }
  for (let k = tail; k > 0; k--) ops.push({ kind: " ", line: a[a.length - k]!, a: a.length - k, b: b.length - k });
  return ops;
}
