/**
 * The `ZuploMtlsCertificate` dynamic provider: one client certificate in a Zuplo project's
 * mTLS certificate store, which the gateway presents to an origin (`UrlForwardHandler`
 * `mtlsCertificate`, or `fetch(url, { zuplo: { mtlsCertificate } })`). Written with the
 * Developer API client (client.ts). The resource class is in mtls-certificate.ts.
 *
 * Contract. The OpenAPI copy (reference/zuplo-developer-api.openapi.yml) publishes the schemas
 * (`Zuplo.MtlsCertificates.*`) and an `id` path parameter, but NO paths: the routes below come
 * from the CLI 7.6.4 handlers (reference/zuplo.md §4) and their statuses are assumed.
 * - create: `POST /v1/accounts/{a}/projects/{p}/mtls-certificates` with `MtlsCertificateCreateBody`
 *   `{name, certificate, key, environments: ["development"|"preview"|"production", ≥1]}` → 2xx
 *   `MtlsCertificate` `{id, name, certificateInfo{subject, issuer, validFrom, validTo,
 *   serialNumber}, environments{development, preview, production: boolean}, createdOn, updatedOn}`.
 * - read: `GET …/mtls-certificates/{id}` → `MtlsCertificate`; `GET …/mtls-certificates` →
 *   `MtlsCertificateListResponse` `{data, offset, limit}` (paged with `?offset=&limit=`: assumed).
 * - update: `PATCH …/mtls-certificates/{id}` with `MtlsCertificateUpdateBody` `{environments}`.
 * - delete: `DELETE …/mtls-certificates/{id}`.
 *
 * The certificate and key are immutable in Zuplo (the update body takes environments only),
 * so a new certificate or key replaces the resource. The key is never stored: the outputs
 * hold a SHA-256 fingerprint of it (itself a Pulumi secret) so that a new key is still seen.
 *
 * DELETE WHILE REFERENCED. Zuplo refuses to delete a certificate a deployment still references
 * (reference/zuplo.md §4: "disable it, redeploy, then delete"); the refusal's status is not
 * published, 409 is assumed. On a 409 the provider:
 * 1. disables it: `PATCH {environments: []}`, as `zuplo mtls-certificate disable` does. The
 *    published `MtlsCertificateUpdateBody` says `minItems: 1`, so a server that enforces the
 *    schema refuses this; then the error says how to disable it by hand;
 * 2. when `redeployOnDelete` is true, redeploys the project's deployments of the environments
 *    it was enabled in (`GET …/deployments`, `POST /v1/deployments/{name}/deploy`) and retries
 *    the DELETE while the redeploys roll out; otherwise it stops with an error that names the
 *    manual step (redeploy, then `pulumi destroy`/`up` again). Redeploying is opt-in because it
 *    restarts production deployments during a destroy.
 *
 * Errors never contain the private key (whole, JSON-escaped, or any of its base64 lines) or
 * the API key: the client scrubs problem details of every one of them.
 *
 * SERIALIZATION: Pulumi serializes `zuploMtlsCertificateProvider` and runs it in another
 * process; the rules in client.ts's file comment apply here: function declarations and
 * non-exported constants only, and the client only through the locals bound below.
 */
import type * as dynamic from "@pulumi/pulumi/dynamic";
import * as client from "./client";
import type { HttpAnswer, OpContext, ZuploProviderError } from "./client";

// Bound once, at load: methods capture these functions by value (see SERIALIZATION above).
const { configureApiKey, failure, gatewayError, isOk, isUnknown, locationFailures, normalizeApiUrl, resolveApiKey, send } = client;

export const ZUPLO_MTLS_CERTIFICATE_TYPE = "ZuploMtlsCertificate";

/** Zuplo's environment types, as the mtls-certificates schemas spell them. */
export type ZuploMtlsEnvironment = "development" | "preview" | "production";

export interface ZuploMtlsCertificateInputs {
  /** Developer API base URL, e.g. https://dev.zuplo.com */
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  /** Certificate name: a JavaScript identifier of letters, digits and underscores (≤ 120). */
  readonly name: string;
  /** Environment types the certificate is enabled in (at least one). */
  readonly environments: ZuploMtlsEnvironment[];
  /** PEM client certificate, optionally followed by its intermediate chain. Public. */
  readonly certificate: string;
  /** PEM private key of the certificate. Secret: never stored in the outputs. */
  readonly key: string;
  /** Whether deleting a certificate that deployments still reference may redeploy them. Default false. */
  readonly redeployOnDelete?: boolean;
}

