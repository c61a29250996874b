/**
 * Faithful fakes of aws resources used by federated identity (and later methods), keyed by
 * Pulumi type token. Shared-secret fakes live in fakes.ts.
 *
 * Outputs have the real formats (IAM ARNs, role unique IDs, Lambda statement IDs), and the
 * fakes refuse what AWS refuses: a second OIDC provider for the same URL in an account
 * (`EntityAlreadyExists`), more than 100 client IDs or one over 255 characters, a role name
 * used twice, a maximum session duration outside 3600-43200, a malformed or oversized policy
 * document, and a Lambda permission whose statement ID is taken or whose URL condition does
 * not fit its action.
 */
import { createHash, randomBytes, randomInt, X509Certificate } from "node:crypto";
import type { Fake, FakeContext } from "./fake-kit";
import { reveal, str } from "./fake-kit";

/** What exists in the (fake) account during one run, keyed by the run's options object. */
const accounts = new WeakMap<object, { providers: Set<string>; roles: Set<string>; statements: Set<string> }>();

function account(options: object) {
  let a = accounts.get(options);
  if (!a) accounts.set(options, (a = { providers: new Set(), roles: new Set(), statements: new Set() }));
  return a;
}

/** The error the AWS provider surfaces, e.g. `EntityAlreadyExists: …`. */
class AwsApiError extends Error {
  constructor(code: string, message: string) {
    super(`aws: ${code}: ${message}`);
  }
}

const UPPER_ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
function uniqueId(prefix: string): string {
  return prefix + Array.from({ length: 17 }, () => UPPER_ALNUM[randomInt(UPPER_ALNUM.length)]).join("");
}

/** Terraform's `id.PrefixedUniqueId`: prefix + a 26-digit timestamp-and-counter suffix. */
let counter = 0;
function prefixedUniqueId(prefix: string, ctx: Pick<FakeContext, "options" | "invent">): string {
  const t = ctx.options.now().toISOString().replace(/\D/g, "").slice(0, 17);
  return `${prefix}${ctx.invent(() => `${t}${String(++counter).padStart(9, "0")}`, "<unique ID>")}`;
}

function policyDocument(value: unknown, what: string, maxChars: number): void {
  const text = str(value);
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new AwsApiError("MalformedPolicyDocument", `${what} is not valid JSON`);
  }
  const d = doc as { Version?: string; Statement?: unknown };
  if (d.Version !== "2012-10-17" || !Array.isArray(d.Statement) || d.Statement.length === 0) {
    throw new AwsApiError("MalformedPolicyDocument", `${what} needs Version 2012-10-17 and at least one statement`);
  }
  const size = text.replace(/\s/g, "").length;
  if (size > maxChars) throw new AwsApiError("LimitExceeded", `${what} is ${size} characters; the limit is ${maxChars}`);
}

