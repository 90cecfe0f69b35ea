/**
 * Files over GraphQL: uploads by the multipart request spec (streamed to storage, limits while
 * streaming, CSRF, anonymous), the File type, `file`/`files`/`fileUrl` queries, `deleteFile`,
 * and collection `file` fields resolving to `[File!]` in one batched query for a whole page.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { countStatements, gql } from "./graphql-helpers.ts";

let t: TestApp;
let user: { token: string; id: string };

beforeAll(async () => {
  t = await startApp();
  user = await registerUser(t.api);
});
afterAll(async () => t?.close());

const UPLOAD = "mutation($f: Upload!, $c: String, $r: ID, $field: String) { uploadFile(file: $f, collection: $c, recordId: $r, field: $field) { id name size type url userId } }";

/** A multipart GraphQL request: operations, map, then the files (graphql-multipart-request-spec). */
async function multipart(query: string, variables: Record<string, unknown>, files: Record<string, { path: string; data: string; name: string; type: string }>, headers: Record<string, string>) {
  const form = new FormData();
  form.append("operations", JSON.stringify({ query, variables }));
  form.append("map", JSON.stringify(Object.fromEntries(Object.entries(files).map(([k, f]) => [k, [f.path]]))));
  for (const [k, f] of Object.entries(files)) form.append(k, new Blob([f.data], { type: f.type }), f.name);
  const res = await fetch(`${t.url}/graphql`, { method: "POST", body: form, headers });
  return { status: res.status, body: await res.json() };
}

function stored(): string[] {
  const dir = join(t.config.dataDir, "files", "default");
  return existsSync(dir) ? readdirSync(dir) : [];
}

const auth = () => ({ authorization: `Bearer ${user.token}` });
const txt = (data: string, path = "variables.f") => ({ "0": { path, data, name: `${data}.txt`, type: "text/plain" } });

