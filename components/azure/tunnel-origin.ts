import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { ContainerApp } from "@pulumi/azure-native/app/containerApp";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { Secret } from "@pulumi/azure-native/keyvault/secret";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import { checkOrigin } from "../component/checked-origin";
import { grantIdentity } from "../component/grant-names";
import { ConfigError } from "../errors";
import type { GatewayVariable } from "../gateway/environment";
import { tunnelVariables } from "../gateway/tunnel";
import { pairVariables } from "../gateway/variables";
import { invalidIssue } from "../model/issues";
import type { Finding } from "../model/safety";
import { isTunnelOn, tokenRevision, type TunnelOriginArgsBase, tunnelConfig, type TunnelService, tunnelService, carriedArg, carriedConfigs, carriedServices } from "../tunnel/origin-args";
import { KEY_VAULT_SECRETS_USER, roleDefinitionId } from "./shared-secret-origin";

/**
 * The Container Apps secret the container's `TUNNEL_TOKEN` refers to. Short on purpose:
 * azure-native applies defaults to `configuration` through an Output, so the whole block is a
 * secret in the state, its names included; the audit then counts every string of 8 characters
 * or more in it as a secret, and this name also appears, plainly, in the template.
 */
export const TUNNEL_TOKEN_SECRET = "token";

/** Key Vault DNS suffixes of the public and sovereign clouds. */
const VAULT_URI = /^https:\/\/([a-zA-Z][a-zA-Z0-9-]{1,22}[a-zA-Z0-9])\.vault\.(?:azure\.net|azure\.cn|usgovcloudapi\.net|microsoftazure\.de)(?::443)?\/?$/;

/** `https://<vault>.vault.azure.net/` → `<vault>`; undefined for anything else. */
export function keyVaultName(vaultUri: string): string | undefined {
  return VAULT_URI.exec(vaultUri)?.[1];
}

/**
 * What makes a new revision when the token rotates. Container Apps secrets live outside
 * revisions: changing one alone restarts nothing, and running replicas keep the token they
 * started with. So the template carries a marker of the token in use (the Key Vault version,
 * or a short fingerprint of a high-entropy token, which reveals nothing of it); a new token
 * changes the template, and Container Apps starts a new revision, whose replicas read the new
 * token, before it retires the old one.
 */
export const TOKEN_VERSION_VARIABLE = "GATELOCK_TOKEN_VERSION";

/** The fingerprint of a token for `TOKEN_VERSION_VARIABLE`: 48 bits of a domain-separated SHA-256. */
export function tokenFingerprint(token: string): string {
  return createHash("sha256").update("gatelock tunnel token\0").update(token).digest("hex").slice(0, 12);
}

