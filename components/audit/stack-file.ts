/**
 * Reads a stack's config the way the Pulumi CLI would hand it to the program: from
 * `<stackConfigDir>/Pulumi.<stack>.yaml` named by `Pulumi.yaml`, as `ns:key` → string.
 *
 * Stack files can hold plain-text secrets (an API key pasted by mistake), so a file that
 * cannot be read as YAML is reported by file, line, column and a stable code, and never with
 * any text of the file: the `yaml` package's own error messages quote the offending line, so
 * they are mapped to gatelock's own words here and never passed on.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import {
  Composer,
  type CST,
  type Document,
  type ErrorCode,
  isAlias,
  isCollection,
  isMap,
  isPair,
  isScalar,
  LineCounter,
  type Node,
  Parser,
  type YAMLMap,
} from "yaml";
import { GatelockError } from "../errors";

export interface StackConfig {
  readonly projectDir: string;
  readonly project: string;
  readonly stack: string;
  readonly file: string;
  /** `ns:key` → value as Pulumi passes it to a program (objects and arrays as JSON). */
  readonly config: Record<string, string>;
  /** Keys whose values are encrypted (`secure:`); their values are not available offline. */
  readonly secretKeys: readonly string[];
}

/** Placeholder for an encrypted config value, which the offline audit cannot decrypt (the fakes know it too). */
export { ENCRYPTED_PLACEHOLDER } from "../testing/fake-kit";
import { ENCRYPTED_PLACEHOLDER } from "../testing/fake-kit";

/** Deepest nesting of mappings and sequences accepted in a YAML file (a stack file needs about 6). */
export const MAX_YAML_DEPTH = 64;
/** Most nodes a YAML file may expand to once its aliases are resolved. */
export const MAX_YAML_NODES = 100_000;
/** The `yaml` package's own alias-expansion limit (`maxAliasCount`), kept as a second guard. */
export const MAX_ALIAS_COUNT = 100;

/**
 * A file gatelock reads could not be read as the YAML it should be. Names the file (relative
 * to the project), the line and column, what is wrong and how to fix it: never any text of
 * the file, which may hold a secret.
 */
export class YamlFileError extends GatelockError {
  /** The file, relative to the project directory, with `/` separators. */
  readonly file: string;
  /** 1-based. */
  readonly line: number;
  /** 1-based. */
  readonly column: number;
  readonly problem: string;

  constructor(args: { file: string; line: number; column: number; problem: string; fix: string }) {
    super("ERR_CONFIG_SYNTAX", `${args.file}:${args.line}:${args.column}: ${args.problem}. Fix: ${args.fix}`);
    this.file = args.file;
    this.line = args.line;
    this.column = args.column;
    this.problem = args.problem;
  }
}

