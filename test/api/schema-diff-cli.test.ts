/**
 * `cairn schema diff OLD [NEW]` as users run it (bin/cairn.js, spawned): a schema printed before
 * a field rename, compared with the live schema after it, lists the breaking change and exits 1;
 * an unchanged schema (live or a second file) exits 0; a file that is not SDL or does not exist
 * exits 2 naming it.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, freshDatabase } from "../helpers/app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "cairn-schema-diff-"));
let db: Awaited<ReturnType<typeof freshDatabase>>;
const env = () => ({ PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", DATABASE_URL: db.url, CAIRN_DATA_DIR: db.dataDir, CAIRN_SECRET: "cli-test-secret", LOG_LEVEL: "warn" });

function cairn(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ["bin/cairn.js", ...args], { cwd: ROOT, env: env(), stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, stdout, stderr })));
}

/** Runs `fn` against an in-process server on the same database. */
async function withServer<T>(fn: (api: ReturnType<typeof apiClient>, token: string) => Promise<T>): Promise<T> {
  const app = await createApp(loadConfig({ ...env(), CAIRN_ADMIN_EMAIL: ADMIN_EMAIL, CAIRN_ADMIN_PASSWORD: ADMIN_PASSWORD, CAIRN_RATE_LIMIT: "false" }, { port: 0, host: "127.0.0.1" }));
  try {
    const api = apiClient(await app.listen());
    const login = await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    return await fn(api, login.body.access_token);
  } finally {
    await app.close();
  }
}

beforeAll(async () => {
  db = await freshDatabase();
  await withServer(async (api, token) => {
    const res = await api("POST", "/api/v1/collections", {
      token,
      body: {
        name: "posts",
        schema: [
          { name: "title", type: "text" },
          { name: "views", type: "number" },
        ],
      },
    });
    expect(res.status).toBe(201);
  });
});
afterAll(async () => db?.drop());

describe("cairn schema diff", () => {
  it("reports a renamed field as breaking against the live schema, and nothing for an unchanged one", { timeout: 120_000 }, async () => {
    const printed = await cairn("schema", "print");
    expect(printed.code, printed.stderr).toBe(0);
    expect(printed.stdout).toContain("type Post ");
    const before = join(dir, "before.graphql");
    writeFileSync(before, printed.stdout);

    const same = await cairn("schema", "diff", before);
    expect(same.code, same.stderr).toBe(0);
    expect(same.stdout).toBe("No breaking or dangerous changes.\n");

    await withServer(async (api, token) => {
      const def = (await api("GET", "/api/v1/collections/posts", { token })).body;
      const schema = def.schema.map((f: { name: string }) => (f.name === "title" ? { ...f, name: "headline" } : f));
      const res = await api("PATCH", "/api/v1/collections/posts", { token, body: { schema } });
      expect(res.status, JSON.stringify(res.body)).toBe(200);
    });
    const renamed = await cairn("schema", "diff", before);
    expect(renamed.code, renamed.stderr).toBe(1);
    expect(renamed.stdout).toMatch(/^BREAKING\s+FIELD_REMOVED\s+Post\.title was removed\.$/m);
    expect(renamed.stdout).toMatch(/^\d+ breaking, \d+ dangerous\.$/m);

    // Two files: compared without the database.
    const files = await cairn("schema", "diff", before, before);
    expect(files.code, files.stderr).toBe(0);
    expect(files.stdout).toBe("No breaking or dangerous changes.\n");
  });

  it("names a file that is missing or not a schema, with exit code 2", { timeout: 60_000 }, async () => {
    const bad = join(dir, "bad.graphql");
    writeFileSync(bad, "type Query {\n  a: \n");
    const invalid = await cairn("schema", "diff", bad);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr).toMatch(/^cairn: .*bad\.graphql: not a valid GraphQL schema \(line 3, column 1\)/);
    const missing = await cairn("schema", "diff", join(dir, "nope.graphql"));
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("nope.graphql: ENOENT");
  });
});
