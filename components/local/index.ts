/** Origins on this machine, for local development; part of the core package (no cloud SDK). */
export { LocalMtlsOrigin, type LocalMtlsOriginArgs } from "./mtls-origin";
export { LocalSharedSecretOrigin, type LocalSharedSecretOriginArgs } from "./shared-secret-origin";