/** Find the Pulumi project at or above `from`. */
export function findProjectDir(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (fs.existsSync(path.join(dir, "Pulumi.yaml"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new GatelockError("ERR_STACK_NOT_FOUND", `no Pulumi.yaml found in ${from} or above: run gatelock in a Pulumi project.`);
    dir = up;
  }
}

export function readStackConfig(projectDir: string, stack: string): StackConfig {
  const projectFile = readYamlFile(projectDir, path.join(projectDir, "Pulumi.yaml"));
  const projectName = optionalString(projectFile, "name", "the project name, e.g. `name: gatelock`") ?? "project";
  const stackConfigDir = optionalString(projectFile, "stackConfigDir", "a directory relative to Pulumi.yaml, e.g. `stackConfigDir: stacks`") ?? ".";
  const dir = path.join(projectDir, stackConfigDir);
  const file = path.join(dir, `Pulumi.${stack}.yaml`);
  if (!/^[\w.-]+$/.test(stack) || !isFile(file)) {
    const known = isDirectory(dir) ? safeReaddir(dir).flatMap((f) => /^Pulumi\.(.+)\.yaml$/.exec(f)?.[1] ?? []).sort() : [];
    throw new GatelockError("ERR_STACK_NOT_FOUND", `no stack file for stack \`${stack}\` (${relativeName(projectDir, file)}). Stacks here: ${known.join(", ") || "none"}.`);
  }
  const stackFile = readYamlFile(projectDir, file);
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [rawKey, value] of configEntries(stackFile)) {
    const key = rawKey.includes(":") ? rawKey : `${projectName}:${rawKey}`;
    if (isSecure(value)) {
      config[key] = ENCRYPTED_PLACEHOLDER;
      secretKeys.push(key);
    } else {
      config[key] = typeof value === "string" ? value : (JSON.stringify(value) ?? "null");
    }
  }
  return { projectDir, project: projectName, stack, file, config, secretKeys };
}

function isSecure(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

// ---------------------------------------------------------------------------------------------
// Reading one YAML file safely

/** One YAML file, parsed and checked: a single document whose root is a mapping (or empty). */
interface YamlFile {
  readonly name: string;
  readonly doc: Document.Parsed | undefined;
  readonly root: Record<string, unknown>;
  readonly lines: LineCounter;
}

function readYamlFile(projectDir: string, file: string): YamlFile {
  const name = relativeName(projectDir, file);
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    // EACCES, EISDIR, ...: name the errno code only (a message could carry more than the path).
    const code = (e as NodeJS.ErrnoException | undefined)?.code;
    if (typeof code !== "string" || !/^E[A-Z]+$/.test(code)) throw e;
    throw new GatelockError("ERR_STACK_NOT_FOUND", `cannot read ${name} (${code}).`);
  }
  const lines = new LineCounter();
  const countLines = (t: string) => {
    lines.addNewLine(0);
    for (let i = t.indexOf("\n"); i >= 0; i = t.indexOf("\n", i + 1)) lines.addNewLine(i + 1);
  };
  const fail = (offset: number, problem: string, fix: string): never => {
    const { line, col } = lines.linePos(offset);
    throw new YamlFileError({ file: name, line: Math.max(line, 1), column: Math.max(col, 1), problem, fix });
  };

  const text = decodeUtf8(bytes);
  if (typeof text !== "string") {
    // Count lines in the valid prefix only; the rest is not text.
    const prefix = bytes.subarray(0, text.invalidAt).toString("utf8");
    countLines(prefix);
    const utf16 = (bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff) ? " (it looks like UTF-16)" : "";
    return fail(prefix.length, `the file is not UTF-8 text${utf16}`, "save it as UTF-8; a stack file is plain text");
  }

  countLines(text);
  const control = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufffe\uffff]/.exec(text);
  if (control) fail(control.index, "the file contains a control character (binary data?); YAML allows only printable characters", "remove it; a stack file is plain text");
  const tokens = Array.from(new Parser().parse(text));
  // The composer recurses once per level and relies on catching a stack overflow, which near
  // the limit can abort the whole process: refuse deep nesting before composing.
  const deep = tooDeep(tokens);
  if (deep !== undefined) fail(deep, `mappings and sequences are nested more than ${MAX_YAML_DEPTH} levels deep`, "flatten the structure");

  const composer = new Composer({ uniqueKeys: true, logLevel: "error", prettyErrors: false });
  const docs = Array.from(composer.compose(tokens));
  const streamErrors = composer.streamInfo().errors;
  const firstError = docs.find((d) => d.errors.length > 0)?.errors[0] ?? streamErrors[0];
  if (firstError) {
    // yaml reports an unclosed quote where the file ends; the line to fix is where it opens.
    const unclosed = firstError.code === "MISSING_CHAR" ? unclosedQuote(tokens) : undefined;
    if (unclosed !== undefined) fail(unclosed, "a quoted string opened here is never closed", "close the quote on this line");
    fail(firstError.pos[0], ...describeYamlError(firstError.code));
  }
  if (docs.length > 1) {
    fail(docs[1]!.range[0], "the file holds more than one YAML document (a second `---`); a Pulumi file holds exactly one", "keep one document: remove the second `---` and merge or delete what follows");
  }
  const doc = docs[0];
  const contents = doc?.contents ?? null;
  if (!doc || contents === null || (isScalar(contents) && contents.value === null && !contents.anchor)) {
    return { name, doc, root: {}, lines };
  }
  if (!isMap(contents)) {
    fail(contents.range[0], "the file's top level is not a mapping of keys to values", "start the file with `key: value` lines (a stack file starts with `config:`)");
  }
  checkAliases(contents as Node, fail);
  let root: unknown;
  try {
    root = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    // checkAliases caught what it can name; the rest is yaml's alias-expansion guard.
    if (e instanceof ReferenceError) return fail(firstAlias(contents as Node) ?? 0, "aliases (`*name`) expand to too much data, as in an alias bomb", "use fewer aliases; repeat small values instead");
    throw e;
  }
  return { name, doc, root: root as Record<string, unknown>, lines };
}

