/**
 * What every faithful fake shares: Pulumi's secret marker, the fake's signature and context,
 * and small value helpers. A leaf module, so the per-cloud fakes and the fake cloud that
 * collects them import it without an import cycle.
 */
import { randomInt } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";

export type MockResourceArgs = pulumi.runtime.MockResourceArgs;
export type MockResult = { id: string | undefined; state: Record<string, unknown> };

export const SECRET_SIG_KEY = "4dabf18193072939515e22adb298388d";
export const SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270";

export interface FakeCloudOptions {
  readonly awsAccountId?: string;
  readonly awsRegion?: string;
  readonly gcpProjectNumber?: string;
  readonly azureSubscriptionId?: string;
  readonly azureTenantId?: string;
  /** The deployment's clock, for the rotation schedule. */
  readonly now?: () => Date;
  /** Outputs of a previous run, keyed by `type::name`, so unchanged resources keep them. */
  readonly prior?: ReadonlyMap<string, PriorResource>;
  /**
   * Draw the deploy-time facts not given above (AWS account, GCP project numbers, Azure
   * subscription and tenant) at random rather than using the fixed defaults, and never draw a
   * value that occurs in this text. The audit passes the stack's config here: every value the
   * fakes invent is then replaced by a marked placeholder, and a value the user configured
   * (such as an account in a reader's ARN) must never be mistaken for an invented one. Tests
   * leave it unset and keep the fixed, well-known defaults.
   */
  readonly inventAvoiding?: string;
}

export interface PriorResource {
  readonly inputs: Record<string, unknown>;
  /** The `replacementTrigger` it was registered with (canonical JSON), if any: the engine replaces the resource when it changes. */
  readonly replacementTrigger?: string;
  readonly id: string | undefined;
  readonly state: Record<string, unknown>;
}

export type Fake = (args: MockResourceArgs, ctx: FakeContext) => MockResult;

export interface FakeContext {
  readonly options: Required<Omit<FakeCloudOptions, "prior" | "inventAvoiding">>;
  readonly prior: PriorResource | undefined;
  /**
   * Record a value that only the real cloud would decide at deploy time (a random suffix, a
   * GUID, a unique ID), with the placeholder a reviewer should read instead, e.g. `<random>`.
   * `draw` is called again until its value is new to this run and absent from the stack
   * config. Returns the value; the fake still uses it, so outputs stay realistic.
   */
  readonly invent: (draw: () => string, placeholder: string) => string;
  /**
   * Record another rendering of an invented value (the base64 of the same random bytes):
   * marked like it, unless too short or found in the stack config, where a placeholder pass
   * could not tell it apart.
   */
  readonly mark: (value: string, placeholder: string) => string;
  /** The number of a GCP project, by project ID (deploy-time too, unless configured). */
  readonly gcpProjectNumber: (project: string) => string;
}

/**
 * The deploy time the fakes use for the audit (`inventAvoiding` without a `now`): a moment no
 * stack config names, so every timestamp derived from it (a rotation date, a credential's end
 * date) can be shown as `<deploy time + N days>` rather than as a date that means nothing.
 */
export const AUDIT_CLOCK_ANCHOR = Date.UTC(1900, 0, 1);

/** The shortest value the audit's placeholder pass will look for (shorter ones are redrawn). */
export const MIN_INVENTED_LENGTH = 4;

export function isSecretValue(v: unknown): v is { value: unknown } {
  return typeof v === "object" && v !== null && (v as Record<string, unknown>)[SECRET_SIG_KEY] === SECRET_SIG;
}

/** Wrap a value the way Pulumi marks a secret on the wire. */
export function secretValue<T>(value: T): Record<string, unknown> {
  return { [SECRET_SIG_KEY]: SECRET_SIG, value };
}

/** Strip secret markers (for computing outputs from inputs; never for printing). */
export function reveal(v: unknown): unknown {
  if (isSecretValue(v)) return reveal(v.value);
  if (Array.isArray(v)) return v.map(reveal);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, reveal(x)]));
  return v;
}

const LOWER = "abcdefghijklmnopqrstuvwxyz";
const UPPER = LOWER.toUpperCase();
const DIGITS = "0123456789";
const TF_DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

/** terraform-provider-random's RandomPassword semantics: classes, minimums, override set. */
export function fakeRandomPassword(inputs: Record<string, unknown>): string {
  const length = Number(inputs.length);
  const use = (k: string) => inputs[k] !== false;
  const special = typeof inputs.overrideSpecial === "string" ? (inputs.overrideSpecial as string) : TF_DEFAULT_SPECIAL;
  const classes: Array<[string, number]> = [];
  if (use("lower")) classes.push([LOWER, Number(inputs.minLower ?? 0)]);
  if (use("upper")) classes.push([UPPER, Number(inputs.minUpper ?? 0)]);
  if (use("numeric") && use("number")) classes.push([DIGITS, Number(inputs.minNumeric ?? 0)]);
  if (use("special") && special.length > 0) classes.push([special, Number(inputs.minSpecial ?? 0)]);
  const all = classes.map(([c]) => c).join("");
  const chars: string[] = [];
  for (const [set, min] of classes) for (let i = 0; i < min; i++) chars.push(set[randomInt(set.length)]!);
  while (chars.length < length) chars.push(all[randomInt(all.length)]!);
  for (let i = chars.length - 1; i > 0; i--) {
    const j = randomInt(i + 1);
    [chars[i], chars[j]] = [chars[j]!, chars[i]!];
  }
  return chars.slice(0, length).join("");
}

export function alnum(n: number): string {
  const set = LOWER + UPPER + DIGITS;
  return Array.from({ length: n }, () => set[randomInt(set.length)]).join("");
}

/** `n` decimal digits, the first not 0 (an account or project number). */
export function digits(n: number): string {
  return Array.from({ length: n }, (_, i) => (i === 0 ? 1 + randomInt(9) : randomInt(10))).join("");
}

export function str(v: unknown): string {
  return String(reveal(v));
}

/**
 * What the offline audit passes for an encrypted (`secure:`) stack config value, which it cannot
 * decrypt. A fake that needs such a value's content (a CA key brought in stack config) cannot
 * compute its outputs, and returns placeholders instead of inventing them.
 */
export const ENCRYPTED_PLACEHOLDER = "[encrypted]";