/** `AzureTunnelOrigin`'s args: the stack file's `azure` block of a tunnel origin. */
export interface AzureTunnelOriginArgs extends TunnelOriginArgsBase {
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

/**
 * A tunnel origin's connector on Azure: a Container App without ingress (nothing listens),
 * always exactly `replicas` replicas, the token a Container Apps secret, or a Key Vault secret
 * the app reads through a user-assigned identity allowed to read that one secret.
 */
export class AzureTunnelOrigin extends pulumi.ComponentResource {
  /** Resource ID of the Container App. */
  readonly containerAppId: pulumi.Output<string>;
  /** The revision created last (a new one on every token rotation). */
  readonly latestRevisionName: pulumi.Output<string>;
  /** Resource ID of the Key Vault secret holding the token, with `vaultUri`. */
  readonly tokenSecretId?: pulumi.Output<string>;
  /** Resource ID of the connector's user-assigned identity, with `vaultUri`. */
  readonly identityId?: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly tunnelService: TunnelService;
  /** Every service of the tunnel this connector carries: this origin's, then those in `tunnel.alsoCarries` (for `GatewayTunnel.carry`). */
  readonly tunnelServices: readonly TunnelService[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: AzureTunnelOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:azure:TunnelOrigin", name, {}, opts);
    const { resourceGroup, containerAppsEnvironmentId, vaultUri } = args;
    const check = checkOrigin({
      component: name,
      config: tunnelConfig(name, "azure", args, { resourceGroup, containerAppsEnvironmentId, vaultUri }),
      siblings: carriedConfigs(name, "azure", args, { resourceGroup, containerAppsEnvironmentId, vaultUri }),
      siblingArg: carriedArg,
      placeholders: {
        "azure.resourceGroup": () => "gatelock-pending",
        "azure.containerAppsEnvironmentId": () => "/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/gatelock-pending/providers/Microsoft.App/managedEnvironments/gatelock-pending",
        "azure.vaultUri": () => "https://gatelock-pending.vault.azure.net/",
      },
      is: isTunnelOn("azure"),
    });
    const origin = check.known;
    const target = origin.target;
    const parent = { parent: this };
    const tags = { "managed-by": "gatelock", "gatelock-origin": origin.name };
    const group = check.value(["azure.resourceGroup"], (m) => m.target.resourceGroup);
    // The model takes any URL; the vault's name is in its host (the model should refuse others).
    const vaultNameOf = (uri: string) => {
      const vault = keyVaultName(uri);
      if (!vault) throw new ConfigError([invalidIssue(`${name}: vaultUri`, "expected a Key Vault URI, `https://<vault>.vault.azure.net/`.", "give the vault's URI as the portal shows it (`Vault URI`).")]);
      return vault;
    };
    if (target.vaultUri && !check.isUnknown("azure.vaultUri")) vaultNameOf(target.vaultUri);

    const env: { name: string; secretRef?: string; value?: pulumi.Input<string> }[] = [{ name: "TUNNEL_TOKEN", secretRef: TUNNEL_TOKEN_SECRET }];
    let secrets: pulumi.Input<Record<string, pulumi.Input<string>>>[];
    let identity: UserAssignedIdentity | undefined;
    const ready: pulumi.Resource[] = [];
    if (target.vaultUri) {
      const secretName = `${target.appName}-token`;
      identity = new UserAssignedIdentity(`${name}-identity`, { resourceGroupName: group, resourceName: `${target.appName}-id`, tags }, parent);
      const kv = new Secret(
        `${name}-token`,
        {
          resourceGroupName: group,
          vaultName: check.value(["azure.vaultUri"], (m) => vaultNameOf(m.target.vaultUri!)),
          secretName,
          properties: { value: pulumi.secret(args.tunnel.token), contentType: "text/plain; charset=utf-8" },
          tags,
        },
        parent,
      );
      const known = !check.isUnknown("azure.vaultUri") && !check.isUnknown("azure.resourceGroup");
      const grants = known ? [`${target.appName}-id`, KEY_VAULT_SECRETS_USER, target.resourceGroup, target.vaultUri, secretName] : undefined;
      const { name: grant, aliases } = grantIdentity(name, "token-reader", 0, grants, { parent: this, resourceClass: RoleAssignment });
      ready.push(
        new RoleAssignment(
          grant,
          {
            // The one secret, not the vault: the connector reads its token and nothing else.
            scope: kv.id,
            roleDefinitionId: kv.id.apply((id) => roleDefinitionId(id, KEY_VAULT_SECRETS_USER)),
            principalId: identity.principalId,
            // A new identity is still replicating: naming its type avoids a lookup that fails.
            principalType: "ServicePrincipal",
          },
          { parent: this, aliases },
        ),
      );
      // Pinned to the version: the versioned URI changes with the token, and so does the marker.
      // An address, not the value: it need not inherit the secrecy of `properties`.
      const versioned = pulumi.unsecret(kv.properties.apply((p) => p.secretUriWithVersion));
      secrets = [{ name: TUNNEL_TOKEN_SECRET, keyVaultUrl: versioned, identity: identity.id }];
      env.push({ name: TOKEN_VERSION_VARIABLE, value: versioned.apply((u) => u.slice(u.lastIndexOf("/") + 1)) });
      this.tokenSecretId = kv.id;
      this.identityId = identity.id;
    } else {
      secrets = [{ name: TUNNEL_TOKEN_SECRET, value: pulumi.secret(args.tunnel.token) }];
      env.push({ name: TOKEN_VERSION_VARIABLE, value: tokenRevision(args.tunnel, tokenFingerprint) });
    }

    const app = new ContainerApp(
      `${name}-app`,
      {
        resourceGroupName: group,
        containerAppName: target.appName,
        environmentId: check.value(["azure.containerAppsEnvironmentId"], (m) => m.target.containerAppsEnvironmentId),
        ...(identity ? { identity: { type: "UserAssigned", userAssignedIdentities: [identity.id] } } : {}),
        // No `ingress`: the app has no endpoint, not even inside the environment.
        configuration: { activeRevisionsMode: "Single", secrets },
        template: {
          containers: [{ name: "connector", image: origin.tunnel.image, env, resources: { cpu: 0.5, memory: "1Gi" } }],
          // Without ingress nothing would ever wake a scaled-to-zero app: min = max = replicas (≥ 1).
          scale: { minReplicas: origin.tunnel.replicas, maxReplicas: origin.tunnel.replicas },
        },
        tags,
      },
      // The app reads the Key Vault secret as it is created: the grant must exist first.
      { parent: this, dependsOn: ready },
    );

    this.containerAppId = app.id;
    this.latestRevisionName = app.latestRevisionName;
    this.findings = check.findings;
    this.tunnelService = tunnelService(origin, args.tunnel.dangerouslyAllowPublicEndpoint);
    this.tunnelServices = carriedServices(origin, this.tunnelService);
    this.gatewayVariables = pairVariables(tunnelVariables(origin), { url: origin.url });
    this.summary = {
      service: origin.url,
      tunnel: origin.tunnel.tunnelName,
      containerApp: target.appName,
      replicas: origin.tunnel.replicas,
      image: origin.tunnel.image,
      ingress: "none",
      tokenStore: target.vaultUri ? "key-vault" : "container-apps-secret",
      latestRevision: this.latestRevisionName,
      ...(this.tokenSecretId ? { tokenSecretId: this.tokenSecretId } : {}),
    };
    this.registerOutputs(this.summary);
  }
}