describe("GraphQL uploads", () => {
  it("stores a file sent by the multipart request spec and answers a File", async () => {
    const res = await multipart(UPLOAD, { f: null }, txt("hello"), auth());
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const f = res.body.data.uploadFile;
    expect(f).toMatchObject({ name: "hello.txt", size: 5, type: "text/plain", userId: user.id, url: `/api/v1/files/${f.id}/download` });
    expect(stored()).toContain(f.id);
    const got = await gql(t.url, "query($id: ID!) { file(id: $id) { id name size } }", { id: f.id }, user.token);
    expect(got.body.data.file).toEqual({ id: f.id, name: "hello.txt", size: 5 });
    const dl = await fetch(`${t.url}${f.url}`, { headers: auth() });
    expect(await dl.text()).toBe("hello");
  });

  it("refuses bad uploads with a GraphQL error and stores nothing", async () => {
    const before = stored().length;
    const noCsrf = await multipart(UPLOAD, { f: null }, txt("csrf"), {});
    expect(noCsrf.status).toBe(403);
    expect(noCsrf.body.errors[0].message).toContain("CSRF");
    const anon = await multipart(UPLOAD, { f: null }, txt("anon"), { "x-graphql-yoga-csrf": "1" });
    expect(anon.status).toBe(401);
    expect(anon.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const html = await multipart(UPLOAD, { f: null }, { "0": { path: "variables.f", data: "<b>x</b>", name: "x.html", type: "text/html" } }, auth());
    expect(html.status).toBe(422);
    expect(html.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const badPath = await multipart(UPLOAD, { f: null }, txt("path", "variables.nope.deep"), auth());
    expect(badPath.status).toBe(400);
    const literal = await gql(t.url, 'mutation { uploadFile(file: "x") { id } }', undefined, user.token);
    expect(literal.body.errors[0].message).toContain("multipart");
    const forged = await gql(t.url, UPLOAD, { f: "cairn-upload:0000" }, user.token);
    expect(forged.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "max_file_size", value: 1024, category: "storage" } });
    try {
      const big = await multipart(UPLOAD, { f: null }, txt("x".repeat(4096)), auth());
      expect(big.status).toBe(413);
      expect(big.body.errors[0].extensions.code).toBe("PAYLOAD_TOO_LARGE");
    } finally {
      await t.api("DELETE", "/api/v1/settings/max_file_size", { token: t.adminToken });
    }
    // an upload no mutation takes is removed after the request
    const unused = await multipart("query($f: Upload) { __typename }", { f: null }, txt("unused"), auth());
    expect(unused.status).toBe(200);
    await eventually(async () => stored().length === before, 5000, "no file left behind");
  });

  it("lists, signs and deletes files", async () => {
    const f = (await multipart(UPLOAD, { f: null }, txt("listed"), auth())).body.data.uploadFile;
    const list = await gql(t.url, "{ files(perPage: 100) { total page perPage items { id } } }", undefined, user.token);
    expect(list.body.data.files.items.map((x: any) => x.id)).toContain(f.id);
    const bad = await gql(t.url, "{ files(perPage: 1000) { total } }", undefined, user.token);
    expect(bad.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    const anon = await gql(t.url, "{ files { total } }");
    expect(anon.body.errors[0].extensions.code).toBe("UNAUTHENTICATED");
    const signed = await gql(t.url, "query($id: ID!) { fileUrl(id: $id, expiresIn: 60) { url expiresAt } }", { id: f.id }, user.token);
    const dl = await fetch(`${t.url}${signed.body.data.fileUrl.url}`);
    expect(await dl.text()).toBe("listed");
    const other = await registerUser(t.api);
    const hidden = await gql(t.url, "query($id: ID!) { file(id: $id) { id } }", { id: f.id }, other.token);
    expect(hidden.body.data.file).toBeNull();
    const notYours = await gql(t.url, "mutation($id: ID!) { deleteFile(id: $id) { id } }", { id: f.id }, other.token);
    expect(notYours.body.errors[0].extensions.code).toBe("NOT_FOUND");
    const del = await gql(t.url, "mutation($id: ID!) { deleteFile(id: $id) { id name } }", { id: f.id }, user.token);
    expect(del.body.data.deleteFile).toEqual({ id: f.id, name: "listed.txt" });
    await eventually(async () => !stored().includes(f.id), 5000, "bytes removed");
  });
});

describe("file fields in GraphQL", () => {
  it("resolve to [File!] with one query for the whole page, and attach on upload", async () => {
    const created = await t.api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        name: "albums",
        list_rule: "",
        view_rule: "",
        create_rule: "",
        update_rule: "",
        schema: [
          { name: "title", type: "text" },
          { name: "photos", type: "file", file: { max_files: 5 } },
        ],
      },
    });
    expect(created.status).toBe(201);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) {
      const a = (await multipart(UPLOAD, { f: null }, txt(`p${i}a`), auth())).body.data.uploadFile.id;
      const b = (await multipart(UPLOAD, { f: null }, txt(`p${i}b`), auth())).body.data.uploadFile.id;
      const rec = await t.api("POST", "/api/v1/collections/albums/records", { token: user.token, body: { data: { title: `album ${i}`, photos: [a, b] } } });
      expect(rec.status).toBe(201);
      ids.push(rec.body.id);
    }
    const counter = countStatements(t.app.services.db);
    const res = await gql(t.url, "{ albums(orderBy: [{ title: ASC }]) { nodes { title photos { id name size type url } } } }", undefined, user.token);
    counter.restore();
    expect(res.body.errors).toBeUndefined();
    const nodes = res.body.data.albums.nodes;
    expect(nodes).toHaveLength(6);
    expect(nodes[0].photos.map((p: any) => p.name)).toEqual(["p0a.txt", "p0b.txt"]);
    expect(nodes[5].photos[1]).toMatchObject({ name: "p5b.txt", size: 3, type: "text/plain" });
    expect(counter.statements.filter((s) => s.includes('"_files"'))).toHaveLength(1);
    // attach through the upload mutation
    const up = await multipart(UPLOAD, { f: null, c: "albums", r: ids[0], field: "photos" }, txt("extra"), auth());
    expect(up.status, JSON.stringify(up.body)).toBe(200);
    const one = await gql(t.url, "query($id: ID!) { album(id: $id) { photos { name } } }", { id: ids[0] }, user.token);
    expect(one.body.data.album.photos.map((p: any) => p.name)).toEqual(["p0a.txt", "p0b.txt", "extra.txt"]);
    const wrong = await multipart(UPLOAD, { f: null, c: "albums", r: ids[0], field: "title" }, txt("wrong"), auth());
    expect(wrong.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});
