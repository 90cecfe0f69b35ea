/**
 * A snapshot document from a file or a request body → {@link Snapshot}, checked for shape. Every
 * problem is one 422 naming its path (`collections[2].fields[0].type`). What a definition means
 * (field types, options, rules) is checked later by the collection, role and webhook operations.
 */
import { ValidationError } from "../errors.ts";
import { PERMISSION_OPS } from "../rules/role-cache.ts";
import { WEBHOOK_FORMATS } from "../webhooks/types.ts";
import { SNAPSHOT_FORMAT, SNAPSHOT_VERSION, type Snapshot, type SnapshotCollection, type SnapshotRole, type SnapshotWebhook } from "./types.ts";

type Raw = Record<string, unknown>;
const isObject = (v: unknown): v is Raw => typeof v === "object" && v !== null && !Array.isArray(v);
const MAX_ENTRIES = 10_000;

class Checker {
  readonly errors: Record<string, string> = Object.create(null);
  fail(path: string, problem: string): void {
    this.errors[path] ??= problem;
  }
  string(raw: Raw, key: string, path: string, nullable = false): string | null {
    const v = raw[key];
    if (nullable && (v === null || v === undefined)) return null;
    if (typeof v !== "string") return (this.fail(`${path}.${key}`, nullable ? "must be a string or null" : "must be a string"), "");
    return v;
  }
  list(raw: Raw, key: string, path: string): unknown[] {
    const v = raw[key];
    if (v === undefined) return [];
    if (!Array.isArray(v)) return (this.fail(`${path}.${key}`, "must be a list"), []);
    if (v.length > MAX_ENTRIES) return (this.fail(`${path}.${key}`, `must have at most ${MAX_ENTRIES} entries`), []);
    return v;
  }
}

function readCollection(c: Checker, raw: unknown, path: string): SnapshotCollection | undefined {
  if (!isObject(raw)) return void c.fail(path, "must be an object");
  const fields = c.list(raw, "fields", path).map((f, i) => {
    const at = `${path}.fields[${i}]`;
    if (!isObject(f)) return (c.fail(at, "must be an object"), undefined);
    c.string(f, "id", at);
    c.string(f, "name", at);
    c.string(f, "type", at);
    for (const k of ["required", "unique", "index"]) if (f[k] !== undefined && typeof f[k] !== "boolean") c.fail(`${at}.${k}`, "must be true or false");
    if (f.options !== undefined && !isObject(f.options)) c.fail(`${at}.options`, "must be an object");
    return { ...f, required: f.required === true, unique: f.unique === true, index: f.index === true, options: isObject(f.options) ? f.options : {} };
  });
  const rules = raw.rules === undefined ? {} : raw.rules;
  if (!isObject(rules)) c.fail(`${path}.rules`, "must be an object");
  const rule = (k: string) => (isObject(rules) ? c.string(rules, k, `${path}.rules`, true) : null);
  if (raw.options !== undefined && !isObject(raw.options)) c.fail(`${path}.options`, "must be an object");
  const type = raw.type ?? "base";
  if (!["base", "auth", "view"].includes(type as string)) c.fail(`${path}.type`, "must be base, auth or view");
  return {
    id: c.string(raw, "id", path) ?? "",
    name: c.string(raw, "name", path) ?? "",
    type: type as SnapshotCollection["type"],
    fields: fields.filter((f) => f !== undefined) as unknown as SnapshotCollection["fields"],
    options: isObject(raw.options) ? raw.options : {},
    rules: { list: rule("list"), view: rule("view"), create: rule("create"), update: rule("update"), delete: rule("delete") },
    viewQuery: c.string(raw, "viewQuery", path, true),
    indexes: [],
  };
}

