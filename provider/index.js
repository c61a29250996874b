// Starts gatelock's component provider plugin; Pulumi runs this folder (see PulumiPlugin.yaml).
// The components and the provider are compiled into ../dist/provider; index.ts beside this file
// is only the entry Pulumi's schema analyzer reads.
module.exports = require("../dist/provider/host").serve(__dirname, process.argv.slice(2));
