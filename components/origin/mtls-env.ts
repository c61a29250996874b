/**
 * The trust a local mTLS origin reads from its dotenv file (`.env.<origin>`, written by
 * gatelock's local sink): the bundle of CA certificates, base64 since dotenv values hold no
 * line breaks, and the gateway certificate's subject to pin, as JSON attributes.
 */
import type { ClientCertOptions } from "./mtls";

/**
 * `clientCertOptionsFromEnv("LEDGER")` reads `LEDGER_MTLS_TRUST_BUNDLE_B64` and
 * `LEDGER_MTLS_SUBJECT` (from `process.env` by default) into the options of
 * `mtlsServerOptions`. Throws, naming the variable and never its value, when one is missing or
 * malformed.
 *
 * @example
 * // node --env-file=.env.ledger server.js
 * const mtls = mtlsServerOptions(clientCertOptionsFromEnv("LEDGER"));
 */
export function clientCertOptionsFromEnv(prefix: string, env: Readonly<Record<string, string | undefined>> = process.env): ClientCertOptions {
  const bundleName = `${prefix}_MTLS_TRUST_BUNDLE_B64`;
  const subjectName = `${prefix}_MTLS_SUBJECT`;
  const bundle = env[bundleName];
  if (!bundle) throw new TypeError(`gatelock: ${bundleName} is not set (load the origin's dotenv file, e.g. \`node --env-file=.env.<origin>\`)`);
  const pem = Buffer.from(bundle, "base64").toString("utf8");
  if (!pem.includes("-----BEGIN CERTIFICATE-----")) throw new TypeError(`gatelock: ${bundleName} is not a base64 PEM bundle`);
  const subject = env[subjectName];
  if (subject === undefined) return { ca: pem };
  let pin: unknown;
  try {
    pin = JSON.parse(subject);
  } catch {
    throw new TypeError(`gatelock: ${subjectName} is not JSON`);
  }
  if (!pin || typeof pin !== "object" || Array.isArray(pin) || !Object.values(pin).every((v) => typeof v === "string")) {
    throw new TypeError(`gatelock: ${subjectName} must be a JSON object of subject attributes, e.g. {"CN":"…","O":"…"}`);
  }
  return { ca: pem, pinnedSubjects: [pin as Record<string, string>] };
}
