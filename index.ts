// The gatelock Pulumi program: reads `gatelock:*` from stacks/Pulumi.<stack>.yaml and
// provisions both sides of the gateway → origin trust. All logic lives in the library.
import { deploy } from "./components";

export = deploy().then((d) => d.outputs);
