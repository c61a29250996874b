/**
 * The gateway's side as the package publishes it: `gatelock:index:ZuploEnvironment`, and a
 * tunnel's (method 5) `gatelock:index:GatewayTunnel` and `gatelock:index:GatewayTunnelServices`,
 * and `gatelock:index:TunnelServiceOrigin` for an origin another origin's connector carries.
 */
import * as pulumi from "@pulumi/pulumi";
import { isPending } from "../component/checked-origin";
import { settleOutput } from "../testing/pulumi-internals";
import { ZuploEnvironment as Environment, type ZuploEnvironmentArgs as EnvironmentArgs } from "../gateway/environment";
import { GatewayTunnel as Tunnel, type GatewayTunnelArgs, tunnelServicesConfiguration } from "../gateway/tunnel-gateway";
import { TunnelServiceOrigin as ServiceOrigin, type TunnelServiceOriginArgs as TsTunnelServiceOriginArgs } from "../tunnel/service-origin";
import { ZuploTunnelServices } from "../zuplo/tunnel-services";
import {
  type CertificateSummary,
  type Finding,
  type GatewayCertificate,
  type GatewayVariable,
  packageCertificateSummaries,
  packageFindings,
  packageSummaries,
  packageTunnelService,
  packageVariables,
  type TunnelService,
  type VariableSummary,
} from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";
import type { TunnelAccess } from "./tunnel";

/**
 * `ZuploEnvironment`'s args, as another language passes them: the variables and certificates
 * may be other components' outputs, one list or one list per origin. (The TypeScript component's args are
 * restated, not `Omit`ted: the schema analyzer reads no `Omit<…>`.)
 */
export interface ZuploEnvironmentArgs {
  /** Zuplo account name. */
  readonly account: string;
  /** Zuplo project name. */
  readonly project: string;
  /** Zuplo branch (environment) whose variables are set. */
  readonly branch: string;
  /** The variables to write: the origin components' `gatewayVariables`, together (default none). */
  readonly variables?: pulumi.Input<GatewayVariable[]>;
  /**
   * More variables, one list per origin (each an origin's `gatewayVariables`), for languages
   * that cannot join lists, such as YAML. Written after `variables`.
   */
  readonly variableLists?: pulumi.Input<GatewayVariable[]>[];
  /**
   * Client certificates the gateway presents: the mTLS origin components' `gatewayCertificates`,
   * together (default none). Stored in Zuplo's certificate store with the Developer API, or for
   * a local origin in `zuplo dev`'s certificates directory.
   */
  readonly certificates?: pulumi.Input<GatewayCertificate[]>;
  /**
   * More certificates, one list per origin (each an mTLS origin's `gatewayCertificates`), for
   * languages that cannot join lists, such as YAML. Stored after `certificates`.
   */
  readonly certificateLists?: pulumi.Input<GatewayCertificate[]>[];
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

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restated: Record<Exclude<keyof EnvironmentArgs, keyof ZuploEnvironmentArgs>, never> = {};
void restated;

/**
 * Where gateway variables land: the Zuplo Developer API (one resource per variable), a dotenv
 * file for `zuplo dev`, or both. With `redeploy`, the branch is redeployed whenever one of them
 * changes. Its args are checked exactly as a stack file's `gatelock:gateway` is.
 *
 * It needs the variables' names, and the certificates' origins, environments and local
 * directories, when it is built: the provider settles variables and certificates passed as
 * Outputs first (`settleInputs`). In a preview, those not known yet are not shown.
 */
export class ZuploEnvironment extends packageBase<EnvironmentArgs>(Environment) {
  static readonly packageType = "gatelock:index:ZuploEnvironment";
  /** Variables written, with their sinks; no values. */
  declare readonly variables: VariableSummary[];
  /** Every value by name, as one Pulumi secret. */
  declare readonly values: pulumi.Output<Record<string, string>>;
  /** Client certificates stored, with their sinks; no keys. */
  declare readonly certificates: CertificateSummary[];

