/**
 * Faithful fakes of the providers gatelock uses, for Pulumi's mock engine.
 *
 * "Faithful" means the outputs look and behave like the real provider's: random passwords
 * honour length and character classes and are really random; ARNs, resource IDs and names
 * have the real formats; secrets stay secrets; a resource whose inputs did not change keeps
 * its outputs across runs (as a real `pulumi up` would), and the rotation schedule advances
 * through the real provider logic. So what gatelock produces under these fakes can be checked
 * by real tools (Node's TLS stack, an IAM simulator, the origin verifier).
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { normaliseTunnelDir } from "../docker/tunnel-files-provider";
import { ResourceRefusedError } from "../errors";
import { advanceRotation, initialRotation, type RotationState } from "../shared-secret/rotation";
import { AWS_FAKES } from "./fakes-aws";
import { AZURE_FAKES } from "./fakes-azure";
import { AZUREAD_FAKES } from "./fakes-azuread";
import { GCP_KEY_FAKES } from "./fakes-gcp-keys";
import { GCP_FAKES } from "./fakes-gcp";
import { KUBERNETES_FAKES } from "./fakes-kubernetes";
import { TLS_FAKES } from "./fakes-tls";

type MockCallArgs = pulumi.runtime.MockCallArgs;

export {
  alnum,
  type Fake,
  type FakeCloudOptions,
  type FakeContext,
  fakeRandomPassword,
  isSecretValue,
  type PriorResource,
  reveal,
  SECRET_SIG,
  SECRET_SIG_KEY,
  secretValue,
  str,
} from "./fake-kit";
import { alnum, AUDIT_CLOCK_ANCHOR, digits, type Fake, type FakeCloudOptions, type FakeContext, fakeRandomPassword, isSecretValue, MIN_INVENTED_LENGTH, type MockResourceArgs, type MockResult, type PriorResource, reveal, secretValue, str } from "./fake-kit";

/**
 * Types that get new outputs whenever an input changes (a new password, a new secret version)
 * and keep them otherwise: same inputs → same outputs, as the provider's diff finds nothing.
 */
const REPLACE_ON_ANY_CHANGE = new Set([
  "random:index/randomPassword:RandomPassword",
  "aws:secretsmanager/secretVersion:SecretVersion",
  "gcp:secretmanager/secretVersion:SecretVersion",
  "azure-native:keyvault:Secret",
]);

