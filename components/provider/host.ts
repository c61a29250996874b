/**
 * The component provider plugin: Pulumi's own TypeScript component provider
 * (`@pulumi/pulumi/provider/experimental`), hosting the package components.
 *
 * It loads each cloud's components only when that cloud's SDK is installed, as the program
 * does; a component of a cloud whose SDK is missing is still in the schema, and building it
 * fails with `ERR_DEPENDENCY_MISSING`, naming the package to install.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { main } from "@pulumi/pulumi/provider";
import { type ComponentResourceConstructor, ComponentProvider } from "@pulumi/pulumi/provider/experimental";
import { missingDependencyError } from "../errors";
import type { PackageComponentStatics } from "./package-component";

/** The package's name: type tokens are `gatelock:index:<ClassName>`. */
export const PACKAGE_NAME = "gatelock";

type PackageComponent = ComponentResourceConstructor & PackageComponentStatics;

/** A cloud's (or other area's) package components, and what loading them needs. */
export interface PackageArea {
  readonly cloud: string;
  /**
   * The SDKs the area's components need (none for some): when loading fails because one of
   * them is not installed, its components are refused when built, naming that one.
   */
  readonly pkgs?: readonly string[];
  /**
   * The components, by class name, with the outputs that carry a secret: marked secret in the
   * schema (the analyzer knows no secrets) and returned as secrets. Known here, not loaded, so
   * a component whose SDK is missing keeps them.
   */
  readonly components: Readonly<Record<string, { readonly secretOutputs?: readonly string[] }>>;
  readonly load: () => Promise<Record<string, unknown>>;
}

const CARRIES_THE_SECRET = { secretOutputs: ["gatewayVariables"] };
/** An mTLS origin: its certificates carry the gateway's private key (its variables only the certificate's name and the URL). */
const CARRIES_THE_KEY = { secretOutputs: ["gatewayCertificates"] };

export const PACKAGE_AREAS: readonly PackageArea[] = [
  {
    cloud: "aws",
    pkgs: ["@pulumi/aws"],
    components: { AwsSharedSecretOrigin: CARRIES_THE_SECRET, AwsFederatedOrigin: {}, AwsOidcProvider: {}, AwsMtlsOrigin: CARRIES_THE_KEY, AwsTunnelOrigin: {} },
    load: () => import("./aws"),
  },
  {
    cloud: "gcp",
    pkgs: ["@pulumi/gcp"],
    components: {
      GcpSharedSecretOrigin: CARRIES_THE_SECRET,
      GcpFederatedOrigin: {},
      GcpGatewayServiceAccount: { secretOutputs: ["serviceAccountJson"] },
      GcpServiceAuthOrigin: CARRIES_THE_SECRET,
      GcpMtlsOrigin: CARRIES_THE_KEY,
      GcpTunnelOrigin: {},
    },
    load: () => import("./gcp"),
  },
  { cloud: "azure", pkgs: ["@pulumi/azure-native"], components: { AzureSharedSecretOrigin: CARRIES_THE_SECRET, AzureFederatedOrigin: {}, AzureMtlsOrigin: CARRIES_THE_KEY, AzureTunnelOrigin: {} }, load: () => import("./azure") },
  // Apart from the other Azure components: only this one needs azuread too.
  { cloud: "azure", pkgs: ["@pulumi/azure-native", "@pulumi/azuread"], components: { AzureServiceAuthOrigin: CARRIES_THE_SECRET }, load: () => import("./azure-service-auth") },
  { cloud: "local", components: { LocalSharedSecretOrigin: CARRIES_THE_SECRET, LocalMtlsOrigin: CARRIES_THE_KEY }, load: () => import("./local") },
  { cloud: "other", components: { OtherFederatedOrigin: {} }, load: () => import("./other") },
  // A tunnel origin outputs no secret: the token it takes goes to its connector's secret store only.
  { cloud: "kubernetes", pkgs: ["@pulumi/kubernetes"], components: { KubernetesTunnelOrigin: {} }, load: () => import("./kubernetes") },
  { cloud: "docker", components: { DockerTunnelOrigin: {} }, load: () => import("./docker") },
  {
    cloud: "gateway",
    // The tunnel's connector token.
    components: { ZuploEnvironment: { secretOutputs: ["values"] }, GatewayTunnel: { secretOutputs: ["token"] }, GatewayTunnelServices: {}, TunnelServiceOrigin: {} },
    load: () => import("./gateway"),
  },
];

/**
 * Fields of the schema's types that carry a secret, marked secret there too: what a program
 * passes in them is a secret (the components keep it one whatever they are given).
 */
export const SECRET_TYPE_FIELDS: Readonly<Record<string, readonly string[]>> = {
  GcpGatewayServiceAccountDescription: ["serviceAccountJson"],
  // The gateway's private key, in an mTLS origin's `gatewayCertificates` and `ZuploEnvironment`'s `certificates`.
  GatewayCertificate: ["key"],
  // The private key of a CA brought to an mTLS origin (its `ca`).
  OwnCaArgs: ["key"],
  // A tunnel's connector token (`GatewayTunnel`'s `token`), in a tunnel origin's `tunnel`.
  TunnelArgs: ["token"],
};

