/**
 * How the stack-file program builds Azure origins: one builder per method, each loaded with its
 * component only when a stack has such an origin (a shared-secret stack never loads the
 * Container Apps, managed identity or Entra modules the other methods need).
 */
import { type CloudModule, expectMethod, federatedArgs, mtlsArgs, serviceAuthArgs, sharedSecretArgs, tunnelOriginArgs } from "../program/translator";

export const cloud: CloudModule = {
  cloud: "azure",
  methods: {
    tunnel: {
      load: async () => {
        const { AzureTunnelOrigin } = await import("./tunnel-origin");
        return (raw, ctx) => {
          const o = expectMethod(raw, "tunnel");
          return new AzureTunnelOrigin(o.name, { ...tunnelOriginArgs(o, ctx), ...o.azure! }, ctx.opts);
        };
      },
    },
    "shared-secret": {
      load: async () => {
        const { AzureSharedSecretOrigin } = await import("./shared-secret-origin");
        return (raw, ctx) => {
          const o = expectMethod(raw, "shared-secret");
          return new AzureSharedSecretOrigin(o.name, { ...sharedSecretArgs(o), ...o.azure! }, ctx.opts);
        };
      },
    },
    federated: {
      load: async () => {
        const { AzureFederatedOrigin } = await import("./federated-origin");
        return (raw, ctx) => {
          const o = expectMethod(raw, "federated");
          return new AzureFederatedOrigin(o.name, { ...federatedArgs(o, ctx.gateway), ...o.azure! }, ctx.opts);
        };
      },
    },
    // In `gatelock/azuread`: it needs `@pulumi/azuread` besides azure-native.
    "service-auth": {
      pkg: "@pulumi/azuread",
      load: async () => {
        const { AzureServiceAuthOrigin } = await import("../azuread");
        return (raw, ctx) => {
          const o = expectMethod(raw, "service-auth");
          return new AzureServiceAuthOrigin(o.name, { ...serviceAuthArgs(o), ...o.azure! }, ctx.opts);
        };
      },
    },
    mtls: {
      load: async () => {
        const { AzureMtlsOrigin } = await import("./mtls-origin");
        return (raw, ctx) => {
          const o = expectMethod(raw, "mtls");
          return new AzureMtlsOrigin(o.name, { ...mtlsArgs(o, ctx), ...o.azure! }, ctx.opts);
        };
      },
    },
  },
};
