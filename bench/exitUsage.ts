/**
 * Preloaded (`node -r`) into a measured process: at exit, writes the process's own CPU time, peak
 * resident memory and V8 heap limit to the file `CANALKIT_EXIT_USAGE` names.
 */
import { writeFileSync } from "node:fs";
import { getHeapStatistics } from "node:v8";

const file = process.env["CANALKIT_EXIT_USAGE"];
if (file) {
  process.on("exit", () => {
    const usage = process.resourceUsage();
    writeFileSync(file, JSON.stringify({ cpuMs: (usage.userCPUTime + usage.systemCPUTime) / 1000, peakMiB: usage.maxRSS / 1024, heapLimitMiB: getHeapStatistics().heap_size_limit / 2 ** 20 }));
  });
}
