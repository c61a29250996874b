/**
 * Secure by default: the judgement calls the schema cannot make.
 *
 * `checkConfig` returns every refusal (errors); `lintConfig` returns what is accepted but
 * deserves a reviewer's eye (warnings). Both work on parsed config, so they run before any
 * resource is registered, and both speak in config keys and fixes, never in values.
 */
import type { AuditErrorCode, ConfigIssue, GatelockErrorCode, WarningCode } from "../errors";
import { GUID_PATTERN, type ParsedConfig, type ParsedOrigin, type ParsedSharedSecretOrigin } from "./config";
import { configKey, conflictIssue as conflict, invalidIssue as invalid, missingIssue, unsafeIssue as unsafe } from "./issues";
import { cloudBlockIssues } from "./cloud-blocks";
import { checkAwsFederatedOrigins } from "./federated/aws";
import { checkAzureFederatedOrigins } from "./federated/azure";
import { checkFederatedOrigin, federatedWarnings } from "./federated/checks";
import { dotenvTargetIssues } from "./dotenv-issues";
import { checkMtlsOrigin, mtlsWarnings } from "./mtls/checks";
import { checkTunnelOrigin, checkTunnelOrigins, tunnelWarnings } from "./tunnel/checks";
import { checkServiceAuthOrigin, checkServiceAuthOrigins, serviceAuthWarnings } from "./service-auth/checks";
import { type IgnoreOracle, localStoreFile, normaliseTarget } from "./dotenv-target";
import { customIdentity, type GatewayIdentity, isSharedZuploIssuer, isZuploIssuer, ZUPLO_JWKS_URI, ZUPLO_PINNED_CLAIMS, zuploIdentity } from "./identity";
import { hasQueryOrFragment, hasUserinfo, hostOf, isHttpsOrLoopback, isLoopback, isZuploApiUrl, ZUPLO_API_HOST } from "./urls";

export { isHttpsOrLoopback, isLoopback } from "./urls";

export type Finding = ErrorFinding | WarningFinding;

interface FindingBase {
  /** Config key the finding is about. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

export interface ErrorFinding extends FindingBase {
  readonly severity: "error";
  readonly code: GatelockErrorCode | AuditErrorCode;
}

export interface WarningFinding extends FindingBase {
  readonly severity: "warning";
  readonly code: WarningCode;
}

/** The shortest shared secret gatelock generates: 32 characters of a 64-symbol alphabet is 192 bits. */
export const MIN_SECRET_LENGTH = 32;

/** Headers a proxy rewrites or strips; a secret sent in one would not arrive intact. */
const FORBIDDEN_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "content-type",
  "cookie",
  "keep-alive",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

const AWS_ROLE_ARN = /^arn:aws(-[a-z]+)*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;
/** A user-managed service account: the only kind that is the origin's own identity. */
const GCP_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$/;
/** Compute Engine's default service account: every VM, Cloud Run service and function without its own runs as it. */
const GCP_DEFAULT_COMPUTE_SA = /^\d+-compute@developer\.gserviceaccount\.com$/;
const GCP_BROAD_MEMBERS = /^(allUsers|allAuthenticatedUsers|domain:|group:|projectOwner:|projectEditor:|projectViewer:|principalSet:)/;

export interface CheckOptions {
  /** Says whether git ignores a dotenv target (default: every path counts as outside a repository). */
  readonly ignoreOracle?: IgnoreOracle;
}

export function checkConfig(config: ParsedConfig, stack = "", options: CheckOptions = {}): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const oracle = options.ignoreOracle ?? (() => "no-repo");
  issues.push(...checkGateway(config, oracle));
  const identity = gatewayIdentity(config);
  const names = new Map<string, number>();
  config.origins.forEach((origin, i) => {
    const at = (...rest: (string | number)[]) => configKey(["origins", i, ...rest]);
    const firstName = names.get(origin.name);
    if (firstName !== undefined) {
      issues.push(conflict(at("name"), `origin name is already used by ${configKey(["origins", firstName])}.`, "give every origin a unique name."));
    } else names.set(origin.name, i);

    // The URL becomes a plain gateway variable and is printed by the audit: no credential in it.
    const url = "url" in origin ? origin.url : undefined;
    if (url && hasUserinfo(url)) {
      issues.push(unsafe(at("url"), "the URL carries a user name or password, which would become a plain gateway variable and appear in the audit.", "remove the `user:password@` part; gatelock locks the origin with its method, not with URL credentials."));
    }
    if (url && hasQueryOrFragment(url)) {
      issues.push(unsafe(at("url"), "a query string or fragment in the origin URL tends to carry a key or token, and would become a plain gateway variable.", "use the origin's base URL only (scheme, host, port and path)."));
    }
    if (origin.method === "federated") {
      issues.push(...checkFederatedOrigin(origin, identity, at));
      return;
    }
    if (origin.method === "service-auth") {
      issues.push(...checkServiceAuthOrigin(origin, at));
      return;
    }
    if (origin.method === "mtls") {
      issues.push(...checkMtlsOrigin(origin, at, oracle));
      return;
    }
    if (origin.method === "tunnel") {
      issues.push(...checkTunnelOrigin(origin, at, oracle, stack));
      return;
    }
    if (origin.cloud === "local") issues.push(...dotenvTargetIssues(localStoreFile(origin.name), oracle, at("name"), true));
    issues.push(...checkSharedSecretOrigin(origin, at));
  });
  // Checks across origins that only one cloud cares about.
  const originKey = (i: number, ...rest: (string | number)[]) => configKey(["origins", i, ...rest]);
  issues.push(...checkAwsFederatedOrigins(config.origins, stack, originKey));
  issues.push(...checkServiceAuthOrigins(config.origins, stack, originKey));
  issues.push(...checkAzureFederatedOrigins(config.origins, stack, originKey));
  issues.push(...checkTunnelOrigins(config.origins, stack, originKey));
  return issues;
}

