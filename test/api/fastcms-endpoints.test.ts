/**
 * The FastCMS API reference, endpoint by endpoint (spec 000's 41 endpoints, plus the ones spec
 * 001 adds), against the running server over real HTTP: one table row per documented endpoint
 * with its method, path, who may call it, a request as the docs show it, the status and the
 * documented keys of the answer. Rows run in order and share what they create. For every row
 * that needs a login, the same request anonymously → 401 with the error body; for admin rows, as
 * a plain user → 403. Bad inputs per group (unknown ids, wrong types, traversal names) → 4xx with
 * the error body. Where Cairn deliberately differs from the docs the row says so (see the report
 * in compat/fastcms.md and the README).
 */
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";

type Auth = "public" | "user" | "admin" | "owner";

interface Res {
  status: number;
  body: any;
  text: string;
  headers: Headers;
}

interface State {
  user: { token: string; id: string; email: string; refreshToken: string };
  collectionId: string;
  records: string[];
  apiKeyId: string;
  fileId: string;
  webhookId: string;
  backup: string;
  newUser: { email: string; password: string };
  [k: string]: unknown;
}

interface Send {
  body?: unknown;
  form?: () => FormData;
  headers?: Record<string, string>;
}

interface Row {
  /** the spec (000 or 001) and the endpoint as the docs name it */
  spec: string;
  method: string;
  path: (s: State) => string;
  auth: Auth;
  send?: (s: State) => Send;
  status: number;
  /** documented keys of the JSON answer (of each item for arrays) */
  keys?: readonly string[];
  check?: (res: Res, s: State) => void | Promise<void>;
  /** bad inputs for this endpoint: the request, and the status expected */
  bad?: { what: string; method?: string; path?: (s: State) => string; send?: (s: State) => Send; status: number; names?: string }[];
}

const ERROR_KEYS = ["error", "message", "detail", "code", "details"] as const;
const COLLECTION_KEYS = ["id", "name", "type", "schema", "options", "list_rule", "view_rule", "create_rule", "update_rule", "delete_rule", "view_query", "system", "created", "updated"] as const;
const RECORD_KEYS = ["id", "data", "created", "updated", "expand"] as const;
const LIST_KEYS = ["items", "total", "page", "per_page", "total_pages"] as const;
const BULK_KEYS = ["success", "failed", "errors"] as const;
const AUTH_KEYS = ["access_token", "refresh_token", "token_type", "expires_in", "token", "user"] as const;
const USER_KEYS = ["id", "email", "role", "verified", "name", "avatar", "two_factor_enabled", "created", "updated"] as const;
const API_KEY_KEYS = ["id", "name", "key_prefix", "scopes", "active", "expires_at", "last_used_at", "last_used_ip", "created"] as const;
const FILE_KEYS = [
  "id",
  "filename",
  "original_filename",
  "mime_type",
  "size",
  "storage_path",
  "storage_type",
  "collection_name",
  "record_id",
  "field_name",
  "user_id",
  "is_thumbnail",
  "parent_file_id",
  "created",
  "updated",
  "url",
] as const;
const WEBHOOK_KEYS = ["id", "url", "collection_name", "events", "active", "secret", "retry_count", "last_triggered_at", "created", "updated"] as const;
const AUDIT_KEYS = [
  "id",
  "event_type",
  "event_action",
  "severity",
  "user_id",
  "user_email",
  "ip_address",
  "user_agent",
  "resource_type",
  "resource_id",
  "description",
  "details",
  "outcome",
  "error_message",
  "created",
] as const;
const BACKUP_KEYS = ["id", "filename", "size", "path", "status", "created"] as const;
const UNKNOWN_ID = "00000000-0000-7000-8000-000000000000";

let t: TestApp;
let png: Buffer;

async function call(method: string, path: string, token: string | undefined, send: Send = {}): Promise<Res> {
  const headers: Record<string, string> = { ...send.headers };
  if (token) headers.authorization = `Bearer ${token}`;
  let body: BodyInit | undefined;
  if (send.form) body = send.form();
  else if (send.body !== undefined) {
    body = JSON.stringify(send.body);
    headers["content-type"] = "application/json";
  }
  const res = await fetch(t.url + path, { method, headers, body });
  const text = await res.text();
  const json = (res.headers.get("content-type") ?? "").includes("json") && text ? JSON.parse(text) : undefined;
  return { status: res.status, body: json, text, headers: res.headers };
}

const tokenOf = (auth: Auth | "anonymous", s: State): string | undefined => (auth === "admin" ? t.adminToken : auth === "user" || auth === "owner" ? s.user.token : undefined);

