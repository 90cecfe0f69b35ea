/**
 * Webhook throughput (issue 9 part 2): 1,000 record writes must reach a local receiver as 1,000
 * deliveries in under 10 s, counted from the first write to the last delivery received.
 *
 * The module starts its own Cairn server (`ctx.startCairn`) on a database of its own (a SQLite
 * file, or a fresh PostgreSQL database with BENCH_DB=postgres) with
 * CAIRN_WEBHOOK_ALLOW_PRIVATE=true, so no other instance shares its delivery queue. It creates a
 * collection and a webhook to a receiver in this process (answers 200 at once, checks the FastCMS
 * signature of every request), then POSTs `BENCH_WEBHOOK_RECORDS` records (default 1,000) over
 * 8 connections. Reported: the write phase, time to the last delivery, deliveries per second,
 * server CPU per delivery, and whether every record arrived exactly once.
 *
 * Run it alone: `BENCH_MODULES=webhooks npm run bench` (add BENCH_DB=postgres for PostgreSQL).
 */
import { createHmac } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchContext } from "./context.ts";
import { createPgDatabase } from "./pg.ts";
import type { Check } from "./report.ts";
import { login, raiseRateLimits } from "./seed.ts";

const TARGET_SECONDS = 10;
const CONNECTIONS = 8;
const SECRET = "bench-webhook-secret";
const ADMIN_EMAIL = "bench@example.com";

async function call(base: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(base + path, { method, headers: { authorization: `Bearer ${token}`, "content-type": "application/json" }, body: body === undefined ? undefined : JSON.stringify(body) });
  const json: any = await res.json();
  if (res.status >= 300) throw new Error(`${method} ${path} failed: ${res.status} ${JSON.stringify(json).slice(0, 300)}`);
  return json;
}

export async function run(ctx: BenchContext): Promise<{
  checks: Check[];
  records: number;
  writeSeconds: number;
  deliverySeconds: number;
  deliveriesPerSecond: number;
  cpuMsPerDelivery: number;
  baselineWriteSeconds: number;
  baselineCpuMsPerWrite: number;
  duplicates: number;
  badSignatures: number;
}> {
  const records = Math.floor(Number(process.env.BENCH_WEBHOOK_RECORDS ?? 1000));
  const dir = mkdtempSync(join(tmpdir(), "cairn-bench-webhooks-"));
  const pgDb = ctx.options.db === "postgres" ? await createPgDatabase(ctx.options.pgAdminUrl) : undefined;

  // the receiver: every record id, and the signature checked
  const seen = new Map<string, number>();
  let badSignatures = 0;
  let lastAt = 0;
  let done: () => void = () => {};
  const all = new Promise<void>((r) => (done = r));
  const receiver = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      if (req.headers["x-webhook-signature"] !== createHmac("sha256", SECRET).update(body).digest("hex")) badSignatures++;
      const id = (JSON.parse(body) as { record_id: string }).record_id;
      seen.set(id, (seen.get(id) ?? 0) + 1);
      res.writeHead(200).end("ok");
      if (seen.size === records && !lastAt) {
        lastAt = performance.now();
        done();
      }
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  const receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;

  const server = await ctx.startCairn("webhooks", {
    DATABASE_URL: pgDb?.url ?? `file:${join(dir, "cairn.db")}`,
    CAIRN_DATA_DIR: dir,
    CAIRN_WEBHOOK_ALLOW_PRIVATE: "true",
    LOG_LEVEL: "warn",
  });
  try {
    // the main server's superadmin (bench/run.ts), created in this database at start-up
    const password = "Bench-pass-123";
    const token = await login(server.url, ADMIN_EMAIL, password);
    ctx.log(`webhooks: ${await raiseRateLimits(server.url, token)}`);
    await call(server.url, token, "POST", "/api/v1/collections", {
      name: "hooked",
      schema: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    });
    await call(server.url, token, "POST", "/api/v1/webhooks", { url: receiverUrl, collection_name: "hooked", events: ["create"], secret: SECRET });

    const write = async (collection: string) => {
      let next = 0;
      const writer = async () => {
        while (next < records) {
          const i = next++;
          await call(server.url, token, "POST", `/api/v1/collections/${collection}/records`, { data: { title: `${collection} ${i}`, n: i } });
        }
      };
      await Promise.all(Array.from({ length: CONNECTIONS }, writer));
    };
    // baseline: the same writes to a collection without a webhook (server CPU per write alone)
    await call(server.url, token, "POST", "/api/v1/collections", {
      name: "plain",
      schema: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    });
    const baseCpu0 = server.cpuSeconds();
    const baseStart = performance.now();
    await write("plain");
    const baseSeconds = (performance.now() - baseStart) / 1000;
    const baseCpuMs = ((server.cpuSeconds() - baseCpu0) * 1000) / records;
    ctx.log(`webhooks: baseline ${records} writes without a webhook in ${baseSeconds.toFixed(2)} s, ${baseCpuMs.toFixed(2)} ms server CPU each`);

    const cpuBefore = server.cpuSeconds();
    const started = performance.now();
    await write("hooked");
    const written = performance.now();
    const timeout = new Promise<void>((r) => setTimeout(r, 60_000).unref());
    await Promise.race([all, timeout]);
    const end = lastAt || performance.now();
    const cpu = server.cpuSeconds() - cpuBefore;
    const deliverySeconds = (end - started) / 1000;
    const duplicates = [...seen.values()].reduce((n, c) => n + c - 1, 0);
    ctx.log(
      `webhooks: ${records} writes in ${((written - started) / 1000).toFixed(2)} s; ${seen.size} delivered by ${deliverySeconds.toFixed(2)} s; ${duplicates} duplicates; server CPU ${cpu.toFixed(2)} s`,
    );
    const complete = seen.size === records;
    const checks: Check[] = [
      {
        name: `webhooks: ${records} writes → ${records} deliveries`,
        value: complete ? `${deliverySeconds.toFixed(2)} s` : `${seen.size}/${records} in 60 s`,
        target: `< ${TARGET_SECONDS} s`,
        verdict: complete && deliverySeconds < TARGET_SECONDS && badSignatures === 0 ? "PASS" : "FAIL",
        note: `${(records / deliverySeconds).toFixed(0)} deliveries/s; server CPU ${((cpu * 1000) / records).toFixed(2)} ms per write + delivery vs ${baseCpuMs.toFixed(2)} ms per write without a webhook (${baseSeconds.toFixed(1)} s for those writes); ${duplicates} duplicates, ${badSignatures} bad signatures`,
      },
    ];
    return {
      checks,
      records,
      writeSeconds: (written - started) / 1000,
      deliverySeconds,
      deliveriesPerSecond: records / deliverySeconds,
      cpuMsPerDelivery: (cpu * 1000) / records,
      baselineWriteSeconds: baseSeconds,
      baselineCpuMsPerWrite: baseCpuMs,
      duplicates,
      badSignatures,
    };
  } finally {
    await server.stop();
    receiver.closeAllConnections();
    await new Promise<void>((r) => receiver.close(() => r()));
    await pgDb?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}
