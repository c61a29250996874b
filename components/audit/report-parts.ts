/**
 * What every audit report is made of, whichever program it ran (the stack-file program or a
 * user's own): masking, the leak guard, the consistency and deploy-time findings, and the
 * report of a refused config. Moved out of report.ts so `--program` shares them.
 */
import * as path from "node:path";
import type { ConfigError } from "../errors";
import type { VariableSummary } from "../gateway/environment";
import { type OriginGatewayConfig, policiesDocument } from "../gateway/zuplo-policies";
import type { GatewayModel, OriginModel } from "../model/model";
import type { Finding } from "../model/safety";
import type { RecordedResource } from "../testing/engine";
import { isSecretValue, reveal } from "../testing/fake-kit";
import { containsAny, LEAK_WINDOW } from "./contains-any";
import type { AuditReport, AuditResource } from "./report";
import { ENCRYPTED_PLACEHOLDER, type StackConfig } from "./stack-file";

export const MASK = "[secret]";

/** Every configured value, which the fakes must never invent (see `replaceInvented`). */
export function configText(sc: StackConfig): string {
  return [sc.project, ...Object.entries(sc.config).flat()].join("\n");
}

/** Where a placeholder stands in for a fact that decides trust, say so. */
export function deployTimeFindings(origins: readonly OriginModel[]): Finding[] {
  return origins.flatMap((o): Finding[] =>
    o.method === "federated" && o.target.cloud === "aws" && o.target.accountId === undefined
      ? [
          {
            severity: "warning",
            code: "WARN_ACCOUNT_AT_DEPLOY",
            path: `${o.key}.aws.accountId`,
            message: "the trust policy and invoke grant are in `<deploying account>`: the account of `pulumi up`'s credentials, unknown to the audit.",
            fix: "set `aws.accountId` to the origin's account.",
          },
        ]
      : [],
  );
}

/** A report of a refused config: no origins, one error finding per issue. */
export function invalidReport(stack: string, error: Pick<ConfigError, "issues"> | undefined): AuditReport {
  const findings: Finding[] = (error?.issues ?? []).map((i) => ({
    severity: "error",
    code: i.code,
    path: i.path,
    message: i.message,
    ...(i.fix ? { fix: i.fix } : {}),
  }));
  return {
    stack,
    gateway: null,
    ok: false,
    origins: [],
    variables: [],
    gatewayPolicies: [],
    policiesJson: policiesDocument([]),
    findings,
    resources: [],
    placeholders: [],
  };
}

export function toAuditResource(r: RecordedResource): AuditResource {
  const { projectDir, ...inputs } = r.inputs;
  // Where the project is checked out differs by machine, not by what the stack deploys.
  return { urn: r.urn, type: r.type, name: r.name, parent: r.parent ?? null, inputs: mask(projectDir === undefined ? inputs : { ...inputs, projectDir: PROJECT_DIR_PLACEHOLDER }) as Record<string, unknown> };
}

/** What the report shows for a local file resource's project directory (this checkout's path). */
export const PROJECT_DIR_PLACEHOLDER = "<project directory>";

/** Replace every secret with "[secret]"; keep the structure so reviewers see what is set. */
export function mask(v: unknown): unknown {
  if (isSecretValue(v)) return MASK;
  if (Array.isArray(v)) return v.map(mask);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, mask(x)]));
  return v;
}

/** `at`: where the gateway's Developer API is switched on (a stack-file key, or a component's arg). */
export function environmentFindings(sc: StackConfig, env: NodeJS.ProcessEnv, gateway: GatewayModel, at = "gatelock:gateway.environment.developerApi"): Finding[] {
  const findings: Finding[] = [];
  if (gateway.environment.developerApi && !env.ZUPLO_API_KEY && sc.config["gatelock:zuploApiKey"] === undefined) {
    findings.push({
      severity: "warning",
      code: "WARN_NO_API_KEY",
      path: at,
      message: "no Zuplo Developer API key is configured, so `pulumi up` cannot write the gateway's variables.",
      fix: "export ZUPLO_API_KEY, or run `pulumi config set --secret gatelock:zuploApiKey <key>`.",
    });
  }
  if (sc.config["gatelock:zuploApiKey"] !== undefined && sc.config["gatelock:zuploApiKey"] !== ENCRYPTED_PLACEHOLDER) {
    findings.push({
      severity: "error",
      code: "ERR_PLAINTEXT_API_KEY",
      path: "gatelock:zuploApiKey",
      message: "the Zuplo API key is stored in plain text in the stack file.",
      fix: "rotate the key, then `pulumi config set --secret gatelock:zuploApiKey <key>`.",
    });
  }
  return findings;
}

/**
 * The gateway's dotenv files, by absolute path, each with the variables it holds and whether
 * the program declared each one secret.
 */
export function gatewayDotenvEntries(projectDir: string, variables: readonly VariableSummary[]): Map<string, Map<string, boolean>> {
  const files = new Map<string, Map<string, boolean>>();
  for (const v of variables) {
    for (const sink of v.sinks) {
      if (!sink.startsWith("dotenv:")) continue;
      const file = path.resolve(projectDir, sink.slice("dotenv:".length));
      if (!files.has(file)) files.set(file, new Map());
      files.get(file)!.set(v.name, v.isSecret);
    }
  }
  return files;
}

/**
 * Dotenv files an origin reads that hold nothing secret: a local mTLS origin's trust (the CA
 * bundle and the subject it pins), which the report may print. Their entries count as
 * declared public, as the gateway file's plain variables do.
 */
