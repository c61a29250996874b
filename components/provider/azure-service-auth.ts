/**
 * Azure's service-auth origin as the package publishes it: `gatelock:index:AzureServiceAuthOrigin`.
 * Apart from the other Azure components because it needs `@pulumi/azuread` besides
 * `@pulumi/azure-native`: a program without azuread still gets the others.
 */
import type * as pulumi from "@pulumi/pulumi";
import { AzureServiceAuthOrigin as ServiceAuth, type AzureServiceAuthOriginArgs } from "../azure/service-auth-origin";
import { type Finding, type GatewayVariable, packageFindings, packageVariables } from "./outputs";
import { builtAs, packageBase, publish } from "./package-component";

/**
 * A service-auth origin on Azure: a single-tenant app registration (v2 tokens, one app role)
 * whose client secret the gateway holds, rotated in two slots with an overlap and an end date.
 * Its service principal requires an app role assignment and only itself is assigned, so no
 * other client in the tenant gets a token for it. Optionally, the origin's Easy Auth (App
 * Service, Function App, Container App) accepts exactly this app's tokens.
 */
export class AzureServiceAuthOrigin extends packageBase<AzureServiceAuthOriginArgs>(ServiceAuth) {
  static readonly packageType = "gatelock:index:AzureServiceAuthOrigin";
  /** Client ID of the app registration (what the gateway requests its token for, `<client ID>/.default`). */
  declare readonly clientId: pulumi.Output<string>;
  /** Entra tenant of the app registration. */
  declare readonly tenantId: pulumi.Output<string>;
  /** Object ID of the app's service principal (the only principal assigned its app role). */
  declare readonly servicePrincipalObjectId: pulumi.Output<string>;
  /** The token's `iss`, for an origin that verifies it itself (`createEntraTokenVerifier` from `gatelock/origin`). */
  declare readonly issuer: pulumi.Output<string>;
  /** The variables the gateway needs (tenant, client ID, client secret, and the origin's URL when given): pass them to `ZuploEnvironment`. */
  declare readonly gatewayVariables: GatewayVariable[];
  /** Warnings about these args, named by arg. */
  declare readonly findings: Finding[];

  constructor(name: string, args: AzureServiceAuthOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super(name, args, opts);
    const built = builtAs(this, ServiceAuth);
    publish<AzureServiceAuthOrigin>(this, {
      clientId: built.clientId,
      tenantId: built.tenantId,
      servicePrincipalObjectId: built.servicePrincipalObjectId,
      issuer: built.issuer,
      gatewayVariables: packageVariables(built.gatewayVariables),
      findings: packageFindings(built.findings),
    });
  }
}
