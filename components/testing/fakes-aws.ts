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
    // Pulumi auto-names a role without `name`: logical name plus a random suffix, kept in the
    // state, so later updates keep it.
    const autoName = typeof prior?.state.name === "string" && prior.inputs.name === undefined ? prior.state.name : undefined;
    const name = inputs.name !== undefined ? str(inputs.name) : (autoName ?? `${logical}-${invent(() => randomBytes(4).toString("hex").slice(0, 7), "<random>")}`);
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

// --- tunnel connector: ECS on Fargate, its security group and log group --------------------
//
// What one run registered, so a consumer can be refused as AWS would refuse it: a service
// whose task definition cannot run on Fargate or in its region, a cluster in another region, a
// security group or log group name taken. Clusters and task definitions made outside the
// program are unknown here and taken on trust.

interface FakeTaskDefinition {
  readonly region: string;
  readonly networkMode: string;
  readonly compatibilities: readonly string[];
}
interface FakeEcs {
  readonly clusters: Set<string>;
  readonly taskDefinitions: Map<string, FakeTaskDefinition>;
  /** Latest revision per `region/family`. */
  readonly revisions: Map<string, number>;
  readonly services: Set<string>;
  readonly securityGroups: Set<string>;
  readonly logGroups: Set<string>;
}
const ecsRuns = new WeakMap<object, FakeEcs>();
function ecs(options: object): FakeEcs {
  let e = ecsRuns.get(options);
  if (!e) ecsRuns.set(options, (e = { clusters: new Set(), taskDefinitions: new Map(), revisions: new Map(), services: new Set(), securityGroups: new Set(), logGroups: new Set() }));
  return e;
}

/** Same inputs, secrets revealed and keys in any order. */
function sameInputs(a: unknown, b: unknown): boolean {
  const canon = (v: unknown): unknown =>
    Array.isArray(v) ? v.map(canon) : v && typeof v === "object" ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon((v as Record<string, unknown>)[k])])) : v;
  return JSON.stringify(canon(reveal(a))) === JSON.stringify(canon(reveal(b)));
}

const autoName = (ctx: FakeContext, logical: string) => `${logical}-${ctx.invent(() => randomBytes(4).toString("hex").slice(0, 7), "<random>")}`;
const CLUSTER_ARN = /^arn:aws(-[a-z]+)*:ecs:([a-z0-9-]+):(\d{12}):cluster\/([A-Za-z0-9_-]{1,255})$/;
const TASK_DEFINITION_ARN = /^arn:aws(-[a-z]+)*:ecs:([a-z0-9-]+):(\d{12}):task-definition\/([A-Za-z0-9_-]{1,255}):(\d+)$/;
const IPV4_CIDR = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})\/(\d{1,2})$/;

/** Fargate's task sizes: CPU units → the memory (MiB) each allows (AWS Fargate task sizes, Linux). */
function fargateMemories(cpu: number): number[] {
  const range = (from: number, to: number, step: number) => Array.from({ length: (to - from) / step + 1 }, (_, i) => from + i * step);
  switch (cpu) {
    case 256:
      return [512, 1024, 2048];
    case 512:
      return range(1024, 4096, 1024);
    case 1024:
      return range(2048, 8192, 1024);
    case 2048:
      return range(4096, 16384, 1024);
    case 4096:
      return range(8192, 30720, 1024);
    case 8192:
      return range(16384, 61440, 4096);
    case 16384:
      return range(32768, 122880, 8192);
    default:
      return [];
  }
}

