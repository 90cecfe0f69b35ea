/**
 * Declared actions and UI effects (issue 12 part 7): `execute` runs an action in one
 * transaction under the update rule and the action's rule, `action-meta` answers the wizard,
 * `ui-effect` computes values without saving, and GraphQL `runPostAction` runs the same
 * operation. Also the export/import routes. Runs once per database.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { fullfinityClient, OPEN_RULES } from "../helpers/fullfinity.ts";

let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
const { ff, collection, create } = fullfinityClient(
  () => t,
  () => alice.token,
);
const open = OPEN_RULES;
const gql = (query: string, variables: Record<string, unknown>, token: string) => t.api("POST", "/graphql", { token, body: { query, variables } });

const fetchOne = async (model: string, id: string) => (await ff("POST", `/api/fetch/${model}/${id}`, {})).body.data;

let acme: string;

beforeAll(async () => {
  t = await startApp();
  [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
  await collection({
    ...open,
    name: "partners",
    schema: [
      { name: "name", type: "text" },
      { name: "currency", type: "text" },
      { name: "payment_days", type: "number" },
    ],
  });
  await collection({
    ...open,
    update_rule: "owner_id = @request.auth.id",
    name: "orders",
    schema: [
      { name: "reference", type: "text" },
      { name: "partner", type: "reference", relation: { collection: "partners" } },
      { name: "status", type: "select", values: ["draft", "confirmed"] },
      { name: "total", type: "number", min: 0 },
      { name: "note", type: "text" },
      { name: "currency", type: "text" },
      { name: "due_days", type: "number" },
      { name: "label", type: "text" },
    ],
  });
  await collection({
    ...open,
    name: "order_logs",
    schema: [
      { name: "sale", type: "reference", relation: { collection: "orders" } },
      { name: "text", type: "text" },
    ],
  });
  const patch = await t.api("PATCH", "/api/v1/collections/orders", {
    token: t.adminToken,
    body: {
      options: {
        actions: {
          confirm: {
            label: "Confirm order",
            confirm: "Confirm the selected orders?",
            rule: "status = 'draft'",
            inputs: { note: { type: "string", maxLength: 50, default: "confirmed" }, discount: { type: "number", minimum: 0, maximum: 100, default: 0 } },
            effects: [
              { set: { status: "confirmed", note: { input: "note" }, total: { expr: "total * (1 - input.discount / 100)" } } },
              { create: { collection: "order_logs", values: { sale: { field: "id" }, text: { expr: "'confirmed ' + reference" } } } },
            ],
          },
          broken_total: { label: "Break", effects: [{ set: { total: -5 } }] },
        },
        ui_effects: {
          partner: { currency: { from: "currency" }, due_days: { from: "payment_days" }, label: { expr: "reference + ' / ' + referenced.name" } },
        },
      },
    },
  });
  expect(patch.status, JSON.stringify(patch.body)).toBe(200);
  acme = await create("partners", { name: "Acme", currency: "EUR", payment_days: 30 });
});

afterAll(async () => {
  await t?.close();
});

describe("execute", () => {
  it("runs the effects in one transaction, under the rules", async () => {
    const a = await create("orders", { reference: "SO1", status: "draft", total: 200, partner: acme });
    const b = await create("orders", { reference: "SO2", status: "draft", total: 50 });
    const res = await ff("POST", "/api/execute/orders/confirm", { ids: [a, b], request_body: { inputs: { discount: 10 }, context: {} } }, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.message).toBe("Method executed successfully");
    expect(res.body.result.updated).toEqual([a, b]);
    expect(res.body.result.created).toHaveLength(2);
    expect(await fetchOne("orders", a)).toMatchObject({ status: "confirmed", note: "confirmed", total: 180 });
    expect(await fetchOne("orders", b)).toMatchObject({ status: "confirmed", total: 45 });
    const logs = await ff("POST", "/api/query/order_logs", { q_filter: `Q(sale__in=['${a}', '${b}'])`, fields: ["text"], order_by: ["text ASC"] });
    expect(logs.body.data.map((r: { text: string }) => r.text)).toEqual(["confirmed SO1", "confirmed SO2"]);

    // the action's rule: already confirmed → 403, nothing written
    const again = await ff("POST", "/api/execute/orders/confirm", { ids: [a], request_body: { inputs: {} } }, alice.token);
    expect(again.status).toBe(403);
    expect(again.body.error).toBe("AccessError");
    expect(again.body.details.forbidden_ids).toEqual([a]);
    // the update rule: bob does not own alice's order
    const c = await create("orders", { reference: "SO3", status: "draft", total: 10 });
    const bobs = await ff("POST", "/api/execute/orders/confirm", { ids: [c], request_body: { inputs: {} } }, bob.token);
    expect(bobs.status).toBe(403);
    expect(await fetchOne("orders", c)).toMatchObject({ status: "draft" });
    // context.active_ids as the ids, default inputs
    const wizard = await ff("POST", "/api/execute/orders/confirm", { request_body: { inputs: { note: "ok" }, context: { active_ids: [c], active_model: "orders" } } }, alice.token);
    expect(wizard.status, JSON.stringify(wizard.body)).toBe(200);
    expect(await fetchOne("orders", c)).toMatchObject({ status: "confirmed", note: "ok", total: 10 });
  });

  it("refuses unknown actions, bad inputs and failing values without writing", async () => {
    const a = await create("orders", { reference: "SO9", status: "draft", total: 5 });
    const cases: [string, unknown, number, RegExp][] = [
      ["nope", { ids: [a] }, 404, /Action 'nope' not found/],
      ["confirm", { ids: [a], request_body: { inputs: { discount: 500 } } }, 400, /discount must be <= 100/],
      ["confirm", { ids: [a], request_body: { inputs: { colour: "red" } } }, 400, /colour unknown input/],
      ["confirm", { ids: [a], request_body: { inputs: { note: 7 } } }, 400, /note must be string/],
      ["confirm", { ids: [] }, 400, /ids/],
      ["confirm", { ids: ["missing"] }, 404, /missing/],
      ["broken_total", { ids: [a] }, 400, /total/],
    ];
    for (const [method, body, status, message] of cases) {
      const res = await ff("POST", `/api/execute/orders/${method}`, body, alice.token);
      expect(res.status, JSON.stringify([method, body, res.body])).toBe(status);
      expect(res.body.detail).toMatch(message);
    }
    expect(await fetchOne("orders", a)).toMatchObject({ status: "draft", total: 5, version: 1 });
  });

  it("refuses a malformed declaration when the collection is saved", async () => {
    const cases: [unknown, RegExp][] = [
      [{ actions: { x: { effects: [] } } }, /actions\.x\.effects: must be a non-empty list/],
      [{ actions: { x: { effects: [{ set: { nope: 1 } }] } } }, /unknown field 'nope'/],
      [{ actions: { x: { effects: [{ set: { total: { expr: "total +" } } }] } } }, /unexpected end of expression/],
      [{ actions: { x: { effects: [{ create: { collection: "ghosts", values: {} } }] } } }, /unknown collection 'ghosts'/],
      [{ actions: { x: { inputs: { n: { type: "nonsense" } }, effects: [{ set: { total: 1 } }] } } }, /actions\.x\.inputs/],
      [{ ui_effects: { nope: {} } }, /unknown trigger field 'nope'/],
    ];
    for (const [options, message] of cases) {
      const res = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body: { name: "bad_decl", schema: [{ name: "total", type: "number" }], options } });
      expect(res.status, JSON.stringify([options, res.body])).toBe(400);
      expect(res.body.message).toMatch(message);
    }
  });

  it("answers the wizard metadata", async () => {
    const res = await ff("POST", "/api/action-meta/orders/confirm", { context: { active_ids: [] } }, alice.token);
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ name: "confirm", label: "Confirm order", confirmation: "Confirm the selected orders?", defaults: { note: "confirmed", discount: 0 } });
    expect(res.body.view.inputs.discount).toMatchObject({ type: "number", maximum: 100 });
    const missing = await ff("POST", "/api/action-meta/orders/nope", {}, alice.token);
    expect(missing.status).toBe(404);
  });

  it("runs the same action through GraphQL runPostAction", async () => {
    const a = await create("orders", { reference: "SO7", status: "draft", total: 100 });
    const mutation = 'mutation($ids: [ID!]!, $inputs: JSON) { runPostAction(collection: "orders", name: "confirm", ids: $ids, inputs: $inputs) { updated created { collection id } } }';
    const res = await gql(mutation, { ids: [a], inputs: { discount: 50 } }, alice.token);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.runPostAction.updated).toEqual([a]);
    expect(res.body.data.runPostAction.created[0].collection).toBe("order_logs");
    expect(await fetchOne("orders", a)).toMatchObject({ status: "confirmed", total: 50 });
    const bad = await gql(mutation, { ids: [a], inputs: { discount: -1 } }, alice.token);
    expect(bad.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("ui-effect", () => {
  it("computes values from the referenced record and expressions without saving", async () => {
    const res = await ff("POST", "/api/ui-effect/orders", { values: { reference: "SO5", partner: acme }, trigger_field: "partner" }, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ currency: "EUR", due_days: 30, label: "SO5 / Acme" });
    const id = await create("orders", { reference: "SO6", status: "draft" });
    const edit = await ff("POST", "/api/ui-effect/orders", { id, values: { partner: acme }, trigger_field: "partner" }, alice.token);
    expect(edit.body).toEqual({ currency: "EUR", due_days: 30, label: "SO6 / Acme" });
    expect(await fetchOne("orders", id)).toMatchObject({ currency: null, version: 1 });
    const none = await ff("POST", "/api/ui-effect/orders", { values: { status: "draft" }, trigger_field: "status" }, alice.token);
    expect(none.body).toEqual({});
    const dangling = await ff("POST", "/api/ui-effect/orders", { values: { reference: "X", partner: "nope" }, trigger_field: "partner" }, alice.token);
    expect(dangling.body).toEqual({ currency: null, due_days: null, label: null });
    const bad = await ff("POST", "/api/ui-effect/orders", { values: {}, trigger_field: "nope" }, alice.token);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/nope/);
    const anon = await ff("POST", "/api/ui-effect/orders", { values: {}, trigger_field: "partner" }, "");
    expect(anon.status).toBe(401);
    const q = await gql('query($v: JSON!) { uiEffect(collection: "orders", triggerField: "partner", values: $v) }', { v: { reference: "G", partner: acme } }, alice.token);
    expect(q.body.data.uiEffect).toEqual({ currency: "EUR", due_days: 30, label: "G / Acme" });
  });
});

describe("export and import", () => {
  it("exports the given ids as csv and xlsx, and imports a csv through a mapping", async () => {
    const ids = [await create("partners", { name: "Exp One", currency: "USD", payment_days: 10 }), await create("partners", { name: "Exp Two", currency: "GBP", payment_days: 20 })];
    const csv = await ff("POST", "/api/export/partners", { ids, fields: ["name", "currency"], format: "csv" }, alice.token);
    expect(csv.status).toBe(200);
    expect(csv.headers.get("content-type")).toMatch(/text\/csv/);
    const lines = String(csv.body).trim().split(/\r?\n/);
    expect(lines[0]).toBe("id,created,updated,name,currency");
    expect(
      lines
        .slice(1)
        .map((l) => l.split(",").slice(3).join(","))
        .sort(),
    ).toEqual(["Exp One,USD", "Exp Two,GBP"]);
    const xlsx = await fetch(`${t.url}/api/export/partners`, {
      method: "POST",
      headers: { authorization: `Bearer ${alice.token}`, "content-type": "application/json" },
      body: JSON.stringify({ ids, format: "xlsx" }),
    });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get("content-disposition")).toMatch(/partners_export\.xlsx/);
    expect(
      Buffer.from(await xlsx.arrayBuffer())
        .subarray(0, 2)
        .toString(),
    ).toBe("PK");
    const bad = await ff("POST", "/api/export/partners", { ids, fields: ["nope"], format: "csv" }, alice.token);
    expect(bad.status).toBe(400);

    const form = new FormData();
    form.append("mapping", JSON.stringify({ "Partner Name": "name", Days: "payment_days" }));
    form.append("file", new Blob(["Partner Name,Days,Ignored\nImp One,15,x\nImp Two,25,y\n"], { type: "text/csv" }), "partners.csv");
    const imported = await fetch(`${t.url}/api/import/partners`, { method: "POST", headers: { authorization: `Bearer ${alice.token}` }, body: form });
    const body = await imported.json();
    expect(imported.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ imported: 2, failed: 0 });
    const rows = await ff("POST", "/api/query/partners", { q_filter: "Q(name__startswith='Imp')", fields: ["name", "payment_days"], order_by: ["name ASC"] }, alice.token);
    expect(rows.body.data.map((r: { name: string; payment_days: number }) => [r.name, r.payment_days])).toEqual([
      ["Imp One", 15],
      ["Imp Two", 25],
    ]);
    const badMap = new FormData();
    badMap.append("mapping", JSON.stringify({ A: "nope" }));
    badMap.append("file", new Blob(["A\n1\n"], { type: "text/csv" }), "x.csv");
    const refused = await fetch(`${t.url}/api/import/partners`, { method: "POST", headers: { authorization: `Bearer ${alice.token}` }, body: badMap });
    expect(refused.status).toBe(400);
    expect((await refused.json()).detail).toMatch(/unknown field 'nope'/);
  });
});
