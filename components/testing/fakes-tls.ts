/**
 * Faithful fakes for `@pulumi/tls` (method 4, mTLS), keyed by Pulumi type token (fakes.ts
 * spreads `TLS_FAKES` into its table).
 *
 * Keys and certificates are real: keys come from node:crypto, and certificates and requests
 * are DER structures from PeculiarVentures' `@peculiar/asn1-x509` / `@peculiar/asn1-csr`
 * schemas, signed with node:crypto. So OpenSSL and node's TLS stack accept or refuse them
 * exactly as they would the provider's. Every choice mirrors terraform-provider-tls (which
 * pulumi-tls wraps) and Go's `crypto/x509`, which it calls: the P224 default curve, PEM
 * preambles per algorithm, Go's extension order and criticality, Go's subject attribute
 * order, the SHA-1 key identifiers, the CA key check and IDs.
 *
 * Why not `@peculiar/x509`: it signs through WebCrypto, which is asynchronous only, and a
 * `Fake` must return its result synchronously (`FakeCloud.newResource` is sync); it also
 * pulls in tsyringe and reflect-metadata. The ASN.1 schema packages it is built on are
 * synchronous and small.
 *
 * Under Pulumi a certificate is never renewed by itself (pulumi/pulumi-tls#39): a resource
 * whose inputs did not change keeps its outputs, expired or not.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  type KeyObject,
  randomBytes,
  sign,
  X509Certificate,
} from "node:crypto";
import { isIP } from "node:net";
import type * as Csr from "@peculiar/asn1-csr";
import type * as Schema from "@peculiar/asn1-schema";
import type * as X509 from "@peculiar/asn1-x509";
import { ENCRYPTED_PLACEHOLDER, type Fake, type FakeContext, isSecretValue, type PriorResource, reveal, secretValue } from "./fake-kit";

interface Asn1 {
  readonly schema: typeof Schema;
  readonly x509: typeof X509;
  readonly csr: typeof Csr;
}
let asn1: Asn1 | undefined;
/** Loaded on first use, so programs that never make a certificate never load the ASN.1 code. */
function lib(): Asn1 {
  if (!asn1) {
    try {
      asn1 = {
        schema: require("@peculiar/asn1-schema") as typeof Schema,
        x509: require("@peculiar/asn1-x509") as typeof X509,
        csr: require("@peculiar/asn1-csr") as typeof Csr,
      };
    } catch (cause) {
      throw new Error("gatelock's @pulumi/tls fakes need @peculiar/asn1-x509 and @peculiar/asn1-csr (dependencies of gatelock): reinstall gatelock", { cause });
    }
  }
  return asn1;
}

function reject(type: string, summary: string, detail: string): never {
  throw new Error(`${type}: ${summary}: ${detail} (the tls provider would refuse this)`);
}

// --- Keys ---------------------------------------------------------------------------------

const CURVES: Readonly<Record<string, { node: string; ssh?: string; hash: string; bytes: number }>> = {
  // x/crypto/ssh has no P-224, so the provider leaves the OpenSSH outputs empty for it.
  P224: { node: "secp224r1", hash: "sha256", bytes: 28 },
  P256: { node: "prime256v1", ssh: "nistp256", hash: "sha256", bytes: 32 },
  P384: { node: "secp384r1", ssh: "nistp384", hash: "sha384", bytes: 48 },
  P521: { node: "secp521r1", ssh: "nistp521", hash: "sha512", bytes: 66 },
};

/** The uncompressed point of an EC public key: the tail of its SPKI (node's JWK has no P-224). */
function ecPoint(publicKey: KeyObject): Buffer {
  const curve = CURVES[CURVE_BY_NODE_NAME.get(publicKey.asymmetricKeyDetails!.namedCurve!)!]!;
  const der = publicKey.export({ type: "spki", format: "der" });
  return der.subarray(der.length - (1 + 2 * curve.bytes));
}
const CURVE_BY_NODE_NAME = new Map(Object.entries(CURVES).map(([name, c]) => [c.node, name]));

type Algorithm = "RSA" | "ECDSA" | "ED25519";

/** What Go's crypto/x509 can hold as a private key (`privateKeyToAlgorithm`): else refused. */
function algorithmOf(key: KeyObject): Algorithm | undefined {
  switch (key.asymmetricKeyType) {
    case "rsa":
      return "RSA";
    case "ec":
      return CURVE_BY_NODE_NAME.has(key.asymmetricKeyDetails?.namedCurve ?? "") ? "ECDSA" : undefined;
    case "ed25519":
      return "ED25519";
    default:
      return undefined;
  }
}

/** Go's `pem.EncodeToMemory`: 64 columns, a final newline. */
function pem(label: string, der: Buffer): string {
  const body = der.toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n$/, "");
  return `-----BEGIN ${label}-----\n${body}\n-----END ${label}-----\n`;
}

function unpem(text: string): { label: string; der: Buffer } | undefined {
  const m = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/.exec(text);
  return m ? { label: m[1]!, der: Buffer.from(m[2]!.replace(/\s+/g, ""), "base64") } : undefined;
}

