/**
 * Faithful fakes of gcp resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 */
import type { Fake } from "./fakes";

export const GCP_FAKES: Record<string, Fake> = {};
