/**
 * Faithful fakes for GCP service account keys (method 3, upstream service auth), keyed by
 * Pulumi type token. Not registered in fakes.ts by this module: spread `GCP_KEY_FAKES` after
 * `GCP_FAKES` there.
 *
 * A key is real: an RSA key pair generated here, returned the way the Google provider returns
 * it. `privateKey` is the base64 of the credentials file (the JSON `gcloud iam
 * service-accounts keys create` writes, 11 fields), marked secret as the SDK marks it;
 * `publicKey` is the base64 of a real self-signed X.509 certificate for that key, as Google
 * publishes it at `https://www.googleapis.com/robot/v1/metadata/x509/<email>`. So Google's own
 * library can load the key, and an origin can check what it signs against the certificate.
 *
 * Refused as the IAM API refuses: an 11th key on one service account (the limit is 10), an
 * unknown key algorithm or output type, an uploaded certificate that is not one.
 */
import { createPrivateKey, generateKeyPairSync, type KeyObject, randomBytes, sign, X509Certificate } from "node:crypto";
import { digits, type Fake, type FakeContext, reveal, secretValue, str } from "./fake-kit";
import { GCP_FAKES } from "./fakes-gcp";

/** Google's limit of user-managed keys per service account. */
export const MAX_KEYS_PER_SERVICE_ACCOUNT = 10;
/** What a user-managed key without an expiry policy reports as `validBeforeTime`. */
export const NO_EXPIRY = "9999-12-31T23:59:59Z";

const KEY_BITS: Readonly<Record<string, number>> = { KEY_ALG_RSA_2048: 2048, KEY_ALG_RSA_1024: 1024 };
const SA_EMAIL = /^([a-z][-a-z0-9]{4,28}[a-z0-9])@([a-z][-a-z0-9]{4,28}[a-z0-9])\.iam\.gserviceaccount\.com$/;

interface KnownAccount {
  readonly email: string;
  readonly uniqueId: string;
  readonly project: string;
}

/** Per run (keyed by the run's options object): the accounts registered and their keys. */
const runs = new WeakMap<object, { accounts: Map<string, KnownAccount>; keys: Map<string, number> }>();
function run(ctx: FakeContext) {
  let r = runs.get(ctx.options);
  if (!r) runs.set(ctx.options, (r = { accounts: new Map(), keys: new Map() }));
  return r;
}

function reject(type: string, status: string, message: string): never {
  throw new Error(`${type}: ${message} (Error ${status}: the API would reject this request)`);
}

// --- A minimal DER writer: just enough X.509 for a self-signed certificate. ---

function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const length = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, content]);
}
const seq = (...parts: Buffer[]) => tlv(0x30, Buffer.concat(parts));
function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split(".").map(Number) as [number, number, ...number[]];
  const bytes = [40 * a + b];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = arc >>> 7; v > 0; v >>>= 7) chunk.unshift((v & 0x7f) | 0x80);
    bytes.push(...chunk);
  }
  return tlv(0x06, Buffer.from(bytes));
}
/** UTCTime until 2049, GeneralizedTime after, as RFC 5280 requires. */
function time(date: Date): Buffer {
  const iso = date.toISOString().replace(/\.\d{3}/, "");
  const compact = iso.replace(/[-:T]/g, "");
  const year = date.getUTCFullYear();
  return year < 2050 ? tlv(0x17, Buffer.from(compact.slice(2))) : tlv(0x18, Buffer.from(compact));
}
function name(commonName: string): Buffer {
  return seq(tlv(0x31, seq(oid("2.5.4.3"), tlv(0x0c, Buffer.from(commonName)))));
}

