/** `gatelock/zuplo`: Zuplo-specific pieces — the Developer API variable resource and policy config. */
export { ZuploVariable, zuploVariableProvider, ZUPLO_VARIABLE_TYPE, type ZuploVariableArgs, type ZuploVariableInputs } from "./variable";
export { gatewayConfigFor, policiesDocument, type OriginGatewayConfig, type ZuploPolicy } from "../gateway/zuplo-policies";
export { ZUPLO_ISSUER, ZUPLO_JWKS_URI, zuploIdentity } from "../model/identity";
