/** The Azure components as the package publishes them: `gatelock:index:Azure…`. */
import type * as pulumi from "@pulumi/pulumi";
import { AzureFederatedOrigin as Federated, type AzureFederatedOriginArgs } from "../azure/federated-origin";
import {
  type AzureMtlsAppGatewayArgs,
  type AzureMtlsAppServiceArgs as MtlsAppServiceArgs,
  AzureMtlsOrigin as Mtls,
  type AzureMtlsOriginArgs as MtlsArgs,
  type AzureMtlsVaultArgs,
} from "../azure/mtls-origin";
import { AzureSharedSecretOrigin as SharedSecret, type AzureSharedSecretOriginArgs } from "../azure/shared-secret-origin";
import { AzureTunnelOrigin as Tunnel, type AzureTunnelOriginArgs as TunnelArgs } from "../azure/tunnel-origin";
import type { AzureAppServiceClientCertMode, MtlsOriginSettings } from "./mtls";
import {
  type Finding,
  type GatewayCertificate,
  type GatewayVariable,
  type MtlsPkiSummary,
  packageCertificates,
  packageFindings,
  packageMtlsSummary,
  packageTunnelService,
  packageVariables,
  type TunnelService,
} from "./outputs";
import type { TunnelOriginSettings } from "./tunnel";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A shared-secret origin on Azure: the secret in an existing RBAC Key Vault, with "Key Vault
 * Secrets User" on that one secret (not the vault) for each of the origin's identities.
 */
