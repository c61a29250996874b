/** `gatelock/zuplo`: Zuplo-specific pieces — the Developer API variable and redeploy resources, and policy config. */
export { ZuploVariable, type ZuploVariableArgs } from "./variable";
export { ZuploRedeploy, type ZuploRedeployArgs } from "./redeploy";
export {
  setZuploClientOptions,
  ZUPLO_API_KEY_CONFIG,
  ZUPLO_REDEPLOY_TYPE,
  ZUPLO_VARIABLE_TYPE,
  zuploRedeployProvider,
  zuploVariableProvider,
  type ZuploClientOptions,
  type ZuploRedeployInputs,
  type ZuploRedeployOutputs,
  type ZuploVariableInputs,
  type ZuploVariableOutputs,
} from "./developer-api";
export { gatewayConfigFor, policiesDocument, type OriginGatewayConfig, type ZuploPolicy } from "../gateway/zuplo-policies";
export { ZUPLO_ISSUER, ZUPLO_JWKS_URI, zuploIdentity } from "../model/identity";
