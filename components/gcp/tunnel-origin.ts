import * as pulumi from "@pulumi/pulumi";
import { WorkerPool } from "@pulumi/gcp/cloudrunv2/workerPool";
import { Secret } from "@pulumi/gcp/secretmanager/secret";
import { SecretIamMember } from "@pulumi/gcp/secretmanager/secretIamMember";
import { SecretVersion } from "@pulumi/gcp/secretmanager/secretVersion";
import { Account } from "@pulumi/gcp/serviceaccount/account";
import { checkOrigin } from "../component/checked-origin";
import { grantName } from "../component/grant-names";
import type { GatewayVariable } from "../gateway/environment";
import { tunnelVariables } from "../gateway/tunnel";
import { pairVariables } from "../gateway/variables";
import type { Finding } from "../model/safety";
import { isTunnelOn, type TunnelOriginArgsBase, tunnelConfig, type TunnelService, tunnelService, carriedArg, carriedConfigs, carriedServices } from "../tunnel/origin-args";

/** Read access to payloads of one secret, and nothing else. */
const SECRET_ACCESSOR_ROLE = "roles/secretmanager.secretAccessor";

/**
 * Direct VPC egress for private ranges only. The origin is private (the model refuses a public
 * endpoint unless explicitly allowed), so its address is routed through the VPC; Cloudflare's
 * edge (TCP 7844) is public and leaves through Cloud Run's own internet egress. With
 * `ALL_TRAFFIC` the edge would be reached only through the VPC, i.e. only where the subnet has
 * a Cloud NAT: without one the pool deploys but never connects, and nothing says why.
 */
export const TUNNEL_VPC_EGRESS = "PRIVATE_RANGES_ONLY";

/** The worker pool's name: Cloud Run names are lower case, start with a letter, at most 49 characters. */
export function workerPoolName(tunnelName: string): string {
  return `gl-tunnel-${tunnelName.toLowerCase()}`.slice(0, 49).replace(/-+$/, "");
}

/** `GcpTunnelOrigin`'s args: the stack file's `gcp` block of a tunnel origin. */
export interface GcpTunnelOriginArgs extends TunnelOriginArgsBase {
  /** Project ID that holds the connector, its service account and the token's secret. */
  readonly project: string;
  /** Region of the Cloud Run worker pool (e.g. `europe-west1`): where the origin's subnetwork is. */
  readonly region: string;
  /** The VPC network the origin is in (name or self link; usually another resource's output). */
  readonly network: pulumi.Input<string>;
  /** The subnetwork in `region` the connector's Direct VPC egress takes its addresses from (name or self link). */
  readonly subnetwork: pulumi.Input<string>;
}

/**
 * A tunnel origin's connector on GCP: a Cloud Run worker pool (no HTTP endpoint, nothing
 * listens) running the connector image with Direct VPC egress into the origin's network, as a
 * service account of its own that may read the tunnel's token in Secret Manager and nothing else.
 */
