import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { FederatedIdentityCredential } from "@pulumi/azure-native/managedidentity/federatedIdentityCredential";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import { checkOrigin } from "../component/checked-origin";
import { federatedConfig, type FederatedSettings, isFederatedOn } from "../federated/origin-args";
import type { GatewayVariable } from "../gateway/environment";
import { azureFederatedVariables } from "../gateway/federated/azure";
import { pairVariables } from "../gateway/variables";
import type { Finding } from "../model/safety";
import { subjectHash } from "../documents/azure-names";

export interface AzureFederatedOriginArgs extends FederatedSettings {
  /** Existing resource group that holds the gateway's user-assigned managed identity. */
  readonly resourceGroup: pulumi.Input<string>;
  /** Azure region of the managed identity (e.g. `westeurope`). */
  readonly location: string;
  /** Name of the managed identity gatelock creates (default `gatelock-<stack>-<origin>`). */
  readonly identityName?: string;
  /** An allowlisted data-plane role by name, GUID or role definition ID. */
  readonly role: string;
  /** ARM ID of the one resource the role is granted on. */
  readonly scope: pulumi.Input<string>;
  /** What the gateway requests its Entra token for (default: the service of a built-in `role`). */
  readonly resource?: string;
  /** Escape hatch: a role off gatelock's allowlist (roles that manage access, resources or keys stay refused). */
  readonly dangerouslyAllowUnlistedRole?: boolean;
}

/**
 * A federated origin on Azure: a user-assigned managed identity that trusts the gateway's
 * own tokens through one federated identity credential per gateway subject, and one
 * least-privilege role on one resource for that identity.
 *
 * Azure rejects concurrent credential writes on one identity (409), so each credential
 * depends on the one before it: they are created, and destroyed, one after another.
 */
export class AzureFederatedOrigin extends pulumi.ComponentResource {
  readonly identityId: pulumi.Output<string>;
  readonly clientId: pulumi.Output<string>;
  readonly principalId: pulumi.Output<string>;
  readonly tenantId: pulumi.Output<string>;
  /** Azure names of the federated credentials, in subject order. */
  readonly credentialNames: readonly string[];
  readonly roleAssignmentId: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: AzureFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:azure:FederatedOrigin", name, {}, opts);
    const { resourceGroup, location, identityName, role, scope, resource, dangerouslyAllowUnlistedRole } = args;
    // A role definition ID names its subscription: an unknown scope stands in from the same one.
    const subscription = /^\/subscriptions\/([0-9a-fA-F-]{36})\//.exec(role)?.[1] ?? "00000000-0000-0000-0000-000000000000";
    const check = checkOrigin({
      component: name,
      gateway: args.gateway,
      config: federatedConfig(name, "azure", args, { resourceGroup, location, identityName, role, scope, resource, dangerouslyAllowUnlistedRole }),
      placeholders: {
        "azure.resourceGroup": () => "gatelock-pending",
        "azure.scope": () => `/subscriptions/${subscription}/resourceGroups/gatelock-pending/providers/Microsoft.Storage/storageAccounts/gatelockpending`,
        url: () => "https://gatelock-pending.invalid",
      },
      is: isFederatedOn("azure"),
    });
    const origin = check.known;
    const target = origin.target;
    const tags = { "managed-by": "gatelock", "gatelock-origin": origin.name };
    const resourceGroupName = check.value(["azure.resourceGroup"], (m) => m.target.resourceGroup);

    const identity = new UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName, resourceName: target.identityName, location: target.location, tags },
      { parent: this },
    );

    // Logical names come from the subject, like the Azure names, so reordering subjects
    // changes only the chain, never a credential.
    let previous: FederatedIdentityCredential | undefined;
    for (const c of target.credentials) {
      previous = new FederatedIdentityCredential(
        `${name}-credential-${subjectHash(c.subject)}`,
        {
          resourceGroupName,
          resourceName: identity.name,
          federatedIdentityCredentialResourceName: c.name,
          issuer: origin.trust.issuer,
          subject: c.subject,
          audiences: [origin.trust.audience],
        },
        { parent: this, dependsOn: previous ? [previous] : [] },
      );
    }

    const assignment = new RoleAssignment(
      `${name}-role`,
      {
        scope: check.value(["azure.scope"], (m) => m.target.scope),
        roleDefinitionId: check.value(["azure.scope"], (m) => m.target.role.definitionId),
        principalId: identity.principalId,
        // A new identity's service principal takes a while to replicate; saying what it is
        // avoids the lookup that fails meanwhile.
        principalType: "ServicePrincipal",
        description: `gatelock: the gateway's identity for ${origin.name}`,
      },
      { parent: this },
    );

    // The gateway may use the identity only once Azure trusts its token and grants the role.
    const ready: pulumi.Resource[] = [previous ?? identity, assignment];
    this.gatewayVariables = pairVariables(
      azureFederatedVariables(origin),
      { tenantId: identity.tenantId, clientId: identity.clientId, url: origin.url ? check.value(["url"], (m) => m.url!) : undefined },
      { tenantId: ready, clientId: ready },
    );

    this.identityId = identity.id;
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.tenantId = identity.tenantId;
    this.credentialNames = target.credentials.map((c) => c.name);
    this.roleAssignmentId = assignment.id;
    this.findings = check.findings;
    this.summary = {
      identityId: this.identityId,
      clientId: this.clientId,
      principalId: this.principalId,
      tenantId: this.tenantId,
      subjects: target.credentials.map((c) => c.subject),
      credentials: this.credentialNames,
      role: target.role.name ?? target.role.guid,
      scope: check.value(["azure.scope"], (m) => m.target.scope),
      tokenScope: target.tokenScope,
      roleAssignmentId: this.roleAssignmentId,
    };
    this.registerOutputs(this.summary);
  }
}
