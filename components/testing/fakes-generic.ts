/**
 * Generic fakes, for the resources of a user's own program that have no faithful fake (an S3
 * bucket, a Cloud Run service): the outputs programs usually read (`id`, `name`, `arn`,
 * `email`, `url`…) in the format the type token's cloud uses, so the program runs on.
 *
 * They are guesses, not facts: every value made up here goes into the invent ledger with a
 * placeholder naming the resource (`<arn of orders-assets>`), so the audit prints the
 * placeholder, never the guess, and the resource is reported as generically faked.
 */
import { randomBytes } from "node:crypto";
import type { FakeContext, MockResourceArgs, MockResult } from "./fake-kit";
import { str } from "./fake-kit";
import { FakeCloud, type FakeCloudOptions } from "./fakes";

/** A FakeCloud whose unfaked resources get generic fakes; it remembers which ones did. */
export class GenericFakeCloud extends FakeCloud {
  /** `type::name` of every resource given a generic fake. */
  readonly generic = new Set<string>();
  private readonly config: Readonly<Record<string, string>>;

  /** `config`: the stack config, whose provider defaults (`aws:region`, `gcp:project`…) real providers use too. */
  constructor(options: FakeCloudOptions, config: Readonly<Record<string, string>> = {}) {
    super(options);
    this.config = config;
  }

  protected override unfaked(args: MockResourceArgs, ctx: FakeContext): MockResult {
    // A provider instance has no cloud outputs: echo it, as the base class does.
    if (args.type.startsWith("pulumi:providers:")) return super.unfaked(args, ctx);
    this.generic.add(`${args.type}::${args.name}`);
    return genericFake(args, ctx, this.config);
  }
}

/** Pulumi's auto-name: the logical name, a hyphen, seven random hex digits. */
function autoName(logical: string): () => string {
  return () => `${logical}-${randomBytes(4).toString("hex").slice(0, 7)}`;
}

/** `aws:s3/bucket:Bucket` → { pkg: aws, service: s3, kind: bucket }. */
function parseType(type: string): { pkg: string; service: string; kind: string } {
  const [pkg = "", mod = "", kind = ""] = type.split(":");
  return { pkg, service: mod.split("/")[0] ?? mod, kind: kind.replace(/([a-z0-9])([A-Z])/g, "$1-$2").toLowerCase() };
}

export function genericFake(args: MockResourceArgs, ctx: FakeContext, config: Readonly<Record<string, string>>): MockResult {
  const { inputs, name: logical } = args;
  const { pkg, service, kind } = parseType(args.type);
  const out: Record<string, unknown> = {};
  const set = (key: string, value: () => string) => {
    if (inputs[key] === undefined) out[key] = value();
  };
  const placeholder = (what: string) => `<${what} of ${logical}>`;

  // The name the provider would give it (S3 buckets name themselves in `bucket`).
  const nameKey = pkg === "aws" && service === "s3" && inputs.name === undefined && /^bucket(-v2)?$/.test(kind) ? "bucket" : "name";
  const name = inputs[nameKey] !== undefined ? str(inputs[nameKey]) : ctx.invent(autoName(logical), placeholder("name"));
  out[nameKey] = inputs[nameKey] ?? name;
  // Mark a guess made from known parts (it is still not what the cloud would return).
  const guess = (what: string, value: string) => ctx.mark(value, placeholder(what));

  let id: string;
  switch (pkg) {
    case "aws": {
      const region = inputs.region !== undefined ? str(inputs.region) : (config["aws:region"] ?? ctx.options.awsRegion);
      const account = ctx.options.awsAccountId;
      const arn = service === "s3" ? `arn:aws:s3:::${name}` : service === "iam" ? `arn:aws:iam::${account}:${kind}/${name}` : `arn:aws:${service}:${region}:${account}:${kind}/${name}`;
      set("arn", () => guess("arn", arn));
      id = name;
      break;
    }
    case "gcp": {
      const project = inputs.project !== undefined ? str(inputs.project) : (config["gcp:project"] ?? "project");
      const location = inputs.location !== undefined ? str(inputs.location) : inputs.region !== undefined ? str(inputs.region) : (config["gcp:region"] ?? "us-central1");
      // Not marked as a whole: it is made of known inputs and the name (marked where made
      // up), and gatelock may print the same path for a resource it names (a Cloud Run service).
      id = `projects/${project}/locations/${location}/${kind}s/${name}`;
      if (kind.endsWith("account")) set("email", () => guess("email", `${inputs.accountId !== undefined ? str(inputs.accountId) : name}@${project}.iam.gserviceaccount.com`));
      if (service.startsWith("cloudrun")) {
        // Cloud Run's deterministic URL: https://<service>-<project number>.<region>.run.app
        const url = guess("url", `https://${name}-${ctx.gcpProjectNumber(project)}.${location}.run.app`);
        set("uri", () => url);
        set("url", () => url);
      }
      break;
    }
    case "azure-native": {
      const group = inputs.resourceGroupName !== undefined ? str(inputs.resourceGroupName) : "resource-group";
      const provider = `Microsoft.${service.charAt(0).toUpperCase()}${service.slice(1)}`;
      // Made of known inputs and marked facts (subscription, name), like a GCP ID.
      id = `/subscriptions/${ctx.options.azureSubscriptionId}/resourceGroups/${group}/providers/${provider}/${kind.replace(/-/g, "")}s/${name}`;
      break;
    }
    default:
      id = ctx.invent(autoName(`${logical}-id`), placeholder("id"));
  }
  set("id", () => id);
  return { id, state: { ...inputs, ...out } };
}
