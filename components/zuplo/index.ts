/** `gatelock/zuplo`: Zuplo-specific pieces — the Developer API variable and redeploy resources, and policy config. */
export { ZuploVariable, type ZuploVariableArgs } from "./variable";
export { ZuploEnvironment, type ZuploEnvironmentArgs, type GatewayVariable, type VariableSummary } from "../gateway/environment";
export { ZuploRedeploy, type ZuploRedeployArgs } from "./redeploy";
export { ZUPLO_VARIABLE_TYPE, zuploVariableProvider, type ZuploVariableInputs, type ZuploVariableOutputs } from "./variable-provider";
export { ZUPLO_REDEPLOY_TYPE, zuploRedeployProvider, type ZuploRedeployInputs, type ZuploRedeployOutputs } from "./redeploy-provider";
// The transport knob `setZuploClientOptions` is a test knob: it is exported by `gatelock/testing`.
export { ZUPLO_API_KEY_CONFIG } from "./client";
export { gatewayConfigFor, policiesDocument, type OriginGatewayConfig, type ZuploPolicy } from "../gateway/zuplo-policies";
export { ZUPLO_ISSUER, ZUPLO_JWKS_URI, zuploIdentity } from "../model/identity";
export { ZuploMtlsCertificate, type ZuploMtlsCertificateArgs } from "./mtls-certificate";
export {
  ZUPLO_MTLS_CERTIFICATE_TYPE,
  zuploMtlsCertificateProvider,
  type ZuploMtlsCertificateInputs,
  type ZuploMtlsCertificateOutputs,
  type ZuploMtlsCertificateInfo,
  type ZuploMtlsEnvironment,
} from "./mtls-certificate-provider";
export { ZuploTunnel, type ZuploTunnelArgs } from "./tunnel";
export { ZUPLO_TUNNEL_TYPE, zuploTunnelProvider, type ZuploTunnelInputs, type ZuploTunnelOutputs } from "./tunnel-provider";
export { ZuploTunnelServices, type ZuploTunnelServicesArgs } from "./tunnel-services";
export {
  ZUPLO_TUNNEL_SERVICES_TYPE,
  zuploTunnelServicesProvider,
  type ZuploTunnelAccess,
  type ZuploTunnelService,
  type ZuploTunnelServiceProject,
  type ZuploTunnelServicesInputs,
  type ZuploTunnelServicesOutputs,
} from "./tunnel-services-provider";
