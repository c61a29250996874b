import { createHash } from "node:crypto";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { asSecret } from "../component/secrets";
import { reportEnvironment } from "../component/audit-observer";
import { DotenvFile } from "../dotenv/dotenv-file";
import { ConfigError } from "../errors";
import { buildModel, type GatewayModel } from "../model/model";
import { ZuploRedeploy } from "../zuplo/redeploy";
import { ZuploVariable } from "../zuplo/variable";
import { MtlsCertificateDir } from "../local/mtls-certificate-dir";
import { ZuploMtlsCertificate } from "../zuplo/mtls-certificate";
import type { GatewayCertificate } from "./certificates";
import type { PairedVariable } from "./variables";

/** One variable for the gateway's environment. `value` should be a Pulumi secret when `isSecret`. */
export type GatewayVariable = PairedVariable;

/** What the stack outputs say about a variable: never its value. */
export interface VariableSummary {
  readonly name: string;
  readonly isSecret: boolean;
  readonly origin: string;
  readonly description: string;
  /** Where it was written: `zuplo-developer-api`, `dotenv:<path>`. */
  readonly sinks: readonly string[];
}

export interface ZuploEnvironmentArgs {
  /** Zuplo account name. */
  readonly account: string;
  /** Zuplo project name. */
  readonly project: string;
  /** Zuplo branch (environment) whose variables are set. */
  readonly branch: string;
  /** The variables to write: each origin component's `gatewayVariables`. */
  readonly variables: readonly GatewayVariable[];
  /** Client certificates the gateway presents (mTLS origins' `gatewayCertificates`): to Zuplo's certificate store, or for a local origin to `zuplo dev`'s certificates directory. */
  readonly certificates?: readonly GatewayCertificate[];
  /** Write them with Zuplo's Developer API (default true; needs `ZUPLO_API_KEY` or `gatelock:zuploApiKey`). */
  readonly developerApi?: boolean;
  /** Developer API base URL (default `https://dev.zuplo.com`; loopback for tests). */
  readonly apiUrl?: string;
  /** Escape hatch: an https `apiUrl` on another host than Zuplo's. */
  readonly dangerouslyAllowCustomApiUrl?: boolean;
  /** Also write them to this dotenv file (relative to `projectDir`), for `zuplo dev`; git must ignore it. */
  readonly dotenv?: string;
  /** After the Developer API writes changed variables, redeploy the branch so they take effect at once. */
  readonly redeploy?: boolean;
  /** The Pulumi project's directory (default: the working directory). */
  readonly projectDir?: string;
}

/**
 * The redeploy fingerprint: SHA-256 over every variable's name, secrecy and value, independent
 * of their order. Any change to one of them changes it.
 */
export function redeployTrigger(entries: readonly { name: string; isSecret: boolean; value: string }[]): string {
  const canonical = [...entries].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).map((e) => [e.name, e.isSecret, e.value]);
  return createHash("sha256").update(JSON.stringify(["gatelock-redeploy-v1", canonical])).digest("hex");
}

/**
 * Where gateway variables land: the Zuplo Developer API (one resource per variable), a
 * dotenv file for `zuplo dev`, or both. With `redeploy`, a `ZuploRedeploy` after the
 * variables redeploys the branch whenever one of them changes. Its args are checked by the
 * model exactly as the stack file's `gatelock:gateway` is.
 */
export class ZuploEnvironment extends pulumi.ComponentResource {
  /** Variables written, with their sinks; no values. */
  readonly variables: readonly VariableSummary[];
  /** Client certificates stored, by origin and name, with their sinks; never a key. */
  readonly certificates: readonly { readonly origin: string; readonly name: pulumi.Input<string>; readonly sinks: readonly string[] }[];
  private readonly sources: readonly GatewayVariable[];
  private valuesOutput?: pulumi.Output<Record<string, string>>;
  /** The redeploy resource, when `environment.redeploy` is on (with the Developer API). */
  readonly redeploy?: ZuploRedeploy;

