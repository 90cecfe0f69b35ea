/**
 * Files over real HTTP on local storage (compat/fastcms.md §11): streamed upload with limits
 * checked while streaming, list, metadata, download (Range, ETag/If-None-Match, disposition,
 * nosniff, active types as attachments), thumbnails cached on disk and removed with the file,
 * signed URLs, delete; `file` fields (ids checked, reads resolve to {id,name,size,type,url},
 * files deleted with their record or when cleared), downloads protected by the owning record's
 * view rule; every bad input answered 4xx with nothing stored.
 */
import { existsSync, readdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, type ApiClient, type TestApp } from "../helpers/app.ts";

let t: TestApp;
let api: ApiClient;
let user: { token: string; id: string };
let other: { token: string; id: string };
let png: Buffer;

beforeAll(async () => {
  t = await startApp();
  api = t.api;
  user = await registerUser(api);
  other = await registerUser(api);
  png = await sharp({ create: { width: 400, height: 200, channels: 3, background: { r: 200, g: 30, b: 30 } } })
    .png()
    .toBuffer();
});
afterAll(async () => t?.close());

/** POSTs a multipart form to /api/v1/files. */
async function upload(parts: Record<string, string | { data: Buffer | string; name: string; type?: string }>, token?: string) {
  const form = new FormData();
  for (const [k, v] of Object.entries(parts)) {
    if (typeof v === "string") form.append(k, v);
    else form.append(k, new Blob([typeof v.data === "string" ? v.data : new Uint8Array(v.data)], { type: v.type ?? "" }), v.name);
  }
  const res = await fetch(`${t.url}/api/v1/files`, { method: "POST", body: form, headers: token ? { authorization: `Bearer ${token}` } : {} });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null, headers: res.headers };
}

async function download(path: string, headers: Record<string, string> = {}, token?: string) {
  const res = await fetch(`${t.url}${path}`, { headers: { ...headers, ...(token ? { authorization: `Bearer ${token}` } : {}) } });
  return { status: res.status, headers: res.headers, bytes: Buffer.from(await res.arrayBuffer()) };
}

/** Names of the files stored on disk (local storage: <data dir>/files/<account>/<id>). */
function storedIds(): string[] {
  const dir = join(t.config.dataDir, "files", "default");
  return existsSync(dir) ? readdirSync(dir) : [];
}