export class GcpTunnelOrigin extends pulumi.ComponentResource {
  /** Email of the connector's service account. */
  readonly serviceAccountEmail: pulumi.Output<string>;
  /** Resource name of the token's secret (`projects/<number>/secrets/<id>`). */
  readonly secretName: pulumi.Output<string>;
  /** The secret version the connector runs with (a new one on every token rotation). */
  readonly tokenVersion: pulumi.Output<string>;
  /** Name of the worker pool. */
  readonly workerPoolName: pulumi.Output<string>;
  /** The worker pool revision created last (a new one on every token rotation). */
  readonly latestRevision: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly tunnelService: TunnelService;
  /** Every service of the tunnel this connector carries: this origin's, then those in `tunnel.alsoCarries` (for `GatewayTunnel.carry`). */
  readonly tunnelServices: readonly TunnelService[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: GcpTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gcp:TunnelOrigin", name, {}, opts);
    const { project, region, network, subnetwork } = args;
    const check = checkOrigin({
      component: name,
      config: tunnelConfig(name, "gcp", args, { project, region, network, subnetwork }),
      siblings: carriedConfigs(name, "gcp", args, { project, region, network, subnetwork }),
      siblingArg: carriedArg,
      placeholders: { "gcp.network": () => "gatelock-pending", "gcp.subnetwork": () => "gatelock-pending" },
      is: isTunnelOn("gcp"),
    });
    const origin = check.known;
    const target = origin.target;
    const parent = { parent: this };
    const labels = { "managed-by": "gatelock", "gatelock-origin": origin.name };

    const account = new Account(
      `${name}-sa`,
      { project: target.project, accountId: target.serviceAccountId, displayName: `gatelock tunnel connector ${origin.tunnel.tunnelName}`, description: "Runs the tunnel connector; reads its token and nothing else." },
      parent,
    );
    const secret = new Secret(`${name}-token`, { project: target.project, secretId: target.tokenSecretId, replication: { auto: {} }, labels }, parent);
    // `secretData` forces a new version: a rotated token is a new version number, never an
    // in-place change, so the pool below gets a new revision pinned to it.
    const version = new SecretVersion(`${name}-token-version`, { secret: secret.id, secretData: pulumi.secret(args.tunnel.token) }, parent);
    const member = `serviceAccount:${target.serviceAccountId}@${target.project}.iam.gserviceaccount.com`;
    const grant = new SecretIamMember(
      grantName(name, "token-reader", member, SECRET_ACCESSOR_ROLE, target.project, target.tokenSecretId),
      { project: target.project, secretId: secret.secretId, role: SECRET_ACCESSOR_ROLE, member: account.member },
      parent,
    );

    const pool = new WorkerPool(
      `${name}-pool`,
      {
        project: target.project,
        location: target.region,
        name: workerPoolName(origin.tunnel.tunnelName),
        description: `gatelock: tunnel connector for ${origin.tunnel.tunnelName} (no endpoint; dials out only)`,
        labels,
        // The provider's default (true) makes every delete fail, a stack's `pulumi destroy` or
        // a replacement (a new name or region) included. The pool holds no data: replacing it
        // loses nothing, and the token lives in Secret Manager.
        deletionProtection: false,
        // Manual scaling: exactly `replicas` instances always, none scaled away while idle
        // (a connector receives no requests a scaler could count).
        scaling: { scalingMode: "MANUAL", manualInstanceCount: origin.tunnel.replicas },
        template: {
          serviceAccount: account.email,
          containers: [
            {
              name: "connector",
              image: origin.tunnel.image,
              // From Secret Manager by pinned version, never a plain value: a rotated token is a
              // new version, the template changes, and Cloud Run rolls out a new revision with it.
              envs: [{ name: "TUNNEL_TOKEN", valueSource: { secretKeyRef: { secret: secret.secretId, version: version.version } } }],
              resources: { limits: { cpu: "1", memory: "512Mi" } },
            },
          ],
          vpcAccess: {
            networkInterfaces: [
              {
                network: check.value(["gcp.network"], (m) => m.target.network),
                subnetwork: check.value(["gcp.subnetwork"], (m) => m.target.subnetwork),
              },
            ],
            egress: TUNNEL_VPC_EGRESS,
          },
        },
      },
      // A revision whose account cannot read the token never starts.
      { parent: this, dependsOn: [grant] },
    );

    this.serviceAccountEmail = account.email;
    this.secretName = secret.name;
    this.tokenVersion = version.version;
    this.workerPoolName = pool.name;
    this.latestRevision = pool.latestCreatedRevision;
    this.findings = check.findings;
    this.tunnelService = tunnelService(origin, args.tunnel.dangerouslyAllowPublicEndpoint);
    this.tunnelServices = carriedServices(origin, this.tunnelService);
    this.gatewayVariables = pairVariables(tunnelVariables(origin), { url: origin.url });
    this.summary = {
      service: origin.url,
      tunnel: origin.tunnel.tunnelName,
      workerPool: this.workerPoolName,
      replicas: origin.tunnel.replicas,
      image: origin.tunnel.image,
      egress: TUNNEL_VPC_EGRESS,
      serviceAccount: this.serviceAccountEmail,
      tokenSecret: this.secretName,
      tokenVersion: this.tokenVersion,
    };
    this.registerOutputs(this.summary);
  }
}
