/**
 * Prints the figures of the last run (bench/.tmp/latest.json) as the Markdown tables of the
 * README's Benchmarks section: `npx tsx bench/markdown.ts [file]`.
 */
import { readFileSync } from "node:fs";
import type { ScenarioRow } from "./context.ts";
import type { Check } from "./report.ts";

interface Latest {
  date: string;
  quick: boolean;
  seconds: number;
  options: { records: number; bigRecords: number; connections: number; rounds: number; duration: number };
  machine: { cpus: number; loadavgBefore: number[]; loadavgAfter: number[] };
  databases: Record<string, { rows: ScenarioRow[]; checks: Check[]; rssPhases: Record<string, number>; floorPeakRssMiB: number }>;
  failed: string[];
}

const file = process.argv[2] ?? new URL("./.tmp/latest.json", import.meta.url).pathname;
const latest = JSON.parse(readFileSync(file, "utf8")) as Latest;
const n = (x: number) => Math.round(x).toLocaleString("en-US");
const o = latest.options;
const [before, after] = [latest.machine.loadavgBefore[0]!.toFixed(1), latest.machine.loadavgAfter[0]!.toFixed(1)];
// One process per server plus the load generator keep a 2-core machine near 3 on their own.
const busy = latest.machine.loadavgBefore[0]! > 1.5;
console.log(
  `Run finished ${latest.date.slice(0, 16).replace("T", " ")} UTC${latest.quick ? " (--quick)" : ""}: ${o.records.toLocaleString("en-US")} posts (${o.bigRecords.toLocaleString("en-US")} at scale), ${o.connections} connections, ${o.rounds} rounds of ${o.duration} s, ${(latest.seconds / 60).toFixed(1)} min in all. The machine has ${latest.machine.cpus} shared cores; ${busy ? `it was busy with other work (load average ${before} before, ${after} after): req/s are low and noisy, compare the ratios and the CPU columns` : `nothing else ran on it (load average ${before} before the run; ${after} at its end is the bench's own load)`}.\n`,
);
for (const [db, r] of Object.entries(latest.databases)) {
  console.log(`**${db === "sqlite" ? "SQLite" : "PostgreSQL"}**\n`);
  console.log("| workload | floor req/s | Cairn req/s | Cairn p50 / p99 ms | CPU µs/req floor / Cairn | Cairn ÷ floor per round | median | target | result |");
  console.log("|---|---|---|---|---|---|---|---|---|");
  for (const row of r.rows) {
    const c = r.checks.find((x) => x.name === row.scenario);
    const cpu = (x?: { cpuUsPerReq?: number }) => (x?.cpuUsPerReq === undefined ? "-" : n(x.cpuUsPerReq));
    console.log(
      `| ${row.scenario} | ${row.floor ? n(row.floor.rps) : ""} | ${n(row.cairn.rps)} | ${row.cairn.p50} / ${row.cairn.p99} | ${row.floor ? `${cpu(row.floor)} / ` : ""}${cpu(row.cairn)} | ${row.ratios?.map((x) => x.toFixed(2)).join(", ") ?? ""} | ${c?.value ?? ""} | ${c?.target ?? ""} | ${c?.verdict ?? ""} |`,
    );
  }
  console.log("\n| check | value | target | result |\n|---|---|---|---|");
  for (const c of r.checks)
    if (!r.rows.some((row) => row.scenario === c.name)) console.log(`| ${c.name}${c.note ? ` (${c.note.replace(/\|/g, "/")})` : ""} | ${c.value} | ${c.target} | ${c.verdict} |`);
  console.log("");
}
console.log(latest.failed.length ? `Verdict: FAIL, ${latest.failed.length} missed.` : "Verdict: PASS.");
