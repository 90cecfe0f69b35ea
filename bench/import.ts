/**
 * Import and export (issue 9 part 3), an optional bench module. It starts its own Cairn server
 * (SQLite in a temporary directory, so the figures do not depend on the shared run and the
 * server's pid gives its memory), then:
 *   import  — a 100,000-row CSV (`BENCH_IMPORT_ROWS`) uploaded to
 *             `POST /api/v1/collections/items/records/import/csv`; it runs as a job; the time is
 *             from the upload's start to the job's `succeeded`. Target: < 30 s.
 *   export  — the same 100,000 records as CSV, NDJSON and xlsx (jobs writing a file; the
 *             same streamed path as an inline export) and as a 10,000-record inline CSV answer;
 *             server RSS is sampled every 50 ms and its rise over the level before each export
 *             reported. Target (CSV, 100,000 records): < 50 MiB.
 * Run it alone: `BENCH_MODULES=import npm run bench`, or `npx tsx bench/import.ts`.
 */
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchContext } from "./context.ts";
import { freePort, startServer, type ServerProcess } from "./proc.ts";
import type { Check } from "./report.ts";

const EMAIL = "bench-import@example.com";
const PASSWORD = "Bench-pass-123";
const IMPORT_TARGET_S = 30;
const RSS_TARGET_MIB = 50;

