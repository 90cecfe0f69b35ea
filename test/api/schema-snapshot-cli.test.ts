/**
 * `cairn schema snapshot | diff FILE.json | apply FILE [--allow-drop]` as users run them
 * (bin/cairn.js, spawned): a snapshot of one database applied to an empty one, re-applied (nothing
 * to do), and a snapshot without the collection refused until --allow-drop, naming the data lost.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freshDatabase } from "../helpers/app.ts";
import { cliEnv, runCairn, withCliServer } from "../helpers/cli.ts";

const dir = mkdtempSync(join(tmpdir(), "cairn-schema-snapshot-"));
let from: Awaited<ReturnType<typeof freshDatabase>>;
let to: Awaited<ReturnType<typeof freshDatabase>>;

beforeAll(async () => {
  [from, to] = await Promise.all([freshDatabase(), freshDatabase()]);
  await withCliServer(cliEnv(from), async (api, token) => {
    const res = await api("POST", "/api/v1/collections", { token, body: { name: "cli_notes", schema: [{ name: "text", type: "text" }] } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });
}, 60_000);
afterAll(async () => Promise.all([from?.drop(), to?.drop()]));

describe("cairn schema snapshot / diff / apply", () => {
  it("moves a collection to an empty database once, and refuses a drop without --allow-drop", { timeout: 180_000 }, async () => {
    const snap = await runCairn(cliEnv(from), "schema", "snapshot");
    expect(snap.code, snap.stderr).toBe(0);
    const file = join(dir, "cairn-schema.json");
    writeFileSync(file, snap.stdout);
    expect(JSON.parse(snap.stdout).collections.map((c: { name: string }) => c.name)).toEqual(["cli_notes"]);

    const diff = await runCairn(cliEnv(to), "schema", "diff", file);
    expect(diff.code, diff.stderr).toBe(0);
    expect(diff.stdout).toMatch(/^create\s+collection\s+cli_notes: base, 1 field$/m);

    const applied = await runCairn(cliEnv(to), "schema", "apply", file);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain("Applied.");
    const again = await runCairn(cliEnv(to), "schema", "apply", file);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe("Nothing to do: the database matches the snapshot.\n");

    await withCliServer(cliEnv(to), async (api, token) => {
      const res = await api("POST", "/api/v1/collections/cli_notes/records", { token, body: { data: { text: "keep me" } } });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
    });
    const empty = join(dir, "empty.json");
    writeFileSync(empty, JSON.stringify({ ...JSON.parse(snap.stdout), collections: [] }));
    const refused = await runCairn(cliEnv(to), "schema", "apply", empty);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain("drop collection cli_notes (data loss: 1 record is deleted)");
    const dropped = await runCairn(cliEnv(to), "schema", "apply", empty, "--allow-drop");
    expect(dropped.code, dropped.stderr).toBe(0);
    expect(dropped.stdout).toMatch(/^drop\s+collection\s+cli_notes: base\n\s+WARNING data loss: 1 record is deleted$/m);
  });
});
