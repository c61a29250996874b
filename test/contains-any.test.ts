/** The leak guard's one-pass search finds exactly what one `includes` per secret finds. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { containsAny, LEAK_WINDOW } from "../components/audit/contains-any";

describe("containsAny", () => {
  it("agrees with pieces.some((p) => text.includes(p)) on generated texts and pieces", () => {
    const alphabet = fc.constantFrom(..."ab\"\\{}:,é😀");
    const text = fc.array(alphabet, { maxLength: 400 }).map((cs) => cs.join(""));
    const piece = fc.array(alphabet, { minLength: LEAK_WINDOW, maxLength: 24 }).map((cs) => cs.join("")).filter((p) => p.length >= LEAK_WINDOW);
    fc.assert(
      fc.property(text, fc.array(piece, { maxLength: 6 }), fc.nat(), (t, pieces, at) => {
        // Half the time, plant one of the pieces in the text.
        const planted = pieces.length > 0 && at % 2 === 0 ? t.slice(0, at % (t.length + 1)) + pieces[at % pieces.length] + t.slice(at % (t.length + 1)) : t;
        expect(containsAny(planted, pieces)).toBe(pieces.some((p) => planted.includes(p)));
      }),
      { numRuns: 2000 },
    );
  });

  it("finds a piece at the very start and the very end, and nothing in a text shorter than a window", () => {
    const piece = "s3cr3t-Value";
    expect(containsAny(`${piece}xyz`, [piece])).toBe(true);
    expect(containsAny(`xyz${piece}`, [piece])).toBe(true);
    expect(containsAny("short", [piece])).toBe(false);
    expect(containsAny(`xyz${piece.slice(0, -1)}`, [piece])).toBe(false);
  });
});