/**
 * The provider's `parsePrivateKeyPEM`: the preamble picks the parser (PKCS#1, SEC 1 or
 * PKCS#8), and only RSA, ECDSA on the four NIST curves and Ed25519 are keys it can use.
 */
function parsePrivateKey(type: string, text: string, what: string): { key: KeyObject; algorithm: Algorithm } {
  const block = unpem(text);
  if (!block) reject(type, `Failed to parse ${what} PEM`, "failed to decode PEM block");
  const formats: Record<string, "pkcs1" | "sec1" | "pkcs8"> = { "RSA PRIVATE KEY": "pkcs1", "EC PRIVATE KEY": "sec1", "PRIVATE KEY": "pkcs8" };
  const format = formats[block.label];
  if (!format) reject(type, `Failed to parse ${what} PEM`, `unsupported PEM preamble/type: ${block.label}`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: block.der, format: "der", type: format });
  } catch (error) {
    reject(type, `Failed to parse ${what} PEM`, `failed to parse private key given PEM preamble '${block.label}': ${(error as Error).message}`);
  }
  const algorithm = algorithmOf(key);
  if (!algorithm) reject(type, `Failed to parse ${what} PEM`, `unsupported private key type (${key.asymmetricKeyType} ${key.asymmetricKeyDetails?.namedCurve ?? ""})`.trim());
  return { key, algorithm };
}