/** EC2's check of one inline security group rule (and the provider's, for protocol `-1`). */
function checkSecurityGroupRule(rule: Record<string, unknown>, direction: string): string {
  const refuse = (why: string): never => {
    throw new AwsApiError("InvalidParameterValue", `${direction} rule: ${why}`);
  };
  const protocol = String(rule.protocol).toLowerCase();
  const from = Number(rule.fromPort);
  const to = Number(rule.toPort);
  if (protocol === "-1" || protocol === "all") {
    if (from !== 0 || to !== 0) refuse("from_port and to_port must both be 0 to use the 'ALL' \"-1\" protocol");
  } else if (protocol === "tcp" || protocol === "udp" || protocol === "6" || protocol === "17") {
    if (!Number.isInteger(from) || !Number.isInteger(to) || from < 0 || to > 65535 || from > to) refuse(`invalid port range ${from}-${to}`);
  } else if (!["icmp", "icmpv6", "1", "58"].includes(protocol) && !/^\d{1,3}$/.test(protocol)) {
    refuse(`invalid protocol ${protocol}`);
  }
  const cidrs = (rule.cidrBlocks ?? []) as string[];
  for (const c of cidrs) {
    const m = IPV4_CIDR.exec(c);
    if (!m || m.slice(1, 5).some((o) => Number(o) > 255) || Number(m[5]) > 32) refuse(`CIDR block ${c} is malformed`);
  }
  const targets = cidrs.length + ((rule.ipv6CidrBlocks ?? []) as string[]).length + ((rule.prefixListIds ?? []) as string[]).length + ((rule.securityGroups ?? []) as string[]).length + (rule.self === true ? 1 : 0);
  if (targets === 0) refuse("a rule needs a CIDR block, a prefix list, a security group or self");
  return `${protocol}/${from}/${to}`;
}