  constructor(name: string, args: ZuploEnvironmentArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, environmentArgs(name, args), opts);
    const built = builtAs(this, Environment);
    publish<ZuploEnvironment>(this, { variables: packageSummaries(built.variables), values: built.values, certificates: packageCertificateSummaries(built.certificates) });
  }

  /**
   * The args with `variables` and `variableLists`, and `certificates` and `certificateLists`,
   * each settled into one known list (see `settleList`).
   */
  static async settleInputs(inputs: Record<string, unknown>): Promise<Record<string, unknown>> {
    const { variableLists, certificateLists, ...rest } = inputs;
    const variables = [rest.variables ?? [], ...(Array.isArray(variableLists) ? variableLists : [])];
    const certificates = [rest.certificates ?? [], ...(Array.isArray(certificateLists) ? certificateLists : [])];
    return {
      ...rest,
      variables: (await Promise.all(variables.map((l) => settleList(l, VARIABLE)))).flat(),
      certificates: (await Promise.all(certificates.map((l) => settleList(l, CERTIFICATE)))).flat(),
    };
  }
}

/** The TypeScript component's args: every variable and certificate must be known by now. */
function environmentArgs(component: string, args: ZuploEnvironmentArgs): EnvironmentArgs {
  const { variables, variableLists, certificates, certificateLists, ...rest } = args;
  const known = <T extends object>(lists: readonly unknown[], shape: Shape<T>): lists is T[][] =>
    lists.every((l) => Array.isArray(l) && l.every((v) => !isPending(v) && shape.known.every((k) => !isPending((v as T)[k]))));
  const variableList = [variables ?? [], ...(variableLists ?? [])];
  const certificateList = [certificates ?? [], ...(certificateLists ?? [])];
  if (!known(variableList, VARIABLE) || !known(certificateList, CERTIFICATE)) {
    throw new TypeError(`${component}: variables and certificates must be known when the component is created (the provider settles Outputs first)`);
  }
  return { ...rest, variables: variableList.flat(), certificates: certificateList.flat() };
}

/** Of one variable or certificate: what the environment needs known, and what may stay an Output. */
interface Shape<T> {
  /** Named in `gatelock: expected a list of …`. */
  readonly what: string;
  readonly known: readonly (keyof T)[];
  readonly kept: readonly (keyof T)[];
}

/** A variable's value may stay an Output; its name, flags and origin are needed to build the environment. */
const VARIABLE: Shape<GatewayVariable> = { what: "gateway variables", known: ["name", "isSecret", "origin", "description"], kept: ["value"] };

/**
 * A certificate's name, PEM and key may stay Outputs; its origin (the stored resource's name),
 * environments and local directory (where it is stored) are needed to build the environment.
 */
const CERTIFICATE: Shape<GatewayCertificate> = { what: "gateway certificates", known: ["origin", "environments", "localDir"], kept: ["name", "certificate", "key"] };

/**
 * A list of variables or certificates as a program passed it, settled so the environment can be
 * built: another language's program passes an origin's `gatewayVariables` or
 * `gatewayCertificates` as one Output (of the list, or of each entry). The fields the
 * environment needs (`shape.known`) become known values; the others each stay an Output of the
 * original, so they keep their secrecy and their dependencies (a certificate's key waits for
 * the origin's trust stores). An entry not known yet (in a preview) is left out.
 */
async function settleList<T extends object>(list: unknown, shape: Shape<T>): Promise<T[]> {
  if (pulumi.Output.isInstance(list)) {
    const whole = list as pulumi.Output<T[]>;
    const settled = await settleOutput(whole);
    if (!settled.known || !Array.isArray(settled.value)) return [];
    return (await Promise.all(settled.value.map((_, i) => settleEntry(whole.apply((all) => all[i]!), shape)))).flat();
  }
  if (!Array.isArray(list)) throw new TypeError(`gatelock: expected a list of ${shape.what}`);
  return (await Promise.all(list.map((v: unknown) => settleEntry(v as pulumi.Input<T>, shape)))).flat();
}

