/**
 * The two servers of one database's part of the run: Cairn (what `npm start` runs, on a fresh
 * SQLite file or PostgreSQL database) and its floor (bench/floor.ts on its own SQLite file or
 * PostgreSQL database), each a child process (bench/proc.ts).
 */
import { randomBytes } from "node:crypto";
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { startCommand, type BenchOptions } from "./options.ts";
import { createPgDatabase } from "./pg.ts";
import { freePort, startServer, type ServerProcess } from "./proc.ts";

export const ADMIN_EMAIL = "bench@example.com";
export const ADMIN_PASSWORD = "Bench-pass-123";

export interface ServerPair {
  cairn: ServerProcess;
  floor: ServerProcess;
  /** how Cairn was started, for the report */
  cairnCommand: string;
  /** starts one more Cairn server on the same database (same secret), stdout to `stdoutFile` */
  startCairn(name: string, env: Record<string, string>, stdoutFile: string): Promise<ServerProcess>;
  inspectPorts: { cairn: number; floor: number };
  /**
   * Statements of the servers still running in the pair's PostgreSQL databases (always 0 on
   * SQLite; autovacuum is not counted). A server waiting for PostgreSQL uses no CPU itself: a run
   * whose requests outlasted it leaves their statements running in the database, where they
   * would slow the next run.
   */
  activeStatements(): Promise<number>;
  stop(): Promise<void>;
}

/** Starts Cairn and the floor for `opts.db` under `dir`; everything started is stopped by `stop` (also on failure). */
export async function startPair(opts: BenchOptions, dir: string, log: (m: string) => void): Promise<ServerPair> {
  const started: ServerProcess[] = [];
  const dbs = opts.db === "postgres" ? await Promise.all([createPgDatabase(opts.pgAdminUrl), createPgDatabase(opts.pgAdminUrl)]) : [];
  let monitor: pg.Client | undefined;
  const activeStatements = async () => {
    if (!dbs.length) return 0;
    if (!monitor) {
      monitor = new pg.Client({ connectionString: opts.pgAdminUrl });
      await monitor.connect();
    }
    const names = dbs.map((d) => new URL(d.url).pathname.slice(1));
    const { rows } = await monitor.query<{ n: string }>(
      "SELECT count(*) AS n FROM pg_stat_activity WHERE datname = ANY($1) AND state = 'active' AND backend_type IN ('client backend', 'parallel worker')",
      [names],
    );
    return Number(rows[0]?.n ?? 0);
  };
  const stop = async () => {
    await monitor?.end().catch(() => {});
    await Promise.all(started.map((s) => s.stop().catch(() => {})));
    for (const d of dbs) await d.drop().catch((e: unknown) => log(`dropping a PostgreSQL database failed: ${String(e)}`));
  };
  try {
    mkdirSync(join(dir, "cairn"), { recursive: true });
    const cliExists = existsSync(join(opts.cairnRoot, opts.cairnEntry));
    const compiled = cliExists && opts.cairnEntry.endsWith(".js");
    const start = startCommand(opts.root, opts.db);
    const nodeFlags = opts.cairnNodeFlags ?? start.flags;
    const cairnCommand = cliExists
      ? [...Object.entries(start.env).map(([k, v]) => `${k}=${v}`), "node", ...nodeFlags, ...(compiled ? [] : ["--import tsx"]), opts.cairnEntry, "serve"].join(" ")
      : "bench/server.ts";
    const [cairnPort, floorPort, cairnInspect, floorInspect] = await Promise.all([freePort(), freePort(), freePort(), freePort()]);
    const env = {
      ...process.env,
      ...start.env,
      HOST: "127.0.0.1",
      CAIRN_DATA_DIR: join(dir, "cairn"),
      DATABASE_URL: dbs[0]?.url ?? `file:${join(dir, "cairn", "cairn.db")}`,
      CAIRN_ADMIN_EMAIL: ADMIN_EMAIL,
      CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD,
      CAIRN_SECRET: randomBytes(32).toString("base64url"),
      LOG_LEVEL: "warn",
      NODE_ENV: "production",
    };
    const startCairn = async (name: string, port: number, extra: Record<string, string> = {}, stdoutFile?: string) => {
      const s = await startServer({
        name,
        args: cliExists ? [opts.cairnEntry, "serve"] : [join(opts.root, "bench/server.ts")],
        tsx: !compiled,
        cwd: opts.cairnRoot,
        port,
        nodeFlags: [...nodeFlags, ...(opts.profile && name === "cairn" ? [`--inspect=127.0.0.1:${cairnInspect}`] : [])],
        verbose: opts.verbose,
        env: { ...env, PORT: String(port), ...extra },
        stdoutFile,
      });
      started.push(s);
      return s;
    };
    const floorEnv = { ...process.env, FLOOR_PORT: String(floorPort), NODE_ENV: "production", ...(dbs[1] ? { FLOOR_PG_URL: dbs[1].url } : { FLOOR_DB: join(dir, "floor.db") }) };
    const [cairn, floor] = await Promise.all([
      startCairn("cairn", cairnPort),
      startServer({
        name: "floor",
        args: ["bench/floor.ts"],
        cwd: opts.root,
        port: floorPort,
        nodeFlags: opts.profile ? [`--inspect=127.0.0.1:${floorInspect}`] : [],
        verbose: opts.verbose,
        env: floorEnv,
      }).then((s) => (started.push(s), s)),
    ]);
    return {
      cairn,
      floor,
      cairnCommand,
      startCairn: async (name, extra, stdoutFile) => startCairn(name, await freePort(), extra, stdoutFile),
      inspectPorts: { cairn: cairnInspect, floor: floorInspect },
      activeStatements,
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}
