/**
 * The args every federated origin component takes besides its cloud's, and their stack-config
 * form, so each component is checked by the model exactly as a stack file is.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { GatewayArgs } from "../component/checked-origin";
import type { FederatedOrigin, FederatedTarget, OriginModel } from "../model/model";

export interface FederatedSettings {
  /** The gateway whose tokens are trusted: `zuploGateway({ account, project })` or `customGateway({ issuer, … })`. */
  readonly gateway: GatewayArgs;
  /** The `aud` the gateway requests and the trust pins; unique per account and environment (e.g. `aws:acme:prod`). */
  readonly audience?: string;
  /** Exact `sub` values of the gateway's tokens (Zuplo: each environment's `atcl_…` client ID). */
  readonly subjects?: string[];
  /** Claims to pin besides the gateway's own (e.g. `environment_type: production`), where the cloud can check them. */
  readonly claims?: { readonly [claim: string]: string };
  /** Escape hatch: allow `*`/`?` patterns in subjects (never a leading wildcard, never on Azure). */
  readonly dangerouslyAllowWildcardSubjects?: boolean;
  /** The origin's base URL, as the gateway forwards to it. */
  readonly url?: pulumi.Input<string>;
}

/** The origin's stack-config entry for these settings and a cloud block. */
export function federatedConfig(name: string, cloud: FederatedTarget["cloud"], args: FederatedSettings, block?: Record<string, unknown>): Record<string, unknown> {
  const { audience, subjects, claims, dangerouslyAllowWildcardSubjects, url } = args;
  return {
    name,
    method: "federated",
    cloud,
    url,
    federated: { audience, subjects, claims, dangerouslyAllowWildcardSubjects },
    ...(block ? { [cloud]: block } : {}),
  };
}

export function isFederatedOn<C extends FederatedTarget["cloud"]>(cloud: C) {
  return (m: OriginModel): m is FederatedOrigin & { readonly target: Extract<FederatedTarget, { cloud: C }> } => m.method === "federated" && m.cloud === cloud;
}
