/**
 * The seam between the model and the clouds. Each cloud module exposes one translator per
 * method it supports; adding a method to a cloud is adding one translator, nothing else.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { GatewayVariable } from "../gateway/environment";
import type { Cloud, Method } from "../model/config";
import type { OriginModel } from "../model/model";

export interface OriginDeployment {
  readonly origin: OriginModel;
  /** The component that holds the origin's resources. */
  readonly component: pulumi.ComponentResource;
  /** Variables the gateway needs for this origin. */
  readonly variables: readonly GatewayVariable[];
  /** Stack outputs for this origin (no secrets). */
  readonly outputs: Record<string, pulumi.Input<unknown>>;
}

export interface TranslateContext {
  readonly stack: string;
  readonly opts?: pulumi.ComponentResourceOptions;
}

export type Translator = (origin: OriginModel, ctx: TranslateContext) => OriginDeployment;

/** What every per-origin component offers the program. */
export interface OriginComponent extends pulumi.ComponentResource {
  /** Variables the gateway needs for this origin (values are Pulumi secrets where secret). */
  readonly gatewayVariables: readonly GatewayVariable[];
  /** What the stack outputs show for this origin; never a secret. */
  readonly summary: Record<string, pulumi.Input<unknown>>;
}

export type OriginComponentClass<O extends OriginModel> = new (
  name: string,
  args: { readonly origin: O },
  opts?: pulumi.ComponentResourceOptions,
) => OriginComponent;

/** The usual translator: one component per origin, named after the origin. */
export function componentTranslator<O extends OriginModel>(Component: OriginComponentClass<O>): Translator {
  return (origin, ctx) => {
    const component = new Component(origin.name, { origin: origin as O }, ctx.opts);
    return { origin, component, variables: component.gatewayVariables, outputs: component.summary };
  };
}

export interface CloudModule {
  readonly cloud: Cloud;
  readonly translators: Partial<Record<Method, Translator>>;
}
