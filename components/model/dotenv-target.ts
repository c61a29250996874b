/**
 * Where a dotenv file full of secrets may be written (pure; the git question is asked by the
 * caller's oracle). A dotenv sink must never write into a file that gets committed: the gateway's
 * secrets would land in the repository's history. Refusal is by allowlist: the file must be
 * one git ignores or, outside a git repository, one of the names dotenv tools keep out of
 * source control by convention.
 */
import * as path from "node:path";

/** What git says of a path: ignored, not ignored (it would be committed), or no repository here. */
export type IgnoreVerdict = "ignored" | "not-ignored" | "no-repo";
export type IgnoreOracle = (relativePath: string) => IgnoreVerdict;

/** `.env`, `.env.local` and `.env.<mode>.local`: the names dotenv tooling never commits. */
const UNCOMMITTED_NAME = /^\.env(\.[A-Za-z0-9_-]+)?\.local$|^\.env$/;
/** Names that are committed by convention, whatever gatelock derives. */
const TEMPLATE_SUFFIXES = new Set(["example", "sample", "template", "dist", "defaults", "schema"]);

/** The dotenv file a `local` origin reads its accepted secrets from, relative to the project. */
export function localStoreFile(originName: string): string {
  return `.env.${originName}`;
}

/** `a/./b//.env` → `a/b/.env`, for comparing two targets. */
export function normaliseTarget(relativePath: string): string {
  return path.posix.normalize(relativePath.replace(/\\/g, "/"));
}

export type DotenvTargetProblem =
  | { readonly kind: "outside-project" }
  | { readonly kind: "not-ignored" }
  | { readonly kind: "unconventional-name" };

/**
 * Why `relativePath` may not hold secrets, or undefined when it may. `derived` names the
 * file gatelock itself chose (a local origin's `.env.<origin>`), which is accepted outside
 * git unless it is a template's name.
 */
export function dotenvTargetProblem(relativePath: string, oracle: IgnoreOracle, derived = false): DotenvTargetProblem | undefined {
  if (relativePath.includes("\0") || /^[/\\]|^[A-Za-z]:/.test(relativePath) || relativePath.split(/[/\\]/).includes("..")) {
    return { kind: "outside-project" };
  }
  const verdict = oracle(normaliseTarget(relativePath));
  if (verdict === "ignored") return undefined;
  if (verdict === "not-ignored") return { kind: "not-ignored" };
  const base = path.posix.basename(normaliseTarget(relativePath));
  if (UNCOMMITTED_NAME.test(base)) return undefined;
  if (derived && !TEMPLATE_SUFFIXES.has(base.replace(/^\.env\./, "").toLowerCase())) return undefined;
  return { kind: "unconventional-name" };
}
