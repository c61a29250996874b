/** Runs the `gatelock` CLI in-process and captures what it writes, as a terminal-less shell would see it. */
import { type CliDeps, main } from "../../components/cli/main";

export async function runCli(args: string[], deps: CliDeps = { env: {} }): Promise<{ code: number; out: string; err: string }> {
  let out = "";
  let err = "";
  const io = { out: { write: (s: string) => ((out += s), true) }, err: { write: (s: string) => ((err += s), true) } };
  const code = await main(args, io, deps);
  return { code, out, err };
}
