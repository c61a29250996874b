/**
 * Which variables each origin needs in the gateway's environment (pure: names and flags,
 * no values), keyed by what each one carries. A component pairs every key with its value
 * (`pairVariables`), so a variable without a value is a compile error, never a silent default.
 */
import type { OriginModel, SharedSecretOrigin } from "../model/model";
import { federatedVariables } from "./federated";
import { mtlsVariables } from "./mtls";
import { tunnelVariables } from "./tunnel";
import { serviceAuthVariables } from "./service-auth";
import { type KeyedVariables, urlVariableSpec, type VariableSpec } from "./variable-spec";

export { type KeyedVariables, originUrlVariable, type PairedVariable, pairVariables, urlVariableSpec, type VariableSpec } from "./variable-spec";

export function sharedSecretVariableSpecs(origin: SharedSecretOrigin): KeyedVariables<"secret"> {
  return {
    secret: {
      name: origin.sharedSecret.variable,
      isSecret: true,
      origin: origin.name,
      description: `shared secret sent to ${origin.name} in the ${origin.sharedSecret.header} header`,
    },
    ...urlVariableSpec(origin),
  };
}

/** Every variable an origin needs, in order: the method's, then the URL's. */
export function variableSpecs(origin: OriginModel): VariableSpec[] {
  const keyed =
    origin.method === "shared-secret"
      ? sharedSecretVariableSpecs(origin)
      : origin.method === "federated"
        ? federatedVariables(origin)
        : origin.method === "mtls"
          ? mtlsVariables(origin)
          : origin.method === "tunnel"
            ? tunnelVariables(origin)
            : serviceAuthVariables(origin);
  return Object.values(keyed).filter((s): s is VariableSpec => s !== undefined);
}
