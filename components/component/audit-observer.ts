/**
 * How `gatelock audit --program` sees the gatelock components a user's own program builds.
 *
 * The audit does not write that program, so it cannot keep the components it creates; each
 * component reports itself here instead (a no-op when no audit is listening). The listener
 * lives on `globalThis` under a `Symbol.for` key rather than in this module, so it is found by
 * every copy of gatelock in the process: the program is loaded with Node's own `require`,
 * which under a test runner (vitest transforms modules itself) gives it a second copy of
 * gatelock's modules beside the audit's.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { VariableSummary } from "../gateway/environment";
import type { GatewayModel, OriginModel } from "../model/model";
import type { Finding } from "../model/safety";

/** An origin component, as `checkOrigin` checked it. */
export interface ObservedOrigin {
  /** The component's name (errors and findings read `<component>: <arg>`). */
  readonly component: string;
  /** Built from the values known at construction (placeholders for Outputs). */
  readonly known: OriginModel;
  /** Built again from the resolved values; fails with a ConfigError when they are refused. */
  readonly model: pulumi.OutputInstance<OriginModel>;
  readonly findings: readonly Finding[];
}

/** A `ZuploEnvironment`: the gateway it writes to and the variables it writes. */
export interface ObservedEnvironment {
  readonly component: string;
  readonly gateway: GatewayModel;
  readonly variables: readonly VariableSummary[];
}

export interface ComponentObserver {
  origin(o: ObservedOrigin): void;
  environment(e: ObservedEnvironment): void;
}

const KEY = Symbol.for("gatelock.audit.componentObserver");
type Holder = { [KEY]?: ComponentObserver };

/** Listen until the returned function is called (one listener at a time: audits run one by one). */
export function observeComponents(observer: ComponentObserver): () => void {
  const holder = globalThis as Holder;
  const previous = holder[KEY];
  holder[KEY] = observer;
  return () => {
    holder[KEY] = previous;
  };
}

export function reportOrigin(o: ObservedOrigin): void {
  (globalThis as Holder)[KEY]?.origin(o);
}

export function reportEnvironment(e: ObservedEnvironment): void {
  (globalThis as Holder)[KEY]?.environment(e);
}
