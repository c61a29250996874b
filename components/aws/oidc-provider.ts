/**
 * The IAM OIDC provider for the gateway's issuer: one per issuer per account (AWS refuses a
 * second for the same URL), shared by every federated origin of the stack.
 *
 * Origins are built one by one, each knowing only itself, so they meet here: the first origin
 * of a stack that needs the provider creates it, as a component of its own at the stack's
 * root (its URN must not change when origins come and go, or Pulumi would try to create a
 * second provider before deleting the first); every origin adds its audience to the
 * provider's client IDs. The client IDs are sealed once the program's synchronous build is
 * over (the next turn of the event loop), so an origin built later, after an `await`, is
 * refused rather than silently left out.
 *
 * The registry is kept per Pulumi stack resource: each run of a program (tests run several
 * per process) gets a fresh one and never sees a provider of a previous run.
 */
import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { OpenIdConnectProvider } from "@pulumi/aws/iam/openIdConnectProvider";
import { GatelockError } from "../errors";
import { issuerHostPath } from "../model/federated/aws";

export interface AwsOidcProviderArgs {
  /** Exact `iss` of the gateway's tokens (https). */
  readonly issuer: string;
  /** Audiences the provider accepts (IAM client IDs). */
  readonly clientIds: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * `gatelock:aws:OidcProvider`: an IAM OIDC provider for one issuer. No thumbprints: IAM
 * validates the JWKS endpoint's certificate against its own trusted root CAs and uses
 * thumbprints only for a private CA.
 */
export class AwsOidcProvider extends pulumi.ComponentResource {
  readonly arn: pulumi.Output<string>;
  readonly provider: OpenIdConnectProvider;

  constructor(name: string, args: AwsOidcProviderArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:aws:OidcProvider", name, {}, opts);
    this.provider = new OpenIdConnectProvider(
      `${name}-provider`,
      { url: args.issuer, clientIdLists: args.clientIds, tags: { "managed-by": "gatelock" } },
      // Only one provider may exist per URL: a replacement must delete the old one first.
      { parent: this, deleteBeforeReplace: true },
    );
    this.arn = this.provider.arn;
    this.registerOutputs({ arn: this.arn, issuer: args.issuer });
  }
}

/** What an origin gets from the registry. */
export interface SharedOidcProvider {
  readonly arn: pulumi.Output<string>;
  /** The component, when the stack creates the provider (absent when adopted). */
  readonly component?: AwsOidcProvider;
}

export interface OidcProviderRequest {
  readonly issuer: string;
  readonly audience: string;
  /** Config key of the origin asking, for messages (`gatelock:origins[2]`). */
  readonly originKey: string;
  /** Adopt this provider instead of creating one. */
  readonly adoptArn?: string;
  /** The origin's resource options: an explicit AWS provider means another account. */
  readonly opts?: pulumi.ComponentResourceOptions;
}

interface Entry {
  readonly firstOrigin: string;
  readonly adoptArn: string | undefined;
  readonly audiences: Set<string>;
  sealed: boolean;
  readonly result: SharedOidcProvider;
}

const registries = new WeakMap<object, Map<string, Entry>>();
const outsideAnyStack = {};
const providerIds = new WeakMap<object, number>();
let nextProviderId = 1;

function registry(): Map<string, Entry> {
  // A new stack resource per run; under mocks without a stack, the monitor is new per run.
  const scope: object = pulumi.runtime.getStackResource() ?? (pulumi.runtime.getMonitor() as object | undefined) ?? outsideAnyStack;
  let map = registries.get(scope);
  if (!map) registries.set(scope, (map = new Map()));
  return map;
}

/** The explicit AWS provider among the origin's options, if any. */
function awsProvider(opts: pulumi.ComponentResourceOptions | undefined): pulumi.ProviderResource | undefined {
  if (opts?.provider) return opts.provider;
  const providers = opts?.providers;
  if (!providers) return undefined;
  const list = Array.isArray(providers) ? providers : Object.values(providers);
  return list.find((p) => (p as unknown as { getPackage?: () => string }).getPackage?.() === "aws");
}

/**
 * The stack's provider for the issuer, created on first use, or the adopted one. One entry per
 * (stack run, issuer, AWS provider): origins deployed with another explicit AWS provider are
 * in another account and get their own.
 */
export function sharedOidcProvider(req: OidcProviderRequest): SharedOidcProvider {
  const provider = awsProvider(req.opts);
  let providerKey = "default";
  if (provider) {
    let id = providerIds.get(provider);
    if (id === undefined) providerIds.set(provider, (id = nextProviderId++));
    providerKey = `p${id}`;
  }
  const key = `${req.issuer}|${providerKey}`;
  const reg = registry();
  const existing = reg.get(key);

  if (existing) {
    if (existing.adoptArn !== req.adoptArn) {
      throw new GatelockError(
        "ERR_CONFIG_CONFLICT",
        `${req.originKey}.aws.oidcProviderArn: ${existing.firstOrigin} ${existing.adoptArn ? `adopts ${existing.adoptArn}` : "creates the stack's provider"} for ${req.issuer}, and AWS allows one per issuer per account. Fix: set the same \`oidcProviderArn\` on every AWS federated origin of the stack, or on none.`,
      );
    }
    if (!existing.adoptArn && !existing.audiences.has(req.audience)) {
      if (existing.sealed) {
        throw new GatelockError(
          "ERR_CONFIG_CONFLICT",
          `${req.originKey}: the OIDC provider for ${req.issuer} was already registered with its audiences; this origin's audience came too late. Fix: build every AWS federated origin of the stack before the program first awaits.`,
        );
      }
      existing.audiences.add(req.audience);
    }
    return existing.result;
  }

  if (req.adoptArn) {
    const entry: Entry = { firstOrigin: req.originKey, adoptArn: req.adoptArn, audiences: new Set([req.audience]), sealed: true, result: { arn: pulumi.output(req.adoptArn) } };
    reg.set(key, entry);
    return entry.result;
  }

  const audiences = new Set([req.audience]);
  let entry!: Entry;
  const clientIds = new Promise<string[]>((resolve) =>
    setImmediate(() => {
      entry.sealed = true;
      resolve([...audiences].sort());
    }),
  );
  const hash = createHash("sha256").update(key).digest("hex").slice(0, 8);
  const host = issuerHostPath(req.issuer).split("/")[0]!.replace(/[^A-Za-z0-9.-]/g, "-");
  const component = new AwsOidcProvider(`gatelock-oidc-${host}-${hash}`, { issuer: req.issuer, clientIds }, provider ? { provider } : {});
  entry = { firstOrigin: req.originKey, adoptArn: undefined, audiences, sealed: false, result: { arn: component.arn, component } };
  reg.set(key, entry);
  return entry.result;
}