// The OpenSSH wire format (RFC 4251 strings and mpints), for the `*Openssh` outputs.
function sshString(b: Buffer | string): Buffer {
  const body = typeof b === "string" ? Buffer.from(b) : b;
  const len = Buffer.alloc(4);
  len.writeUInt32BE(body.length);
  return Buffer.concat([len, body]);
}
function sshMpint(b64url: string): Buffer {
  let b = Buffer.from(b64url, "base64url");
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  b = b.subarray(i);
  if (b.length > 0 && b[0]! & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return sshString(b);
}

/** `ssh.NewPublicKey` + `ssh.MarshalPrivateKey(key, "")`, or undefined where x/crypto/ssh has no format (P-224). */
function openssh(key: KeyObject, algorithm: Algorithm): { publicBlob: Buffer; keyType: string; privatePem: string } | undefined {
  if (algorithm === "ECDSA" && !CURVES[CURVE_BY_NODE_NAME.get(key.asymmetricKeyDetails!.namedCurve!)!]!.ssh) return undefined;
  const jwk = key.export({ format: "jwk" });
  let keyType: string;
  let publicBlob: Buffer;
  let privateFields: Buffer;
  if (algorithm === "RSA") {
    keyType = "ssh-rsa";
    publicBlob = Buffer.concat([sshString(keyType), sshMpint(jwk.e!), sshMpint(jwk.n!)]);
    privateFields = Buffer.concat([sshMpint(jwk.n!), sshMpint(jwk.e!), sshMpint(jwk.d!), sshMpint(jwk.qi!), sshMpint(jwk.p!), sshMpint(jwk.q!)]);
  } else if (algorithm === "ECDSA") {
    const curve = CURVES[CURVE_BY_NODE_NAME.get(key.asymmetricKeyDetails!.namedCurve!)!]!;
    if (!curve.ssh) return undefined;
    keyType = `ecdsa-sha2-${curve.ssh}`;
    const point = ecPoint(createPublicKey(key));
    publicBlob = Buffer.concat([sshString(keyType), sshString(curve.ssh), sshString(point)]);
    privateFields = Buffer.concat([sshString(curve.ssh), sshString(point), sshMpint(jwk.d!)]);
  } else {
    keyType = "ssh-ed25519";
    const pub = Buffer.from(jwk.x!, "base64url");
    publicBlob = Buffer.concat([sshString(keyType), sshString(pub)]);
    privateFields = Buffer.concat([sshString(pub), sshString(Buffer.concat([Buffer.from(jwk.d!, "base64url"), pub]))]);
  }
  const check = randomBytes(4);
  let priv = Buffer.concat([check, check, sshString(keyType), privateFields, sshString("")]);
  // Unencrypted keys are padded with 1, 2, 3… to the "none" cipher's block size of 8.
  const pad: number[] = [];
  for (let i = 0; (priv.length + i) % 8 !== 0; i++) pad.push(i + 1);
  priv = Buffer.concat([priv, Buffer.from(pad)]);
  const body = Buffer.concat([Buffer.from("openssh-key-v1\0"), sshString("none"), sshString("none"), sshString(""), Buffer.from([0, 0, 0, 1]), sshString(publicBlob), sshString(priv)]);
  return { publicBlob, keyType, privatePem: pem("OPENSSH PRIVATE KEY", body) };
}

/** terraform-provider-tls `hashForState`: hex SHA-1 of the value with surrounding whitespace trimmed. */
function hashForState(value: Buffer | string): string {
  let b = typeof value === "string" ? Buffer.from(value) : value;
  const space = (c: number | undefined) => c !== undefined && (c === 0x20 || (c >= 0x09 && c <= 0x0d));
  while (space(b[0])) b = b.subarray(1);
  while (space(b[b.length - 1])) b = b.subarray(0, -1);
  return b.length === 0 ? "" : createHash("sha1").update(b).digest("hex");
}

// --- X.509 ----------------------------------------------------------------------------------

const KEY_USAGES: Readonly<Record<string, number>> = {
  // Bit n of the KeyUsage BIT STRING, RFC 5280 4.2.1.3 (Go's x509.KeyUsage values).
  digital_signature: 0,
  content_commitment: 1,
  key_encipherment: 2,
  data_encipherment: 3,
  key_agreement: 4,
  cert_signing: 5,
  crl_signing: 6,
  encipher_only: 7,
  decipher_only: 8,
};
const EXT_KEY_USAGES: Readonly<Record<string, string>> = {
  any_extended: "2.5.29.37.0",
  server_auth: "1.3.6.1.5.5.7.3.1",
  client_auth: "1.3.6.1.5.5.7.3.2",
  code_signing: "1.3.6.1.5.5.7.3.3",
  email_protection: "1.3.6.1.5.5.7.3.4",
  ipsec_end_system: "1.3.6.1.5.5.7.3.5",
  ipsec_tunnel: "1.3.6.1.5.5.7.3.6",
  ipsec_user: "1.3.6.1.5.5.7.3.7",
  timestamping: "1.3.6.1.5.5.7.3.8",
  ocsp_signing: "1.3.6.1.5.5.7.3.9",
  microsoft_server_gated_crypto: "1.3.6.1.4.1.311.10.3.3",
  netscape_server_gated_crypto: "2.16.840.1.113730.4.1",
  microsoft_commercial_code_signing: "1.3.6.1.4.1.311.2.1.22",
  microsoft_kernel_code_signing: "1.3.6.1.4.1.311.61.1.1",
};
const ALLOWED_USES = [...Object.keys(KEY_USAGES), ...Object.keys(EXT_KEY_USAGES)].sort();

/** Go's `pkix.Name.ToRDNSequence` order; the provider adds the e-mail address as an extra name. */
const SUBJECT_FIELDS: ReadonlyArray<readonly [field: string, oid: string]> = [
  ["country", "2.5.4.6"],
  ["province", "2.5.4.8"],
  ["locality", "2.5.4.7"],
  ["streetAddresses", "2.5.4.9"],
  ["postalCode", "2.5.4.17"],
  ["organization", "2.5.4.10"],
  ["organizationalUnit", "2.5.4.11"],
  ["commonName", "2.5.4.3"],
  ["serialNumber", "2.5.4.5"],
];
const EMAIL_OID = "1.2.840.113549.1.9.1";
const SAN_OID = "2.5.29.17";
const EXTENSION_REQUEST_OID = "1.2.840.113549.1.9.14";

type Subject = Array<readonly [oid: string, values: string[]]>;

/** Go's asn1 marshals a string as PrintableString when it can, else as UTF8String. */
function directoryValue(x509: typeof X509, s: string, oid: string): X509.AttributeValue {
  if (oid === EMAIL_OID) return new x509.AttributeValue({ ia5String: s });
  return /^[A-Za-z0-9 '()+,\-./:=?]*$/.test(s) ? new x509.AttributeValue({ printableString: s }) : new x509.AttributeValue({ utf8String: s });
}

function nameOf(subject: Subject): X509.Name {
  const { x509 } = lib();
  // One RDN per attribute type, holding all its values (Go's appendRDNs), as Go writes it.
  return new x509.Name(subject.filter(([, v]) => v.length > 0).map(([oid, values]) => new x509.RelativeDistinguishedName(values.map((value) => new x509.AttributeTypeAndValue({ type: oid, value: directoryValue(x509, value, oid) })))));
}

function subjectFromInputs(input: unknown): Subject {
  const s = (input ?? {}) as Record<string, unknown>;
  const out: Subject = [];
  for (const [field, oid] of SUBJECT_FIELDS) {
    const v = s[field];
    if (v === undefined || v === null) continue;
    // Go leaves an empty common name or serial number out; the others are kept even when empty.
    if ((field === "commonName" || field === "serialNumber") && v === "") continue;
    out.push([oid, Array.isArray(v) ? v.map(String) : [String(v)]]);
  }
  if (typeof s.emailAddress === "string") out.push([EMAIL_OID, [s.emailAddress]]);
  return out;
}

/**
 * A requested subject as Go re-issues it: `ParseCertificateRequest` fills the known fields
 * only (ExtraNames stays empty), so an e-mail address or an unknown attribute in the request
 * does not reach the certificate, and the order becomes Go's.
 */
function subjectFromName(name: X509.Name): Subject {
  const values = new Map<string, string[]>();
  for (const rdn of name) for (const atv of rdn) values.set(atv.type, [...(values.get(atv.type) ?? []), atv.value.toString()]);
  return SUBJECT_FIELDS.map(([field, oid]): readonly [string, string[]] => {
    const v = values.get(oid) ?? [];
    // Go keeps the last common name and serial number, and every value of the others.
    return [oid, field === "commonName" || field === "serialNumber" ? v.slice(-1) : v];
  }).filter(([, v]) => v.length > 0);
}

interface Sans {
  dnsNames: string[];
  ipAddresses: string[];
  uris: string[];
}

function sansFromInputs(type: string, i: Record<string, unknown>): Sans {
  const list = (k: string) => (Array.isArray(i[k]) ? (i[k] as unknown[]).map(String) : []);
  const sans = { dnsNames: list("dnsNames"), ipAddresses: list("ipAddresses"), uris: list("uris") };
  for (const ip of sans.ipAddresses) if (isIP(ip) === 0) reject(type, "Invalid IP address", `Failed to parse ${JSON.stringify(ip)}`);
  return sans;
}

/** Go's `marshalSANs`: DNS names, then IP addresses, then URIs. */
function sanExtension(sans: Sans, critical: boolean): X509.Extension | undefined {
  const { x509, schema } = lib();
  const names = [
    ...sans.dnsNames.map((dNSName) => new x509.GeneralName({ dNSName })),
    // An IPv4-mapped address is written as its 4 bytes, as Go's `ip.To4()` does.
    ...sans.ipAddresses.map((ip) => new x509.GeneralName({ iPAddress: ip.replace(/^::ffff:(\d+\.\d+\.\d+\.\d+)$/i, "$1") })),
    ...sans.uris.map((uniformResourceIdentifier) => new x509.GeneralName({ uniformResourceIdentifier })),
  ];
  if (names.length === 0) return undefined;
  return new x509.Extension({ extnID: SAN_OID, critical, extnValue: new schema.OctetString(schema.AsnConvert.serialize(new x509.SubjectAlternativeName(names))) });
}

/** Go's `signingParamsForKey` for the signer, and the signature itself. */
function signer(key: KeyObject, algorithm: Algorithm): { id: X509.AlgorithmIdentifier; sign: (data: Buffer) => Buffer } {
  const { x509 } = lib();
  if (algorithm === "RSA") {
    // sha256WithRSAEncryption, with the NULL parameters RFC 4055 asks for.
    return { id: new x509.AlgorithmIdentifier({ algorithm: "1.2.840.113549.1.1.11", parameters: new Uint8Array([0x05, 0x00]).buffer }), sign: (d) => sign("sha256", d, key) };
  }
  if (algorithm === "ED25519") return { id: new x509.AlgorithmIdentifier({ algorithm: "1.3.101.112" }), sign: (d) => sign(null, d, key) };
  const hash = CURVES[CURVE_BY_NODE_NAME.get(key.asymmetricKeyDetails!.namedCurve!)!]!.hash;
  const oid = { sha256: "1.2.840.10045.4.3.2", sha384: "1.2.840.10045.4.3.3", sha512: "1.2.840.10045.4.3.4" }[hash]!;
  return { id: new x509.AlgorithmIdentifier({ algorithm: oid }), sign: (d) => sign(hash, d, { key, dsaEncoding: "der" }) };
}

function spki(publicKey: KeyObject): Buffer {
  return publicKey.export({ type: "spki", format: "der" });
}

/**
 * The provider's `generateSubjectKeyID`: SHA-1 of the key as Go marshals it. For ECDSA the
 * uncompressed point, for RSA the PKCS#1 RSAPublicKey, for Ed25519 the key as an OCTET STRING.
 */
function subjectKeyId(publicKey: KeyObject): Buffer {
  let bytes: Buffer;
  if (publicKey.asymmetricKeyType === "rsa") bytes = publicKey.export({ type: "pkcs1", format: "der" });
  else if (publicKey.asymmetricKeyType === "ec") bytes = ecPoint(publicKey);
  else {
    const raw = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
    bytes = Buffer.concat([Buffer.from([0x04, raw.length]), raw]);
  }
  return createHash("sha1").update(bytes).digest();
}

interface CertPlan {
  subject: X509.Name;
  subjectIsEmpty: boolean;
  sans: Sans;
  publicKey: KeyObject;
  issuer: { name: X509.Name; raw: Buffer; key: KeyObject; algorithm: Algorithm; subjectKeyId?: Buffer } | "self";
  signingKey: KeyObject;
  signingAlgorithm: Algorithm;
}

/** The provider's `createCertificate` and Go's `x509.CreateCertificate`. */
function createCertificate(type: string, i: Record<string, unknown>, plan: CertPlan, ctx: FakeContext, name: string) {
  const { x509, schema } = lib();
  const hours = Number(i.validityPeriodHours);
  if (!Number.isInteger(hours) || hours < 0) reject(type, "Invalid Attribute Value", `validityPeriodHours must be at least 0, got ${String(i.validityPeriodHours)}`);
  const early = i.earlyRenewalHours === undefined ? 0 : Number(i.earlyRenewalHours);
  if (!Number.isInteger(early) || early < 0) reject(type, "Invalid Attribute Value", `earlyRenewalHours must be at least 0, got ${String(i.earlyRenewalHours)}`);
  const maxPathLength = i.maxPathLength === undefined ? undefined : Number(i.maxPathLength);
  if (maxPathLength !== undefined && (!Number.isInteger(maxPathLength) || maxPathLength < -1)) reject(type, "Invalid Attribute Value", `maxPathLength must be at least -1, got ${String(i.maxPathLength)}`);
  const uses = Array.isArray(i.allowedUses) ? (i.allowedUses as unknown[]).map(String) : [];
  for (const use of uses) {
    if (!ALLOWED_USES.includes(use)) reject(type, "Invalid Attribute Value Match", `allowedUses value must be one of: [${ALLOWED_USES.map((u) => JSON.stringify(u)).join(" ")}], got: ${JSON.stringify(use)}`);
  }
  const isCa = i.isCaCertificate === true;
  if (isCa && plan.subjectIsEmpty) reject(type, "Invalid Certificate Subject", "Must contain at least one Distinguished Name when creating Certificate Authority (CA)");

  const notBefore = ctx.options.now();
  const notAfter = new Date(notBefore.getTime() + hours * 3_600_000);
  // A positive serial below 2^128, as `rand.Int(rand.Reader, 1<<128)` draws it.
  const serial = BigInt(ctx.invent(() => BigInt(`0x${randomBytes(16).toString("hex")}`).toString(), `<serial of ${name}>`));
  let serialBytes = Buffer.from(serial.toString(16).padStart(32, "0"), "hex");
  while (serialBytes.length > 1 && serialBytes[0] === 0 && !(serialBytes[1]! & 0x80)) serialBytes = serialBytes.subarray(1);
  if (serialBytes[0]! & 0x80) serialBytes = Buffer.concat([Buffer.from([0]), serialBytes]);

  let keyUsageBits = 0;
  const extKeyUsages: string[] = [];
  for (const use of uses) {
    if (use in KEY_USAGES) keyUsageBits |= 1 << KEY_USAGES[use]!;
    if (use in EXT_KEY_USAGES) extKeyUsages.push(EXT_KEY_USAGES[use]!);
  }

  let ski: Buffer | undefined;
  if (isCa || i.setSubjectKeyId === true) ski = subjectKeyId(plan.publicKey);
  let aki: Buffer | undefined;
  if (i.setAuthorityKeyId === true) {
    // Only SelfSignedCert has this input; its parent is the certificate itself.
    if (!ski) reject(type, "Invalid Certificate Authority", "Could not determine Authority Key Identifier");
    aki = ski;
  }
  const issuerName = plan.issuer === "self" ? plan.subject : plan.issuer.name;
  const issuerRaw = plan.issuer === "self" ? Buffer.from(schema.AsnConvert.serialize(plan.subject)) : plan.issuer.raw;
  const subjectRaw = Buffer.from(schema.AsnConvert.serialize(plan.subject));
  // Go takes the authority key ID from the parent, unless the certificate is self-issued.
  if (plan.issuer !== "self" && !issuerRaw.equals(subjectRaw) && plan.issuer.subjectKeyId) aki = plan.issuer.subjectKeyId;
  if (!isCa && maxPathLength !== undefined && maxPathLength > 0) reject(type, "Failed to create certificate", "x509: only CAs are allowed to specify MaxPathLen");

  const ext = (extnID: string, critical: boolean, value: unknown) => new x509.Extension({ extnID, critical, extnValue: new schema.OctetString(schema.AsnConvert.serialize(value)) });
  // Go's `buildCertExtensions` order and criticality.
  const extensions: X509.Extension[] = [];
  if (keyUsageBits !== 0) {
    const ku = new x509.KeyUsage(keyUsageBits);
    extensions.push(ext("2.5.29.15", true, ku));
  }
  if (extKeyUsages.length > 0) extensions.push(ext("2.5.29.37", false, new x509.ExtendedKeyUsage(extKeyUsages)));
  // Go writes pathLenConstraint only for a positive MaxPathLen (0 without MaxPathLenZero means none).
  extensions.push(ext("2.5.29.19", true, new x509.BasicConstraints(isCa ? { cA: true, ...(maxPathLength !== undefined && maxPathLength > 0 ? { pathLenConstraint: maxPathLength } : {}) } : {})));
  if (ski) extensions.push(ext("2.5.29.14", false, new x509.SubjectKeyIdentifier(ski)));
  if (aki) extensions.push(ext("2.5.29.35", false, new x509.AuthorityKeyIdentifier({ keyIdentifier: new x509.KeyIdentifier(aki) })));
  const san = sanExtension(plan.sans, plan.subjectIsEmpty);
  if (san) extensions.push(san);

  const sig = signer(plan.signingKey, plan.signingAlgorithm);
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: new Uint8Array(serialBytes).buffer,
    signature: sig.id,
    issuer: issuerName,
    validity: new x509.Validity({ notBefore, notAfter }),
    subject: plan.subject,
    subjectPublicKeyInfo: schema.AsnConvert.parse(spki(plan.publicKey), x509.SubjectPublicKeyInfo),
    extensions: new x509.Extensions(extensions),
  });
  const tbsDer = Buffer.from(schema.AsnConvert.serialize(tbs));
  const signature = sig.sign(tbsDer);
  const cert = new x509.Certificate({ tbsCertificate: tbs, signatureAlgorithm: sig.id, signatureValue: new Uint8Array(signature).buffer });
  const der = Buffer.from(schema.AsnConvert.serialize(cert));
  const certPem = pem("CERTIFICATE", der);
  // The provider stores Go's `time.MarshalText` (RFC 3339 with the fraction, trailing zeros cut).
  const rfc3339 = (d: Date) => d.toISOString().replace(/\.?0*Z$/, "Z");
  const days = hours / 24;
  return {
    id: serial.toString(),
    certPem: ctx.mark(certPem, `<certificate of ${name}>`),
    validityStartTime: ctx.mark(rfc3339(notBefore), "<deploy time>"),
    validityEndTime: ctx.mark(rfc3339(notAfter), Number.isInteger(days) ? `<deploy time + ${days} day${days === 1 ? "" : "s"}>` : `<deploy time + ${hours * 3600} s>`),
    earlyRenewalHours: early,
    // A new certificate is never ready for renewal: the provider only finds out on a later plan.
    readyForRenewal: false,
    isCaCertificate: isCa,
    setSubjectKeyId: i.setSubjectKeyId === true,
    maxPathLength: maxPathLength ?? null,
  };
}

