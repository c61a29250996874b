/**
 * Reading and editing a Zuplo project's JSON files without reformatting them (pure).
 *
 * The files live in the user's git repository: an edit that reindents the whole file would
 * bury gatelock's one change in a diff nobody can review. jsonc-parser's `modify` changes only
 * the value at a path and formats just what it inserts, with the indentation and line ending
 * detected from the file itself.
 */
import { applyEdits, findNodeAtLocation, type FormattingOptions, type JSONPath, modify, type Node, type ParseError, parseTree, printParseErrorCode } from "jsonc-parser";
import { GatelockError } from "../errors";

/** Indentation (tabs, or the smallest indent in spaces) and line ending of a JSON text. */
export function detectFormatting(text: string): FormattingOptions {
  const eol = text.includes("\r\n") ? "\r\n" : "\n";
  let tabSize = 0;
  for (const line of text.split(/\r?\n/)) {
    const indent = /^([ \t]+)\S/.exec(line)?.[1];
    if (!indent) continue;
    if (indent.startsWith("\t")) return { insertSpaces: false, tabSize: 4, eol };
    if (tabSize === 0 || indent.length < tabSize) tabSize = indent.length;
  }
  return { insertSpaces: true, tabSize: tabSize || 2, eol };
}

/**
 * `text` with the value at `path` set (`undefined` removes it); `insert` inserts into an array
 * at the index the path ends with (`-1`: at the end).
 */
export function setJson(text: string, path: JSONPath, value: unknown, insert = false): string {
  if (value === undefined && typeof path.at(-1) === "number") return removeElement(text, path);
  const edits = modify(text, path, value, { formattingOptions: detectFormatting(text), ...(insert ? { isArrayInsertion: true } : {}) });
  return applyEdits(text, edits);
}

/**
 * Remove one array element with the comma before it (after it, for the first), and nothing
 * else: jsonc-parser's removal reformats around the element and, in a file on one line,
 * breaks it (jsonc-parser 3.3.1: removing the last element of a minified array).
 */
function removeElement(text: string, path: JSONPath): string {
  const array = findNodeAtLocation(parseTree(text)!, path.slice(0, -1));
  const children = array?.type === "array" ? (array.children ?? []) : [];
  const i = path.at(-1) as number;
  const child = children[i];
  if (!array || !child) return text;
  const end = (n: Node) => n.offset + n.length;
  if (i > 0) return text.slice(0, end(children[i - 1]!)) + text.slice(end(child));
  const next = children[1];
  if (next) return text.slice(0, child.offset) + text.slice(next.offset);
  return text.slice(0, array.offset + 1) + text.slice(end(array) - 1);
}

/** Replace the text of one node (for edits `modify` would reflow, such as a one-line array). */
export function replaceNode(text: string, node: Node, replacement: string): string {
  return text.slice(0, node.offset) + replacement + text.slice(node.offset + node.length);
}

/**
 * The syntax tree of a project file, or an `ERR_CONFIG_SYNTAX` error naming the file, line and
 * column (never quoting it). Comments are tolerated, as Zuplo's editor does.
 */
export function parseJsonFile(text: string, file: string): Node {
  const errors: ParseError[] = [];
  const tree = parseTree(text, errors, { allowTrailingComma: false, disallowComments: false });
  const first = errors[0];
  if (first || tree === undefined) {
    const offset = first?.offset ?? 0;
    const before = text.slice(0, offset).split(/\r?\n/);
    const problem = first ? printParseErrorCode(first.error) : "EmptyFile";
    throw new GatelockError("ERR_CONFIG_SYNTAX", `${file}:${before.length}:${(before.at(-1)?.length ?? 0) + 1}: not valid JSON (${problem}). Fix: correct the file (Zuplo's route designer writes it).`);
  }
  return tree;
}
