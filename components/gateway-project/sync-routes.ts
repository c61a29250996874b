/**
 * A `config/*.oas.json` file with every route in sync (pure): the edits of `routeSync`,
 * applied one by one so the rest of the file keeps its formatting.
 */
import { findNodeAtLocation, type JSONPath } from "jsonc-parser";
import type { LockedOrigin } from "./locked-origins";
import { parseJsonFile, replaceNode, setJson } from "./json-edit";
import { readRoutes } from "./routes";
import { routeSync } from "./route-sync";
import { routeTarget } from "./route-target";
import { isGatelockName } from "./sync-policies";

export function syncRoutesText(text: string, file: string, origins: readonly LockedOrigin[], known: ReadonlySet<string>): string {
  for (const route of readRoutes(text, file)) {
    const sync = routeSync(route, routeTarget(route.handler, origins), known);
    for (const edit of sync.handler) text = setJson(text, [...route.location, ...edit.path], edit.value);
    if (sync.inbound) text = setInbound(text, file, [...route.location, "policies", "inbound"], sync.inbound);
  }
  return text;
}

/**
 * Give the inbound list exactly `wanted`. A one-line list stays on one line (as Zuplo's docs
 * write them); in a multi-line one only gatelock's names are removed and appended, so the
 * user's lines do not move.
 */
function setInbound(text: string, file: string, at: JSONPath, wanted: readonly string[]): string {
  const node = findNodeAtLocation(parseJsonFile(text, file), at);
  if (node === undefined || node.type !== "array") {
    const policies = findNodeAtLocation(parseJsonFile(text, file), at.slice(0, -1));
    return policies === undefined || policies.type !== "object" ? setJson(text, at.slice(0, -1), { inbound: wanted }) : setJson(text, at, wanted);
  }
  const raw = text.slice(node.offset, node.offset + node.length);
  if (!/[\r\n]/.test(raw)) {
    const sep = /",\S/.test(raw) ? "," : ", ";
    return replaceNode(text, node, `[${wanted.map((n) => JSON.stringify(n)).join(sep)}]`);
  }
  const current = (node.children ?? []).map((c) => c.value as unknown);
  // Only removals (stale names): drop what `wanted` does not keep, in order.
  const kept: number[] = [];
  for (let i = 0, j = 0; i < current.length && j < wanted.length; i++) if (current[i] === wanted[j]) (kept.push(i), j++);
  const onlyRemovals = kept.length === wanted.length;
  const drop = current.flatMap((n, i) => ((onlyRemovals ? !kept.includes(i) : isGatelockName(n) || typeof n !== "string") ? [i] : []));
  for (const i of drop.reverse()) text = setJson(text, [...at, i], undefined);
  if (onlyRemovals) return text;
  // Otherwise `wanted` is the user's names, then gatelock's: append gatelock's.
  const users = current.filter((n) => typeof n === "string" && !isGatelockName(n)).length;
  for (const n of wanted.slice(users)) text = setJson(text, [...at, -1], n, true);
  return text;
}
