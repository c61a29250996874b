/**
 * Where an origin's accepted-secrets document comes from.
 *
 * A source is just a function returning the document text, so that this package needs no
 * cloud SDK: an origin on AWS passes a three-line reader built on the SDK it already has
 * (`GetSecretValue` → `SecretString`), one on GCP calls `accessSecretVersion` and decodes
 * `payload.data`, one on Azure calls `getSecret(...).value`. The verifier owns caching,
 * refresh and failure handling; a source only reads.
 *
 * Nothing here may put the document text in an error: the text is the secret.
 */
import { decodeSecretDocument, encodeSecretDocument, type SecretDocument } from "../shared-secret/document";

/**
 * Returns the accepted-secrets document as text (the JSON written by gatelock's store
 * components). May be synchronous or asynchronous; may throw or reject when the store is
 * unreachable, which the verifier treats as "unavailable" and never as "accept".
 *
 * @example
 * // AWS Secrets Manager, with the SDK the origin already depends on (not a gatelock dependency):
 * const sm = new SecretsManagerClient({});
 * const source: SecretSource = async () => {
 *   const out = await sm.send(new GetSecretValueCommand({ SecretId: process.env.GATELOCK_SECRET_ARN }));
 *   if (!out.SecretString) throw new SecretSourceError("the secret has no SecretString");
 *   return out.SecretString;
 * };
 */
export type SecretSource = () => Promise<string> | string;

/**
 * An error whose message is known to contain no secret material, so the verifier may pass
 * the message on to its `onSourceError` hook. Errors of any other type are reduced to
 * their `name` and `code` there, because their messages may quote what they failed on
 * (V8's `JSON.parse` errors, for one, quote the input). Custom sources may throw it too,
 * provided they build the message only from names, never from values.
 */
export class SecretSourceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "SecretSourceError";
  }
}

/**
 * Reads the document from an environment variable, for local development: gatelock's
 * `local` origins write the document to a dotenv file (e.g. `ORDERS_SHARED_SECRET_ACCEPTED`
 * in `.env.orders`), which the origin loads with `node --env-file` or a dotenv loader.
 *
 * The variable is read on every call rather than captured once, so a process that reloads
 * its environment picks up a rotation on the verifier's next refresh.
 *
 * @param variable Name of the variable holding the JSON document.
 * @param env Where to read it from; `process.env` unless given (tests pass their own).
 */
export function fromEnv(variable: string, env: Readonly<Record<string, string | undefined>> = process.env): SecretSource {
  if (typeof variable !== "string" || variable.length === 0) {
    throw new TypeError("gatelock fromEnv: the variable name must be a non-empty string");
  }
  return () => {
    const value = env[variable];
    if (value === undefined || value.length === 0) {
      // The name is configuration, not a secret: say it so the developer knows what to set.
      throw new SecretSourceError(`environment variable ${variable} is not set or is empty`);
    }
    return value;
  };
}

/**
 * A fixed document, for tests and for origins that receive the document through their own
 * configuration mechanism. Accepts the encoded text or the document's fields.
 *
 * The document is validated here, once, so that a typo fails at startup instead of turning
 * every request into a 503; the thrown `TypeError` never contains the text.
 */
export function fromStatic(document: string | SecretDocument | Omit<SecretDocument, "version">): SecretSource {
  const text = typeof document === "string" ? document : encodeSecretDocument(document);
  decodeSecretDocument(text);
  return () => text;
}