function expectKeys(value: unknown, keys: readonly string[], where: string) {
  expect(value, `${where}: an object`).toBeTypeOf("object");
  const missing = keys.filter((k) => !Object.prototype.hasOwnProperty.call(value, k));
  expect(missing, `${where}: documented keys missing`).toEqual([]);
}

function expectError(res: Res, status: number, where: string) {
  expect(res.status, `${where}: ${res.text.slice(0, 300)}`).toBe(status);
  expectKeys(res.body, ERROR_KEYS, `${where} error body`);
  expect(res.body.detail).toBe(res.body.message);
}

const pngForm =
  (fields: Record<string, string> = {}) =>
  () => {
    const f = new FormData();
    f.append("file", new Blob([new Uint8Array(png)], { type: "image/png" }), "image.png");
    for (const [k, v] of Object.entries(fields)) f.append(k, v);
    return f;
  };

const csvForm =
  (csv: string, name = "records.csv") =>
  () => {
    const f = new FormData();
    f.append("file", new Blob([csv], { type: "text/csv" }), name);
    return f;
  };

const POSTS_SCHEMA = [
  { name: "title", type: "text", validation: { required: true } },
  { name: "content", type: "editor" },
  { name: "published", type: "bool" },
  { name: "status", type: "text" },
];

/** The endpoints, in an order where each finds what it needs. `spec` names the docs' entry. */
const ROWS: Row[] = [
  // --- Collections
  {
    spec: "000 Create Collection",
    method: "POST",
    path: () => "/api/v1/collections",
    auth: "admin",
    // rules "" = everyone (Cairn: null = superadmins only, see README "Access rules")
    send: () => ({ body: { name: "posts", type: "base", schema: POSTS_SCHEMA, list_rule: "", view_rule: "", create_rule: "", update_rule: "", delete_rule: "" } }),
    status: 201,
    keys: COLLECTION_KEYS,
    check: async (r, s) => {
      s.collectionId = r.body.id;
      expect(r.body.schema.map((f: { name: string }) => f.name)).toEqual(["title", "content", "published", "status"]);
      const scratch = await call("POST", "/api/v1/collections", t.adminToken, { body: { name: "scratch", schema: [] } });
      expect(scratch.status).toBe(201);
      s.scratchId = scratch.body.id;
    },
    bad: [
      { what: "duplicate name", send: () => ({ body: { name: "posts", schema: [] } }), status: 409 },
      { what: "reserved name", send: () => ({ body: { name: "users", schema: [] } }), status: 422 },
      { what: "bad field type", send: () => ({ body: { name: "x1", schema: [{ name: "a", type: "nope" }] } }), status: 422 },
    ],
  },
  {
    spec: "000 List Collections",
    method: "GET",
    path: () => "/api/v1/collections",
    auth: "admin", // Cairn: superadmins (definitions carry the access rules), as SnackBase and PocketBase
    status: 200,
    keys: ["items", "total", "page", "per_page"],
    check: (r) => expect(r.body.items.map((c: { name: string }) => c.name)).toContain("posts"),
  },
  {
    spec: "000 Get Collection",
    method: "GET",
    path: (s) => `/api/v1/collections/${s.collectionId}`,
    auth: "admin", // as List Collections
    status: 200,
    keys: COLLECTION_KEYS,
    bad: [{ what: "unknown id", path: () => `/api/v1/collections/${UNKNOWN_ID}`, status: 404 }],
  },
  {
    spec: "000 Update Collection",
    method: "PATCH",
    path: (s) => `/api/v1/collections/${s.collectionId}`,
    auth: "admin",
    send: () => ({ body: { schema: [...POSTS_SCHEMA, { name: "price", type: "number" }, { name: "featured", type: "bool" }] } }),
    status: 200,
    keys: COLLECTION_KEYS,
    check: (r) => expect(r.body.schema.map((f: { name: string }) => f.name)).toContain("price"),
    bad: [
      { what: "unknown id", path: () => `/api/v1/collections/${UNKNOWN_ID}`, send: () => ({ body: { options: {} } }), status: 404 },
      { what: "schema not a list", send: () => ({ body: { schema: "title" } }), status: 422 },
    ],
  },
  {
    spec: "000 Delete Collection",
    method: "DELETE",
    path: (s) => `/api/v1/collections/${String(s.scratchId)}`,
    auth: "admin",
    status: 204,
    check: async (_r, s) => expect((await call("GET", `/api/v1/collections/${String(s.scratchId)}`, t.adminToken)).status).toBe(404),
    bad: [{ what: "unknown id", path: () => `/api/v1/collections/${UNKNOWN_ID}`, status: 404 }],
  },
  // --- Records
  {
    spec: "000 Create Record",
    method: "POST",
    path: () => "/api/v1/collections/posts/records",
    auth: "user",
    send: () => ({ body: { data: { title: "Product Name", price: 99.99, status: "published", published: true, content: "all about fastcms" } } }),
    status: 201,
    keys: RECORD_KEYS,
    check: async (r, s) => {
      expect(r.body.data).toMatchObject({ title: "Product Name", price: 99.99 });
      s.records = [r.body.id];
      for (const title of ["Second", "Third", "Fourth"]) {
        const more = await call("POST", "/api/v1/collections/posts/records", s.user.token, { body: { data: { title, status: "draft", published: false } } });
        expect(more.status).toBe(201);
        s.records.push(more.body.id);
      }
    },
    bad: [
      { what: "unknown collection", path: () => "/api/v1/collections/nope/records", send: () => ({ body: { data: { title: "x" } } }), status: 404 },
      { what: "missing required field", send: () => ({ body: { data: { price: 1 } } }), status: 422, names: "title" },
      { what: "wrong type", send: () => ({ body: { data: { title: "x", price: "cheap" } } }), status: 422, names: "price" },
      { what: "empty data", send: () => ({ body: { data: {} } }), status: 422 },
      { what: "unknown field", send: () => ({ body: { data: { title: "x", colour: "red" } } }), status: 400, names: "colour" },
    ],
  },
  {
    spec: "000 List Records",
    method: "GET",
    path: () => "/api/v1/collections/posts/records?page=1&per_page=20&sort=-created&filter=published=true",
    auth: "public",
    status: 200,
    keys: LIST_KEYS,
    check: (r) => {
      expect(r.body).toMatchObject({ total: 1, page: 1, per_page: 20, total_pages: 1 });
      expectKeys(r.body.items[0], RECORD_KEYS, "list item");
    },
    bad: [
      { what: "per_page over 100", path: () => "/api/v1/collections/posts/records?per_page=101", status: 422 },
      { what: "page 0", path: () => "/api/v1/collections/posts/records?page=0", status: 422 },
      { what: "bad filter", path: () => "/api/v1/collections/posts/records?filter=" + encodeURIComponent("title=="), status: 400 },
      { what: "unknown filter field", path: () => "/api/v1/collections/posts/records?filter=nope=1", status: 400, names: "nope" },
      { what: "unknown sort field", path: () => "/api/v1/collections/posts/records?sort=-nope", status: 400, names: "nope" },
    ],
  },
  {
    spec: "000 Search Records",
    method: "GET",
    path: () => "/api/v1/collections/posts/records?search=fastcms&filter=status=published",
    auth: "public",
    status: 200,
    keys: LIST_KEYS,
    check: (r) => expect(r.body.items.map((i: { data: { title: string } }) => i.data.title)).toEqual(["Product Name"]),
  },
  {
    spec: "000 Get Record",
    method: "GET",
    path: (s) => `/api/v1/collections/posts/records/${s.records[0]}`,
    auth: "public",
    status: 200,
    keys: RECORD_KEYS,
    bad: [{ what: "unknown id", path: () => `/api/v1/collections/posts/records/${UNKNOWN_ID}`, status: 404 }],
  },
  {
    spec: "000 Update Record",
    method: "PATCH",
    path: (s) => `/api/v1/collections/posts/records/${s.records[0]}`,
    auth: "user",
    send: () => ({ body: { data: { price: 89.99 } } }),
    status: 200,
    keys: RECORD_KEYS,
    check: (r) => expect(r.body.data.price).toBe(89.99),
    bad: [
      { what: "unknown id", path: () => `/api/v1/collections/posts/records/${UNKNOWN_ID}`, send: () => ({ body: { data: { price: 1 } } }), status: 404 },
      { what: "wrong type", send: () => ({ body: { data: { published: "maybe" } } }), status: 422, names: "published" },
    ],
  },
  {
    spec: "000 Bulk Update",
    method: "POST",
    path: () => "/api/v1/collections/posts/records/bulk-update",
    auth: "user",
    send: (s) => ({ body: { record_ids: [s.records[1], s.records[2], UNKNOWN_ID], data: { status: "published", featured: true } } }),
    status: 200,
    keys: BULK_KEYS,
    check: (r) => {
      expect(r.body).toMatchObject({ success: 2, failed: 1 });
      expect(r.body.errors).toEqual([{ record_id: UNKNOWN_ID, error: expect.any(String) }]);
    },
    bad: [
      { what: "ids as numbers", send: () => ({ body: { record_ids: [1, 2], data: { status: "x" } } }), status: 422, names: "record_ids" },
      { what: "no ids", send: () => ({ body: { record_ids: [], data: { status: "x" } } }), status: 422 },
      { what: "empty data", send: (s) => ({ body: { record_ids: [s.records[1]], data: {} } }), status: 422 },
    ],
  },
  {
    spec: "000 Bulk Delete",
    method: "POST",
    path: () => "/api/v1/collections/posts/records/bulk-delete",
    auth: "user",
    send: (s) => ({ body: { record_ids: [s.records[3], UNKNOWN_ID] } }),
    status: 200,
    keys: BULK_KEYS,
    check: (r) => expect(r.body).toMatchObject({ success: 1, failed: 1 }),
    bad: [
      { what: "ids as numbers", send: () => ({ body: { record_ids: [1, "2"] } }), status: 422, names: "record_ids" },
      { what: "over 100 ids", send: () => ({ body: { record_ids: Array.from({ length: 101 }, (_, i) => `id${i}`) } }), status: 422 },
    ],
  },
  {
    spec: "000 Export to CSV",
    method: "GET",
    path: () => "/api/v1/collections/posts/records/export/csv?filter=status=published",
    auth: "user",
    status: 200,
    check: (r) => {
      expect(r.headers.get("content-type")).toMatch(/^text\/csv/);
      expect(r.headers.get("content-disposition")).toMatch(/^attachment; filename="?posts_export\.csv"?$/);
      const lines = r.text.trim().split(/\r?\n/);
      expect(lines[0]).toBe("id,created,updated,title,content,published,status,price,featured");
      expect(lines).toHaveLength(4);
    },
    bad: [{ what: "bad filter", path: () => "/api/v1/collections/posts/records/export/csv?filter=" + encodeURIComponent("(("), status: 400 }],
  },
  {
    spec: "000 Import from CSV",
    method: "POST",
    path: () => "/api/v1/collections/posts/records/import/csv",
    auth: "user",
    send: () => ({ form: csvForm("title,price,published\nImported one,5,true\n,7,false\nImported two,x,no\n") }),
    status: 201,
    keys: ["imported", "total", "errors"],
    check: (r) => {
      expect(r.body).toMatchObject({ imported: 1, total: 3 });
      expect(r.body.errors.map((e: { row: number }) => e.row)).toEqual([3, 4]);
    },
    bad: [
      { what: "no file", send: () => ({ form: () => new FormData() }), status: 422 },
      { what: "a JSON file on the CSV route", send: () => ({ form: csvForm("[]", "records.json") }), status: 400 },
    ],
  },
  {
    spec: "000 Delete Record",
    method: "DELETE",
    path: (s) => `/api/v1/collections/posts/records/${s.records[2]}`,
    auth: "user",
    status: 204,
    check: (r) => expect(r.text).toBe(""),
    bad: [{ what: "unknown id", path: () => `/api/v1/collections/posts/records/${UNKNOWN_ID}`, status: 404 }],
  },
  // --- Authentication
  {
    spec: "000 Register",
    method: "POST",
    path: () => "/api/v1/auth/register",
    auth: "public",
    send: (s) => ({ body: { email: s.newUser.email, password: s.newUser.password } }),
    status: 201,
    keys: AUTH_KEYS,
    check: (r) => {
      expect(r.body.token_type).toBe("bearer");
      expect(r.body.token).toMatchObject({ access_token: r.body.access_token, refresh_token: r.body.refresh_token, token_type: "bearer" });
      expectKeys(r.body.user, USER_KEYS, "user");
      expect(r.body.user.role).toBe("user");
    },
    bad: [
      { what: "duplicate email", send: (s) => ({ body: { email: s.newUser.email, password: s.newUser.password } }), status: 409 },
      { what: "weak password", send: () => ({ body: { email: "weak@example.com", password: "short" } }), status: 422 },
      { what: "not an email", send: () => ({ body: { email: "nope", password: "SecurePass123" } }), status: 422 },
    ],
  },
  {
    spec: "000 Login",
    method: "POST",
    path: () => "/api/v1/auth/login",
    auth: "public",
    send: (s) => ({ body: { email: s.newUser.email, password: s.newUser.password } }),
    status: 200,
    keys: AUTH_KEYS,
    check: (r, s) => {
      expect(r.body.user).toMatchObject({ email: s.newUser.email, role: "user" });
      s.refresh = r.body.refresh_token;
    },
    bad: [{ what: "wrong password", send: (s) => ({ body: { email: s.newUser.email, password: "Wrong-pass-123" } }), status: 401 }],
  },
  {
    spec: "000 Refresh Token",
    method: "POST",
    path: () => "/api/v1/auth/refresh",
    auth: "public",
    send: (s) => ({ body: { refresh_token: s.refresh } }),
    status: 200,
    keys: ["access_token", "refresh_token", "token_type", "expires_in"],
    bad: [
      { what: "the rotated-out token", send: (s) => ({ body: { refresh_token: s.refresh } }), status: 401 },
      { what: "garbage", send: () => ({ body: { refresh_token: "eyJ.nope" } }), status: 401 },
    ],
  },
  {
    spec: "000 Get Current User",
    method: "GET",
    path: () => "/api/v1/auth/me",
    auth: "user",
    status: 200,
    keys: USER_KEYS,
    check: (r, s) => expect(r.body).toMatchObject({ id: s.user.id, email: s.user.email, role: "user" }),
  },
  {
    spec: "000 Forgot Password",
    method: "POST",
    path: () => "/api/v1/auth/forgot-password",
    auth: "public",
    send: (s) => ({ body: { email: s.newUser.email } }),
    // the path is shared with SnackBase (200 {message}); FastCMS's own path answers 204
    status: 200,
    keys: ["message"],
    check: async (r) => {
      // no user enumeration: an unknown address answers the same
      const unknown = await call("POST", "/api/v1/auth/forgot-password", undefined, { body: { email: "nobody@example.com" } });
      expect(unknown.body).toEqual(r.body);
      expect((await call("POST", "/api/v1/auth/request-password-reset", undefined, { body: { email: "nobody@example.com" } })).status).toBe(204);
    },
  },
  {
    spec: "000 Reset Password",
    method: "POST",
    path: () => "/api/v1/auth/reset-password",
    auth: "public",
    send: (s) => ({ body: { token: s.resetToken, new_password: "NewSecurePass123" } }),
    status: 200, // shared with SnackBase: 200 {message}
    keys: ["message"],
    check: async (_r, s) => {
      expect((await call("POST", "/api/v1/auth/login", undefined, { body: { email: s.newUser.email, password: "NewSecurePass123" } })).status).toBe(200);
    },
    bad: [
      { what: "used token", send: (s) => ({ body: { token: s.resetToken, new_password: "OtherSecurePass123" } }), status: 400 },
      { what: "unknown token", send: () => ({ body: { token: "reset-token-from-email", new_password: "NewSecurePass123" } }), status: 400 },
    ],
  },
  // --- API keys
  {
    spec: "000 Create API Key",
    method: "POST",
    path: () => "/api/v1/api-keys",
    auth: "user",
    send: () => ({ body: { name: "Production Server", scopes: ["read", "write"], expires_at: "2030-01-01T00:00:00" } }),
    status: 201,
    keys: ["id", "name", "key", "key_prefix", "scopes", "expires_at", "created", "message"],
    check: async (r, s) => {
      s.apiKeyId = r.body.id;
      const me = await call("GET", "/api/v1/auth/me", undefined, { headers: { "x-api-key": r.body.key } });
      expect(me.status).toBe(200);
      expect(me.body.id).toBe(s.user.id);
    },
    bad: [
      { what: "no name", send: () => ({ body: { scopes: ["read"] } }), status: 422 },
      { what: "unknown scope", send: () => ({ body: { name: "k", scopes: ["root"] } }), status: 422 },
    ],
  },
  {
    spec: "000 List API Keys",
    method: "GET",
    path: () => "/api/v1/api-keys",
    auth: "user",
    status: 200,
    check: (r, s) => {
      expect(Array.isArray(r.body)).toBe(true);
      expect(r.body.map((k: { id: string }) => k.id)).toEqual([s.apiKeyId]);
      expectKeys(r.body[0], API_KEY_KEYS, "api key");
      expect(r.body[0]).not.toHaveProperty("key");
    },
  },
  {
    spec: "000 Revoke API Key",
    method: "DELETE",
    path: (s) => `/api/v1/api-keys/${s.apiKeyId}`,
    auth: "user",
    status: 204,
    bad: [{ what: "unknown id", path: () => `/api/v1/api-keys/${UNKNOWN_ID}`, status: 404 }],
  },
  // --- Files
  {
    spec: "000 Upload File",
    method: "POST",
    path: () => "/api/v1/files",
    auth: "user",
    send: (s) => ({ form: pngForm({ collection: "posts", record_id: s.records[0]! }) }),
    status: 201,
    keys: FILE_KEYS,
    check: async (r, s) => {
      s.fileId = r.body.id;
      const loose = await call("POST", "/api/v1/files", s.user.token, { form: pngForm() });
      expect(loose.status).toBe(201);
      s.looseFileId = loose.body.id;
      expect(r.body).toMatchObject({ original_filename: "image.png", mime_type: "image/png", size: png.length, collection_name: "posts", record_id: s.records[0], user_id: s.user.id });
      expect(r.body.url).toBe(`/api/v1/files/${r.body.id}/download`);
    },
    bad: [
      { what: "no file", send: () => ({ form: () => new FormData() }), status: 422 },
      {
        what: "type not allowed",
        send: () => ({
          form: () => {
            const f = new FormData();
            f.append("file", new Blob(["<html></html>"], { type: "text/html" }), "page.html");
            return f;
          },
        }),
        status: 422,
      },
      { what: "unknown record", send: () => ({ form: pngForm({ collection: "posts", record_id: UNKNOWN_ID }) }), status: 404 },
    ],
  },
  {
    spec: "000 Get File",
    method: "GET",
    path: (s) => `/api/v1/files/${s.fileId}`,
    auth: "owner",
    status: 200,
    keys: FILE_KEYS,
    bad: [{ what: "unknown id", path: () => `/api/v1/files/${UNKNOWN_ID}`, status: 404 }],
  },
  {
    spec: "001 List Files",
    method: "GET",
    path: (s) => `/api/v1/files?collection_name=posts&record_id=${s.records[0]}`,
    auth: "owner",
    status: 200,
    keys: LIST_KEYS,
    check: (r, s) => {
      expect(r.body.items.map((f: { id: string }) => f.id)).toEqual([s.fileId]);
      expectKeys(r.body.items[0], FILE_KEYS, "file");
    },
  },
  {
    spec: "001 Download File",
    method: "GET",
    path: (s) => `/api/v1/files/${s.fileId}/download`,
    auth: "owner",
    status: 200,
    check: (r) => {
      expect(r.headers.get("content-type")).toBe("image/png");
      expect(r.headers.get("content-disposition")).toContain("image.png");
      expect(r.headers.get("x-content-type-options")).toBe("nosniff");
    },
    bad: [{ what: "unknown id", path: () => `/api/v1/files/${UNKNOWN_ID}/download`, status: 404 }],
  },
  {
    spec: "000 Delete File",
    method: "DELETE",
    path: (s) => `/api/v1/files/${String(s.looseFileId)}`,
    auth: "user",
    status: 204,
    check: async (_r, s) => expect((await call("GET", `/api/v1/files/${String(s.looseFileId)}`, s.user.token)).status).toBe(404),
    bad: [
      { what: "unknown id", path: () => `/api/v1/files/${UNKNOWN_ID}`, status: 404 },
      // Cairn: not while a record uses the file (README "Files")
      { what: "used by a record", path: (s) => `/api/v1/files/${s.fileId}`, status: 409 },
    ],
  },
  // --- Webhooks (Cairn: superadmins only, see the README)
  {
    spec: "000 Create Webhook",
    method: "POST",
    path: () => "/api/v1/webhooks",
    auth: "admin",
    send: () => ({ body: { url: "http://127.0.0.1:9/webhook", collection_name: "posts", events: ["create", "update", "delete"], secret: "your-secret", retry_count: 3 } }),
    status: 201,
    keys: WEBHOOK_KEYS,
    check: (r, s) => {
      s.webhookId = r.body.id;
      expect(r.body).toMatchObject({ collection_name: "posts", events: ["create", "update", "delete"], active: true, retry_count: 3 });
    },
    bad: [
      { what: "unknown event", send: () => ({ body: { url: "http://127.0.0.1:9/x", collection_name: "posts", events: ["explode"] } }), status: 422 },
      { what: "retry_count over 10", send: () => ({ body: { url: "http://127.0.0.1:9/x", collection_name: "posts", events: ["create"], retry_count: 11 } }), status: 422 },
      { what: "not a URL", send: () => ({ body: { url: "ftp:/x", collection_name: "posts", events: ["create"] } }), status: 422 },
    ],
  },
  {
    spec: "000 List Webhooks",
    method: "GET",
    path: () => "/api/v1/webhooks",
    auth: "admin",
    status: 200,
    keys: ["items", "total"],
    check: (r, s) => {
      expect(r.body.items.map((w: { id: string }) => w.id)).toEqual([s.webhookId]);
      expectKeys(r.body.items[0], WEBHOOK_KEYS, "webhook");
    },
  },
  {
    spec: "000 Update Webhook",
    method: "PATCH",
    path: (s) => `/api/v1/webhooks/${s.webhookId}`,
    auth: "admin",
    send: () => ({ body: { active: false, events: ["create"] } }),
    status: 200,
    keys: WEBHOOK_KEYS,
    check: (r) => expect(r.body).toMatchObject({ active: false, events: ["create"] }),
    bad: [{ what: "unknown id", path: () => `/api/v1/webhooks/${UNKNOWN_ID}`, send: () => ({ body: { active: true } }), status: 404 }],
  },
  {
    spec: "000 Delete Webhook",
    method: "DELETE",
    path: (s) => `/api/v1/webhooks/${s.webhookId}`,
    auth: "admin",
    status: 204,
    bad: [{ what: "unknown id", path: () => `/api/v1/webhooks/${UNKNOWN_ID}`, status: 404 }],
  },
  // --- Audit logs
  {
    spec: "000 List Audit Logs",
    method: "GET",
    path: () => "/api/v1/audit?limit=50&offset=0&event_type=auth",
    auth: "admin",
    status: 200,
    keys: ["items", "total", "limit", "offset"],
    check: (r) => {
      expect(r.body.items.length).toBeGreaterThan(0);
      expectKeys(r.body.items[0], AUDIT_KEYS, "audit entry");
    },
    bad: [{ what: "limit over 1000", path: () => "/api/v1/audit?limit=1001", status: 422 }],
  },
  {
    spec: "000 Get Security Events",
    method: "GET",
    path: () => "/api/v1/audit/security?severity=critical",
    auth: "admin",
    status: 200,
    check: (r) => expect(Array.isArray(r.body)).toBe(true),
  },
  {
    spec: "000 Get Audit Statistics",
    method: "GET",
    path: () => "/api/v1/audit/statistics",
    auth: "admin",
    status: 200,
    keys: ["by_event_type", "by_severity", "by_outcome", "total"],
  },
  // --- System
  {
    spec: "000 Health Check",
    method: "GET",
    path: () => "/health",
    auth: "public",
    status: 200,
    keys: ["status", "service", "version", "environment", "readonly"],
    check: (r) => expect(r.body.status).toBe("healthy"),
  },
  {
    spec: "000 Connection Statistics",
    method: "GET",
    path: () => "/api/v1/stats",
    auth: "admin",
    status: 200,
    keys: ["total_connections", "authenticated_connections", "unique_users", "pubsub_backend", "subscriptions"],
  },
  {
    spec: "000 Settings (create or update)",
    method: "POST",
    path: () => "/api/v1/settings",
    auth: "admin",
    send: () => ({ body: { key: "app_name", value: "My App", category: "app" } }),
    status: 200,
    keys: ["id", "key", "value", "category"],
    check: (r) => expect(r.body).toMatchObject({ key: "app_name", value: "My App", category: "app" }),
    bad: [
      { what: "unknown category", send: () => ({ body: { key: "x", value: 1, category: "nope" } }), status: 422, names: "category" },
      { what: "wrong type for a known key", send: () => ({ body: { key: "max_file_size", value: "big", category: "storage" } }), status: 422 },
    ],
  },
  {
    spec: "000 Settings (list)",
    method: "GET",
    path: () => "/api/v1/settings",
    auth: "admin",
    status: 200,
    check: (r) => expect(r.body.app.app_name).toMatchObject({ value: "My App" }),
  },
  {
    spec: "001 Settings of a category",
    method: "GET",
    path: () => "/api/v1/settings/app",
    auth: "admin",
    status: 200,
    check: (r) => expect(r.body.app_name).toMatchObject({ value: "My App" }),
    bad: [{ what: "unknown category", path: () => "/api/v1/settings/nope", status: 422 }],
  },
  {
    spec: "001 Delete a setting",
    method: "DELETE",
    path: () => "/api/v1/settings/app_name",
    auth: "admin",
    status: 200,
    keys: ["deleted"],
    check: (r) => expect(r.body.deleted).toBe(true),
  },
  {
    spec: "001 OAuth login (provider not configured)",
    method: "GET",
    path: () => "/api/v1/oauth/google/login",
    auth: "public",
    status: 404,
    check: (r) => expectError(r, 404, "oauth"),
  },
  // --- Backups (POST answers 202 + a job as issue 9 asks; ?wait=true gives the documented body)
  {
    spec: "000 Backups (create)",
    method: "POST",
    path: () => "/api/v1/backups?wait=true",
    auth: "admin",
    status: 201,
    keys: ["id", "filename", "size_bytes", "status", "created"],
    check: async (r, s) => {
      expect(r.body.status).toBe("completed");
      s.backup = r.body.filename;
      const job = await call("POST", "/api/v1/backups", t.adminToken);
      expect(job.status).toBe(202);
      expectKeys(job.body, ["job_id", "status"], "backup job");
    },
  },
  {
    spec: "000 Backups (list)",
    method: "GET",
    path: () => "/api/v1/backups",
    auth: "admin",
    status: 200,
    keys: ["items", "page", "per_page", "total", "total_pages"],
    check: (r, s) => {
      expect(r.body.items.map((b: { filename: string }) => b.filename)).toContain(s.backup);
      expectKeys(r.body.items[0], BACKUP_KEYS, "backup");
    },
  },
  {
    spec: "000 Backups (restore)",
    method: "POST",
    path: (s) => `/api/v1/backups/${s.backup}/restore?wait=true`,
    auth: "admin",
    status: 200,
    keys: ["status", "id", "filename"],
    check: (r) => expect(r.body.status).toBe("restored"),
    bad: [
      { what: "traversal name", path: () => `/api/v1/backups/${encodeURIComponent("../cairn.db")}/restore?wait=true`, status: 400 },
      { what: "unknown backup", path: () => "/api/v1/backups/backup_20000101_000000/restore?wait=true", status: 404 },
    ],
  },
  {
    spec: "000 Backups (delete)",
    method: "DELETE",
    path: (s) => `/api/v1/backups/${s.backup}`,
    auth: "admin",
    status: 200,
    keys: ["deleted"],
    check: (r) => expect(r.body.deleted).toBe(true),
    bad: [
      { what: "traversal name", path: () => `/api/v1/backups/${encodeURIComponent("..\\x.zip")}`, status: 400 },
      { what: "unknown backup", path: (s) => `/api/v1/backups/${s.backup}`, status: 404 },
    ],
  },
];

