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

export interface CloudModule {
  readonly cloud: Cloud;
  readonly translators: Partial<Record<Method, Translator>>;
}
