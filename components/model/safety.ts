/**
 * Secure by default: the judgement calls the schema cannot make.
 *
 * `checkConfig` returns every refusal (errors); `lintConfig` returns what is accepted but
 * deserves a reviewer's eye (warnings). Both work on parsed config, so they run before any
 * resource is registered, and both speak in config keys and fixes, never in values.
 */
import type { ConfigIssue } from "../errors";
import { GUID_PATTERN, type ParsedConfig, type ParsedOrigin, type ParsedSharedSecretOrigin } from "./config";
import { configKey, conflictIssue as conflict, invalidIssue as invalid, missingIssue, unsafeIssue as unsafe } from "./issues";
import { checkAwsFederatedOrigins } from "./federated/aws";
import { checkAzureFederatedOrigins } from "./federated/azure";
import { checkFederatedOrigin, federatedWarnings } from "./federated/checks";
import { customIdentity, type GatewayIdentity, zuploIdentity } from "./identity";
import { defaultVariable } from "./names";

export interface Finding {
  readonly severity: "error" | "warning";
  readonly code: string;
  /** Config key the finding is about. */
  readonly path: string;
  readonly message: string;
  readonly fix?: string;
}

/** The shortest shared secret gatelock generates: 32 characters of a 64-symbol alphabet is 192 bits. */
export const MIN_SECRET_LENGTH = 32;

/** Zuplo reserves these prefixes for its own variables. */
const RESERVED_VARIABLE_PREFIXES = ["ZUPLO_", "__ZUPLO", "ZUDOKU_"];

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
const GCP_SERVICE_ACCOUNT = /^[a-z][a-z0-9-]{4,28}[a-z0-9]@[a-z0-9-]+\.iam\.gserviceaccount\.com$|^\d+-compute@developer\.gserviceaccount\.com$/;
const GCP_BROAD_MEMBERS = /^(allUsers|allAuthenticatedUsers|domain:|group:|projectOwner:|projectEditor:|projectViewer:|principalSet:)/;

const CLOUD_BLOCKS = ["aws", "gcp", "azure"] as const;

export function checkConfig(config: ParsedConfig, stack = ""): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  issues.push(...checkGateway(config));
  const identity = gatewayIdentity(config);
  const names = new Map<string, number>();
  const variables = new Map<string, number>();
  config.origins.forEach((origin, i) => {
    const at = (...rest: (string | number)[]) => configKey(["origins", i, ...rest]);
    const firstName = names.get(origin.name);
    if (firstName !== undefined) {
      issues.push(conflict(at("name"), `origin name is already used by gatelock:origins[${firstName}].`, "give every origin a unique name."));
    } else names.set(origin.name, i);

    // Variable names derive from the origin's name (`ORDERS_…`); Zuplo reserves some prefixes.
    const prefix = `${origin.name.toUpperCase().replace(/-/g, "_")}_`;
    if (RESERVED_VARIABLE_PREFIXES.some((p) => prefix.startsWith(p))) {
      issues.push(invalid(at("name"), `the gateway variables would be named \`${prefix}…\`, and Zuplo reserves names starting with ${RESERVED_VARIABLE_PREFIXES.join(", ")}.`, "rename the origin."));
    }
    if (origin.method === "federated") {
      issues.push(...checkFederatedOrigin(origin, identity, at));
      return;
    }
    const variable = origin.sharedSecret.variable ?? defaultVariable(origin.name);
    const firstVar = variables.get(variable);
    if (firstVar !== undefined) {
      issues.push(
        conflict(at("sharedSecret", "variable"), `gateway variable \`${variable}\` is already written by gatelock:origins[${firstVar}].`, "set a distinct `sharedSecret.variable`."),
      );
    } else variables.set(variable, i);
    if (origin.sharedSecret.variable && RESERVED_VARIABLE_PREFIXES.some((p) => variable.startsWith(p))) {
      issues.push(invalid(at("sharedSecret", "variable"), `Zuplo reserves variable names starting with ${RESERVED_VARIABLE_PREFIXES.join(", ")}.`, "choose another name."));
    }
    issues.push(...checkSharedSecretOrigin(origin, at));
  });
  // Checks across origins that only one cloud cares about.
  const originKey = (i: number, ...rest: (string | number)[]) => configKey(["origins", i, ...rest]);
  issues.push(...checkAwsFederatedOrigins(config.origins, stack, originKey));
  issues.push(...checkAzureFederatedOrigins(config.origins, stack, originKey));
  return issues;
}

export function gatewayIdentity(config: ParsedConfig): GatewayIdentity {
  const g = config.gateway;
  return g.identity ? customIdentity(g.identity) : zuploIdentity(g);
}

