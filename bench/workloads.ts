/**
 * The workloads of issue 8 on the seeded collections (bench/data.ts), each Cairn against its
 * floor with the same request, in interleaved rounds (bench/rounds.ts):
 *
 *   get            GET one post by id, rotating over every seeded id
 *   list           `published=true && views>500`, sort `-views,id`, 30 per page, with the total
 *   list, no total the same with `skip_total=true`
 *   contains       `title~"lorem"`, sort id (the floor: LIKE in id order, stopping after a page)
 *   contains, uncached  the same with `Cache-Control: no-cache`: Cairn reads the page and counts
 *                  (its list cache bypassed), as on a first request or after a write (informational)
 *   search         `search=lorem`, ranked (the floor: FTS5 bm25 / ts_rank, no count)
 *   GraphQL nested 30 newest posts × their 5 newest comments (the floor: GraphQL Yoga)
 *   create         POST one draft
 *   bulk create    100 drafts in one GraphQL mutation (the floor: one multi-row INSERT)
 *
 * Before measuring, one request of each workload goes to both servers and the answers are
 * compared (status, page size, totals, nesting), so a broken route cannot pass as a fast one.
 */
import type { BenchContext, ScenarioRow } from "./context.ts";
import { bulkBody, BULK_SIZE, COLLECTION, COMMENTS_PER_POST, CONTAINS_WORD, createBody, DRAFTS, LIST_QUERY, NESTED_QUERY, SEARCH_TERM } from "./data.ts";
import type { Dialect } from "./options.ts";
import { versusFloor, type RequestSpec } from "./rounds.ts";

const base = `/api/v1/collections/${COLLECTION}/records`;
const qs = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();
export const listPath = (extra: Record<string, string> = {}) => `${base}?${qs({ ...LIST_QUERY, ...extra })}`;
export const containsPath = (word: string) => `${base}?${qs({ filter: `title~"${word}"`, sort: "id", per_page: 30 })}`;
const json = { "content-type": "application/json" };
/** Asks Cairn for a fresh answer: its list cache (pages and totals) is bypassed. */
export const NO_CACHE = { "cache-control": "no-cache" };

export interface Workload {
  name: string;
  /** required Cairn ÷ floor req/s on each database (absent: informational) */
  target: Partial<Record<Dialect, number>>;
  spec(ctx: BenchContext, t: "cairn" | "floor"): RequestSpec;
  /** checks one answer of each server; returns what is wrong */
  check(cairn: any, floor: any): string | undefined;
  note?: string;
}

const page30 = (b: any) => (Array.isArray(b?.items) && b.items.length === 30 ? undefined : `expected 30 items, got ${JSON.stringify(b).slice(0, 200)}`);