function readRole(c: Checker, raw: unknown, path: string): SnapshotRole | undefined {
  if (!isObject(raw)) return void c.fail(path, "must be an object");
  const permissions = c.list(raw, "permissions", path).flatMap((p, i) => {
    const at = `${path}.permissions[${i}]`;
    if (!isObject(p)) return (c.fail(at, "must be an object"), []);
    const operation = c.string(p, "operation", at);
    if (operation && !(PERMISSION_OPS as readonly string[]).includes(operation)) c.fail(`${at}.operation`, `must be one of ${PERMISSION_OPS.join(", ")}`);
    const fields = p.fields ?? "*";
    if (fields !== "*" && !(Array.isArray(fields) && fields.every((f) => typeof f === "string"))) c.fail(`${at}.fields`, 'must be "*" or a list of field names');
    return [{ collection: c.string(p, "collection", at) ?? "", operation, rule: c.string(p, "rule", at) ?? "", fields } as SnapshotRole["permissions"][number]];
  });
  return { name: c.string(raw, "name", path) ?? "", description: c.string(raw, "description", path, true), permissions };
}

function readWebhook(c: Checker, raw: unknown, path: string): SnapshotWebhook | undefined {
  if (!isObject(raw)) return void c.fail(path, "must be an object");
  if (typeof raw.id === "string" && !/^[A-Za-z0-9-]{1,64}$/.test(raw.id)) c.fail(`${path}.id`, "must be 1-64 letters, digits or '-'");
  if (raw.secret !== undefined) c.fail(`${path}.secret`, "snapshots carry no webhook secrets; remove it (the target keeps or generates its own)");
  const collections = c.list(raw, "collections", path);
  const events = raw.events === undefined ? ["*"] : c.list(raw, "events", path);
  const format = raw.format ?? "fastcms";
  if (!(WEBHOOK_FORMATS as readonly unknown[]).includes(format)) c.fail(`${path}.format`, `must be one of ${WEBHOOK_FORMATS.join(", ")}`);
  return {
    id: c.string(raw, "id", path) ?? "",
    name: c.string(raw, "name", path, true),
    url: c.string(raw, "url", path) ?? "",
    collections: collections as string[],
    events: events as string[],
    filter: c.string(raw, "filter", path, true),
    retryCount: raw.retryCount as number,
    active: raw.active === undefined ? true : (raw.active as boolean),
    format: format as SnapshotWebhook["format"],
  };
}

/**
 * Checks the shape of a snapshot document.
 * @throws ValidationError (422) naming every malformed path, or a document of another format or version.
 */
export function parseSnapshot(input: unknown): Snapshot {
  if (!isObject(input)) throw new ValidationError("A schema snapshot must be a JSON object", { body: "must be an object" });
  if (input.format !== SNAPSHOT_FORMAT) throw new ValidationError(`Not a schema snapshot: format must be "${SNAPSHOT_FORMAT}"`, { format: `must be "${SNAPSHOT_FORMAT}"` });
  if (input.version !== SNAPSHOT_VERSION)
    throw new ValidationError(`Unsupported snapshot version ${JSON.stringify(input.version)}; this server reads version ${SNAPSHOT_VERSION}`, { version: `must be ${SNAPSHOT_VERSION}` });
  const c = new Checker();
  const collections = c.list(input, "collections", "").map((x, i) => readCollection(c, x, `collections[${i}]`));
  const roles = c.list(input, "roles", "").map((x, i) => readRole(c, x, `roles[${i}]`));
  const webhooks = c.list(input, "webhooks", "").map((x, i) => readWebhook(c, x, `webhooks[${i}]`));
  const seen = new Map<string, string>();
  collections.forEach((col, i) => {
    if (!col) return;
    for (const key of [`id:${col.id}`, `name:${col.name.toLowerCase()}`]) {
      const first = seen.get(key);
      if (first) c.fail(`collections[${i}]`, `same ${key.split(":")[0]} as ${first}`);
      else seen.set(key, `collections[${i}]`);
    }
  });
  const fixed = Object.fromEntries(Object.entries(c.errors).map(([k, v]) => [k.replace(/^\./, ""), v]));
  const keys = Object.keys(fixed);
  if (keys.length) throw new ValidationError(`Invalid schema snapshot: ${keys[0]} ${fixed[keys[0]!]}`, fixed);
  return {
    format: SNAPSHOT_FORMAT,
    version: SNAPSHOT_VERSION,
    collections: collections.filter((x) => x !== undefined),
    roles: roles.filter((x) => x !== undefined),
    webhooks: webhooks.filter((x) => x !== undefined),
  };
}
