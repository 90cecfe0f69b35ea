/**
 * The write-path cost of document versions (issue 11: at most +20%). In one process, on a fresh
 * SQLite file (or BENCH_PG_URL's server with BENCH_DB=postgres), two collections with the same
 * fields — one plain, one with `versions` — each take the same updates through the core
 * (`updateRecord`, as every API does); the script prints the CPU time per update of each and
 * the ratio. Alternating rounds keep warm-up and noise from favouring either side.
 *
 *     npx tsx bench/content-versions.ts            # 3 rounds × 500 updates per collection
 *     BENCH_WRITES=2000 BENCH_ROUNDS=5 npx tsx bench/content-versions.ts
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createApp } from "../src/app.ts";
import { loadConfig } from "../src/config.ts";
import { systemContext } from "../src/core/context.ts";
import { createCollection } from "../src/core/collections/create.ts";
import { createRecord, updateRecord } from "../src/core/records/write.ts";

const WRITES = Number(process.env.BENCH_WRITES ?? 500);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const LIMIT = 1.2;

const dir = mkdtempSync(join(tmpdir(), "cairn-bench-versions-"));
const databaseUrl = process.env.BENCH_DB === "postgres" ? process.env.BENCH_PG_URL : `file:${join(dir, "cairn.db")}`;
const app = await createApp(loadConfig({ LOG_LEVEL: "error", CAIRN_RATE_LIMIT: "false" }, { port: 0, host: "127.0.0.1", databaseUrl, dataDir: dir }));
const ctx = systemContext(app.services, "bench");
const fields = [
  { name: "title", type: "text" },
  { name: "body", type: "editor" },
  { name: "price", type: "number" },
  { name: "tags", type: "tags" },
];
const suffix = Date.now().toString(36);
const plain = `bench_plain_${suffix}`;
const versioned = `bench_versioned_${suffix}`;
await createCollection(ctx, { name: plain, schema: fields });
await createCollection(ctx, { name: versioned, schema: fields, options: { versions: true } });

const body = "<p>" + "Lorem ipsum dolor sit amet. ".repeat(40) + "</p>";
async function run(collection: string): Promise<number> {
  const rec = await createRecord(ctx, collection, { title: "Bench", body, price: 1, tags: ["a", "b"] });
  const start = process.cpuUsage();
  for (let i = 0; i < WRITES; i++) await updateRecord(ctx, collection, rec.id, { title: `Bench ${i}`, price: i });
  const used = process.cpuUsage(start);
  return (used.user + used.system) / WRITES;
}

const totals = { plain: 0, versioned: 0 };
await run(plain); // warm-up
await run(versioned);
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? [plain, versioned] : [versioned, plain];
  for (const c of order) totals[c === plain ? "plain" : "versioned"] += await run(c);
}
const perPlain = totals.plain / ROUNDS;
const perVersioned = totals.versioned / ROUNDS;
const ratio = perVersioned / perPlain;
console.log(`database: ${app.services.db.dialect}; ${ROUNDS} rounds × ${WRITES} updates per collection`);
console.log(`CPU per update without versions: ${(perPlain / 1000).toFixed(3)} ms`);
console.log(`CPU per update with versions:    ${(perVersioned / 1000).toFixed(3)} ms`);
console.log(`cost of versions: ${((ratio - 1) * 100).toFixed(1)}% (target ≤ ${((LIMIT - 1) * 100).toFixed(0)}%) ${ratio <= LIMIT ? "PASS" : "FAIL"}`);
await app.close();
rmSync(dir, { recursive: true, force: true });
process.exitCode = ratio <= LIMIT ? 0 : 1;