/** A self-signed X.509 v3 certificate (sha256WithRSAEncryption) for the key pair, in PEM. */
export function selfSignedCertificate(privateKey: KeyObject, publicKey: KeyObject, commonName: string, notBefore: Date, notAfter: Date): string {
  const serial = randomBytes(16);
  serial[0] = (serial[0]! & 0x7f) | 0x01; // positive, and no leading zero byte
  const sha256WithRsa = seq(oid("1.2.840.113549.1.1.11"), Buffer.from([0x05, 0x00]));
  const critical = Buffer.from([0x01, 0x01, 0xff]);
  const extensions = tlv(
    0xa3,
    seq(
      seq(oid("2.5.29.19"), critical, tlv(0x04, seq())), // basicConstraints: not a CA
      seq(oid("2.5.29.15"), critical, tlv(0x04, Buffer.from([0x03, 0x02, 0x07, 0x80]))), // keyUsage: digitalSignature
      seq(oid("2.5.29.37"), tlv(0x04, seq(oid("1.3.6.1.5.5.7.3.2")))), // extKeyUsage: clientAuth
    ),
  );
  const tbs = seq(
    Buffer.from([0xa0, 0x03, 0x02, 0x01, 0x02]), // version 3
    tlv(0x02, serial),
    sha256WithRsa,
    name(commonName),
    seq(time(notBefore), time(notAfter)),
    name(commonName),
    publicKey.export({ type: "spki", format: "der" }),
    extensions,
  );
  const signature = sign("sha256", tbs, privateKey);
  const der = seq(tbs, sha256WithRsa, tlv(0x03, Buffer.concat([Buffer.from([0x00]), signature])));
  return `-----BEGIN CERTIFICATE-----\n${der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "")}\n-----END CERTIFICATE-----\n`;
}

/** The credentials file Google returns for a new key (field order and layout as downloaded). */
export function credentialsFile(fields: { project: string; keyId: string; privateKeyPem: string; email: string; clientId: string }): string {
  const file = {
    type: "service_account",
    project_id: fields.project,
    private_key_id: fields.keyId,
    private_key: fields.privateKeyPem,
    client_email: fields.email,
    client_id: fields.clientId,
    auth_uri: "https://accounts.google.com/o/oauth2/auth",
    token_uri: "https://oauth2.googleapis.com/token",
    auth_provider_x509_cert_url: "https://www.googleapis.com/oauth2/v1/certs",
    client_x509_cert_url: `https://www.googleapis.com/robot/v1/metadata/x509/${encodeURIComponent(fields.email)}`,
    universe_domain: "googleapis.com",
  };
  return `${JSON.stringify(file, null, 2)}\n`;
}

function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(v));
}

/** `{ACCOUNT}` or `projects/{PROJECT|-}/serviceAccounts/{ACCOUNT}`, ACCOUNT an email or unique ID. */
function findAccount(type: string, serviceAccountId: string, ctx: FakeContext): KnownAccount {
  const m = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/.exec(serviceAccountId);
  const account = m ? m[2]! : serviceAccountId;
  const known = run(ctx).accounts;
  const found = known.get(account) ?? [...known.values()].find((a) => a.uniqueId === account);
  if (found) return found;
  const email = SA_EMAIL.exec(account);
  if (!email) reject(type, "404", `service account ${JSON.stringify(account)} not found`);
  // An account this program did not create (configured by email): its unique ID is the cloud's.
  const uniqueId = ctx.invent(() => digits(21), `<unique ID of ${account}>`);
  const made = { email: account, uniqueId, project: email[2]! };
  known.set(account, made);
  return made;
}

