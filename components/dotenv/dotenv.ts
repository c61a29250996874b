/**
 * The dotenv sink: merge gatelock's keys into a dotenv file without touching anything else,
 * write it atomically with mode 0600, and the Pulumi dynamic provider that does both.
 *
 * SERIALISATION. Pulumi serialises a dynamic provider's code and runs it in another process
 * (the dynamic provider host). Everything the provider's methods reach is captured by value,
 * except modules: a captured local module becomes `require("./components/...")`, which fails
 * in the host (and in an npm package with an `exports` map). So the provider below may reach
 * only:
 *   - functions and non-exported constants declared in THIS file. Functions are `function`
 *     declarations, which tsc references directly; an `export const` is referenced as
 *     `exports.x` and would capture this whole module;
 *   - the private-file helpers (components/files/private-files.ts, which reaches Node builtins
 *     through a global), through the locals bound once below: a function is captured by
 *     value, the module object would be a `require`.
 * `test/dotenv.test.ts` checks this by compiling this file and the helpers with tsc's
 * settings, serialising the provider with Pulumi's closure serialiser and running it from a
 * directory where no gatelock module can be found.
 *
 * Formats: a value is written bare when it is made of characters every dotenv parser reads
 * literally, otherwise in single quotes (JSON documents), double quotes or backticks, the
 * first that does not occur in the value. Checked against Node's parser (`util.parseEnv`,
 * `--env-file`, `process.loadEnvFile`, Node 20 and 24) and `dotenv` 16.5 (what `zuplo dev`
 * bundles). No parser agrees on escapes, so gatelock never writes one; it refuses line
 * breaks and values holding all three quote characters instead.
 *
 * Error messages name keys and paths, never values: the values are secrets.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as privateFiles from "../files/private-files";

// Bound once, at load: the methods capture these functions by value, not the module.
const { fsModule, pathModule, writeAtomic } = privateFiles;

// ---------------------------------------------------------------------------------------
// Pure text functions
// ---------------------------------------------------------------------------------------

/** One assignment found in a dotenv text. Offsets are into the text; `end` is past the terminator. */
export interface DotenvEntry {
  readonly key: string;
  /** Offset of the first character of the entry's first line. */
  readonly start: number;
  /** Offset just past the entry's last line terminator (or the end of the text). */
  readonly end: number;
  /** Leading whitespace and `export ` kept when the entry is rewritten. */
  readonly prefix: string;
  /** The last line's terminator: `\n`, `\r\n` or "" at the end of the text. */
  readonly eol: string;
}

export interface ParsedDotenv {
  /** Assignments in file order (duplicates included). */
  readonly entries: readonly DotenvEntry[];
  /** The line terminator new lines get: `\r\n` when most lines use it, else `\n`. */
  readonly eol: "\n" | "\r\n";
}

/**
 * A line opening an assignment: optional BOM and indentation, optional `export`, a key
 * (`[\w.-]+`, as `dotenv` accepts), then `=` or dotenv's `KEY: value` form.
 */
const ASSIGNMENT = /^(\uFEFF?[ \t]*(?:export[ \t]+)?)([\w.-]+)(?:[ \t]*=|:[ \t])[ \t]*/;

/** Keys gatelock writes: what both parsers accept and no shell trips on. */
const WRITABLE_KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Characters that every dotenv parser reads literally in an unquoted value. */
const BARE_VALUE = /^[A-Za-z0-9_.\/:@+,=%~-]+$/;

/** Marks the block gatelock appends; removed again when the block empties. */
const MARKER = "# managed by gatelock (pulumi): keys below are rewritten on every update";

/**
 * Find the assignments in a dotenv text: enough to locate keys, not to evaluate values.
 * A quoted value that does not close on its line runs to the line holding the closing
 * quote, as in Node and `dotenv`, so a multi-line value counts as one entry.
 */
export function parseDotenv(text: string): ParsedDotenv {
  const entries: DotenvEntry[] = [];
  let crlf = 0;
  let lf = 0;
  let pos = 0;
  while (pos < text.length) {
    const line = readLine(text, pos);
    if (line.eol === "\r\n") crlf++;
    else if (line.eol === "\n") lf++;
    const body = text.slice(pos, line.bodyEnd);
    const m = ASSIGNMENT.exec(body);
    if (!m) {
      pos = line.next;
      continue;
    }
    let last = line;
    const quote = body[m[0].length];
    if (quote === "'" || quote === '"' || quote === "`") {
      const valueStart = pos + m[0].length + 1;
      const closeOnLine = text.indexOf(quote, valueStart);
      if (closeOnLine >= line.bodyEnd) {
        // The quote does not close on this line: the entry runs to the line that closes it.
        // Lines between are part of the value, so their terminators are not counted.
        let next = line.next;
        while (next < text.length) {
          const l = readLine(text, next);
          if (text.slice(next, l.bodyEnd).includes(quote)) {
            last = l;
            break;
          }
          next = l.next;
        }
        if (last !== line && last.eol === "\r\n") crlf++;
        else if (last !== line && last.eol === "\n") lf++;
      }
    }
    entries.push({ key: m[2]!, start: pos, end: last.next, prefix: m[1]!, eol: last.eol });
    pos = last.next;
  }
  return { entries, eol: crlf > lf ? "\r\n" : "\n" };
}

