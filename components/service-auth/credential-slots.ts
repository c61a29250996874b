/**
 * Two credential slots driven by the rotation schedule (`shared-secret/rotation.ts`), for
 * credentials a cloud issues: Entra client secrets, GCP service account keys (pure).
 *
 * The sequence, one deployment at a time:
 *   1. a rotation puts a new credential in the slot that is not current;
 *   2. the gateway gets it (and redeploys, when `redeploy` is on), the old one still valid;
 *   3. while the overlap lasts nothing else changes;
 *   4. once the overlap is over, the old credential is deleted: its slot is re-keyed with a
 *      fresh credential nobody was ever given (a slot is a resource, and replacing it is how
 *      the old one goes away without a resource that exists only sometimes).
 * Every credential also carries an end date, so even one left behind expires.
 */
import { type RotationInputs, type RotationState, type Slot, slotFrom } from "../shared-secret/rotation";

import { CREDENTIAL_GRACE_DAYS } from "../model/service-auth/config";

const DAY_MS = 24 * 60 * 60 * 1000;

export interface CredentialSlot {
  /**
   * Changes exactly when the slot's credential must be replaced: a new generation, or its
   * retirement. Feed it to the credential's replace trigger (`rotateWhenChanged`, `keepers`).
   */
  readonly epoch: string;
  /** The gateway may hold this slot's credential: it is current, or previous within the overlap. */
  readonly live: boolean;
  /** When the credential expires (RFC 3339, whole seconds): fixed for as long as its epoch is. */
  readonly endDate: string;
}

export interface CredentialSlots {
  readonly current: Slot;
  readonly a: CredentialSlot;
  readonly b: CredentialSlot;
}

export function credentialSlots(state: RotationState, inputs: Pick<RotationInputs, "rotateAfterDays" | "overlapDays">): CredentialSlots {
  const lifetime = (inputs.rotateAfterDays + inputs.overlapDays + CREDENTIAL_GRACE_DAYS) * DAY_MS;
  const plan = (slot: Slot): CredentialSlot => {
    const generation = slot === "a" ? state.slotA : state.slotB;
    const current = state.current === slot;
    const live = generation >= 0 && (current || state.previousActive);
    const from = live ? slotFrom(state, slot) || state.rotatedAt : state.rotatedAt;
    // A slot nobody holds gets a credential that ends with the current one, and a new one
    // only when the next rotation moves into it.
    return {
      epoch: live ? `${generation}` : `${generation}-idle-${state.generation}`,
      live,
      endDate: rfc3339(Date.parse(from) + lifetime),
    };
  };
  return { current: state.current, a: plan("a"), b: plan("b") };
}

function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(/\.000Z$/, "Z");
}
