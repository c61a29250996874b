// gatelock's policy pack, as `pulumi preview --policy-pack <this folder>` starts it: the CLI
// runs Pulumi's policy host here, which requires this folder (`require(".")`). The pack is the
// compiled JS in ../dist, never TypeScript: the host's TypeScript loader skips node_modules,
// where this folder lives once gatelock is installed. @pulumi/pulumi and @pulumi/policy are
// resolved from the program that installed gatelock (optional peer dependencies).
"use strict";
const path = require("node:path");
const fs = require("node:fs");

const compiled = path.join(__dirname, "..", "dist", "policy-pack", "pack.js");
if (!fs.existsSync(compiled)) {
  throw new Error(`gatelock's policy pack is not built: ${compiled} is missing. In a clone of gatelock, run \`npm run build\`; an installed gatelock package ships it.`);
}
try {
  module.exports = require(compiled);
} catch (e) {
  if (e && e.code === "MODULE_NOT_FOUND" && /@pulumi\/(policy|pulumi)/.test(String(e.message))) {
    throw new Error("gatelock's policy pack needs @pulumi/policy and @pulumi/pulumi next to gatelock: run `npm install --save-dev @pulumi/policy` in the program that installed gatelock.", { cause: e });
  }
  throw e;
}
