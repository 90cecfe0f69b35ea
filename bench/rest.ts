/**
 * REST scenarios (issue 2 part 10), each measured on the floor and then on Cairn with the same
 * requests: get one record by id (rotating over every seeded id), list 30 with filter + sort
 * (with the total count, as a client gets by default), create one record. Create runs last so
 * the reads see the seeded table only.
 */
import type { BenchContext, ScenarioRow, TargetName } from "./context.ts";
import { COLLECTION, createBody, LIST_QUERY } from "./data.ts";

interface Scenario {
  name: string;
  /** required Cairn/floor throughput ratio on SQLite */
  target: number;
  method: "GET" | "POST";
  path(ctx: BenchContext, target: TargetName): string | (() => string);
  body?: string;
}

const base = `/api/v1/collections/${COLLECTION}/records`;
const listQs = new URLSearchParams({ filter: LIST_QUERY.filter, sort: LIST_QUERY.sort, per_page: String(LIST_QUERY.per_page) }).toString();

export const scenarios: Scenario[] = [
  {
    name: "get",
    target: 0.5,
    method: "GET",
    path: (ctx, t) => {
      const ids = ctx[t].ids;
      let i = 0;
      return () => `${base}/${ids[i++ % ids.length]}`;
    },
  },
  { name: "list", target: 0.4, method: "GET", path: () => `${base}?${listQs}` },
  { name: "create", target: 0.4, method: "POST", path: () => base, body: JSON.stringify(createBody) },
];

export async function run(ctx: BenchContext): Promise<{ rows: ScenarioRow[] }> {
  const only = ctx.options.scenarios;
  const rows: ScenarioRow[] = [];
  for (const s of scenarios) {
    if (only && !only.includes(s.name)) continue;
    const measureOn = (t: TargetName) =>
      ctx.measure(t, s.name, {
        method: s.method,
        path: s.path(ctx, t),
        headers: { authorization: `Bearer ${ctx[t].token}`, ...(s.body ? { "content-type": "application/json" } : {}) },
        body: s.body,
      });
    const floor = await measureOn("floor");
    const cairn = await measureOn("cairn");
    rows.push({ scenario: s.name, target: s.target, cairn, floor });
  }
  return { rows };
}
