/**
 * One evaluation in its own process, so peak memory belongs to that run alone. Arguments are those
 * of `measureRun` (`evaluationRun.ts`): `kit C S FILE`, `floor R` or `replay FILE`; `WARM=1` in the
 * environment evaluates once unmeasured first. Like `canalkit synth`, the process runs without the
 * SDK's per-promise stack capture (every program alike); `PROMISE_STACKS=1` keeps it. Prints
 * `{ ms, resources, peakMiB }` as the last line.
 */
import { measureRun } from "./evaluationRun";
import { withoutPromiseStacks } from "../synth/promiseStacks";

if (process.env["PROMISE_STACKS"] !== "1") withoutPromiseStacks();
measureRun(process.argv.slice(2), process.env["WARM"] === "1").then(
  (run) => console.log(JSON.stringify(run)),
  (e) => {
    console.error(e);
    process.exit(1);
  },
);
