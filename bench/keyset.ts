/**
 * Keyset depth (issue 7 part 3): does a cursor page cost the same at any depth? Seeds its own
 * collection (`BENCH_KEYSET_RECORDS`, default 100,000 records, through GraphQL bulk creates of
 * 100), then measures three REST lists of the default order (newest first), 30 per page,
 * without the total (a COUNT over the whole table would cost the same at every depth and hide
 * the page's own cost):
 *   page1   — `?per_page=30&skip_total=true`
 *   cursor  — `&cursor=…`: the next_cursor of page 3000, i.e. page 3001 by keyset
 *   offset  — `&page=3000`: the same depth reached by OFFSET (informational)
 * page1 and cursor are measured three times, interleaved (page1, cursor, page1, …), and the
 * median req/s is compared: the deep cursor page may cost at most 1.5× page 1 (page-1 req/s ÷
 * cursor req/s ≤ 1.5), on SQLite and on PostgreSQL. offset runs once, last and with 4
 * connections: its statements take seconds on PostgreSQL and would still be running, skewing
 * whatever was measured next.
 *
 * Run it alone: `BENCH_MODULES=keyset npm run bench` (add BENCH_DB=postgres for PostgreSQL).
 */
import type { Check } from "./report.ts";
import type { BenchContext, ScenarioRow } from "./context.ts";
import type { LoadResult } from "./load.ts";

const COLLECTION = "articles";
const PER_PAGE = 30;
const DEPTH = 3000;
const RUNS = 3;
/** largest allowed cost of the deep cursor page relative to page 1 */
const TARGET = 1.5;

async function call(ctx: BenchContext, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(ctx.url + path, {
    method,
    headers: { authorization: `Bearer ${ctx.token}`, ...(body !== undefined ? { "content-type": "application/json" } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json: any = await res.json();
  if (res.status >= 300 || json?.errors) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

/** Creates the collection and `n` records through `createArticles` (100 per mutation, 4 in flight). */
async function seed(ctx: BenchContext, n: number): Promise<void> {
  await call(ctx, "POST", "/api/v1/collections", {
    name: COLLECTION,
    schema: [
      { name: "title", type: "text" },
      { name: "views", type: "number" },
    ],
  });
  const batches = Math.ceil(n / 100);
  let next = 0;
  const worker = async () => {
    while (next < batches) {
      const b = next++;
      const d = Array.from({ length: Math.min(100, n - b * 100) }, (_, i) => ({ title: `Article ${b * 100 + i}`, views: (b * 100 + i) % 997 }));
      await call(ctx, "POST", "/graphql", { query: "mutation($d: [ArticleCreateInput!]!) { createArticles(data: $d) { id } }", variables: { d } });
      if ((b + 1) % 200 === 0) ctx.log(`keyset: seeded ${(b + 1) * 100}/${n}`);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
}

const median = (xs: LoadResult[]): LoadResult => [...xs].sort((a, b) => a.rps - b.rps)[Math.floor(xs.length / 2)]!;

export async function run(ctx: BenchContext): Promise<{ rows: ScenarioRow[]; checks: Check[]; records: number; depth: number; costRatio: number; offsetCostRatio: number }> {
  const records = Math.floor(Number(process.env.BENCH_KEYSET_RECORDS ?? 100_000));
  if (!(records >= (DEPTH + 1) * PER_PAGE)) throw new Error(`BENCH_KEYSET_RECORDS must be at least ${(DEPTH + 1) * PER_PAGE}`);
  const started = Date.now();
  await seed(ctx, records);
  ctx.log(`keyset: seeded ${records} records in ${((Date.now() - started) / 1000).toFixed(1)} s`);

  const base = `/api/v1/collections/${COLLECTION}/records?per_page=${PER_PAGE}&skip_total=true`;
  const deep = await call(ctx, "GET", `${base}&page=${DEPTH}`);
  if (typeof deep.next_cursor !== "string") throw new Error(`page ${DEPTH} has no next_cursor`);
  const paths: Record<string, string> = { page1: base, cursor: `${base}&cursor=${deep.next_cursor}` };
  // the cursor page really is page DEPTH + 1
  const viaCursor = await call(ctx, "GET", paths.cursor!);
  const viaPage = await call(ctx, "GET", `${base}&page=${DEPTH + 1}`);
  if (viaCursor.items[0]?.id !== viaPage.items[0]?.id) throw new Error("the cursor page is not page 3001");

  const headers = { authorization: `Bearer ${ctx.token}` };
  const results = new Map<string, LoadResult[]>(Object.keys(paths).map((k) => [k, []]));
  for (let r = 1; r <= RUNS; r++) {
    for (const [name, path] of Object.entries(paths)) results.get(name)!.push(await ctx.measure("cairn", `keyset ${name} (run ${r}/${RUNS})`, { method: "GET", path, headers }));
  }
  results.set("offset", [await ctx.measure("cairn", `keyset offset page ${DEPTH}`, { method: "GET", path: `${base}&page=${DEPTH}`, headers, connections: 4 })]);
  const m = (k: string) => median(results.get(k)!);
  const costRatio = m("page1").rps / m("cursor").rps;
  const offsetCostRatio = m("page1").rps / m("offset").rps;
  const errors = [...results.values()].flat().some((x) => x.non2xx + x.errors + x.timeouts > 0);
  const rows: ScenarioRow[] = [
    { scenario: "keyset page 1", cairn: m("page1") },
    { scenario: `keyset page ${DEPTH} (offset)`, cairn: m("offset") },
    { scenario: `keyset page ${DEPTH + 1} (cursor)`, cairn: m("cursor") },
  ];
  const checks: Check[] = [
    {
      name: `keyset: cursor page ${DEPTH + 1} cost ÷ page 1 (median of ${RUNS})`,
      value: `${costRatio.toFixed(2)}×`,
      target: `≤ ${TARGET}×`,
      verdict: errors ? "FAIL" : costRatio <= TARGET ? "PASS" : "FAIL",
      note: `${records} records: page 1 ${m("page1").rps.toFixed(0)} req/s, cursor ${m("cursor").rps.toFixed(0)} req/s, offset page ${DEPTH} ${m("offset").rps.toFixed(0)} req/s (${offsetCostRatio.toFixed(1)}× page 1, informational)`,
    },
  ];
  return { rows, checks, records, depth: DEPTH, costRatio, offsetCostRatio };
}
