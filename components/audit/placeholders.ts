/**
 * What a reviewer reads never presents a fake as fact: every value the fakes invented (an
 * account ID, a project number, a GUID, a random suffix; see `FakeContext.invent`) is
 * replaced by its marked placeholder, such as `<deploying account>`, everywhere in the report.
 * It also makes the report deterministic: the same stack gives the same text on every run.
 *
 * A value is replaced only where it stands as a whole token (no letter or digit right before
 * or after it), so an invented `31e38a` never eats into a hash such as `gl-31e38a9f`; and the
 * fakes never invent a value that occurs in the stack config, so a configured account in a
 * reader's ARN is never mistaken for an invented one.
 */
import { MIN_INVENTED_LENGTH } from "../testing/fake-kit";

const KEY = MIN_INVENTED_LENGTH;

/** How far after the anchor a timestamp may lie and still count as derived from it. */
const ANCHORED_SPAN_MS = 50 * 365 * 24 * 60 * 60 * 1000;
const ISO_TIMESTAMP = /(?<![0-9])(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?Z)(?![0-9])/g;
const DAY_MS = 24 * 60 * 60 * 1000;

/** `<deploy time + 111 days>` for a timestamp derived from the audit's fixed deploy time. */
function relativeToDeploy(ms: number): string {
  if (ms === 0) return "<deploy time>";
  const days = ms / DAY_MS;
  return Number.isInteger(days) ? `<deploy time + ${days} day${days === 1 ? "" : "s"}>` : `<deploy time + ${Math.round(ms / 1000)} s>`;
}

/**
 * A deep copy of `value` with every invented string replaced; the placeholders it used. With
 * `clockAnchor` (the deploy time the fakes stood at), timestamps from it up to fifty years on
 * are shown relative to the deploy: they exist only once `pulumi up` runs.
 */
export function replaceInvented<T>(value: T, invented: ReadonlyMap<string, string>, clockAnchor?: number): { value: T; used: string[] } {
  // Candidates by their first characters, longest first, so one scan per string finds them.
  const byPrefix = new Map<string, Array<readonly [string, string]>>();
  for (const entry of invented) {
    const key = entry[0].slice(0, KEY);
    const list = byPrefix.get(key) ?? [];
    list.push(entry);
    byPrefix.set(key, list);
  }
  for (const list of byPrefix.values()) list.sort((a, b) => b[0].length - a[0].length);
  const used = new Set<string>();

  const replaceIn = (s: string): string => {
    let out: string[] | undefined;
    let copied = 0;
    for (let i = 0; i + KEY <= s.length; i++) {
      if (i > 0 && isWordChar(s.charCodeAt(i - 1))) continue;
      const candidates = byPrefix.get(s.slice(i, i + KEY));
      if (!candidates) continue;
      const hit = candidates.find(([v]) => s.startsWith(v, i) && (i + v.length === s.length || !isWordChar(s.charCodeAt(i + v.length))));
      if (!hit) continue;
      (out ??= []).push(s.slice(copied, i), hit[1]);
      used.add(hit[1]);
      copied = i + hit[0].length;
      i = copied - 1;
    }
    const replaced = out ? out.join("") + s.slice(copied) : s;
    if (clockAnchor === undefined || !replaced.includes("T")) return replaced;
    return replaced.replace(ISO_TIMESTAMP, (stamp: string) => {
      const offset = Date.parse(stamp) - clockAnchor;
      if (!(offset >= 0 && offset < ANCHORED_SPAN_MS)) return stamp;
      const shown = relativeToDeploy(offset);
      used.add(shown.startsWith("<deploy time +") ? "<deploy time + …>" : shown);
      return shown;
    });
  };

  const walk = (v: unknown): unknown => {
    if (typeof v === "string") return replaceIn(v);
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === "object") {
      const out: Record<string, unknown> = {};
      for (const [k, x] of Object.entries(v)) out[replaceIn(k)] = walk(x);
      return out;
    }
    return v;
  };
  if (invented.size === 0 && clockAnchor === undefined) return { value, used: [] };
  const replaced = walk(value) as T;
  return { value: replaced, used: [...used].sort() };
}

/** ASCII letters and digits. */
function isWordChar(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}
