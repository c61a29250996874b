import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { Secret } from "@pulumi/azure-native/keyvault/secret";
import type { GatewayVariable } from "../gateway/environment";
import type { OriginModel } from "../model/model";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { SharedSecret } from "../shared-secret/shared-secret";

/** Built-in role "Key Vault Secrets User": read secret contents, nothing else. */
export const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

/** `/subscriptions/<id>/...` → the subscription-scoped role definition ID. */
export function roleDefinitionId(scopeId: string, roleGuid: string): string {
  const m = /^\/subscriptions\/([^/]+)\//i.exec(scopeId);
  if (!m) throw new TypeError("expected an Azure resource ID starting with /subscriptions/<id>/");
  return `/subscriptions/${m[1]}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

export interface AzureSharedSecretOriginArgs {
  /** A validated origin (from `buildModel`): a shared-secret origin on this cloud. */
  readonly origin: OriginModel;
}

/**
 * A shared-secret origin on Azure: the secret in an existing RBAC Key Vault, with "Key Vault
 * Secrets User" on that one secret (not the vault) for each of the origin's identities.
 */
export class AzureSharedSecretOrigin extends pulumi.ComponentResource {
  readonly secretId: pulumi.Output<string>;
  readonly secretUri: pulumi.Output<string>;
  readonly readers: readonly string[];
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;

  constructor(name: string, args: AzureSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:azure:SharedSecretOrigin", name, {}, opts);
    const { origin } = args;
    if (origin.method !== "shared-secret" || origin.store.cloud !== "azure") {
      throw new TypeError(`AzureSharedSecretOrigin needs a shared-secret origin on azure, got ${origin.method} on ${origin.cloud}`);
    }
    const store = origin.store;

    const secret = new SharedSecret(name, origin.sharedSecret, { parent: this });
    const kv = new Secret(
      `${name}-store`,
      {
        resourceGroupName: store.resourceGroup,
        vaultName: store.vault,
        secretName: store.secretName,
        properties: { value: secret.document, contentType: "application/vnd.gatelock.secret-document+json" },
        tags: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      { parent: this },
    );
    store.readers.forEach((principalId, i) => {
      new RoleAssignment(
        `${name}-reader-${i}`,
        {
          scope: kv.id,
          roleDefinitionId: kv.id.apply((id) => roleDefinitionId(id, KEY_VAULT_SECRETS_USER)),
          principalId,
          // Managed identities are service principals; saying so avoids a lookup that fails
          // while a new identity is still replicating.
          principalType: "ServicePrincipal",
        },
        { parent: this },
      );
    });

    this.secretId = kv.id;
    this.secretUri = kv.properties.apply((p) => p.secretUri);
    this.readers = store.readers;
    this.generation = secret.generation;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, kv);
    this.summary = { secretId: this.secretId, secretUri: this.secretUri, readers: this.readers, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