type Fail = (offset: number, problem: string, fix: string) => never;

/** The words for each of the `yaml` package's error codes: its own messages quote the file. */
function describeYamlError(code: ErrorCode): [problem: string, fix: string] {
  switch (code) {
    case "DUPLICATE_KEY":
      return ["a key appears twice in the same mapping", "keep one of them (YAML keys must be unique)"];
    case "BAD_INDENT":
      return ["the indentation is wrong here", "indent each nested key by the same number of spaces as its siblings"];
    case "TAB_AS_INDENT":
      return ["a tab is used for indentation", "indent with spaces only"];
    case "MISSING_CHAR":
      return ["a closing quote, bracket or brace, or a `:` after a key, is missing", "close every quote, `[` and `{` on the line where it starts, and put `: ` after each key"];
    case "BAD_DQ_ESCAPE":
      return ["a double-quoted string has an invalid escape sequence", "escape a backslash as `\\\\`, or use single quotes"];
    case "BAD_SCALAR_START":
      return ["a plain value starts with a character YAML reserves", "quote the value"];
    case "MULTILINE_IMPLICIT_KEY":
    case "BLOCK_AS_IMPLICIT_KEY":
    case "KEY_OVER_1024_CHARS":
      return ["a key is malformed (it spans lines, holds a block, or is longer than 1024 characters)", "write each key on one line, followed by `: `"];
    case "BLOCK_IN_FLOW":
      return ["block-style content appears inside a `[...]` or `{...}` collection", "use `, `-separated items inside brackets, or write the collection in block style"];
    case "UNEXPECTED_TOKEN":
      return ["unexpected content here (often a wrong indentation, a stray `-` or `:`, or an unclosed quote above)", "check this line and the one above it"];
    case "NON_STRING_KEY":
      return ["a key is not a string", "use a plain name as the key"];
    case "ALIAS_PROPS":
    case "BAD_ALIAS":
    case "MULTIPLE_ANCHORS":
    case "MULTIPLE_TAGS":
    case "BAD_PROP_ORDER":
      return ["an anchor (`&name`), alias (`*name`) or tag (`!tag`) is malformed", "give a node at most one anchor and one tag, before its value"];
    case "TAG_RESOLVE_FAILED":
    case "BAD_COLLECTION_TYPE":
      return ["a value does not match its tag (`!!int`, `!!map`, …)", "remove the tag or fix the value"];
    case "BAD_DIRECTIVE":
      return ["a `%` directive is malformed", "remove the directive line"];
    case "MULTIPLE_DOCS":
      return ["the file holds more than one YAML document", "keep one document"];
    case "RESOURCE_EXHAUSTION":
      return ["mappings and sequences are nested too deeply", "flatten the structure"];
    default:
      return ["this is not valid YAML", "check this line and the one above it"];
  }
}

/** Strict UTF-8 decoding (a leading byte-order mark is dropped); else where it first fails. */
function decodeUtf8(bytes: Buffer): string | { invalidAt: number } {
  try {
    return new TextDecoder("utf-8", { fatal: true }).decode(bytes);
  } catch {
    return { invalidAt: firstInvalidUtf8(bytes) };
  }
}

