/**
 * The set-up the list cache tests share (totals.test.ts, page-cache.test.ts): a server with
 * `items` (title, n), `notes` (listed by their owner only) and `tags` (a reference to items that
 * cascades deletes), each open to signed-in users, plus any collections a test adds; two users;
 * five items made by the first; a recorder of the statements the database runs from then on.
 */
import { expect } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { countStatements } from "./graphql-helpers.ts";

export const SIGNED_IN = '@request.auth.id != ""';
export const OWNER = "owner_id = @request.auth.id";
const rules = { list_rule: SIGNED_IN, view_rule: SIGNED_IN, create_rule: SIGNED_IN, update_rule: SIGNED_IN, delete_rule: SIGNED_IN };

/** The FastCMS records path of a collection. */
export const records = (collection: string) => `/api/v1/collections/${collection}/records`;

export type Item = { id: string; data: Record<string, unknown> };
export type Page = { total: number; items: Item[] };
type User = { token: string; id: string };

export interface ListCacheFixture {
  t: TestApp;
  user: User;
  other: User;
  counter: ReturnType<typeof countStatements>;
  /** GET the collection's records (200 asserted); the first user's by default. */
  list(collection: string, qs?: string, token?: string): Promise<Page>;
  /** POST a record (201 asserted); the first user's by default. */
  create(collection: string, data: Record<string, unknown>, token?: string): Promise<Item>;
  close(): Promise<void>;
}

export async function listCacheFixture(more: Record<string, unknown>[] = []): Promise<ListCacheFixture> {
  const t = await startApp();
  for (const body of [
    {
      ...rules,
      name: "items",
      schema: [
        { name: "title", type: "text" },
        { name: "n", type: "number" },
      ],
    },
    { ...rules, list_rule: OWNER, name: "notes", schema: [{ name: "text", type: "text" }] },
    { ...rules, name: "tags", schema: [{ name: "item", type: "reference", relation: { collection: "items", cascade_delete: "cascade" } }] },
    ...more,
  ]) {
    const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  const user = await registerUser(t.api);
  const other = await registerUser(t.api);
  async function list(collection: string, qs = "", token = user.token): Promise<Page> {
    const res = await t.api("GET", `${records(collection)}${qs ? `?${qs}` : ""}`, { token });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    return res.body as Page;
  }
  async function create(collection: string, data: Record<string, unknown>, token = user.token): Promise<Item> {
    const res = await t.api("POST", records(collection), { token, body: { data } });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return res.body as Item;
  }
  for (let i = 0; i < 5; i++) await create("items", { title: `item ${i}`, n: i });
  const counter = countStatements(t.app.services.db);
  return {
    t,
    user,
    other,
    counter,
    list,
    create,
    async close() {
      counter.restore();
      await t.close();
    },
  };
}
