/**
 * How the stack-file program builds Azure origins: one builder per method, each loaded with its
 * component only when a stack has such an origin (a shared-secret stack never loads the
 * Container Apps, managed identity or Entra modules the other methods need).
 */
import { type CloudModule, expectMethod, federatedArgs, lazyMethod, mtlsArgs, serviceAuthArgs, sharedSecretArgs, tunnelOriginArgs } from "../program/translator";

export const cloud: CloudModule = {
  cloud: "azure",
  methods: {
    tunnel: lazyMethod(() => import("./tunnel-origin"), ({ AzureTunnelOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "tunnel");
      return new AzureTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.azure! }, ctx.opts);
    }),
    "shared-secret": lazyMethod(() => import("./shared-secret-origin"), ({ AzureSharedSecretOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "shared-secret");
      return new AzureSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.azure! }, ctx.opts);
    }),
    federated: lazyMethod(() => import("./federated-origin"), ({ AzureFederatedOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "federated");
      return new AzureFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...o.azure! }, ctx.opts);
    }),
    // In `gatelock/azuread`: it needs `@pulumi/azuread` besides azure-native.
    "service-auth": lazyMethod(() => import("../azuread"), ({ AzureServiceAuthOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "service-auth");
      return new AzureServiceAuthOrigin(o.name, { ...serviceAuthArgs(o), ...o.azure! }, ctx.opts);
    }, "@pulumi/azuread"),
    mtls: lazyMethod(() => import("./mtls-origin"), ({ AzureMtlsOrigin }) => (raw, ctx) => {
      const o = expectMethod(raw, "mtls");
      return new AzureMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...o.azure! }, ctx.opts);
    }),
  },
};
