/**
 * Where a local mTLS origin's gateway key may be written (pure): the question the model asks
 * before any resource exists. The `MtlsCertificateDir` provider applies the same rule when it
 * writes; Pulumi serialises that provider, so it keeps its own copy of the two pieces below,
 * and test/local-mtls-certificate-dir.test.ts holds the copies to agreeing on every case.
 */
import * as path from "node:path";
import type { IgnoreOracle } from "../dotenv-target";

/** Reserved words (ES2023 + strict mode) and literals: not valid certificate names in Zuplo. */
export const RESERVED_WORDS: readonly string[] = [
  "await", "break", "case", "catch", "class", "const", "continue", "debugger", "default", "delete", "do", "else", "enum",
  "export", "extends", "false", "finally", "for", "function", "if", "implements", "import", "in", "instanceof", "interface",
  "let", "new", "null", "package", "private", "protected", "public", "return", "static", "super", "switch", "this", "throw",
  "true", "try", "typeof", "var", "void", "while", "with", "yield",
];

/** Zuplo's rule for a certificate name: an identifier of letters, digits and underscores (≤ 120), not a reserved word. */
export function isCertificateName(name: unknown): name is string {
  return typeof name === "string" && /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) && name.length <= 120 && !RESERVED_WORDS.includes(name);
}

/** `a/./b//` → `a/b`; undefined when the path is absolute, escapes the project or is the project itself. */
export function normaliseCertificateDir(dir: unknown): string | undefined {
  if (typeof dir !== "string" || dir.includes("\0") || /^[/\\]|^[A-Za-z]:/.test(dir) || dir.split(/[/\\]/).includes("..")) return undefined;
  const n = path.posix.normalize(dir.replace(/\\/g, "/")).replace(/\/+$/, "");
  return n === "" || n === "." ? undefined : n;
}

export type MtlsCertificateDirProblem =
  | { readonly kind: "outside-project" }
  | { readonly kind: "bad-name" }
  | { readonly kind: "not-ignored"; readonly path: string }
  | { readonly kind: "no-repo"; readonly path: string };

/**
 * Why the key may not be written to `<dir>/<name>/tls.key`, or undefined when it may: the
 * provider's own rule, asked before any resource exists (the model passes its git oracle). Outside git only `.zuplo-local/…` passes.
 */
export function mtlsCertificateDirProblem(dir: string, name: string, oracle: IgnoreOracle): MtlsCertificateDirProblem | undefined {
  const normal = normaliseCertificateDir(dir);
  if (normal === undefined) return { kind: "outside-project" };
  if (!isCertificateName(name)) return { kind: "bad-name" };
  for (const file of [`${normal}/${name}/tls.key`, `${normal}/${name}/tls.crt`]) {
    const verdict = oracle(file);
    if (verdict === "not-ignored") return { kind: "not-ignored", path: file };
    if (verdict === "no-repo" && normal !== ".zuplo-local" && !normal.startsWith(".zuplo-local/")) return { kind: "no-repo", path: file };
  }
  return undefined;
}