describe("upload, metadata, list", () => {
  it("stores a file streamed from multipart and answers the FastCMS File", async () => {
    const res = await upload({ file: { data: "hello world\n", name: "hello.txt", type: "text/plain" } }, user.token);
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toMatchObject({ filename: "hello.txt", original_filename: "hello.txt", mime_type: "text/plain", size: 12, storage_type: "local", user_id: user.id, is_thumbnail: false });
    expect(res.body.url).toBe(`/api/v1/files/${res.body.id}/download`);
    expect(storedIds()).toContain(res.body.id);
    const meta = await api("GET", `/api/v1/files/${res.body.id}`, { token: user.token });
    expect(meta.status).toBe(200);
    expect(meta.body.id).toBe(res.body.id);
    const dl = await download(res.body.url, {}, user.token);
    expect(dl.status).toBe(200);
    expect(dl.bytes.toString()).toBe("hello world\n");
  });

  it("answers every bad upload 4xx, with nothing stored", async () => {
    const before = storedIds().length;
    const txt = { data: "x", name: "x.txt", type: "text/plain" };
    const anon = await upload({ file: txt });
    expect(anon.status).toBe(401);
    expect(anon.body.code).toBe("UNAUTHORIZED");
    const missing = await upload({ collection_name: "nope" }, user.token);
    expect(missing.status).toBe(422);
    expect(missing.body.details).toEqual({ file: "Required" });
    const unknownField = await upload({ file: txt, colour: "red" }, user.token);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.message).toContain("colour");
    const twoFiles = await upload({ file: txt, other: txt }, user.token);
    expect([400, 413]).toContain(twoFiles.status);
    const json = await api("POST", "/api/v1/files", { token: user.token, body: { file: "x" } });
    expect(json.status).toBe(400);
    expect(json.body.message).toContain("multipart/form-data");
    const html = await upload({ file: { data: "<script>alert(1)</script>", name: "x.html", type: "text/html" } }, user.token);
    expect(html.status).toBe(422);
    expect(html.body.message).toContain("text/html");
    const fakePng = await upload({ file: { data: "not a png at all", name: "x.png", type: "image/png" } }, user.token);
    expect(fakePng.status).toBe(422);
    expect(fakePng.body.message).toContain("image/png");
    const noCollection = await upload({ file: txt, collection_name: "nope" }, user.token);
    expect(noCollection.status).toBe(422);
    expect(noCollection.body.details).toEqual({ collection: "Collection 'nope' not found" });
    const recordWithout = await upload({ file: txt, record_id: "abc" }, user.token);
    expect(recordWithout.status).toBe(422);
    await eventually(async () => storedIds().length === before, 5000, "refused uploads removed");
    const list = await api("GET", "/api/v1/files?per_page=100", { token: t.adminToken });
    expect(list.body.items.map((f: any) => f.size)).not.toContain(16);
  });

  it("refuses a file over max_file_size while streaming (413) and stores nothing", async () => {
    const set = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "max_file_size", value: 64 * 1024, category: "storage" } });
    expect(set.status).toBe(200);
    try {
      const before = storedIds().length;
      const big = await upload({ file: { data: Buffer.alloc(200 * 1024, 97), name: "big.txt", type: "text/plain" } }, user.token);
      expect(big.status).toBe(413);
      expect(big.body).toMatchObject({ code: "PAYLOAD_TOO_LARGE", message: "File is larger than the upload limit of 64 KiB" });
      expect(storedIds().length).toBe(before);
      expect(readdirSync(join(t.config.dataDir, "files", ".tmp"))).toEqual([]);
      const fits = await upload({ file: { data: Buffer.alloc(64 * 1024, 97), name: "fits.txt", type: "text/plain" } }, user.token);
      expect(fits.status).toBe(201);
      expect(fits.body.size).toBe(64 * 1024);
    } finally {
      await api("DELETE", "/api/v1/settings/max_file_size", { token: t.adminToken });
    }
  });

  it("keeps only the base name of a path-like file name; storage keys never come from names", async () => {
    for (const name of ["../../../etc/evil.txt", "..\\..\\win.txt", "..", "a\u0000b.txt"]) {
      const res = await upload({ file: { data: "x", name, type: "text/plain" } }, user.token);
      expect(res.status, name).toBe(201);
      expect(res.body.filename).not.toMatch(/[/\\]/);
      expect(res.body.filename).not.toContain("\u0000");
      expect(res.body.filename).not.toBe("..");
      expect(res.body.storage_path).toBe(`default/${res.body.id}`);
    }
    expect(existsSync(join(t.config.dataDir, "etc"))).toBe(false);
    expect(existsSync(join(t.config.dataDir, "..", "etc", "evil.txt"))).toBe(false);
  });

  it("lists the caller's files (superadmins: all), filtered and paginated", async () => {
    const mine = await upload({ file: { data: "a", name: "a.txt", type: "text/plain" } }, other.token);
    await upload({ file: { data: "b", name: "b.txt", type: "text/plain" } }, other.token);
    const own = await api("GET", "/api/v1/files?per_page=1", { token: other.token });
    expect(own.status).toBe(200);
    expect(own.body).toMatchObject({ total: 2, page: 1, per_page: 1, total_pages: 2 });
    expect(own.body.items[0].user_id).toBe(other.id);
    const page2 = await api("GET", "/api/v1/files?per_page=1&page=2", { token: other.token });
    expect(page2.body.items[0].id).toBe(mine.body.id);
    const all = await api("GET", "/api/v1/files?per_page=100", { token: t.adminToken });
    expect(all.body.total).toBeGreaterThan(2);
    expect((await api("GET", "/api/v1/files")).status).toBe(401);
    expect((await api("GET", "/api/v1/files?per_page=1000", { token: user.token })).status).toBe(422);
    expect((await api("GET", "/api/v1/files?page=0", { token: user.token })).status).toBe(422);
    const none = await api("GET", "/api/v1/files?collection_name=nothing", { token: other.token });
    expect(none.body).toMatchObject({ items: [], total: 0, total_pages: 0 });
  });

  it("hides other users' unattached files (404) and unknown or malformed ids (404)", async () => {
    const f = await upload({ file: { data: "secret", name: "s.txt", type: "text/plain" } }, user.token);
    for (const path of [`/api/v1/files/${f.body.id}`, `/api/v1/files/${f.body.id}/download`]) {
      expect((await api("GET", path, { token: other.token })).status).toBe(404);
      expect((await api("GET", path)).status).toBe(404);
      expect((await api("GET", path, { token: t.adminToken })).status).toBe(200);
    }
    for (const id of ["0190f0e0-0000-7000-8000-000000000000", "..%2F..%2Fsecret", "%2e%2e", "x".repeat(300)]) {
      const res = await api("GET", `/api/v1/files/${id}/download`, { token: t.adminToken });
      expect([404, 422], id).toContain(res.status);
    }
  });
});