export const GCP_KEY_FAKES: Record<string, Fake> = {
  /** fakes-gcp.ts's account, remembered for this run so its keys name the right client ID. */
  "gcp:serviceaccount/account:Account": (args, ctx) => {
    const result = GCP_FAKES["gcp:serviceaccount/account:Account"]!(args, ctx);
    const { email, uniqueId, project } = result.state as { email: string; uniqueId: string; project: unknown };
    run(ctx).accounts.set(email, { email, uniqueId, project: str(project) });
    return result;
  },

  "gcp:serviceaccount/key:Key": ({ type, inputs }, ctx) => {
    const { prior, options } = ctx;
    const i = reveal(inputs) as Record<string, unknown>;
    if (typeof i.serviceAccountId !== "string" || i.serviceAccountId.length === 0) reject(type, "400", "serviceAccountId is required");
    const account = findAccount(type, i.serviceAccountId, ctx);

    const count = run(ctx).keys.get(account.email) ?? 0;
    if (count >= MAX_KEYS_PER_SERVICE_ACCOUNT) {
      reject(type, "400", `FAILED_PRECONDITION: Precondition check failed. (service account ${account.email} already has ${MAX_KEYS_PER_SERVICE_ACCOUNT} keys, the most it may have)`);
    }

    // Every input forces a new key; an unchanged one keeps what it had, including the
    // private key, which the API returns only on create and the state keeps.
    const unchanged = prior !== undefined && canonical(reveal(prior.inputs)) === canonical(i);
    run(ctx).keys.set(account.email, count + 1);
    if (unchanged) return { id: prior.id, state: prior.state };

    const uploaded = i.publicKeyData;
    if (uploaded !== undefined && (i.publicKeyType !== undefined || i.privateKeyType !== undefined)) {
      reject(type, "400", "publicKeyData conflicts with publicKeyType and privateKeyType");
    }
    const keyAlgorithm = (i.keyAlgorithm as string | undefined) ?? "KEY_ALG_RSA_2048";
    const bits = KEY_BITS[keyAlgorithm];
    if (bits === undefined) reject(type, "400", `invalid keyAlgorithm ${JSON.stringify(keyAlgorithm)}`);
    const privateKeyType = (i.privateKeyType as string | undefined) ?? "TYPE_GOOGLE_CREDENTIALS_FILE";
    const publicKeyType = (i.publicKeyType as string | undefined) ?? "TYPE_X509_PEM_FILE";
    if (!["TYPE_GOOGLE_CREDENTIALS_FILE", "TYPE_PKCS12_FILE"].includes(privateKeyType)) reject(type, "400", `invalid privateKeyType ${JSON.stringify(privateKeyType)}`);
    if (privateKeyType === "TYPE_PKCS12_FILE") throw new Error(`${type}: gatelock fakes produce credentials files only, not PKCS#12`);
    if (!["TYPE_X509_PEM_FILE", "TYPE_RAW_PUBLIC_KEY"].includes(publicKeyType)) reject(type, "400", `invalid publicKeyType ${JSON.stringify(publicKeyType)}`);

    const keyId = ctx.invent(() => randomBytes(20).toString("hex"), `<key ID of ${account.email}>`);
    const name = `projects/${account.project}/serviceAccounts/${account.email}/keys/${keyId}`;
    const created = options.now();
    const validAfter = ctx.mark(created.toISOString().replace(/\.\d{3}Z$/, "Z"), "<deploy time>");
    const common = { ...inputs, name, keyAlgorithm, validAfter, validBefore: NO_EXPIRY, deletionPolicy: i.deletionPolicy ?? "DELETE" };

    if (uploaded !== undefined) {
      // Upload mode: the caller keeps the private key; the API only checks the certificate.
      let cert: X509Certificate;
      try {
        cert = new X509Certificate(Buffer.from(String(uploaded), "base64"));
      } catch {
        reject(type, "400", "publicKeyData is not a base64-encoded X.509 PEM certificate");
      }
      if (cert.publicKey.asymmetricKeyType !== "rsa") reject(type, "400", "publicKeyData must hold an RSA key");
      return { id: name, state: { ...common, publicKey: uploaded } };
    }

    const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: bits });
    const privateKeyPem = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const certificate = selfSignedCertificate(createPrivateKey(privateKeyPem), publicKey, account.email, created, new Date(NO_EXPIRY));
    const publicKeyOut =
      publicKeyType === "TYPE_X509_PEM_FILE" ? Buffer.from(certificate).toString("base64") : publicKey.export({ type: "spki", format: "der" }).toString("base64");
    const file = credentialsFile({ project: account.project, keyId, privateKeyPem, email: account.email, clientId: account.uniqueId });
    return {
      id: name,
      state: {
        ...common,
        privateKeyType,
        publicKeyType,
        publicKey: ctx.mark(publicKeyOut, `<public key of ${account.email}>`),
        // The SDK lists privateKey in additionalSecretOutputs (key.js): a secret on the wire.
        privateKey: secretValue(Buffer.from(file).toString("base64")),
      },
    };
  },
};