export function gatewayIdentity(config: ParsedConfig): GatewayIdentity {
  const g = config.gateway;
  return g.identity ? customIdentity(g.identity, g) : zuploIdentity(g);
}

function checkGateway(config: ParsedConfig, oracle: IgnoreOracle): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const env = config.gateway.environment;
  const at = (...rest: string[]) => configKey(["gateway", "environment", ...rest]);
  if (!env.developerApi && !env.dotenv) {
    issues.push(invalid(at(), "variables would land nowhere: the Developer API is off and no dotenv file is set.", "set `developerApi: true` or `dotenv: .env`."));
  }
  // A tunnel is created on Zuplo's API; its connector needs the token that call returns.
  const firstTunnel = config.origins.findIndex((o) => o.method === "tunnel");
  if (firstTunnel >= 0 && !env.developerApi) {
    issues.push(invalid(configKey(["origins", firstTunnel, "method"]), "a tunnel is created with Zuplo's Developer API, which is off for this stack: the connector would have no token.", "turn on `gateway.environment.developerApi`."));
  }
  if (env.developerApi) issues.push(...checkApiUrl(env, at));
  if (env.dotenv) {
    issues.push(...dotenvTargetIssues(env.dotenv, oracle, at("dotenv"), false));
    const target = normaliseTarget(env.dotenv);
    config.origins.forEach((o, i) => {
      if (o.method === "shared-secret" && o.cloud === "local" && normaliseTarget(localStoreFile(o.name)) === target) {
        issues.push(conflict(at("dotenv"), `${configKey(["origins", i])} (a local origin) keeps its accepted secrets in the same file, and one sink would overwrite the other.`, "choose another dotenv path, e.g. `.env`."));
      }
    });
  }
  issues.push(...checkIdentity(config));
  return issues;
}