function certState(cert: ReturnType<typeof createCertificate>): Omit<ReturnType<typeof createCertificate>, "id"> {
  const { id: _id, ...state } = cert;
  return state;
}

/** The input that carries a private key: exactly one of `<name>` and its write-only twin. */
function keyInput(type: string, i: Record<string, unknown>, field: string): string {
  const plain = i[field];
  const wo = i[`${field}Wo`];
  if ((plain === undefined) === (wo === undefined)) reject(type, "Invalid Attribute Combination", `exactly one of ${field} or ${field}Wo must be set`);
  if (wo !== undefined && i[`${field}WoVersion`] === undefined) reject(type, "Invalid Attribute Combination", `${field}WoVersion must be set with ${field}Wo`);
  return String(plain ?? wo);
}

/** The state echoes a key input as a secret (the SDK lists it in additionalSecretOutputs); a write-only one is never stored. */
function secretEcho(inputs: Record<string, unknown>, field: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (inputs[field] !== undefined) out[field] = isSecretValue(inputs[field]) ? inputs[field] : secretValue(inputs[field]);
  if (inputs[`${field}Wo`] !== undefined) out[`${field}Wo`] = null;
  return out;
}

function canonical(v: unknown): string {
  const sort = (x: unknown): unknown =>
    Array.isArray(x) ? x.map(sort) : x && typeof x === "object" ? Object.fromEntries(Object.keys(x).sort().map((k) => [k, sort((x as Record<string, unknown>)[k])])) : x;
  return JSON.stringify(sort(reveal(v)));
}