describe("download", () => {
  let file: any;
  beforeAll(async () => {
    file = (await upload({ file: { data: "0123456789", name: "digits – ü.txt", type: "text/plain" } }, user.token)).body;
  });

  it("sends the stored type, nosniff, an inline disposition with the name, and an ETag", async () => {
    const res = await download(file.url, {}, user.token);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/plain");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("content-disposition")).toBe(`inline; filename="digits _ _.txt"; filename*=UTF-8''${encodeURIComponent("digits – ü.txt")}`);
    expect(res.headers.get("content-length")).toBe("10");
    expect(res.headers.get("accept-ranges")).toBe("bytes");
    const etag = res.headers.get("etag")!;
    expect(etag).toMatch(/^"[0-9a-f]{64}"$/);
    const again = await download(file.url, { "if-none-match": etag }, user.token);
    expect(again.status).toBe(304);
    expect(again.bytes.length).toBe(0);
    expect((await download(file.url, { "if-none-match": '"other"' }, user.token)).status).toBe(200);
    const head = await fetch(`${t.url}${file.url}`, { method: "HEAD", headers: { authorization: `Bearer ${user.token}` } });
    expect(head.status).toBe(200);
    expect(head.headers.get("content-length")).toBe("10");
    expect(head.headers.get("etag")).toBe(etag);
    const attachment = await download(`${file.url}?download=true`, {}, user.token);
    expect(attachment.headers.get("content-disposition")).toMatch(/^attachment;/);
  });

  it("answers byte ranges (206), suffix ranges, and 416 outside the file", async () => {
    const r = await download(file.url, { range: "bytes=2-5" }, user.token);
    expect(r.status).toBe(206);
    expect(r.headers.get("content-range")).toBe("bytes 2-5/10");
    expect(r.bytes.toString()).toBe("2345");
    const suffix = await download(file.url, { range: "bytes=-3" }, user.token);
    expect(suffix.bytes.toString()).toBe("789");
    const open = await download(file.url, { range: "bytes=8-" }, user.token);
    expect(open.bytes.toString()).toBe("89");
    const outside = await download(file.url, { range: "bytes=10-20" }, user.token);
    expect(outside.status).toBe(416);
    expect(outside.headers.get("content-range")).toBe("bytes */10");
    const garbage = await download(file.url, { range: "pages=1-2" }, user.token);
    expect(garbage.status).toBe(200);
    const staleIfRange = await download(file.url, { range: "bytes=0-1", "if-range": '"old"' }, user.token);
    expect(staleIfRange.status).toBe(200);
  });

  it("serves HTML and SVG, once allowed, as attachments only", async () => {
    await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "allowed_file_types", value: ["text/*", "image/*"], category: "storage" } });
    try {
      const active: [string, string, string][] = [
        ["page.html", "text/html", "<script>alert(1)</script>"],
        ["pic.svg", "image/svg+xml", '<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'],
      ];
      for (const [name, type, data] of active) {
        const f = await upload({ file: { data, name, type } }, user.token);
        expect(f.status, name).toBe(201);
        const res = await download(f.body.url, {}, user.token);
        expect(res.headers.get("content-type")).toBe(type);
        expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=/);
        expect(res.headers.get("x-content-type-options")).toBe("nosniff");
        expect(res.headers.get("content-security-policy")).toContain("sandbox");
      }
      const bad = await api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "allowed_file_types", value: "everything", category: "storage" } });
      expect(bad.status).toBe(422);
    } finally {
      await api("DELETE", "/api/v1/settings/allowed_file_types", { token: t.adminToken });
    }
  });

  it("makes thumbnails with fit modes, caches them on disk and drops them with the file", async () => {
    const f = (await upload({ file: { data: png, name: "red.png", type: "image/png" } }, user.token)).body;
    const size = async (q: string) => {
      const res = await download(`${f.url}?${q}`, {}, user.token);
      expect(res.status, q).toBe(200);
      const meta = await sharp(res.bytes).metadata();
      return `${meta.format} ${meta.width}x${meta.height}`;
    };
    expect(await size("thumb=100x100")).toBe("png 100x100");
    expect(await size("thumb=100x0")).toBe("png 100x50");
    expect(await size("thumb=0x20")).toBe("png 40x20");
    expect(await size("thumb=100x100f")).toBe("png 100x50");
    expect(await size("thumb=100x100t")).toBe("png 100x100");
    expect(await size("thumb=100x100&fit=fill")).toBe("png 100x100");
    const thumbs = join(t.config.dataDir, "thumbs", f.id);
    expect(readdirSync(thumbs).length).toBe(6);
    const first = await download(`${f.url}?thumb=100x100`, {}, user.token);
    expect(first.headers.get("etag")).toMatch(/-100x100-cover-centre"$/);
    expect((await download(`${f.url}?thumb=100x100`, { "if-none-match": first.headers.get("etag")! }, user.token)).status).toBe(304);
    for (const bad of ["thumb=abc", "thumb=5000x10", "thumb=0x0", "thumb=10x10&fit=stretch"]) {
      const res = await api("GET", `${f.url}?${bad}`, { token: user.token });
      expect([400, 422], bad).toContain(res.status);
    }
    const text = (await upload({ file: { data: "x", name: "x.txt", type: "text/plain" } }, user.token)).body;
    const notImage = await api("GET", `${text.url}?thumb=10x10`, { token: user.token });
    expect(notImage.status).toBe(400);
    expect(notImage.body.message).toContain("Thumbnails are made of images");
    expect((await api("DELETE", `/api/v1/files/${f.id}`, { token: user.token })).status).toBe(204);
    await eventually(async () => !existsSync(thumbs) && !storedIds().includes(f.id), 5000, "thumbnails and bytes removed");
    expect((await api("GET", `/api/v1/files/${f.id}`, { token: user.token })).status).toBe(404);
  });

  it("gives short-lived signed URLs that work without a token, and only unaltered", async () => {
    expect((await api("GET", `/api/v1/files/${file.id}/signed-url`, { token: other.token })).status).toBe(404);
    const s = await api("GET", `/api/v1/files/${file.id}/signed-url?expires_in=60`, { token: user.token });
    expect(s.status).toBe(200);
    expect(Date.parse(s.body.expires_at) - Date.now()).toBeLessThanOrEqual(61_000);
    const ok = await download(s.body.url);
    expect(ok.status).toBe(200);
    expect(ok.bytes.toString()).toBe("0123456789");
    const tampered = s.body.url.replace(/expires=(\d+)/, (_m: string, n: string) => `expires=${Number(n) + 1}`);
    expect((await download(tampered)).status).toBe(404);
    const otherFile = (await upload({ file: { data: "z", name: "z.txt", type: "text/plain" } }, user.token)).body;
    expect((await download(s.body.url.replace(file.id, otherFile.id))).status).toBe(404);
    expect((await api("GET", `${file.url}?expires=1`)).status).toBe(400);
    expect((await api("GET", `/api/v1/files/${file.id}/signed-url?expires_in=0`, { token: user.token })).status).toBe(422);
  });

  it("deletes: only the uploader or a superadmin; anonymous 401", async () => {
    const f = (await upload({ file: { data: "d", name: "d.txt", type: "text/plain" } }, user.token)).body;
    expect((await api("DELETE", `/api/v1/files/${f.id}`)).status).toBe(401);
    expect((await api("DELETE", `/api/v1/files/${f.id}`, { token: other.token })).status).toBe(404);
    expect((await api("DELETE", `/api/v1/files/${f.id}`, { token: t.adminToken })).status).toBe(204);
    expect((await api("DELETE", `/api/v1/files/${f.id}`, { token: t.adminToken })).status).toBe(404);
    await eventually(async () => !storedIds().includes(f.id), 5000, "bytes removed");
  });
});

