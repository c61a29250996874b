import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { Secret } from "@pulumi/azure-native/keyvault/secret";
import { checkOrigin } from "../component/checked-origin";
import { grantIdentity } from "../component/grant-names";
import type { GatewayVariable } from "../gateway/environment";
import type { Finding } from "../model/safety";
import { sharedSecretVariables } from "../shared-secret/gateway-variables";
import { isSharedSecretOn, PENDING_URL, sharedSecretConfig, type SharedSecretSettings } from "../shared-secret/origin-args";
import { createSharedSecret } from "../shared-secret/shared-secret";

/** Built-in role "Key Vault Secrets User": read secret contents, nothing else. */
export const KEY_VAULT_SECRETS_USER = "4633458b-17de-408a-b874-0445c86b69e6";

/** `/subscriptions/<id>/...` → the subscription-scoped role definition ID. */
export function roleDefinitionId(scopeId: string, roleGuid: string): string {
  const m = /^\/subscriptions\/([^/]+)\//i.exec(scopeId);
  if (!m) throw new TypeError("expected an Azure resource ID starting with /subscriptions/<id>/");
  return `/subscriptions/${m[1]}/providers/Microsoft.Authorization/roleDefinitions/${roleGuid}`;
}

export interface AzureSharedSecretOriginArgs extends SharedSecretSettings {
  /** Resource group of the Key Vault. */
  readonly resourceGroup: pulumi.Input<string>;
  /** An existing Key Vault that uses Azure RBAC. */
  readonly vault: pulumi.Input<string>;
  /** Principal (object) IDs of the origin's managed identities; each gets "Key Vault Secrets User" on this secret only. */
  readonly readers: pulumi.Input<string>[];
  /** Key Vault secret name (default `gatelock-<stack>-<origin>-shared-secret`). */
  readonly secretName?: string;
}

/**
 * A shared-secret origin on Azure: the secret in an existing RBAC Key Vault, with "Key Vault
 * Secrets User" on that one secret (not the vault) for each of the origin's identities.
 */
export class AzureSharedSecretOrigin extends pulumi.ComponentResource {
  readonly secretId: pulumi.Output<string>;
  readonly secretUri: pulumi.Output<string>;
  readonly readers: pulumi.Output<string[]>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly generation: pulumi.Output<number>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: AzureSharedSecretOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:azure:SharedSecretOrigin", name, {}, opts);
    const { resourceGroup, vault, readers, secretName } = args;
    const check = checkOrigin({
      component: name,
      config: sharedSecretConfig(name, "azure", args, { resourceGroup, vault, readers, secretName }),
      placeholders: {
        "azure.resourceGroup": () => "gatelock-pending",
        "azure.vault": () => "gatelock-pending",
        "azure.readers[]": (n) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, "0")}`,
        url: PENDING_URL,
      },
      is: isSharedSecretOn("azure"),
    });
    const origin = check.known;
    const store = origin.store;

    const secret = createSharedSecret(name, origin.sharedSecret, this);
    const kv = new Secret(
      `${name}-store`,
      {
        resourceGroupName: check.value(["azure.resourceGroup"], (m) => m.store.resourceGroup),
        vaultName: check.value(["azure.vault"], (m) => m.store.vault),
        secretName: store.secretName,
        properties: { value: secret.document, contentType: "application/vnd.gatelock.secret-document+json" },
        tags: { "managed-by": "gatelock", "gatelock-origin": origin.name },
      },
      { parent: this },
    );
    store.readers.forEach((_, i) => {
      const path = `azure.readers[${i}]`;
      const known = check.isUnknown(path) || check.isUnknown("azure.resourceGroup") || check.isUnknown("azure.vault") ? undefined : store.readers[i]!;
      const grants = known === undefined ? undefined : [known, KEY_VAULT_SECRETS_USER, store.resourceGroup, store.vault, store.secretName];
      const { name: grant, aliases } = grantIdentity(name, "reader", i, grants, { parent: this, resourceClass: RoleAssignment });
      new RoleAssignment(
        grant,
        {
          scope: kv.id,
          roleDefinitionId: kv.id.apply((id) => roleDefinitionId(id, KEY_VAULT_SECRETS_USER)),
          principalId: check.value([path], (m) => m.store.readers[i]!),
          // Managed identities are service principals; saying so avoids a lookup that fails
          // while a new identity is still replicating.
          principalType: "ServicePrincipal",
        },
        { parent: this, aliases },
      );
    });

    this.secretId = kv.id;
    this.secretUri = kv.properties.apply((p) => p.secretUri);
    // The summary (registered and exported) takes the readers as they are when known: an Output
    // there is one more for Pulumi to resolve and serialise per origin.
    const readerList = check.value(["azure.readers"], (m) => [...m.store.readers]);
    this.readers = pulumi.output(readerList);
    this.generation = secret.generation;
    this.findings = check.findings;
    this.gatewayVariables = sharedSecretVariables(origin, secret.current, kv, origin.url ? check.value(["url"], (m) => m.url!) : undefined);
    this.summary = { secretId: this.secretId, secretUri: this.secretUri, readers: readerList, generation: this.generation };
    this.registerOutputs(this.summary);
  }
}
