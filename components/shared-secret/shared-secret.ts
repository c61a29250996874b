import * as pulumi from "@pulumi/pulumi";
import { RandomPassword } from "@pulumi/random/randomPassword";
import type { SharedSecretModel } from "../model/model";
import { asSecret } from "../component/secrets";
import { sdkType, urnBelow } from "../component/urns";
import { encodeSecretDocument } from "./document";
import { ROTATION_SCHEDULE_TYPE, RotationSchedule } from "./rotation-schedule";

/** The type token Pulumi registers a gatelock dynamic resource under. */
const ROTATION_SCHEDULE_URN_TYPE = `pulumi-nodejs:dynamic/gatelock:${ROTATION_SCHEDULE_TYPE}`;

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
  // Where 0.1's nested component kept these: each child's old URN as a string where the tree is
  // known here (see `urns.ts`), else a spec with that component's URN as the parent.
  const legacyParent = urnBelow(parent, [LEGACY_SHARED_SECRET_TYPE], name) ?? pulumi.createUrn(name, LEGACY_SHARED_SECRET_TYPE, parent);
  const opts = (type: string | undefined, child: string): pulumi.CustomResourceOptions => ({
    parent,
    aliases: [(type && urnBelow(parent, [LEGACY_SHARED_SECRET_TYPE, type], child)) || { parent: legacyParent }],
  });
  const schedule = new RotationSchedule(
    `${name}-rotation`,
    { rotateAfterDays: args.rotateAfterDays, overlapDays: args.overlapDays, rotation: args.rotation },
    opts(ROTATION_SCHEDULE_URN_TYPE, `${name}-rotation`),
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
      opts(sdkType(RandomPassword), `${name}-slot-${id}`),
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
  let previous: pulumi.Output<string> | undefined;
  return {
    current: asSecret(values.apply((v) => v.current)),
    // Built when first read: no component of gatelock's reads it, and each Output costs.
    get previous() {
      return (previous ??= asSecret(values.apply((v) => v.previous)));
    },
    document: asSecret(
      values.apply((v) => encodeSecretDocument({ current: v.current, ...(v.previous ? { previous: v.previous, previousRetiresAt: v.retiresAt } : {}) })),
    ),
    generation: schedule.generation,
    rotatedAt: schedule.rotatedAt,
    previousRetiresAt: schedule.previousRetiresAt,
  };
}
