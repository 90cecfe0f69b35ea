/**
 * scripts/start.sh, what `npm start` runs: node flags per database (the young generation is
 * larger on PostgreSQL, the old generation grows by less after a full GC on SQLite), the database read from the environment or ./.env, and `exec`, so the
 * server is the process npm (or a supervisor) started, with no shell left above it.
 */
import { spawn, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../../scripts/start.sh", import.meta.url));
const dirs: string[] = [];

function workDir(dotenv?: string): string {
  const dir = mkdtempSync(join(tmpdir(), "cairn-start-"));
  dirs.push(dir);
  if (dotenv !== undefined) writeFileSync(join(dir, ".env"), dotenv);
  return dir;
}

function printed(cwd: string, env: Record<string, string> = {}): string {
  return execFileSync("sh", [SCRIPT, "--print"], { cwd, env: { PATH: process.env.PATH ?? "", ...env }, encoding: "utf8" }).trim();
}

const semi = (command: string) => /--max-semi-space-size=(\d+)/.exec(command)?.[1];
const growing = (command: string) => /--heap-growing-percent=(\d+)/.exec(command)?.[1];

afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

describe("scripts/start.sh", () => {
  it("prints the server command with the flags it runs", () => {
    expect(printed(workDir())).toBe("MALLOC_ARENA_MAX=2 node --liftoff-only --max-semi-space-size=3 --v8-pool-size=1 --heap-growing-percent=20 dist/app/cli.js serve");
  });

  it("sizes the young generation and the old generation's growth by the database in DATABASE_URL", () => {
    const dir = workDir();
    expect(growing(printed(dir, { DATABASE_URL: "postgres://cairn@db:5432/cairn" }))).toBe("30");
    expect(growing(printed(dir, { DATABASE_URL: "file:./data/cairn.db" }))).toBe("20");
    expect(semi(printed(dir, { DATABASE_URL: "postgres://cairn@db:5432/cairn" }))).toBe("8");
    expect(semi(printed(dir, { DATABASE_URL: "postgresql://cairn@db/cairn" }))).toBe("8");
    expect(semi(printed(dir, { DATABASE_URL: "file:./data/cairn.db" }))).toBe("3");
  });

  it("reads DATABASE_URL from ./.env when the environment has none, the environment first", () => {
    expect(semi(printed(workDir('PORT=8000\nexport DATABASE_URL="postgres://cairn@db/cairn"\n')))).toBe("8");
    expect(semi(printed(workDir("DATABASE_URL='postgresql://cairn@db/cairn'\n")))).toBe("8");
    expect(semi(printed(workDir("# DATABASE_URL=postgres://old\nDATABASE_URL=file:./cairn.db\n")))).toBe("3");
    expect(semi(printed(workDir("DATABASE_URL=postgres://cairn@db/cairn\n"), { DATABASE_URL: "file:x.db" }))).toBe("3");
  });

  it("becomes the server process (exec) with the flags, the environment and the arguments", async () => {
    const dir = workDir();
    mkdirSync(join(dir, "dist/app"), { recursive: true });
    // stands in for the built server: reports what it was started with
    writeFileSync(join(dir, "dist/app/cli.js"), "console.log(JSON.stringify({ pid: process.pid, execArgv: process.execArgv, argv: process.argv.slice(2), arena: process.env.MALLOC_ARENA_MAX }));");
    const child = spawn("sh", [SCRIPT, "--port-check"], { cwd: dir, env: { PATH: process.env.PATH ?? "", DATABASE_URL: "postgres://cairn@db/cairn" } });
    let out = "";
    child.stdout.on("data", (c: Buffer) => (out += c.toString()));
    const code = await new Promise<number | null>((r) => child.once("exit", r));
    expect(code).toBe(0);
    const seen = JSON.parse(out) as { pid: number; execArgv: string[]; argv: string[]; arena: string };
    expect(seen.pid).toBe(child.pid);
    expect(seen.execArgv).toEqual(["--liftoff-only", "--max-semi-space-size=8", "--v8-pool-size=1", "--heap-growing-percent=30"]);
    expect(seen.argv).toEqual(["serve", "--port-check"]);
    expect(seen.arena).toBe("2");
  });
});