describe("file fields", () => {
  beforeAll(async () => {
    const res = await api("POST", "/api/v1/collections", {
      token: t.adminToken,
      body: {
        name: "docs",
        list_rule: "published = true || owner_id = @request.auth.id",
        view_rule: "published = true || owner_id = @request.auth.id",
        create_rule: "",
        update_rule: "owner_id = @request.auth.id",
        delete_rule: "owner_id = @request.auth.id",
        schema: [
          { name: "title", type: "text" },
          { name: "published", type: "bool" },
          { name: "attachments", type: "file", file: { max_files: 3 } },
          { name: "cover", type: "file", file: { max_files: 1, mime_types: ["image/png"], max_size: 100000 } },
        ],
      },
    });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  });

  const txt = (data: string) => ({ file: { data, name: `${data}.txt`, type: "text/plain" } });

  it("checks ids on write and resolves them to {id,name,size,type,url} on read", async () => {
    const f1 = (await upload(txt("one"), user.token)).body;
    const f2 = (await upload(txt("two"), user.token)).body;
    const theirs = (await upload(txt("theirs"), other.token)).body;
    const created = await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { title: "a", attachments: [f1.id, f2.id] } } });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.data.attachments).toEqual([
      { id: f1.id, name: "one.txt", size: 3, type: "text/plain", url: `/api/v1/files/${f1.id}/download` },
      { id: f2.id, name: "two.txt", size: 3, type: "text/plain", url: `/api/v1/files/${f2.id}/download` },
    ]);
    const got = await api("GET", `/api/v1/collections/docs/records/${created.body.id}`, { token: user.token });
    expect(got.body.data.attachments.map((x: any) => x.id)).toEqual([f1.id, f2.id]);
    const listed = await api("GET", "/api/v1/collections/docs/records", { token: user.token });
    expect(listed.body.items.find((r: any) => r.id === created.body.id).data.attachments[1].name).toBe("two.txt");
    const foreign = await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { attachments: [theirs.id] } } });
    expect(foreign.status).toBe(422);
    expect(foreign.body.details).toEqual({ attachments: `File '${theirs.id}' not found` });
    const unknown = await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { attachments: ["0190f0e0-0000-7000-8000-000000000000"] } } });
    expect(unknown.status).toBe(422);
    const tooMany = await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { attachments: [f1.id, f2.id, theirs.id, "x"] } } });
    expect(tooMany.status).toBe(422);
    const wrongType = await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { attachments: [1] } } });
    expect(wrongType.status).toBe(422);
    // a read answer can be written back as it is
    const roundTrip = await api("PATCH", `/api/v1/collections/docs/records/${created.body.id}`, { token: user.token, body: { data: { attachments: got.body.data.attachments } } });
    expect(roundTrip.status, JSON.stringify(roundTrip.body)).toBe(200);
    expect(roundTrip.body.data.attachments.map((x: any) => x.id)).toEqual([f1.id, f2.id]);
    // in use: cannot be deleted directly
    const inUse = await api("DELETE", `/api/v1/files/${f1.id}`, { token: user.token });
    expect(inUse.status).toBe(409);
    expect(inUse.body.message).toContain("used by 1 record");
  });

  it("deletes a file when its field is cleared or its record deleted, unless another record uses it", async () => {
    const f1 = (await upload(txt("keep"), user.token)).body;
    const f2 = (await upload(txt("drop"), user.token)).body;
    const a = (await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { title: "a", attachments: [f1.id, f2.id] } } })).body;
    const b = (await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { title: "b", attachments: [f1.id] } } })).body;
    const cleared = await api("PATCH", `/api/v1/collections/docs/records/${a.id}`, { token: user.token, body: { data: { attachments: [f1.id] } } });
    expect(cleared.status).toBe(200);
    expect((await api("GET", `/api/v1/files/${f2.id}`, { token: user.token })).status).toBe(404);
    await eventually(async () => !storedIds().includes(f2.id), 5000, "cleared file removed");
    expect((await api("DELETE", `/api/v1/collections/docs/records/${a.id}`, { token: user.token })).status).toBe(204);
    expect((await api("GET", `/api/v1/files/${f1.id}`, { token: user.token })).status).toBe(200);
    expect((await api("DELETE", `/api/v1/collections/docs/records/${b.id}`, { token: user.token })).status).toBe(204);
    expect((await api("GET", `/api/v1/files/${f1.id}`, { token: user.token })).status).toBe(404);
    await eventually(async () => !storedIds().includes(f1.id), 5000, "last user's file removed");
  });

  it("attaches on upload with collection_name, record_id and field_name (single-file fields replace)", async () => {
    const rec = (await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { title: "c" } } })).body;
    const first = await upload({ file: { data: png, name: "c1.png", type: "image/png" }, collection_name: "docs", record_id: rec.id, field_name: "cover" }, user.token);
    expect(first.status, JSON.stringify(first.body)).toBe(201);
    expect(first.body).toMatchObject({ collection_name: "docs", record_id: rec.id, field_name: "cover" });
    const second = await upload({ collection: "docs", record_id: rec.id, field: "cover", file: { data: png, name: "c2.png", type: "image/png" } }, user.token);
    expect(second.status).toBe(201);
    const got = await api("GET", `/api/v1/collections/docs/records/${rec.id}`, { token: user.token });
    expect(got.body.data.cover.map((x: any) => x.name)).toEqual(["c2.png"]);
    expect((await api("GET", `/api/v1/files/${first.body.id}`, { token: user.token })).status).toBe(404);
    const listed = await api("GET", `/api/v1/files?collection_name=docs&record_id=${rec.id}`, { token: user.token });
    expect(listed.body.items.map((f: any) => f.id)).toEqual([second.body.id]);
    // the field's own limits and the record's rules apply; nothing stays behind
    const before = storedIds().length;
    const wrongType = await upload({ file: { data: "x", name: "x.txt", type: "text/plain" }, collection_name: "docs", record_id: rec.id, field_name: "cover" }, user.token);
    expect(wrongType.status).toBe(422);
    const notFileField = await upload({ ...txt("n"), collection_name: "docs", record_id: rec.id, field_name: "title" }, user.token);
    expect(notFileField.status).toBe(422);
    expect(notFileField.body.details).toEqual({ field: "Not a file field of 'docs'" });
    const noRecord = await upload({ ...txt("n"), collection_name: "docs", record_id: "0190f0e0-0000-7000-8000-000000000000", field_name: "attachments" }, user.token);
    expect(noRecord.status).toBe(404);
    const notTheirs = await upload({ ...txt("n"), collection_name: "docs", record_id: rec.id, field_name: "attachments" }, other.token);
    expect(notTheirs.status).toBe(404);
    await eventually(async () => storedIds().length === before, 5000, "refused uploads removed");
  });

  it("lets whoever may view a record using a file download it (protected files)", async () => {
    const f = (await upload(txt("draft"), user.token)).body;
    const rec = (await api("POST", "/api/v1/collections/docs/records", { token: user.token, body: { data: { title: "d", published: false, attachments: [f.id] } } })).body;
    expect((await download(f.url, {}, other.token)).status).toBe(404);
    expect((await download(f.url)).status).toBe(404);
    expect((await download(f.url, {}, user.token)).status).toBe(200);
    await api("PATCH", `/api/v1/collections/docs/records/${rec.id}`, { token: user.token, body: { data: { published: true } } });
    expect((await download(f.url, {}, other.token)).status).toBe(200);
    expect((await download(f.url)).status).toBe(200);
  });

  it("deletes the files of a deleted collection that no other record uses", async () => {
    await api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "tmpdocs", create_rule: "", schema: [{ name: "files", type: "file" }] } });
    const f = (await upload(txt("tmp"), user.token)).body;
    expect((await api("POST", "/api/v1/collections/tmpdocs/records", { token: user.token, body: { data: { files: [f.id] } } })).status).toBe(201);
    expect((await api("DELETE", "/api/v1/collections/tmpdocs", { token: t.adminToken })).status).toBe(204);
    expect((await api("GET", `/api/v1/files/${f.id}`, { token: t.adminToken })).status).toBe(404);
  });
});
