/**
 * How an origin component checks its typed args with the model's own checks.
 *
 * A component turns its args into the one-origin stack config they stand for and builds the
 * model from it with `buildModel`, so a component and a stack file are refused by the same
 * code with the same codes. Args that are `pulumi.Input`s not known yet (another resource's
 * output) are checked when they resolve:
 *
 * - at construction, each unknown value stands in as a placeholder that passes its own check,
 *   so every known value is judged before any child is registered;
 * - `model` is the model built again from the resolved values: it fails with the same
 *   `ConfigError` when they do not pass, and every child that uses such a value takes it from
 *   `model`, so that child is never created.
 *
 * Errors name the component and the arg (`orders: readers[0]`) as stack-file errors name the
 * config key.
 */
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, type ConfigIssue } from "../errors";
import { isSharedZuploIssuer } from "../model/identity";
import { buildModel, type OriginModel } from "../model/model";
import type { Finding } from "../model/safety";
import { reportOrigin } from "./audit-observer";

/**
 * The gateway a component trusts, built once and passed to every federated component:
 * `zuploGateway({ account, project })` for Zuplo's issuer, or `customGateway({ issuer, … })`.
 */
export interface GatewayArgs {
  /** Zuplo account; required on Zuplo's shared issuer, whose tokens are pinned to it. */
  readonly account?: string;
  /** Zuplo project; required on Zuplo's shared issuer. */
  readonly project?: string;
  /** A custom https OIDC issuer (default: Zuplo's shared issuer). */
  readonly issuer?: string;
  /** JWKS URL of a custom issuer (default `<issuer>/.well-known/jwks.json`). */
  readonly jwksUri?: string;
  /** Claims every token of the gateway carries, pinned where a cloud can check them. */
  readonly claims?: { readonly [claim: string]: string };
  /** Escape hatch: a `jwksUri` on another host than the issuer's. */
  readonly dangerouslyAllowForeignJwksHost?: boolean;
}

/** Zuplo's shared issuer, pinned to this account and project. */
export function zuploGateway(args: { readonly account: string; readonly project: string }): GatewayArgs {
  return { account: args.account, project: args.project };
}

/** A gateway that signs its own tokens (e.g. Zuplo's JwtServicePlugin, or any OIDC issuer). */
export function customGateway(args: Omit<GatewayArgs, "issuer"> & { readonly issuer: string }): GatewayArgs {
  return { ...args };
}

/** Stands in for an unknown Input at `path` (indices as `[]`); the n-th unknown value. */
export type Placeholders = Readonly<Record<string, (n: number) => string>>;

export interface OriginCheckOptions<O extends OriginModel> {
  /** The component's name: errors read `<name>: <arg>`. */
  readonly component: string;
  /** The origin's stack-config form, built from the args (values may be Inputs). */
  readonly config: Record<string, unknown>;
  readonly gateway?: GatewayArgs;
  /**
   * The gateway's branch, where the model uses it (an mTLS certificate's subject names it, with
   * `gateway`'s account and project); default `main`, or `gateway.branch` when it has one.
   */
  readonly branch?: string;
  /** Where dotenv paths are resolved (local origins). */
  readonly projectDir?: string;
  /** What may be unknown at construction, and what stands in for it meanwhile. */
  readonly placeholders: Placeholders;
  /** The model a component of this kind takes. */
  readonly is: (m: OriginModel) => m is O;
  /**
   * Other origins of the stack config the component's origin depends on (the origins a tunnel
   * connector also carries): judged with it, by the same checks; their issues are named by
   * `siblingArg(k, rest)` for config key `origins[k].<rest>` (k ≥ 1). Their warnings are their
   * own components'.
   */
  readonly siblings?: readonly Record<string, unknown>[];
  readonly siblingArg?: (k: number, rest: string) => string;
}

export interface OriginCheck<O extends OriginModel> {
  /** Built from the known values and placeholders: for structure (names, counts) and known values only. */
  readonly known: O;
  /** Built from the resolved values; fails with the same ConfigError when they are refused. */
  readonly model: pulumi.Output<O>;
  /** Warnings, named by arg. */
  readonly findings: readonly Finding[];
  /**
   * `value(paths, get)`: `get(known)` when every config path in `paths` was known at
   * construction, else `get` of the resolved model (so a child using it waits for the check).
   */
  value<T>(paths: readonly string[], get: (m: O) => T): pulumi.Input<T>;
  /** Whether the value at this config path (or below it) was unknown at construction. */
  isUnknown(path: string): boolean;
}

