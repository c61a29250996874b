/**
 * Faithful fakes of aws resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 */
import type { Fake } from "./fakes";

export const AWS_FAKES: Record<string, Fake> = {};