describe("FastCMS API reference, endpoint by endpoint", () => {
  const s = {} as State;

  beforeAll(async () => {
    t = await startApp({}, { CAIRN_WEBHOOK_ALLOW_PRIVATE: "true" });
    s.user = await registerUser(t.api);
    s.newUser = { email: `reader-${Date.now()}@example.com`, password: "SecurePass123" };
    png = await sharp({ create: { width: 8, height: 8, channels: 3, background: { r: 10, g: 200, b: 30 } } })
      .png()
      .toBuffer();
  });
  afterAll(async () => t?.close());

  it("lists every endpoint of spec 000 (41) once", () => {
    expect(ROWS.filter((r) => r.spec.startsWith("000")).length).toBe(42); // 41 + "Search Records", a list with ?search=
  });

  for (const row of ROWS) {
    it(`${row.spec}: ${row.method} ${row.path({ records: ["{id}"], collectionId: "{id}", fileId: "{id}", webhookId: "{id}", apiKeyId: "{id}", backup: "{filename}" } as unknown as State)}`, async () => {
      if (row.spec === "000 Reset Password") {
        const mail = await call("GET", `/api/v1/mail?to=${encodeURIComponent(s.newUser.email)}&kind=reset_password&limit=1`, t.adminToken);
        s.resetToken = /^Token: (\S+)$/m.exec(mail.body.items[0].text)![1];
      }
      const send = row.send?.(s);
      if (row.auth === "user" || row.auth === "admin") expectError(await call(row.method, row.path(s), undefined, row.send?.(s)), 401, "anonymous");
      if (row.auth === "admin") expectError(await call(row.method, row.path(s), s.user.token, row.send?.(s)), 403, "plain user");
      const res = await call(row.method, row.path(s), tokenOf(row.auth, s), send);
      expect(res.status, `${row.spec}: ${res.text.slice(0, 500)}`).toBe(row.status);
      if (row.keys) expectKeys(res.body, row.keys, row.spec);
      await row.check?.(res, s);
      // bad inputs run after the call: some need what it made (a duplicate, a used token, a deleted backup)
      for (const bad of row.bad ?? []) {
        const again = await call(bad.method ?? row.method, (bad.path ?? row.path)(s), tokenOf(row.auth, s), bad.send ? bad.send(s) : send);
        expectError(again, bad.status, bad.what);
        if (bad.names) expect(JSON.stringify(again.body), `${bad.what}: names ${bad.names}`).toContain(bad.names);
      }
    });
  }
});