async function settleEntry<T extends object>(v: pulumi.Input<T>, shape: Shape<T>): Promise<T[]> {
  if (pulumi.Output.isInstance(v)) {
    const settled = await settleOutput(v);
    if (!settled.known || !settled.value) return [];
    const fields = await settleFields(settled.value, shape);
    const kept = Object.fromEntries(shape.kept.map((k) => [k, pulumi.output(v).apply((x) => (x as Record<keyof T, unknown>)[k])]));
    return fields ? [{ ...fields, ...kept } as T] : [];
  }
  const entry = v as T;
  const fields = await settleFields(entry, shape);
  const kept = Object.fromEntries(shape.kept.map((k) => [k, entry[k]]));
  return fields ? [{ ...fields, ...kept } as T] : [];
}

/** The `known` fields of an entry, resolved; absent ones left out; undefined if one is not known yet. */
async function settleFields<T extends object>(v: T, shape: Shape<T>): Promise<Partial<T> | undefined> {
  const fields: Partial<T> = {};
  for (const k of shape.known) {
    let field: unknown = v[k];
    if (pulumi.Output.isInstance(field)) {
      const settled = await settleOutput(field);
      if (!settled.known) return undefined;
      field = settled.value;
    }
    if (field !== undefined) fields[k] = field as T[keyof T];
  }
  return fields;
}

/**
 * The gateway's side of a tunnel (method 5): a Zuplo tunnel whose connector token rotates on a
 * schedule. Pass its `token` (and `generation`) to the tunnel origin components behind it, and
 * its `tunnelId` with their `tunnelService` outputs to a `GatewayTunnelServices`, which
 * configures the services the tunnel carries. (The TypeScript class's `carry()` method is not
 * callable from another language: `GatewayTunnelServices` is what it creates.)
 */
export class GatewayTunnel extends packageBase<GatewayTunnelArgs>(Tunnel) {
  static readonly packageType = "gatelock:index:GatewayTunnel";
  /** Zuplo's tunnel ID (`tnl_…`): `GatewayTunnelServices`' `tunnelId`. */
  declare readonly tunnelId: pulumi.Output<string>;
  /** The connector token (a secret): the `tunnel.token` of each tunnel origin behind the tunnel, for their secret stores only. */
  declare readonly token: pulumi.Output<string>;
  /** How many times the token has rotated: the `tunnel.tokenGeneration` of each tunnel origin behind the tunnel. */
  declare readonly generation: pulumi.Output<number>;

  constructor(name: string, args: GatewayTunnelArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Tunnel);
    publish<GatewayTunnel>(this, { tunnelId: built.tunnelId, token: pulumi.secret(built.token), generation: built.generation });
  }
}

/** `GatewayTunnelServices`' args: the tunnel, and the services it carries. */
export interface GatewayTunnelServicesArgs {
  /** Zuplo account name (the `GatewayTunnel`'s). */
  readonly account: string;
  /** Zuplo project whose gateway may call the services (the `GatewayTunnel`'s). */
  readonly project: string;
  /** The tunnel's ID: its `GatewayTunnel`'s `tunnelId` output. */
  readonly tunnelId: pulumi.Input<string>;
  /**
   * Every service the tunnel carries: the `tunnelService` output of each origin behind it. This
   * component owns the tunnel's whole services configuration, so give each tunnel exactly one.
   */
  readonly services: pulumi.Input<pulumi.Input<TunnelService>[]>;
  /** Developer API base URL (default `https://dev.zuplo.com`; the `GatewayTunnel`'s). */
  readonly apiUrl?: string;
}

/**
 * What `GatewayTunnel.carry(services, ready)` creates in TypeScript, as a component of its own:
 * the tunnel's services configuration, parented here instead of under the tunnel. It waits for
 * the connectors through the services it is given (each an Output of its origin component).
 */
class TunnelServices extends pulumi.ComponentResource {
  readonly operationId: pulumi.Output<string>;
  readonly services: pulumi.Output<TunnelService[]>;