const FAKES: Record<string, Fake> = {
  ...AWS_FAKES,
  ...GCP_FAKES,
  // After GCP_FAKES: it wraps the service account fake so keys can name their account.
  ...GCP_KEY_FAKES,
  ...AZURE_FAKES,
  ...AZUREAD_FAKES,
  ...TLS_FAKES,
  ...KUBERNETES_FAKES,
  "random:index/randomPassword:RandomPassword": ({ inputs }) => ({
    id: "none",
    state: {
      ...inputs,
      result: secretValue(fakeRandomPassword(reveal(inputs) as Record<string, unknown>)),
      bcryptHash: secretValue(`$2a$10$${alnum(53)}`),
    },
  }),

  "pulumi-nodejs:dynamic/gatelock:RotationSchedule": ({ inputs, name }, { options, prior }) => {
    const plain = reveal(inputs) as { rotateAfterDays: number; overlapDays: number; rotation: number };
    const next = prior ? advanceRotation(prior.state as unknown as RotationState, plain, options.now()) : initialRotation(plain, options.now());
    return { id: prior?.id ?? `rotation-${name}`, state: { ...inputs, ...next } };
  },
  "pulumi-nodejs:dynamic/gatelock:ZuploVariable": ({ inputs }, { prior, options, mark }) => {
    const i = reveal(inputs) as Record<string, string>;
    const now = mark(options.now().toISOString(), "<deploy time>");
    return {
      id: `${i.account}/${i.project}/${i.branch}/${i.name}`,
      state: { ...inputs, createdOn: (prior?.state.createdOn as string) ?? now, updatedOn: now },
    };
  },
  "pulumi-nodejs:dynamic/gatelock:DotenvFile": ({ inputs }) => ({ id: str(inputs.path), state: { ...inputs } }),
  // As the provider's create: the folder is the ID, and the token is no output, only its fingerprint (a secret).
  "pulumi-nodejs:dynamic/gatelock:DockerTunnelFiles": ({ inputs }) => {
    const { token, ...rest } = inputs;
    const i = reveal(rest) as Record<string, string>;
    const folder = `${normaliseTunnelDir(i.dir)}/${i.name}`;
    const fingerprint = `sha256:${createHash("sha256").update(str(token), "utf8").digest("hex")}`;
    return { id: folder, state: { ...rest, dir: normaliseTunnelDir(i.dir), configPath: `${folder}/${i.configFile}`, tokenPath: `${folder}/tunnel-token`, tokenFingerprint: secretValue(fingerprint) } };
  },
  // Redeploys (a new `redeployedAt`) only when the trigger changed, as the provider's diff decides.
  "pulumi-nodejs:dynamic/gatelock:ZuploRedeploy": ({ inputs }, { prior, options, invent, mark }) => {
    const i = reveal(inputs) as Record<string, string>;
    const unchanged = prior !== undefined && str(prior.inputs.trigger) === i.trigger && str(prior.inputs.branch) === i.branch;
    return {
      id: `${i.account}/${i.project}/${i.branch}/redeploy`,
      state: {
        ...inputs,
        deployments: unchanged ? prior.state.deployments : [`${i.project}-${i.branch}-${invent(() => alnum(7).toLowerCase(), "<random>")}`],
        redeployedAt: unchanged ? prior.state.redeployedAt : mark(options.now().toISOString(), "<deploy time>"),
      },
    };
  },
  // A new token only on create and when `rotation` changed (`$rotate-token`); always a secret.
  "pulumi-nodejs:dynamic/gatelock:ZuploTunnel": ({ inputs }, { prior, invent }) => {
    const i = reveal(inputs) as { rotation?: unknown };
    const tunnelId = prior?.id ?? `tnl_${invent(() => alnum(24), "<random>")}`;
    const keep = prior !== undefined && str(prior.inputs.rotation) === String(i.rotation) && prior.state.token !== undefined;
    // Zuplo's tokens are base64 of {"a": account tag, "t": tunnel UUID, "s": secret} (the document's example).
    const token = keep ? (isSecretValue(prior.state.token) ? prior.state.token : secretValue(prior.state.token)) : secretValue(Buffer.from(JSON.stringify({ a: randomBytes(16).toString("hex"), t: randomUUID(), s: randomBytes(32).toString("base64") })).toString("base64"));
    return { id: tunnelId, state: { ...inputs, tunnelId, token } };
  },
  "pulumi-nodejs:dynamic/gatelock:ZuploTunnelServices": ({ inputs }, { prior, invent }) => {
    const same = prior !== undefined && JSON.stringify(reveal(prior.inputs.services)) === JSON.stringify(reveal(inputs.services));
    const operationId = same ? prior.state.operationId : `pst_${invent(() => alnum(24), "<random>")}`;
    return { id: `${str(inputs.account)}/${str(inputs.tunnelId)}/services`, state: { ...inputs, operationId } };
  },

  "aws:secretsmanager/secret:Secret": ({ inputs }, { options, prior, invent }) => {
    const region = str(inputs.region ?? options.awsRegion);
    // Secrets Manager appends a hyphen and six random characters to the name.
    const arn = (prior?.state.arn as string) ?? `arn:aws:secretsmanager:${region}:${options.awsAccountId}:secret:${str(inputs.name)}-${invent(() => alnum(6), "<random>")}`;
    return { id: arn, state: { ...inputs, arn, region, recoveryWindowInDays: inputs.recoveryWindowInDays ?? 30, tagsAll: inputs.tags ?? {} } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": ({ inputs }, { invent }) => {
    const versionId = invent(randomUUID, "<version ID>");
    return { id: `${str(inputs.secretId)}|${versionId}`, state: { ...inputs, arn: str(inputs.secretId), versionId, versionStages: ["AWSCURRENT"] } };
  },
  "aws:secretsmanager/secretPolicy:SecretPolicy": ({ inputs }) => ({ id: str(inputs.secretArn), state: { ...inputs } }),

  "gcp:secretmanager/secret:Secret": ({ inputs }, { options, gcpProjectNumber, mark }) => {
    const id = `projects/${str(inputs.project)}/secrets/${str(inputs.secretId)}`;
    return {
      id,
      state: { ...inputs, name: `projects/${gcpProjectNumber(str(inputs.project))}/secrets/${str(inputs.secretId)}`, createTime: mark(options.now().toISOString(), "<deploy time>") },
    };
  },
  "gcp:secretmanager/secretVersion:SecretVersion": ({ inputs }, { options, prior, gcpProjectNumber, mark }) => {
    const [, project, , secretId] = str(inputs.secret).split("/");
    const version = String(Number(prior?.state.version ?? 0) + 1);
    const name = `projects/${gcpProjectNumber(project ?? "")}/secrets/${secretId}/versions/${version}`;
    return { id: name, state: { ...inputs, name, version, enabled: true, createTime: mark(options.now().toISOString(), "<deploy time>") } };
  },
  "gcp:secretmanager/secretIamMember:SecretIamMember": ({ inputs }, { invent }) => ({
    id: `projects/${str(inputs.project)}/secrets/${str(inputs.secretId)}/${str(inputs.role)}/${str(inputs.member)}`,
    state: { ...inputs, etag: invent(() => `BwX${alnum(9)}=`, "<etag>") },
  }),

  "azure-native:keyvault:Secret": ({ inputs }, { options, invent }) => {
    const name = str(inputs.secretName);
    const vault = str(inputs.vaultName);
    const id = `/subscriptions/${options.azureSubscriptionId}/resourceGroups/${str(inputs.resourceGroupName)}/providers/Microsoft.KeyVault/vaults/${vault}/secrets/${name}`;
    const secretUri = `https://${vault}.vault.azure.net/secrets/${name}`;
    // Key Vault never returns a secret's value from the management plane, so what is left of
    // `properties` is not secret.
    const props = reveal(inputs.properties ?? {}) as Record<string, unknown>;
    const { value: _value, ...visible } = props;
    return {
      id,
      state: {
        ...inputs,
        name,
        type: "Microsoft.KeyVault/vaults/secrets",
        properties: { ...visible, secretUri, secretUriWithVersion: `${secretUri}/${invent(() => randomBytes(16).toString("hex"), "<version>")}` },
      },
    };
  },
  "azure-native:authorization:RoleAssignment": ({ inputs }, { invent }) => {
    const guid = invent(randomUUID, "<role assignment ID>");
    return { id: `${str(inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${guid}`, state: { ...inputs, name: guid, type: "Microsoft.Authorization/roleAssignments" } };
  },
};

/** Resources of types with no fake, so tests can insist that none were used. */
export const UNFAKED: string[] = [];

export class FakeCloud implements pulumi.runtime.Mocks {
  readonly options: Required<Omit<FakeCloudOptions, "prior" | "inventAvoiding">>;
  private readonly prior: ReadonlyMap<string, PriorResource>;
  /** What this run produced, keyed by `type::name`: feed it to the next run as `prior`. */
  readonly produced = new Map<string, PriorResource>();
  /** Resources a fake refused, as the real cloud would have. */
  readonly refusals: ResourceRefusedError[] = [];
  private readonly refusalListeners: Array<(refusal: ResourceRefusedError) => void> = [];
  /**
   * Every value this run made up that only the real cloud would decide at deploy time,
   * with the marked placeholder a reviewer reads instead (see `FakeContext.invent`).
   */
  readonly invented = new Map<string, string>();
  /** The fixed deploy time this run's clock stands at, when the audit chose it (see `AUDIT_CLOCK_ANCHOR`). */
  readonly clockAnchor?: number;
  private readonly avoid: string | undefined;
  private readonly projectNumbers = new Map<string, string>();
  private readonly givenProjectNumber: boolean;
  private readonly shared: Omit<FakeContext, "prior">;
  private readonly triggers = new Map<string, string>();

  /** Be told when a fake refuses a resource (the engine fails the run at once). */
  onRefusal(listener: (refusal: ResourceRefusedError) => void): void {
    this.refusalListeners.push(listener);
  }

  constructor(options: FakeCloudOptions = {}) {
    this.avoid = options.inventAvoiding;
    // The deploying identity's facts: fixed, well-known values for tests; for the audit, drawn
    // and marked, since only the credentials `pulumi up` runs with decide them.
    const fact = (given: string | undefined, fixed: string, draw: () => string, placeholder: string) =>
      given ?? (this.avoid === undefined ? fixed : this.invent(draw, placeholder));
    this.options = {
      awsAccountId: fact(options.awsAccountId, "123456789012", () => digits(12), "<deploying account>"),
      awsRegion: options.awsRegion ?? "us-east-1",
      gcpProjectNumber: fact(options.gcpProjectNumber, "418203751982", () => digits(12), "<project number>"),
      azureSubscriptionId: fact(options.azureSubscriptionId, "6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b", randomUUID, "<deploying subscription>"),
      azureTenantId: fact(options.azureTenantId, "72f988bf-86f1-41af-91ab-2d7cd011db47", randomUUID, "<deploying tenant>"),
      now: options.now ?? (this.avoid === undefined ? () => new Date() : () => new Date(AUDIT_CLOCK_ANCHOR)),
    };
    if (this.avoid !== undefined && options.now === undefined) this.clockAnchor = AUDIT_CLOCK_ANCHOR;
    this.givenProjectNumber = options.gcpProjectNumber !== undefined || this.avoid === undefined;
    this.prior = options.prior ?? new Map();
    this.shared = {
      options: this.options,
      invent: (draw, placeholder) => this.invent(draw, placeholder),
      mark: (value, placeholder) => {
        if (value.length >= MIN_INVENTED_LENGTH && !this.avoid?.includes(value)) this.invented.set(value, placeholder);
        return value;
      },
      gcpProjectNumber: (project) => this.projectNumber(project),
    };
  }

  /** What a fake is called with: this run's options and ledger, and the resource's prior state. */
  context(prior?: PriorResource): FakeContext {
    return { ...this.shared, prior };
  }

  /** See `FakeContext.invent`. */
  invent(draw: () => string, placeholder: string): string {
    for (;;) {
      const value = draw();
      if (value.length < MIN_INVENTED_LENGTH || this.invented.has(value) || this.avoid?.includes(value)) continue;
      this.invented.set(value, placeholder);
      return value;
    }
  }

  /** One number per project ID when invented, so the placeholder can name the project. */
  private projectNumber(project: string): string {
    if (this.givenProjectNumber) return this.options.gcpProjectNumber;
    let n = this.projectNumbers.get(project);
    if (n === undefined) this.projectNumbers.set(project, (n = this.invent(() => digits(12), `<number of project ${project}>`)));
    return n;
  }

  /**
   * The engine replaces a resource whose `replacementTrigger` changed, whatever its inputs:
   * told here (by the mock engine, before `newResource`), so such a resource starts afresh.
   */
  noteReplacementTrigger(type: string, name: string, trigger: unknown): void {
    this.triggers.set(`${type}::${name}`, JSON.stringify(canonical(reveal(trigger))));
  }

  newResource(args: MockResourceArgs): MockResult {
    if (!args.custom) return { id: undefined, state: {} };
    const key = `${args.type}::${args.name}`;
    const trigger = this.triggers.get(key);
    const recorded = this.prior.get(key);
    const prior = recorded && recorded.replacementTrigger === trigger ? recorded : undefined;
    let result: MockResult;
    if (prior && REPLACE_ON_ANY_CHANGE.has(args.type) && sameInputs(prior.inputs, args.inputs)) {
      result = { id: prior.id, state: prior.state };
    } else {
      const fake = FAKES[args.type];
      if (!fake) UNFAKED.push(args.type);
      try {
        result = fake ? fake(args, this.context(prior)) : this.unfaked(args, this.context(prior));
      } catch (error) {
        // The cloud would refuse this resource. Say so at once: resources waiting on its
        // outputs would otherwise wait forever. Callers match the class (code
        // ERR_RESOURCE_REFUSED), never this message.
        const refusal = new ResourceRefusedError(args.type, args.name, (error as Error)?.message ?? String(error), { cause: error });
        this.refusals.push(refusal);
        for (const listener of this.refusalListeners) listener(refusal);
        throw refusal;
      }
    }
    this.produced.set(key, { inputs: args.inputs, id: result.id, state: result.state, ...(trigger !== undefined ? { replacementTrigger: trigger } : {}) });
    return result;
  }

  /**
   * A resource of a type with no faithful fake: its inputs echoed, under an ID made from its
   * name. The audit of a user's own program overrides this (`GenericFakeCloud`).
   */
  protected unfaked(args: MockResourceArgs, _ctx: FakeContext): MockResult {
    return { id: `${args.name}-id`, state: { ...args.inputs } };
  }

  call(args: MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: this.options.awsAccountId, arn: `arn:aws:iam::${this.options.awsAccountId}:user/gatelock`, userId: this.invent(() => "AIDA" + alnum(17).toUpperCase(), "<deploying user ID>"), id: this.options.awsAccountId };
      case "aws:index/getRegion:getRegion":
        return { region: this.options.awsRegion, name: this.options.awsRegion, id: this.options.awsRegion };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "gcp:organizations/getProject:getProject":
        return { number: this.projectNumber(String(args.inputs.projectId ?? "")), projectId: String(args.inputs.projectId ?? "") };
      case "azuread:index/getClientConfig:getClientConfig":
        return {
          tenantId: this.options.azureTenantId,
          clientId: this.invent(randomUUID, "<deploying client ID>"),
          objectId: this.invent(randomUUID, "<deploying object ID>"),
          id: this.options.azureTenantId,
        };
      case "azure-native:authorization:getClientConfig":
        return {
          subscriptionId: this.options.azureSubscriptionId,
          tenantId: this.options.azureTenantId,
          clientId: this.invent(randomUUID, "<deploying client ID>"),
          objectId: this.invent(randomUUID, "<deploying object ID>"),
        };
      default:
        throw new Error(`gatelock fakes: no fake for invoke ${args.token}`);
    }
  }
}

function sameInputs(a: unknown, b: unknown): boolean {
  return JSON.stringify(canonical(reveal(a))) === JSON.stringify(canonical(reveal(b)));
}

function canonical(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canonical((v as Record<string, unknown>)[k])]));
  }
  return v;
}
