/**
 * Zero-downtime rotation of a shared secret: two slots, "accept two, send one".
 *
 * The secret lives in two slots, `a` and `b`. Each rotation moves exactly one step:
 * the slot that is *not* current receives a new generation and becomes current; the old
 * current becomes previous. The gateway is always given current; the origin accepts
 * current and, for `overlapDays` after a rotation, previous. So at every moment the value
 * the gateway sends (old until it redeploys, new afterwards) is one the origin accepts.
 *
 * The schedule must remember when it last rotated, so it is state (a dynamic resource),
 * not a function of the clock: a clock-derived generation would jump by two after a long
 * pause and replace both slots at once, which is exactly the outage rotation must avoid.
 *
 * This file is also the body of a Pulumi dynamic provider, whose code Pulumi serialises
 * and runs in another process. Keep it self-contained: no imports but type-only ones.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";

export type Slot = "a" | "b";

export interface RotationInputs {
  readonly rotateAfterDays: number;
  readonly overlapDays: number;
  /** Forced-rotation counter from config; each increase rotates once. */
  readonly rotation: number;
}

export interface RotationState {
  /** Increases by exactly one per rotation. */
  readonly generation: number;
  /** When the current generation began (ISO 8601). */
  readonly rotatedAt: string;
  /** The forced-rotation counter already applied. */
  readonly rotation: number;
  /** Generation held by each slot; -1 for a slot never used yet. */
  readonly slotA: number;
  readonly slotB: number;
  readonly current: Slot;
  /** Whether the origin still accepts the previous generation. */
  readonly previousActive: boolean;
  /** When the previous generation stops being accepted (ISO 8601), if it is active. */
  readonly previousRetiresAt: string;
  /**
   * When each slot received its generation (ISO 8601; "" for a slot never used): a credential
   * in a slot expires a fixed time after this, and the date must not move while it lives.
   * Absent in states written by gatelock 0.1, which had no expiring credentials.
   */
  readonly slotAFrom?: string;
  readonly slotBFrom?: string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

export function initialRotation(inputs: RotationInputs, now: Date): RotationState {
  return {
    generation: 0,
    rotatedAt: now.toISOString(),
    rotation: inputs.rotation,
    slotA: 0,
    slotB: -1,
    current: "a",
    previousActive: false,
    previousRetiresAt: "",
    slotAFrom: now.toISOString(),
    slotBFrom: "",
  };
}

/** When `slot` received its generation, also for states written before that was recorded. */
export function slotFrom(state: RotationState, slot: Slot): string {
  const recorded = slot === "a" ? state.slotAFrom : state.slotBFrom;
  return recorded ?? (state.current === slot ? state.rotatedAt : "");
}

/** The next state: one rotation if due or forced, else only the previous slot's retirement. */
export function advanceRotation(prev: RotationState, inputs: RotationInputs, now: Date): RotationState {
  const rotatedAt = Date.parse(prev.rotatedAt);
  const forced = inputs.rotation > prev.rotation;
  const due = now.getTime() >= rotatedAt + inputs.rotateAfterDays * DAY_MS;
  if (forced || due) {
    const generation = prev.generation + 1;
    const next: Slot = prev.current === "a" ? "b" : "a";
    const retiresAt = new Date(now.getTime() + inputs.overlapDays * DAY_MS);
    return {
      generation,
      rotatedAt: now.toISOString(),
      rotation: inputs.rotation,
      slotA: next === "a" ? generation : prev.slotA,
      slotB: next === "b" ? generation : prev.slotB,
      current: next,
      previousActive: inputs.overlapDays > 0,
      previousRetiresAt: inputs.overlapDays > 0 ? retiresAt.toISOString() : "",
      slotAFrom: next === "a" ? now.toISOString() : slotFrom(prev, "a"),
      slotBFrom: next === "b" ? now.toISOString() : slotFrom(prev, "b"),
    };
  }
  const stillActive = prev.previousActive && now.getTime() < rotatedAt + inputs.overlapDays * DAY_MS;
  return {
    ...prev,
    rotation: inputs.rotation,
    previousActive: stillActive,
    previousRetiresAt: stillActive ? new Date(rotatedAt + inputs.overlapDays * DAY_MS).toISOString() : "",
  };
}

export function sameRotationState(a: RotationState, b: RotationState): boolean {
  return (
    a.generation === b.generation &&
    a.rotatedAt === b.rotatedAt &&
    a.rotation === b.rotation &&
    a.slotA === b.slotA &&
    a.slotB === b.slotB &&
    a.current === b.current &&
    a.previousActive === b.previousActive &&
    a.previousRetiresAt === b.previousRetiresAt &&
    slotFrom(a, "a") === slotFrom(b, "a") &&
    slotFrom(a, "b") === slotFrom(b, "b")
  );
}

type ScheduleOutputs = RotationInputs & RotationState;

function pickInputs(x: RotationInputs): RotationInputs {
  return { rotateAfterDays: x.rotateAfterDays, overlapDays: x.overlapDays, rotation: x.rotation };
}

/**
 * The dynamic provider. `now` is read inside each method, i.e. at deployment time, so a
 * `pulumi preview` shows a rotation that has become due.
 */
export const rotationScheduleProvider: dynamic.ResourceProvider<RotationInputs, ScheduleOutputs> = {
  async create(inputs) {
    const outs = { ...pickInputs(inputs), ...initialRotation(inputs, new Date()) };
    return { id: `rotation-${Date.now().toString(36)}`, outs };
  },
  async diff(_id, olds, news) {
    const next = advanceRotation(olds, news, new Date());
    const inputsChanged =
      olds.rotateAfterDays !== news.rotateAfterDays || olds.overlapDays !== news.overlapDays || olds.rotation !== news.rotation;
    return { changes: inputsChanged || !sameRotationState(olds, next), replaces: [], deleteBeforeReplace: false };
  },
  async update(_id, olds, news) {
    return { outs: { ...pickInputs(news), ...advanceRotation(olds, news, new Date()) } };
  },
};
