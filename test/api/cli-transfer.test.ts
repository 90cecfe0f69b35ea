/**
 * `cairn import` and `cairn export` as a user runs them: child processes on the database of a
 * running server (created through its API), results checked through the API and on stdout.
 * Each command starts Node with tsx, hence the long timeouts on a busy machine.
 */
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";

const run = promisify(execFile);

describe("cairn import / export", () => {
  let t: TestApp;
  let env: NodeJS.ProcessEnv;
  const cli = async (...args: string[]) => {
    try {
      const r = await run(process.execPath, ["--import", "tsx", "src/cli.ts", ...args], { env, maxBuffer: 64 * 1024 * 1024 });
      return { code: 0, stdout: r.stdout, stderr: r.stderr };
    } catch (e) {
      const err = e as { code: number; stdout: string; stderr: string };
      return { code: err.code, stdout: err.stdout, stderr: err.stderr };
    }
  };

  beforeAll(async () => {
    t = await startApp();
    env = { PATH: process.env.PATH, HOME: process.env.HOME, DATABASE_URL: t.config.databaseUrl, CAIRN_DATA_DIR: t.config.dataDir, LOG_LEVEL: "warn" };
    const schema = [
      { name: "title", type: "text", required: true },
      { name: "isbn", type: "text", unique: true },
      { name: "year", type: "number" },
    ];
    expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "books", schema } })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it("imports a file, upserts it, and exports to stdout", async () => {
    const file = join(t.config.dataDir, "books.csv");
    writeFileSync(file, "title,isbn,year\nDune,111,1965\nEmma,222,later\n,333,1\n");
    const first = await cli("import", file, "--collection", "books");
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toEqual({
      imported: 1,
      created: 1,
      updated: 0,
      total: 3,
      failed: 2,
      errors: [
        { row: 3, field: "year", error: "'later' is not a number" },
        { row: 4, field: "title", error: "This field is required" },
      ],
    });
    writeFileSync(file, "title,isbn,year\nDune (2nd ed.),111,1966\nEmma,222,1815\n");
    const upsert = await cli("import", file, "--collection", "books", "--mode", "upsert", "--key", "isbn");
    expect(JSON.parse(upsert.stdout)).toMatchObject({ imported: 2, created: 1, updated: 1, failed: 0 });

    const listed = await t.api("GET", "/api/v1/collections/books/records?sort=isbn&skip_total=true", { token: t.adminToken });
    expect(listed.body.items.map((i: any) => i.data)).toEqual([
      { title: "Dune (2nd ed.)", isbn: "111", year: 1966 },
      { title: "Emma", isbn: "222", year: 1815 },
    ]);
    const csv = await cli("export", "books", "--sort", "isbn", "--fields", "title,year");
    expect(csv.code).toBe(0);
    const lines = csv.stdout.trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,created,updated,title,year");
    expect(lines.slice(1).map((l) => l.split(",").slice(3).join(","))).toEqual(["Dune (2nd ed.),1966", "Emma,1815"]);
    const nd = await cli("export", "books", "--format", "ndjson", "--filter", "year < 1900");
    expect(
      nd.stdout
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).title),
    ).toEqual(["Emma"]);
  }, 300_000);

  it("fails with a message and an exit code", async () => {
    const file = join(t.config.dataDir, "bad.csv");
    writeFileSync(file, "title,year\nA,x\n");
    const atomic = await cli("import", file, "--collection", "books", "--atomic");
    expect(atomic.code).toBe(1);
    expect(atomic.stderr).toContain("Import failed: 1 row with errors; nothing was imported (first: row 2, field 'year': 'x' is not a number)");
    const unknown = await cli("import", file, "--collection", "nope");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("Collection 'nope' not found");
    expect((await cli("export", "books", "--format", "pdf")).stderr).toContain("Unknown format 'pdf'");
  }, 300_000);
});
