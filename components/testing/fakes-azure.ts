/**
 * Faithful fakes of azure resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 */
import type { Fake } from "./fakes";

export const AZURE_FAKES: Record<string, Fake> = {};
