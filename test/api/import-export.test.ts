/**
 * Import and export of records over real HTTP and GraphQL (README "Import and export"): typed
 * conversion with per-row errors, the four formats round-tripping, upsert by id and by a unique
 * field, atomic imports, rules applied to both directions, large work as jobs (202, progress,
 * download), and the bad inputs: anonymous, not allowed, unknown collection, wrong type, over
 * size, malformed files, traversal names, unknown fields.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";

type Upload = { name: string; content: string | Buffer; type?: string };

async function upload(t: TestApp, path: string, file: Upload, token?: string) {
  const form = new FormData();
  form.append("file", new Blob([typeof file.content === "string" ? file.content : new Uint8Array(file.content)], { type: file.type ?? "application/octet-stream" }), file.name);
  const res = await fetch(t.url + path, { method: "POST", body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text && (res.headers.get("content-type") ?? "").includes("json") ? JSON.parse(text) : text, headers: res.headers };
}

async function download(t: TestApp, path: string, token?: string) {
  const res = await fetch(t.url + path, { headers: token ? { authorization: `Bearer ${token}` } : {} });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

const csvOf = (rows: string[][]) => rows.map((r) => r.join(",")).join("\n") + "\n";

describe("import and export", () => {
  let t: TestApp;
  let admin: string;
  let user: Awaited<ReturnType<typeof registerUser>>;

  beforeAll(async () => {
    t = await startApp();
    admin = t.adminToken;
    user = await registerUser(t.api);
    const schema = [
      { name: "name", type: "text", required: true },
      { name: "sku", type: "text", unique: true },
      { name: "price", type: "number", options: { min: 0 } },
      { name: "qty", type: "number", options: { integer: true } },
      { name: "in_stock", type: "bool" },
      { name: "tags", type: "tags" },
      { name: "meta", type: "json" },
      { name: "released", type: "date" },
    ];
    expect((await t.api("POST", "/api/v1/collections", { token: admin, body: { name: "products", schema } })).status).toBe(201);
    const owned = { list_rule: "@request.auth.id = owner_id", view_rule: "@request.auth.id = owner_id", create_rule: '@request.auth.id != ""', update_rule: "@request.auth.id = owner_id" };
    expect((await t.api("POST", "/api/v1/collections", { token: admin, body: { name: "notes", schema: [{ name: "text", type: "text" }], ...owned } })).status).toBe(201);
  });
  afterAll(async () => t?.close());

  it("imports CSV with typed conversion and reports failing rows; exports it back", async () => {
    const csv = csvOf([
      ["name", "sku", "price", "qty", "in_stock", "tags", "meta", "released", "id", "unknown"],
      ["Lamp", "L-1", "19.5", "3", "yes", '"home, light"', '"{""w"":40}"', "2026-01-02", "ignored-id", "x"],
      ["Chair", "C-1", "45", "1", "N", '"[""wood""]"', "", "", "", ""],
      ["Bad price", "B-1", "abc", "1", "true", "", "", "", "", ""],
      ["", "E-1", "3", "", "", "", "", "", "", ""],
      ["Fraction", "F-1", "1", "1.5", "", "", "", "", "", ""],
      ["", "", "", "", "", "", "", "", "", ""],
    ]);
    const r = await upload(t, "/api/v1/collections/products/records/import/csv", { name: "products.csv", content: csv, type: "text/csv" }, admin);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ imported: 2, total: 5, created: 2, updated: 0, failed: 3 });
    expect(r.body.errors).toEqual([
      { row: 4, field: "price", error: "'abc' is not a number" },
      { row: 5, field: "name", error: "This field is required" },
      { row: 6, field: "qty", error: "must be an integer" },
    ]);
    const list = await t.api("GET", "/api/v1/collections/products/records?sort=name", { token: admin });
    expect(list.body.items.map((i: any) => i.data)).toEqual([
      { name: "Chair", sku: "C-1", price: 45, qty: 1, in_stock: false, tags: ["wood"], meta: null, released: null },
      { name: "Lamp", sku: "L-1", price: 19.5, qty: 3, in_stock: true, tags: ["home", "light"], meta: { w: 40 }, released: "2026-01-02" },
    ]);
    expect(list.body.items.some((i: any) => i.id === "ignored-id")).toBe(false);

    const out = await download(t, "/api/v1/collections/products/records/export/csv?sort=name", admin);
    expect(out.status).toBe(200);
    expect(out.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(out.headers.get("content-disposition")).toBe('attachment; filename="products_export.csv"');
    const lines = out.bytes.toString("utf8").trimEnd().split("\r\n");
    expect(lines[0]).toBe("id,created,updated,name,sku,price,qty,in_stock,tags,meta,released");
    const chair = list.body.items[0];
    expect(lines[1]).toBe(`${chair.id},${chair.created},${chair.updated},Chair,C-1,45,1,false,"[""wood""]",,`);
    expect(lines[2]).toContain(',Lamp,L-1,19.5,3,true,"[""home"",""light""]","{""w"":40}",2026-01-02');

    // filter, sort, fields
    const some = await download(t, "/api/v1/collections/products/records/export/csv?filter=price>20&fields=name,price", admin);
    expect(some.bytes.toString().trimEnd().split("\r\n")).toEqual(["id,created,updated,name,price", `${chair.id},${chair.created},${chair.updated},Chair,45`]);
  });

  it("round-trips JSON, NDJSON and xlsx, and upserts by id and by a unique field", async () => {
    for (const format of ["json", "ndjson", "xlsx"] as const) {
      const out = await download(t, `/api/v1/collections/products/records/export/${format}?sort=name`, admin);
      expect(out.status).toBe(200);
      expect(out.headers.get("content-disposition")).toBe(`attachment; filename="products_export.${format}"`);
      if (format === "json") expect(JSON.parse(out.bytes.toString()).map((r: any) => r.name)).toEqual(["Chair", "Lamp"]);
      if (format === "ndjson")
        expect(
          out.bytes
            .toString()
            .trimEnd()
            .split("\n")
            .map((l) => JSON.parse(l).sku),
        ).toEqual(["C-1", "L-1"]);
      if (format === "xlsx") {
        const book = new ExcelJS.Workbook();
        await book.xlsx.load(out.bytes as unknown as ArrayBuffer);
        const sheet = book.worksheets[0]!;
        expect(sheet.getRow(1).values).toEqual([undefined, "id", "created", "updated", "name", "sku", "price", "qty", "in_stock", "tags", "meta", "released"]);
        expect(sheet.getRow(2).getCell(4).value).toBe("Chair");
        expect(sheet.getRow(3).getCell(8).value).toBe(true);
      }
      // re-import the export as an upsert by id: the same records are updated, none created
      const back = await upload(t, `/api/v1/collections/products/records/import?mode=upsert`, { name: `p.${format}`, content: out.bytes }, admin);
      expect(back.status).toBe(201);
      expect(back.body).toMatchObject({ imported: 2, created: 0, updated: 2, failed: 0, errors: null });
    }
    const versions = await t.api("GET", "/api/v1/collections/products/records?sort=name", { token: admin });
    expect(versions.body.total).toBe(2);
    expect(versions.body.items.map((i: any) => i.version)).toEqual([4, 4]);

    // by a unique field: L-1 is updated, N-1 created; a duplicate key in the file is a row error
    const ndjson = ['{"sku":"L-1","price":21}', '{"sku":"N-1","name":"New","price":1}', '{"sku":"N-1","name":"Again"}'].join("\n");
    const r = await upload(t, "/api/v1/collections/products/records/import/ndjson?mode=upsert&key=sku", { name: "u.ndjson", content: ndjson }, admin);
    expect(r.body).toMatchObject({ imported: 2, created: 1, updated: 1, failed: 1 });
    expect(r.body.errors).toEqual([{ row: 3, field: "sku", error: "'N-1' appears more than once in the file" }]);
    const lamp = await t.api("GET", `/api/v1/collections/products/records?filter=${encodeURIComponent('sku="L-1"')}`, { token: admin });
    expect(lamp.body.items[0].data).toMatchObject({ name: "Lamp", price: 21, qty: 3 });
    // a unique violation in insert mode is that row's error; the others are imported
    const dup = await upload(
      t,
      "/api/v1/collections/products/records/import/json",
      {
        name: "d.json",
        content: JSON.stringify([
          { name: "X", sku: "X-1" },
          { name: "Dup", sku: "L-1" },
        ]),
      },
      admin,
    );
    expect(dup.body).toMatchObject({ imported: 1, failed: 1, errors: [{ row: 2, field: "sku", error: "A record with this sku already exists in 'products'" }] });
    // FastCMS record shape (fields under data) is accepted too
    const shaped = await upload(
      t,
      "/api/v1/collections/products/records/import/json",
      { name: "s.json", content: JSON.stringify({ items: [{ id: "x", data: { name: "Shaped", price: 2 } }] }) },
      admin,
    );
    expect(shaped.body).toMatchObject({ imported: 1, failed: 0 });
  });

  it("imports all or nothing with atomic=true", async () => {
    const before = (await t.api("GET", "/api/v1/collections/products/records", { token: admin })).body.total;
    const csv = csvOf([
      ["name", "price"],
      ["Good", "1"],
      ["Bad", "-5"],
      ["Also good", "2"],
    ]);
    const r = await upload(t, "/api/v1/collections/products/records/import/csv?atomic=true", { name: "a.csv", content: csv }, admin);
    expect(r.status).toBe(422);
    expect(r.body.message).toBe("Import failed: 1 row with errors; nothing was imported (first: row 3, field 'price': must be at least 0)");
    expect(r.body.details.errors).toEqual([{ row: 3, field: "price", error: "must be at least 0" }]);
    expect((await t.api("GET", "/api/v1/collections/products/records", { token: admin })).body.total).toBe(before);
    // a failing row is the answer even when an earlier row would have hit a unique value
    const mixed = await upload(
      t,
      "/api/v1/collections/products/records/import/csv?atomic=true",
      {
        name: "m.csv",
        content: csvOf([
          ["name", "sku", "price"],
          ["Dup", "L-1", "1"],
          ["Bad", "Q-1", "x"],
        ]),
      },
      admin,
    );
    expect(mixed.status).toBe(422);
    expect(mixed.body.details.errors).toEqual([{ row: 3, field: "price", error: "'x' is not a number" }]);
    const ok = await upload(t, "/api/v1/collections/products/records/import/csv?atomic=true", { name: "a.csv", content: csvOf([["name"], ["One"], ["Two"]]) }, admin);
    expect(ok.body).toMatchObject({ imported: 2, errors: null });
  });

  it("refreshes the table's statistics when an import ends (PostgreSQL: a vacuum that leaves every page all-visible)", async () => {
    expect((await t.api("POST", "/api/v1/collections", { token: admin, body: { name: "loaded", schema: [{ name: "label", type: "text" }] } })).status).toBe(201);
    const db = t.app.services.db;
    const stat = async () =>
      db.dialect === "sqlite"
        ? (await db.query<{ n: number }>({ sql: "SELECT count(*) AS n FROM sqlite_stat1 WHERE tbl = 'loaded'", parameters: [] }))[0]!.n
        : Number((await db.query<{ n: number }>({ sql: "SELECT vacuum_count AS n FROM pg_stat_user_tables WHERE relname = 'loaded'", parameters: [] }))[0]?.n ?? 0);
    const before = await stat();
    const rows = Array.from({ length: 300 }, (_, i) => [`label ${i}`]);
    const r = await upload(t, "/api/v1/collections/loaded/records/import/csv", { name: "l.csv", content: csvOf([["label"], ...rows]) }, admin);
    expect(r.body).toMatchObject({ imported: 300, errors: null });
    if (db.dialect === "sqlite") {
      expect(before).toBe(0);
      expect(await stat()).toBeGreaterThan(0); // ANALYZE wrote the table's statistics
      return;
    }
    // the statistics collector reports a moment later
    await eventually(async () => (await stat()) > before, 10_000, "the vacuum counted");
    const [pages] = await db.query<{ relpages: number; relallvisible: number }>({ sql: "SELECT relpages, relallvisible FROM pg_class WHERE relname = 'loaded'", parameters: [] });
    expect(pages!.relpages).toBeGreaterThan(0);
    expect(pages!.relallvisible).toBe(pages!.relpages);
  });

  it("applies the rules: a user imports as owner and exports only what they may list", async () => {
    const r = await upload(t, "/api/v1/collections/notes/records/import/csv", { name: "n.csv", content: csvOf([["text"], ["mine 1"], ["mine 2"]]) }, user.token);
    expect(r.body).toMatchObject({ imported: 2 });
    const other = await registerUser(t.api);
    await upload(t, "/api/v1/collections/notes/records/import/csv", { name: "n.csv", content: csvOf([["text"], ["theirs"]]) }, other.token);
    const mine = await download(t, "/api/v1/collections/notes/records/export/ndjson", user.token);
    expect(
      mine.bytes
        .toString()
        .trimEnd()
        .split("\n")
        .map((l) => JSON.parse(l).text),
    ).toEqual(["mine 1", "mine 2"]);
    // an upsert of someone else's record by id is refused by the update rule, per row
    const theirs = JSON.parse((await download(t, "/api/v1/collections/notes/records/export/ndjson", other.token)).bytes.toString());
    const steal = await upload(t, "/api/v1/collections/notes/records/import/json?mode=upsert", { name: "s.json", content: JSON.stringify([{ id: theirs.id, text: "stolen" }]) }, user.token);
    expect(steal.body).toMatchObject({ imported: 0, failed: 1, errors: [{ row: 1, field: null, error: "Access denied for update operation" }] });
  });

  it("refuses bad input with a clear 4xx and keeps nothing", async () => {
    const csv = { name: "p.csv", content: csvOf([["name"], ["x"]]) };
    const p = "/api/v1/collections/products/records";
    expect((await upload(t, `${p}/import/csv`, csv)).status).toBe(401);
    expect((await download(t, `${p}/export/csv`)).status).toBe(401);
    // products has no rules: only admins
    const denied = await upload(t, `${p}/import/csv`, csv, user.token);
    expect(denied.status).toBe(403);
    expect((await download(t, `${p}/export/csv`, user.token)).status).toBe(403);
    const unknown = await upload(t, "/api/v1/collections/nope/records/import/csv", csv, admin);
    expect(unknown.status).toBe(404);
    expect(unknown.body.message).toBe("Collection 'nope' not found");
    expect((await upload(t, `${p}/import`, { name: "p.txt", content: "name\nx\n" }, admin)).body.message).toBe(
      "Cannot tell the format of 'p.txt': name it *.csv, *.json, *.ndjson, *.xlsx or pass format=",
    );
    expect((await upload(t, `${p}/import/csv`, { name: "p.json", content: "[]" }, admin)).body.message).toBe("The file name 'p.json' does not match format=csv");
    const malformed = await upload(t, `${p}/import/csv`, { name: "m.csv", content: 'name\n"open\n' }, admin);
    expect(malformed.status).toBe(400);
    expect(malformed.body.message).toContain("The CSV file is malformed");
    expect((await upload(t, `${p}/import/json`, { name: "m.json", content: "{not json" }, admin)).body.message).toBe("The JSON file is not valid JSON");
    expect((await upload(t, `${p}/import/xlsx`, { name: "m.xlsx", content: "not a zip" }, admin)).body.message).toBe("The file is not a readable xlsx workbook");
    expect((await upload(t, `${p}/import/csv`, { name: "e.csv", content: "" }, admin)).body.message).toBe("The file is empty");
    expect((await upload(t, `${p}/import/csv?mode=upsert&key=price`, csv, admin)).body.message).toBe("The upsert key must be id or a unique field of 'products'; 'price' is not");
    expect((await upload(t, `${p}/import/csv?mode=merge`, csv, admin)).status).toBe(422);
    const json = await t.api("POST", `${p}/import/csv`, { token: admin, body: { data: 1 } });
    expect(json.status).toBe(400);
    expect(json.body.message).toBe("Send the file as multipart/form-data in the field 'file'");
    expect((await download(t, `${p}/export/pdf`, admin)).status).toBe(400);
    const badField = await download(t, `${p}/export/csv?fields=name,secret`, admin);
    expect(badField.status).toBe(400);
    expect(JSON.parse(badField.bytes.toString()).message).toBe("Unknown field 'secret' for collection 'products'");
    expect((await download(t, `${p}/export/csv?filter=${encodeURIComponent("price >> 1")}`, admin)).status).toBe(400);
    // a traversal name is only a name: the file lands in the data dir's staging area and is removed
    const traversal = await upload(t, `${p}/import/csv`, { name: "../../../etc/evil.csv", content: csvOf([["name"], ["Traversal"]]) }, admin);
    expect(traversal.body).toMatchObject({ imported: 1 });
    expect(readdirSync(join(t.config.dataDir, "imports"))).toEqual([]);
    // over the size limit: 413, nothing imported, nothing kept
    expect((await t.api("POST", "/api/v1/settings", { token: admin, body: { key: "max_import_size", value: 1024, category: "storage" } })).status).toBe(200);
    const before = (await t.api("GET", `${p}`, { token: admin })).body.total;
    const big = await upload(t, `${p}/import/csv`, { name: "big.csv", content: "name\n" + "x".repeat(2000) + "\n" }, admin);
    expect(big.status).toBe(413);
    expect(big.body.message).toBe("The file is larger than the import limit of 1024 bytes (setting max_import_size)");
    expect((await t.api("GET", `${p}`, { token: admin })).body.total).toBe(before);
    expect(readdirSync(join(t.config.dataDir, "imports"))).toEqual([]);
    await t.api("DELETE", "/api/v1/settings/max_import_size", { token: admin });
  });

  it("runs large imports and exports as jobs with progress and a download", async () => {
    const rows = [["name", "qty"]];
    for (let i = 0; i < 2500; i++) rows.push([`Bulk ${i}`, String(i % 7 === 0 ? "x" : i)]);
    const r = await upload(t, "/api/v1/collections/products/records/import/csv", { name: "bulk.csv", content: csvOf(rows) }, admin);
    expect(r.status).toBe(202);
    expect(r.headers.get("location")).toBe(`/api/v1/jobs/${r.body.job_id}`);
    expect(r.body).toMatchObject({ status: "queued", status_url: `/api/v1/jobs/${r.body.job_id}`, job: { kind: "records.import" } });
    const done = await eventually(
      async () => {
        const j = await t.api("GET", r.body.status_url, { token: admin });
        return j.body.state === "succeeded" ? j.body : undefined;
      },
      30_000,
      "the import job",
    );
    const failing = rows.slice(1).filter(([, q]) => q === "x").length;
    expect(done.progress).toEqual({ done: 2500, total: 2500 });
    expect(done.result).toMatchObject({ imported: 2500 - failing, total: 2500, failed: failing });
    expect(done.result.errors[0]).toEqual({ row: 2, field: "qty", error: "'x' is not a number" });
    const count = (await t.api("GET", `/api/v1/collections/products/records?filter=${encodeURIComponent('name ~ "Bulk "')}&per_page=1`, { token: admin })).body.total;
    expect(count).toBe(2500 - failing);

    // an export as a job (background=true), then its file
    const e = await download(t, "/api/v1/collections/products/records/export/ndjson?background=true&fields=name", admin);
    expect(e.status).toBe(202);
    const job = JSON.parse(e.bytes.toString());
    const finished = await eventually(async () => {
      const j = await t.api("GET", job.status_url, { token: admin });
      return j.body.state === "succeeded" ? j.body : undefined;
    }, 30_000);
    const total = (await t.api("GET", "/api/v1/collections/products/records?per_page=1", { token: admin })).body.total;
    expect(finished.result).toMatchObject({ records: total, file: { name: "products_export.ndjson" } });
    expect(finished.download_url).toBe(`/api/v1/jobs/${job.job_id}/download`);
    const file = await download(t, finished.download_url, admin);
    expect(file.headers.get("content-disposition")).toBe('attachment; filename="products_export.ndjson"');
    expect(file.bytes.toString().trimEnd().split("\n")).toHaveLength(total);
    // the job and its file belong to its creator
    expect((await download(t, finished.download_url, user.token)).status).toBe(404);
  });

  it("imports and exports over GraphQL", async () => {
    const imp = await gql(
      t.url,
      `mutation($d: String!) { importRecords(collection: "products", format: "csv", data: $d, mode: "upsert", key: "sku") { imported created updated failed errors { row field error } job { id } } }`,
      {
        d: csvOf([
          ["sku", "name", "price"],
          ["G-1", "GraphQL", "7"],
          ["G-2", "", "1"],
        ]),
      },
      admin,
    );
    expect(imp.body.data.importRecords).toEqual({ imported: 1, created: 1, updated: 0, failed: 1, errors: [{ row: 3, field: "name", error: "This field is required" }], job: null });
    const exp = await gql(t.url, `mutation { exportRecords(collection: "products", format: "csv", filter: "sku = 'G-1'", fields: ["name"]) { id state } }`, {}, admin);
    const id = exp.body.data.exportRecords.id;
    const job = await eventually(async () => {
      const g = await gql(t.url, `query($id: ID!) { job(id: $id) { state downloadUrl result } }`, { id }, admin);
      return g.body.data.job.state === "succeeded" ? g.body.data.job : undefined;
    }, 30_000);
    const file = await download(t, job.downloadUrl, admin);
    expect(file.bytes.toString().trimEnd().split("\r\n")[1]).toMatch(/,GraphQL$/);
    const anon = await gql(t.url, `mutation { exportRecords(collection: "products") { id } }`);
    expect(anon.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const bad = await gql(t.url, `mutation { importRecords(collection: "products", format: "pdf", data: "") { imported } }`, {}, admin);
    expect(bad.body.errors[0].message).toBe("Unknown format 'pdf' (one of csv, json, ndjson, xlsx)");
  });
});
