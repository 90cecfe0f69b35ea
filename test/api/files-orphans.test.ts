/**
 * Files over real HTTP, the lifecycle around records: file fields inside `expand` resolve to
 * `{id, name, size, type, url}` like top-level reads (one query for the page and everything
 * expanded), and uploads never attached to a record are deleted by the orphan sweep once the
 * grace period (setting `orphan_file_grace_hours`) is over — bytes included — while attached
 * files stay, whatever their age.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";

let t: TestApp;
let user: { token: string; id: string };

beforeAll(async () => {
  t = await startApp();
  user = await registerUser(t.api);
});
afterAll(async () => t?.close());

async function upload(name: string, data: string, fields: Record<string, string> = {}) {
  const form = new FormData();
  form.append("file", new Blob([data], { type: "text/plain" }), name);
  for (const [k, v] of Object.entries(fields)) form.append(k, v);
  const res = await fetch(`${t.url}/api/v1/files`, { method: "POST", body: form, headers: { authorization: `Bearer ${user.token}` } });
  const body = (await res.json()) as { id: string; size: number };
  expect(res.status, JSON.stringify(body)).toBe(201);
  return body;
}

const stored = (id: string) => existsSync(join(t.config.dataDir, "files", "default", id));

describe("file fields inside expand", () => {
  it("resolves the files of expanded records, forward and back, in one query for the lot", async () => {
    const rules = { list_rule: "", view_rule: "", create_rule: '@request.auth.id != ""', update_rule: "owner_id = @request.auth.id" };
    for (const body of [
      {
        name: "people",
        schema: [
          { name: "name", type: "text" },
          { name: "avatar", type: "file", file: { max_files: 1 } },
        ],
      },
      {
        name: "notes",
        schema: [
          { name: "title", type: "text" },
          { name: "author", type: "relation", relation: { collection: "people" } },
          { name: "docs", type: "file", file: { max_files: 3 } },
        ],
      },
    ])
      expect((await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { ...rules, ...body } })).status).toBe(201);
    const avatar = await upload("ann.txt", "ann's face");
    const doc = await upload("doc.txt", "a document");
    const ann = (await t.api("POST", "/api/v1/collections/people/records", { token: user.token, body: { data: { name: "Ann", avatar: [avatar.id] } } })).body.id as string;
    const note = (await t.api("POST", "/api/v1/collections/notes/records", { token: user.token, body: { data: { title: "N", author: ann, docs: [doc.id] } } })).body.id as string;
    const file = (id: string, name: string, size: number) => ({ id, name, size, type: "text/plain", url: `/api/v1/files/${id}/download` });

    const recorder = recordStatements(t.app.services.db);
    const list = await t.api("GET", "/api/v1/collections/notes/records?expand=author", { token: user.token });
    recorder.restore();
    expect(list.status).toBe(200);
    expect(list.body.items[0].data.docs).toEqual([file(doc.id, "doc.txt", doc.size)]);
    expect(list.body.items[0].expand.author.data.avatar).toEqual([file(avatar.id, "ann.txt", avatar.size)]);
    expect(recorder.texts().filter((sql) => sql.includes('"_files"')).length).toBe(1);

    const one = await t.api("GET", `/api/v1/collections/notes/records/${note}?expand=author`, { token: user.token });
    expect(one.body.expand.author.data.avatar).toEqual([file(avatar.id, "ann.txt", avatar.size)]);
    const back = await t.api("GET", `/api/v1/collections/people/records/${ann}?expand=notes_via_author`, { token: user.token });
    expect(back.body.data.avatar).toEqual([file(avatar.id, "ann.txt", avatar.size)]);
    expect(back.body.expand.notes_via_author[0].data.docs).toEqual([file(doc.id, "doc.txt", doc.size)]);
  });
});

describe("orphan uploads", () => {
  it("refuses a grace period that is not a positive number of hours", async () => {
    for (const value of [0, -1, "24", null]) {
      const res = await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "orphan_file_grace_hours", value, category: "storage" } });
      expect(res.status, JSON.stringify(value)).toBe(422);
    }
  });

  it("deletes uploads never attached once the grace is over, and keeps attached ones", async () => {
    expect(
      (
        await t.api("POST", "/api/v1/collections", {
          token: t.adminToken,
          body: {
            name: "boxes",
            list_rule: "",
            view_rule: "",
            create_rule: '@request.auth.id != ""',
            update_rule: "owner_id = @request.auth.id",
            schema: [{ name: "files", type: "file", file: { max_files: 5 } }],
          },
        })
      ).status,
    ).toBe(201);
    const kept = await upload("kept.txt", "attached");
    const box = (await t.api("POST", "/api/v1/collections/boxes/records", { token: user.token, body: { data: { files: [kept.id] } } })).body.id as string;
    const viaRecord = await upload("via-record.txt", "attached at upload", { collection: "boxes", record_id: box, field: "files" });
    const orphan = await upload("orphan.txt", "never used");
    expect(stored(orphan.id)).toBe(true);

    // 0.0005 h = 1.8 s
    expect((await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "orphan_file_grace_hours", value: 0.0005, category: "storage" } })).status).toBe(200);
    await eventually(async () => (await t.api("GET", `/api/v1/files/${orphan.id}`, { token: user.token })).status === 404, 15_000, "the orphan upload to be swept");
    await eventually(async () => !stored(orphan.id), 5_000, "the orphan's bytes to be removed");
    for (const f of [kept, viaRecord]) {
      expect((await t.api("GET", `/api/v1/files/${f.id}`, { token: user.token })).status).toBe(200);
      expect(stored(f.id)).toBe(true);
    }
    const rec = await t.api("GET", `/api/v1/collections/boxes/records/${box}`, { token: user.token });
    expect(rec.body.data.files.map((f: { id: string }) => f.id)).toEqual([kept.id, viaRecord.id]);

    // a young orphan survives a sweep; attaching it in time keeps it for good
    const young = await upload("young.txt", "attached later");
    expect((await t.api("PATCH", `/api/v1/collections/boxes/records/${box}`, { token: user.token, body: { data: { files: [kept.id, viaRecord.id, young.id] } } })).status).toBe(200);
    const late = await upload("late.txt", "swept too");
    await eventually(async () => (await t.api("GET", `/api/v1/files/${late.id}`, { token: user.token })).status === 404, 15_000, "the second orphan to be swept");
    expect((await t.api("GET", `/api/v1/files/${young.id}`, { token: user.token })).status).toBe(200);
  });
});
