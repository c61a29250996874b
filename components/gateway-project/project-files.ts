/**
 * Reading a Zuplo project from disk: `config/policies.json`, every `config/*.oas.json` (Zuplo
 * processes several in name order), and gatelock's own modules under `modules/`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { GatelockError } from "../errors";
import { POLICIES_FILE, type ProjectSnapshot } from "./plan";

export function readProject(dir: string): ProjectSnapshot {
  const configDir = path.join(dir, "config");
  const routeFiles = isDirectory(configDir) ? fs.readdirSync(configDir).filter((f) => f.endsWith(".oas.json")).sort() : [];
  if (routeFiles.length === 0) {
    throw new GatelockError("ERR_GATEWAY_PROJECT_NOT_FOUND", `${dir} is not a Zuplo project: it has no config/*.oas.json routes file. Fix: pass the folder holding zuplo.jsonc and config/.`);
  }
  const modulesDir = path.join(dir, "modules");
  const modules: Record<string, string> = {};
  if (isDirectory(modulesDir)) {
    for (const f of fs.readdirSync(modulesDir).filter((f) => /^gatelock-.*\.ts$/.test(f)).sort()) modules[`modules/${f}`] = fs.readFileSync(path.join(modulesDir, f), "utf8");
  }
  return {
    policies: readIfExists(path.join(dir, POLICIES_FILE)),
    routes: routeFiles.map((f) => ({ path: `config/${f}`, text: fs.readFileSync(path.join(configDir, f), "utf8") })),
    modules,
  };
}

function readIfExists(file: string): string | undefined {
  try {
    return fs.readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
}

function isDirectory(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}
