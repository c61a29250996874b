// Property tests replay the same cases on every run, so that a red CI means the commit broke
// something, not that the dice found an old bug. Exploring is a deliberate act:
//   GATELOCK_FC_SEED=random npm test     new cases each run (fast-check prints the seed on failure)
//   GATELOCK_FC_SEED=<n> npx vitest run  replays the run that printed seed <n>
// A case found that way is kept in the test's `examples`.
import fc from "fast-check";

const FIXED_SEED = 20_261_202;
const wanted = process.env.GATELOCK_FC_SEED;
if (wanted !== "random") {
  const seed = wanted === undefined || wanted === "" ? FIXED_SEED : Number(wanted);
  if (!Number.isInteger(seed)) throw new Error(`GATELOCK_FC_SEED must be an integer or "random", not ${JSON.stringify(wanted)}`);
  fc.configureGlobal({ seed });
}