function checkGateway(config: ParsedConfig): ConfigIssue[] {
  const issues: ConfigIssue[] = [];
  const env = config.gateway.environment;
  const at = (...rest: string[]) => configKey(["gateway", "environment", ...rest]);
  if (!env.developerApi && !env.dotenv) {
    issues.push(invalid(at(), "variables would land nowhere: the Developer API is off and no dotenv file is set.", "set `developerApi: true` or `dotenv: .env`."));
  }
  if (env.developerApi && !isHttpsOrLoopback(env.apiUrl)) {
    issues.push(unsafe(at("apiUrl"), "the Developer API URL must use https: the API key and secrets travel on it.", "use an https:// URL."));
  }
  const identity = config.gateway.identity;
  if (identity && !/^https:\/\//.test(identity.issuer)) {
    issues.push(unsafe(configKey(["gateway", "identity", "issuer"]), "a plain-HTTP issuer lets anyone on the path forge the gateway's keys.", "use the issuer's https:// URL."));
  }
  if (identity?.jwksUri && !/^https:\/\//.test(identity.jwksUri)) {
    issues.push(unsafe(configKey(["gateway", "identity", "jwksUri"]), "keys fetched over plain HTTP can be replaced in transit.", "use an https:// JWKS URL."));
  }
  if (env.dotenv && (env.dotenv.includes("\0") || /^[/\\]|^[A-Za-z]:/.test(env.dotenv) || env.dotenv.split(/[/\\]/).includes(".."))) {
    issues.push(invalid(at("dotenv"), "the dotenv path must be relative to the project and stay inside it.", "use a path such as `.env`."));
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

  // The block for the chosen cloud must be there; blocks for other clouds are a mistake.
  for (const cloud of CLOUD_BLOCKS) {
    const present = origin[cloud] !== undefined;
    if (cloud === origin.cloud && !present) {
      issues.push(missingIssue(at(cloud), `an origin on ${cloud} needs an \`${cloud}\` block saying where its secret is stored and who reads it.`, `add \`${cloud}: { ... }\` (see docs/config.md).`));
    } else if (cloud !== origin.cloud && present) {
      issues.push(conflict(at(cloud), `this origin's cloud is \`${origin.cloud}\`, not \`${cloud}\`.`, `remove the \`${cloud}\` block or change \`cloud\`.`));
    }
  }

  if (origin.aws) issues.push(...checkReaders(origin.aws.readers, (i) => at("aws", "readers", ...(i === undefined ? [] : [i])), awsReader));
  if (origin.gcp) issues.push(...checkReaders(origin.gcp.readers, (i) => at("gcp", "readers", ...(i === undefined ? [] : [i])), gcpReader));
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

const gcpReader: ReaderCheck = (r, path) => {
  if (GCP_BROAD_MEMBERS.test(r) || r.includes("*")) return unsafe(path, "a broad member (all users, a domain, a group or a pool) could read the secret.", "name the origin's service account email.");
  if (r.startsWith("serviceAccount:")) return invalid(path, "expected a bare service account email.", "drop the `serviceAccount:` prefix.");
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
  if (env.redeploy && !env.developerApi) {
    findings.push({ severity: "warning", code: "WARN_REDEPLOY_WITHOUT_API", path: configKey(["gateway", "environment", "redeploy"]), message: "`redeploy` does nothing without the Developer API: gatelock only redeploys what it wrote there.", fix: "turn on `developerApi`, or remove `redeploy`." });
  }
  config.origins.forEach((o: ParsedOrigin, i) => {
    if (o.method === "federated") {
      for (const w of federatedWarnings(o, (...rest) => configKey(["origins", i, ...rest]))) findings.push({ severity: "warning", ...w });
      return;
    }
    const s = o.sharedSecret;
    if (s.overlapDays === 0) {
      findings.push({ severity: "warning", code: "WARN_NO_OVERLAP", path: configKey(["origins", i, "sharedSecret", "overlapDays"]), message: "the previous secret retires at the moment of rotation; requests from a gateway that has not redeployed yet will get 401.", fix: "keep `overlapDays` at least as long as your gateway takes to redeploy (default 14)." });
    }
    if (s.rotateAfterDays > 365) {
      findings.push({ severity: "warning", code: "WARN_LONG_ROTATION", path: configKey(["origins", i, "sharedSecret", "rotateAfterDays"]), message: "the secret rotates less than once a year.", fix: "rotate at least every 90 days unless a policy says otherwise." });
    }
    if (o.cloud === "local" && o.url && !isLoopback(o.url)) {
      findings.push({ severity: "warning", code: "WARN_LOCAL_NOT_LOOPBACK", path: configKey(["origins", i, "url"]), message: "a `local` origin keeps its secret in a dotenv file, yet its URL is not on loopback.", fix: "use a cloud secret store for origins that run elsewhere." });
    }
  });
  return findings;
}

export function isLoopback(url: string): boolean {
  try {
    const host = new URL(url).hostname;
    return host === "localhost" || host === "[::1]" || /^127\.\d+\.\d+\.\d+$/.test(host);
  } catch {
    return false;
  }
}

export function isHttpsOrLoopback(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || (u.protocol === "http:" && isLoopback(url));
  } catch {
    return false;
  }
}
