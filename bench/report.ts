/**
 * The printed table and the target checks: each scenario's Cairn/floor throughput ratio
 * against its target, every request 2xx on both servers, Cairn's peak RSS under the limit.
 */
import type { ScenarioRow } from "./context.ts";
import type { LoadResult } from "./load.ts";

export const RSS_LIMIT_MIB = 250;

export type Verdict = "PASS" | "FAIL" | "info";

export interface Check {
  name: string;
  value: string;
  target: string;
  verdict: Verdict;
  note?: string;
}

const failures = (r: LoadResult | undefined) => (r ? r.non2xx + r.errors + r.timeouts : 0);

function describeFailures(r: LoadResult): string {
  const bad = Object.entries(r.statuses).filter(([code]) => !code.startsWith("2"));
  const parts = bad.map(([code, n]) => `${n}×${code}`);
  if (r.errors) parts.push(`${r.errors} errors`);
  if (r.timeouts) parts.push(`${r.timeouts} timeouts`);
  return parts.join(", ");
}

/** Checks for the scenario rows and the RSS figure; `enforce` false turns ratio/RSS verdicts into "info". */
export function checks(rows: ScenarioRow[], peakRssMiB: number, enforce: boolean): Check[] {
  const out: Check[] = [];
  for (const row of rows) {
    const ratio = row.floor ? row.cairn.rps / row.floor.rps : undefined;
    const errors = [row.cairn.non2xx + row.cairn.errors + row.cairn.timeouts ? `cairn: ${describeFailures(row.cairn)}` : "", failures(row.floor) ? `floor: ${describeFailures(row.floor!)}` : ""]
      .filter(Boolean)
      .join("; ");
    let verdict: Verdict = "info";
    if (errors) verdict = "FAIL";
    else if (enforce && row.target !== undefined && ratio !== undefined) verdict = ratio >= row.target ? "PASS" : "FAIL";
    out.push({
      name: row.scenario,
      value: ratio === undefined ? "-" : `${ratio.toFixed(2)}×`,
      target: row.target === undefined ? "-" : `≥ ${row.target.toFixed(2)}×`,
      verdict,
      ...(errors ? { note: `non-2xx/errors — ${errors}` } : {}),
    });
  }
  out.push({ name: "peak RSS", value: `${peakRssMiB.toFixed(1)} MiB`, target: `≤ ${RSS_LIMIT_MIB} MiB`, verdict: enforce ? (peakRssMiB <= RSS_LIMIT_MIB ? "PASS" : "FAIL") : "info" });
  return out;
}

function table(header: string[], body: string[][], rightAlign: Set<number>): string {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? "").length)));
  const fmt = (r: string[]) =>
    r
      .map((c, i) => (rightAlign.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join("  ")
      .trimEnd();
  return [fmt(header), widths.map((w) => "-".repeat(w)).join("  "), ...body.map(fmt)].join("\n");
}

// autocannon's latency histogram has 1 ms resolution
const ms = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2));
const cpu = (r: LoadResult) => (r.cpuUsPerReq === undefined ? "-" : r.cpuUsPerReq.toFixed(0));
/** floor CPU per request ÷ Cairn CPU per request: the throughput ratio each would reach on its own core */
const cpuRatio = (row: ScenarioRow) => (row.floor?.cpuUsPerReq && row.cairn.cpuUsPerReq ? `${(row.floor.cpuUsPerReq / row.cairn.cpuUsPerReq).toFixed(2)}×` : "-");

/** The main table: one line per scenario and server, the verdict on Cairn's line. */
export function formatTable(rows: ScenarioRow[], results: Check[]): string {
  const body: string[][] = [];
  for (const row of rows) {
    const check = results.find((c) => c.name === row.scenario);
    if (row.floor) body.push([row.scenario, "floor", row.floor.rps.toFixed(0), ms(row.floor.p50), ms(row.floor.p99), String(failures(row.floor)), cpu(row.floor), "", "", "", ""]);
    body.push([
      row.floor ? "" : row.scenario,
      "cairn",
      row.cairn.rps.toFixed(0),
      ms(row.cairn.p50),
      ms(row.cairn.p99),
      String(failures(row.cairn)),
      cpu(row.cairn),
      cpuRatio(row),
      check?.value ?? "-",
      check?.target ?? "-",
      check?.verdict ?? "",
    ]);
  }
  const rss = results.find((c) => c.name === "peak RSS");
  if (rss) body.push(["peak RSS", "cairn", "", "", "", "", "", "", rss.value, rss.target, rss.verdict]);
  const whole = results.find((c) => c.name === "peak RSS, whole run");
  if (whole) body.push(["  (whole run)", "cairn", "", "", "", "", "", "", whole.value, "", whole.verdict]);
  return table(["scenario", "server", "req/s", "p50 ms", "p99 ms", "non-2xx+err", "CPU µs/req", "CPU ratio", "ratio", "target", "result"], body, new Set([2, 3, 4, 5, 6, 7, 8]));
}
