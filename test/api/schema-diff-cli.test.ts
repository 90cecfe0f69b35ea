/**
 * `cairn schema diff OLD [NEW]` as users run it (bin/cairn.js, spawned): a schema printed before
 * a field rename, compared with the live schema after it, lists the breaking change and exits 1;
 * an unchanged schema (live or a second file) exits 0; a file that is not SDL or does not exist
 * exits 2 naming it.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type ApiClient } from "../helpers/app.ts";
import { cliEnv, runCairn, withCliServer } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-schema-diff-"));
let db: Awaited<ReturnType<typeof freshDatabase>>;
// without a grace period a rename removes the old name at once (with one, see graphql-renames.test.ts)
const env = () => ({ ...cliEnv(db), CAIRN_RENAME_GRACE_DAYS: "0" });
const cairn = (...args: string[]) => runCairn(env(), ...args);
const withServer = <T>(fn: (api: ApiClient, token: string) => Promise<T>) => withCliServer(env(), fn);

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