/**
 * Every input of these resources forces a replacement except `earlyRenewalHours`, which is
 * updated in place; unchanged inputs keep the outputs (no renewal under Pulumi).
 */
function kept(prior: PriorResource | undefined, inputs: Record<string, unknown>): { id: string | undefined; state: Record<string, unknown> } | undefined {
  if (!prior) return undefined;
  const strip = (x: Record<string, unknown>) => {
    const { earlyRenewalHours: _e, ...rest } = reveal(x) as Record<string, unknown>;
    return rest;
  };
  if (canonical(strip(prior.inputs)) !== canonical(strip(inputs))) return undefined;
  const early = (reveal(inputs) as Record<string, unknown>).earlyRenewalHours;
  return { id: prior.id, state: { ...prior.state, ...(early === undefined ? {} : { earlyRenewalHours: early }) } };
}

/**
 * A certificate whose CA key is an encrypted stack secret the offline audit cannot read: it is
 * signed only at deploy time, so every output that depends on the signature is a placeholder.
 */
function signedAtDeployTime(name: string, inputs: Record<string, unknown>, i: Record<string, unknown>, ctx: FakeContext): { id: string; state: Record<string, unknown> } {
  const hours = Number(i.validityPeriodHours);
  const days = hours / 24;
  const token = (placeholder: string) => ctx.invent(() => `pending-${randomBytes(12).toString("hex")}`, placeholder);
  return {
    id: token(`<serial of ${name}>`),
    state: {
      ...inputs,
      ...secretEcho(inputs, "caPrivateKeyPem"),
      certPem: token(`<certificate of ${name}, signed at deploy time with your CA's key>`),
      validityStartTime: token("<deploy time>"),
      validityEndTime: token(Number.isInteger(days) ? `<deploy time + ${days} day${days === 1 ? "" : "s"}>` : `<deploy time + ${hours * 3600} s>`),
      readyForRenewal: false,
      isCaCertificate: i.isCaCertificate === true,
    },
  };
}

