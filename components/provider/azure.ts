/** The Azure components as the package publishes them: `gatelock:index:Azure…`. */
import type * as pulumi from "@pulumi/pulumi";
import { AzureFederatedOrigin as Federated, type AzureFederatedOriginArgs } from "../azure/federated-origin";
import { AzureSharedSecretOrigin as SharedSecret, type AzureSharedSecretOriginArgs } from "../azure/shared-secret-origin";
import { type Finding, type GatewayVariable, packageFindings, packageVariables } from "./outputs";
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
