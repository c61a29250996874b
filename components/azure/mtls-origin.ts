import * as pulumi from "@pulumi/pulumi";
import { getClientConfigOutput } from "@pulumi/azure-native/authorization/getClientConfig";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { Secret } from "@pulumi/azure-native/keyvault/secret";
import { checkOrigin } from "../component/checked-origin";
import { grantIdentity } from "../component/grant-names";
import { type AppGatewayMtlsFragments, type AppServiceClientCertMode, appGatewayMtlsFragments, type AppServiceMtlsSettings, appServiceMtlsSettings } from "../documents/azure-mtls";
import type { GatewayCertificate } from "../gateway/certificates";
import type { GatewayVariable } from "../gateway/environment";
import type { Finding } from "../model/safety";
import { isMtlsOn, mtlsConfig, type MtlsOriginArgsBase } from "../mtls/origin-args";
import { createMtlsPki } from "../mtls/pki";
import { KEY_VAULT_SECRETS_USER, roleDefinitionId } from "./shared-secret-origin";

/** An App Service or Function App that asks for the client certificate; the app checks it. */
export interface AzureMtlsAppServiceArgs {
  /** Name of the App Service or Function App (gatelock does not manage it). */
  readonly name: pulumi.Input<string>;
  /** Its resource group. */
  readonly resourceGroup: pulumi.Input<string>;
  /** `Required` (default). `Optional` and `OptionalInteractiveUser` need `dangerouslyAllowOptionalClientCert`. */
  readonly clientCertMode?: AppServiceClientCertMode;
}

/** An Application Gateway you manage, for which gatelock emits the mutual TLS fragments. */
export interface AzureMtlsAppGatewayArgs {
  /** Name of the Application Gateway (v2 SKU). */
  readonly name: pulumi.Input<string>;
  /** Its resource group, in the subscription gatelock deploys to. */
  readonly resourceGroup: pulumi.Input<string>;
}

/** The Key Vault the app reads the trust bundle from. */
export interface AzureMtlsVaultArgs {
  /** Resource group of the Key Vault. */
  readonly resourceGroup: pulumi.Input<string>;
  /** An existing Key Vault that uses Azure RBAC. */
  readonly name: pulumi.Input<string>;
  /** Principal (object) IDs of the origin's managed identities; each gets "Key Vault Secrets User" on the bundle's secret only. */
  readonly readers: pulumi.Input<string>[];
}

/** `AzureMtlsOrigin`'s args: the PKI's, and where the Azure front end checks the certificate. */
export interface AzureMtlsOriginArgs extends MtlsOriginArgsBase {
  /** An App Service or Function App: gatelock gives its settings and delivers the bundle through `vault` (required with it). */
  readonly appService?: AzureMtlsAppServiceArgs;
  /** An Application Gateway you manage: gatelock gives its trusted client certificate and SSL profile fragments. */
  readonly appGateway?: AzureMtlsAppGatewayArgs;
  /** The Key Vault that holds the trust bundle for the app to read. */
  readonly vault?: AzureMtlsVaultArgs;
}

const PENDING = () => "gatelock-pending";

/**
 * An mTLS origin on Azure. The stack's CA issues the gateway's client certificate; the front
 * ends are the user's, so gatelock gives what to apply to them:
 *
 * - App Service / Function App: its client certificate settings (`appServiceSettings`). Its
 *   front end only asks for the certificate and forwards it in `X-ARR-ClientCert`, so the app
 *   checks it (`createForwardedClientCertVerifier`) against the trust bundle, which gatelock
 *   puts in the Key Vault the app reads, readable by the app's identities only.
 * - Application Gateway: its trusted client certificates and SSL profile (`appGatewayFragments`).
 *
 * The gateway switches to a certificate only after the bundle holding its CA is in the vault.
 */