/** The Developer API URL carries the API key and every secret: it must reach Zuplo, and only Zuplo. */
function checkApiUrl(env: ParsedConfig["gateway"]["environment"], at: (...rest: string[]) => string): ConfigIssue[] {
  const url = env.apiUrl;
  if (hasUserinfo(url)) {
    return [unsafe(at("apiUrl"), "the URL carries a user name or password: the host is whatever follows `@`, and the API key and every secret would be sent there.", `use \`https://${ZUPLO_API_HOST}\`.`)];
  }
  if (hasQueryOrFragment(url)) return [invalid(at("apiUrl"), "the Developer API URL is a base URL: no query string or fragment.", `use \`https://${ZUPLO_API_HOST}\`.`)];
  if (!isHttpsOrLoopback(url)) return [unsafe(at("apiUrl"), "the Developer API URL must use https: the API key and secrets travel on it.", "use an https:// URL.")];
  if (!isZuploApiUrl(url) && !isLoopback(url) && !env.dangerouslyAllowCustomApiUrl) {
    return [unsafe(at("apiUrl"), `the API key and every secret would be sent to a host other than Zuplo's Developer API (${ZUPLO_API_HOST}).`, `use \`https://${ZUPLO_API_HOST}\`, or set \`dangerouslyAllowCustomApiUrl: true\` for a proxy you control.`)];
  }
  return [];
}

/** A custom issuer: https only, and never a way around the shared issuer's pins. */
function checkIdentity(config: ParsedConfig): ConfigIssue[] {
  const identity = config.gateway.identity;
  if (!identity) return [];
  const issues: ConfigIssue[] = [];
  const key = (...rest: string[]) => configKey(["gateway", "identity", ...rest]);
  if (!/^https:\/\//i.test(identity.issuer)) {
    issues.push(unsafe(key("issuer"), "a plain-HTTP issuer lets anyone on the path forge the gateway's keys.", "use the issuer's https:// URL."));
  } else if (hasUserinfo(identity.issuer) || hasQueryOrFragment(identity.issuer)) {
    issues.push(invalid(key("issuer"), "an OIDC issuer has no user name, password, query string or fragment.", "use the issuer exactly as the token's `iss` claim carries it."));
  }
  if (identity.jwksUri !== undefined) {
    if (!/^https:\/\//i.test(identity.jwksUri)) {
      issues.push(unsafe(key("jwksUri"), "keys fetched over plain HTTP can be replaced in transit.", "use an https:// JWKS URL."));
    } else if (hasUserinfo(identity.jwksUri)) {
      issues.push(unsafe(key("jwksUri"), "the URL carries a user name or password: the host is whatever follows `@`.", "use the issuer's JWKS URL."));
    } else if (isZuploIssuer(identity.issuer) && identity.jwksUri.replace(/\/+$/, "") !== ZUPLO_JWKS_URI) {
      issues.push(conflict(key("jwksUri"), "Zuplo's shared issuer publishes its keys at one address; any other would make origins trust keys Zuplo never used.", "remove `jwksUri`."));
    } else if (hostOf(identity.jwksUri) !== hostOf(identity.issuer) && !identity.dangerouslyAllowForeignJwksHost) {
      issues.push(unsafe(key("jwksUri"), "the keys would come from another host than the issuer's: whoever serves them can mint tokens every origin trusts.", "serve the JWKS from the issuer's host, or set `dangerouslyAllowForeignJwksHost: true` if that host is yours too."));
    }
  }
  // Zuplo's shared issuer: account and project are what separate this gateway from every
  // other Zuplo customer's, so they come from the gateway and cannot be replaced.
  if (isSharedZuploIssuer(identity.issuer)) {
    for (const claim of ZUPLO_PINNED_CLAIMS) {
      const value = identity.claims?.[claim];
      if (value !== undefined && value !== config.gateway[claim]) {
        issues.push(unsafe(key("claims", claim), `on Zuplo's shared issuer \`${claim}\` is pinned to the gateway's own (gatelock:gateway.${claim}); another value would trust another Zuplo customer's gateway.`, `remove \`${claim}\` from \`identity.claims\`.`));
      }
    }
  }
  return issues;
}


