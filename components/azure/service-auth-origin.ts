import * as pulumi from "@pulumi/pulumi";
import { ContainerAppsAuthConfig } from "@pulumi/azure-native/app/containerAppsAuthConfig";
import { WebAppAuthSettingsV2 } from "@pulumi/azure-native/web/webAppAuthSettingsV2";
import { Application } from "@pulumi/azuread/application";
import { ApplicationPassword } from "@pulumi/azuread/applicationPassword";
import { AppRoleAssignment } from "@pulumi/azuread/appRoleAssignment";
import { getClientConfigOutput } from "@pulumi/azuread/getClientConfig";
import { ServicePrincipal } from "@pulumi/azuread/servicePrincipal";
import { checkOrigin } from "../component/checked-origin";
import { containerAppsAuthConfig, type EasyAuthInput, webAppAuthSettingsV2 } from "../documents/azure-easy-auth";
import { gatewayAppRole } from "../documents/entra-app";
import type { GatewayVariable } from "../gateway/environment";
import { azureServiceAuthVariables } from "../gateway/service-auth";
import { pairVariables } from "../gateway/variables";
import type { Finding } from "../model/safety";
import { type CredentialArgs, isServiceAuthOn, serviceAuthConfig } from "../service-auth/origin-args";
import { rotatingCredential } from "../service-auth/rotating-credential";

/** An App Service, Function App or Container App whose authentication accepts only the origin's app. */
export interface AzureSiteArgs {
  /** Name of the App Service, Function App or Container App. */
  readonly name: pulumi.Input<string>;
  /** Its resource group. */
  readonly resourceGroup: pulumi.Input<string>;
}

/** `AzureServiceAuthOrigin`'s args: the app registration, and the site whose Easy Auth accepts it. */
export interface AzureServiceAuthOriginArgs extends CredentialArgs {
  /** The origin's base URL, as the gateway forwards to it. */
  readonly url?: pulumi.Input<string>;
  /** Tenant of the app registration (default: the tenant of the `azuread` provider's credentials). */
  readonly tenantId?: string;
  /** Display name of the app registration (default `gatelock-<stack>-<origin>`). */
  readonly appName?: string;
  /** The app role the gateway's token carries in `roles` (default `Gateway.Invoke`). */
  readonly appRole?: string;
  /** Turn on Easy Auth v2 on this App Service or Function App, accepting only this app's tokens. */
  readonly appService?: AzureSiteArgs;
  /** Turn on authentication on this Container App, accepting only this app's tokens. */
  readonly containerApp?: AzureSiteArgs;
}

/**
 * A service-auth origin on Azure: a single-tenant app registration (v2 tokens, one app role)
 * whose client secret the gateway holds. Zuplo's policy asks Entra for `<client ID>/.default`,
 * so the token is for the app itself; its service principal requires an app role assignment,
 * and only itself is assigned, so no other client in the tenant gets a token for it. The
 * secret rotates in two slots with an overlap and an end date. Optionally, the origin's Easy
 * Auth accepts exactly this app's tokens.
 */
export class AzureServiceAuthOrigin extends pulumi.ComponentResource {
  /** Client ID of the app registration (the gateway requests `<client ID>/.default`). */
  readonly clientId: pulumi.Output<string>;
  /** Entra tenant of the app registration. */
  readonly tenantId: pulumi.Output<string>;
  /** Object ID of the app's service principal, the only principal assigned its app role. */
  readonly servicePrincipalObjectId: pulumi.Output<string>;
  /** The token's `iss`, for an origin that verifies it itself (`createEntraTokenVerifier`). */
  readonly issuer: pulumi.Output<string>;
  readonly gatewayVariables: readonly GatewayVariable[];
  readonly summary: Record<string, pulumi.Input<unknown>>;
  readonly findings: readonly Finding[];

