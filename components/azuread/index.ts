/**
 * `gatelock/azuread`: the Azure components that need Microsoft Entra ID resources, and so the
 * `@pulumi/azuread` SDK besides azure-native (an optional peer dependency of its own: a stack
 * with no Azure service-auth origin never loads it).
 */
export { AzureServiceAuthOrigin, type AzureServiceAuthOriginArgs, type AzureSiteArgs } from "../azure/service-auth-origin";
export { containerAppsAuthConfig, type EasyAuthInput, webAppAuthSettingsV2 } from "../documents/azure-easy-auth";
export { appRoleId, gatewayAppRole } from "../documents/entra-app";
export { azureServiceAuthVariables, serviceAuthGatewayConfig } from "../gateway/service-auth";
