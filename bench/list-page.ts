/**
 * Latency of one REST list page on a large collection, for looking at query plans in
 * isolation (not part of `npm run bench`): starts a Cairn server on a fresh database, creates
 * `posts` with N rows in the default account (a single-tenant install) plus N/10 in another
 * account, lets planner statistics catch up (what the statistics timer or autovacuum do after a
 * bulk load), then times sequential requests of a page of 30 under the default sort and
 * `sort=id`, with and without the total.
 *
 *   CAIRN_TEST_DB=sqlite|postgres npx tsx bench/list-page.ts [rows=100000] [requests=200]
 */
import { performance } from "node:perf_hooks";
import { startApp } from "../test/helpers/app.ts";

const ROWS = Number(process.argv[2] ?? 100_000);
const REQUESTS = Number(process.argv[3] ?? 200);

const t = await startApp();
try {
  const db = t.app.services.db;
  const created = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "posts",
      schema: [
        { name: "title", type: "text" },
        { name: "views", type: "number", index: true },
      ],
    },
  });
  if (created.status !== 201) throw new Error(`create collection: ${created.status} ${JSON.stringify(created.body)}`);

  const fill = async (account: string, rows: number) => {
    if (db.dialect === "sqlite") {
      await db.script(`WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ${rows})
        INSERT INTO posts (id, account_id, created, updated, title, views)
        SELECT lower(hex(randomblob(16))), '${account}', strftime('%Y-%m-%dT%H:%M:%fZ', '2026-01-01', '+' || i || ' seconds'), '2026-01-01T00:00:00.000Z', 'post ' || i, i % 1000 FROM n`);
    } else {
      await db.script(`INSERT INTO posts (id, account_id, created, updated, title, views)
        SELECT gen_random_uuid()::text, '${account}', timestamptz '2026-01-01' + i * interval '1 second', now(), 'post ' || i, i % 1000 FROM generate_series(1, ${rows}) i`);
    }
  };
  await fill("default", ROWS);
  await fill("other", Math.floor(ROWS / 10));
  // what the statistics timer (SQLite) or autovacuum (PostgreSQL) does after a bulk load
  const optimize = (db as { optimizeIfChanged?: (min: number) => Promise<boolean> }).optimizeIfChanged;
  if (db.dialect === "postgres") await db.script("ANALYZE posts");
  else if (optimize) await optimize.call(db, 0);

  const time = async (qs: string) => {
    const path = `/api/v1/collections/posts/records?${qs}`;
    for (let i = 0; i < 20; i++) await t.api("GET", path, { token: t.adminToken });
    const ms: number[] = [];
    for (let i = 0; i < REQUESTS; i++) {
      const start = performance.now();
      const res = await t.api("GET", path, { token: t.adminToken });
      ms.push(performance.now() - start);
      if (res.status !== 200 || res.body.items.length !== 30) throw new Error(`${path}: ${res.status}`);
    }
    ms.sort((a, b) => a - b);
    return `${qs.padEnd(42)} median ${ms[Math.floor(ms.length / 2)]!.toFixed(2)} ms  p90 ${ms[Math.floor(ms.length * 0.9)]!.toFixed(2)} ms`;
  };
  console.log(`${db.dialect}, ${ROWS} rows (+${Math.floor(ROWS / 10)} in another account), ${REQUESTS} sequential requests each`);
  for (const qs of ["per_page=30", "per_page=30&skip_total=true", "per_page=30&sort=id", "per_page=30&sort=id&skip_total=true", "per_page=30&sort=-views&skip_total=true"]) console.log(await time(qs));
} finally {
  await t.close();
}