export function publicOriginDotenvEntries(projectDir: string, origins: readonly OriginModel[]): Map<string, Map<string, boolean>> {
  const files = new Map<string, Map<string, boolean>>();
  for (const o of origins) {
    if (o.method !== "mtls" || o.target.cloud !== "local") continue;
    files.set(path.resolve(projectDir, o.target.dotenv), new Map([[o.target.bundleVariable, false], [o.target.subjectVariable, false]]));
  }
  return files;
}

/**
 * The audit's own guard: no secret value may appear anywhere in what it prints. Secrets are
 * known here (the fakes produced them), so look for each in the report's plain text.
 *
 * Every string inside a Pulumi secret is a candidate, with one exception: the gateway's dotenv
 * file is written from one secret map of all gateway variables, so its entries are secret
 * only as a whole. An entry is a candidate unless the program declares that very variable
 * not secret (an origin URL, a role ARN): a value it publishes in plain text anyway. A
 * generated secret stays a candidate wherever it is (its own variable, the origin's store),
 * so a secret leaked into a plain variable is still caught.
 */
export function leakFindings(recorded: readonly RecordedResource[], printed: unknown, dotenvFiles: ReadonlyMap<string, ReadonlyMap<string, boolean>> = new Map()): Finding[] {
  const secrets = new Set<string>();
  const collect = (v: unknown, inSecret: boolean) => {
    if (isSecretValue(v)) return collect(v.value, true);
    if (typeof v === "string" && inSecret && v.length >= 8) secrets.add(v);
    else if (Array.isArray(v)) v.forEach((x) => collect(x, inSecret));
    else if (v && typeof v === "object") Object.values(v).forEach((x) => collect(x, inSecret));
  };
  for (const r of recorded) {
    // The file is named relative to its project (`projectDir`), or absolutely by gatelock 0.1.
    const file = r.type === DOTENV_TYPE && typeof r.inputs.path === "string" ? path.resolve(typeof r.inputs.projectDir === "string" ? r.inputs.projectDir : "/", r.inputs.path) : undefined;
    const declared = file !== undefined ? dotenvFiles.get(file) : undefined;
    const entries = declared ? reveal(r.inputs.entries) : undefined;
    if (!declared || !entries || typeof entries !== "object" || Array.isArray(entries)) {
      collect(r.inputs, false);
      continue;
    }
    const { entries: _entries, ...rest } = r.inputs;
    collect(rest, false);
    for (const [name, value] of Object.entries(entries)) {
      if (declared.get(name) !== false) collect(value, true);
    }
  }
  const pieces: string[] = [];
  for (const s of secrets) {
    for (const piece of [s, ...jsonFragments(s)].flatMap(withLines)) if (piece.length >= LEAK_WINDOW) pieces.push(piece);
  }
  if (containsAny(JSON.stringify(printed), pieces)) {
    return [{ severity: "error", code: "ERR_SECRET_IN_OUTPUT", path: "audit", message: "a secret value would have been printed; the audit refused to print it.", fix: "report this as a gatelock bug." }];
  }
  return [];
}

/** The dynamic resource that writes a dotenv file (`components/dotenv/dotenv-file.ts`). */
const DOTENV_TYPE = "pulumi-nodejs:dynamic/gatelock:DotenvFile";

/**
 * A multi-line secret (a PEM private key) leaks line by line as well as whole: each line is a
 * piece too, but for the armour (`-----BEGIN PRIVATE KEY-----`), which is public boilerplate.
 */
function withLines(secret: string): string[] {
  if (!secret.includes("\n")) return [secret];
  return [secret, ...secret.split(/\r?\n/).filter((line) => line.length >= 16 && !line.startsWith("-----"))];
}

/** The fields of a Google credentials file that are not secret (all but `private_key`). */
const PUBLIC_KEY_FILE_FIELDS = new Set(["type", "project_id", "private_key_id", "client_email", "client_id", "auth_uri", "token_uri", "auth_provider_x509_cert_url", "client_x509_cert_url", "universe_domain"]);

/** Secret documents are JSON; their inner strings are secrets too. */
function jsonFragments(s: string): string[] {
  try {
    const parsed = JSON.parse(s) as unknown;
    const out: string[] = [];
    const walk = (v: unknown) => {
      if (typeof v === "string") out.push(v);
      else if (v && typeof v === "object") {
        // A Google key file names its account, project and endpoints beside the private key:
        // those are public (the report prints the account), only the key is secret.
        const keyFile = (v as { type?: unknown }).type === "service_account";
        for (const [k, x] of Object.entries(v)) if (!keyFile || !PUBLIC_KEY_FILE_FIELDS.has(k)) walk(x);
      }
    };
    walk(reveal(parsed));
    return out.filter((x) => !/^\d{4}-\d\d-\d\dT/.test(x));
  } catch {
    return [];
  }
}

/** Every `$env(X)` a policy uses must be a variable gatelock writes. */
export function consistencyFindings(variables: readonly VariableSummary[], configs: readonly OriginGatewayConfig[]): Finding[] {
  const names = new Set(variables.map((v) => v.name));
  const findings: Finding[] = [];
  for (const c of configs) {
    const text = JSON.stringify(c);
    for (const m of text.matchAll(/\$env\(([A-Z0-9_]+)\)|\$\{env\.([A-Z0-9_]+)\}/g)) {
      const name = m[1] ?? m[2]!;
      if (!names.has(name)) {
        findings.push({ severity: "error", code: "ERR_POLICY_VARIABLE_MISSING", path: `gatelock:origins.${c.origin}`, message: `the gateway configuration uses ${name}, which no sink writes.`, fix: "report this as a gatelock bug." });
      }
    }
  }
  return findings;
}