function firstInvalidUtf8(b: Uint8Array): number {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i += 1;
      continue;
    }
    const [n, min] = c >= 0xc2 && c <= 0xdf ? [1, 0x80] : c >= 0xe0 && c <= 0xef ? [2, 0x800] : c >= 0xf0 && c <= 0xf4 ? [3, 0x10000] : [0, 0];
    if (n === 0 || i + n >= b.length) return i;
    let cp = c & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const x = b[i + k]!;
      if ((x & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (x & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return b.length;
}

/** Offset of the first quoted scalar in the CST that has no closing quote. */
function unclosedQuote(tokens: readonly CST.Token[]): number | undefined {
  const stack: unknown[] = [...tokens].reverse();
  while (stack.length > 0) {
    const v = stack.pop();
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push(v[i]);
      continue;
    }
    if (!v || typeof v !== "object") continue;
    const t = v as { type?: unknown; source?: unknown; offset?: unknown };
    if ((t.type === "double-quoted-scalar" || t.type === "single-quoted-scalar") && typeof t.source === "string" && typeof t.offset === "number") {
      if (!isClosedQuote(t.source, t.type === "double-quoted-scalar" ? '"' : "'")) return t.offset;
      continue;
    }
    for (const [k, x] of Object.entries(v).reverse()) if (k !== "source" && x && typeof x === "object") stack.push(x);
  }
  return undefined;
}

function isClosedQuote(source: string, q: '"' | "'"): boolean {
  if (source.length < 2 || !source.endsWith(q)) return false;
  let n = 0;
  if (q === '"') {
    // The final `"` closes unless an odd run of backslashes escapes it.
    for (let i = source.length - 2; i >= 1 && source[i] === "\\"; i--) n++;
    return n % 2 === 0;
  }
  // In single quotes `''` is an escaped quote: an odd run of quotes at the end closes.
  for (let i = source.length - 1; i >= 1 && source[i] === "'"; i--) n++;
  return n % 2 === 1;
}

/**
 * Offset of the first collection nested deeper than MAX_YAML_DEPTH, walking the CST without
 * recursion. A collection nests only as a document's value or an item's key or value (the
 * rest of the CST is source tokens: indicators, props, separators), so only those are walked.
 */
function tooDeep(tokens: readonly CST.Token[]): number | undefined {
  const stack: [CST.Token | null | undefined, number][] = tokens.map((t) => [t, 0]);
  while (stack.length > 0) {
    const [t, depth] = stack.pop()!;
    if (!t) continue;
    if (t.type === "document") {
      stack.push([t.value, depth]);
    } else if (t.type === "block-map" || t.type === "block-seq" || t.type === "flow-collection") {
      if (depth + 1 > MAX_YAML_DEPTH) return t.offset;
      for (const item of t.items) stack.push([item.key, depth + 1], [item.value, depth + 1]);
    }
  }
  return undefined;
}

/**
 * Resolve every alias the way the `yaml` package does (the last anchor of that name before it,
 * in document order) and refuse what it would choke on or what would blow up on expansion:
 * an alias to no anchor, an alias inside the node it names (a cycle, which JSON cannot hold),
 * and aliases that expand past MAX_YAML_NODES nodes or MAX_YAML_DEPTH levels.
 */
function checkAliases(contents: Node, fail: Fail): void {
  const anchors = new Map<string, Node>();
  const open = new Set<Node>();
  const size = new Map<Node, { nodes: number; depth: number }>();
  const start = (n: Node) => n.range?.[0] ?? 0;
  const walk = (n: unknown): { nodes: number; depth: number } => {
    if (isPair(n)) {
      const k = walk(n.key);
      const v = walk(n.value);
      return { nodes: k.nodes + v.nodes, depth: Math.max(k.depth, v.depth) };
    }
    if (isAlias(n)) {
      const source = anchors.get(n.source);
      if (!source) return fail(start(n), "an alias (`*name`) refers to no anchor (`&name`) defined before it", "define the anchor before the alias, or write the value out");
      if (open.has(source)) return fail(start(n), "an alias (`*name`) refers to a node that contains it, which makes a cycle", "write the value out instead of the alias");
      return size.get(source) ?? { nodes: 1, depth: 0 };
    }
    if (!isScalar(n) && !isCollection(n)) return { nodes: 0, depth: 0 };
    const node = n as Node;
    const anchor = (node as { anchor?: string }).anchor;
    if (anchor) anchors.set(anchor, node);
    let result = { nodes: 1, depth: 0 };
    if (isCollection(n)) {
      open.add(node);
      let nodes = 1;
      let depth = 0;
      for (const item of n.items as unknown[]) {
        const r = walk(item);
        nodes += r.nodes;
        depth = Math.max(depth, r.depth);
        if (nodes > MAX_YAML_NODES) fail(start(node), `aliases (\`*name\`) expand this to more than ${MAX_YAML_NODES} values, as in an alias bomb`, "use fewer aliases; repeat small values instead");
      }
      open.delete(node);
      result = { nodes, depth: depth + 1 };
      if (result.depth > MAX_YAML_DEPTH) fail(start(node), `aliases (\`*name\`) nest this more than ${MAX_YAML_DEPTH} levels deep`, "use fewer aliases");
    }
    size.set(node, result);
    return result;
  };
  walk(contents);
}

function firstAlias(n: Node): number | undefined {
  const stack: unknown[] = [n];
  let first: number | undefined;
  while (stack.length > 0) {
    const x = stack.pop();
    if (isAlias(x)) first = Math.min(first ?? Infinity, x.range?.[0] ?? 0);
    else if (isPair(x)) stack.push(x.key, x.value);
    else if (isCollection(x)) stack.push(...(x.items as unknown[]));
  }
  return first;
}

/** The top-level mapping's node for `key`, if any. */
function topLevelNode(f: YamlFile, key: string): { node: Node | null; keyOffset: number } | undefined {
  const contents = f.doc?.contents;
  if (!isMap(contents)) return undefined;
  for (const pair of (contents as YAMLMap<unknown, unknown>).items) {
    if (isScalar(pair.key) && pair.key.value === key) {
      const value = pair.value as Node | null;
      return { node: value, keyOffset: pair.key.range?.[0] ?? 0 };
    }
  }
  return undefined;
}

function failAt(f: YamlFile, offset: number, problem: string, fix: string): never {
  const { line, col } = f.lines.linePos(offset);
  throw new YamlFileError({ file: f.name, line: Math.max(line, 1), column: Math.max(col, 1), problem, fix });
}

/** A top-level key that must be a string when present (Pulumi.yaml's `name`, `stackConfigDir`). */
function optionalString(f: YamlFile, key: string, expected: string): string | undefined {
  const found = topLevelNode(f, key);
  if (!found) return undefined;
  const value = f.root[key];
  if (value === null || value === undefined) return undefined;
  if (typeof value !== "string" || value === "") {
    failAt(f, found.node?.range?.[0] ?? found.keyOffset, `\`${key}\` must be a non-empty string`, `set it to ${expected}`);
  }
  return value;
}

/** `config:` of a stack file as [key, value] pairs; refuses a `config` that is not a mapping of string keys. */
function configEntries(f: YamlFile): [string, unknown][] {
  const found = topLevelNode(f, "config");
  if (!found || found.node === null || (isScalar(found.node) && found.node.value === null)) return [];
  const node = found.node;
  if (!isMap(node)) {
    failAt(f, node.range?.[0] ?? found.keyOffset, "`config` is not a mapping of `<namespace>:<key>` to values", "indent `gatelock:gateway:` and `gatelock:origins:` under `config:`");
  }
  for (const pair of (node as YAMLMap<unknown, unknown>).items) {
    if (!isScalar(pair.key) || typeof pair.key.value !== "string") {
      const at = isScalar(pair.key) || isCollection(pair.key) || isAlias(pair.key) ? ((pair.key as Node).range?.[0] ?? found.keyOffset) : found.keyOffset;
      failAt(f, at, "a key under `config` is not a plain string such as `gatelock:origins`", "write each config key as `<namespace>:<key>`");
    }
  }
  const config = f.root.config;
  return Object.entries(config && typeof config === "object" ? config : {});
}

// ---------------------------------------------------------------------------------------------

/** `file` relative to the project, with `/` separators. */
function relativeName(projectDir: string, file: string): string {
  return path.relative(projectDir, file).split(path.sep).join("/");
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

function safeReaddir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
