/**
 * `config/policies.json` with gatelock's policies in it (pure).
 *
 * gatelock owns the entries whose name starts with `gatelock-` and nothing else: it adds the
 * ones the stack needs (at the end), rewrites one that differs, and removes one the stack no
 * longer needs. The user's entries, their order and the file's formatting stay as they are.
 */
import { findNodeAtLocation, getNodeValue } from "jsonc-parser";
import { GatelockError } from "../errors";
import type { ZuploPolicy } from "../gateway/zuplo-policies";
import { parseJsonFile, setJson } from "./json-edit";
import { isRecord } from "./routes";

export const GATELOCK_PREFIX = "gatelock-";

export function isGatelockName(name: unknown): name is string {
  return typeof name === "string" && name.startsWith(GATELOCK_PREFIX);
}

/** The file's text with exactly `wanted` as its gatelock entries; a new file when there is none. */
export function syncPoliciesText(original: string | undefined, file: string, wanted: readonly ZuploPolicy[]): string {
  if (original === undefined) return `${JSON.stringify({ policies: wanted }, null, 2)}\n`;
  let text: string = original;
  const byName = new Map(wanted.map((p) => [p.name, p]));
  const list = () => {
    const root = parseJsonFile(text, file);
    const node = findNodeAtLocation(root, ["policies"]);
    if (node === undefined) return undefined;
    if (node.type !== "array") throw new GatelockError("ERR_CONFIG_SYNTAX", `${file}: \`policies\` is not a list. Fix: make it the list of policy entries Zuplo expects.`);
    return getNodeValue(node) as unknown[];
  };
  if (list() === undefined) {
    if (wanted.length === 0) return text;
    return setJson(text, ["policies"], wanted);
  }

  // Remove, last first so earlier indices stay valid: entries the stack no longer has, and repeats.
  const seen = new Set<string>();
  const remove: number[] = [];
  list()!.forEach((entry, i) => {
    const name = isRecord(entry) ? entry.name : undefined;
    if (!isGatelockName(name)) return;
    if (!byName.has(name) || seen.has(name)) remove.push(i);
    seen.add(name);
  });
  for (const i of remove.reverse()) text = setJson(text, ["policies", i], undefined);

  // Update in place, keeping the entry where the user's file has it.
  list()!.forEach((entry, i) => {
    const name = isRecord(entry) ? entry.name : undefined;
    if (isGatelockName(name) && !sameJson(entry, byName.get(name))) text = setJson(text, ["policies", i], byName.get(name));
  });

  // Add what is missing, in the stack's order.
  const present = new Set<unknown>(list()!.map((e) => (isRecord(e) ? e.name : undefined)));
  for (const p of wanted) if (!present.has(p.name)) text = setJson(text, ["policies", -1], p, true);
  return text;
}

/** Equal as JSON values, whatever the key order. */
export function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
  if (isRecord(v))
    return `{${Object.keys(v)
      .filter((k) => v[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(v[k])}`)
      .join(",")}}`;
  return JSON.stringify(v) ?? "null";
}
