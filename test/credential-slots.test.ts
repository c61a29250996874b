/**
 * Two credential slots over the rotation schedule: the four deployments of a rotation, and,
 * as properties over random deployment times, that the gateway's credential is never replaced
 * while it may be in use and never expired when handed out.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CREDENTIAL_GRACE_DAYS } from "../components/model/service-auth/config";
import { credentialSlots } from "../components/service-auth/credential-slots";
import { advanceRotation, initialRotation, type RotationState } from "../components/shared-secret/rotation";

const DAY = 24 * 60 * 60 * 1000;
const t0 = Date.parse("2026-01-01T00:00:00Z");
const inputs = { rotateAfterDays: 90, overlapDays: 14, rotation: 0 };
const at = (days: number) => new Date(t0 + days * DAY);

describe("credentialSlots: the four deployments of a rotation", () => {
  it("1 create, 2 rotate (new credential to the gateway, old still valid), 3 overlap (nothing), 4 retire (old deleted)", () => {
    const s0 = initialRotation(inputs, at(0));
    const d1 = credentialSlots(s0, inputs);
    expect(d1).toEqual({
      current: "a",
      a: { epoch: "0", live: true, endDate: "2026-04-22T00:00:00Z" }, // 90 + 14 + 7 days
      b: { epoch: "-1-idle-0", live: false, endDate: "2026-04-22T00:00:00Z" },
    });

    const s1 = advanceRotation(s0, inputs, at(90));
    const d2 = credentialSlots(s1, inputs);
    expect(d2.current).toBe("b");
    expect(d2.b).toEqual({ epoch: "1", live: true, endDate: "2026-07-21T00:00:00Z" });
    expect(d2.a).toEqual(d1.a); // the gateway may still send it: untouched, still valid

    const s2 = advanceRotation(s1, inputs, at(100));
    expect(credentialSlots(s2, inputs)).toEqual(d2);

    const s3 = advanceRotation(s2, inputs, at(104.5));
    const d4 = credentialSlots(s3, inputs);
    expect(d4.b).toEqual(d2.b);
    expect(d4.a.live).toBe(false);
    expect(d4.a.epoch).not.toBe(d2.a.epoch); // replaced: the credential the gateway had is gone
  });
});

describe("credentialSlots, over random deployment times", () => {
  // `pulumi up` runs at least weekly (the grace), as a scheduled CI job would.
  it("a slot the gateway may hold is never replaced, and the one it is given has not expired", () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0.01, max: CREDENTIAL_GRACE_DAYS, noNaN: true }), { minLength: 1, maxLength: 40 }),
        fc.array(fc.boolean(), { minLength: 40, maxLength: 40 }),
        fc.integer({ min: 1, max: 120 }),
        fc.integer({ min: 0, max: 30 }),
        (gaps, forces, rotateAfterDays, overlapDays) => {
          const ins = { rotateAfterDays, overlapDays: Math.min(overlapDays, rotateAfterDays), rotation: 0 };
          let now = t0;
          let state: RotationState = initialRotation(ins, new Date(now));
          let before = credentialSlots(state, ins);
          gaps.forEach((gap, i) => {
            now += gap * DAY;
            const rotation = ins.rotation + (forces[i] ? 1 : 0);
            Object.assign(ins, { rotation });
            state = advanceRotation(state, ins, new Date(now));
            const after = credentialSlots(state, ins);
            for (const slot of ["a", "b"] as const) {
              // Live before and after (the gateway may hold it throughout): same credential.
              if (before[slot].live && after[slot].live && (slot === before.current || slot === after.current)) {
                const sameGeneration = (slot === "a" ? state.slotA : state.slotB) === Number(before[slot].epoch);
                if (sameGeneration) expect(after[slot].epoch).toBe(before[slot].epoch);
              }
              // An epoch that stays the same keeps its end date (the credential is not replaced).
              if (after[slot].epoch === before[slot].epoch) expect(after[slot].endDate).toBe(before[slot].endDate);
            }
            // What the gateway is given now is valid now, and until the next rotation is due.
            const given = after[after.current];
            expect(given.live).toBe(true);
            expect(Date.parse(given.endDate)).toBeGreaterThan(now);
            expect(Date.parse(given.endDate)).toBeGreaterThanOrEqual(Date.parse(state.rotatedAt) + (ins.rotateAfterDays + ins.overlapDays) * DAY);
            // The previous credential stays valid for as long as the origin side accepts it.
            if (state.previousActive) {
              const previous = after[after.current === "a" ? "b" : "a"];
              expect(Date.parse(previous.endDate)).toBeGreaterThanOrEqual(Date.parse(state.previousRetiresAt) - 1000);
            }
            before = after;
          });
        },
      ),
      { numRuns: 500 },
    );
  });
});
