/**
 * Files on S3 storage, against a real S3-compatible server (s3rver) started here on 127.0.0.1:
 * uploads streamed into the bucket (one PutObject below 5 MiB, a multipart upload above),
 * downloads with ranges and thumbnails, nothing left in the bucket by a refused upload, objects
 * removed with their file, and 503 naming the storage when the server is down.
 */
import { createHash } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import S3rver from "s3rver";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eventually, registerUser, startApp, type TestApp } from "../helpers/app.ts";

const BUCKET = "cairn-files";
let s3: S3rver;
let s3Dir: string;
let endpoint: string;
let client: S3Client;
let t: TestApp;
let user: { token: string; id: string };

beforeAll(async () => {
  s3Dir = mkdtempSync(join(tmpdir(), "cairn-s3-"));
  s3 = new S3rver({ address: "127.0.0.1", port: 0, silent: true, directory: s3Dir, configureBuckets: [{ name: BUCKET, configs: [] }] });
  const addr = await s3.run();
  endpoint = `http://127.0.0.1:${addr.port}`;
  client = new S3Client({ region: "us-east-1", endpoint, forcePathStyle: true, credentials: { accessKeyId: "S3RVER", secretAccessKey: "S3RVER" } });
  t = await startApp({}, { CAIRN_S3_BUCKET: BUCKET, CAIRN_S3_ENDPOINT: endpoint, CAIRN_S3_ACCESS_KEY_ID: "S3RVER", CAIRN_S3_SECRET_ACCESS_KEY: "S3RVER", CAIRN_S3_PREFIX: "uploads/" });
  user = await registerUser(t.api);
});
afterAll(async () => {
  await t?.close();
  client?.destroy();
  await s3?.close();
  rmSync(s3Dir, { recursive: true, force: true });
});

async function keys(): Promise<string[]> {
  const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  return (out.Contents ?? []).map((o) => o.Key!);
}

async function upload(data: Buffer | string, name: string, type: string) {
  const form = new FormData();
  form.append("file", new Blob([typeof data === "string" ? data : new Uint8Array(data)], { type }), name);
  const res = await fetch(`${t.url}/api/v1/files`, { method: "POST", body: form, headers: { authorization: `Bearer ${user.token}` } });
  return { status: res.status, body: await res.json() };
}

describe("S3 storage", () => {
  it("streams uploads into the bucket and serves them back, ranges included", async () => {
    const f = await upload("hello s3", "s3.txt", "text/plain");
    expect(f.status, JSON.stringify(f.body)).toBe(201);
    expect(f.body).toMatchObject({ storage_type: "s3", storage_path: `default/${f.body.id}`, size: 8 });
    expect(await keys()).toContain(`uploads/default/${f.body.id}`);
    const dl = await fetch(`${t.url}${f.body.url}`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(await dl.text()).toBe("hello s3");
    const part = await fetch(`${t.url}${f.body.url}`, { headers: { authorization: `Bearer ${user.token}`, range: "bytes=6-" } });
    expect(part.status).toBe(206);
    expect(await part.text()).toBe("s3");
  });

  it("uses a multipart upload above 5 MiB and keeps the bytes intact", async () => {
    await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "max_file_size", value: 20 * 1024 * 1024, category: "storage" } });
    const data = Buffer.alloc(12 * 1024 * 1024);
    for (let i = 0; i < data.length; i += 4096) data.writeUInt32LE(i, i);
    const f = await upload(data, "big.bin", "application/octet-stream");
    // application/octet-stream with a .bin name is not an allowed type by default
    expect(f.status).toBe(422);
    await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "allowed_file_types", value: ["*"], category: "storage" } });
    const ok = await upload(data, "big.bin", "application/octet-stream");
    expect(ok.status, JSON.stringify(ok.body)).toBe(201);
    expect(ok.body.size).toBe(data.length);
    const back = Buffer.from(await (await fetch(`${t.url}${ok.body.url}`, { headers: { authorization: `Bearer ${user.token}` } })).arrayBuffer());
    expect(createHash("sha256").update(back).digest("hex")).toBe(createHash("sha256").update(data).digest("hex"));
    await t.api("DELETE", "/api/v1/settings/allowed_file_types", { token: t.adminToken });
  });

  it("leaves nothing in the bucket when an upload is over the limit", async () => {
    await t.api("POST", "/api/v1/settings", { token: t.adminToken, body: { key: "max_file_size", value: 6 * 1024 * 1024, category: "storage" } });
    const before = await keys();
    const big = await upload(Buffer.alloc(7 * 1024 * 1024, 120), "big.txt", "text/plain");
    expect(big.status).toBe(413);
    expect(big.body.code).toBe("PAYLOAD_TOO_LARGE");
    expect(await keys()).toEqual(before);
    await t.api("DELETE", "/api/v1/settings/max_file_size", { token: t.adminToken });
  });

  it("makes thumbnails from S3 objects and removes the object with the file", async () => {
    const png = await sharp({ create: { width: 64, height: 32, channels: 3, background: "#0a0" } })
      .png()
      .toBuffer();
    const f = await upload(png, "g.png", "image/png");
    const thumb = await fetch(`${t.url}${f.body.url}?thumb=32x0`, { headers: { authorization: `Bearer ${user.token}` } });
    expect(thumb.status).toBe(200);
    const meta = await sharp(Buffer.from(await thumb.arrayBuffer())).metadata();
    expect([meta.width, meta.height]).toEqual([32, 16]);
    expect((await t.api("DELETE", `/api/v1/files/${f.body.id}`, { token: user.token })).status).toBe(204);
    await eventually(async () => !(await keys()).includes(`uploads/default/${f.body.id}`), 5000, "object removed");
  });

  it("answers 503 naming the storage while S3 is down, and stores no row", async () => {
    const before = (await t.api("GET", "/api/v1/files?per_page=100", { token: t.adminToken })).body.total;
    await s3.close();
    try {
      const f = await upload("down", "down.txt", "text/plain");
      expect(f.status).toBe(503);
      expect(f.body).toMatchObject({ code: "SERVICE_UNAVAILABLE", message: "File storage unavailable" });
      expect((await t.api("GET", "/api/v1/files?per_page=100", { token: t.adminToken })).body.total).toBe(before);
    } finally {
      await s3.run();
    }
  });
});
