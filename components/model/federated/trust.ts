/**
 * Method 2, federated identity: the trust every cloud translates. The origin's cloud trusts
 * tokens from the gateway's issuer only with a pinned audience and pinned subjects or claims.
 */
import { z } from "zod";

/** Claim names a trust may pin. */
const CLAIM_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export const FederatedTrustConfig = z
  .strictObject({
    audience: z
      .string()
      .min(1)
      .max(256)
      .optional()
      .describe("The `aud` the gateway requests and every trust pins. Make it unique per account and environment (e.g. `aws:acme:prod`)."),
    subjects: z
      .array(z.string().min(1).max(600))
      .default([])
      .describe("Exact `sub` values of the gateway's tokens (Zuplo: the environment's `atcl_…` client ID)."),
    claims: z
      .record(z.string().regex(CLAIM_NAME, { error: "expected a claim name" }), z.string().min(1).max(256))
      .optional()
      .describe("Claims to pin besides the gateway's own (e.g. `environment_type: production`)."),
    dangerouslyAllowWildcardSubjects: z
      .boolean()
      .default(false)
      .describe("Escape hatch: allow `*`/`?` patterns in subjects (never a leading wildcard). Any token whose subject matches is trusted."),
  })
  .describe("What the origin's cloud trusts: the gateway's issuer, pinned to this audience and these subjects/claims.");

export type ParsedFederatedTrust = z.output<typeof FederatedTrustConfig>;

/** The trust as the translators see it. */
export interface FederatedTrust {
  /** Exact `iss`, e.g. Zuplo's `https://dev.zuplo.com/v1/client-auth/auth_…`. */
  readonly issuer: string;
  readonly jwksUri: string;
  /** Pinned `aud`. For GCP, where the gateway requests the provider's own URL, this is empty and the translator pins that URL. */
  readonly audience: string;
  /** Exact subjects (or, with the escape hatch, anchored patterns). */
  readonly subjects: readonly string[];
  /** Claims pinned: the gateway's own (Zuplo: `account`, `project`) plus configured ones. */
  readonly claims: Readonly<Record<string, string>>;
  /** True only when the escape hatch is on and some subject is a pattern. */
  readonly wildcardSubjects: boolean;
  /** Other tenants share this issuer, so pins are all that separates them. */
  readonly sharedIssuer: boolean;
}

/** Audiences other tenants use too: fine only beside pinned subjects. */
export const GENERIC_AUDIENCES = new Set(["sts.amazonaws.com", "api://AzureADTokenExchange"]);

export { isPattern } from "../../documents/names";
