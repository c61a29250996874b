/** `gatelock/zuplo`: Zuplo-specific pieces — the Developer API variable and redeploy resources, and policy config. */
export { ZuploVariable, zuploVariableProvider, ZUPLO_VARIABLE_TYPE, type ZuploVariableArgs, type ZuploVariableInputs } from "./variable";
export { ZuploRedeploy, zuploRedeployProvider, ZUPLO_REDEPLOY_TYPE, type ZuploRedeployArgs, type ZuploRedeployInputs, type ZuploRedeployOutputs } from "./variable";
export { gatewayConfigFor, policiesDocument, type OriginGatewayConfig, type ZuploPolicy } from "../gateway/zuplo-policies";
export { ZUPLO_ISSUER, ZUPLO_JWKS_URI, zuploIdentity } from "../model/identity";