async function call(url: string, token: string, method: string, path: string, body?: unknown): Promise<any> {
  const res = await fetch(url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body === undefined ? {} : { "content-type": "application/json" }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text.slice(0, 300)}`);
  return text ? JSON.parse(text) : null;
}

function csv(rows: number): string {
  const out: string[] = ["name,sku,price,qty,in_stock,tags,released"];
  for (let i = 0; i < rows; i++) out.push(`Item ${i},SKU-${i},${(i % 1000) / 10},${i % 50},${i % 2 ? "true" : "false"},"red,size-${i % 5}",2026-0${(i % 9) + 1}-1${i % 9}`);
  return out.join("\n") + "\n";
}

/** Samples the server's RSS every 50 ms while `fn` runs; returns the peak rise over the level before. */
async function rssRise<T>(server: ServerProcess, fn: () => Promise<T>): Promise<{ value: T; before: number; peak: number; rise: number; seconds: number }> {
  const before = server.rssMiB();
  let peak = before;
  const timer = setInterval(() => (peak = Math.max(peak, server.rssMiB())), 50);
  const started = Date.now();
  try {
    const value = await fn();
    peak = Math.max(peak, server.rssMiB());
    return { value, before, peak, rise: peak - before, seconds: (Date.now() - started) / 1000 };
  } finally {
    clearInterval(timer);
  }
}

async function waitForJob(url: string, token: string, id: string): Promise<any> {
  for (;;) {
    const job = await call(url, token, "GET", `/api/v1/jobs/${id}`);
    if (job.state === "succeeded") return job;
    if (job.state === "failed" || job.state === "cancelled") throw new Error(`job ${id} ${job.state}: ${job.error}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function run(ctx: Pick<BenchContext, "log">): Promise<{ checks: Check[]; import: Record<string, number>; exports: Record<string, Record<string, number>>; load: string }> {
  const rows = Math.floor(Number(process.env.BENCH_IMPORT_ROWS ?? 100_000));
  const dir = mkdtempSync(join(tmpdir(), "cairn-bench-import-"));
  const port = await freePort();
  const server = await startServer({
    name: "cairn-import",
    args: ["src/cli.ts", "serve"],
    cwd: process.cwd(),
    port,
    env: {
      ...process.env,
      PORT: String(port),
      HOST: "127.0.0.1",
      CAIRN_DATA_DIR: dir,
      DATABASE_URL: "",
      CAIRN_ADMIN_EMAIL: EMAIL,
      CAIRN_ADMIN_PASSWORD: PASSWORD,
      CAIRN_SECRET: randomBytes(32).toString("hex"),
      LOG_LEVEL: "warn",
      CAIRN_RATE_LIMIT: "false",
    },
  });
  try {
    const url = server.url;
    const token = (await call(url, "", "POST", "/api/v1/auth/login", { email: EMAIL, password: PASSWORD })).access_token as string;
    await call(url, token, "POST", "/api/v1/collections", {
      name: "items",
      schema: [
        { name: "name", type: "text", required: true },
        { name: "sku", type: "text", unique: true },
        { name: "price", type: "number" },
        { name: "qty", type: "number", options: { integer: true } },
        { name: "in_stock", type: "bool" },
        { name: "tags", type: "tags" },
        { name: "released", type: "date" },
      ],
    });
    const file = csv(rows);
    ctx.log(`import: ${rows} rows, ${(file.length / 1024 / 1024).toFixed(1)} MiB CSV`);
    const cpu0 = server.cpuSeconds();
    const imported = await rssRise(server, async () => {
      const form = new FormData();
      form.append("file", new Blob([file], { type: "text/csv" }), "items.csv");
      const res = await fetch(`${url}/api/v1/collections/items/records/import/csv`, { method: "POST", body: form, headers: { authorization: `Bearer ${token}` } });
      const body = (await res.json()) as { job_id?: string };
      if (res.status !== 202 || !body.job_id) throw new Error(`import answered ${res.status} ${JSON.stringify(body).slice(0, 300)}`);
      return waitForJob(url, token, body.job_id);
    });
    const importCpu = server.cpuSeconds() - cpu0;
    const result = imported.value.result as { imported: number; failed: number };
    ctx.log(`import: ${result.imported} imported, ${result.failed} failed in ${imported.seconds.toFixed(1)} s (server CPU ${importCpu.toFixed(1)} s, RSS +${imported.rise.toFixed(0)} MiB)`);

    const exports: Record<string, Record<string, number>> = {};
    for (const format of ["csv", "ndjson", "xlsx"] as const) {
      const r = await rssRise(server, async () => {
        const started = await call(url, token, "GET", `/api/v1/collections/items/records/export/${format}`);
        const job = await waitForJob(url, token, started.job_id);
        const res = await fetch(url + job.download_url, { headers: { authorization: `Bearer ${token}` } });
        return { records: job.result.records as number, bytes: (await res.arrayBuffer()).byteLength };
      });
      exports[format] = { records: r.value.records, seconds: r.seconds, rssBeforeMiB: r.before, rssRiseMiB: r.rise, fileMiB: r.value.bytes / 1024 / 1024 };
      ctx.log(
        `export ${format}: ${r.value.records} records in ${r.seconds.toFixed(1)} s, ${(r.value.bytes / 1024 / 1024).toFixed(1)} MiB, RSS ${r.before.toFixed(0)} → peak ${r.peak.toFixed(0)} MiB (+${r.rise.toFixed(0)})`,
      );
    }
    const inline = await rssRise(server, async () => {
      const res = await fetch(`${url}/api/v1/collections/items/records/export/csv?filter=${encodeURIComponent("qty < 5")}`, { headers: { authorization: `Bearer ${token}` } });
      if (res.status !== 200) throw new Error(`inline export answered ${res.status}`);
      return (await res.text()).split("\r\n").length - 2;
    });
    exports.inlineCsv = { records: inline.value, seconds: inline.seconds, rssBeforeMiB: inline.before, rssRiseMiB: inline.rise };
    ctx.log(`export csv inline: ${inline.value} records in ${inline.seconds.toFixed(1)} s, RSS +${inline.rise.toFixed(0)} MiB`);

    const load = (await import("node:os"))
      .loadavg()
      .map((x) => x.toFixed(2))
      .join(" ");
    const checks: Check[] = [
      {
        name: `import: ${rows} CSV rows on SQLite (job)`,
        value: `${imported.seconds.toFixed(1)} s`,
        target: `< ${IMPORT_TARGET_S} s`,
        verdict: result.imported === rows && imported.seconds < IMPORT_TARGET_S ? "PASS" : "FAIL",
        note: `${result.imported} imported, server CPU ${importCpu.toFixed(1)} s, load ${load}`,
      },
      {
        name: `export: ${rows} records as CSV, server RSS rise`,
        value: `${exports.csv!.rssRiseMiB!.toFixed(0)} MiB`,
        target: `< ${RSS_TARGET_MIB} MiB`,
        verdict: exports.csv!.records === rows && exports.csv!.rssRiseMiB! < RSS_TARGET_MIB ? "PASS" : "FAIL",
        note: `ndjson +${exports.ndjson!.rssRiseMiB!.toFixed(0)} MiB, xlsx +${exports.xlsx!.rssRiseMiB!.toFixed(0)} MiB, inline CSV of ${inline.value} +${inline.rise.toFixed(0)} MiB`,
      },
    ];
    return { checks, import: { rows, seconds: imported.seconds, cpuSeconds: importCpu, rssRiseMiB: imported.rise }, exports, load };
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const out = await run({ log: (m) => console.log(`[bench] ${m}`) });
  console.log(JSON.stringify(out, null, 2));
}
