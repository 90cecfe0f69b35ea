/**
 * `cairn backup create | list | restore | delete` as users run it (bin/cairn.js, spawned) on the
 * database and data directory of the environment: a backup taken by the CLI restores a record
 * deleted afterwards; bad names and unknown subcommands fail with a message and exit code.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase, type ApiClient } from "../helpers/app.ts";
import { cliEnv, runCairn, withCliServer } from "../helpers/cli.ts";

let db: Awaited<ReturnType<typeof freshDatabase>>;
const env = () => cliEnv(db);
const cairn = (...args: string[]) => runCairn(env(), ...args);
const withServer = <T>(fn: (api: ApiClient, token: string) => Promise<T>) => withCliServer(env(), fn);

beforeAll(async () => {
  db = await freshDatabase();
});
afterAll(async () => db?.drop());

describe("cairn backup", () => {
  it("create, list, restore and delete", { timeout: 120_000 }, async () => {
    const id = await withServer(async (api, token) => {
      await api("POST", "/api/v1/collections", { token, body: { name: "notes", schema: [{ name: "title", type: "text" }] } });
      return (await api("POST", "/api/v1/collections/notes/records", { token, body: { data: { title: "keep me" } } })).body.id as string;
    });

    const created = await cairn("backup", "create");
    expect(created.code, created.stderr).toBe(0);
    const name = /Backup created: (backup_\S+\.tar\.gz)/.exec(created.stdout)?.[1];
    expect(name, created.stdout).toBeDefined();

    const list = await cairn("backup", "list");
    expect(list.code).toBe(0);
    expect(list.stdout).toContain(name!);

    await withServer(async (api, token) => expect((await api("DELETE", `/api/v1/collections/notes/records/${id}`, { token })).status).toBeLessThan(300));

    const restored = await cairn("backup", "restore", name!);
    expect(restored.code, restored.stderr).toBe(0);
    expect(restored.stdout).toMatch(/^Restored backup_.* The state before is in backup_\S+_pre_restore\.tar\.gz\.$/m);
    await withServer(async (api, token) => expect((await api("GET", `/api/v1/collections/notes/records/${id}`, { token })).body.data.title).toBe("keep me"));

    const deleted = await cairn("backup", "delete", name!);
    expect(deleted.code).toBe(0);
    expect(existsSync(join(db.dataDir, "backups", name!))).toBe(false);
  });

  it("bad names and commands fail with a message", { timeout: 60_000 }, async () => {
    const traversal = await cairn("backup", "restore", "../../etc/passwd");
    expect(traversal.code).toBe(1);
    expect(traversal.stderr).toMatch(/cairn: Invalid backup name '..\/..\/etc\/passwd'/);
    const unknown = await cairn("backup", "delete", "backup_19990101_000000");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("cairn: Backup 'backup_19990101_000000' not found");
    const usage = await cairn("backup", "frob");
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("unknown backup command 'frob'");
  });
});
