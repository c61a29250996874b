import * as pulumi from "@pulumi/pulumi";
import { RoleAssignment } from "@pulumi/azure-native/authorization/roleAssignment";
import { FederatedIdentityCredential } from "@pulumi/azure-native/managedidentity/federatedIdentityCredential";
import { UserAssignedIdentity } from "@pulumi/azure-native/managedidentity/userAssignedIdentity";
import type { GatewayVariable } from "../gateway/environment";
import { azureFederatedVariables } from "../gateway/federated/azure";
import { pairVariables } from "../gateway/variables";
import type { FederatedOrigin } from "../model/model";
import { subjectHash } from "./federated-names";

export interface AzureFederatedOriginArgs {
  /** A validated federated origin on Azure (from `buildModel`). */
  readonly origin: FederatedOrigin;
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

  constructor(name: string, args: AzureFederatedOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("gatelock:azure:FederatedOrigin", name, {}, opts);
    const { origin } = args;
    const target = origin.target;
    if (target.cloud !== "azure") throw new TypeError(`AzureFederatedOrigin needs an origin on azure, got ${target.cloud}`);
    const tags = { "managed-by": "gatelock", "gatelock-origin": origin.name };

    const identity = new UserAssignedIdentity(
      `${name}-identity`,
      { resourceGroupName: target.resourceGroup, resourceName: target.identityName, location: target.location, tags },
      { parent: this },
    );

    // Logical names come from the subject, like the Azure names, so reordering subjects
    // changes only the chain, never a credential.
    let previous: FederatedIdentityCredential | undefined;
    for (const c of target.credentials) {
      previous = new FederatedIdentityCredential(
        `${name}-credential-${subjectHash(c.subject)}`,
        {
          resourceGroupName: target.resourceGroup,
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
        scope: target.scope,
        roleDefinitionId: target.role.definitionId,
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
      { tenantId: identity.tenantId, clientId: identity.clientId, url: origin.url },
      { tenantId: ready, clientId: ready },
    );

    this.identityId = identity.id;
    this.clientId = identity.clientId;
    this.principalId = identity.principalId;
    this.tenantId = identity.tenantId;
    this.credentialNames = target.credentials.map((c) => c.name);
    this.roleAssignmentId = assignment.id;
    this.summary = {
      identityId: this.identityId,
      clientId: this.clientId,
      principalId: this.principalId,
      tenantId: this.tenantId,
      subjects: target.credentials.map((c) => c.subject),
      credentials: this.credentialNames,
      role: target.role.name ?? target.role.guid,
      scope: target.scope,
      tokenScope: target.tokenScope,
      roleAssignmentId: this.roleAssignmentId,
    };
    this.registerOutputs(this.summary);
  }
}
