/**
 * The scale figures (issue 8 parts 2, 3, 10, issue 7 part 3): posts grown from BENCH_RECORDS to
 * BENCH_BIG_RECORDS (100,000) on both servers — Cairn through GraphQL bulk creates, the floor
 * directly — then, in interleaved rounds:
 *
 *   get, list @ big      against the floor, for the 10k → 100k growth (informational, one round)
 *   rare contains        `title~"zyzzyva"` (10 of 100,000 titles), sort id, against the floor's
 *                        LIKE, which reads every row: target ≥ 10×
 *   keyset depth         page 1 vs the cursor page 3,001 (default order, no total): page-1 req/s ÷
 *                        cursor req/s ≤ 1.5; `page=3000` by offset once, 4 connections (informational)
 *   totals               the default list (newest first, with its total) vs the same with
 *                        `skip_total=true`: skip_total req/s ÷ default req/s ≤ 1.5 (nothing written);
 *                        then one write per 10 reads on every connection (reported, not judged)
 *
 * Cairn is left to keep its planner statistics itself after the growth (part 1); the floor runs
 * ANALYZE after loading, as its author would. The list at the big size, the rare contains and
 * the keyset pages ask Cairn for fresh answers (`Cache-Control: no-cache`): they measure plans,
 * which a page answered from Cairn's list cache would not; the totals figures leave the cache on.
 */
import type { BenchContext, ScenarioRow } from "./context.ts";
import { COLLECTION, createBody, RARE_EVERY, RARE_WORD } from "./data.ts";
import type { LoadResult } from "./load.ts";
import type { Check } from "./report.ts";
import { combine, compare, median, versusFloor } from "./rounds.ts";
import { seedCairn } from "./seed.ts";
import { containsPath, failedRun, listPath, NO_CACHE, probe } from "./workloads.ts";

const base = `/api/v1/collections/${COLLECTION}/records`;
const PER_PAGE = 30;
const KEYSET_TARGET = 1.5;
const TOTALS_TARGET = 1.5;
const RARE_TARGET = 10;
/** Connections for the list at the big size (see run). */
const LIST_BIG_CONNECTIONS = 4;

async function grow(ctx: BenchContext, from: number, to: number): Promise<{ cairn: string[]; floor: string[] }> {
  const started = Date.now();
  const floorP = fetch(`${ctx.floor.url}/_bench/seed`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ from, to }) }).then(async (r) => {
    if (!r.ok) throw new Error(`floor seeding failed: ${r.status} ${await r.text()}`);
    return ((await r.json()) as { ids: string[] }).ids;
  });
  // awaited after Cairn's seeding: until then a failure must not be an unhandled rejection
  floorP.catch(() => {});
  const cairn = await seedCairn(ctx.url, ctx.token, from, to, { progress: (n) => ctx.log(`scale: cairn +${n}/${to - from}`) });
  const floor = await floorP;
  ctx.log(`scale: grew posts from ${from} to ${to} in ${((Date.now() - started) / 1000).toFixed(1)} s (Cairn: GraphQL bulk creates, 4 in flight)`);
  return { cairn: [...ctx.cairn.ids, ...cairn], floor: [...ctx.floor.ids, ...floor] };
}

/** Reads' and writes' own p50 / p99 in a run of both (median of the rounds), to say which makes the tail. */
function apart(runs: readonly LoadResult[]): string {
  const of = (method: string) => {
    const m = runs.map((r) => r.byMethod?.[method]).filter((x) => x !== undefined);
    return `${method} p50 ${median(m.map((x) => x.p50)).toFixed(1)} / p99 ${median(m.map((x) => x.p99)).toFixed(1)} ms`;
  };
  return `${of("GET")}, ${of("POST")}`;
}

