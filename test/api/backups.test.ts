/**
 * Backups over real HTTP (compat/fastcms.md §14): create, list, download, restore, delete;
 * superadmin only; traversal names → 400; writes keep working while a backup runs and the
 * archive is one consistent snapshot; a restore brings back records, collections (REST and the
 * GraphQL schema), settings and files without a restart, after a safety backup, answering 503
 * with Retry-After while it runs; and a backup taken on this database restores into the other
 * one (SQLite → PostgreSQL and PostgreSQL → SQLite, depending on the run).
 */
import { randomBytes } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { ADMIN_EMAIL, ADMIN_PASSWORD, apiClient, eventually, freshDatabase, registerUser, startApp, TEST_DB, type ApiClient, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let api: ApiClient;
let admin: string;
let user: { token: string };

const PUBLIC = { list_rule: "", view_rule: "", create_rule: "", update_rule: "", delete_rule: "" };
const ITEM_FIELDS = [
  { name: "title", type: "text", validation: { required: true } },
  { name: "views", type: "number" },
  { name: "published", type: "bool" },
  { name: "meta", type: "json" },
  { name: "tags", type: "tags" },
  { name: "day", type: "date" },
  { name: "at", type: "datetime" },
];
const ITEM = { title: "Hello", views: 3.5, published: true, meta: { a: [1, "x", null], s: "text" }, tags: ["a", "b"], day: "2026-01-31", at: "2026-02-03T04:05:06.789Z" };

async function createItems(a: ApiClient, token: string, name = "items") {
  const res = await a("POST", "/api/v1/collections", { token, body: { ...PUBLIC, name, schema: ITEM_FIELDS } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}

async function addItem(a: ApiClient, token: string, data: Record<string, unknown>, collection = "items") {
  const res = await a("POST", `/api/v1/collections/${collection}/records`, { token, body: { data } });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body;
}

async function itemTitles(a: ApiClient, token: string): Promise<string[]> {
  const res = await a("GET", "/api/v1/collections/items/records?per_page=100&sort=title", { token });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.items.map((r: any) => r.data.title);
}

/** Polls GET /api/v1/jobs/{id} until the job finished (503 while a restore runs counts as not yet). */
async function waitForJob(id: string): Promise<any> {
  return eventually(
    async () => {
      const r = await api("GET", `/api/v1/jobs/${id}`, { token: admin });
      if (r.status === 503) return undefined;
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      return ["succeeded", "failed", "cancelled"].includes(r.body.state) ? r.body : undefined;
    },
    30_000,
    `job ${id} to finish`,
  );
}

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  admin = t.adminToken;
  user = await registerUser(api);
  await createItems(api, admin);
});
afterAll(async () => t?.close());

describe("access and names", () => {
  it("anonymous → 401, non-admin → 403 on every route", async () => {
    for (const [method, path] of [
      ["POST", "/api/v1/backups"],
      ["GET", "/api/v1/backups"],
      ["GET", "/api/v1/backups/backup_20260101_000000"],
      ["POST", "/api/v1/backups/backup_20260101_000000/restore"],
      ["DELETE", "/api/v1/backups/backup_20260101_000000"],
    ] as const) {
      expect((await api(method, path)).status, `${method} ${path}`).toBe(401);
      const res = await api(method, path, { token: user.token });
      expect(res.status, `${method} ${path}`).toBe(403);
      expect(res.body.code).toBe("FORBIDDEN");
    }
    const q = await gql(t.url, "{ backups { items { id } } }", undefined, user.token);
    expect(q.body.errors[0].extensions.code).toBe("FORBIDDEN");
  });

  it("names with separators or '..' → 400, unknown names → 404, on every route", async () => {
    writeFileSync(join(t.config.dataDir, "secret.tar.gz"), "not yours");
    for (const name of ["..%2Fsecret.tar.gz", "..%2F..%2Fetc%2Fpasswd", "a%5Cb", "x..y", "%2Fetc%2Fpasswd", "bad%20name"]) {
      for (const [method, path] of [
        ["GET", `/api/v1/backups/${name}`],
        ["POST", `/api/v1/backups/${name}/restore`],
        ["DELETE", `/api/v1/backups/${name}`],
      ] as const) {
        const res = await api(method, path, { token: admin });
        expect(res.status, `${method} ${path}`).toBe(400);
        expect(res.body.message).toMatch(/Invalid backup name/);
      }
    }
    for (const [method, path] of [
      ["GET", "/api/v1/backups/backup_19990101_000000"],
      ["POST", "/api/v1/backups/backup_19990101_000000.tar.gz/restore"],
      ["DELETE", "/api/v1/backups/backup_19990101_000000"],
    ] as const) {
      const res = await api(method, path, { token: admin });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.body.message).toBe("Backup 'backup_19990101_000000" + (path.includes(".tar.gz") ? ".tar.gz" : "") + "' not found");
    }
    expect(existsSync(join(t.config.dataDir, "secret.tar.gz"))).toBe(true);
  });
});