  constructor(name: string, args: AzureServiceAuthOriginArgs, opts?: pulumi.ComponentResourceOptions) {
    super((new.target as { readonly packageType?: string }).packageType ?? "gatelock:azure:ServiceAuthOrigin", name, {}, opts);
    const { tenantId, appName, appRole, appService, containerApp } = args;
    const check = checkOrigin({
      component: name,
      config: serviceAuthConfig(name, "azure", args, { tenantId, appName, appRole, appService, containerApp }),
      placeholders: {
        url: () => "https://gatelock-pending.invalid",
        "azure.appService.name": () => "gatelock-pending",
        "azure.appService.resourceGroup": () => "gatelock-pending",
        "azure.containerApp.name": () => "gatelock-pending",
        "azure.containerApp.resourceGroup": () => "gatelock-pending",
      },
      is: isServiceAuthOn("azure"),
    });
    const origin = check.known;
    const target = origin.target;
    const parent = { parent: this };

    const role = gatewayAppRole(pulumi.getStack(), origin.name, target.appRole);
    const app = new Application(
      `${name}-app`,
      {
        displayName: target.appName,
        signInAudience: "AzureADMyOrg",
        // v2 tokens: `iss` is the tenant's v2 issuer and `azp` names the caller.
        api: { requestedAccessTokenVersion: 2 },
        appRoles: [{ ...role, allowedMemberTypes: [...role.allowedMemberTypes] }],
      },
      parent,
    );
    const sp = new ServicePrincipal(`${name}-sp`, { clientId: app.clientId, appRoleAssignmentRequired: true }, parent);
    // The app's own service principal is the only client assigned the role.
    const assignment = new AppRoleAssignment(`${name}-self-assignment`, { appRoleId: role.id, principalObjectId: sp.objectId, resourceObjectId: sp.objectId }, parent);

    const credential = rotatingCredential(name, origin.credential, this);
    const password = (slot: "a" | "b") => {
      const plan = credential.slot(slot);
      return new ApplicationPassword(
        `${name}-secret-${slot}`,
        { applicationId: app.id, displayName: `gatelock ${slot}`, endDate: plan.apply((p) => p.endDate), rotateWhenChanged: { epoch: plan.apply((p) => p.epoch) } },
        parent,
      );
    };
    const [a, b] = [password("a"), password("b")];
    const secret = pulumi.secret(credential.current(a.value, b.value));

    this.tenantId = target.tenantId ? pulumi.output(target.tenantId) : getClientConfigOutput(parent).tenantId;
    this.clientId = app.clientId;
    this.servicePrincipalObjectId = sp.objectId;
    this.issuer = pulumi.interpolate`https://login.microsoftonline.com/${this.tenantId}/v2.0`;
    const easyAuth: pulumi.Output<EasyAuthInput> = pulumi.all([this.tenantId, app.clientId, sp.objectId]).apply(([t, c, o]) => ({ tenantId: t, clientId: c, servicePrincipalObjectId: o }));

    const site: pulumi.Resource[] = [];
    if (target.appService) {
      const doc = easyAuth.apply(webAppAuthSettingsV2);
      site.push(
        new WebAppAuthSettingsV2(
          `${name}-easy-auth`,
          {
            name: check.value(["azure.appService.name"], (m) => m.target.appService!.name),
            resourceGroupName: check.value(["azure.appService.resourceGroup"], (m) => m.target.appService!.resourceGroup),
            platform: doc.apply((d) => d.platform),
            globalValidation: doc.apply((d) => d.globalValidation),
            httpSettings: doc.apply((d) => d.httpSettings),
            identityProviders: doc.apply((d) => d.identityProviders as never),
          },
          parent,
        ),
      );
    }
    if (target.containerApp) {
      const doc = easyAuth.apply(containerAppsAuthConfig);
      site.push(
        new ContainerAppsAuthConfig(
          `${name}-auth`,
          {
            containerAppName: check.value(["azure.containerApp.name"], (m) => m.target.containerApp!.name),
            resourceGroupName: check.value(["azure.containerApp.resourceGroup"], (m) => m.target.containerApp!.resourceGroup),
            authConfigName: "current",
            platform: doc.apply((d) => d.platform),
            globalValidation: doc.apply((d) => d.globalValidation),
            httpSettings: doc.apply((d) => d.httpSettings),
            identityProviders: doc.apply((d) => d.identityProviders as never),
          },
          parent,
        ),
      );
    }

    this.findings = check.findings;
    // The gateway may ask for tokens only once the role is assigned (else Entra refuses it).
    const ready: pulumi.Resource[] = [assignment, a, b, ...site];
    this.gatewayVariables = pairVariables(
      azureServiceAuthVariables(origin),
      { tenantId: this.tenantId, clientId: app.clientId, clientSecret: secret, url: origin.url ? check.value(["url"], (m) => m.url!) : undefined },
      { tenantId: ready, clientId: ready, clientSecret: ready },
    );
    this.summary = {
      tenantId: this.tenantId,
      clientId: this.clientId,
      servicePrincipal: this.servicePrincipalObjectId,
      issuer: this.issuer,
      appRole: target.appRole,
      secretGeneration: credential.generation,
      ...(target.appService ? { easyAuth: "app-service" } : target.containerApp ? { easyAuth: "container-app" } : {}),
    };
    this.registerOutputs(this.summary);
  }
}
