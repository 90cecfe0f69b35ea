/**
 * The printed tables and the checks: each row's Cairn ÷ floor ratio (median of the interleaved
 * rounds) against its target, every request 2xx on both servers, Cairn's tails (p99 within 10×
 * p50 at 32 connections), Cairn's idle and peak RSS.
 */
import type { ScenarioRow } from "./context.ts";
import type { LoadResult } from "./load.ts";
import type { Dialect } from "./options.ts";

export const IDLE_RSS_LIMIT_MIB = 120;
export const PEAK_RSS_LIMIT_MIB: Record<Dialect, number> = { sqlite: 160, postgres: 180 };
export const TAIL_LIMIT = 10;

export type Verdict = "PASS" | "FAIL" | "info";

export interface Check {
  name: string;
  value: string;
  target: string;
  verdict: Verdict;
  note?: string;
}

/** failed requests of a run; a run in which no request completed counts as one failure */
const failures = (r: LoadResult | undefined) => (r ? r.non2xx + r.errors + r.timeouts + (r.requests === 0 ? 1 : 0) : 0);

function describeFailures(r: LoadResult): string {
  const parts = Object.entries(r.statuses)
    .filter(([code]) => !code.startsWith("2"))
    .map(([code, n]) => `${n}×${code}`);
  if (r.errors) parts.push(`${r.errors} errors`);
  if (r.timeouts) parts.push(`${r.timeouts} timeouts`);
  if (r.requests === 0) parts.push(`no request completed within the run (${r.seconds.toFixed(1)} s)`);
  return parts.join(", ");
}

/** Ratio checks of the rows; `enforce` false (profiling) turns ratio verdicts into "info". */
export function rowChecks(rows: ScenarioRow[], enforce: boolean): Check[] {
  const out: Check[] = [];
  for (const row of rows) {
    const ratio = row.ratio ?? (row.floor ? row.cairn.rps / row.floor.rps : undefined);
    const errors = [failures(row.cairn) ? `cairn: ${describeFailures(row.cairn)}` : "", failures(row.floor) ? `floor: ${describeFailures(row.floor!)}` : ""].filter(Boolean).join("; ");
    let verdict: Verdict = "info";
    if (errors) verdict = "FAIL";
    else if (enforce && row.target !== undefined && ratio !== undefined) verdict = ratio >= row.target ? "PASS" : "FAIL";
    if (!row.floor && !errors) continue; // a Cairn-only row: judged by its module's own check
    out.push({
      name: row.scenario,
      value: ratio === undefined ? "-" : `${ratio.toFixed(2)}×`,
      target: row.target === undefined ? "report" : `≥ ${row.target}×`,
      verdict,
      ...(errors
        ? { note: `non-2xx/errors — ${errors}${row.note?.startsWith("not measured") ? ` (${row.note})` : ""}` }
        : row.ratios && row.ratios.length > 1
          ? { note: `per round ${row.ratios.map((x) => x.toFixed(2)).join(", ")}` }
          : {}),
    });
  }
  return out;
}

/** One check over every row's tail: Cairn's p99 within TAIL_LIMIT × p50 (median over rounds). */
export function tailCheck(rows: ScenarioRow[], enforce: boolean): Check {
  const judged = rows.filter((r) => r.tail !== undefined && r.cairn.requests > 0);
  const misses = judged.filter((r) => r.tail! > TAIL_LIMIT);
  return {
    name: `tails: Cairn p99 ≤ ${TAIL_LIMIT}× p50, every workload`,
    value: `${judged.length - misses.length}/${judged.length} within`,
    target: "all",
    verdict: misses.length && enforce ? "FAIL" : misses.length ? "info" : "PASS",
    ...(misses.length ? { note: `over: ${misses.map((r) => `${r.scenario} p50 ${r.cairn.p50} ms p99 ${r.cairn.p99} ms (${r.tail!.toFixed(1)}×)`).join("; ")}` } : {}),
  };
}

/** Idle and peak RSS against the limits of issue 8 part 7. */
export function memoryChecks(db: Dialect, idleMiB: number, peakMiB: number, enforce: boolean): Check[] {
  const v = (ok: boolean): Verdict => (ok ? "PASS" : enforce ? "FAIL" : "info");
  return [
    { name: "idle RSS after start", value: `${idleMiB.toFixed(1)} MiB`, target: `≤ ${IDLE_RSS_LIMIT_MIB} MiB`, verdict: v(idleMiB <= IDLE_RSS_LIMIT_MIB) },
    { name: "peak RSS, whole run", value: `${peakMiB.toFixed(1)} MiB`, target: `≤ ${PEAK_RSS_LIMIT_MIB[db]} MiB`, verdict: v(peakMiB <= PEAK_RSS_LIMIT_MIB[db]) },
  ];
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
const ms = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(1));
const cpu = (r: LoadResult) => (r.cpuUsPerReq === undefined ? "-" : r.cpuUsPerReq.toFixed(0));

/** The scenario table: one line per server, the ratio and verdict on Cairn's line. */
export function formatTable(rows: ScenarioRow[], results: Check[]): string {
  const body: string[][] = [];
  for (const row of rows) {
    const check = results.find((c) => c.name === row.scenario);
    if (row.floor) body.push([row.scenario, "floor", row.floor.rps.toFixed(0), ms(row.floor.p50), ms(row.floor.p99), "", cpu(row.floor), "", "", "", ""]);
    body.push([
      row.floor ? "" : row.scenario,
      "cairn",
      row.cairn.rps.toFixed(0),
      ms(row.cairn.p50),
      ms(row.cairn.p99),
      row.tail === undefined ? "" : `${row.tail.toFixed(1)}${row.tail > TAIL_LIMIT ? "!" : ""}`,
      cpu(row.cairn),
      row.ratios && row.ratios.length > 1 ? row.ratios.map((x) => x.toFixed(2)).join(" ") : "",
      check?.value ?? "",
      check?.target ?? "",
      check?.verdict ?? "",
    ]);
  }
  return table(["scenario", "server", "req/s", "p50 ms", "p99 ms", "p99/p50", "CPU µs/req", "rounds (Cairn÷floor)", "ratio", "target", "result"], body, new Set([2, 3, 4, 5, 6]));
}

/** The check list: one line each, notes indented below. */
export function formatChecks(checks: Check[]): string {
  const body = checks.map((c) => [c.verdict, c.name, c.value, c.target]);
  const lines = table(["result", "check", "value", "target"], body, new Set()).split("\n");
  const out = lines.slice(0, 2);
  checks.forEach((c, i) => {
    out.push(lines[i + 2]!);
    if (c.note) out.push(`        ${c.note}`);
  });
  return out.join("\n");
}