function readLine(text: string, pos: number): { bodyEnd: number; next: number; eol: "" | "\n" | "\r\n" } {
  const nl = text.indexOf("\n", pos);
  if (nl < 0) return { bodyEnd: text.length, next: text.length, eol: "" };
  if (nl > pos && text[nl - 1] === "\r") return { bodyEnd: nl - 1, next: nl + 1, eol: "\r\n" };
  return { bodyEnd: nl, next: nl + 1, eol: "\n" };
}

/**
 * The dotenv spelling of one value, read back identically by Node's parser and by `dotenv`.
 * Throws a `TypeError` (that never quotes the value) for a value no dotenv format can hold.
 */
export function quoteDotenvValue(value: string): string {
  if (typeof value !== "string") throw new TypeError("a dotenv value must be a string");
  if (/[\r\n\0]/.test(value)) throw new TypeError("a dotenv value cannot hold a line break or NUL");
  if (BARE_VALUE.test(value)) return value;
  if (!value.includes("'")) return `'${value}'`;
  // Double quotes expand `\n` (both parsers) and `\r` (dotenv): only when there is no backslash.
  if (!value.includes('"') && !value.includes("\\")) return `"${value}"`;
  if (!value.includes("`")) return `\`${value}\``;
  throw new TypeError("no dotenv quoting holds a value with ', ` and \" or a backslash (dotenv parsers do not agree on escapes)");
}

/**
 * Rewrite `existing` so that the keys in `set` have their new values and the keys in
 * `remove` are gone, changing nothing else:
 *  - a key's first assignment is rewritten in place (its indentation, `export` and line
 *    terminator kept); later assignments of the same key are deleted;
 *  - keys not yet present are appended in a block under a `# managed by gatelock` line,
 *    or, when the file already has that line, after the gatelock keys that follow it;
 *  - every other line, comment and blank line stays byte for byte, in order, CRLF included;
 *  - the marker line goes away when this merge removed the last gatelock key under it, so
 *    that adding keys and removing them again gives back the original file.
 * Callers pass every key they manage in `set` or `remove` (the provider does): the keys of
 * both are what counts as "gatelock's" under the marker.
 */
export function mergeDotenv(existing: string, set: Readonly<Record<string, string>>, remove: readonly string[] = []): string {
  const setKeys = Object.keys(set);
  for (const key of [...setKeys, ...remove]) {
    if (!WRITABLE_KEY.test(key)) throw new TypeError(`invalid dotenv key \`${key}\`: expected letters, digits and _ (not starting with a digit)`);
  }
  const removing = new Set(remove);
  for (const key of setKeys) {
    if (removing.has(key)) throw new TypeError(`dotenv key \`${key}\` is both set and removed`);
  }
  // Validate every value before changing anything.
  const lines = new Map<string, string>();
  for (const key of setKeys) {
    try {
      lines.set(key, `${key}=${quoteDotenvValue(set[key]!)}`);
    } catch (e) {
      throw new TypeError(`dotenv key \`${key}\`: ${(e as Error).message}`);
    }
  }

  const parsed = parseDotenv(existing);
  const marker = findMarker(existing);
  let runEnd = marker?.next; // end of the assignments directly under the marker
  let droppedUnderMarker = false;
  const written = new Set<string>();
  let out = "";
  let pos = 0;
  for (const entry of parsed.entries) {
    const underMarker = entry.start === runEnd;
    if (underMarker) runEnd = entry.end;
    out += existing.slice(pos, entry.start);
    pos = entry.end;
    const replacement = lines.get(entry.key);
    if (replacement !== undefined && !written.has(entry.key)) {
      out += entry.prefix + replacement + entry.eol;
      written.add(entry.key);
    } else if (replacement !== undefined || removing.has(entry.key)) {
      droppedUnderMarker ||= underMarker; // a later duplicate, or a removed key
    } else {
      out += existing.slice(entry.start, entry.end);
    }
  }
  out += existing.slice(pos);

  const missing = setKeys.filter((k) => !written.has(k)).map((k) => lines.get(k)!);
  const block = findMarker(out);
  if (block === undefined) {
    if (missing.length === 0) return out;
    const sep = out.length > 0 && !out.endsWith("\n") ? parsed.eol : "";
    return out + sep + [MARKER, ...missing].map((l) => l + parsed.eol).join("");
  }
  // The assignments directly under the marker: insert after the last of gatelock's.
  const managed = new Set([...setKeys, ...remove]);
  let at = block.next;
  let insertAt = block.next;
  let holdsSetKey = false;
  for (const entry of parseDotenv(out).entries) {
    if (entry.start !== at) continue;
    at = entry.end;
    if (managed.has(entry.key)) insertAt = entry.end;
    if (Object.prototype.hasOwnProperty.call(set, entry.key)) holdsSetKey = true;
  }
  if (missing.length > 0) {
    const head = out.slice(0, insertAt);
    const sep = head.length > 0 && !head.endsWith("\n") ? parsed.eol : "";
    return head + sep + missing.map((l) => l + parsed.eol).join("") + out.slice(insertAt);
  }
  if (droppedUnderMarker && !holdsSetKey) return out.slice(0, block.start) + out.slice(block.next);
  return out;
}

