/** Shared fixtures for the Zuplo provider tests: keys the fake refuses, provider config, leak search. */
import { inspect } from "node:util";
import { expect } from "vitest";
import { GatelockError, GatewayApiError } from "../../components/errors";

export const WRONG_KEY = "zpka_wrong_0a1b2c3d4e5f60718293";
export const OTHER_PROJECT_KEY = "zpka_scoped_to_other_project_9f8e7d";
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** What `configure()` receives when the stack has no `gatelock:zuploApiKey`. */
export const noConfig = { config: { get: () => undefined, require: (k: string): string => { throw new Error(`missing ${k}`); } } };

/** What `configure()` receives when the stack sets `gatelock:zuploApiKey`. */
export function configWithKey(key: string) {
  return {
    config: {
      get: (k: string) => (k === "gatelock:zuploApiKey" ? key : undefined),
      require: (k: string): string => { if (k === "gatelock:zuploApiKey") return key; throw new Error(`missing ${k}`); },
    },
  };
}

/** Everything an error exposes (message, stack, properties, the whole cause chain), to search for leaks. */
export function exposedText(err: unknown): string {
  const parts = [String(err), inspect(err, { depth: 20, showHidden: true })];
  let current: unknown = err;
  for (let i = 0; current && i < 10; i++) {
    const e = current as { message?: unknown; stack?: unknown; cause?: unknown };
    parts.push(String(e.message), String(e.stack));
    try {
      parts.push(JSON.stringify(Object.entries(e as object)));
    } catch {
      /* circular: inspect above covers it */
    }
    current = e.cause;
  }
  return parts.join("\n");
}

export interface ExpectedFailure {
  readonly code: "ERR_GATEWAY_API" | "ERR_GATEWAY_CREDENTIALS";
  readonly status?: number;
  readonly includes?: readonly (string | RegExp)[];
}

/**
 * Await a provider call that must fail: check its class, code, status and message, and that nothing
 * it exposes holds a secret (`noSecrets` knows which ones). Returns the error for more checks.
 */
export async function expectProviderFailure<E extends Error & { code?: string; status?: number }>(
  promise: Promise<unknown>,
  expected: ExpectedFailure,
  noSecrets: (text: string) => void,
): Promise<E> {
  const err = (await promise.then(
    () => {
      throw new Error("expected the provider call to fail, but it succeeded");
    },
    (e: unknown) => e,
  )) as E;
  expect(err).toBeInstanceOf(Error);
  // Part of gatelock's error family, whatever the provider could import.
  expect(err).toBeInstanceOf(GatelockError);
  if (expected.code === "ERR_GATEWAY_API") expect(err).toBeInstanceOf(GatewayApiError);
  else expect(err).not.toBeInstanceOf(GatewayApiError);
  expect(err.code).toBe(expected.code);
  if (expected.status !== undefined) expect(err.status).toBe(expected.status);
  for (const m of expected.includes ?? []) expect(err.message).toMatch(m);
  noSecrets(exposedText(err));
  return err;
}