function checkSharedSecretOrigin(origin: ParsedSharedSecretOrigin, at: (...rest: (string | number)[]) => string): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const s = origin.sharedSecret;
  if (s.length < MIN_SECRET_LENGTH) {
    issues.push(unsafe(at("sharedSecret", "length"), `a secret shorter than ${MIN_SECRET_LENGTH} characters is too weak.`, `set \`length\` to ${MIN_SECRET_LENGTH} or more (default 48).`));
  }
  if (FORBIDDEN_HEADERS.has(s.header)) {
    issues.push(invalid(at("sharedSecret", "header"), "proxies rewrite or strip this header, so the secret would not arrive.", "use a dedicated header such as `x-gateway-secret`."));
  }
  if (s.overlapDays > s.rotateAfterDays) {
    issues.push(conflict(at("sharedSecret", "overlapDays"), "the previous secret cannot outlive the rotation period.", "set `overlapDays` no larger than `rotateAfterDays`."));
  }
  if (origin.url && !isHttpsOrLoopback(origin.url)) {
    issues.push(unsafe(at("url"), "a plain-HTTP origin would carry the shared secret in clear text.", "use an https:// URL (http is allowed only for loopback)."));
  }

  issues.push(...cloudBlockIssues(origin, at, "saying where its secret is stored and who reads it", "docs/config.md"));

  if (origin.aws) issues.push(...checkReaders(origin.aws.readers, (i) => at("aws", "readers", ...(i === undefined ? [] : [i])), awsReader));
  if (origin.gcp) issues.push(...checkReaders(origin.gcp.readers, (i) => at("gcp", "readers", ...(i === undefined ? [] : [i])), gcpReader(origin.gcp.dangerouslyAllowDefaultServiceAccount)));
  if (origin.azure) issues.push(...checkReaders(origin.azure.readers, (i) => at("azure", "readers", ...(i === undefined ? [] : [i])), azureReader));
  return issues;
}

type ReaderCheck = (reader: string, path: string) => ConfigIssue | undefined;

function checkReaders(readers: readonly string[], at: (i?: number) => string, check: ReaderCheck): ConfigIssue[] {
  if (readers.length === 0) {
    return [missingIssue(at(), "at least one reader, or the origin cannot read its own secret.", "list the origin's identity (role ARN, service account email or principal ID).")];
  }
  const issues: ConfigIssue[] = [];
  const seen = new Set<string>();
  readers.forEach((r, i) => {
    if (seen.has(r)) issues.push(conflict(at(i), "duplicate reader.", "list each identity once."));
    seen.add(r);
    const problem = check(r, at(i));
    if (problem) issues.push(problem);
  });
  return issues;
}

const awsReader: ReaderCheck = (r, path) => {
  if (r === "*" || r.includes("*")) return unsafe(path, "wildcards would let any matching principal read the secret.", "name each IAM role ARN exactly.");
  if (/:root$/.test(r) || /^\d{12}$/.test(r)) return unsafe(path, "an account principal lets every identity in that account read the secret.", "name the origin's IAM role ARN instead.");
  if (!AWS_ROLE_ARN.test(r)) return invalid(path, "expected an IAM role ARN (arn:aws:iam::<12-digit account>:role/<name>).", "copy the ARN of the role your origin runs as.");
  return undefined;
};

const gcpReader =
  (allowDefault: boolean): ReaderCheck =>
  (r, path) => {
    if (GCP_BROAD_MEMBERS.test(r) || r.includes("*")) return unsafe(path, "a broad member (all users, a domain, a group or a pool) could read the secret.", "name the origin's service account email.");
    if (r.startsWith("serviceAccount:")) return invalid(path, "expected a bare service account email.", "drop the `serviceAccount:` prefix.");
    if (GCP_DEFAULT_COMPUTE_SA.test(r)) {
      return allowDefault
        ? undefined
        : unsafe(path, "the Compute Engine default service account is every workload's that has no identity of its own: all of them could read the secret.", "run the origin as a dedicated service account and name it, or set `dangerouslyAllowDefaultServiceAccount: true`.");
    }
    if (!GCP_SERVICE_ACCOUNT.test(r)) return invalid(path, "expected a service account email (name@project.iam.gserviceaccount.com).", "copy the email of the service account your origin runs as.");
    return undefined;
  };