export function checkOrigin<O extends OriginModel>(options: OriginCheckOptions<O>): OriginCheck<O> {
  const unknown: string[] = [];
  const counters = new Map<string, number>();
  const known = withPlaceholders(options.config, "", (path) => {
    const pattern = path.replace(/\[\d+\]/g, "[]");
    const make = options.placeholders[pattern];
    if (!make) throw new TypeError(`${options.component}: ${argPath(configKeyOf(path))} must be known when the component is created; it cannot be an Output`);
    const n = counters.get(pattern) ?? 0;
    counters.set(pattern, n + 1);
    unknown.push(path);
    return make(n);
  }) as Record<string, unknown>;

  const branch = options.branch ?? (options.gateway as { readonly branch?: string } | undefined)?.branch;
  const build = (origin: unknown): { origin: O; findings: readonly Finding[] } => {
    try {
      const m = buildModel(
        { gateway: { ...gatewayConfig(options.component, options.gateway), ...(branch !== undefined ? { branch } : {}) }, origins: [origin, ...(options.siblings ?? [])] },
        { stack: pulumi.getStack(), ...(options.projectDir ? { projectDir: options.projectDir } : {}) },
      );
      const o = m.origins[0]!;
      if (!options.is(o)) throw new TypeError(`${options.component}: this component does not build ${o.method} origins on ${o.cloud}`);
      const own = m.findings.filter((f) => !/^gatelock:origins\[[1-9]/.test(f.path));
      return { origin: o, findings: own.map((f) => ({ ...f, path: `${options.component}: ${argPath(f.path)}` })) };
    } catch (e) {
      if (e instanceof ConfigError) throw forComponent(options.component, e, options.siblingArg);
      throw e;
    }
  };

  const first = build(known);
  const isUnknown = (path: string) => unknown.some((u) => u === path || u.startsWith(`${path}.`) || u.startsWith(`${path}[`));
  // With an unknown arg the check must run when it resolves, read or not (a refusal fails the
  // deployment). With none, `model` is `known`, already checked: built only if someone reads it,
  // since Pulumi copies the whole model into the Output.
  let model: pulumi.Output<O> | undefined =
    unknown.length === 0 ? undefined : (pulumi.output(options.config).apply((resolved) => build(resolved).origin) as pulumi.Output<O>);
  const resolved = () => (model ??= pulumi.output(first.origin) as pulumi.Output<O>);
  reportOrigin({
    component: options.component,
    known: first.origin,
    get model() {
      return resolved() as unknown as pulumi.Output<OriginModel>;
    },
    findings: first.findings,
  });
  return {
    known: first.origin,
    get model() {
      return resolved();
    },
    findings: first.findings,
    isUnknown,
    value: (paths, get) => (paths.some(isUnknown) ? resolved().apply(get) : get(first.origin)),
  };
}

/** A copy of `v` with every Output or promise replaced by `replace(path)`. */
function withPlaceholders(v: unknown, path: string, replace: (path: string) => string): unknown {
  if (isPending(v)) return replace(path);
  if (Array.isArray(v)) return v.map((x, i) => withPlaceholders(x, `${path}[${i}]`, replace));
  if (v && typeof v === "object") {
    return Object.fromEntries(Object.entries(v).filter(([, x]) => x !== undefined).map(([k, x]) => [k, withPlaceholders(x, path ? `${path}.${k}` : k, replace)]));
  }
  return v;
}

/** An Input whose value is not in hand yet: an Output or a promise. */
export function isPending(v: unknown): boolean {
  return pulumi.Output.isInstance(v) || typeof (v as { then?: unknown } | null)?.then === "function";
}

/** The one-gateway stack config a component's trust stands for. */
function gatewayConfig(component: string, gateway: GatewayArgs | undefined): Record<string, unknown> {
  // A shared secret trusts no token: the gateway's identity plays no part in its checks.
  if (gateway === undefined) return { kind: "zuplo", account: "shared-secret", project: "shared-secret", branch: "main" };
  const g = gateway;
  // Account and project matter only on Zuplo's shared issuer, where they are the pins.
  const needsZuplo = g.issuer === undefined || isSharedZuploIssuer(g.issuer);
  if (needsZuplo && (!g.account || !g.project)) {
    throw new ConfigError([
      {
        code: "ERR_CONFIG_INVALID",
        path: `${component}: gateway`,
        reason: "missing",
        message: "required: the Zuplo account and project, which every token of Zuplo's shared issuer is pinned to.",
        fix: "pass `gateway: zuploGateway({ account, project })`.",
      },
    ]);
  }
  return {
    kind: "zuplo",
    account: g.account ?? "custom-issuer",
    project: g.project ?? "custom-issuer",
    branch: "main",
    ...(g.issuer !== undefined
      ? {
          identity: {
            issuer: g.issuer,
            ...(g.jwksUri !== undefined ? { jwksUri: g.jwksUri } : {}),
            ...(g.claims !== undefined ? { claims: { ...g.claims } } : {}),
            ...(g.dangerouslyAllowForeignJwksHost !== undefined ? { dangerouslyAllowForeignJwksHost: g.dangerouslyAllowForeignJwksHost } : {}),
          },
        }
      : {}),
  };
}

/** `aws.readers[0]` → `gatelock:origins[0].aws.readers[0]`. */
function configKeyOf(path: string): string {
  return `gatelock:origins[0]${path ? `.${path}` : ""}`;
}

/**
 * A config key as the component's arg: `gatelock:origins[0].aws.readers[0]` → `readers[0]`,
 * `gatelock:gateway.identity.claims.x` → `gateway.claims.x`.
 */
export function argPath(key: string): string {
  const gateway = /^gatelock:gateway(?:\.identity)?(?:\.(.*))?$/.exec(key);
  if (gateway) return gateway[1] ? `gateway.${gateway[1]}` : "gateway";
  const rest = key.replace(/^gatelock:origins\[0\]\.?/, "").replace(/^(aws|gcp|azure|local|kubernetes|docker|sharedSecret|federated|serviceAuth|mtls)(\.|$)/, "");
  return rest || "args";
}

function forComponent(component: string, e: ConfigError, siblingArg?: (k: number, rest: string) => string): ConfigError {
  const issues: ConfigIssue[] = e.issues.map((i) => {
    if (i.path.startsWith(`${component}: `)) return i;
    const sibling = /^gatelock:origins\[([1-9]\d*)\]\.?(.*)$/.exec(i.path);
    if (sibling && siblingArg) return { ...i, path: `${component}: ${siblingArg(Number(sibling[1]), sibling[2]!)}`, message: i.message.replace(/gatelock:origins\[0\]/g, component) };
    return { ...i, path: `${component}: ${argPath(i.path)}` };
  });
  return new ConfigError(issues);
}