export const AWS_FAKES: Record<string, Fake> = {
  "aws:iam/openIdConnectProvider:OpenIdConnectProvider": ({ inputs }, { options, prior, invent }) => {
    const url = str(inputs.url);
    if (!/^https:\/\/[^/?#]+/.test(url)) throw new AwsApiError("ValidationError", "url must begin with https://");
    const hostPath = url.replace(/^https:\/\//, "").replace(/\/+$/, "");
    const clientIds = (reveal(inputs.clientIdLists) ?? []) as string[];
    if (clientIds.length < 1 || clientIds.length > 100) throw new AwsApiError("LimitExceeded", "an OIDC provider takes 1 to 100 client IDs");
    if (clientIds.some((c) => c.length < 1 || c.length > 255)) throw new AwsApiError("ValidationError", "client IDs are 1 to 255 characters");
    const arn = `arn:aws:iam::${options.awsAccountId}:oidc-provider/${hostPath}`;
    const acct = account(options);
    if (acct.providers.has(arn)) throw new AwsApiError("EntityAlreadyExists", `Provider with url ${url} already exists.`);
    acct.providers.add(arn);
    // Without thumbprints, IAM fetches the top intermediate CA's thumbprint itself.
    const thumbprintLists = inputs.thumbprintLists ?? (prior?.state.thumbprintLists as string[] | undefined) ?? [invent(() => randomBytes(20).toString("hex"), "<thumbprint>")];
    return { id: arn, state: { ...inputs, arn, thumbprintLists, tagsAll: inputs.tags ?? {} } };
  },

  "aws:iam/role:Role": ({ inputs, name: logical }, { options, prior, invent, mark }) => {
    // Pulumi auto-names a role without `name`: logical name plus a random suffix.
    const name = inputs.name !== undefined ? str(inputs.name) : `${logical}-${invent(() => randomBytes(4).toString("hex").slice(0, 7), "<random>")}`;
    if (!/^[\w+=,.@-]{1,64}$/.test(name)) throw new AwsApiError("ValidationError", "role name must be 1-64 characters of [\\w+=,.@-]");
    const path = inputs.path !== undefined ? str(inputs.path) : "/";
    const maxSessionDuration = inputs.maxSessionDuration !== undefined ? Number(reveal(inputs.maxSessionDuration)) : 3600;
    if (maxSessionDuration < 3600 || maxSessionDuration > 43200) throw new AwsApiError("ValidationError", "MaxSessionDuration must be between 3600 and 43200");
    // The default quota for a role trust policy is 2,048 characters.
    policyDocument(inputs.assumeRolePolicy, "assumeRolePolicy", 2048);
    const acct = account(options);
    if (acct.roles.has(name)) throw new AwsApiError("EntityAlreadyExists", `Role with name ${name} already exists.`);
    acct.roles.add(name);
    const arn = `arn:aws:iam::${options.awsAccountId}:role${path}${name}`;
    const same = prior && prior.id === name;
    return {
      id: name,
      state: {
        ...inputs,
        name,
        path,
        arn,
        maxSessionDuration,
        uniqueId: same ? prior.state.uniqueId : invent(() => uniqueId("AROA"), `<unique ID of role ${name}>`),
        createDate: same ? prior.state.createDate : mark(options.now().toISOString(), "<deploy time>"),
        tagsAll: inputs.tags ?? {},
      },
    };
  },

  "aws:iam/rolePolicy:RolePolicy": ({ inputs }) => {
    policyDocument(inputs.policy, "policy", 10240);
    const role = str(inputs.role);
    const name = str(inputs.name);
    return { id: `${role}:${name}`, state: { ...inputs, role, name } };
  },

  "aws:iam/rolePolicyAttachment:RolePolicyAttachment": ({ inputs }, ctx) => {
    const policyArn = str(inputs.policyArn);
    if (!/^arn:aws[\w-]*:iam::(aws|\d{12}):policy\//.test(policyArn)) throw new AwsApiError("InvalidInput", `ARN ${policyArn} is not valid.`);
    return { id: prefixedUniqueId(`${str(inputs.role)}-`, ctx), state: { ...inputs } };
  },

  "aws:lambda/permission:Permission": ({ inputs }, ctx) => {
    const { options } = ctx;
    const action = str(inputs.action);
    if (!/^(lambda:[A-Za-z*]+|\*)$/.test(action)) throw new AwsApiError("ValidationException", `invalid action ${action}`);
    if (inputs.functionUrlAuthType !== undefined && action !== "lambda:InvokeFunctionUrl") {
      throw new AwsApiError("InvalidParameterValueException", "FunctionUrlAuthType applies only to lambda:InvokeFunctionUrl");
    }
    if (inputs.invokedViaFunctionUrl !== undefined && action !== "lambda:InvokeFunction") {
      throw new AwsApiError("InvalidParameterValueException", "InvokedViaFunctionUrl applies only to lambda:InvokeFunction");
    }
    if (inputs.functionUrlAuthType !== undefined && !["AWS_IAM", "NONE"].includes(str(inputs.functionUrlAuthType))) {
      throw new AwsApiError("ValidationException", "FunctionUrlAuthType must be AWS_IAM or NONE");
    }
    const statementId = inputs.statementId !== undefined ? str(inputs.statementId) : prefixedUniqueId("terraform-", ctx);
    if (!/^[A-Za-z0-9_.-]{1,100}$/.test(statementId)) throw new AwsApiError("ValidationException", "statement ID must be 1-100 characters of [A-Za-z0-9-_.]");
    const fn = str(inputs.function);
    const region = inputs.region !== undefined ? str(inputs.region) : options.awsRegion;
    const key = `${region}/${fn}:${inputs.qualifier !== undefined ? str(inputs.qualifier) : ""}/${statementId}`;
    const acct = account(options);
    if (acct.statements.has(key)) throw new AwsApiError("ResourceConflictException", `The statement id (${statementId}) provided already exists.`);
    acct.statements.add(key);
    return { id: statementId, state: { ...inputs, statementId, region } };
  },
};

// --- mTLS origin: the trust store bucket, API Gateway custom domains, ELB trust stores ------
//
// What one run has created, so a consumer can be refused as AWS would refuse it: a truststore
// URI or an ELB bundle naming an object that is not there, a pinned version the bucket never
// had, or a bundle that holds no valid certificate. Buckets, domains and listeners made
// outside the program are unknown here and taken on trust.

interface FakeObject {
  readonly versionId: string;
  readonly content: string;
}
interface FakeBucket {
  readonly region: string;
  versioned: boolean;
  blockPublicPolicy: boolean;
  readonly objects: Map<string, FakeObject>;
}
interface FakeStorage {
  readonly buckets: Map<string, FakeBucket>;
  readonly domains: Set<string>;
  readonly trustStores: Set<string>;
  readonly listeners: Set<string>;
}
const storages = new WeakMap<object, FakeStorage>();
function storage(options: object): FakeStorage {
  let s = storages.get(options);
  if (!s) storages.set(options, (s = { buckets: new Map(), domains: new Set(), trustStores: new Set(), listeners: new Set() }));
  return s;
}

const regionOf = (inputs: Record<string, unknown>, ctx: Pick<FakeContext, "options">) => (inputs.region !== undefined ? str(inputs.region) : ctx.options.awsRegion);

/** S3's bucket naming rules (general purpose buckets). */
function checkBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes("..") &&
    !/^\d{1,3}(\.\d{1,3}){3}$/.test(name) &&
    !/^(xn--|sthree-|amzn-s3-demo-)/.test(name) &&
    !/(-s3alias|--ol-s3|\.mrap|--x-s3|--table-s3)$/.test(name);
  if (!ok) throw new AwsApiError("InvalidBucketName", `The specified bucket is not valid: ${name}`);
}

/** A bucket this run created, checked to be in the resource's region (else S3 redirects). */
function knownBucket(ctx: Pick<FakeContext, "options">, bucket: string, region: string): FakeBucket | undefined {
  const b = storage(ctx.options).buckets.get(bucket);
  if (b && b.region !== region) throw new AwsApiError("PermanentRedirect", `The bucket ${bucket} is in ${b.region}, not ${region}`);
  return b;
}

/** An S3 version ID: 32 URL-safe characters. */
const VERSION_CHARS = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";
function s3VersionId(): string {
  return Array.from({ length: 32 }, () => VERSION_CHARS[randomInt(VERSION_CHARS.length)]).join("");
}

/**
 * The certificates of a PEM bundle as a trust store takes them: at least one, each parseable,
 * with a key API Gateway and ELB accept (RSA 2048-4096, ECDSA P-256/P-384).
 */
function bundleCertificates(content: string, refuse: (why: string) => never): X509Certificate[] {
  const blocks = content.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  if (blocks.length === 0) refuse("the bundle holds no PEM certificate");
  return blocks.map((pem, i) => {
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(pem);
    } catch {
      refuse(`certificate #${i + 1} of the bundle is not a valid X.509 certificate`);
    }
    const key = cert.publicKey;
    const d = key.asymmetricKeyDetails ?? {};
    const supported = key.asymmetricKeyType === "rsa" ? (d.modulusLength ?? 0) >= 2048 && (d.modulusLength ?? 0) <= 4096 : key.asymmetricKeyType === "ec" && ["prime256v1", "secp384r1"].includes(String(d.namedCurve));
    if (!supported) refuse(`certificate #${i + 1} of the bundle has an unsupported key`);
    return cert;
  });
}

/** The object a trust store points at, when this run created its bucket: it must be there, at that version. */
function bundleObject(ctx: Pick<FakeContext, "options">, bucket: string, key: string, version: string | undefined, region: string | undefined, refuse: (code: string, why: string) => never): FakeObject | undefined {
  const b = region !== undefined ? knownBucket(ctx, bucket, region) : storage(ctx.options).buckets.get(bucket);
  if (!b) return undefined;
  const object = b.objects.get(key);
  if (!object) refuse("NotFound", `no object ${key} in bucket ${bucket}`);
  if (version !== undefined && version !== "") {
    if (!b.versioned) refuse("BadRequest", `bucket ${bucket} is not versioned, so no version can be pinned`);
    if (object.versionId !== version) refuse("NotFound", `object ${key} in bucket ${bucket} has no version ${version}`);
  }
  return object;
}

const ACM_ARN = /^arn:aws(-[a-z]+)*:acm:([a-z0-9-]+):\d{12}:certificate\/[0-9a-f-]{36}$/;
const ELB = (kind: string) => new RegExp(`^arn:aws(-[a-z]+)*:elasticloadbalancing:([a-z0-9-]+):(\\d{12}):${kind}$`);
const LB_ARN = ELB("loadbalancer/app/([A-Za-z0-9-]{1,32})/([0-9a-f]{16})");
const TG_ARN = ELB("targetgroup/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}");
const TRUST_STORE_ARN = ELB("truststore/[A-Za-z0-9-]{1,32}/[0-9a-f]{16}");
const DOMAIN = /^(?=.{1,253}$)(\*\.)?([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

/** An ACM certificate for a regional endpoint must be in the endpoint's region. */
function checkRegionalCertificate(arn: string, region: string, code: string): void {
  const m = ACM_ARN.exec(arn);
  if (!m) throw new AwsApiError(code, `Invalid certificate ARN: ${arn}`);
  if (m[2] !== region) throw new AwsApiError(code, `Certificate ${arn} is in ${m[2]}; a regional endpoint in ${region} needs one from its own region`);
}

/** API Gateway's check of `mutualTlsAuthentication` (REST and HTTP APIs alike). */
function checkMutualTls(ctx: Pick<FakeContext, "options">, value: unknown): void {
  if (value === undefined || value === null) return;
  const m = reveal(value) as { truststoreUri?: string; truststoreVersion?: string };
  const refuse = (why: string): never => {
    throw new AwsApiError("BadRequestException", `Invalid truststore: ${why}`);
  };
  const uri = /^s3:\/\/([^/]+)\/(.+)$/.exec(String(m.truststoreUri ?? ""));
  if (!uri) refuse(`truststoreUri must be s3://bucket/key, got ${m.truststoreUri}`);
  const object = bundleObject(ctx, uri![1]!, uri![2]!, m.truststoreVersion, undefined, (_code, why) => refuse(why));
  if (object) bundleCertificates(object.content, refuse);
}

/** API Gateway's regional hosted zones (AWS General Reference, "Amazon API Gateway endpoints and quotas"). */
const API_GATEWAY_ZONES: Readonly<Record<string, string>> = {
  "us-east-1": "Z1UJRXOUMOOFQ8",
  "us-east-2": "ZOJJZC49E0EPZ",
  "us-west-1": "Z2MUQ32089INYE",
  "us-west-2": "Z2OJLYMUO9EFXC",
  "ca-central-1": "Z19DQILCV0OWEC",
  "eu-west-1": "ZLY8HYME6SFDD",
  "eu-west-2": "ZJ5UAJN8Y3Z2Q",
  "eu-west-3": "Z3KY65QIEKYHQQ",
  "eu-central-1": "Z1U9ULNL0V5AJ3",
  "ap-south-1": "Z3VO1THU9YC4UR",
  "ap-northeast-1": "Z1YSHQZHG15GKL",
  "ap-northeast-2": "Z20JF4UZKIW1U8",
  "ap-northeast-3": "Z2YQB5RD63NC85",
  "ap-southeast-1": "ZL327KTPIQFUL",
  "ap-southeast-2": "Z2RPCDW04V8134",
  "sa-east-1": "ZCMLWB8V5SYIT",
};

/** The regional endpoint behind a custom domain, kept while the domain is not replaced. */
function regionalEndpoint(domain: string, region: string, ctx: FakeContext): { targetDomainName: string; hostedZoneId: string } {
  const prior = ctx.prior && ctx.prior.id === domain ? ctx.prior.state : undefined;
  const kept = prior?.regionalDomainName ?? (prior?.domainNameConfiguration as { targetDomainName?: string } | undefined)?.targetDomainName;
  const targetDomainName = typeof kept === "string" ? kept : `d-${ctx.invent(() => Array.from({ length: 10 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[randomInt(36)]).join(""), "<regional domain ID>")}.execute-api.${region}.amazonaws.com`;
  const hostedZoneId = API_GATEWAY_ZONES[region] ?? ctx.invent(() => `Z${Array.from({ length: 13 }, () => UPPER_ALNUM[randomInt(UPPER_ALNUM.length)]).join("")}`, `<API Gateway hosted zone in ${region}>`);
  return { targetDomainName, hostedZoneId };
}

function claimDomain(ctx: Pick<FakeContext, "options">, domain: string): void {
  if (!DOMAIN.test(domain)) throw new AwsApiError("BadRequestException", `Invalid domain name: ${domain}`);
  const s = storage(ctx.options);
  if (s.domains.has(domain)) throw new AwsApiError("ConflictException", `The domain name you provided already exists: ${domain}`);
  s.domains.add(domain);
}

const hex16 = (ctx: FakeContext, what: string) => ctx.invent(() => randomBytes(8).toString("hex"), `<${what} ID>`);

Object.assign(AWS_FAKES, {
  "aws:s3/bucket:Bucket": ({ inputs, name: logical }, ctx) => {
    const region = regionOf(inputs, ctx);
    const prefix = inputs.bucketPrefix !== undefined ? str(inputs.bucketPrefix) : undefined;
    if (inputs.bucket !== undefined && prefix !== undefined) throw new AwsApiError("ValidationError", "bucket and bucketPrefix conflict");
    if (prefix !== undefined && prefix.length > 37) throw new AwsApiError("InvalidBucketName", "bucketPrefix is at most 37 characters");
    // A name the provider generated is kept as long as what it was generated from is. It is
    // invented whole, under the placeholder the generic fake used for buckets (`<name of x>`),
    // so an audit reads the same whichever fake made it.
    const same = ctx.prior && ctx.prior.inputs.bucket === undefined && str(ctx.prior.inputs.bucketPrefix ?? "") === (prefix ?? "") && typeof ctx.prior.id === "string";
    const generated = inputs.bucket === undefined;
    const bucket = !generated
      ? str(inputs.bucket)
      : same
        ? ctx.prior!.id!
        : ctx.invent(
            // Terraform's `id.PrefixedUniqueId` for a prefix; Pulumi's auto-name (seven hex digits) without one.
            () => (prefix !== undefined ? `${prefix}${ctx.options.now().toISOString().replace(/\D/g, "").slice(0, 17)}${String(++counter).padStart(9, "0")}` : `${logical.toLowerCase()}-${randomBytes(4).toString("hex").slice(0, 7)}`),
            `<name of ${logical}>`,
          );
    checkBucketName(bucket);
    const s = storage(ctx.options);
    if (s.buckets.has(bucket)) throw new AwsApiError("BucketAlreadyOwnedByYou", `Your previous request to create the named bucket succeeded and you already own it: ${bucket}`);
    s.buckets.set(bucket, { region, versioned: false, blockPublicPolicy: false, objects: new Map() });
    return {
      id: bucket,
      state: {
        ...inputs,
        bucket,
        ...(prefix !== undefined ? { bucketPrefix: prefix } : {}),
        arn: generated ? ctx.mark(`arn:aws:s3:::${bucket}`, `<arn of ${logical}>`) : `arn:aws:s3:::${bucket}`,
        bucketDomainName: `${bucket}.s3.amazonaws.com`,
        bucketRegionalDomainName: `${bucket}.s3.${region}.amazonaws.com`,
        bucketRegion: region,
        region,
        forceDestroy: inputs.forceDestroy ?? false,
        objectLockEnabled: false,
        tagsAll: inputs.tags ?? {},
      },
    };
  },

  "aws:s3/bucketVersioning:BucketVersioning": ({ inputs }, ctx) => {
    const bucket = str(inputs.bucket);
    const region = regionOf(inputs, ctx);
    const status = str((reveal(inputs.versioningConfiguration) as { status?: string } | undefined)?.status);
    if (!["Enabled", "Suspended", "Disabled"].includes(status)) throw new AwsApiError("MalformedXML", `versioning status must be Enabled, Suspended or Disabled, not ${status}`);
    const b = knownBucket(ctx, bucket, region);
    // `Disabled` is only how a never-versioned bucket is created; versioning cannot be turned off again.
    if (status === "Disabled" && b?.versioned) throw new AwsApiError("IllegalVersioningConfigurationException", "versioning, once enabled, can only be suspended");
    if (b) b.versioned = status === "Enabled";
    return { id: bucket, state: { ...inputs, bucket, region } };
  },

  "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock": ({ inputs }, ctx) => {
    const bucket = str(inputs.bucket);
    const region = regionOf(inputs, ctx);
    const b = knownBucket(ctx, bucket, region);
    if (b) b.blockPublicPolicy = reveal(inputs.blockPublicPolicy) === true;
    const flag = (k: string) => reveal(inputs[k]) === true;
    return {
      id: bucket,
      state: { ...inputs, bucket, region, blockPublicAcls: flag("blockPublicAcls"), blockPublicPolicy: flag("blockPublicPolicy"), ignorePublicAcls: flag("ignorePublicAcls"), restrictPublicBuckets: flag("restrictPublicBuckets") },
    };
  },

  "aws:s3/bucketOwnershipControls:BucketOwnershipControls": ({ inputs }, ctx) => {
    const bucket = str(inputs.bucket);
    const region = regionOf(inputs, ctx);
    const ownership = str((reveal(inputs.rule) as { objectOwnership?: string } | undefined)?.objectOwnership);
    if (!["BucketOwnerPreferred", "ObjectWriter", "BucketOwnerEnforced"].includes(ownership)) throw new AwsApiError("MalformedXML", `invalid ObjectOwnership ${ownership}`);
    knownBucket(ctx, bucket, region);
    return { id: bucket, state: { ...inputs, bucket, region } };
  },

  "aws:s3/bucketPolicy:BucketPolicy": ({ inputs }, ctx) => {
    const bucket = str(inputs.bucket);
    const region = regionOf(inputs, ctx);
    const text = str(inputs.policy);
    if (Buffer.byteLength(text) > 20 * 1024) throw new AwsApiError("PolicyTooLarge", "a bucket policy is at most 20 KB");
    let doc: { Version?: string; Statement?: unknown };
    try {
      doc = JSON.parse(text);
    } catch {
      throw new AwsApiError("MalformedPolicy", "Policies must be valid JSON");
    }
    if (!["2012-10-17", "2008-10-17"].includes(String(doc.Version)) || !Array.isArray(doc.Statement) || doc.Statement.length === 0) {
      throw new AwsApiError("MalformedPolicy", "a policy needs a Version and at least one statement");
    }
    const b = knownBucket(ctx, bucket, region);
    const arn = `arn:aws:s3:::${bucket}`;
    const list = (v: unknown): string[] => (v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)]);
    for (const s of doc.Statement as Array<Record<string, unknown>>) {
      if (s.Effect !== "Allow" && s.Effect !== "Deny") throw new AwsApiError("MalformedPolicy", "Invalid effect");
      if (s.Principal === undefined && s.NotPrincipal === undefined) throw new AwsApiError("MalformedPolicy", "Missing required field Principal");
      const actions = list(s.Action ?? s.NotAction);
      if (actions.length === 0 || actions.some((a) => a !== "*" && !/^s3(-object-lambda)?:[A-Za-z*?]+$/.test(a))) throw new AwsApiError("MalformedPolicy", "Policy has invalid action");
      // A bucket's policy may only name that bucket and its objects.
      const resources = list(s.Resource ?? s.NotResource);
      if (resources.length === 0 || resources.some((r) => r !== arn && !r.startsWith(`${arn}/`))) throw new AwsApiError("MalformedPolicy", "Policy has invalid resource");
      const everyone = s.Principal === "*" || (s.Principal as { AWS?: unknown } | undefined)?.AWS === "*";
      if (b?.blockPublicPolicy && s.Effect === "Allow" && everyone && s.Condition === undefined) {
        throw new AwsApiError("AccessDenied", "public policies are blocked by the BlockPublicPolicy block public access setting");
      }
    }
    return { id: bucket, state: { ...inputs, bucket, region } };
  },

  "aws:s3/bucketObjectv2:BucketObjectv2": ({ inputs }, ctx) => {
    const bucket = str(inputs.bucket);
    const region = regionOf(inputs, ctx);
    const key = inputs.key !== undefined ? str(inputs.key) : "";
    if (key.length === 0 || Buffer.byteLength(key) > 1024) throw new AwsApiError("KeyTooLongError", "an object key is 1 to 1024 bytes");
    const content = inputs.content !== undefined ? str(inputs.content) : "";
    const b = knownBucket(ctx, bucket, region);
    const versioned = b?.versioned ?? false;
    // S3 makes a new version on every put; the provider puts only when the content changed.
    const prior = ctx.prior?.state;
    const unchanged = prior !== undefined && prior.bucket === bucket && prior.key === key && ctx.prior!.inputs.content !== undefined && str(ctx.prior!.inputs.content) === content;
    const versionId = !versioned ? "" : unchanged && typeof prior.versionId === "string" && prior.versionId !== "" ? prior.versionId : ctx.invent(s3VersionId, "<object version>");
    b?.objects.set(key, { versionId, content });
    return {
      id: `${bucket}/${key}`,
      state: {
        ...inputs,
        bucket,
        key,
        region,
        arn: `arn:aws:s3:::${bucket}/${key}`,
        // Single-part, SSE-S3 (S3's default encryption): the ETag is the content's MD5.
        etag: createHash("md5").update(content).digest("hex"),
        versionId,
        contentType: inputs.contentType ?? "application/octet-stream",
        serverSideEncryption: "AES256",
        storageClass: "STANDARD",
        bucketKeyEnabled: false,
        tagsAll: inputs.tags ?? {},
      },
    };
  },

  "aws:apigatewayv2/domainName:DomainName": ({ inputs }, ctx) => {
    const region = regionOf(inputs, ctx);
    const domain = str(inputs.domainName);
    const c = reveal(inputs.domainNameConfiguration) as Record<string, unknown> | undefined;
    if (!c) throw new AwsApiError("BadRequestException", "domainNameConfiguration is required");
    if (c.endpointType !== "REGIONAL") throw new AwsApiError("BadRequestException", `an HTTP API custom domain is REGIONAL, not ${String(c.endpointType)}`);
    if (c.securityPolicy !== "TLS_1_2") throw new AwsApiError("BadRequestException", `invalid security policy ${String(c.securityPolicy)}`);
    checkRegionalCertificate(String(c.certificateArn), region, "BadRequestException");
    checkMutualTls(ctx, inputs.mutualTlsAuthentication);
    claimDomain(ctx, domain);
    const endpoint = regionalEndpoint(domain, region, ctx);
    return {
      id: domain,
      state: {
        ...inputs,
        domainName: domain,
        region,
        arn: `arn:aws:apigateway:${region}::/domainnames/${domain}`,
        apiMappingSelectionExpression: "$request.basepath",
        domainNameConfiguration: { ...c, ...endpoint, ipAddressType: c.ipAddressType ?? "ipv4" },
        routingMode: inputs.routingMode ?? "API_MAPPING_ONLY",
        tagsAll: inputs.tags ?? {},
      },
    };
  },

  "aws:apigatewayv2/apiMapping:ApiMapping": ({ inputs }, ctx) => {
    const apiId = str(inputs.apiId);
    if (!/^[a-z0-9]{10}$/.test(apiId)) throw new AwsApiError("NotFoundException", `Invalid API identifier specified ${apiId}`);
    if (inputs.stage === undefined || str(inputs.stage) === "") throw new AwsApiError("BadRequestException", "stage is required");
    const domain = str(inputs.domainName);
    const same = ctx.prior && ctx.prior.state.domainName === domain && typeof ctx.prior.id === "string";
    const id = same ? ctx.prior!.id! : ctx.invent(() => Array.from({ length: 6 }, () => "abcdefghijklmnopqrstuvwxyz0123456789"[randomInt(36)]).join(""), "<API mapping ID>");
    return { id, state: { ...inputs, apiId, domainName: domain, region: regionOf(inputs, ctx) } };
  },

  "aws:apigateway/domainName:DomainName": ({ inputs }, ctx) => {
    const region = regionOf(inputs, ctx);
    const domain = str(inputs.domainName);
    const endpoint = reveal(inputs.endpointConfiguration) as { types?: unknown } | undefined;
    // In @pulumi/aws v7 `types` is one string; a list is what v6 took, and the provider refuses it.
    if (endpoint !== undefined && typeof endpoint.types !== "string") throw new AwsApiError("ValidationError", "endpointConfiguration.types must be a string (EDGE, REGIONAL or PRIVATE)");
    const type = endpoint?.types ?? "EDGE";
    const securityPolicy = inputs.securityPolicy !== undefined ? str(inputs.securityPolicy) : "TLS_1_2";
    if (type === "REGIONAL") {
      if (inputs.regionalCertificateArn === undefined) throw new AwsApiError("BadRequestException", "A regional certificate is required for a REGIONAL domain name");
      if (inputs.certificateArn !== undefined) throw new AwsApiError("BadRequestException", "certificateArn is for EDGE domain names");
      checkRegionalCertificate(str(inputs.regionalCertificateArn), region, "BadRequestException");
    } else if (type === "EDGE") {
      if (inputs.certificateArn === undefined) throw new AwsApiError("BadRequestException", "A certificate is required for an EDGE domain name");
      checkRegionalCertificate(str(inputs.certificateArn), "us-east-1", "BadRequestException");
    } else if (type !== "PRIVATE") {
      throw new AwsApiError("BadRequestException", `invalid endpoint type ${String(type)}`);
    }
    if (inputs.mutualTlsAuthentication !== undefined) {
      if (type !== "REGIONAL") throw new AwsApiError("BadRequestException", "Mutual TLS is only supported on REGIONAL custom domain names");
      if (securityPolicy !== "TLS_1_2") throw new AwsApiError("BadRequestException", "Mutual TLS requires the TLS_1_2 security policy");
    }
    checkMutualTls(ctx, inputs.mutualTlsAuthentication);
    claimDomain(ctx, domain);
    const regional = type === "REGIONAL" ? regionalEndpoint(domain, region, ctx) : undefined;
    const kept = ctx.prior && ctx.prior.id === domain ? ctx.prior.state.certificateUploadDate : undefined;
    return {
      id: domain,
      state: {
        ...inputs,
        domainName: domain,
        region,
        arn: `arn:aws:apigateway:${region}::/domainnames/${domain}`,
        securityPolicy,
        endpointConfiguration: { types: type, ipAddressType: "ipv4" },
        certificateUploadDate: typeof kept === "string" ? kept : ctx.mark(ctx.options.now().toISOString(), "<deploy time>"),
        ...(regional ? { regionalDomainName: regional.targetDomainName, regionalZoneId: regional.hostedZoneId } : {}),
        routingMode: inputs.routingMode ?? "BASE_PATH_MAPPING_ONLY",
        tagsAll: inputs.tags ?? {},
      },
    };
  },

  "aws:apigateway/basePathMapping:BasePathMapping": ({ inputs }, ctx) => {
    const restApi = str(inputs.restApi);
    if (!/^[a-z0-9]{10}$/.test(restApi)) throw new AwsApiError("NotFoundException", `Invalid REST API identifier specified ${restApi}`);
    const domain = str(inputs.domainName);
    const basePath = inputs.basePath !== undefined ? str(inputs.basePath) : "";
    return { id: `${domain}/${basePath}`, state: { ...inputs, restApi, domainName: domain, region: regionOf(inputs, ctx) } };
  },

  "aws:lb/trustStore:TrustStore": ({ inputs, name: logical }, ctx) => {
    const region = regionOf(inputs, ctx);
    const refuse = (code: string, why: string): never => {
      throw new AwsApiError(code, why);
    };
    if (inputs.name !== undefined && inputs.namePrefix !== undefined) refuse("ValidationError", "name and namePrefix conflict");
    const prefix = inputs.namePrefix !== undefined ? str(inputs.namePrefix) : undefined;
    if (prefix !== undefined && prefix.length > 6) refuse("ValidationError", "namePrefix is at most 6 characters");
    const same = ctx.prior && ctx.prior.inputs.name === undefined && str(ctx.prior.inputs.namePrefix ?? "") === (prefix ?? "") && typeof ctx.prior.state.name === "string";
    const name =
      inputs.name !== undefined
        ? str(inputs.name)
        : same
          ? String(ctx.prior!.state.name)
          : prefix !== undefined
            ? prefixedUniqueId(prefix, ctx)
            : `${logical}-${ctx.invent(() => randomBytes(4).toString("hex").slice(0, 7), "<random>")}`;
    if (!/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$/.test(name)) refuse("ValidationError", `trust store name ${name}: at most 32 letters, digits and hyphens, not at either end`);
    const s = storage(ctx.options);
    if (s.trustStores.has(`${region}/${name}`)) refuse("DuplicateTrustStoreName", `A trust store with the name '${name}' already exists`);
    s.trustStores.add(`${region}/${name}`);
    const bucket = str(inputs.caCertificatesBundleS3Bucket);
    const key = str(inputs.caCertificatesBundleS3Key);
    // Without a version ELB reads the latest one, versioned bucket or not.
    const version = inputs.caCertificatesBundleS3ObjectVersion !== undefined ? str(inputs.caCertificatesBundleS3ObjectVersion) : undefined;
    const object = bundleObject(ctx, bucket, key, version, undefined, (_code, why) => refuse("CaCertificatesBundleNotFound", why));
    if (object) bundleCertificates(object.content, (why) => refuse("InvalidCaCertificatesBundle", why));
    const keep = same && typeof ctx.prior!.state.arn === "string";
    const arnSuffix = keep ? String(ctx.prior!.state.arnSuffix) : `truststore/${name}/${hex16(ctx, "trust store")}`;
    const arn = keep ? String(ctx.prior!.state.arn) : `arn:aws:elasticloadbalancing:${region}:${ctx.options.awsAccountId}:${arnSuffix}`;
    return { id: arn, state: { ...inputs, name, ...(prefix !== undefined ? { namePrefix: prefix } : {}), arn, arnSuffix, region, tagsAll: inputs.tags ?? {} } };
  },

  "aws:lb/listener:Listener": ({ inputs }, ctx) => {
    const region = regionOf(inputs, ctx);
    const lbArn = str(inputs.loadBalancerArn);
    const lb = LB_ARN.exec(lbArn);
    if (!lb) throw new AwsApiError("ValidationError", `'${lbArn}' is not a valid Application Load Balancer ARN`);
    if (lb[2] !== region) throw new AwsApiError("LoadBalancerNotFound", `load balancer ${lbArn} is not in ${region}`);
    const protocol = inputs.protocol !== undefined ? str(inputs.protocol) : "HTTP";
    if (!["HTTP", "HTTPS"].includes(protocol)) throw new AwsApiError("ValidationError", `an Application Load Balancer listener is HTTP or HTTPS, not ${protocol}`);
    const port = inputs.port !== undefined ? Number(reveal(inputs.port)) : protocol === "HTTPS" ? 443 : 80;
    if (!Number.isInteger(port) || port < 1 || port > 65535) throw new AwsApiError("ValidationError", `invalid port ${port}`);
    const sslPolicy = inputs.sslPolicy !== undefined ? str(inputs.sslPolicy) : protocol === "HTTPS" ? "ELBSecurityPolicy-2016-08" : undefined;
    if (protocol === "HTTPS") {
      if (inputs.certificateArn === undefined) throw new AwsApiError("ValidationError", "A certificate must be specified for HTTPS listeners");
      checkRegionalCertificate(str(inputs.certificateArn), region, "CertificateNotFound");
      if (!/^ELBSecurityPolicy-[A-Za-z0-9-]+$/.test(sslPolicy!)) throw new AwsApiError("SSLPolicyNotFound", `SSL policy '${sslPolicy}' not found`);
    } else if (inputs.certificateArn !== undefined || inputs.sslPolicy !== undefined) {
      throw new AwsApiError("ValidationError", "certificates and SSL policies are for HTTPS listeners");
    }
    const auth = inputs.mutualAuthentication !== undefined ? (reveal(inputs.mutualAuthentication) as Record<string, unknown>) : undefined;
    if (auth) {
      const mode = String(auth.mode);
      if (!["off", "passthrough", "verify"].includes(mode)) throw new AwsApiError("ValidationError", `mutual authentication mode must be off, passthrough or verify, not ${mode}`);
      if (mode !== "off" && protocol !== "HTTPS") throw new AwsApiError("ValidationError", "Mutual authentication is supported only on HTTPS listeners");
      if (mode === "verify") {
        if (auth.trustStoreArn === undefined || auth.trustStoreArn === "") throw new AwsApiError("ValidationError", "A trust store must be specified when mutual authentication mode is 'verify'");
        const ts = TRUST_STORE_ARN.exec(String(auth.trustStoreArn));
        if (!ts) throw new AwsApiError("ValidationError", `'${String(auth.trustStoreArn)}' is not a valid trust store ARN`);
        if (ts[2] !== region) throw new AwsApiError("TrustStoreNotFound", `trust store ${String(auth.trustStoreArn)} is not in ${region}`);
      }
    }
    const actions = (reveal(inputs.defaultActions) ?? []) as Array<Record<string, unknown>>;
    if (actions.length === 0) throw new AwsApiError("ValidationError", "a listener needs a default action");
    for (const a of actions) {
      if (a.type === "forward" && a.forward === undefined) {
        const tg = TG_ARN.exec(String(a.targetGroupArn ?? ""));
        if (!tg) throw new AwsApiError("ValidationError", `'${String(a.targetGroupArn)}' is not a valid target group ARN`);
        if (tg[2] !== region) throw new AwsApiError("TargetGroupNotFound", `target group ${String(a.targetGroupArn)} is not in ${region}`);
      }
    }
    const s = storage(ctx.options);
    const slot = `${lbArn}:${port}`;
    if (s.listeners.has(slot)) throw new AwsApiError("DuplicateListener", `A listener already exists on this port for this load balancer '${lbArn}'`);
    s.listeners.add(slot);
    const keep = ctx.prior && ctx.prior.state.loadBalancerArn === lbArn && typeof ctx.prior.state.arn === "string";
    const arn = keep ? String(ctx.prior!.state.arn) : `arn:aws:elasticloadbalancing:${region}:${lb[3]}:listener/app/${lb[4]}/${lb[5]}/${hex16(ctx, "listener")}`;
    return {
      id: arn,
      state: {
        ...inputs,
        arn,
        region,
        port,
        protocol,
        ...(sslPolicy !== undefined ? { sslPolicy } : {}),
        ...(auth ? { mutualAuthentication: { ignoreClientCertificateExpiry: false, advertiseTrustStoreCaNames: "off", ...auth } } : {}),
        tagsAll: inputs.tags ?? {},
      },
    };
  },
} satisfies Record<string, Fake>);
