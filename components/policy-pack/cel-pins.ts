/**
 * Just enough of CEL to tell what an attribute condition pins, conservatively (pure).
 *
 * A claim counts as pinned only when the whole condition is `A && B && …` and one of the
 * top-level conjuncts is `attribute.x == "v"`, `assertion.x == "v"` (either side) or
 * `… in ["v", …]` with literal, non-empty strings. Anything cleverer (`||`, `?:`, negation,
 * `matches`, functions) pins nothing here: a rule that cannot read a condition must not
 * vouch for it.
 */

/** The top-level `&&` operands, or the whole expression when it has a top-level `||` or `?`. */
export function topLevelConjuncts(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  let disjunctive = false;
  for (let i = 0; i < expression.length; i++) {
    const ch = expression[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") depth--;
    else if (depth === 0 && expression.startsWith("&&", i)) {
      parts.push(expression.slice(start, i));
      start = i + 2;
      i++;
    } else if (depth === 0 && (expression.startsWith("||", i) || ch === "?")) disjunctive = true;
  }
  parts.push(expression.slice(start));
  if (disjunctive) return [stripParens(expression)];
  // `(a && b) && c`: a parenthesised conjunction is still a conjunction.
  return parts.flatMap((p) => {
    const inner = stripParens(p);
    return inner !== p.trim() ? topLevelConjuncts(inner) : [inner];
  });
}

/** `( x )` → `x`, only when the parentheses wrap the whole expression. */
function stripParens(expression: string): string {
  let e = expression.trim();
  while (e.startsWith("(") && e.endsWith(")") && wrapsWhole(e)) e = e.slice(1, -1).trim();
  return e;
}

function wrapsWhole(e: string): boolean {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < e.length; i++) {
    const ch = e[i]!;
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = undefined;
      continue;
    }
    if (ch === '"' || ch === "'") quote = ch;
    else if (ch === "(") depth++;
    else if (ch === ")" && --depth === 0 && i < e.length - 1) return false;
  }
  return true;
}

export interface Pin {
  /** `attribute` or `assertion`. */
  readonly source: "attribute" | "assertion";
  readonly name: string;
  readonly values: readonly string[];
}

const FIELD = String.raw`(attribute|assertion)(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"\\]+)"\s*\]|\[\s*'([^'\\]+)'\s*\])`;
const LITERAL = String.raw`(?:"([^"\\]+)"|'([^'\\]+)')`;
const EQ_LEFT = new RegExp(`^${FIELD}\\s*==\\s*${LITERAL}$`);
const EQ_RIGHT = new RegExp(`^${LITERAL}\\s*==\\s*${FIELD}$`);
const IN_LIST = new RegExp(`^${FIELD}\\s+in\\s+\\[(.*)\\]$`);

/** The pin a conjunct makes, if it is one of the three plain forms. */
export function parsePin(conjunct: string): Pin | undefined {
  const c = conjunct.trim();
  let m = EQ_LEFT.exec(c);
  if (m) return { source: m[1] as Pin["source"], name: (m[2] ?? m[3] ?? m[4])!, values: [(m[5] ?? m[6])!] };
  m = EQ_RIGHT.exec(c);
  if (m) return { source: m[3] as Pin["source"], name: (m[4] ?? m[5] ?? m[6])!, values: [(m[1] ?? m[2])!] };
  m = IN_LIST.exec(c);
  if (m) {
    const items = m[5]!.split(",").map((s) => s.trim());
    const values = items.map((s) => /^"([^"\\]+)"$|^'([^'\\]+)'$/.exec(s)).map((x) => x?.[1] ?? x?.[2]);
    if (values.length === 0 || values.some((v) => v === undefined)) return undefined;
    return { source: m[1] as Pin["source"], name: (m[2] ?? m[3] ?? m[4])!, values: values as string[] };
  }
  return undefined;
}

/**
 * The token claims a condition pins: `assertion.x` pins claim `x`; `attribute.x` pins claim
 * `y` only when the provider's mapping sets `attribute.x` to exactly `assertion.y`.
 */
export function pinnedClaims(condition: string, mapping: Readonly<Record<string, unknown>>): Map<string, readonly string[]> {
  const claims = new Map<string, readonly string[]>();
  for (const conjunct of topLevelConjuncts(condition)) {
    const pin = parsePin(conjunct);
    if (!pin) continue;
    let claim: string | undefined = pin.name;
    if (pin.source === "attribute") {
      const mapped = mapping[`attribute.${pin.name}`];
      const m = typeof mapped === "string" ? /^\s*assertion(?:\.([A-Za-z_][A-Za-z0-9_]*)|\[\s*"([^"\\]+)"\s*\])\s*$/.exec(mapped) : null;
      claim = m ? (m[1] ?? m[2]) : undefined;
    }
    if (claim !== undefined) claims.set(claim, pin.values);
  }
  return claims;
}
