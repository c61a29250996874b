/**
 * The accepted-secrets document: what an origin's secret store holds.
 *
 * One JSON object in one secret, so an origin reads current and previous in a single,
 * atomic fetch. The origin side (`gatelock/origin`) parses it; this module has no Pulumi
 * dependency so that origins can import it.
 */

export const SECRET_DOCUMENT_VERSION = 1;

export interface SecretDocument {
  readonly version: typeof SECRET_DOCUMENT_VERSION;
  /** The secret the gateway sends. */
  readonly current: string;
  /** The secret the gateway sent before the last rotation, while it is still accepted. */
  readonly previous?: string;
  /** When `previous` stops being accepted (ISO 8601); origins enforce it even if the store is stale. */
  readonly previousRetiresAt?: string;
}

export function encodeSecretDocument(doc: Omit<SecretDocument, "version">): string {
  const out: SecretDocument = {
    version: SECRET_DOCUMENT_VERSION,
    current: doc.current,
    ...(doc.previous ? { previous: doc.previous } : {}),
    ...(doc.previous && doc.previousRetiresAt ? { previousRetiresAt: doc.previousRetiresAt } : {}),
  };
  return JSON.stringify(out);
}

/**
 * Parse a stored document. Throws a `TypeError` that never includes the text, because the
 * text is the secret.
 */
export function decodeSecretDocument(text: string): SecretDocument {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new TypeError("gatelock secret document is not JSON");
  }
  if (typeof raw !== "object" || raw === null) throw new TypeError("gatelock secret document is not an object");
  const r = raw as Record<string, unknown>;
  if (r.version !== SECRET_DOCUMENT_VERSION) throw new TypeError(`gatelock secret document version must be ${SECRET_DOCUMENT_VERSION}`);
  if (typeof r.current !== "string" || r.current.length === 0) throw new TypeError("gatelock secret document has no current secret");
  if (r.previous !== undefined && typeof r.previous !== "string") throw new TypeError("gatelock secret document has an invalid previous secret");
  if (r.previousRetiresAt !== undefined && (typeof r.previousRetiresAt !== "string" || Number.isNaN(Date.parse(r.previousRetiresAt)))) {
    throw new TypeError("gatelock secret document has an invalid previousRetiresAt");
  }
  return {
    version: SECRET_DOCUMENT_VERSION,
    current: r.current,
    ...(typeof r.previous === "string" && r.previous ? { previous: r.previous } : {}),
    ...(typeof r.previousRetiresAt === "string" ? { previousRetiresAt: r.previousRetiresAt } : {}),
  };
}