export class AzureSharedSecretOrigin extends packageBase<AzureSharedSecretOriginArgs>(SharedSecret) {
  static readonly packageType = "gatelock:index:AzureSharedSecretOrigin";
  /** ARM ID of the secret. */
  declare readonly secretId: pulumi.Output<string>;
  /** URI of the secret (without a version). */
  declare readonly secretUri: pulumi.Output<string>;
  /** The principal IDs that may read the secret, as checked. */
  declare readonly readers: pulumi.Output<string[]>;
  /** The secret's rotation generation (increases by one at every rotation). */
  declare readonly generation: pulumi.Output<number>;
  /** The variables the gateway needs (the secret, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AzureSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, SharedSecret);
    publish<AzureSharedSecretOrigin>(this, {
      secretId: built.secretId,
      secretUri: built.secretUri,
      readers: built.readers,
      generation: built.generation,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * A federated origin on Azure: a user-assigned managed identity that trusts the gateway's own
 * tokens through one federated identity credential per gateway subject, and one
 * least-privilege role on one resource for that identity.
 */
export class AzureFederatedOrigin extends packageBase<AzureFederatedOriginArgs>(Federated) {
  static readonly packageType = "gatelock:index:AzureFederatedOrigin";
  /** ARM ID of the managed identity. */
  declare readonly identityId: pulumi.Output<string>;
  /** Client ID of the managed identity (what the gateway requests its token as). */
  declare readonly clientId: pulumi.Output<string>;
  /** Principal (object) ID of the managed identity. */
  declare readonly principalId: pulumi.Output<string>;
  /** Entra tenant of the managed identity. */
  declare readonly tenantId: pulumi.Output<string>;
  /** Azure names of the federated credentials, in subject order. */
  declare readonly credentialNames: string[];
  /** ARM ID of the role assignment. */
  declare readonly roleAssignmentId: pulumi.Output<string>;
  /** The variables the gateway needs (tenant, client ID, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AzureFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Federated);
    publish<AzureFederatedOrigin>(this, {
      identityId: built.identityId,
      clientId: built.clientId,
      principalId: built.principalId,
      tenantId: built.tenantId,
      credentialNames: [...built.credentialNames],
      roleAssignmentId: built.roleAssignmentId,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}

/** An App Service or Function App that asks for the client certificate; the app checks it. */
export interface AzureMtlsAppService extends MtlsAppServiceArgs {
  /** `Required` (default). `Optional` and `OptionalInteractiveUser` need `dangerouslyAllowOptionalClientCert`. */
  readonly clientCertMode?: AzureAppServiceClientCertMode;
}

/**
 * `AzureMtlsOrigin`'s args, as another language passes them: the PKI settings, and where the
 * Azure front end checks the certificate. (Restated, not `Omit`ted: the schema analyzer reads
 * no `Omit<…>`.)
 */
export interface AzureMtlsOriginArgs extends MtlsOriginSettings {
  /** An App Service or Function App: gatelock gives its settings and delivers the bundle through `vault` (required with it). */
  readonly appService?: AzureMtlsAppService;
  /** An Application Gateway you manage: gatelock gives its trusted client certificate and SSL profile fragments. */
  readonly appGateway?: AzureMtlsAppGatewayArgs;
  /** The Key Vault that holds the trust bundle for the app to read. */
  readonly vault?: AzureMtlsVaultArgs;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedMtls: Record<Exclude<keyof MtlsArgs, keyof AzureMtlsOriginArgs>, never> = {};
void restatedMtls;

/** The site properties (`azure-native:web:WebApp` args) that turn on client certificates. */
export interface AzureAppServiceMtlsSettings {
  /** Always true: the site asks for a client certificate. */
  readonly clientCertEnabled: boolean;
  /** When it asks: `Required` unless `dangerouslyAllowOptionalClientCert`. */
  readonly clientCertMode: AzureAppServiceClientCertMode;
  /** Always true: a certificate is only asked for over HTTPS, and plain HTTP would bypass it. */
  readonly httpsOnly: boolean;
}

/**
 * An mTLS origin on Azure (method 4): the stack's CA issues the gateway's client certificate,
 * and gatelock gives what to apply to your front ends: an App Service's or Function App's
 * client certificate settings, with the trust bundle in the Key Vault the app reads (readable
 * by its identities only), and an Application Gateway's trusted client certificates and SSL
 * profile.
 */
export class AzureMtlsOrigin extends packageBase<MtlsArgs>(Mtls) {
  static readonly packageType = "gatelock:index:AzureMtlsOrigin";
  /** ARM ID of the Key Vault secret holding the trust bundle (with `vault`). */
  declare readonly bundleSecretId?: pulumi.Output<string>;
  /** URI of that secret, without a version: the app reads the latest, which follows rotations (with `vault`). */
  declare readonly bundleSecretUri?: pulumi.Output<string>;
  /** Properties to set on the App Service or Function App (with `appService`). */
  declare readonly appServiceSettings?: AzureAppServiceMtlsSettings;
  /**
   * `trustedClientCertificates` and `sslProfiles` entries to merge into the Application Gateway
   * (with `appGateway`), as ARM JSON. Typed `Any` in the schema: it is ARM's document, merged as is.
   */
  declare readonly appGatewayFragments?: any;
  /** The CA and the gateway's certificate: subjects, expiry, generations; never a key. */
  declare readonly pki: MtlsPkiSummary;
  /** The variables the gateway needs (the certificate's name, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** The client certificate the gateway presents, with its key (a secret): pass them to `ZuploEnvironment`'s `certificates`. */
  declare readonly gatewayCertificates: GatewayCertificate[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AzureMtlsOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Mtls);
    const settings = built.appServiceSettings;
    publish<AzureMtlsOrigin>(this, {
      ...(built.bundleSecretId ? { bundleSecretId: built.bundleSecretId } : {}),
      ...(built.bundleSecretUri ? { bundleSecretUri: built.bundleSecretUri } : {}),
      ...(settings
        ? { appServiceSettings: { clientCertEnabled: settings.clientCertEnabled, clientCertMode: settings.clientCertMode as AzureAppServiceClientCertMode, httpsOnly: settings.httpsOnly } }
        : {}),
      ...(built.appGatewayFragments ? { appGatewayFragments: built.appGatewayFragments } : {}),
      pki: packageMtlsSummary(built.summary),
      gatewayVariables: packageVariables(built.gatewayVariables),
      gatewayCertificates: packageCertificates(built.gatewayCertificates),
      findings: packageFindings(built.findings),
    });
  }
}

/**
 * `AzureTunnelOrigin`'s args, as another language passes them: the tunnel, and the stack file's
 * `azure` block of a tunnel origin. (Restated, not `Omit`ted: the schema analyzer reads no `Omit<…>`.)
 */
export interface AzureTunnelOriginArgs extends TunnelOriginSettings {
  /** Resource group of the Container App (and, with `vaultUri`, of the Key Vault and the connector's identity). */
  readonly resourceGroup: pulumi.Input<string>;
  /**
   * Resource ID of the Container Apps environment (in the origin's virtual network) the
   * connector runs in; usually another resource's output.
   */
  readonly containerAppsEnvironmentId: pulumi.Input<string>;
  /**
   * An RBAC Key Vault for the token (`https://<vault>.vault.azure.net/`, in `resourceGroup`),
   * read through a managed identity of the connector's own. Default: a Container Apps secret.
   */
  readonly vaultUri?: pulumi.Input<string>;
}

// Every arg of the TypeScript component is restated above: a compile error names one that is not.
const restatedTunnel: Record<Exclude<keyof TunnelArgs, keyof AzureTunnelOriginArgs>, never> = {};
void restatedTunnel;

/**
 * A tunnel origin's connector on Azure (method 5): a Container App without ingress (nothing
 * listens), always exactly `replicas` replicas, the tunnel's token (a `GatewayTunnel`'s) a
 * Container Apps secret, or a Key Vault secret the app reads through a user-assigned identity
 * allowed to read that one secret.
 */
export class AzureTunnelOrigin extends packageBase<TunnelArgs>(Tunnel) {
  static readonly packageType = "gatelock:index:AzureTunnelOrigin";
  /** Resource ID of the Container App. */
  declare readonly containerAppId: pulumi.Output<string>;
  /** The revision created last (a new one on every token rotation). */
  declare readonly latestRevisionName: pulumi.Output<string>;
  /** Resource ID of the Key Vault secret holding the token (with `vaultUri`). */
  declare readonly tokenSecretId?: pulumi.Output<string>;
  /** Resource ID of the connector's user-assigned identity (with `vaultUri`). */
  declare readonly identityId?: pulumi.Output<string>;
  /** What the tunnel's services configuration needs for this origin: pass it to `GatewayTunnelServices`' `services`. */
  declare readonly tunnelService: pulumi.Output<TunnelService>;
  /** The variables the gateway needs (the origin's `service://` URL): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AzureTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, Tunnel);
    publish<AzureTunnelOrigin>(this, {
      containerAppId: built.containerAppId,
      latestRevisionName: built.latestRevisionName,
      ...(built.tokenSecretId ? { tokenSecretId: built.tokenSecretId } : {}),
      ...(built.identityId ? { identityId: built.identityId } : {}),
      tunnelService: packageTunnelService(this, built.tunnelService),
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
