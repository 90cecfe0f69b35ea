/**
 * What bench/run.ts hands to each scenario module. A module is a file exporting
 * `run(ctx: BenchContext): Promise<Record<string, unknown>>`; the runner prints what it returns
 * (as a table when it holds `rows: ScenarioRow[]`, as JSON otherwise) and stores it in
 * bench/.tmp/latest.json.
 */
import type { LoadResult, LoadSpec } from "./load.ts";
import type { BenchOptions } from "./options.ts";

export type TargetName = "cairn" | "floor";

export interface BenchTarget {
  readonly name: TargetName;
  /** base URL, e.g. http://127.0.0.1:41234 */
  readonly url: string;
  /** bearer token (Cairn: a superadmin's access token; the floor ignores it) */
  readonly token: string;
  /** ids of the seeded records */
  readonly ids: readonly string[];
}

export interface BenchContext {
  /** the running Cairn server */
  readonly url: string;
  /** a superadmin access token for it */
  readonly token: string;
  /** the seeded collection and the ids of its records */
  readonly collection: string;
  readonly ids: readonly string[];
  readonly cairn: BenchTarget;
  readonly floor: BenchTarget;
  readonly options: BenchOptions;
  /**
   * Warm-up (options.warmup seconds), then one measured autocannon run at options.connections
   * for options.duration seconds (overridable in `spec`). On Cairn with BENCH_PROFILE=1 the
   * measured part is CPU-profiled under bench/.tmp/prof/<label>.
   */
  measure(target: TargetName, label: string, spec: Omit<LoadSpec, "url" | "connections" | "duration"> & Partial<Pick<LoadSpec, "connections" | "duration">> & { warmup?: number }): Promise<LoadResult>;
  log(message: string): void;
  /**
   * Waits until both servers (and, on PostgreSQL, their databases) have finished earlier work,
   * as before every measured run; resolves with the seconds waited.
   */
  settle(): Promise<number>;
  /**
   * Starts one more Cairn server on the run's database, with the same secret (the token works)
   * and `env` over the main server's environment; its stdout goes to a file in the run directory
   * (as to a log file in production), not through this process.
   */
  startCairn(name: string, env: Record<string, string>): Promise<ExtraServer>;
}

/** A Cairn server started by a module; the module stops it. */
export interface ExtraServer {
  readonly url: string;
  /** CPU time the process has used so far, seconds */
  cpuSeconds(): number;
  stop(): Promise<void>;
}

/** One row of the printed table: a scenario measured on Cairn and on the floor. */
export interface ScenarioRow {
  scenario: string;
  /** required Cairn/floor throughput ratio (undefined: informational) */
  target?: number;
  /** Cairn's figures (the median over rounds when measured in rounds, bench/rounds.ts) */
  cairn: LoadResult;
  floor?: LoadResult;
  /** Cairn ÷ floor req/s of each interleaved round, and their median (the judged figure) */
  ratios?: number[];
  ratio?: number;
  /** median over rounds of Cairn's p99 ÷ p50 (target ≤ 10, issue 8 part 9) */
  tail?: number;
  /** what the row measures, printed under the table */
  note?: string;
}

export interface BenchModule {
  run(ctx: BenchContext): Promise<Record<string, unknown>>;
}
