/**
 * Summarises saved CPU profiles: `npx tsx bench/profile.ts bench/.tmp/prof/cairn-get.cpuprofile …`
 * (the same text bench/run.ts writes next to each profile with BENCH_PROFILE=1).
 */
import { readFileSync } from "node:fs";
import { formatSummary, HOT_PATH, summarize, type CpuProfile } from "./profiler.ts";

const files = process.argv.slice(2);
if (files.length === 0) {
  console.error("usage: tsx bench/profile.ts <file.cpuprofile>…");
  process.exit(2);
}
for (const file of files) console.log(formatSummary(file, summarize(JSON.parse(readFileSync(file, "utf8")) as CpuProfile, 30, HOT_PATH)) + "\n");
