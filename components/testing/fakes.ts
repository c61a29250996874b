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
import { randomBytes, randomUUID } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import { ResourceRefusedError } from "../errors";
import { advanceRotation, initialRotation, type RotationState } from "../shared-secret/rotation";
import { AWS_FAKES } from "./fakes-aws";
import { AZURE_FAKES } from "./fakes-azure";
import { GCP_FAKES } from "./fakes-gcp";

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
import { alnum, type Fake, type FakeCloudOptions, fakeRandomPassword, type MockResourceArgs, type MockResult, type PriorResource, reveal, secretValue, str } from "./fake-kit";

/** Types whose every input forces replacement: same inputs → same outputs, else new ones. */
const REPLACE_ON_ANY_CHANGE = new Set(["random:index/randomPassword:RandomPassword"]);

const FAKES: Record<string, Fake> = {
  ...AWS_FAKES,
  ...GCP_FAKES,
  ...AZURE_FAKES,
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
  "pulumi-nodejs:dynamic/gatelock:ZuploVariable": ({ inputs }, { prior }) => {
    const i = reveal(inputs) as Record<string, string>;
    const now = new Date().toISOString();
    return {
      id: `${i.account}/${i.project}/${i.branch}/${i.name}`,
      state: { ...inputs, createdOn: (prior?.state.createdOn as string) ?? now, updatedOn: now },
    };
  },
  "pulumi-nodejs:dynamic/gatelock:DotenvFile": ({ inputs }) => ({ id: str(inputs.path), state: { ...inputs } }),
  // Redeploys (a new `redeployedAt`) only when the trigger changed, as the provider's diff decides.
  "pulumi-nodejs:dynamic/gatelock:ZuploRedeploy": ({ inputs }, { prior }) => {
    const i = reveal(inputs) as Record<string, string>;
    const unchanged = prior !== undefined && str(prior.inputs.trigger) === i.trigger && str(prior.inputs.branch) === i.branch;
    return {
      id: `${i.account}/${i.project}/${i.branch}/redeploy`,
      state: {
        ...inputs,
        deployments: unchanged ? prior.state.deployments : [`${i.project}-${i.branch}-${alnum(7).toLowerCase()}`],
        redeployedAt: unchanged ? prior.state.redeployedAt : new Date().toISOString(),
      },
    };
  },

  "aws:secretsmanager/secret:Secret": ({ inputs }, { options, prior }) => {
    const region = str(inputs.region ?? options.awsRegion);
    const arn = (prior?.state.arn as string) ?? `arn:aws:secretsmanager:${region}:${options.awsAccountId}:secret:${str(inputs.name)}-${alnum(6)}`;
    return { id: arn, state: { ...inputs, arn, region, recoveryWindowInDays: inputs.recoveryWindowInDays ?? 30, tagsAll: inputs.tags ?? {} } };
  },
  "aws:secretsmanager/secretVersion:SecretVersion": ({ inputs }) => {
    const versionId = randomUUID();
    return { id: `${str(inputs.secretId)}|${versionId}`, state: { ...inputs, arn: str(inputs.secretId), versionId, versionStages: ["AWSCURRENT"] } };
  },
  "aws:secretsmanager/secretPolicy:SecretPolicy": ({ inputs }) => ({ id: str(inputs.secretArn), state: { ...inputs } }),

  "gcp:secretmanager/secret:Secret": ({ inputs }, { options }) => {
    const id = `projects/${str(inputs.project)}/secrets/${str(inputs.secretId)}`;
    return {
      id,
      state: { ...inputs, name: `projects/${options.gcpProjectNumber}/secrets/${str(inputs.secretId)}`, createTime: new Date().toISOString() },
    };
  },
  "gcp:secretmanager/secretVersion:SecretVersion": ({ inputs }, { options, prior }) => {
    const secretId = str(inputs.secret).split("/").pop();
    const version = String(Number(prior?.state.version ?? 0) + 1);
    const name = `projects/${options.gcpProjectNumber}/secrets/${secretId}/versions/${version}`;
    return { id: name, state: { ...inputs, name, version, enabled: true, createTime: new Date().toISOString() } };
  },
  "gcp:secretmanager/secretIamMember:SecretIamMember": ({ inputs }) => ({
    id: `projects/${str(inputs.project)}/secrets/${str(inputs.secretId)}/${str(inputs.role)}/${str(inputs.member)}`,
    state: { ...inputs, etag: `BwX${alnum(9)}=` },
  }),

  "azure-native:keyvault:Secret": ({ inputs }, { options }) => {
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
        properties: { ...visible, secretUri, secretUriWithVersion: `${secretUri}/${randomBytes(16).toString("hex")}` },
      },
    };
  },
  "azure-native:authorization:RoleAssignment": ({ inputs }) => {
    const guid = randomUUID();
    return { id: `${str(inputs.scope)}/providers/Microsoft.Authorization/roleAssignments/${guid}`, state: { ...inputs, name: guid, type: "Microsoft.Authorization/roleAssignments" } };
  },
};