export const workloads: Workload[] = [
  {
    name: "get",
    target: { sqlite: 0.5, postgres: 0.5 },
    spec: (ctx, t) => {
      const ids = ctx[t].ids;
      let i = 0;
      return { method: "GET", path: () => `${base}/${ids[i++ % ids.length]}` };
    },
    check: (c, f) => (c?.data?.title && c.data.title.split(":")[0] === f?.data?.title?.split(":")[0] ? undefined : `different records: ${c?.data?.title} / ${f?.data?.title}`),
  },
  {
    name: "list",
    target: { sqlite: 0.5, postgres: 0.5 },
    spec: () => ({ method: "GET", path: listPath() }),
    check: (c, f) => page30(c) ?? (c.total === f.total ? undefined : `totals differ: ${c.total} / ${f.total}`),
    note: `filter \`${LIST_QUERY.filter}\`, sort \`${LIST_QUERY.sort}\`, 30 per page, with the total`,
  },
  {
    name: "list, no total",
    target: { sqlite: 0.5, postgres: 0.5 },
    spec: () => ({ method: "GET", path: listPath({ skip_total: "true" }) }),
    check: (c) => page30(c),
  },
  {
    name: "contains",
    target: { sqlite: 1, postgres: 1 },
    spec: () => ({ method: "GET", path: containsPath(CONTAINS_WORD) }),
    check: (c, f) => page30(c) ?? page30(f) ?? (c.items.every((r: any) => r.data.title.toLowerCase().includes(CONTAINS_WORD)) ? undefined : "an item does not contain the word"),
    note: `\`title~"${CONTAINS_WORD}"\`, sort id, with the total (the floor stops after 31 matches and does not count)`,
  },
  {
    name: "contains, uncached",
    target: {},
    spec: (_ctx, t) => ({ method: "GET", path: containsPath(CONTAINS_WORD), ...(t === "cairn" ? { headers: NO_CACHE } : {}) }),
    check: (c, f) => page30(c) ?? page30(f),
    note: "the contains request with `Cache-Control: no-cache`: Cairn reads the page and counts every match on each request (the list cache bypassed)",
  },
  {
    name: "search",
    target: { sqlite: 1, postgres: 1 },
    spec: () => ({ method: "GET", path: `${base}?${qs({ search: SEARCH_TERM, per_page: 30 })}` }),
    check: (c, f) => page30(c) ?? page30(f),
    note: `\`search=${SEARCH_TERM}\`, no sort: by relevance (the floor: FTS5 rank / ts_rank, no count)`,
  },
  {
    name: "GraphQL nested",
    target: { sqlite: 0.8, postgres: 0.6 },
    spec: () => ({ method: "POST", path: "/graphql", headers: json, body: JSON.stringify({ query: NESTED_QUERY }) }),
    check: (c) => {
      const nodes = c?.data?.posts?.nodes;
      if (!Array.isArray(nodes) || nodes.length !== 30) return `expected 30 posts, got ${JSON.stringify(c).slice(0, 200)}`;
      return nodes.every((p: any) => p.comments.nodes.length === COMMENTS_PER_POST) ? undefined : "a post has fewer than 5 comments";
    },
    note: "30 newest posts × their 5 newest comments (reverse connection); the floor is GraphQL Yoga",
  },
  {
    name: "create",
    target: { sqlite: 0.5 },
    spec: () => ({ method: "POST", path: `/api/v1/collections/${DRAFTS}/records`, headers: json, body: JSON.stringify(createBody) }),
    check: (c) => (typeof c?.id === "string" ? undefined : `no id: ${JSON.stringify(c).slice(0, 200)}`),
  },
  {
    name: "bulk create",
    target: {},
    spec: () => ({ method: "POST", path: "/graphql", headers: json, body: bulkBody }),
    check: (c) => (c?.data?.createDrafts?.length === BULK_SIZE ? undefined : `expected ${BULK_SIZE} ids, got ${JSON.stringify(c).slice(0, 200)}`),
    note: `${BULK_SIZE} drafts per GraphQL mutation (the floor: one multi-row INSERT); req/s × ${BULK_SIZE} = records/s`,
  },
];

/** One request of `spec` to a server, its status and parsed body. */
export async function probe(ctx: BenchContext, t: "cairn" | "floor", spec: RequestSpec): Promise<{ status: number; body: any }> {
  const path = typeof spec.path === "function" ? spec.path() : spec.path;
  const res = await fetch(ctx[t].url + path, { method: spec.method, headers: { authorization: `Bearer ${ctx[t].token}`, ...spec.headers }, body: spec.body });
  const text = await res.text();
  try {
    return { status: res.status, body: JSON.parse(text) };
  } catch {
    return { status: res.status, body: text };
  }
}

/** Checks a workload's answers on both servers; the error text, or undefined when they are sound. */
export async function sanity(ctx: BenchContext, w: Workload): Promise<string | undefined> {
  const [c, f] = [await probe(ctx, "cairn", w.spec(ctx, "cairn")), await probe(ctx, "floor", w.spec(ctx, "floor"))];
  if (c.status >= 300 || f.status >= 300) return `answers ${c.status} (Cairn) / ${f.status} (floor): ${JSON.stringify(c.status >= 300 ? c.body : f.body).slice(0, 300)}`;
  if (c.body?.errors || f.body?.errors) return `GraphQL errors: ${JSON.stringify(c.body?.errors ?? f.body?.errors).slice(0, 300)}`;
  return w.check(c.body, f.body);
}

export async function run(ctx: BenchContext): Promise<{ rows: ScenarioRow[] }> {
  const rows: ScenarioRow[] = [];
  for (const w of workloads) {
    if (ctx.options.scenarios && !ctx.options.scenarios.includes(w.name)) continue;
    const target = w.target[ctx.options.db];
    const broken = await sanity(ctx, w);
    if (broken) {
      ctx.log(`${w.name}: not measured — ${broken}`);
      rows.push({ scenario: w.name, target, cairn: failedRun(broken), note: `not measured: ${broken}` });
      continue;
    }
    rows.push(await versusFloor(ctx, w.name, { cairn: w.spec(ctx, "cairn"), floor: w.spec(ctx, "floor") }, target, w.note));
  }
  return { rows };
}

/** A stand-in result for a workload whose answers were wrong: one failed request, so its verdict is FAIL. */
export const failedRun = (why: string) => ({ requests: 0, rps: 0, p50: 0, p99: 0, mean: 0, non2xx: 1, statuses: { [why.slice(0, 40)]: 1 }, errors: 0, timeouts: 0, seconds: 0 });
