/**
 * Idle memory of the server users run (issue 8 part 7): the bundle `npm start` runs, built by
 * scripts/build.ts and started with the node flags `npm start` passes (scripts/start.sh), on a fresh database of
 * the run (SQLite file or PostgreSQL), with a superadmin bootstrapped. Its resident memory
 * (VmRSS of the child process, from /proc) must settle at or below LIMIT_MIB once it is idle.
 *
 * The limit guards against regressions; it is not issue 8's 120 MiB target, which `npm run bench`
 * still checks. `npm start` ran with --optimize-for-size until V8's compiler setting turned out to
 * double the CPU per request; without it the server idled at 124-139 MiB, 140 MiB when, as here, the
 * first start hashes CAIRN_ADMIN_PASSWORD. `npm start` now also passes --v8-pool-size=1 (one V8
 * worker thread instead of four: each kept its own compiler and GC memory), a fixed heap growing
 * factor (--heap-growing-percent, 30 then; 20 on SQLite since) and MALLOC_ARENA_MAX=2 (fewer glibc malloc arenas, which keep
 * freed memory such as scrypt's 32 MiB buffer per thread): 123-125 MiB here on SQLite and
 * PostgreSQL. Then response serializers compiled on first use (src/lib/lazy-serializers.ts), a
 * one-byte bundle source and only the graphql-scalars we use: 120-125 MiB, so the limit came down
 * from 140 to 135. Since the server runs one memory-reducing collection once it listens
 * (src/lib/release-startup-memory.ts: the young generation start-up grew to its maximum, and the
 * old generation compacted), it idles at 102-109 MiB, so the limit is issue 8's target, 120 MiB.
 * The assertion waits up to 20 s for a sample at or below the limit, so a GC that has not run yet
 * cannot fail it; a regression of more than the ~11 MiB margin does.
 */
import { spawn, execFileSync, type ChildProcess } from "node:child_process";
import { readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startCommand } from "../../bench/options.ts";
import { eventually, freshDatabase, TEST_DB } from "../helpers/app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const LIMIT_MIB = 120;
const OUT_DIR = join(ROOT, "dist", `idle-memory-${process.pid}-${process.env.CAIRN_TEST_DB ?? "sqlite"}`);

let child: ChildProcess | undefined;
let db: Awaited<ReturnType<typeof freshDatabase>>;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const a = s.address();
      s.close(() => (a && typeof a === "object" ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

function rssMiB(pid: number): number {
  return Number(/^VmRSS:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/status`, "utf8"))![1]) / 1024;
}

beforeAll(async () => {
  // Its own build, so the test measures this tree's code whatever dist/ holds.
  execFileSync(process.execPath, ["--import", "tsx", "scripts/build.ts", join(OUT_DIR, "cli.js")], { cwd: ROOT, stdio: "inherit" });
  db = await freshDatabase();
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    child.kill("SIGTERM");
    await new Promise((r) => child!.once("exit", r));
  }
  await db?.drop();
  rmSync(OUT_DIR, { recursive: true, force: true });
});

it(`the started server idles at or below ${LIMIT_MIB} MiB resident`, async () => {
  // the flags and environment `npm start` uses on this database (scripts/start.sh), with this test's own build
  const { flags, env: startEnv } = startCommand(ROOT, TEST_DB);
  expect(flags).toContain("--liftoff-only");
  const port = await freePort();
  child = spawn(process.execPath, [...flags, join(OUT_DIR, "cli.js"), "serve"], {
    cwd: ROOT,
    env: {
      ...startEnv,
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      DATABASE_URL: db.url,
      CAIRN_DATA_DIR: db.dataDir,
      LOG_LEVEL: "warn",
      CAIRN_ADMIN_EMAIL: "admin@example.com",
      CAIRN_ADMIN_PASSWORD: "Admin-pass-123",
    },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const pid = child.pid!;
  await eventually(
    () =>
      fetch(`http://127.0.0.1:${port}/health`)
        .then((r) => r.ok)
        .catch(() => false),
    60_000,
    "the server to answer /health",
    100,
  );
  const samples: number[] = [];
  await eventually(
    async () => {
      samples.push(Math.round(rssMiB(pid)));
      return samples.at(-1)! <= LIMIT_MIB;
    },
    20_000,
    `VmRSS at or below ${LIMIT_MIB} MiB`,
    500,
  ).catch((e: Error) => {
    throw new Error(`${e.message}; samples MiB: ${samples.join(", ")}`);
  });
  expect(samples.at(-1)).toBeLessThanOrEqual(LIMIT_MIB);
}, 120_000);
