/**
 * Deleting an account writes a `record.delete` outbox row for each of its records, in bulk (one
 * INSERT per collection, whatever the record count), with the record as the API shows it as
 * payload — on SQLite and PostgreSQL, over real HTTP. Other accounts' records stay, unannounced.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readOutbox } from "../../src/core/events/outbox.ts";
import { selectByIds } from "../../src/core/records/store.ts";
import { startApp, type TestApp } from "../helpers/app.ts";
import { recordStatements } from "../helpers/statements.ts";
import { signUpTenant, type Tenant } from "../helpers/snackbase.ts";

let t: TestApp;
let doomed: Tenant;
let other: Tenant;

beforeAll(async () => {
  t = await startApp();
  for (const body of [
    {
      name: "crates",
      schema: [
        { name: "label", type: "text", required: true },
        { name: "weight", type: "number" },
        { name: "fragile", type: "boolean" },
        { name: "meta", type: "json" },
        { name: "shipped", type: "datetime" },
        { name: "due", type: "date" },
      ],
    },
    { name: "pallets", schema: [{ name: "code", type: "text", required: true }] },
    { name: "forklifts", schema: [{ name: "model", type: "text", required: true }] },
  ]) {
    const res = await t.api("POST", "/api/v1/collections/", { token: t.adminToken, body });
    expect(res.status, JSON.stringify(res.body)).toBe(201);
  }
  doomed = await signUpTenant(t, "Doomed Depot");
  other = await signUpTenant(t, "Other Depot");
});
afterAll(() => t?.close());

const create = async (tenant: Tenant, collection: string, body: Record<string, unknown>) => {
  const res = await t.api("POST", `/api/v1/records/${collection}`, { token: tenant.admin.token, body });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.id as string;
};

describe("deleting an account", () => {
  it("writes one record.delete outbox row per record, one INSERT per collection, payload = the record", async () => {
    const crates: string[] = [];
    for (let i = 0; i < 12; i++)
      crates.push(await create(doomed, "crates", { label: `c${i}`, weight: i + 0.5, fragile: i % 2 === 0, meta: { n: i, tags: ["a"] }, shipped: "2026-01-02T03:04:05.678Z", due: "2026-02-03" }));
    crates.push(await create(doomed, "crates", { label: "bare" }));
    const pallets = [await create(doomed, "pallets", { code: "p1" }), await create(doomed, "pallets", { code: "p2" })];
    const kept = await create(other, "crates", { label: "not mine" });

    const db = t.app.services.db;
    const crateDef = t.app.services.collections.require("crates");
    const before = new Map((await selectByIds(db, crateDef, doomed.id, crates)).map((r) => [r.id, r]));
    expect(before.size).toBe(crates.length);
    const fromSeq = Number((await db.query<{ s: unknown }>(db.qb.selectFrom("_events").select((eb) => eb.fn.max("seq").as("s"))))[0]?.s ?? 0);

    const rec = recordStatements(db, { writes: true, transactions: true });
    let status: number;
    try {
      status = (await t.api("DELETE", `/api/v1/accounts/${doomed.id}`, { token: t.adminToken })).status;
    } finally {
      rec.restore();
    }
    expect(status).toBe(204);
    const inserts = rec.texts().filter((s) => /^insert into "_events"/i.test(s.trim()));
    expect(inserts).toHaveLength(3); // one per collection (forklifts: none of its rows), not one per record

    const events = (await readOutbox(db, fromSeq, 1000)).filter((e) => e.type === "record.delete");
    expect(events.map((e) => e.recordId).sort()).toEqual([...crates, ...pallets].sort());
    expect(new Set(events.map((e) => e.accountId))).toEqual(new Set([doomed.id]));
    for (const e of events.filter((x) => x.collection === "crates")) expect(e.payload).toEqual(before.get(e.recordId!));
    expect(events.find((e) => e.collection === "pallets")!.payload).toMatchObject({ code: expect.any(String), owner_id: doomed.admin.id, updated_by: doomed.admin.id, version: 1 });

    const still = await t.api("GET", `/api/v1/records/crates/${kept}`, { token: other.admin.token });
    expect(still.status).toBe(200);
  });
});
