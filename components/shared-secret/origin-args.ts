/**
 * The args every shared-secret origin component takes besides its store, and their stack-config
 * form, so each component is checked by the model exactly as a stack file is.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { OriginModel, SecretStore, SharedSecretOrigin } from "../model/model";

export interface SharedSecretSettings {
  /** Header the gateway adds to every request to the origin (default `x-gateway-secret`). */
  readonly header?: string;
  /** Secret length in characters, at least 32 (default 48). */
  readonly length?: number;
  /** Rotate the secret after this many days (default 90). */
  readonly rotateAfterDays?: number;
  /** After a rotation, keep accepting the previous secret for this many days (default 14). */
  readonly overlapDays?: number;
  /** Increase by one to force a rotation now. */
  readonly rotation?: number;
  /** Gateway variable that carries the secret (default `<ORIGIN>_SHARED_SECRET`). */
  readonly variable?: string;
  /** The origin's base URL, as the gateway forwards to it (https; http for loopback only). */
  readonly url?: pulumi.Input<string>;
}

/** The origin's stack-config entry for these settings and a store block. */
export function sharedSecretConfig(name: string, cloud: SecretStore["cloud"], args: SharedSecretSettings, store?: Record<string, unknown>): Record<string, unknown> {
  const { header, length, rotateAfterDays, overlapDays, rotation, variable, url } = args;
  return {
    name,
    method: "shared-secret",
    cloud,
    url,
    sharedSecret: { header, length, rotateAfterDays, overlapDays, rotation, variable },
    ...(store ? { [cloud]: store } : {}),
  };
}

/** A placeholder URL that passes every check, for a `url` not known yet. */
export const PENDING_URL = (): string => "https://gatelock-pending.invalid";

export function isSharedSecretOn<C extends SecretStore["cloud"]>(cloud: C) {
  return (m: OriginModel): m is SharedSecretOrigin & { readonly store: Extract<SecretStore, { cloud: C }> } => m.method === "shared-secret" && m.store.cloud === cloud;
}