Object.assign(AWS_FAKES, {
  "aws:ecs/cluster:Cluster": ({ inputs, name: logical }, ctx) => {
    const region = regionOf(inputs, ctx);
    const keep = ctx.prior && ctx.prior.inputs.name === undefined && inputs.name === undefined && typeof ctx.prior.state.name === "string";
    const name = inputs.name !== undefined ? str(inputs.name) : keep ? String(ctx.prior!.state.name) : autoName(ctx, logical);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) throw new AwsApiError("InvalidParameterException", `Cluster name ${name}: up to 255 letters, numbers, hyphens and underscores`);
    const arn = `arn:aws:ecs:${region}:${ctx.options.awsAccountId}:cluster/${name}`;
    ecs(ctx.options).clusters.add(arn);
    return { id: arn, state: { ...inputs, name, arn, region, settings: inputs.settings ?? [{ name: "containerInsights", value: "disabled" }], tagsAll: inputs.tags ?? {} } };
  },

  "aws:ecs/taskDefinition:TaskDefinition": ({ inputs }, ctx) => {
    const region = regionOf(inputs, ctx);
    const refuse = (why: string): never => {
      throw new AwsApiError("ClientException", why);
    };
    const family = str(inputs.family);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(family)) refuse(`Family ${family}: up to 255 letters, numbers, hyphens and underscores`);
    const compatibilities = ((reveal(inputs.requiresCompatibilities) ?? []) as string[]).map(String);
    const networkMode = inputs.networkMode !== undefined ? str(inputs.networkMode) : "bridge";
    let containers: Array<Record<string, unknown>>;
    try {
      containers = JSON.parse(str(inputs.containerDefinitions));
    } catch {
      return refuse("containerDefinitions is not valid JSON");
    }
    if (!Array.isArray(containers) || containers.length === 0) refuse("a task definition needs at least one container");
    const names = new Set<string>();
    for (const c of containers) {
      const n = String(c.name ?? "");
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(n)) refuse(`Container name ${n}: up to 255 letters, numbers, hyphens and underscores`);
      if (names.has(n)) refuse(`Container names must be unique: ${n}`);
      names.add(n);
      if (typeof c.image !== "string" || c.image === "") refuse(`Container ${n} needs an image`);
      for (const s of (c.secrets ?? []) as Array<Record<string, unknown>>) {
        if (typeof s.name !== "string" || typeof s.valueFrom !== "string" || s.valueFrom === "") refuse(`Container ${n}: every secret needs a name and valueFrom`);
      }
    }
    const usesSecrets = containers.some((c) => ((c.secrets ?? []) as unknown[]).length > 0);
    const usesAwslogs = containers.some((c) => (c.logConfiguration as { logDriver?: string } | undefined)?.logDriver === "awslogs");
    if (compatibilities.includes("FARGATE")) {
      if (networkMode !== "awsvpc") refuse("Fargate only supports network mode 'awsvpc'.");
      if (inputs.cpu === undefined) refuse("Fargate requires that 'cpu' be defined at the task level.");
      if (inputs.memory === undefined) refuse("Fargate requires that 'memory' be defined at the task level.");
      const cpu = Number(str(inputs.cpu));
      const memory = Number(str(inputs.memory));
      if (!fargateMemories(cpu).includes(memory)) refuse(`No Fargate configuration exists for given values: ${cpu} CPU, ${memory} memory.`);
      if (inputs.executionRoleArn === undefined && usesAwslogs) refuse("Fargate requires task definition to have execution role ARN to support log driver awslogs.");
      const platform = reveal(inputs.runtimePlatform) as { operatingSystemFamily?: string; cpuArchitecture?: string } | undefined;
      if (platform?.cpuArchitecture !== undefined && !["X86_64", "ARM64"].includes(platform.cpuArchitecture)) refuse(`invalid cpuArchitecture ${platform.cpuArchitecture}`);
      for (const c of containers) {
        const added = ((c.linuxParameters as { capabilities?: { add?: string[] } } | undefined)?.capabilities?.add ?? []).filter((x) => x !== "SYS_PTRACE");
        if (added.length > 0) refuse("Fargate supports adding only the SYS_PTRACE kernel capability.");
      }
    }
    if (inputs.executionRoleArn === undefined && usesSecrets) refuse("secrets in a task definition need an execution role ARN to retrieve them.");
    // Every argument replaces the task definition: the same inputs keep the revision, other
    // inputs register the family's next one.
    const e = ecs(ctx.options);
    const slot = `${region}/${family}`;
    const priorRevision = ctx.prior && ctx.prior.state.family === family && ctx.prior.state.region === region ? Number(ctx.prior.state.revision) : 0;
    const same = priorRevision > 0 && sameInputs(ctx.prior!.inputs, inputs);
    const revision = same ? priorRevision : Math.max(priorRevision, e.revisions.get(slot) ?? 0) + 1;
    e.revisions.set(slot, Math.max(revision, e.revisions.get(slot) ?? 0));
    const arnWithoutRevision = `arn:aws:ecs:${region}:${ctx.options.awsAccountId}:task-definition/${family}`;
    const arn = `${arnWithoutRevision}:${revision}`;
    e.taskDefinitions.set(arn, { region, networkMode, compatibilities });
    return { id: family, state: { ...inputs, family, region, networkMode, arn, arnWithoutRevision, revision, tagsAll: inputs.tags ?? {} } };
  },

  "aws:ecs/service:Service": ({ inputs, name: logical }, ctx) => {
    const region = regionOf(inputs, ctx);
    const refuse = (code: string, why: string): never => {
      throw new AwsApiError(code, why);
    };
    const name = inputs.name !== undefined ? str(inputs.name) : ctx.prior && typeof ctx.prior.state.name === "string" ? String(ctx.prior.state.name) : autoName(ctx, logical);
    if (!/^[A-Za-z0-9_-]{1,255}$/.test(name)) refuse("InvalidParameterException", `Service name ${name}: up to 255 letters, numbers, hyphens and underscores`);
    const clusterArn = inputs.cluster !== undefined ? str(inputs.cluster) : `arn:aws:ecs:${region}:${ctx.options.awsAccountId}:cluster/default`;
    const cluster = CLUSTER_ARN.exec(clusterArn);
    if (!cluster) refuse("InvalidParameterException", `Invalid cluster ARN: ${clusterArn}`);
    if (cluster![2] !== region) refuse("ClusterNotFoundException", `Cluster not found: ${clusterArn} is not in ${region}`);
    const tdArn = str(inputs.taskDefinition);
    const td = TASK_DEFINITION_ARN.exec(tdArn);
    if (!td) refuse("InvalidParameterException", `Invalid task definition: ${tdArn}`);
    if (td![2] !== region) refuse("ClientException", `TaskDefinition not found: ${tdArn} is not in ${region}`);
    const known = ecs(ctx.options).taskDefinitions.get(tdArn);
    const launchType = inputs.launchType !== undefined ? str(inputs.launchType) : "EC2";
    if (known && launchType === "FARGATE" && !known.compatibilities.includes("FARGATE")) refuse("InvalidParameterException", "Task definition does not support launch_type FARGATE.");
    const network = reveal(inputs.networkConfiguration) as { subnets?: string[]; securityGroups?: string[]; assignPublicIp?: boolean } | undefined;
    if ((known?.networkMode === "awsvpc" || launchType === "FARGATE") && !network) refuse("InvalidParameterException", "Network Configuration must be provided when networkMode 'awsvpc' is specified.");
    if (network) {
      const subnets = network.subnets ?? [];
      if (subnets.length < 1 || subnets.length > 16) refuse("InvalidParameterException", "subnets can have at least 1 and at most 16 items.");
      for (const s of subnets) if (!/^subnet-[0-9a-f]{8,17}$/.test(String(s))) refuse("InvalidParameterException", `Error retrieving subnet information for [${s}]: The subnet ID '${s}' is malformed`);
      const groups = network.securityGroups ?? [];
      if (groups.length > 5) refuse("InvalidParameterException", "securityGroups can have at most 5 items.");
      for (const g of groups) if (!/^sg-[0-9a-f]{8,17}$/.test(String(g))) refuse("InvalidParameterException", `Error retrieving security group information for [${g}]: The security group '${g}' is malformed`);
      if (network.assignPublicIp === true && launchType !== "FARGATE" && known?.networkMode !== "awsvpc") refuse("InvalidParameterException", "Assign public IP is only supported with awsvpc network mode.");
    }
    const desiredCount = inputs.desiredCount !== undefined ? Number(reveal(inputs.desiredCount)) : 0;
    if (!Number.isInteger(desiredCount) || desiredCount < 0) refuse("InvalidParameterException", `invalid desiredCount ${desiredCount}`);
    const minHealthy = inputs.deploymentMinimumHealthyPercent !== undefined ? Number(reveal(inputs.deploymentMinimumHealthyPercent)) : 100;
    const maxPercent = inputs.deploymentMaximumPercent !== undefined ? Number(reveal(inputs.deploymentMaximumPercent)) : 200;
    if (minHealthy < 0 || minHealthy > 100) refuse("InvalidParameterException", "minimumHealthyPercent must be between 0 and 100");
    if (maxPercent < 100) refuse("InvalidParameterException", "maximumPercent must be at least 100");
    const arn = `arn:aws:ecs:${region}:${cluster![3]}:service/${cluster![4]}/${name}`;
    const services = ecs(ctx.options).services;
    if (services.has(arn)) refuse("InvalidParameterException", "Creation of service was not idempotent.");
    services.add(arn);
    return {
      id: arn,
      state: { ...inputs, name, cluster: clusterArn, region, launchType, desiredCount, deploymentMinimumHealthyPercent: minHealthy, deploymentMaximumPercent: maxPercent, tagsAll: inputs.tags ?? {} },
    };
  },

  "aws:ec2/securityGroup:SecurityGroup": ({ inputs, name: logical }, ctx) => {
    const region = regionOf(inputs, ctx);
    const refuse = (code: string, why: string): never => {
      throw new AwsApiError(code, why);
    };
    if (inputs.name !== undefined && inputs.namePrefix !== undefined) refuse("ValidationError", "name and namePrefix conflict");
    const name = inputs.name !== undefined ? str(inputs.name) : inputs.namePrefix !== undefined ? prefixedUniqueId(str(inputs.namePrefix), ctx) : autoName(ctx, logical);
    if (name.length > 255) refuse("InvalidParameterValue", "group name is at most 255 characters");
    if (/^sg-/i.test(name)) refuse("InvalidParameterValue", "Group names may not be in the format sg-*");
    const description = inputs.description !== undefined ? str(inputs.description) : "Managed by Pulumi";
    if (description.length > 255 || !/^[A-Za-z0-9. _\-:/()#,@[\]+=&;{}!$*]*$/.test(description)) refuse("InvalidParameterValue", "Invalid security group description");
    const vpcId = inputs.vpcId !== undefined ? str(inputs.vpcId) : ctx.invent(() => `vpc-${randomBytes(9).toString("hex").slice(0, 17)}`, `<default VPC of ${region}>`);
    if (!/^vpc-[0-9a-f]{8,17}$/.test(vpcId)) refuse("InvalidVpcID.Malformed", `Invalid id: "${vpcId}"`);
    const e = ecs(ctx.options);
    if (e.securityGroups.has(`${region}/${vpcId}/${name}`)) refuse("InvalidGroup.Duplicate", `The security group '${name}' already exists for VPC '${vpcId}'`);
    e.securityGroups.add(`${region}/${vpcId}/${name}`);
    const rules = (direction: "ingress" | "egress") => {
      const list = ((reveal(inputs[direction]) ?? []) as Array<Record<string, unknown>>).map((r) => ({ cidrBlocks: [], description: "", ipv6CidrBlocks: [], prefixListIds: [], securityGroups: [], self: false, ...r }));
      const seen = new Set<string>();
      for (const r of list) {
        const ports = checkSecurityGroupRule(r, direction);
        for (const c of r.cidrBlocks as string[]) {
          if (seen.has(`${ports}/${c}`)) refuse("InvalidPermission.Duplicate", `the specified rule "peer: ${c}, ${ports}" already exists`);
          seen.add(`${ports}/${c}`);
        }
      }
      return list;
    };
    // The provider removes the allow-all egress rule EC2 adds to a new group: what is listed is all there is.
    const egress = rules("egress");
    const ingress = rules("ingress");
    const keep = ctx.prior && ctx.prior.state.name === name && ctx.prior.state.vpcId === vpcId && ctx.prior.state.description === description && typeof ctx.prior.id === "string";
    const id = keep ? ctx.prior!.id! : `sg-${ctx.invent(() => randomBytes(9).toString("hex").slice(0, 17), `<id of security group ${name}>`)}`;
    return {
      id,
      state: { ...inputs, name, description, vpcId, region, ingress, egress, arn: `arn:aws:ec2:${region}:${ctx.options.awsAccountId}:security-group/${id}`, ownerId: ctx.options.awsAccountId, revokeRulesOnDelete: inputs.revokeRulesOnDelete ?? false, tagsAll: inputs.tags ?? {} },
    };
  },

  "aws:cloudwatch/logGroup:LogGroup": ({ inputs, name: logical }, ctx) => {
    const region = regionOf(inputs, ctx);
    const name = inputs.name !== undefined ? str(inputs.name) : inputs.namePrefix !== undefined ? prefixedUniqueId(str(inputs.namePrefix), ctx) : autoName(ctx, logical);
    if (!/^[.\-_/#A-Za-z0-9]{1,512}$/.test(name)) throw new AwsApiError("InvalidParameterException", `log group name ${name}: 1-512 characters of [.-_/#A-Za-z0-9]`);
    const retention = inputs.retentionInDays !== undefined ? Number(reveal(inputs.retentionInDays)) : 0;
    const allowed = [0, 1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653];
    if (!allowed.includes(retention)) throw new AwsApiError("InvalidParameterException", `retentionInDays must be one of ${allowed.slice(1).join(", ")}`);
    const e = ecs(ctx.options);
    if (e.logGroups.has(`${region}/${name}`)) throw new AwsApiError("ResourceAlreadyExistsException", "The specified log group already exists");
    e.logGroups.add(`${region}/${name}`);
    return {
      id: name,
      state: { ...inputs, name, region, retentionInDays: retention, logGroupClass: inputs.logGroupClass ?? "STANDARD", arn: `arn:aws:logs:${region}:${ctx.options.awsAccountId}:log-group:${name}`, skipDestroy: false, tagsAll: inputs.tags ?? {} },
    };
  },
} satisfies Record<string, Fake>);