export const TLS_FAKES: Record<string, Fake> = {
  "tls:index/privateKey:PrivateKey": ({ type, name, inputs }, ctx) => {
    const i = reveal(inputs) as Record<string, unknown>;
    const algorithm = i.algorithm;
    if (algorithm !== "RSA" && algorithm !== "ECDSA" && algorithm !== "ED25519") {
      reject(type, "Invalid Attribute Value Match", `algorithm value must be one of: ["RSA" "ECDSA" "ED25519"], got: ${JSON.stringify(algorithm)}`);
    }
    const rsaBits = i.rsaBits === undefined ? 2048 : Number(i.rsaBits);
    const ecdsaCurve = i.ecdsaCurve === undefined ? "P224" : String(i.ecdsaCurve);
    if (!(ecdsaCurve in CURVES)) reject(type, "Invalid Attribute Value Match", `ecdsaCurve value must be one of: ["P224" "P256" "P384" "P521"], got: ${JSON.stringify(ecdsaCurve)}`);
    // Go 1.24's rsa.GenerateKey refuses keys under 1024 bits.
    if (algorithm === "RSA" && (!Number.isInteger(rsaBits) || rsaBits < 1024)) reject(type, "Unable to generate Key from configuration", `crypto/rsa: ${rsaBits}-bit keys are insecure (see https://go.dev/pkg/crypto/rsa#hdr-Minimum_key_size)`);
    const same = kept(ctx.prior, inputs);
    if (same) return same;

    const pair =
      algorithm === "RSA"
        ? generateKeyPairSync("rsa", { modulusLength: rsaBits, publicExponent: 65537 })
        : algorithm === "ECDSA"
          ? generateKeyPairSync("ec", { namedCurve: CURVES[ecdsaCurve]!.node })
          : generateKeyPairSync("ed25519");
    const { privateKey, publicKey } = pair;
    // The provider's PEM per algorithm: PKCS#1 for RSA, SEC 1 for ECDSA, PKCS#8 for Ed25519.
    const privateKeyPem = privateKey.export({ type: algorithm === "RSA" ? "pkcs1" : algorithm === "ECDSA" ? "sec1" : "pkcs8", format: "pem" }).toString();
    const privateKeyPemPkcs8 = privateKey.export({ type: "pkcs8", format: "pem" }).toString();
    const ssh = openssh(privateKey, algorithm);
    const spkiDer = spki(publicKey);
    const sshPublic = ssh ? `${ssh.keyType} ${ssh.publicBlob.toString("base64")}\n` : "";
    const md5 = ssh ? createHash("md5").update(ssh.publicBlob).digest("hex").replace(/(..)(?!$)/g, "$1:") : "";
    const sha256 = ssh ? `SHA256:${createHash("sha256").update(ssh.publicBlob).digest("base64").replace(/=+$/, "")}` : "";
    const mark = (v: string, what: string) => (v === "" ? v : ctx.mark(v, `<${what} of ${name}>`));
    return {
      id: mark(hashForState(spkiDer), "key ID"),
      state: {
        ...inputs,
        algorithm,
        rsaBits,
        ecdsaCurve,
        // The SDK lists these three in additionalSecretOutputs (privateKey.js).
        privateKeyPem: secretValue(privateKeyPem),
        privateKeyPemPkcs8: secretValue(privateKeyPemPkcs8),
        privateKeyOpenssh: secretValue(ssh ? ssh.privatePem : ""),
        publicKeyPem: mark(pem("PUBLIC KEY", spkiDer), "public key"),
        publicKeyOpenssh: mark(sshPublic, "OpenSSH public key"),
        publicKeyFingerprintMd5: mark(md5, "MD5 fingerprint"),
        publicKeyFingerprintSha256: mark(sha256, "SHA-256 fingerprint"),
      },
    };
  },

  "tls:index/selfSignedCert:SelfSignedCert": ({ type, name, inputs }, ctx) => {
    const i = reveal(inputs) as Record<string, unknown>;
    const { key, algorithm } = parsePrivateKey(type, keyInput(type, i, "privateKeyPem"), "private key");
    const subject = subjectFromInputs(i.subject);
    const sans = sansFromInputs(type, i);
    const same = kept(ctx.prior, inputs);
    if (same) return same;
    const cert = createCertificate(type, i, { subject: nameOf(subject), subjectIsEmpty: subject.length === 0, sans, publicKey: createPublicKey(key), issuer: "self", signingKey: key, signingAlgorithm: algorithm }, ctx, name);
    return {
      id: cert.id,
      state: {
        ...inputs,
        ...secretEcho(inputs, "privateKeyPem"),
        ...certState(cert),
        keyAlgorithm: algorithm,
        setAuthorityKeyId: i.setAuthorityKeyId === true,
      },
    };
  },

  "tls:index/certRequest:CertRequest": ({ type, name, inputs }, ctx) => {
    const { x509, csr, schema } = lib();
    const i = reveal(inputs) as Record<string, unknown>;
    const { key, algorithm } = parsePrivateKey(type, keyInput(type, i, "privateKeyPem"), "private key");
    const subject = subjectFromInputs(i.subject);
    const sans = sansFromInputs(type, i);
    if (ctx.prior && canonical(ctx.prior.inputs) === canonical(inputs)) return { id: ctx.prior.id, state: ctx.prior.state };

    const attributes: X509.Attribute[] = [];
    // Go's CreateCertificateRequest puts the SANs in an extensionRequest attribute (never critical there).
    const san = sanExtension(sans, false);
    if (san) attributes.push(new x509.Attribute({ type: EXTENSION_REQUEST_OID, values: [schema.AsnConvert.serialize(new x509.Extensions([san]))] }));
    const info = new csr.CertificationRequestInfo({
      version: 0,
      subject: nameOf(subject),
      subjectPKInfo: schema.AsnConvert.parse(spki(createPublicKey(key)), x509.SubjectPublicKeyInfo),
      attributes: new csr.Attributes(attributes),
    });
    const sig = signer(key, algorithm);
    const signature = sig.sign(Buffer.from(schema.AsnConvert.serialize(info)));
    const der = Buffer.from(schema.AsnConvert.serialize(new csr.CertificationRequest({ certificationRequestInfo: info, signatureAlgorithm: sig.id, signature: new Uint8Array(signature).buffer })));
    return {
      id: ctx.mark(hashForState(der), `<request ID of ${name}>`),
      state: {
        ...inputs,
        ...secretEcho(inputs, "privateKeyPem"),
        keyAlgorithm: algorithm,
        certRequestPem: ctx.mark(pem("CERTIFICATE REQUEST", der), `<certificate request of ${name}>`),
      },
    };
  },

  "tls:index/locallySignedCert:LocallySignedCert": ({ type, name, inputs }, ctx) => {
    const { x509, csr, schema } = lib();
    const i = reveal(inputs) as Record<string, unknown>;

    const reqBlock = unpem(String(i.certRequestPem ?? ""));
    if (!reqBlock) reject(type, "Failed to parse certificate request PEM", `failed to decode PEM of expected type "CERTIFICATE REQUEST" from bytes`);
    if (reqBlock.label !== "CERTIFICATE REQUEST") reject(type, "Failed to parse certificate request PEM", `invalid PEM type - expected "CERTIFICATE REQUEST", got ${JSON.stringify(reqBlock.label)}`);
    let request: Csr.CertificationRequest;
    let requestKey: KeyObject;
    try {
      request = schema.AsnConvert.parse(reqBlock.der, csr.CertificationRequest);
      requestKey = createPublicKey({ key: Buffer.from(schema.AsnConvert.serialize(request.certificationRequestInfo.subjectPKInfo)), format: "der", type: "spki" });
    } catch (error) {
      reject(type, "Failed to parse certificate request PEM", `failed to parse certificate request: ${(error as Error).message}`);
    }
    const requestAlgorithm = algorithmOf(requestKey);
    if (!requestAlgorithm) reject(type, "Failed to create certificate", `x509: unsupported public key type (${requestKey.asymmetricKeyType})`);

    if (keyInput(type, i, "caPrivateKeyPem") === ENCRYPTED_PLACEHOLDER) return signedAtDeployTime(name, inputs, i, ctx);
    const { key: caKey, algorithm: caAlgorithm } = parsePrivateKey(type, keyInput(type, i, "caPrivateKeyPem"), "CA private key");

    const caBlock = unpem(String(i.caCertPem ?? ""));
    if (!caBlock) reject(type, "Failed to parse CA certificate PEM", `failed to decode PEM of expected type "CERTIFICATE" from bytes`);
    if (caBlock.label !== "CERTIFICATE") reject(type, "Failed to parse CA certificate PEM", `invalid PEM type - expected "CERTIFICATE", got ${JSON.stringify(caBlock.label)}`);
    let caCert: X509.Certificate;
    let caPublicKey: KeyObject;
    try {
      caCert = schema.AsnConvert.parse(caBlock.der, x509.Certificate);
      caPublicKey = new X509Certificate(caBlock.der).publicKey;
    } catch (error) {
      reject(type, "Failed to parse CA certificate PEM", `failed to parse certificate: ${(error as Error).message}`);
    }
    // Go's CreateCertificate checks the signing key against the parent certificate.
    if (!spki(createPublicKey(caKey)).equals(spki(caPublicKey))) reject(type, "Failed to create certificate", "x509: provided PrivateKey doesn't match parent's PublicKey");

    const same = kept(ctx.prior, inputs);
    if (same) return same;

    const requested = request.certificationRequestInfo;
    const subject = subjectFromName(requested.subject);
    const sans: Sans = { dnsNames: [], ipAddresses: [], uris: [] };
    for (const attribute of requested.attributes) {
      if (attribute.type !== EXTENSION_REQUEST_OID) continue;
      for (const value of attribute.values) {
        for (const e of schema.AsnConvert.parse(value, x509.Extensions)) {
          if (e.extnID !== SAN_OID) continue;
          for (const n of schema.AsnConvert.parse(e.extnValue, x509.SubjectAlternativeName)) {
            if (n.dNSName !== undefined) sans.dnsNames.push(n.dNSName);
            if (n.iPAddress !== undefined) sans.ipAddresses.push(n.iPAddress);
            if (n.uniformResourceIdentifier !== undefined) sans.uris.push(n.uniformResourceIdentifier);
          }
        }
      }
    }
    const caSki = caCert.tbsCertificate.extensions?.find((e) => e.extnID === "2.5.29.14");
    const cert = createCertificate(
      type,
      i,
      {
        subject: nameOf(subject),
        subjectIsEmpty: subject.length === 0,
        sans,
        publicKey: requestKey,
        issuer: {
          name: caCert.tbsCertificate.subject,
          raw: Buffer.from(schema.AsnConvert.serialize(caCert.tbsCertificate.subject)),
          key: caKey,
          algorithm: caAlgorithm,
          subjectKeyId: caSki ? Buffer.from(schema.AsnConvert.parse(caSki.extnValue, x509.SubjectKeyIdentifier).buffer) : undefined,
        },
        signingKey: caKey,
        signingAlgorithm: caAlgorithm,
      },
      ctx,
      name,
    );
    return {
      id: cert.id,
      state: { ...inputs, ...secretEcho(inputs, "caPrivateKeyPem"), ...certState(cert), caKeyAlgorithm: caAlgorithm },
    };
  },
};