export interface ZuploMtlsCertificateInfo {
  readonly subject: string;
  readonly issuer: string;
  readonly validFrom: string;
  readonly validTo: string;
  readonly serialNumber: string;
}

/** What the provider stores: the inputs without the key, plus what Zuplo reports. */
export interface ZuploMtlsCertificateOutputs extends Omit<ZuploMtlsCertificateInputs, "key"> {
  /** Zuplo's id (`cert_…`). */
  readonly certificateId: string;
  /** `sha256:<hex>` of the key (a Pulumi secret): detects a new key without storing it. */
  readonly keyFingerprint: string;
  readonly certificateInfo?: ZuploMtlsCertificateInfo;
  readonly createdOn?: string;
  readonly updatedOn?: string;
}

/** Waits while redeployed deployments release the certificate. Defaults suit the real API. */
export interface ZuploMtlsDeleteOptions {
  /** DELETEs tried after the redeploys, before giving up. */
  readonly attempts: number;
  /** Wait before each of them. */
  readonly intervalMs: number;
}

/** Mutable copy the provider reads; captured by value when the provider is serialized. */
const deleteOptions: { -readonly [K in keyof ZuploMtlsDeleteOptions]: ZuploMtlsDeleteOptions[K] } = { attempts: 12, intervalMs: 15_000 };

/** Test knob (like `setZuploClientOptions`): shorten the post-redeploy waits. Returns a restore function. */
export function setZuploMtlsDeleteOptions(overrides: Partial<ZuploMtlsDeleteOptions>): () => void {
  const previous = { ...deleteOptions };
  Object.assign(deleteOptions, overrides);
  return () => {
    Object.assign(deleteOptions, previous);
  };
}

// ---------------------------------------------------------------------------------------------
// Reached from the provider methods: function declarations and non-exported constants only.

const ENVIRONMENTS: readonly ZuploMtlsEnvironment[] = ["development", "preview", "production"];

/** Reserved words (ES2023 + strict mode) and literals: not identifiers even though they match the pattern. */
const RESERVED_WORDS: readonly string[] = [
  "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof", "interface",
  "let", "new", "null", "package", "private", "protected", "public", "return", "static", "super", "switch", "this", "throw",
  "true", "try", "typeof", "var", "void", "while", "with", "yield",
];

interface CertTarget {
  readonly apiUrl: string;
  readonly account: string;
  readonly project: string;
  readonly name: string;
  readonly environments: ZuploMtlsEnvironment[];
  readonly certificate: string;
  readonly redeployOnDelete: boolean;
}

function toCertTarget(props: Omit<ZuploMtlsCertificateInputs, "key">): CertTarget {
  return {
    apiUrl: props.apiUrl,
    account: props.account,
    project: props.project,
    name: props.name,
    environments: [...props.environments],
    certificate: props.certificate,
    redeployOnDelete: props.redeployOnDelete === true,
  };
}

function describeCert(t: { name: string; account: string; project: string }): string {
  return `mTLS certificate ${t.name} in Zuplo account ${t.account}, project ${t.project}`;
}

function certsUrl(t: CertTarget): string {
  const seg = encodeURIComponent;
  return `${normalizeApiUrl(t.apiUrl)}/v1/accounts/${seg(t.account)}/projects/${seg(t.project)}/mtls-certificates`;
}

function certUrl(t: CertTarget, id: string): string {
  return `${certsUrl(t)}/${encodeURIComponent(id)}`;
}

function deploymentsListUrl(t: CertTarget): string {
  const seg = encodeURIComponent;
  return `${normalizeApiUrl(t.apiUrl)}/v1/accounts/${seg(t.account)}/projects/${seg(t.project)}/deployments`;
}

/**
 * Every form of the key an error might echo: the whole key and each base64 line, since a
 * server complaining about a bad key may quote a fragment rather than the whole PEM.
 */
function keySecrets(key: string | undefined): string[] {
  if (typeof key !== "string" || key === "") return [];
  const lines = key
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l.length >= 16 && !l.startsWith("-----"));
  return [key, key.replace(/\r\n/g, "\n"), ...lines];
}

