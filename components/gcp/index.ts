/** `gatelock/gcp`: the GCP components and the documents they build. Loads only GCP SDK submodules. */
export { GcpSharedSecretOrigin, type GcpSharedSecretOriginArgs, SECRET_ACCESSOR_ROLE } from "./shared-secret-origin";
export { GcpFederatedOrigin, type GcpFederatedOriginArgs } from "./federated-origin";
export { GcpGatewayServiceAccount, type GcpGatewayServiceAccountArgs } from "./gateway-service-account";
export { GcpServiceAuthOrigin, type GcpServiceAuthOriginArgs } from "./service-auth-origin";
export { GcpMtlsOrigin, type GcpMtlsOriginArgs, type GcpMtlsTargetHttpsProxyArgs } from "./mtls-origin";
export { GcpTunnelOrigin, type GcpTunnelOriginArgs, TUNNEL_VPC_EGRESS, workerPoolName } from "./tunnel-origin";
export { clientValidationTrustConfig, GCP_TRUST_CONFIG_PEM_MAX_BYTES, gcpTrustAnchors } from "../documents/gcp-trust-config";
export { endpointsServiceAccountSecurity, type EndpointsSecurity } from "../documents/gcp-endpoints-auth";
export {
  assertNotWholePool,
  attributeCondition,
  attributeMapping,
  celString,
  impersonators,
  isWholePoolMember,
  principalMember,
  principalSetMember,
  RUN_INVOKER_ROLE,
  WORKLOAD_IDENTITY_USER_ROLE,
} from "../documents/gcp-workload-identity";