const azureReader: ReaderCheck = (r, path) => {
  if (r.includes("*")) return unsafe(path, "wildcards would let any matching principal read the secret.", "name each principal ID exactly.");
  if (!GUID_PATTERN.test(r)) return invalid(path, "expected a principal (object) ID, a GUID.", "use the managed identity's principalId, not its name or client ID.");
  return undefined;
};

/** Accepted, but a reviewer should know. */
export function lintConfig(config: ParsedConfig): Finding[] {
  const findings: Finding[] = [];
  const env = config.gateway.environment;
  if (config.origins.length === 0) {
    findings.push({ severity: "warning", code: "WARN_NO_ORIGINS", path: configKey(["origins"]), message: "the stack has no origin: gatelock locks nothing and writes no gateway variable.", fix: "list the backends the gateway forwards to under `gatelock:origins`." });
  }
  if (env.redeploy && !env.developerApi) {
    findings.push({ severity: "warning", code: "WARN_REDEPLOY_WITHOUT_API", path: configKey(["gateway", "environment", "redeploy"]), message: "`redeploy` does nothing without the Developer API: gatelock only redeploys what it wrote there.", fix: "turn on `developerApi`, or remove `redeploy`." });
  }
  config.origins.forEach((o: ParsedOrigin, i) => {
    if (o.method === "federated") {
      for (const w of federatedWarnings(o, (...rest) => configKey(["origins", i, ...rest]))) findings.push({ severity: "warning", ...w });
      return;
    }
    if (o.method === "service-auth") {
      for (const w of serviceAuthWarnings(o, (...rest) => configKey(["origins", i, ...rest]))) findings.push({ severity: "warning", ...w });
      return;
    }
    if (o.method === "mtls") {
      for (const w of mtlsWarnings(o, (...rest) => configKey(["origins", i, ...rest]))) findings.push({ severity: "warning", ...w });
      return;
    }
    if (o.method === "tunnel") {
      for (const w of tunnelWarnings(o, (...rest) => configKey(["origins", i, ...rest]))) findings.push({ severity: "warning", ...w });
      return;
    }
    const s = o.sharedSecret;
    if (s.overlapDays === 0) {
      findings.push({ severity: "warning", code: "WARN_NO_OVERLAP", path: configKey(["origins", i, "sharedSecret", "overlapDays"]), message: "the previous secret retires at the moment of rotation; requests from a gateway that has not redeployed yet will get 401.", fix: "keep `overlapDays` at least as long as your gateway takes to redeploy (default 14)." });
    }
    if (s.rotateAfterDays > 365) {
      findings.push({ severity: "warning", code: "WARN_LONG_ROTATION", path: configKey(["origins", i, "sharedSecret", "rotateAfterDays"]), message: "the secret rotates less than once a year.", fix: "rotate at least every 90 days unless a policy says otherwise." });
    }
    if (o.gcp?.dangerouslyAllowDefaultServiceAccount) {
      o.gcp.readers.forEach((r, j) => {
        if (GCP_DEFAULT_COMPUTE_SA.test(r)) {
          findings.push({ severity: "warning", code: "WARN_DEFAULT_SERVICE_ACCOUNT", path: configKey(["origins", i, "gcp", "readers", j]), message: "the Compute Engine default service account may read the secret: so may every workload that runs as it.", fix: "run the origin as a dedicated service account." });
        }
      });
    }
    if (o.cloud === "local" && o.url && !isLoopback(o.url)) {
      findings.push({ severity: "warning", code: "WARN_LOCAL_NOT_LOOPBACK", path: configKey(["origins", i, "url"]), message: "a `local` origin keeps its secret in a dotenv file, yet its URL is not on loopback.", fix: "use a cloud secret store for origins that run elsewhere." });
    }
  });
  return findings;
}