function certContext(operation: string, t: CertTarget, apiKey: string, key: string | undefined, notFoundHint?: string): OpContext {
  return {
    operation,
    apiUrl: t.apiUrl,
    account: t.account,
    project: t.project,
    branch: "",
    subject: describeCert(t),
    // The client's hints are per kind; "deployments" has the neutral ones (its 409 hint is
    // never used: every 409 is handled here).
    kind: "deployments",
    notFoundHint: notFoundHint ?? `Not found: check the account (${t.account}) and project (${t.project}) exist and the project has mTLS (an Enterprise feature).`,
    secrets: [...keySecrets(key), apiKey],
  };
}

function certError(ctx: OpContext, message: string, extra: { status?: number; retryable?: boolean; attempts?: number } = {}): ZuploProviderError {
  return gatewayError({ operation: ctx.operation, status: extra.status, retryable: extra.retryable ?? false, attempts: extra.attempts, message: `Zuplo ${ctx.operation} of ${ctx.subject}: ${message}` });
}

interface CertFacts {
  readonly id: string;
  readonly name?: string;
  readonly environments: ZuploMtlsEnvironment[];
  readonly certificateInfo?: ZuploMtlsCertificateInfo;
  readonly createdOn?: string;
  readonly updatedOn?: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** An `MtlsCertificate` object, or undefined when it is not one (no id, no environments object). */
function certFactsOf(value: unknown): CertFacts | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const v = value as { id?: unknown; name?: unknown; environments?: unknown; certificateInfo?: unknown; createdOn?: unknown; updatedOn?: unknown };
  if (typeof v.id !== "string" || v.id === "") return undefined;
  const envs = v.environments;
  if (!envs || typeof envs !== "object" || Array.isArray(envs)) return undefined;
  const flags = envs as Record<string, unknown>;
  const environments = ENVIRONMENTS.filter((e) => flags[e] === true);
  let certificateInfo: ZuploMtlsCertificateInfo | undefined;
  const info = v.certificateInfo as Record<string, unknown> | undefined;
  if (info && typeof info === "object") {
    const str = (k: string) => (typeof info[k] === "string" ? (info[k] as string) : "");
    certificateInfo = { subject: str("subject"), issuer: str("issuer"), validFrom: str("validFrom"), validTo: str("validTo"), serialNumber: str("serialNumber") };
  }
  return {
    id: v.id,
    ...(typeof v.name === "string" ? { name: v.name } : {}),
    environments,
    ...(certificateInfo ? { certificateInfo } : {}),
    ...(typeof v.createdOn === "string" ? { createdOn: v.createdOn } : {}),
    ...(typeof v.updatedOn === "string" ? { updatedOn: v.updatedOn } : {}),
  };
}

function malformedCert(ctx: OpContext, method: string, answer: HttpAnswer, consequence: string): ZuploProviderError {
  // Echoes nothing of the body: a truncated create answer could hold anything the server sent.
  return certError(ctx, `the response was malformed (${method} answered HTTP ${answer.status} without a JSON MtlsCertificate body). ${consequence}`, { status: answer.status, attempts: answer.attempts });
}

/** Finds a certificate by name in the project's store, paging through the list. */
async function findByName(ctx: OpContext, t: CertTarget, apiKey: string): Promise<CertFacts | undefined> {
  let offset = 0;
  for (let page = 0; page < 50; page++) {
    const url = page === 0 ? certsUrl(t) : `${certsUrl(t)}?offset=${offset}`;
    const answer = await send(ctx, apiKey, "GET", url, undefined);
    if (!isOk(answer)) throw failure(ctx, "GET", answer);
    const body = parseJson(answer.text) as { data?: unknown; limit?: unknown } | undefined;
    if (!body || typeof body !== "object" || !Array.isArray(body.data)) {
      throw certError(ctx, `the response was malformed (GET answered HTTP ${answer.status} without a JSON MtlsCertificateListResponse body). Run pulumi up again.`, { status: answer.status });
    }
    for (const item of body.data) {
      const facts = certFactsOf(item);
      if (facts && facts.name === t.name) return facts;
    }
    const limit = typeof body.limit === "number" ? body.limit : undefined;
    if (limit === undefined || body.data.length === 0 || body.data.length < limit) return undefined;
    offset += body.data.length;
  }
  return undefined;
}

function sameEnvironments(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((e) => b.includes(e));
}