describe("create, list, download, delete", () => {
  it("takes a backup with the database, files and a manifest; lists, downloads and deletes it", async () => {
    await addItem(api, admin, ITEM);
    mkdirSync(join(t.config.dataDir, "files", "sub"), { recursive: true });
    writeFileSync(join(t.config.dataDir, "files", "sub", "hello.txt"), "hello file");

    const created = await api("POST", "/api/v1/backups?wait=true", { token: admin });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body).toMatchObject({ id: expect.stringMatching(/^backup_\d{8}_\d{6}(_\d+)?$/), status: "completed", database: TEST_DB, reason: "manual", files: 1, collections: 1 });
    expect(created.body.filename).toBe(`${created.body.id}.tar.gz`);
    expect(created.body.size_bytes).toBeGreaterThan(100);

    const list = await api("GET", "/api/v1/backups", { token: admin });
    expect(list.status).toBe(200);
    expect(list.body).toMatchObject({ page: 1, per_page: 20, total: expect.any(Number) });
    expect(list.body.items.find((b: any) => b.id === created.body.id)).toMatchObject({
      filename: created.body.filename,
      size: created.body.size_bytes,
      database: TEST_DB,
      created: created.body.created,
    });

    const res = await fetch(`${t.url}/api/v1/backups/${created.body.filename}`, { headers: { authorization: `Bearer ${admin}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("application/gzip");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="${created.body.filename}"`);
    const tarText = gunzipSync(Buffer.from(await res.arrayBuffer())).toString("latin1");
    expect(tarText).toContain("manifest.json");
    expect(tarText).toContain("db/items.ndjson");
    expect(tarText).toContain("files/sub/hello.txt");
    expect(tarText).toContain("hello file");
    expect(tarText).toContain('"title":"Hello"');

    const started = await gql(t.url, "mutation { startBackup }", undefined, admin);
    expect(started.body.errors).toBeUndefined();
    expect(await waitForJob(started.body.data.startBackup)).toMatchObject({ kind: "backup", state: "succeeded" });
    const gqlList = await gql(t.url, "{ backups { total items { id filename database sizeBytes } } }", undefined, admin);
    expect(gqlList.body.errors).toBeUndefined();
    expect(gqlList.body.data.backups.items.some((b: any) => b.id === created.body.id && b.database === TEST_DB)).toBe(true);

    const del = await api("DELETE", `/api/v1/backups/${created.body.id}`, { token: admin });
    expect(del).toMatchObject({ status: 200, body: { deleted: true } });
    expect((await api("GET", `/api/v1/backups/${created.body.id}`, { token: admin })).status).toBe(404);
  });

  it("keeps taking writes while a backup runs, and the backup is one snapshot", async () => {
    await createItems(api, admin, "burst");
    for (let i = 0; i < 50; i++) await addItem(api, admin, { title: `pre ${i}` }, "burst");
    let writing = true;
    let written = 0;
    const writer = (async () => {
      while (writing) {
        const res = await api("POST", "/api/v1/collections/burst/records", { token: admin, body: { data: { title: `during ${written}` } } });
        expect(res.status).toBe(201);
        written++;
      }
    })();
    // two backups as jobs (202), while the writer goes on
    const started = await Promise.all([api("POST", "/api/v1/backups", { token: admin }), api("POST", "/api/v1/backups", { token: admin })]);
    for (const r of started) {
      expect(r.status, JSON.stringify(r.body)).toBe(202);
      expect(r.headers.get("location")).toBe(`/api/v1/jobs/${r.body.job_id}`);
      expect(r.body.job).toMatchObject({ kind: "backup", state: expect.stringMatching(/^(queued|running)$/) });
    }
    const jobs = await Promise.all(started.map((r) => waitForJob(r.body.job_id)));
    writing = false;
    await writer;
    for (const j of jobs) expect(j).toMatchObject({ state: "succeeded", progress: { done: expect.any(Number) } });
    const ids = jobs.map((j) => j.result.backup.id as string);
    expect(ids[0]).not.toBe(ids[1]);
    expect(written).toBeGreaterThan(0);
    const manifest = JSON.parse(readFileSync(join(t.config.dataDir, "backups", `${ids[0]}.manifest.json`), "utf8"));
    const burst = manifest.tables.find((x: any) => x.name === "burst");
    expect(burst.rows).toBeGreaterThanOrEqual(50);
    expect(burst.rows).toBeLessThanOrEqual(50 + written);
    // the archive holds exactly the rows of one moment: restoring it gives that many
    const restore = await api("POST", `/api/v1/backups/${ids[0]}/restore`, { token: admin });
    expect(restore.status, JSON.stringify(restore.body)).toBe(202);
    const done = await waitForJob(restore.body.job_id);
    expect(done).toMatchObject({ kind: "restore", state: "succeeded", result: { restore: { id: ids[0] } } });
    const count = await api("GET", "/api/v1/collections/burst/records?per_page=1", { token: admin });
    expect(count.body.total).toBe(burst.rows);
    await api("DELETE", "/api/v1/collections/burst", { token: admin });
  });

  it("skips archives that are not backups in the list, and refuses to restore them (400)", async () => {
    writeFileSync(join(t.config.dataDir, "backups", "backup_20000101_000000.tar.gz"), "this is not a tar archive");
    const list = await api("GET", "/api/v1/backups?per_page=100", { token: admin });
    expect(list.status).toBe(200);
    expect(list.body.items.some((b: any) => b.id === "backup_20000101_000000")).toBe(false);
    const res = await api("POST", "/api/v1/backups/backup_20000101_000000/restore?wait=true", { token: admin });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/^Backup 'backup_20000101_000000' cannot be restored: /);
    expect(await itemTitles(api, admin)).toContain("Hello");
  });
});

