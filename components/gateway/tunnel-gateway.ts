/**
 * The gateway's side of a tunnel (method 5): a Zuplo tunnel whose token rotates on a schedule,
 * and the services it carries. Origins of one stack that name the same tunnel share it: their
 * connectors all hold its token, and its services configuration lists every one of them.
 *
 * Rotation without downtime: the schedule bumps `rotation`, `ZuploTunnel` asks Zuplo for a new
 * token, and every connector's secret store gets it as a new version; each connector target
 * then restarts its replicas one at a time with the new version (a new ECS task definition
 * revision, Cloud Run or Container Apps revision, or a rolled Deployment).
 */
import * as pulumi from "@pulumi/pulumi";
import { RotationSchedule } from "../shared-secret/rotation-schedule";
import type { TunnelService } from "../tunnel/origin-args";
import { ZuploTunnel } from "../zuplo/tunnel";
import { ZuploTunnelServices } from "../zuplo/tunnel-services";

/** The services entries of a tunnel's configuration: each origin, reachable from its environment types of this project (pure). */
export function tunnelServicesConfiguration(project: string, services: readonly Pick<TunnelService, "name" | "endpoint" | "accessibleBy">[]) {
  return services.map((s) => ({ name: s.name, endpoint: s.endpoint, configurations: [{ project, accessibleBy: [...s.accessibleBy] }] }));
}

export interface GatewayTunnelArgs {
  /** Zuplo account name. */
  readonly account: string;
  /** Zuplo project the services are for. */
  readonly project: string;
  /** The tunnel's name: 3-24 letters, digits and dashes. */
  readonly name: string;
  /** Developer API base URL (default `https://dev.zuplo.com`). */
  readonly apiUrl?: string;
  /** Rotate the token after this many days (default 90). */
  readonly rotateAfterDays?: number;
  /** Increase by one to rotate the token now. */
  readonly rotation?: number;
}

export class GatewayTunnel extends pulumi.ComponentResource {
  /** Zuplo's tunnel ID (`tnl_…`). */
  readonly tunnelId: pulumi.Output<string>;
  /** The connector token: a Pulumi secret, for the connectors' secret stores only. */
  readonly token: pulumi.Output<string>;
  /** How many times the token has rotated. */
  readonly generation: pulumi.Output<number>;
  private readonly apiUrl: string;
  private readonly account: string;
  private readonly project: string;
  private readonly resourceName: string;

  constructor(name: string, args: GatewayTunnelArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gateway:Tunnel", name, {}, opts);
    this.apiUrl = (args.apiUrl ?? "https://dev.zuplo.com").replace(/\/+$/, "");
    this.account = args.account;
    this.project = args.project;
    this.resourceName = name;
    const schedule = new RotationSchedule(`${name}-token-rotation`, { rotateAfterDays: args.rotateAfterDays ?? 90, overlapDays: 0, rotation: args.rotation ?? 0 }, { parent: this });
    const tunnel = new ZuploTunnel(`${name}-tunnel`, { apiUrl: this.apiUrl, account: args.account, name: args.name, rotation: schedule.generation }, { parent: this });
    this.tunnelId = tunnel.tunnelId;
    this.token = pulumi.secret(tunnel.token);
    this.generation = schedule.generation;
    this.registerOutputs({ tunnelId: this.tunnelId, generation: this.generation });
  }

  /**
   * The tunnel's services configuration: every origin it carries, each reachable from the
   * given environment types of this project. Created once the connectors exist (`ready`).
   */
  carry(services: readonly TunnelService[], ready: readonly pulumi.Resource[] = []): ZuploTunnelServices {
    return new ZuploTunnelServices(
      `${this.resourceName}-services`,
      {
        apiUrl: this.apiUrl,
        account: this.account,
        tunnelId: this.tunnelId,
        services: tunnelServicesConfiguration(this.project, services),
      },
      { parent: this, dependsOn: [...ready] },
    );
  }
}