export async function run(ctx: BenchContext): Promise<Record<string, unknown>> {
  const { records, bigRecords: big } = ctx.options;
  const k = (n: number) => (n % 1000 === 0 ? `${n / 1000}k` : String(n));
  const ids = await grow(ctx, records, big);
  const auth = { authorization: `Bearer ${ctx.token}` };
  const rows: ScenarioRow[] = [];
  const checks: Check[] = [];

  // get and list at the big size, against the floor (growth is computed by the runner against the 10k rows)
  const rotate = (list: string[]) => {
    let i = 0;
    return () => `${base}/${list[i++ % list.length]}`;
  };
  // (one round: informational). The list counts and sorts every match on each request on the
  // floor (hundreds of ms each on PostgreSQL): at 32 connections its requests queued past the load
  // tool's 10 s timeout, so it runs at LIST_BIG_CONNECTIONS; both servers stay saturated.
  rows.push(await versusFloor(ctx, `get @ ${k(big)}`, { cairn: { method: "GET", path: rotate(ids.cairn) }, floor: { method: "GET", path: rotate(ids.floor) } }, undefined, undefined, 1));
  rows.push(
    await versusFloor(
      ctx,
      `list @ ${k(big)}`,
      { cairn: { method: "GET", path: listPath(), connections: LIST_BIG_CONNECTIONS, headers: NO_CACHE }, floor: { method: "GET", path: listPath(), connections: LIST_BIG_CONNECTIONS } },
      undefined,
      `the list workload at ${LIST_BIG_CONNECTIONS} connections, uncached (each request counts every match on both)`,
      1,
    ),
  );

  // rare word: the trigram index against the floor's full LIKE scan
  const rare = containsPath(RARE_WORD);
  const expected = Math.floor((big - 4322) / RARE_EVERY) + 1;
  const [c, f] = [await probe(ctx, "cairn", { method: "GET", path: rare }), await probe(ctx, "floor", { method: "GET", path: rare })];
  const rareBroken = c.status !== 200 || f.status !== 200 || c.body.items?.length !== expected || f.body.items?.length !== expected;
  const rareName = `rare contains @ ${k(big)}`;
  if (rareBroken)
    rows.push({
      scenario: rareName,
      target: RARE_TARGET,
      cairn: failedRun("wrong answer"),
      note: `expected ${expected} items: Cairn ${c.status} ${c.body.items?.length}, floor ${f.status} ${f.body.items?.length}`,
    });
  else
    rows.push(
      await versusFloor(
        ctx,
        rareName,
        { cairn: { method: "GET", path: rare, headers: NO_CACHE }, floor: { method: "GET", path: rare } },
        RARE_TARGET,
        `\`title~"${RARE_WORD}"\` (${expected} of ${big} titles), sort id, with the total, uncached; the floor's LIKE reads every row`,
      ),
    );

  // keyset depth: page 1 against the cursor page DEPTH + 1
  const depth = Math.min(3000, Math.floor(big / PER_PAGE) - 1);
  const page = `${base}?per_page=${PER_PAGE}&skip_total=true`;
  const deep = await probe(ctx, "cairn", { method: "GET", path: `${page}&page=${depth}` });
  const cursorPath = `${page}&cursor=${encodeURIComponent(deep.body?.next_cursor ?? "")}`;
  const [viaCursor, viaPage] = [await probe(ctx, "cairn", { method: "GET", path: cursorPath }), await probe(ctx, "cairn", { method: "GET", path: `${page}&page=${depth + 1}` })];
  const keysetName = `keyset: cursor page ${depth + 1} cost ÷ page 1`;
  if (typeof deep.body?.next_cursor !== "string" || viaCursor.body?.items?.[0]?.id === undefined || viaCursor.body.items[0].id !== viaPage.body?.items?.[0]?.id) {
    checks.push({
      name: keysetName,
      value: "wrong page",
      target: `≤ ${KEYSET_TARGET}×`,
      verdict: "FAIL",
      note: `the cursor page is not page ${depth + 1}: ${JSON.stringify(viaCursor.body).slice(0, 200)}`,
    });
  } else {
    const ks = await compare(
      ctx,
      "keyset",
      { target: "cairn", label: "page 1", spec: { method: "GET", path: page, headers: { ...auth, ...NO_CACHE } } },
      { target: "cairn", label: `cursor page ${depth + 1}`, spec: { method: "GET", path: cursorPath, headers: { ...auth, ...NO_CACHE } } },
    );
    const offset = await ctx.measure("cairn", `keyset offset page ${depth}`, { method: "GET", path: `${page}&page=${depth}`, headers: { ...auth, ...NO_CACHE }, connections: 4 });
    rows.push(
      { scenario: "keyset page 1", cairn: ks.a, tail: ks.tail },
      { scenario: `keyset cursor page ${depth + 1}`, cairn: ks.b, tail: ks.tailB },
      { scenario: `keyset offset page ${depth} (4 conn.)`, cairn: offset },
    );
    const bad = ks.a.non2xx + ks.a.errors + ks.b.non2xx + ks.b.errors > 0;
    checks.push({
      name: keysetName,
      value: `${ks.ratio.toFixed(2)}×`,
      target: `≤ ${KEYSET_TARGET}×`,
      verdict: bad ? "FAIL" : ks.ratio <= KEYSET_TARGET ? "PASS" : "FAIL",
      note: `per round ${ks.ratios.map((x) => x.toFixed(2)).join(", ")}; ${big} posts; offset page ${depth}: ${offset.rps.toFixed(0)} req/s at 4 connections (informational)`,
    });
  }

  // totals: the default list against skip_total, nothing written in between
  const list = `${base}?per_page=${PER_PAGE}`;
  const tc = await compare(
    ctx,
    "totals",
    { target: "cairn", label: "skip_total", spec: { method: "GET", path: `${list}&skip_total=true`, headers: auth } },
    { target: "cairn", label: "default (with total)", spec: { method: "GET", path: list, headers: auth } },
  );
  rows.push({ scenario: `default list @ ${k(big)} (total)`, cairn: tc.b, tail: tc.tailB }, { scenario: `default list @ ${k(big)}, skip_total`, cairn: tc.a, tail: tc.tail });
  const tcBad = tc.a.non2xx + tc.a.errors + tc.b.non2xx + tc.b.errors > 0;
  checks.push({
    name: `totals: default list cost ÷ skip_total @ ${k(big)}`,
    value: `${tc.ratio.toFixed(2)}×`,
    target: `≤ ${TOTALS_TARGET}×`,
    verdict: tcBad ? "FAIL" : tc.ratio <= TOTALS_TARGET ? "PASS" : "FAIL",
    note: `per round ${tc.ratios.map((x) => x.toFixed(2)).join(", ")}; no writes in between`,
  });
  // …and with one write (a create in the same collection) per 10 reads on every connection
  const reads = Array.from({ length: 10 }, () => ({ method: "GET" as const, path: list }));
  const mixedRuns = [];
  for (let r = 0; r < ctx.options.rounds; r++)
    mixedRuns.push(
      await ctx.measure("cairn", `totals with writes (round ${r + 1})`, {
        method: "GET",
        path: list,
        headers: auth,
        sequence: [...reads, { method: "POST", path: base, body: JSON.stringify(createBody), headers: { "content-type": "application/json" } }],
        ...(r > 0 ? { warmup: 0 } : {}),
      }),
    );
  const mixed = combine(mixedRuns);
  rows.push({ scenario: `default list @ ${k(big)} + 1 write / 10 reads`, cairn: mixed, tail: median(mixedRuns.map((x) => x.p99 / Math.max(1, x.p50))) });
  checks.push({
    name: "totals: with 1 write per 10 reads, requests/s ÷ skip_total",
    value: `${(mixed.rps / tc.a.rps).toFixed(2)}×`,
    target: "report",
    verdict: mixed.non2xx + mixed.errors > 0 ? "FAIL" : "info",
    note: `${mixed.rps.toFixed(0)} req/s (reads and writes) against ${tc.a.rps.toFixed(0)} for the list with skip_total; ${apart(mixedRuns)}`,
  });
  return { rows, checks, records: big, depth };
}
