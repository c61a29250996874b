/**
 * Which variables each origin needs in the gateway's environment (pure: names and flags,
 * no values). The program pairs these with values; the audit prints them as they are.
 */
import type { OriginModel } from "../model/model";
import { federatedVariables } from "./federated";

export interface VariableSpec {
  readonly name: string;
  readonly isSecret: boolean;
  readonly origin: string;
  readonly description: string;
}

export function variableSpecs(origin: OriginModel): VariableSpec[] {
  switch (origin.method) {
    case "shared-secret": {
      const specs: VariableSpec[] = [
        {
          name: origin.sharedSecret.variable,
          isSecret: true,
          origin: origin.name,
          description: `shared secret sent to ${origin.name} in the ${origin.sharedSecret.header} header`,
        },
      ];
      if (origin.url) specs.push(urlVariable(origin));
      return specs;
    }
    case "federated":
      return [...federatedVariables(origin), ...(origin.url ? [urlVariable(origin)] : [])];
  }
}

/** The origin's base URL, for the route's `urlForwardHandler` (`${env.ORDERS_ORIGIN_URL}`). */
export function urlVariable(origin: OriginModel & { url?: string }): VariableSpec {
  return {
    name: originUrlVariable(origin.name),
    isSecret: false,
    origin: origin.name,
    description: `base URL of ${origin.name}`,
  };
}

export function originUrlVariable(originName: string): string {
  return `${originName.toUpperCase().replace(/-/g, "_")}_ORIGIN_URL`;
}