/** Resources of types with no fake, so tests can insist that none were used. */
export const UNFAKED: string[] = [];

export class FakeCloud implements pulumi.runtime.Mocks {
  readonly options: Required<Omit<FakeCloudOptions, "prior">>;
  private readonly prior: ReadonlyMap<string, PriorResource>;
  /** What this run produced, keyed by `type::name`: feed it to the next run as `prior`. */
  readonly produced = new Map<string, PriorResource>();
  /** Resources a fake refused, as the real cloud would have. */
  readonly refusals: ResourceRefusedError[] = [];
  private readonly refusalListeners: Array<(refusal: ResourceRefusedError) => void> = [];

  /** Be told when a fake refuses a resource (the engine fails the run at once). */
  onRefusal(listener: (refusal: ResourceRefusedError) => void): void {
    this.refusalListeners.push(listener);
  }

  constructor(options: FakeCloudOptions = {}) {
    this.options = {
      awsAccountId: options.awsAccountId ?? "123456789012",
      awsRegion: options.awsRegion ?? "us-east-1",
      gcpProjectNumber: options.gcpProjectNumber ?? "418203751982",
      azureSubscriptionId: options.azureSubscriptionId ?? "6b9a3f1e-2c4d-4e8f-9a1b-3c5d7e9f1a2b",
      azureTenantId: options.azureTenantId ?? "72f988bf-86f1-41af-91ab-2d7cd011db47",
      now: options.now ?? (() => new Date()),
    };
    this.prior = options.prior ?? new Map();
  }

  newResource(args: MockResourceArgs): MockResult {
    if (!args.custom) return { id: undefined, state: {} };
    const key = `${args.type}::${args.name}`;
    const prior = this.prior.get(key);
    let result: MockResult;
    if (prior && REPLACE_ON_ANY_CHANGE.has(args.type) && sameInputs(prior.inputs, args.inputs)) {
      result = { id: prior.id, state: prior.state };
    } else {
      const fake = FAKES[args.type];
      if (!fake) UNFAKED.push(args.type);
      try {
        result = fake ? fake(args, { options: this.options, prior }) : { id: `${args.name}-id`, state: { ...args.inputs } };
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
    this.produced.set(key, { inputs: args.inputs, id: result.id, state: result.state });
    return result;
  }

  call(args: MockCallArgs): Record<string, unknown> {
    switch (args.token) {
      case "aws:index/getCallerIdentity:getCallerIdentity":
        return { accountId: this.options.awsAccountId, arn: `arn:aws:iam::${this.options.awsAccountId}:user/gatelock`, userId: "AIDA" + alnum(17).toUpperCase(), id: this.options.awsAccountId };
      case "aws:index/getRegion:getRegion":
        return { region: this.options.awsRegion, name: this.options.awsRegion, id: this.options.awsRegion };
      case "aws:index/getPartition:getPartition":
        return { partition: "aws", dnsSuffix: "amazonaws.com", id: "aws" };
      case "gcp:organizations/getProject:getProject":
        return { number: this.options.gcpProjectNumber, projectId: String(args.inputs.projectId ?? "") };
      case "azure-native:authorization:getClientConfig":
        return { subscriptionId: this.options.azureSubscriptionId, tenantId: this.options.azureTenantId, clientId: randomUUID(), objectId: randomUUID() };
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