function findMarker(text: string): { start: number; next: number } | undefined {
  let pos = 0;
  while (pos < text.length) {
    const line = readLine(text, pos);
    if (text.slice(pos, line.bodyEnd) === MARKER) return { start: pos, next: line.next };
    pos = line.next;
  }
  return undefined;
}

// ---------------------------------------------------------------------------------------
// Files
// ---------------------------------------------------------------------------------------

/**
 * Replace `path` with `text` atomically and with exactly `mode` (see `writeAtomic`). A symlink
 * at `path` is followed: a user's linked `.env` stays a link, and its target is replaced.
 */
export async function writeFileAtomic(path: string, text: string, mode: number = 0o600): Promise<void> {
  await writeAtomic(path, text, mode, { followSymlink: true });
}

/** The file's text, or undefined when it does not exist. Refuses text that is not UTF-8. */
async function readDotenvFile(path: string): Promise<string | undefined> {
  let buf: Buffer;
  try {
    buf = await fsModule().promises.readFile(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const text = buf.toString("utf8");
  // Rewriting undecodable bytes would change lines gatelock does not own: refuse instead.
  if (!Buffer.from(text, "utf8").equals(buf)) throw new Error(`gatelock will not rewrite ${path}: it is not valid UTF-8`);
  return text;
}

/** Serialise read-modify-write cycles on one path within this process (several resources, one file). */
async function withPathLock<T>(path: string, fn: () => Promise<T>): Promise<T> {
  const key = Symbol.for("gatelock.dotenv.locks");
  const g = globalThis as unknown as Record<symbol, Map<string, Promise<unknown>> | undefined>;
  const locks = (g[key] ??= new Map<string, Promise<unknown>>());
  const prev = locks.get(path) ?? Promise.resolve();
  const run = prev.then(fn, fn);
  const tail = run.catch(() => undefined);
  locks.set(path, tail);
  try {
    return await run;
  } finally {
    if (locks.get(path) === tail) locks.delete(path);
  }
}

// ---------------------------------------------------------------------------------------
// The dynamic provider
// ---------------------------------------------------------------------------------------

export interface DotenvFileInputs {
  /**
   * The dotenv file, relative to `projectDir` (and so the same in every checkout of the
   * project). gatelock 0.1 stored an absolute path here without `projectDir`; such state is
   * still read, and moves to the relative form without replacing the file.
   */
  readonly path: string;
  /** Absolute directory `path` is relative to: where this checkout of the project is. Not part of the file's identity. */
  readonly projectDir?: string;
  /** Keys gatelock manages in the file, with their values. */
  readonly entries: Record<string, string>;
}

export interface DotenvFileOutputs extends DotenvFileInputs {
  /** gatelock created the file (it did not exist): delete removes the file once it is empty. */
  readonly created: boolean;
}

/** `ResourceProvider` with every method this provider implements made non-optional. */
export interface DotenvFileProvider extends dynamic.ResourceProvider<DotenvFileInputs, DotenvFileOutputs> {
  check(olds: DotenvFileInputs, news: DotenvFileInputs): Promise<dynamic.CheckResult<DotenvFileInputs>>;
  diff(id: string, olds: DotenvFileOutputs, news: DotenvFileInputs): Promise<dynamic.DiffResult>;
  create(inputs: DotenvFileInputs): Promise<dynamic.CreateResult<DotenvFileOutputs>>;
  update(id: string, olds: DotenvFileOutputs, news: DotenvFileInputs): Promise<dynamic.UpdateResult<DotenvFileOutputs>>;
  delete(id: string, props: DotenvFileOutputs): Promise<void>;
}

/** How the dynamic provider host spells a value that is not known yet (preview). */
const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

function checkDotenvInputs(inputs: DotenvFileInputs): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const p = pathModule();
  if (inputs.projectDir === undefined) {
    if (inputs.path !== UNKNOWN && (typeof inputs.path !== "string" || !p.isAbsolute(inputs.path))) {
      failures.push({ property: "path", reason: "expected an absolute path to the dotenv file, or a relative one with projectDir" });
    }
  } else {
    if (inputs.projectDir !== UNKNOWN && (typeof inputs.projectDir !== "string" || !p.isAbsolute(inputs.projectDir))) {
      failures.push({ property: "projectDir", reason: "expected the project's absolute directory" });
    }
    if (inputs.path !== UNKNOWN && (typeof inputs.path !== "string" || p.isAbsolute(inputs.path) || inputs.path.split(/[/\\]/).includes(".."))) {
      failures.push({ property: "path", reason: "expected a path relative to the project, inside it" });
    }
  }
  const entries = inputs.entries as unknown;
  if (entries === UNKNOWN) return failures;
  if (typeof entries !== "object" || entries === null || Array.isArray(entries)) {
    failures.push({ property: "entries", reason: "expected an object of KEY: value strings" });
    return failures;
  }
  const record = entries as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    const value = record[key];
    try {
      mergeDotenv("", { [key]: value === UNKNOWN ? "" : (value as string) });
    } catch (e) {
      failures.push({ property: "entries", reason: (e as Error).message });
    }
  }
  return failures;
}

