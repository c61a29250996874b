/**
 * A credential the cloud issues, in two slots that rotate without downtime (see
 * `credential-slots.ts`): a rotation schedule, and a slot plan for each of `a` and `b` that
 * the cloud component turns into its credential resources (Entra client secrets, GCP keys).
 */
import * as pulumi from "@pulumi/pulumi";
import { RotationSchedule } from "../shared-secret/rotation-schedule";
import type { RotationState, Slot } from "../shared-secret/rotation";
import type { CredentialRotation } from "../model/service-auth/target";
import { type CredentialSlot, type CredentialSlots, credentialSlots } from "./credential-slots";

export interface RotatingCredential {
  /** Each slot's plan: feed `epoch` to the credential's replace trigger, `endDate` to its expiry. */
  readonly slot: (slot: Slot) => pulumi.Output<CredentialSlot>;
  /** Pick the current slot's value (keeps it secret if it is). */
  readonly current: <T>(a: pulumi.Input<T>, b: pulumi.Input<T>) => pulumi.Output<T>;
  /** Rotation bookkeeping (not secret), for outputs. */
  readonly generation: pulumi.Output<number>;
  readonly rotatedAt: pulumi.Output<string>;
}

export function rotatingCredential(name: string, rotation: CredentialRotation, parent: pulumi.Resource): RotatingCredential {
  const schedule = new RotationSchedule(`${name}-rotation`, { rotateAfterDays: rotation.rotateAfterDays, overlapDays: rotation.overlapDays, rotation: rotation.rotation }, { parent });
  // Two groups: `pulumi.all` keeps element types for up to eight.
  const counts = pulumi.all([schedule.generation, schedule.rotatedAt, schedule.slotA, schedule.slotB]);
  const slotState = pulumi.all([schedule.current, schedule.previousActive, schedule.previousRetiresAt, schedule.slotAFrom, schedule.slotBFrom]);
  const state: pulumi.Output<RotationState> = pulumi
    .all([counts, slotState])
    .apply(([[generation, rotatedAt, slotA, slotB], [current, previousActive, previousRetiresAt, slotAFrom, slotBFrom]]) => ({
      generation,
      rotatedAt,
      rotation: rotation.rotation,
      slotA,
      slotB,
      current,
      previousActive,
      previousRetiresAt,
      // A schedule written before slots were dated has none (see `slotFrom`).
      ...(slotAFrom !== undefined ? { slotAFrom } : {}),
      ...(slotBFrom !== undefined ? { slotBFrom } : {}),
    }));
  const slots: pulumi.Output<CredentialSlots> = state.apply((s) => credentialSlots(s, rotation));
  return {
    slot: (slot) => slots.apply((s) => s[slot]),
    current: <T>(a: pulumi.Input<T>, b: pulumi.Input<T>) => pulumi.all([slots, a, b]).apply(([s, av, bv]) => (s.current === "a" ? av : bv)) as pulumi.Output<T>,
    generation: schedule.generation,
    rotatedAt: schedule.rotatedAt,
  };
}
