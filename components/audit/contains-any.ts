/**
 * The leak guard's search: does any of many strings occur in one long text? (pure)
 */
/** The shortest secret (or fragment of one) the leak guard looks for, in UTF-16 code units. */
export const LEAK_WINDOW = 8;
const HASH_BASE = 31;
/** `HASH_BASE ** (LEAK_WINDOW - 1)`, modulo 2^32. */
const HASH_TOP = Array.from({ length: LEAK_WINDOW - 1 }).reduce<number>((h) => Math.imul(h, HASH_BASE), 1);

/** Hash of the `LEAK_WINDOW` code units of `s` from `at`, modulo 2^32. */
function windowHash(s: string, at: number): number {
  let h = 0;
  for (let j = 0; j < LEAK_WINDOW; j++) h = (Math.imul(h, HASH_BASE) + s.charCodeAt(at + j)) | 0;
  return h;
}

/**
 * Whether any of `pieces` (each at least `LEAK_WINDOW` long) occurs in `text`: exactly
 * `pieces.some((p) => text.includes(p))`, in one pass over the text. A rolling hash of every
 * `LEAK_WINDOW`-unit window of the text is looked up among the pieces' first windows, and
 * only a match is compared in full; so the guard costs the length of what is printed plus
 * that of the secrets, where one `includes` per secret cost their product (seconds at a
 * thousand origins).
 */
export function containsAny(text: string, pieces: readonly string[]): boolean {
  if (pieces.length === 0 || text.length < LEAK_WINDOW) return false;
  // Small-integer keys (30 bits), and a bitmap in front of the map for the common miss.
  const byWindow = new Map<number, string[]>();
  const bits = Math.max(10, Math.min(22, Math.ceil(Math.log2(pieces.length * 16))));
  const filter = new Uint8Array(1 << bits);
  const mask = (1 << bits) - 1;
  for (const p of pieces) {
    const h = windowHash(p, 0);
    filter[h & mask] = 1;
    const key = h & 0x3fffffff;
    const list = byWindow.get(key);
    if (list) list.push(p);
    else byWindow.set(key, [p]);
  }
  let h = windowHash(text, 0);
  for (let i = 0; ; i++) {
    if (filter[h & mask] === 1) {
      for (const p of byWindow.get(h & 0x3fffffff) ?? []) if (text.startsWith(p, i)) return true;
    }
    if (i + LEAK_WINDOW >= text.length) return false;
    // Drop the unit at i, take the one at i + LEAK_WINDOW.
    h = (Math.imul((h - Math.imul(text.charCodeAt(i), HASH_TOP)) | 0, HASH_BASE) + text.charCodeAt(i + LEAK_WINDOW)) | 0;
  }
}