describe("restore", () => {
  it("brings back records, collections, GraphQL schema, settings and files, after a safety backup", async () => {
    await api("POST", "/api/v1/settings", { token: admin, body: { key: "site_name", value: "Before", category: "app" } });
    const backup = await api("POST", "/api/v1/backups?wait=true", { token: admin });
    expect(backup.status).toBe(201);

    // change everything after the backup
    await addItem(api, admin, { title: "After backup" });
    await createItems(api, admin, "later");
    await api("POST", "/api/v1/settings", { token: admin, body: { key: "site_name", value: "After", category: "app" } });
    writeFileSync(join(t.config.dataDir, "files", "sub", "hello.txt"), "changed");
    expect((await gql(t.url, "{ laterList: laters { totalCount } }", undefined, admin)).body.errors).toBeUndefined();

    const restored = await api("POST", `/api/v1/backups/${backup.body.filename}/restore?wait=true`, { token: admin });
    expect(restored.status, JSON.stringify(restored.body)).toBe(200);
    expect(restored.body).toMatchObject({ status: "restored", id: backup.body.id, database: TEST_DB });
    expect(restored.body.safety_backup).toMatchObject({ reason: "pre_restore", id: expect.stringMatching(/_pre_restore/) });

    expect(await itemTitles(api, admin)).toEqual(["Hello"]);
    expect((await api("GET", "/api/v1/collections/later/records", { token: admin })).status).toBe(404);
    const schema = await gql(t.url, "{ laters { totalCount } }", undefined, admin);
    expect(schema.body.errors[0].message).toMatch(/Cannot query field "laters"/);
    const items = await gql(t.url, "{ items { totalCount nodes { title meta tags published } } }", undefined, admin);
    expect(items.body.data.items).toMatchObject({ totalCount: 1, nodes: [{ title: "Hello", meta: ITEM.meta, tags: ["a", "b"], published: true }] });
    expect((await api("GET", "/api/v1/settings/app", { token: admin })).body.site_name.value).toBe("Before");
    expect(readFileSync(join(t.config.dataDir, "files", "sub", "hello.txt"), "utf8")).toBe("hello file");

    // the safety backup holds the state before the restore
    const list = await api("GET", "/api/v1/backups?per_page=100", { token: admin });
    expect(list.body.items.some((b: any) => b.id === restored.body.safety_backup.id)).toBe(true);
    const back = await api("POST", `/api/v1/backups/${restored.body.safety_backup.id}/restore?wait=true`, { token: admin });
    expect(back.status, JSON.stringify(back.body)).toBe(200);
    expect(await itemTitles(api, admin)).toEqual(["After backup", "Hello"]);
    expect((await api("GET", "/api/v1/collections/later/records", { token: admin })).status).toBe(200);
    expect((await gql(t.url, "{ laters { totalCount } }", undefined, admin)).body.data.laters.totalCount).toBe(0);
    await api("DELETE", "/api/v1/collections/later", { token: admin });
  });

  it("answers 503 with Retry-After on REST and GraphQL while the service gate is closed", async () => {
    let open!: () => void;
    const closed = t.app.services.gate.closedWhile("A backup is being restored; try again in a few seconds", () => new Promise<void>((r) => (open = r)));
    try {
      const rest = await api("GET", "/api/v1/collections/items/records", { token: user.token });
      expect(rest.status).toBe(503);
      expect(rest.headers.get("retry-after")).toBe("10");
      expect(rest.body).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: "A backup is being restored; try again in a few seconds" });
      const login = await api("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      expect(login.status).toBe(503);
      const g = await gql(t.url, "{ items { totalCount } }", undefined, admin);
      expect(g.status).toBe(503);
      expect(g.body.errors[0].extensions.code).toBe("SERVICE_UNAVAILABLE");
    } finally {
      open();
      await closed;
    }
    expect((await api("GET", "/api/v1/collections/items/records", { token: user.token })).status).toBe(200);
  });

  it("a restore under load: every concurrent request is answered 2xx or 503 + Retry-After, never 500", async () => {
    const backup = await api("POST", "/api/v1/backups?wait=true", { token: admin });
    let running = true;
    const seen = new Map<number, number>();
    const reader = (async () => {
      while (running) {
        const res = await api("GET", "/api/v1/collections/items/records", { token: user.token });
        seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
        if (res.status === 503) expect(res.headers.get("retry-after")).toBe("10");
      }
    })();
    const restored = await api("POST", `/api/v1/backups/${backup.body.id}/restore?wait=true`, { token: admin });
    running = false;
    await reader;
    expect(restored.status).toBe(200);
    expect(
      [...seen.keys()].every((s) => s === 200 || s === 503),
      JSON.stringify([...seen]),
    ).toBe(true);
  });
});