async function patchEnvironments(ctx: OpContext, t: CertTarget, apiKey: string, id: string, environments: string[]): Promise<HttpAnswer> {
  return send(ctx, apiKey, "PATCH", certUrl(t, id), { environments });
}

/**
 * POST the certificate. A 409 is adopted only when an earlier attempt of this same POST got no
 * usable answer (5xx, timeout): then the certificate of that name is most likely the one this
 * POST created. Otherwise it belongs to someone else and must not be taken over, since the
 * provider cannot tell whether its certificate and key are the declared ones.
 */
async function createCert(t: CertTarget, key: string): Promise<CertFacts> {
  const apiKey = resolveApiKey("create", describeCert(t));
  const ctx = certContext("create", t, apiKey, key);
  const answer = await send(ctx, apiKey, "POST", certsUrl(t), { name: t.name, certificate: t.certificate, key, environments: t.environments });
  if (isOk(answer)) {
    const facts = certFactsOf(parseJson(answer.text));
    if (facts) return facts;
    // A 2xx means it was created: recover its id by name rather than leave an orphan.
    const found = await findByName(certContext("create (looking up the certificate just created)", t, apiKey, key), t, apiKey);
    if (found) return found;
    throw malformedCert(ctx, "POST", answer, "The certificate may have been created; check the project's mTLS certificates before running pulumi up again.");
  }
  if (answer.status !== 409) throw failure(ctx, "POST", answer);
  const adoptCtx = certContext("create (adopting the certificate created by an interrupted attempt)", t, apiKey, key);
  const existing = answer.attempts > 1 ? await findByName(adoptCtx, t, apiKey) : undefined;
  if (!existing) {
    throw certError(
      ctx,
      `HTTP 409: a certificate named ${t.name} already exists in the project. Give this resource another name ` +
        "(a new name per certificate generation also allows a rotation without downtime), or delete the existing one " +
        "(`zuplo mtls-certificate list`, then `zuplo mtls-certificate delete --cert-id <id>`) and run pulumi up again.",
      { status: 409, attempts: answer.attempts },
    );
  }
  if (sameEnvironments(existing.environments, t.environments)) return existing;
  const patched = await patchEnvironments(adoptCtx, t, apiKey, existing.id, t.environments);
  if (!isOk(patched)) throw failure(adoptCtx, "PATCH", patched);
  return certFactsOf(parseJson(patched.text)) ?? { ...existing, environments: t.environments };
}

/** PATCH the environments; a certificate deleted outside Pulumi is created again (the key is in the inputs). */
async function updateCert(t: CertTarget, key: string, id: string): Promise<CertFacts> {
  const apiKey = resolveApiKey("update", describeCert(t));
  const ctx = certContext("update", t, apiKey, key);
  const answer = await patchEnvironments(ctx, t, apiKey, id, t.environments);
  if (isOk(answer)) {
    const facts = certFactsOf(parseJson(answer.text));
    if (!facts) throw malformedCert(ctx, "PATCH", answer, "The environments may have been changed; run pulumi up again.");
    return facts;
  }
  if (answer.status !== 404) throw failure(ctx, "PATCH", answer);
  return createCert(t, key);
}

/** Deployment environment types (`Deployment.environmentType`, e.g. PRODUCTION) as certificate environments. */
function environmentOfDeployment(environmentType: unknown): ZuploMtlsEnvironment | undefined {
  const e = typeof environmentType === "string" ? environmentType.toLowerCase().replace(/[^a-z]/g, "") : "";
  if (e === "production") return "production";
  if (e === "preview") return "preview";
  if (e === "development" || e === "workingcopy") return "development";
  return undefined;
}

/**
 * Redeploys the deployments that may reference the certificate: those of the environments it
 * was enabled in, and any whose environment type is unknown (better one redeploy too many than
 * a delete that can never succeed). Returns their names.
 */
