import { describe, expect, it } from "vitest";
import { advanceRotation, initialRotation, type RotationState, rotationScheduleProvider } from "../components/shared-secret/rotation";

const DAY = 24 * 60 * 60 * 1000;
const t0 = new Date("2026-01-01T00:00:00Z");
const at = (days: number) => new Date(t0.getTime() + days * DAY);
const inputs = { rotateAfterDays: 30, overlapDays: 7, rotation: 0 };

/** Which generation the gateway sends, and which the origin accepts. */
function view(s: RotationState) {
  const gen = (slot: "a" | "b") => (slot === "a" ? s.slotA : s.slotB);
  const other = s.current === "a" ? "b" : "a";
  return { sends: gen(s.current), accepts: s.previousActive ? [gen(s.current), gen(other)] : [gen(s.current)] };
}

describe("rotation schedule", () => {
  it("starts with one accepted generation in slot a", () => {
    const s = initialRotation(inputs, t0);
    expect(view(s)).toEqual({ sends: 0, accepts: [0] });
    expect(s.slotB).toBe(-1);
  });

  it("does not rotate before it is due", () => {
    const s0 = initialRotation(inputs, t0);
    expect(advanceRotation(s0, inputs, at(29.9))).toEqual(s0);
  });

  it("rotates into the other slot when due and keeps the previous accepted during the overlap", () => {
    const s1 = advanceRotation(initialRotation(inputs, t0), inputs, at(30));
    expect(s1).toMatchObject({ generation: 1, current: "b", slotA: 0, slotB: 1, previousActive: true });
    expect(view(s1)).toEqual({ sends: 1, accepts: [1, 0] });
    expect(s1.previousRetiresAt).toBe(at(37).toISOString());
  });

  it("retires the previous once the overlap has passed, without rotating", () => {
    const s1 = advanceRotation(initialRotation(inputs, t0), inputs, at(30));
    const s2 = advanceRotation(s1, inputs, at(37.01));
    expect(view(s2)).toEqual({ sends: 1, accepts: [1] });
    expect(s2.generation).toBe(1);
    expect(s2.previousRetiresAt).toBe("");
  });

  it("moves one step at a time even after a long pause, so one slot always survives", () => {
    let s = initialRotation(inputs, t0);
    for (const day of [30, 400, 401, 2000, 2001.5]) {
      const before = view(s);
      const next = advanceRotation(s, inputs, at(day));
      expect(next.generation - s.generation).toBeLessThanOrEqual(1);
      // The value the gateway sent before this step is still accepted after it.
      expect(view(next).accepts).toContain(before.sends);
      // A rotation changes exactly one slot; no rotation changes none.
      expect(Number(next.slotA !== s.slotA) + Number(next.slotB !== s.slotB)).toBe(next.generation - s.generation);
      s = next;
    }
  });

  it("rotates once when the rotation counter is increased, and never rotates on a decrease", () => {
    const s0 = initialRotation(inputs, t0);
    const forced = advanceRotation(s0, { ...inputs, rotation: 1 }, at(1));
    expect(view(forced)).toEqual({ sends: 1, accepts: [1, 0] });
    const again = advanceRotation(forced, { ...inputs, rotation: 1 }, at(2));
    expect(again.generation).toBe(1);
    const decreased = advanceRotation(again, { ...inputs, rotation: 0 }, at(3));
    expect(decreased.generation).toBe(1);
  });

  it("with overlapDays 0 the previous is never accepted", () => {
    const s1 = advanceRotation(initialRotation({ ...inputs, overlapDays: 0 }, t0), { ...inputs, overlapDays: 0 }, at(30));
    expect(view(s1)).toEqual({ sends: 1, accepts: [1] });
  });
});

describe("rotation schedule provider", () => {
  it("reports a change when a rotation is due and no change otherwise", async () => {
    const created = await rotationScheduleProvider.create(inputs);
    const noChange = await rotationScheduleProvider.diff!(created.id, created.outs!, inputs);
    expect(noChange.changes).toBe(false);
    const old = { ...created.outs!, rotatedAt: new Date(Date.now() - 31 * DAY).toISOString() };
    const due = await rotationScheduleProvider.diff!(created.id, old, inputs);
    expect(due.changes).toBe(true);
    expect(due.replaces).toEqual([]);
    const updated = await rotationScheduleProvider.update!(created.id, old, inputs);
    expect(updated.outs).toMatchObject({ generation: 1, current: "b", rotateAfterDays: 30 });
  });
});
