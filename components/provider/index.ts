/**
 * gatelock's Pulumi component package: the components as Python, Go, C#, Java and YAML programs
 * see them (`gatelock:index:<ClassName>`), added with `pulumi package add` (see provider/).
 *
 * Pulumi's schema analyzer reads these classes and their args interfaces from the declarations
 * in dist/provider/ (provider/index.ts points it here) and finds each class by following
 * `export … from` declarations: every component must be exported from this file's direct
 * exports, before the analyzer reaches the TypeScript classes of the same names.
 */
export * from "./aws";
export * from "./azure";
export * from "./azure-service-auth";
export * from "./docker";
export * from "./gateway";
export * from "./gcp";
export * from "./kubernetes";
export * from "./local";
export * from "./other";