/** A fresh database of the other kind than this run's. */
const otherDatabase = () => freshDatabase("default", TEST_DB === "postgres" ? "sqlite" : "postgres");

describe(`portable: a ${TEST_DB} backup restores into ${TEST_DB === "sqlite" ? "PostgreSQL" : "SQLite"} and back`, () => {
  it("round-trips records of every stored kind, users, settings and collections", async () => {
    await createItems(api, admin, "portable");
    const rec = await addItem(api, admin, ITEM, "portable");
    await addItem(api, admin, { title: "Nulls" }, "portable");
    const backup = await api("POST", "/api/v1/backups?wait=true", { token: admin });
    expect(backup.status).toBe(201);

    const other = await otherDatabase();
    const config = loadConfig(
      { LOG_LEVEL: "warn", CAIRN_RATE_LIMIT: "false", CAIRN_ADMIN_EMAIL: "other@example.com", CAIRN_ADMIN_PASSWORD: "Other-pass-123" },
      { port: 0, host: "127.0.0.1", databaseUrl: other.url, dataDir: other.dataDir },
    );
    const app2 = await createApp(config);
    try {
      const api2 = apiClient(await app2.listen());
      const login = await api2("POST", "/api/v1/auth/login", { body: { email: "other@example.com", password: "Other-pass-123" } });
      mkdirSync(join(other.dataDir, "backups"), { recursive: true });
      copyFileSync(join(t.config.dataDir, "backups", backup.body.filename), join(other.dataDir, "backups", backup.body.filename));
      const restored = await api2("POST", `/api/v1/backups/${backup.body.id}/restore?wait=true`, { token: login.body.access_token });
      expect(restored.status, JSON.stringify(restored.body)).toBe(200);
      expect(restored.body.database).toBe(TEST_DB);

      // the users of the backup sign in on the other database; their records read the same
      const login2 = await api2("POST", "/api/v1/auth/login", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
      expect(login2.status).toBe(200);
      const token2 = login2.body.access_token;
      const mine = await api("GET", "/api/v1/collections/portable/records?sort=title", { token: admin });
      const theirs = await api2("GET", "/api/v1/collections/portable/records?sort=title", { token: token2 });
      expect(theirs.status).toBe(200);
      expect(theirs.body.items).toEqual(mine.body.items);
      expect(theirs.body.items.find((r: any) => r.id === rec.id)).toMatchObject({ data: ITEM });
      const filtered = await api2("GET", "/api/v1/collections/portable/records?filter=" + encodeURIComponent('published=true && views>3 && title~"ell"'), { token: token2 });
      expect(filtered.body.items.map((r: any) => r.id)).toEqual([rec.id]);
      // the restored database keeps taking writes (sequences, unique indexes, search)
      expect((await api2("POST", "/api/v1/collections/portable/records", { token: token2, body: { data: { title: "new there" } } })).status).toBe(201);
      expect((await api2("POST", "/api/v1/roles", { token: token2, body: { name: `editor${randomBytes(2).toString("hex")}` } })).status).toBeLessThan(300);
      expect((await api2("GET", "/api/v1/collections/portable/records?search=hello", { token: token2 })).body.items.map((r: any) => r.id)).toEqual([rec.id]);

      // and back: a backup of the other database restores here
      const back = await api2("POST", "/api/v1/backups?wait=true", { token: token2 });
      expect(back.status).toBe(201);
      expect(back.body.database).toBe(TEST_DB === "sqlite" ? "postgres" : "sqlite");
      copyFileSync(join(other.dataDir, "backups", back.body.filename), join(t.config.dataDir, "backups", back.body.filename));
      const here = await api("POST", `/api/v1/backups/${back.body.id}/restore?wait=true`, { token: admin });
      expect(here.status, JSON.stringify(here.body)).toBe(200);
      const after = await api("GET", "/api/v1/collections/portable/records?sort=title&per_page=50", { token: admin });
      expect(after.body.items.map((r: any) => r.data.title).sort()).toEqual(["Hello", "Nulls", "new there"]);
      expect(after.body.items.find((r: any) => r.id === rec.id)).toEqual(mine.body.items.find((r: any) => r.id === rec.id));
    } finally {
      await app2.close();
      await other.drop();
    }
  });
});

describe("scheduled backups", () => {
  it("refuses a schedule that is not a cron expression, and a backup_keep below 1 (422)", async () => {
    const bad = await api("POST", "/api/v1/settings", { token: admin, body: { key: "backup_schedule", value: "every day", category: "backup" } });
    expect(bad.status).toBe(422);
    expect(bad.body.message).toMatch(/cron expression/);
    expect((await api("POST", "/api/v1/settings", { token: admin, body: { key: "backup_keep", value: 0, category: "backup" } })).status).toBe(422);
  });

  it("takes backups on the schedule and keeps the newest backup_keep of them", async () => {
    const scheduled = async () => ((await api("GET", "/api/v1/backups?per_page=100", { token: admin })).body.items as any[]).filter((b) => b.reason === "scheduled").map((b) => b.id as string);
    const manual = await api("POST", "/api/v1/backups?wait=true", { token: admin });
    expect((await api("POST", "/api/v1/settings", { token: admin, body: { key: "backup_keep", value: 2, category: "backup" } })).status).toBe(200);
    expect((await api("POST", "/api/v1/settings", { token: admin, body: { key: "backup_schedule", value: "* * * * * *", category: "backup" } })).status).toBe(200);
    try {
      const first = await eventually(async () => ((await scheduled()).length === 2 ? await scheduled() : undefined), 15_000, "two scheduled backups");
      // a later run adds a newer backup and removes the oldest: still two
      const later = await eventually(
        async () => {
          const now = await scheduled();
          // (between a run and its pruning there are briefly three)
          return now.some((id) => !first.includes(id)) && now.length === 2 ? now : undefined;
        },
        15_000,
        "a newer scheduled backup, the oldest pruned",
      );
      expect(later).not.toContain(first[1]);
    } finally {
      await api("POST", "/api/v1/settings", { token: admin, body: { key: "backup_schedule", value: "", category: "backup" } });
    }
    // the schedule never deletes manual backups
    const ids = ((await api("GET", "/api/v1/backups?per_page=100", { token: admin })).body.items as any[]).map((b) => b.id);
    expect(ids).toContain(manual.body.id);
  });
});
