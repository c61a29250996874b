#!/usr/bin/env node
/**
 * The `gatelock` command. Before anything else loads, it turns on Node's on-disk compile cache
 * (Node 22.1 and later; nothing on Node 20): an audit loads about a thousand modules (Pulumi's
 * SDK, the provider SDKs, zod, gatelock), which V8 otherwise compiles afresh on every run.
 * Node's own variables apply: NODE_COMPILE_CACHE=<dir> moves the cache (default: the system's
 * temporary directory), NODE_DISABLE_COMPILE_CACHE=1 turns it off.
 */
const nodeModule = require("node:module") as { enableCompileCache?: () => unknown };
try {
  nodeModule.enableCompileCache?.();
} catch {
  // A cache directory that cannot be written only costs the speed-up.
}
(require("./main") as typeof import("./main")).runAsCommand();
