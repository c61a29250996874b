/**
 * A GCP service account key as Zuplo's runtime needs it in `serviceAccountJson` (pure: no
 * Pulumi, no cloud SDK).
 *
 * The Google provider's `Key.privateKey` is the base64 of the credentials file. Zuplo's
 * runtime does `JSON.parse(serviceAccountJson)` and then imports `private_key` as PKCS#8 PEM
 * (jose `importPKCS8`), so:
 * - base64 is refused by `JSON.parse`: the value must be the decoded JSON;
 * - the JSON must keep the PEM's newlines as `\n` escapes (what `JSON.stringify` writes):
 *   a double-escaped `\\n` survives `JSON.parse` as a literal backslash-n and breaks the key;
 * - it must be one line, since a multi-line value is awkward in a `.env` file and in the
 *   Developer API, and Zuplo's docs ask for a single line.
 * `JSON.stringify(JSON.parse(decoded))` gives exactly that. Nothing here ever puts the key,
 * or any part of the file, into an error message.
 */

/** The fields of a Google credentials file (`type: service_account`), in the order Google writes them. */
export const SERVICE_ACCOUNT_KEY_FIELDS = [
  "type",
  "project_id",
  "private_key_id",
  "private_key",
  "client_email",
  "client_id",
  "auth_uri",
  "token_uri",
  "auth_provider_x509_cert_url",
  "client_x509_cert_url",
  "universe_domain",
] as const;

/** What may be said about a key without revealing it. */
export interface ServiceAccountKeyFacts {
  readonly clientEmail: string;
  readonly privateKeyId: string;
  readonly projectId: string;
  readonly clientId: string;
}

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
const PEM_HEADER = "-----BEGIN PRIVATE KEY-----";
const PEM_FOOTER = "-----END PRIVATE KEY-----";
const EMAIL = /^[^@\s]+@[^@\s]+\.[a-z]{2,}$/i;

function fail(message: string): never {
  throw new TypeError(`service account key: ${message}`);
}

/**
 * The provider's base64 `privateKey` → the single-line JSON for Zuplo's `serviceAccountJson`.
 * Throws (without quoting the key) when the value is not a base64 credentials file.
 */
export function serviceAccountJsonFromProviderKey(base64PrivateKey: string): string {
  if (typeof base64PrivateKey !== "string") fail("expected the provider's base64 `privateKey` string");
  const compact = base64PrivateKey.replace(/\s+/g, "");
  if (compact.startsWith("{")) fail("expected the provider's base64 `privateKey`, got JSON; use serviceAccountJsonFromKeyFile for a key file");
  if (compact.length === 0 || compact.length % 4 !== 0 || !BASE64.test(compact)) fail("expected the provider's base64 `privateKey` (TYPE_GOOGLE_CREDENTIALS_FILE), and this is not base64");
  return serviceAccountJsonFromKeyFile(Buffer.from(compact, "base64").toString("utf8"));
}

/** A credentials file's JSON (pretty or not) → the single-line JSON for Zuplo's `serviceAccountJson`. */
export function serviceAccountJsonFromKeyFile(json: string): string {
  return JSON.stringify(parseKeyFile(json));
}

/** The non-secret facts of a key (for the origin side and the audit), from either form. */
export function serviceAccountKeyFacts(jsonOrBase64: string): ServiceAccountKeyFacts {
  const trimmed = typeof jsonOrBase64 === "string" ? jsonOrBase64.trim() : "";
  const file = JSON.parse(trimmed.startsWith("{") ? serviceAccountJsonFromKeyFile(trimmed) : serviceAccountJsonFromProviderKey(trimmed)) as Record<string, string>;
  return { clientEmail: file.client_email!, privateKeyId: file.private_key_id!, projectId: file.project_id!, clientId: file.client_id! };
}

function parseKeyFile(json: string): Record<string, unknown> {
  let file: unknown;
  try {
    file = JSON.parse(json);
  } catch {
    fail("the credentials file is not JSON");
  }
  if (typeof file !== "object" || file === null || Array.isArray(file)) fail("the credentials file is not a JSON object");
  const f = file as Record<string, unknown>;
  if (f.type !== "service_account") fail('`type` must be "service_account" (a user or external-account credential cannot sign as a service account)');
  for (const field of ["project_id", "private_key_id", "private_key", "client_email"] as const) {
    if (typeof f[field] !== "string" || (f[field] as string).length === 0) fail(`\`${field}\` is missing`);
  }
  if (!EMAIL.test(f.client_email as string)) fail("`client_email` is not an email address");
  const pem = (f.private_key as string).trim();
  // A literal backslash-n in the PEM (a double-escaped file) parses as JSON but not as a key.
  if (pem.includes("\\n") || pem.includes("\\r")) fail("`private_key` contains literal backslash escapes: the file was escaped twice");
  if (!pem.startsWith(PEM_HEADER) || !pem.endsWith(PEM_FOOTER)) fail("`private_key` must be a PKCS#8 PEM (-----BEGIN PRIVATE KEY-----)");
  const body = pem.slice(PEM_HEADER.length, -PEM_FOOTER.length).replace(/\s+/g, "");
  if (body.length === 0 || !BASE64.test(body)) fail("`private_key` does not hold a base64 key between its PEM lines");
  return f;
}