  constructor(name: string, args: GatewayTunnelServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:gateway:TunnelServices", name, {}, opts);
    const services = pulumi.output(args.services).apply((list) => {
      const tunnels = [...new Set(list.map((s) => s.tunnel))];
      if (tunnels.length > 1) throw new TypeError(`${name}: services of one tunnel only (got ${tunnels.join(", ")}): give each tunnel its own GatewayTunnelServices`);
      return list.map((s) => ({ origin: s.origin, tunnel: s.tunnel, name: s.name, endpoint: s.endpoint, accessibleBy: [...s.accessibleBy] }));
    });
    const configuration = new ZuploTunnelServices(
      `${name}-services`,
      {
        // As `GatewayTunnel` and its `carry()` give them.
        apiUrl: (args.apiUrl ?? "https://dev.zuplo.com").replace(/\/+$/, ""),
        account: args.account,
        tunnelId: args.tunnelId,
        services: services.apply((list) => tunnelServicesConfiguration(args.project, list)),
      },
      { parent: this },
    );
    this.operationId = configuration.operationId;
    this.services = pulumi.all([services, configuration.operationId]).apply(([list]) => list);
    this.registerOutputs({ operationId: this.operationId });
  }
}

/**
 * A tunnel's services configuration (method 5): the origins it carries, each reachable as
 * `service://<name>` from the given environment types of the project, applied once their
 * connectors exist. Name it after its `GatewayTunnel`: its resource then has the name
 * TypeScript's `GatewayTunnel.carry()` gives it (`<name>-services`).
 */
export class GatewayTunnelServices extends packageBase<GatewayTunnelServicesArgs>(TunnelServices) {
  static readonly packageType = "gatelock:index:GatewayTunnelServices";
  /** The provisioning operation that applied the configuration (`pst_…`). */
  declare readonly operationId: pulumi.Output<string>;
  /** The services configured, once applied. */
  declare readonly services: pulumi.Output<TunnelService[]>;

  constructor(name: string, args: GatewayTunnelServicesArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, TunnelServices);
    publish<GatewayTunnelServices>(this, { operationId: built.operationId, services: built.services });
  }
}

/** `TunnelServiceOrigin`'s tunnel settings: the origin's service on a tunnel another origin's connector carries. */
export interface TunnelServiceArgs {
  /** The shared tunnel's name: the carrying connector's `tunnel.name` (or its default, `gl-<stack>-<origin>`). */
  readonly name: string;
  /** The service name the gateway calls as `service://<service>` (default `<origin>-<stack>`). */
  readonly service?: string;
  /** The origin as the connector reaches it inside the private network, e.g. `http://10.0.3.13:8080`. */
  readonly endpoint: string;
  /** Zuplo environment types that may call the service (default `production`). */
  readonly accessibleBy?: TunnelAccess[];
  /** Escape hatch: an endpoint with a public address. */
  readonly dangerouslyAllowPublicEndpoint?: boolean;
}

/** `TunnelServiceOrigin`'s args. (Restated, not imported: the schema analyzer reads no read-only array of literals.) */
export interface TunnelServiceOriginArgs {
  /** The shared tunnel, and the origin's service on it. */
  readonly tunnel: TunnelServiceArgs;
}

// Every arg of the TypeScript component's tunnel is restated above: a compile error names one that is not.
const restatedService: Record<Exclude<keyof TsTunnelServiceOriginArgs["tunnel"], keyof TunnelServiceArgs>, never> = {};
void restatedService;

/**
 * An origin carried by another origin's connector on a shared tunnel (method 5): no resource of
 * its own. Give its `tunnelService` to the carrying connector's `tunnel.alsoCarries` (and to the
 * tunnel's `GatewayTunnelServices`), and its `gatewayVariables` to `ZuploEnvironment`.
 */
export class TunnelServiceOrigin extends packageBase<TsTunnelServiceOriginArgs>(ServiceOrigin) {
  static readonly packageType = "gatelock:index:TunnelServiceOrigin";
  /** Its entry in the tunnel's services configuration. */
  declare readonly tunnelService: pulumi.Output<TunnelService>;
  /** The variables the gateway needs (the origin's `service://` URL): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: TunnelServiceOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, ServiceOrigin);
    publish<TunnelServiceOrigin>(this, {
      tunnelService: packageTunnelService(this, built.tunnelService),
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