const SECRET_OUTPUTS: ReadonlyMap<string, readonly string[]> = new Map(
  PACKAGE_AREAS.flatMap((a) => Object.entries(a.components).map(([name, c]) => [name, c.secretOutputs ?? []] as const)),
);

/** Every package component, or for a cloud whose SDK is not installed, one that says so when built. */
export async function loadPackageComponents(areas: readonly PackageArea[] = PACKAGE_AREAS): Promise<PackageComponent[]> {
  const loaded = await Promise.all(
    areas.map(async (area) => {
      const names = Object.keys(area.components);
      try {
        const exports = await area.load();
        return names.map((n) => exports[n] as PackageComponent);
      } catch (e) {
        const missing = area.pkgs?.find((pkg) => isMissingModule(e, pkg));
        if (!missing) throw e;
        return names.map((n) => missingSdkComponent(n, missing, area.cloud, e));
      }
    }),
  );
  return loaded.flat();
}

/**
 * Pulumi's component provider, with what gatelock's components need besides: inputs settled
 * before a component is built (`settleInputs`), and secret outputs marked secret in the schema
 * and returned as secrets (see `PackageArea`), as are secret fields of its types
 * (`SECRET_TYPE_FIELDS`).
 */
export class GatelockComponentProvider extends ComponentProvider {
  private readonly byName: ReadonlyMap<string, PackageComponent>;
  private markedSchema?: Promise<string>;

  constructor(options: { readonly components: readonly PackageComponent[]; readonly dirname: string; readonly version?: string }) {
    super({ components: [...options.components], name: PACKAGE_NAME, dirname: options.dirname, version: options.version ?? packageVersion() });
    this.byName = new Map(options.components.map((c) => [c.name, c]));
  }

  override getSchema(): Promise<string> {
    this.markedSchema ??= super.getSchema().then((text) => {
      type Properties = Record<string, { secret?: boolean }>;
      const schema = JSON.parse(text) as { resources: Record<string, { properties?: Properties }>; types?: Record<string, { properties?: Properties }> };
      for (const c of this.byName.values()) {
        const resource = schema.resources[`${PACKAGE_NAME}:index:${c.name}`];
        for (const key of SECRET_OUTPUTS.get(c.name) ?? []) {
          const property = resource?.properties?.[key];
          if (property) property.secret = true;
        }
      }
      for (const [type, keys] of Object.entries(SECRET_TYPE_FIELDS)) {
        for (const key of keys) {
          const property = schema.types?.[`${PACKAGE_NAME}:index:${type}`]?.properties?.[key];
          if (property) property.secret = true;
        }
      }
      return JSON.stringify(schema);
    });
    return this.markedSchema;
  }

  override async construct(name: string, type: string, inputs: pulumi.Inputs, options: pulumi.ComponentResourceOptions) {
    const component = this.byName.get(type.split(":")[2] ?? "");
    const settled = component?.settleInputs ? await component.settleInputs(inputs) : inputs;
    const result = await super.construct(name, type, settled, options);
    const secret = new Set(SECRET_OUTPUTS.get(component?.name ?? "") ?? []);
    const state = Object.fromEntries(Object.entries(result.state ?? {}).map(([k, v]) => [k, secret.has(k) ? pulumi.secret(v) : v]));
    return { ...result, state };
  }
}

/** The provider for the plugin folder `dirname` (which holds the analyzer's entry and tsconfig.json). */
export async function createProvider(dirname: string): Promise<GatelockComponentProvider> {
  return new GatelockComponentProvider({ components: await loadPackageComponents(), dirname });
}

/** Runs the plugin: what provider/index.js calls. */
export async function serve(dirname: string, args: string[]): Promise<void> {
  return main(await createProvider(dirname), args);
}

function packageVersion(): string {
  // dist/provider/host.js and components/provider/host.ts are both two levels below the package root.
  return (JSON.parse(fs.readFileSync(path.join(__dirname, "..", "..", "package.json"), "utf8")) as { version: string }).version;
}

function missingSdkComponent(name: string, pkg: string, cloud: string, cause: unknown): PackageComponent {
  const component = class extends pulumi.ComponentResource {
    static readonly packageType = `${PACKAGE_NAME}:index:${name}`;
    constructor() {
      // Throws while evaluating super()'s arguments: nothing is registered.
      super(refuse(missingDependencyError(pkg, cloud, cause)), name);
    }
  };
  Object.defineProperty(component, "name", { value: name });
  return component;
}

function refuse(error: Error): never {
  throw error;
}

/** The load failed because `pkg` itself is not installed (as the program's cloud loader tells it). */
function isMissingModule(e: unknown, pkg: string): boolean {
  if ((e as NodeJS.ErrnoException)?.code !== "MODULE_NOT_FOUND") return false;
  const missing = /Cannot find module '([^']+)'/.exec(String((e as Error).message))?.[1];
  return missing === pkg || missing?.startsWith(`${pkg}/`) === true;
}
