/**
 * Import fidelity over real HTTP and GraphQL (README "Import and export"): GraphQL imports by
 * upload (the multipart request spec, an `ImportUpload` variable, streamed to disk with the
 * import limit, format from the file name), JSON-array imports read item by item (a top-level
 * array or an object's `items`, bad JSON → 400 naming the item), and CSV/xlsx exports that make
 * formula-like text inert for spreadsheets (a leading `'`, as OWASP advises) and imports that
 * undo it, so values round-trip exactly.
 */
import { readdirSync } from "node:fs";
import { join } from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, startApp, type TestApp } from "../helpers/app.ts";
import { gql } from "./graphql-helpers.ts";

let t: TestApp;
let admin: string;

beforeAll(async () => {
  t = await startApp({}, {});
  admin = t.adminToken;
  const schema = [
    { name: "name", type: "text", required: true },
    { name: "n", type: "number" },
  ];
  for (const name of ["items", "cells"]) expect((await t.api("POST", "/api/v1/collections", { token: admin, body: { name, schema } })).status).toBe(201);
});
afterAll(async () => t?.close());

/** A multipart GraphQL request: operations, map, then one file (graphql-multipart-request-spec). */
/** `token` "" sends no Authorization header. */
async function multipart(query: string, file: { data: string | Buffer; name: string; type?: string }, token: string = admin, variable = "f") {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables: { [variable]: null } }));
  form.append("map", JSON.stringify({ "0": [`variables.${variable}`] }));
  form.append("0", new Blob([typeof file.data === "string" ? file.data : new Uint8Array(file.data)], { type: file.type ?? "application/octet-stream" }), file.name);
  const res = await fetch(`${t.url}/graphql`, { method: "POST", body: form, headers: { "x-graphql-yoga-csrf": "1", ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  return { status: res.status, body: (await res.json()) as any };
}

async function importFile(collection: string, file: { data: string | Buffer; name: string }) {
  const form = new FormData();
  form.append("file", new Blob([typeof file.data === "string" ? file.data : new Uint8Array(file.data)]), file.name);
  const res = await fetch(`${t.url}/api/v1/collections/${collection}/records/import`, { method: "POST", body: form, headers: { authorization: `Bearer ${admin}` } });
  return { status: res.status, body: (await res.json()) as any };
}

const names = async (collection: string, filter: string) =>
  (await t.api("GET", `/api/v1/collections/${collection}/records?per_page=100&sort=n&filter=${encodeURIComponent(filter)}`, { token: admin })).body.items.map(
    (r: { data: { name: string } }) => r.data.name,
  );

const IMPORT = `mutation($f: ImportUpload!) { importRecords(collection: "items", file: $f) { imported total failed errors { row field error } job { id } } }`;

describe("GraphQL import by upload", () => {
  it("imports a CSV, JSON or NDJSON file part, format from its name", async () => {
    const csv = await multipart(IMPORT, { data: "name,n\nup csv,1\n,2\n", name: "rows.csv", type: "text/csv" });
    expect(csv.status).toBe(200);
    expect(csv.body.data.importRecords).toEqual({ imported: 1, total: 2, failed: 1, errors: [{ row: 3, field: "name", error: "This field is required" }], job: null });
    const json = await multipart(IMPORT, { data: JSON.stringify([{ name: "up json", n: 3 }]), name: "rows.json", type: "application/json" });
    expect(json.body.data.importRecords).toMatchObject({ imported: 1, total: 1 });
    const nd = await multipart(IMPORT.replace("file: $f", 'file: $f, format: "ndjson"'), { data: '{"name":"up nd","n":4}\n', name: "rows.txt" });
    expect(nd.body.data.importRecords).toMatchObject({ imported: 1, total: 1 });
    expect(await names("items", 'name ~ "up "')).toEqual(["up csv", "up json", "up nd"]);
  });

  it("refuses bad uploads with clear errors and keeps nothing", async () => {
    const anon = await multipart(IMPORT, { data: "name\nx\n", name: "a.csv" }, "");
    expect(anon.body.errors?.[0].extensions.code, JSON.stringify(anon)).toBe("UNAUTHENTICATED");
    const unknownFormat = await multipart(IMPORT, { data: "x", name: "notes.pdf" });
    expect(unknownFormat.body.errors[0].message).toContain("Cannot tell the format");
    const both = await multipart(`mutation($f: ImportUpload!) { importRecords(collection: "items", file: $f, data: "name\\nx", format: "csv") { imported } }`, { data: "name\ny\n", name: "b.csv" });
    expect(both.body.errors[0].message).toBe("Pass exactly one of file and data");
    // an Upload (a stored file) is not an import file, and the other way round
    const wrongType = await multipart(`mutation($f: Upload!) { importRecords(collection: "items", file: $f) { imported } }`, { data: "name\nz\n", name: "c.csv", type: "text/csv" });
    expect(wrongType.body.errors[0].message).toMatch(/Upload.*ImportUpload|ImportUpload.*Upload/);
    const literal = await gql(t.url, `mutation { importRecords(collection: "items", file: "cairn-import:x") { imported } }`, {}, admin);
    expect(literal.body.errors[0].message).toContain("multipart");
    expect(await names("items", 'name = "x" || name = "y" || name = "z"')).toEqual([]);
    // staged files of refused or unclaimed uploads are gone
    await eventually(async () => readdirSync(join(t.config.dataDir, "imports")).length === 0, 5_000, "staged import files to be removed");
  });
});

describe("JSON import, item by item", () => {
  it("reads a top-level array and an object's items array", async () => {
    const arr = await importFile("items", {
      data:
        "\uFEFF " +
        JSON.stringify([
          { name: "arr 1", n: 10 },
          { name: "arr 2", n: 11 },
        ]),
      name: "a.json",
    });
    expect(arr.body).toMatchObject({ imported: 2, total: 2 });
    const page = await importFile("items", { data: JSON.stringify({ page: 1, items: [{ id: "ignored", data: { name: "page 1", n: 12 } }], total: 1 }), name: "p.json" });
    expect(page.body).toMatchObject({ imported: 1, total: 1 });
    expect(await names("items", "n >= 10")).toEqual(["arr 1", "arr 2", "page 1"]);
  });

  it("answers 400 for JSON that breaks, is not a list, or holds no items", async () => {
    const broken = await importFile("items", { data: '[{"name":"ok 1","n":20},{"name":"ok 2","n":21},{"name": tru}]', name: "b.json" });
    expect(broken.status).toBe(400);
    expect(broken.body.message).toBe("The JSON file is not valid JSON (near item 3)");
    const scalar = await importFile("items", { data: '"just text"', name: "s.json" });
    expect(scalar.status).toBe(400);
    expect(scalar.body.message).toContain("must hold an array of records");
    const noItems = await importFile("items", { data: '{"rows":[{"name":"no"}]}', name: "o.json" });
    expect(noItems.status).toBe(400);
    expect(noItems.body.message).toContain("must hold an array of records");
    const notObject = await importFile("items", { data: "[1]", name: "n.json" });
    expect(notObject.status).toBe(400);
    expect(notObject.body.message).toBe("Item 1 is not an object");
    expect(await names("items", "n >= 20")).toEqual([]);
  });
});

describe("spreadsheet formulas in exports", () => {
  const values = ["=SUM(A1:A9)", "+1+2", "-2+3", "@cmd", "\tTabbed", "\rReturn", "'=already quoted", "plain", "a=b"];

  beforeAll(async () => {
    for (const [i, name] of values.entries()) expect((await t.api("POST", "/api/v1/collections/cells/records", { token: admin, body: { data: { name, n: -i } } })).status).toBe(201);
  });

  it("prefixes formula-like text with ' in CSV (numbers untouched) and the import undoes it", async () => {
    const res = await fetch(`${t.url}/api/v1/collections/cells/records/export/csv?sort=-n&fields=name,n`, { headers: { authorization: `Bearer ${admin}` } });
    const csv = await res.text();
    const rows = csv.trimEnd().split("\r\n").slice(1);
    const cells = rows.map((r) => r.split(",").slice(3));
    expect(cells.map((c) => c[0])).toEqual(["'=SUM(A1:A9)", "'+1+2", "'-2+3", "'@cmd", "'\tTabbed", `"'\rReturn"`, "''=already quoted", "plain", "a=b"]);
    expect(cells.map((c) => c[1])).toEqual(["0", "-1", "-2", "-3", "-4", "-5", "-6", "-7", "-8"]);
    // re-import into a fresh collection: the exact values come back
    expect(
      (
        await t.api("POST", "/api/v1/collections", {
          token: admin,
          body: {
            name: "cells_csv",
            schema: [
              { name: "name", type: "text" },
              { name: "n", type: "number" },
            ],
          },
        })
      ).status,
    ).toBe(201);
    const back = await importFile("cells_csv", { data: csv, name: "cells.csv" });
    expect(back.body).toMatchObject({ imported: values.length, failed: 0 });
    expect(await names("cells_csv", "n <= 0")).toEqual([...values].reverse());
  });

  it("does the same in xlsx (where XML turns a carriage return into a line feed)", async () => {
    const res = await fetch(`${t.url}/api/v1/collections/cells/records/export/xlsx?sort=-n&fields=name,n`, { headers: { authorization: `Bearer ${admin}` } });
    const bytes = Buffer.from(await res.arrayBuffer());
    const book = new ExcelJS.Workbook();
    await book.xlsx.load(bytes as unknown as ArrayBuffer);
    const sheet = book.worksheets[0]!;
    const column: unknown[] = [];
    sheet.eachRow((row, i) => {
      if (i > 1) column.push(row.getCell(4).value);
    });
    expect(column).toEqual(["'=SUM(A1:A9)", "'+1+2", "'-2+3", "'@cmd", "'\tTabbed", "'\nReturn", "''=already quoted", "plain", "a=b"]);
    expect(
      (
        await t.api("POST", "/api/v1/collections", {
          token: admin,
          body: {
            name: "cells_xlsx",
            schema: [
              { name: "name", type: "text" },
              { name: "n", type: "number" },
            ],
          },
        })
      ).status,
    ).toBe(201);
    const back = await importFile("cells_xlsx", { data: bytes, name: "cells.xlsx" });
    expect(back.body).toMatchObject({ imported: values.length, failed: 0 });
    const reimported = (await names("cells_xlsx", "n <= 0")) as string[];
    expect(reimported.filter((v) => !v.includes("Return"))).toEqual([...values].reverse().filter((v) => !v.includes("Return")));
  });
});