  constructor(name: string, args: ZuploEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gateway:GatewayEnvironment", name, {}, opts);
    const projectDir = path.resolve(args.projectDir ?? process.cwd());
    const gateway = gatewayModel(name, args, projectDir);
    const sinks: string[] = [];

    const api = gateway.environment.developerApi;
    // Certificates first: a variable naming one may change only once it exists.
    const stored = new Map<string, pulumi.Resource[]>();
    for (const c of args.certificates ?? []) {
      const resource = storeCertificate(`${name}-mtls-${c.origin}`, c, { api, gateway, projectDir }, { parent: this, dependsOn: [...(c.dependsOn ?? [])] });
      if (!resource) continue;
      stored.set(c.origin, [...(stored.get(c.origin) ?? []), resource]);
    }
    this.certificates = (args.certificates ?? []).map((c) => ({ origin: c.origin, name: c.name, sinks: c.localDir ? [`mtls-dir:${c.localDir}`] : api ? ["zuplo-developer-api"] : [] }));
    const written: ZuploVariable[] = [];
    if (api) {
      sinks.push("zuplo-developer-api");
      for (const v of args.variables) {
        const variable = new ZuploVariable(
          `${name}-${v.name.toLowerCase()}`,
          {
            apiUrl: api.apiUrl,
            account: gateway.account,
            project: gateway.project,
            branch: gateway.branch,
            name: v.name,
            isSecret: v.isSecret,
            value: v.isSecret ? asSecret(v.value) : v.value,
          },
          { parent: this, dependsOn: [...(v.dependsOn ?? []), ...(stored.get(v.origin) ?? [])] },
        );
        written.push(variable);
      }
    }

    // Zuplo applies variable values only on a new deployment: redeploy after every variable is
    // written, and only when one of them changed (the trigger is a fingerprint of them all).
    if (api?.redeploy && written.length > 0) {
      const trigger = pulumi
        .all(args.variables.map((v) => pulumi.all([v.name, v.isSecret, v.value])))
        .apply((all) => redeployTrigger(all.map(([n, s, value]) => ({ name: n, isSecret: s, value }))));
      this.redeploy = new ZuploRedeploy(
        `${name}-redeploy`,
        { apiUrl: api.apiUrl, account: gateway.account, project: gateway.project, branch: gateway.branch, trigger: pulumi.secret(trigger) },
        { parent: this, dependsOn: written },
      );
    }

    this.sources = args.variables;
    const dotenv = gateway.environment.dotenv;
    if (dotenv) {
      sinks.push(`dotenv:${dotenv.path}`);
      new DotenvFile(
        `${name}-dotenv`,
        { path: dotenv.path, projectDir, entries: this.values },
        { parent: this, dependsOn: [...args.variables.flatMap((v) => [...(v.dependsOn ?? [])]), ...[...stored.values()].flat()] },
      );
    }

    this.variables = args.variables.map((v) => ({
      name: v.name,
      isSecret: v.isSecret,
      origin: v.origin,
      description: v.description,
      sinks,
    }));
    reportEnvironment({ component: name, gateway, variables: this.variables });
    this.registerOutputs({ variables: this.variables, certificates: this.certificates });
  }

  /** Every value by name, as one Pulumi secret, for programs that need to hand them on. */
  get values(): pulumi.Output<Record<string, string>> {
    // Built when first read (a dotenv file reads it at once): Pulumi makes two Outputs per
    // entry of such a map, and most programs, gatelock's own among them, never read it.
    return (this.valuesOutput ??= valuesOf(this.sources));
  }

  /** Package classes publish every output they declare, this one included, by assigning it. */
  set values(values: pulumi.Output<Record<string, string>>) {
    this.valuesOutput = values;
  }
}

function valuesOf(variables: readonly GatewayVariable[]): pulumi.Output<Record<string, string>> {
  const entries: Record<string, pulumi.Input<string>> = {};
  for (const v of variables) entries[v.name] = v.value;
  return asSecret(pulumi.output(entries) as pulumi.Output<Record<string, string>>);
}

/**
 * One certificate where the gateway reads it: a local origin's goes to `zuplo dev`'s
 * certificates directory; any other to Zuplo's certificate store through the Developer API
 * (none without it: the certificate is then the user's to upload). Returns the resource.
 */
function storeCertificate(
  name: string,
  c: GatewayCertificate,
  sink: { readonly api: GatewayModel["environment"]["developerApi"]; readonly gateway: GatewayModel; readonly projectDir: string },
  opts: pulumi.CustomResourceOptions,
): pulumi.Resource | undefined {
  if (c.localDir !== undefined) {
    return new MtlsCertificateDir(name, { projectDir: sink.projectDir, dir: c.localDir, name: c.name, certificate: c.certificate, key: asSecret(c.key) }, opts);
  }
  if (!sink.api) return undefined;
  return new ZuploMtlsCertificate(
    name,
    {
      apiUrl: sink.api.apiUrl,
      account: sink.gateway.account,
      project: sink.gateway.project,
      name: c.name,
      environments: [...(c.environments ?? ["production"])],
      certificate: c.certificate,
      key: asSecret(c.key),
      redeployOnDelete: sink.api.redeploy,
    },
    opts,
  );
}

/** The gateway model these args stand for, checked as the stack file's `gatelock:gateway` is. */
function gatewayModel(component: string, args: ZuploEnvironmentArgs, projectDir: string): GatewayModel {
  const { account, project, branch, developerApi, apiUrl, dangerouslyAllowCustomApiUrl, dotenv, redeploy } = args;
  const environment = Object.fromEntries(Object.entries({ developerApi, apiUrl, dangerouslyAllowCustomApiUrl, dotenv, redeploy }).filter(([, v]) => v !== undefined));
  try {
    return buildModel({ gateway: { kind: "zuplo", account, project, branch, environment }, origins: [] }, { stack: pulumi.getStack(), projectDir }).gateway;
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    // `gatelock:gateway.environment.apiUrl` → `gateway: apiUrl`.
    throw new ConfigError(e.issues.map((i) => ({ ...i, path: `${component}: ${i.path.replace(/^gatelock:gateway\.?(environment\.?)?/, "") || "args"}` })));
  }
}