async function redeployReferencing(t: CertTarget, apiKey: string, environments: readonly ZuploMtlsEnvironment[]): Promise<string[]> {
  const listCtx = certContext("delete (listing deployments to redeploy)", t, apiKey, undefined, `Not found: check the account (${t.account}) and project (${t.project}) exist.`);
  const listed = await send(listCtx, apiKey, "GET", deploymentsListUrl(t), undefined);
  if (!isOk(listed)) throw failure(listCtx, "GET", listed);
  const body = parseJson(listed.text) as { data?: unknown } | undefined;
  if (!body || typeof body !== "object" || !Array.isArray(body.data)) {
    throw certError(listCtx, `the response was malformed (GET answered HTTP ${listed.status} without a JSON DeploymentsList body). The certificate is disabled but not deleted; run pulumi destroy (or up) again.`, { status: listed.status });
  }
  const names: string[] = [];
  for (const d of body.data) {
    if (!d || typeof d !== "object") continue;
    const { name, environmentType } = d as { name?: unknown; environmentType?: unknown };
    if (typeof name !== "string" || name === "" || names.includes(name)) continue;
    const env = environmentOfDeployment(environmentType);
    if (env === undefined || environments.length === 0 || environments.includes(env)) names.push(name);
  }
  const done: string[] = [];
  for (const name of names) {
    const ctx = { ...certContext("delete (redeploying)", t, apiKey, undefined, `Deployment ${name} was not found: it may have been deleted since it was listed; run pulumi destroy (or up) again.`), deployment: name };
    const answer = await send(ctx, apiKey, "POST", `${normalizeApiUrl(t.apiUrl)}/v1/deployments/${encodeURIComponent(name)}/deploy`, undefined);
    if (!isOk(answer)) {
      const err = failure(ctx, "POST", answer);
      err.message += ` The certificate is disabled but not deleted.${done.length ? ` Already redeployed: ${done.join(", ")}.` : ""}`;
      throw err;
    }
    done.push(name);
  }
  return done;
}

