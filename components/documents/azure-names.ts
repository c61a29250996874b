/**
 * Names of the Azure resources behind a federated origin (pure).
 *
 * A federated identity credential's name is immutable and must be 3-120 characters of
 * letters, digits, `-` and `_`, starting with a letter or digit (Entra "federated identity
 * credential considerations"). gatelock derives it from the subject alone, so reordering,
 * adding or removing other subjects never renames (and so never recreates) a credential.
 */
import { createHash } from "node:crypto";

/** Entra's rule for a federated identity credential name. */
export const CREDENTIAL_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,119}$/;
/** ARM's rule for a user-assigned managed identity name. */
export const IDENTITY_NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{2,127}$/;

/** 16 hex digits of SHA-256: stable across runs and machines, distinct for distinct subjects. */
export function subjectHash(subject: string): string {
  return createHash("sha256").update(subject, "utf8").digest("hex").slice(0, 16);
}

/** `gatelock-<readable part of the subject>-<hash>`, e.g. `gatelock-atcl_8xk2-3f9c…`. */
export function credentialName(subject: string): string {
  const readable = subject
    .replace(/[^A-Za-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "")
    .slice(0, 64)
    .replace(/[-_]+$/g, "");
  return readable ? `gatelock-${readable}-${subjectHash(subject)}` : `gatelock-${subjectHash(subject)}`;
}

/** Default identity name: `gatelock-<stack>-<origin>`, cut to ARM's 128 characters. */
export function defaultIdentityName(stackSlug: string, originName: string): string {
  return `gatelock-${stackSlug}-${originName}`.slice(0, 128).replace(/[-_]+$/g, "");
}