export class AzureMtlsOrigin extends pulumi.ComponentResource {
  /** ARM ID of the Key Vault secret holding the trust bundle (with `vault`). */
  readonly bundleSecretId?: pulumi.Output<string>;
  /** URI of that secret, without a version: the app reads the latest, which follows rotations. */
  readonly bundleSecretUri?: pulumi.Output<string>;
  /** Properties to set on the App Service or Function App (with `appService`). */
  readonly appServiceSettings?: AppServiceMtlsSettings;
  /** `trustedClientCertificates` and `sslProfiles` entries to merge into the Application Gateway (with `appGateway`). */
  readonly appGatewayFragments?: pulumi.Output<AppGatewayMtlsFragments>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly gatewayCertificates: readonly GatewayCertificate[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: AzureMtlsOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:azure:MtlsOrigin", name, {}, opts);
    const { appService, appGateway, vault } = args;
    const check = checkOrigin({
      component: name,
      config: mtlsConfig(name, "azure", args, {
        ...(appService ? { appService: { ...appService } } : {}),
        ...(appGateway ? { appGateway: { ...appGateway } } : {}),
        ...(vault ? { vault: { ...vault, readers: [...vault.readers] } } : {}),
      }),
      // The certificate's subject names the gateway; mTLS trusts no token, so nothing else of it counts.
      gateway: { account: args.gateway.account, project: args.gateway.project },
      branch: args.gateway.branch,
      placeholders: {
        url: () => "https://gatelock-pending.invalid",
        "azure.appService.name": PENDING,
        "azure.appService.resourceGroup": PENDING,
        "azure.appGateway.name": PENDING,
        "azure.appGateway.resourceGroup": PENDING,
        "azure.vault.resourceGroup": PENDING,
        "azure.vault.name": PENDING,
        "azure.vault.readers[]": (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
      },
      is: isMtlsOn("azure"),
    });
    const origin = check.known;
    const target = origin.target;
    const pki = createMtlsPki(name, origin, this, args.ca?.key);

    const trustStore: pulumi.Resource[] = [];
    if (target.vault) {
      const v = target.vault;
      const secret = new Secret(
        `${name}-trust-bundle`,
        {
          resourceGroupName: check.value(["azure.vault.resourceGroup"], (m) => m.target.vault!.resourceGroup),
          vaultName: check.value(["azure.vault.name"], (m) => m.target.vault!.name),
          secretName: v.secretName,
          // Public certificates: kept in the vault because the app already reads it, not for secrecy.
          properties: { value: pki.trustBundle, contentType: "application/x-pem-file" },
          tags: { "managed-by": "gatelock", "gatelock-origin": origin.name },
        },
        { parent: this },
      );
      trustStore.push(secret);
      const placeKnown = !check.isUnknown("azure.vault.resourceGroup") && !check.isUnknown("azure.vault.name");
      v.readers.forEach((reader, i) => {
        const path = `azure.vault.readers[${i}]`;
        const grants = placeKnown && !check.isUnknown(path) ? [reader, KEY_VAULT_SECRETS_USER, v.resourceGroup, v.name, v.secretName] : undefined;
        const { name: grant, aliases } = grantIdentity(name, "bundle-reader", i, grants, { parent: this, resourceClass: RoleAssignment });
        trustStore.push(
          new RoleAssignment(
            grant,
            {
              scope: secret.id,
              roleDefinitionId: secret.id.apply((id) => roleDefinitionId(id, KEY_VAULT_SECRETS_USER)),
              principalId: check.value([path], (m) => m.target.vault!.readers[i]!),
              // Managed identities are service principals; saying so avoids a lookup that fails
              // while a new identity is still replicating.
              principalType: "ServicePrincipal",
            },
            { parent: this, aliases },
          ),
        );
      });
      this.bundleSecretId = secret.id;
      this.bundleSecretUri = secret.properties.apply((p) => p.secretUri);
    }

    if (target.appService) this.appServiceSettings = appServiceMtlsSettings(target.appService.clientCertMode);
    if (target.appGateway) {
      const { trustedClientCertificateName, sslProfileName } = target.appGateway;
      const place = check.value(["azure.appGateway.name", "azure.appGateway.resourceGroup"], (m) => {
        const g = m.target.appGateway!;
        return { gatewayName: g.name, resourceGroup: g.resourceGroup };
      });
      this.appGatewayFragments = pulumi
        .all([getClientConfigOutput({ parent: this }).subscriptionId, place, pki.trustBundle])
        .apply(([subscriptionId, p, trustBundle]) => appGatewayMtlsFragments({ subscriptionId, ...p, trustedClientCertificateName, sslProfileName, trustBundle }));
    }

    const gw = pki.gatewaySide(trustStore, args.url !== undefined ? check.value(["url"], (m) => m.url!) : undefined);
    this.gatewayVariables = gw.gatewayVariables;
    this.gatewayCertificates = gw.gatewayCertificates;
    this.findings = check.findings;
    this.summary = {
      ...pki.summary,
      ...(this.bundleSecretId ? { bundleSecretId: this.bundleSecretId, bundleSecretUri: this.bundleSecretUri } : {}),
      ...(this.appServiceSettings ? { appServiceSettings: this.appServiceSettings } : {}),
      ...(this.appGatewayFragments ? { appGatewayFragments: this.appGatewayFragments } : {}),
    };
    this.registerOutputs(this.summary);
  }
}
