import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import type { SharedSecretModel } from "../model/model";
import { encodeSecretDocument } from "./document";
import { RotationSchedule } from "./rotation-schedule";

/** base64url's alphabet: safe in any HTTP header value, in URLs and in dotenv files unquoted. */
export const SECRET_SPECIALS = "-_";

export type SharedSecretArgs = Pick<SharedSecretModel, "length" | "rotateAfterDays" | "overlapDays" | "rotation">;

/** What an origin's store and the gateway take from its shared secret. */
export interface SharedSecret {
  /** The secret the gateway sends (a Pulumi secret). */
  readonly current: pulumi.Output<string>;
  /** The previous secret while it is still accepted, else "" (a Pulumi secret). */
  readonly previous: pulumi.Output<string>;
  /** JSON document `{version, current, previous?, previousRetiresAt?}` for the origin's store (a Pulumi secret). */
  readonly document: pulumi.Output<string>;
  /** Rotation bookkeeping (not secret). */
  readonly generation: pulumi.Output<number>;
  readonly rotatedAt: pulumi.Output<string>;
  readonly previousRetiresAt: pulumi.Output<string>;
}

/** The type token of the component these resources used to sit in (gatelock 0.1), for aliases. */
export const LEGACY_SHARED_SECRET_TYPE = "gatelock:shared-secret:SharedSecret";

/**
 * A generated shared secret with zero-downtime rotation (see `rotation.ts`): a rotation
 * schedule and two random slots, registered directly under the origin's component.
 *
 * Cloud-agnostic: it only generates and rotates. Per-cloud components put `document` in
 * their secret store; the gateway environment receives `current`. Stacks deployed before
 * these resources moved out of their own component keep them through an alias.
 */
export function createSharedSecret(name: string, args: SharedSecretArgs, parent: pulumi.ComponentResource): SharedSecret {
  const opts: pulumi.CustomResourceOptions = { parent, aliases: [{ parent: pulumi.createUrn(name, LEGACY_SHARED_SECRET_TYPE, parent) }] };
  const schedule = new RotationSchedule(
    `${name}-rotation`,
    { rotateAfterDays: args.rotateAfterDays, overlapDays: args.overlapDays, rotation: args.rotation },
    opts,
  );
  // Each slot is regenerated only when its generation changes, i.e. once every other rotation.
  const slot = (id: "a" | "b", generation: pulumi.Output<number>) =>
    new RandomPassword(
      `${name}-slot-${id}`,
      {
        length: args.length,
        special: true,
        overrideSpecial: SECRET_SPECIALS,
        minLower: 1,
        minUpper: 1,
        minNumeric: 1,
        keepers: { slot: id, generation: generation.apply(String) },
      },
      opts,
    );
  const a = slot("a", schedule.slotA);
  const b = slot("b", schedule.slotB);

  const values = pulumi
    .all([schedule.current, schedule.previousActive, schedule.previousRetiresAt, a.result, b.result])
    .apply(([current, previousActive, retiresAt, av, bv]) => ({
      current: current === "a" ? av : bv,
      previous: previousActive ? (current === "a" ? bv : av) : "",
      retiresAt,
    }));
  return {
    current: pulumi.secret(values.apply((v) => v.current)),
    previous: pulumi.secret(values.apply((v) => v.previous)),
    document: pulumi.secret(
      values.apply((v) => encodeSecretDocument({ current: v.current, ...(v.previous ? { previous: v.previous, previousRetiresAt: v.retiresAt } : {}) })),
    ),
    generation: schedule.generation,
    rotatedAt: schedule.rotatedAt,
    previousRetiresAt: schedule.previousRetiresAt,
  };
}
