// The entry Pulumi's schema analyzer reads (it looks for index.ts beside package.json): the
// package components, whose classes and args interfaces ship as declarations in ../dist/provider.
// At run time the plugin is index.js.
export * from "../dist/provider/index";
