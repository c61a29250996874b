import * as pulumi from "@pulumi/pulumi";
import { type RotationInputs, rotationScheduleProvider, type Slot } from "./rotation";

/** Dynamic resource type token: `pulumi-nodejs:dynamic/gatelock:RotationSchedule`. */
export const ROTATION_SCHEDULE_TYPE = "RotationSchedule";

/**
 * The remembered rotation state of one shared secret. Holds no secret: only generations
 * and dates, which is why it can be a plain dynamic resource.
 */
export class RotationSchedule extends pulumi.dynamic.Resource {
  declare readonly generation: pulumi.Output<number>;
  declare readonly rotatedAt: pulumi.Output<string>;
  declare readonly slotA: pulumi.Output<number>;
  declare readonly slotB: pulumi.Output<number>;
  declare readonly current: pulumi.Output<Slot>;
  declare readonly previousActive: pulumi.Output<boolean>;
  declare readonly previousRetiresAt: pulumi.Output<string>;
  declare readonly slotAFrom: pulumi.Output<string>;
  declare readonly slotBFrom: pulumi.Output<string>;

  constructor(name: string, args: { [K in keyof RotationInputs]: pulumi.Input<RotationInputs[K]> }, opts?: pulumi.CustomResourceOptions) {
    super(
      rotationScheduleProvider,
      name,
      {
        ...args,
        generation: undefined,
        rotatedAt: undefined,
        slotA: undefined,
        slotB: undefined,
        current: undefined,
        previousActive: undefined,
        previousRetiresAt: undefined,
        slotAFrom: undefined,
        slotBFrom: undefined,
      },
      opts,
      "gatelock",
      ROTATION_SCHEDULE_TYPE,
    );
  }
}