function sleepMs(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** DELETE, and on "still referenced": disable, redeploy (when allowed), DELETE again. */
async function deleteCert(t: CertTarget, id: string): Promise<void> {
  const apiKey = resolveApiKey("delete", describeCert(t));
  const ctx = certContext("delete", t, apiKey, undefined);
  const first = await send(ctx, apiKey, "DELETE", certUrl(t, id), undefined);
  if (isOk(first) || first.status === 404) return;
  if (first.status !== 409) throw failure(ctx, "DELETE", first);

  const disableCtx = certContext("delete (disabling the certificate a deployment still references)", t, apiKey, undefined);
  const disabled = await patchEnvironments(disableCtx, t, apiKey, id, []);
  if (disabled.status === 404) return;
  if (!isOk(disabled)) {
    const err = failure(disableCtx, "PATCH", disabled);
    err.message +=
      ` Zuplo refuses to delete ${t.name} (${id}) while a deployment references it, and refused to disable it. ` +
      `Disable it by hand (\`zuplo mtls-certificate disable --cert-id ${id}\` or the portal), redeploy the project, then run pulumi destroy (or up) again.`;
    throw err;
  }

  if (!t.redeployOnDelete) {
    throw certError(
      ctx,
      `HTTP 409: Zuplo refuses to delete it (${id}) while a deployment still references it. It is now disabled (enabled in no environment), ` +
        "but a deployment picks that up only when it is redeployed. Remove any reference to it from the gateway configuration " +
        `(\`mtlsCertificate\` options, the variable holding its name), redeploy the ${t.environments.join("/")} environment(s) ` +
        "(push to the connected repository, `zuplo deploy`, or the portal), then run pulumi destroy (or up) again. " +
        "Or set redeployOnDelete: true on this resource to let gatelock redeploy them.",
      { status: 409, attempts: first.attempts },
    );
  }

  const redeployed = await redeployReferencing(t, apiKey, t.environments);
  const retryCtx = certContext("delete (after disabling and redeploying)", t, apiKey, undefined);
  const tries = Math.max(1, Math.floor(deleteOptions.attempts));
  let last: HttpAnswer | undefined;
  for (let i = 0; i < tries; i++) {
    // Redeploys are asynchronous ("request enqueued"): the old deployments hold the reference until replaced.
    await sleepMs(deleteOptions.intervalMs);
    last = await send(retryCtx, apiKey, "DELETE", certUrl(t, id), undefined);
    if (isOk(last) || last.status === 404) return;
    if (last.status !== 409) throw failure(retryCtx, "DELETE", last);
  }
  const which = redeployed.length ? `after redeploying ${redeployed.join(", ")}` : "and the project has no deployment of its environments to redeploy";
  throw certError(
    retryCtx,
    `HTTP 409: Zuplo still refuses to delete it (${id}) ${which}; it is disabled. A deployment still references it: most likely the gateway ` +
      "configuration still names it (`mtlsCertificate` option or the variable holding its name). Remove the reference, deploy, then run pulumi destroy (or up) again.",
    { status: 409, retryable: true, attempts: last?.attempts },
  );
}

/** GET by id for refresh: undefined when it is gone. */
async function readCert(t: CertTarget, id: string): Promise<CertFacts | undefined> {
  const apiKey = resolveApiKey("read", describeCert(t));
  const ctx = certContext("read", t, apiKey, undefined);
  const answer = await send(ctx, apiKey, "GET", certUrl(t, id), undefined);
  if (answer.status === 404) return undefined;
  if (!isOk(answer)) throw failure(ctx, "GET", answer);
  const facts = certFactsOf(parseJson(answer.text));
  if (!facts) throw malformedCert(ctx, "GET", answer, "Nothing was changed; run pulumi refresh again.");
  return facts;
}

/** `sha256:<hex>` of the key, line endings and surrounding space normalised (a re-saved file is the same key). */
async function fingerprintKey(key: string): Promise<string> {
  const normalised = key.replace(/\r\n/g, "\n").trim();
  const digest = await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode(normalised));
  return `sha256:${Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function certOutputs(t: CertTarget, facts: CertFacts, keyFingerprint: string, previous?: { createdOn?: string }): ZuploMtlsCertificateOutputs {
  const createdOn = facts.createdOn ?? previous?.createdOn;
  return {
    apiUrl: t.apiUrl,
    account: t.account,
    project: t.project,
    name: t.name,
    environments: [...t.environments],
    certificate: t.certificate,
    redeployOnDelete: t.redeployOnDelete,
    certificateId: facts.id,
    keyFingerprint,
    ...(facts.certificateInfo ? { certificateInfo: facts.certificateInfo } : {}),
    ...(createdOn !== undefined ? { createdOn } : {}),
    ...(facts.updatedOn !== undefined ? { updatedOn: facts.updatedOn } : {}),
  };
}

function isIdentifierName(name: string): boolean {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= 120 && !RESERVED_WORDS.includes(name);
}

function checkCertFailures(news: Partial<Record<keyof ZuploMtlsCertificateInputs, unknown>>): dynamic.CheckFailure[] {
  const failures: dynamic.CheckFailure[] = [];
  const name = news.name;
  if (!isUnknown(name) && (typeof name !== "string" || !isIdentifierName(name))) {
    // Zuplo's docs ask for a JavaScript identifier, its schema for letters, digits and underscores (≤ 120): both hold.
    failures.push({ property: "name", reason: "expected a JavaScript identifier of letters, digits and underscores, at most 120 characters and not a reserved word (e.g. orders_backend_cert)" });
  }
  // Certificates are per project, not per branch: the shared check gets a branch that passes.
  failures.push(...locationFailures({ account: news.account, project: news.project, apiUrl: news.apiUrl, branch: "-" }));
  const envs = news.environments;
  if (!isUnknown(envs)) {
    const list = Array.isArray(envs) ? envs : undefined;
    if (!list || list.length === 0 || list.some((e) => !isUnknown(e) && !ENVIRONMENTS.includes(e as ZuploMtlsEnvironment)) || new Set(list).size !== list.length) {
      failures.push({ property: "environments", reason: "expected one or more of development, preview, production, each once (to disable the certificate, delete the resource)" });
    }
  }
  const cert = news.certificate;
  if (!isUnknown(cert)) {
    if (typeof cert !== "string" || !/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.test(cert)) {
      failures.push({ property: "certificate", reason: "expected a PEM certificate (-----BEGIN CERTIFICATE-----), optionally followed by its chain" });
    } else if (/PRIVATE KEY/.test(cert)) {
      // The certificate is a plain output: a key pasted into it would be published. Never quoted.
      failures.push({ property: "certificate", reason: "contains a private key block: pass the key in `key` (a secret), never in `certificate`" });
    }
  }
  // The key is checked for its shape only, and never quoted.
  const key = news.key;
  if (!isUnknown(key) && (typeof key !== "string" || !/-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----[\s\S]+-----END (?:[A-Z]+ )?PRIVATE KEY-----/.test(key))) {
    failures.push({ property: "key", reason: "expected a PEM private key (-----BEGIN PRIVATE KEY----- or -----BEGIN EC/RSA PRIVATE KEY-----)" });
  }
  if (news.redeployOnDelete !== undefined && !isUnknown(news.redeployOnDelete) && typeof news.redeployOnDelete !== "boolean") {
    failures.push({ property: "redeployOnDelete", reason: "expected true or false" });
  }
  return failures;
}

async function diffCert(olds: ZuploMtlsCertificateOutputs, news: ZuploMtlsCertificateInputs): Promise<dynamic.DiffResult> {
  const replaces: string[] = [];
  if (normalizeApiUrl(String(olds.apiUrl)) !== normalizeApiUrl(String(news.apiUrl))) replaces.push("apiUrl");
  for (const key of ["account", "project", "name", "certificate"] as const) {
    if (olds[key] !== news[key]) replaces.push(key);
  }
  // Zuplo stores certificate and key for good (the update body has environments only). An
  // unknown key (preview) may be a new one: shown as a replacement, re-diffed once known.
  if (isUnknown(news.key) || typeof news.key !== "string" || (await fingerprintKey(news.key)) !== olds.keyFingerprint) replaces.push("key");
  const envsChanged = isUnknown(news.environments) || !Array.isArray(news.environments) || !sameEnvironments(olds.environments ?? [], news.environments);
  const flagChanged = (olds.redeployOnDelete === true) !== (news.redeployOnDelete === true);
  if (replaces.length === 0) {
    return { changes: envsChanged || flagChanged, stables: ["apiUrl", "account", "project", "name", "certificate", "certificateId"] };
  }
  // Names are unique in a project: the same name can only be re-created once the old one is
  // gone, which means a window without the certificate. A new name per generation avoids it.
  const sameName = !replaces.some((k) => k === "apiUrl" || k === "account" || k === "project" || k === "name");
  return { changes: true, replaces, deleteBeforeReplace: sameName };
}

/**
 * The dynamic provider. Everything it reaches is in this file or bound from the client above;
 * see the file comment before adding an import.
 */
export const zuploMtlsCertificateProvider: dynamic.ResourceProvider<ZuploMtlsCertificateInputs, ZuploMtlsCertificateOutputs> = {
  async configure(req: dynamic.ConfigureRequest): Promise<void> {
    configureApiKey(req);
  },

  async check(_olds: ZuploMtlsCertificateInputs, news: ZuploMtlsCertificateInputs): Promise<dynamic.CheckResult<ZuploMtlsCertificateInputs>> {
    const failures = checkCertFailures(news);
    return failures.length ? { inputs: news, failures } : { inputs: news };
  },

  async diff(_id: string, olds: ZuploMtlsCertificateOutputs, news: ZuploMtlsCertificateInputs): Promise<dynamic.DiffResult> {
    return diffCert(olds, news);
  },

  async create(inputs: ZuploMtlsCertificateInputs): Promise<dynamic.CreateResult<ZuploMtlsCertificateOutputs>> {
    const t = toCertTarget(inputs);
    const facts = await createCert(t, inputs.key);
    return { id: `${t.account}/${t.project}/${t.name}`, outs: certOutputs(t, facts, await fingerprintKey(inputs.key)) };
  },

  async read(id: string, props?: ZuploMtlsCertificateOutputs): Promise<dynamic.ReadResult<ZuploMtlsCertificateOutputs>> {
    if (!props || typeof props.certificateId !== "string") return { id, props };
    const t = toCertTarget(props);
    const facts = await readCert(t, props.certificateId);
    // Gone: an empty id tells the engine to drop it from the state.
    if (!facts) return { id: "" };
    return { id, props: { ...certOutputs({ ...t, environments: facts.environments }, facts, props.keyFingerprint, props) } };
  },

  async update(_id: string, olds: ZuploMtlsCertificateOutputs, news: ZuploMtlsCertificateInputs): Promise<dynamic.UpdateResult<ZuploMtlsCertificateOutputs>> {
    const t = toCertTarget(news);
    const facts = sameEnvironments(olds.environments, t.environments)
      ? // Only redeployOnDelete changed: nothing to send.
        { id: olds.certificateId, environments: t.environments, certificateInfo: olds.certificateInfo, createdOn: olds.createdOn, updatedOn: olds.updatedOn }
      : await updateCert(t, news.key, olds.certificateId);
    return { outs: certOutputs(t, facts, await fingerprintKey(news.key), olds) };
  },

  async delete(_id: string, props: ZuploMtlsCertificateOutputs): Promise<void> {
    await deleteCert(toCertTarget(props), props.certificateId);
  },
};
