// The gatelock Pulumi program: reads `gatelock:*` from stacks/Pulumi.<stack>.yaml and
// provisions both sides of the gateway → origin trust. All logic lives in the library.
// The program module itself, not the package's index: `pulumi up` loads what the stack uses and
// nothing the index exports for other programs (about 28 modules and 15 ms of start-up).
import { deploy } from "./components/program/deploy";

export = deploy().then((d) => d.outputs);
