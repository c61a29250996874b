/**
 * gatelock's CrossGuard policy pack. Requiring this module serves the pack: the `PolicyPack`
 * constructor reads `package.json` from the working directory (the `policy/` folder the CLI
 * starts the pack in) and starts the analyzer's gRPC server. The rules themselves are in
 * policies.ts, which tests import without starting anything.
 *
 * Shipped as compiled JS (dist/policy-pack/pack.js), loaded by policy/index.js: the CLI's
 * TypeScript loader ignores files under node_modules, where the pack lives once installed.
 */
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, packArgs } from "./policies";

export const pack = new PolicyPack(PACK_NAME, packArgs);