function sameEntries(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  if (typeof a !== "object" || a === null || typeof b !== "object" || b === null) return false; // unknown in preview
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => Object.prototype.hasOwnProperty.call(b, k) && a[k] === b[k]);
}

/** Where the file is on this machine. */
function filePath(x: DotenvFileInputs): string {
  const p = pathModule();
  return x.projectDir !== undefined && !p.isAbsolute(x.path) ? p.join(x.projectDir, x.path) : x.path;
}

/**
 * What names the file across checkouts: the relative path. An old absolute path (no
 * projectDir) names the same file when it is where the new relative path points here.
 */
function sameFile(olds: DotenvFileInputs, news: DotenvFileInputs): boolean {
  const p = pathModule();
  if (olds.projectDir !== undefined && news.projectDir !== undefined) return p.normalize(olds.path) === p.normalize(news.path);
  return p.normalize(filePath(olds)) === p.normalize(filePath(news));
}

/** Apply one change to the file; returns whether the file existed before. */
async function applyDotenv(path: string, set: Readonly<Record<string, string>>, remove: readonly string[]): Promise<boolean> {
  return withPathLock(path, async () => {
    const existing = await readDotenvFile(path);
    await writeFileAtomic(path, mergeDotenv(existing ?? "", set, remove));
    return existing !== undefined;
  });
}

export const dotenvFileProvider: DotenvFileProvider = {
  async check(_olds, news) {
    const failures = checkDotenvInputs(news);
    return failures.length > 0 ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id, olds, news) {
    const replaces = sameFile(olds, news) ? [] : ["path"];
    // Moving state to the relative form (or another checkout's directory) is an update, never a replacement.
    const changes = replaces.length > 0 || !sameEntries(olds.entries ?? {}, news.entries ?? {}) || olds.path !== news.path;
    return { changes, replaces, deleteBeforeReplace: false };
  },

  async create(inputs) {
    const existed = await applyDotenv(filePath(inputs), inputs.entries, []);
    return { id: inputs.path, outs: { path: inputs.path, ...(inputs.projectDir !== undefined ? { projectDir: inputs.projectDir } : {}), entries: inputs.entries, created: !existed } };
  },

  async update(_id, olds, news) {
    // A path change is a replacement (see diff), so olds and news name the same file.
    const remove = Object.keys(olds.entries ?? {}).filter((k) => !Object.prototype.hasOwnProperty.call(news.entries, k));
    const existed = await applyDotenv(filePath(news), news.entries, remove);
    // If the file vanished since, gatelock just created it again.
    return { outs: { path: news.path, ...(news.projectDir !== undefined ? { projectDir: news.projectDir } : {}), entries: news.entries, created: existed ? olds.created === true : true } };
  },

  async delete(_id, props) {
    const path = filePath(props);
    await withPathLock(path, async () => {
      const existing = await readDotenvFile(path);
      if (existing === undefined) return;
      const text = mergeDotenv(existing, {}, Object.keys(props.entries ?? {}));
      if (props.created === true && text.trim() === "") {
        await fsModule().promises.rm(path, { force: true });
      } else if (text !== existing) {
        await writeFileAtomic(path, text);
      }
    });
  },
};
