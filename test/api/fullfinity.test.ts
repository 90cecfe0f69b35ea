/**
 * The Fullfinity dialect (spec 002, issue 12): auth, model queries with Q() filters (a table of
 * expected rows, and parity with the FastCMS filter on the same data), traversal through
 * references, group_by aggregation against SQL written by hand (with rules applied), fetch with
 * related records per level, records CRUD and bulk, and `{detail, error}` errors. Runs once per
 * database.
 */
import { request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_EMAIL, ADMIN_PASSWORD, registerUser, startApp, TEST_DB, type TestApp } from "../helpers/app.ts";
import { fullfinityClient, OPEN_RULES } from "../helpers/fullfinity.ts";
import { recordStatements } from "../helpers/statements.ts";

let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
const OWN = "owner_id = @request.auth.id";

const { ff, collection, create } = fullfinityClient(() => t);
const open = OPEN_RULES;

const CONTACTS = [
  { name: "Acme Corp", email: "info@acme.test", active: true, country: "fr", score: 10 },
  { name: "acme labs", email: "labs@acme.test", active: false, country: "de", score: 5.5 },
  { name: "Beta GmbH", email: "hi@beta.test", active: true, country: "de", score: null },
  { name: "Gamma", email: null, active: true, country: null, score: 42 },
  { name: "it's quoted", email: "q@q.test", active: null, country: "fr", score: -1 },
];
const contactIds = new Map<string, string>();

beforeAll(async () => {
  t = await startApp();
  [alice, bob] = await Promise.all([registerUser(t.api), registerUser(t.api)]);
  await collection({
    ...open,
    name: "contacts",
    schema: [
      { name: "name", type: "text", required: true },
      { name: "email", type: "email", unique: true },
      { name: "active", type: "bool" },
      { name: "country", type: "select", values: ["fr", "de", "uk"] },
      { name: "score", type: "number" },
    ],
  });
  await collection({
    ...open,
    name: "products",
    schema: [
      { name: "name", type: "text" },
      { name: "price", type: "number" },
    ],
  });
  await collection({
    ...open,
    list_rule: OWN,
    view_rule: OWN,
    name: "orders",
    options: { display_field: "reference" },
    schema: [
      { name: "reference", type: "text" },
      { name: "contact", type: "reference", relation: { collection: "contacts" } },
      { name: "status", type: "select", values: ["draft", "confirmed", "done"] },
      { name: "total", type: "number" },
      { name: "due", type: "date" },
    ],
  });
  await collection({
    ...open,
    name: "lines",
    schema: [
      { name: "sale", type: "reference", relation: { collection: "orders" } },
      { name: "product", type: "reference", relation: { collection: "products" } },
      { name: "qty", type: "number" },
    ],
  });
  for (const c of CONTACTS) contactIds.set(c.name, await create("contacts", c));
});

afterAll(async () => {
  await t?.close();
});

describe("auth", () => {
  it("authenticates, refreshes and refuses bad credentials with {detail, error}", async () => {
    const ok = await t.api("POST", "/auth/authenticate", { body: { email: ADMIN_EMAIL, password: ADMIN_PASSWORD } });
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ message: "Authenticated", token_type: "bearer" });
    expect(ok.body.expires_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC$/);
    expect(Date.parse(ok.body.expires_at.replace(" UTC", "Z").replace(" ", "T"))).toBeGreaterThan(Date.now());
    const q = await ff("POST", "/api/query/contacts", { limit: 1 }, ok.body.access_token);
    expect(q.status).toBe(200);

    const bad = await t.api("POST", "/auth/authenticate", { body: { email: ADMIN_EMAIL, password: "wrong-password" } });
    expect(bad.status).toBe(401);
    expect(bad.body).toEqual({ detail: "Invalid email or password", error: "AuthenticationError" });

    const refreshed = await t.api("POST", "/auth/refresh", { body: { refresh_token: ok.body.refresh_token } });
    expect(refreshed.status).toBe(200);
    expect(refreshed.body.refresh_token).not.toBe(ok.body.refresh_token);
    expect(refreshed.body.expires_at).toMatch(/ UTC$/);
    const reused = await t.api("POST", "/auth/refresh", { body: { refresh_token: "nope" } });
    expect(reused.status).toBe(401);
    expect(reused.body.error).toBe("AuthenticationError");
  });

  it("selects the account (Fullfinity's database) by the db parameter or the host's subdomain, never the body", async () => {
    const email = `same-${Date.now()}@example.com`;
    const password = "SecurePass123!";
    const slug = `tenant${Date.now().toString(36)}`;
    const tenant = await t.api("POST", "/api/v1/auth/register", { body: { account_name: "Tenant", account_slug: slug, email, password } });
    expect(tenant.status, JSON.stringify(tenant.body)).toBe(201);
    expect((await t.api("POST", `/api/v1/users/${tenant.body.user.id}/verify`, { token: t.adminToken })).status).toBe(200);
    const plain = await registerUser(t.api, email, password);
    const accountOf = (token: string) => JSON.parse(Buffer.from(token.split(".")[1]!, "base64url").toString()).acc as string;
    // node:http, not fetch: fetch sends the URL's host whatever the headers say
    const signIn = (query = "", headers: Record<string, string> = {}, extra: Record<string, unknown> = {}) =>
      new Promise<{ status: number; body: any }>((resolve, reject) => {
        const body = JSON.stringify({ email, password, ...extra });
        const req = request(`${t.url}/auth/authenticate${query}`, { method: "POST", headers: { "content-type": "application/json", ...headers } }, (res) => {
          let text = "";
          res.on("data", (c: Buffer) => (text += c.toString()));
          res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text) }));
        });
        req.on("error", reject);
        req.end(body);
      });

    const byDefault = await signIn();
    expect(byDefault.status).toBe(200);
    expect(accountOf(byDefault.body.access_token)).toBe(accountOf(plain.token));
    const byParam = await signIn(`?db=${slug}`);
    expect(byParam.status, JSON.stringify(byParam.body)).toBe(200);
    const tenantAccount = accountOf(byParam.body.access_token);
    expect(tenantAccount).not.toBe(accountOf(plain.token));
    const byHost = await signIn("", { host: `${slug}.cms.example.test` });
    expect(byHost.status, JSON.stringify(byHost.body)).toBe(200);
    expect(accountOf(byHost.body.access_token)).toBe(tenantAccount);
    // a subdomain no account has, an IP address, a body field: the default account
    for (const [headers, extra] of [
      [{ host: "www.example.test" }, {}],
      [{ host: "127.0.0.1:8000" }, {}],
      [{}, { account: slug, db: slug }],
    ] as const) {
      const r = await signIn("", headers, extra);
      expect(r.status, JSON.stringify(r.body)).toBe(200);
      expect(accountOf(r.body.access_token)).toBe(accountOf(plain.token));
    }
    const unknown = await signIn("?db=no-such-account");
    expect(unknown.status).toBe(401);
    expect(unknown.body).toEqual({ detail: "Invalid email or password", error: "AuthenticationError" });
  });

  it("answers 401 without a token where the rule needs one", async () => {
    const res = await ff("POST", "/api/query/contacts", {}, "");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("AuthenticationError");
    expect(typeof res.body.detail).toBe("string");
  });
});

describe("query with Q()", () => {
  // [Q filter, equivalent FastCMS filter (null: the FastCMS language has no prefix/suffix match), expected names]
  const table: [string, string | null, string[]][] = [
    ["Q(active__eq=True)", "active = true", ["Acme Corp", "Beta GmbH", "Gamma"]],
    ["Q(active=False)", "active = false", ["acme labs"]],
    ["Q(active__isnull=True)", "active = null", ["it's quoted"]],
    ["~Q(active=True)", "!(active = true)", ["acme labs", "it's quoted"]],
    ["Q(name__icontains='acme')", 'name ~ "acme"', ["Acme Corp", "acme labs"]],
    ["Q(name__icontains='ACME')", 'name ~ "ACME"', ["Acme Corp", "acme labs"]],
    // contains, startswith and endswith match case exactly (the FastCMS language has no such match)
    ["Q(name__contains='acme')", null, ["acme labs"]],
    ["Q(name__contains='Acme')", null, ["Acme Corp"]],
    ["Q(name__contains='ACME')", null, []],
    ["~Q(name__contains='acme')", null, ["Acme Corp", "Beta GmbH", "Gamma", "it's quoted"]],
    ["Q(name__istartswith='a')", null, ["Acme Corp", "acme labs"]],
    ["Q(name__startswith='a')", null, ["acme labs"]],
    ["Q(name__startswith='A')", null, ["Acme Corp"]],
    ["Q(name__endswith='H')", null, ["Beta GmbH"]],
    ["Q(name__endswith='h')", null, []],
    ["Q(name__iendswith='GMBH')", null, ["Beta GmbH"]],
    ['Q(name__eq="it\'s quoted")', 'name = "it\'s quoted"', ["it's quoted"]],
    ["Q(name__ne='Gamma')", 'name != "Gamma"', ["Acme Corp", "acme labs", "Beta GmbH", "it's quoted"]],
    ["Q(score__gt=5.5)", "score > 5.5", ["Acme Corp", "Gamma"]],
    ["Q(score__gte=5.5)", "score >= 5.5", ["Acme Corp", "acme labs", "Gamma"]],
    ["Q(score__lt=0)", "score < 0", ["it's quoted"]],
    ["Q(score__lte=10)", "score <= 10", ["Acme Corp", "acme labs", "it's quoted"]],
    ["Q(score=None)", "score = null", ["Beta GmbH"]],
    ["Q(country__in=['fr', 'uk'])", 'country in ["fr", "uk"]', ["Acme Corp", "it's quoted"]],
    ["Q(country__in=('de',))", 'country in ["de"]', ["acme labs", "Beta GmbH"]],
    ["Q(country__isnull=False) & Q(active=True)", "country != null && active = true", ["Acme Corp", "Beta GmbH"]],
    ["Q(country='fr') | Q(score__gt=40)", 'country = "fr" || score > 40', ["Acme Corp", "Gamma", "it's quoted"]],
    ["Q(country='de') | Q(country='fr') & Q(active=True)", 'country = "de" || (country = "fr" && active = true)', ["Acme Corp", "acme labs", "Beta GmbH"]],
    ["(Q(country='de') | Q(country='fr')) & ~Q(active=True)", '(country = "de" || country = "fr") && !(active = true)', ["acme labs", "it's quoted"]],
    ["Q(country='de', active=True)", 'country = "de" && active = true', ["Beta GmbH"]],
    ["Q(email__iendswith='@acme.test')", 'email ~ "@acme.test"', ["Acme Corp", "acme labs"]],
    ["Q(email__in=[])", "email in []", []],
    ["", "", CONTACTS.map((c) => c.name)],
  ];
  it.each(table)("%s", async (q, fastcms, expected) => {
    const res = await ff("POST", "/api/query/contacts", { q_filter: q, fields: ["id", "name"], order_by: ["name ASC"], limit: 100 });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.total).toBe(expected.length);
    expect(res.body.data.map((r: { name: string }) => r.name).sort()).toEqual([...expected].sort());
    expect(Object.keys(res.body.data[0] ?? { id: 1, name: 1 }).sort()).toEqual(["id", "name"]);
    if (fastcms === null) return;
    const parity = await t.api("GET", `/api/v1/collections/contacts/records?per_page=100&filter=${encodeURIComponent(fastcms)}`, { token: t.adminToken });
    expect(parity.status, JSON.stringify(parity.body)).toBe(200);
    expect(parity.body.items.map((r: { id: string }) => r.id).sort()).toEqual(res.body.data.map((r: { id: string }) => r.id).sort());
  });

  it("orders, pages and counts", async () => {
    const res = await ff("POST", "/api/query/contacts", { fields: ["name", "score"], order_by: ["score DESC", "name ASC"], limit: 2, offset: 1 });
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(5);
    expect(res.body.data.map((r: { name: string }) => r.name)).toEqual(["Acme Corp", "acme labs"]);
    const all = await ff("POST", "/api/query/contacts", { order_by: "name desc", limit: 1 });
    expect(all.body.data[0]).toMatchObject({ name: "it's quoted", display_name: "it's quoted" });
    expect(all.body.data[0]).toHaveProperty("created");
  });

  it("answers the same query as a GET with the query string", async () => {
    const q = new URLSearchParams({ q_filter: "Q(country='de')", fields: "id, name", order_by: "name desc", limit: "1", offset: "1" });
    const res = await ff("GET", `/api/query/contacts?${q}`);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ data: [{ id: contactIds.get("Beta GmbH"), name: "Beta GmbH" }], total: 2 });
    const grouped = await ff("GET", `/api/query/contacts?group_by=country&fields=score:sum&order_by=country%20asc`);
    expect(grouped.body.data).toEqual([
      { country: null, count: 1, score_sum: 42 },
      { country: "de", count: 2, score_sum: 5.5 },
      { country: "fr", count: 2, score_sum: 9 },
    ]);
    const bad = await ff("GET", `/api/query/contacts?q_filter=${encodeURIComponent("Q(")}`);
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/position 2/);
  });

  it("answers 400 {detail} naming the position or the field", async () => {
    const cases: [unknown, RegExp][] = [
      [{ q_filter: "Q(active__eq=True" }, /position 17/],
      [{ q_filter: "Q(active__like=True)" }, /unknown field 'active.like'|active\.like/],
      [{ q_filter: "Q(nope=1)" }, /unknown field 'nope'/],
      [{ q_filter: "Q(score__icontains='x')" }, /not supported for number field 'score'/],
      [{ q_filter: "Q(name__name='x')" }, /not a reference/],
      [{ order_by: ["nope ASC"] }, /unknown sort field 'nope'/],
      [{ order_by: ["name SIDEWAYS"] }, /Invalid order_by term/],
      [{ fields: ["nope"] }, /Unknown field 'nope'/],
      [{ limit: 1000 }, /limit must be between/],
      [{ fields: ["score:median"], group_by: ["country"] }, /aggregates are written/],
    ];
    for (const [body, message] of cases) {
      const res = await ff("POST", "/api/query/contacts", body);
      expect(res.status, JSON.stringify([body, res.body])).toBe(400);
      expect(res.body.detail).toMatch(message);
      expect(typeof res.body.error).toBe("string");
    }
    const missing = await ff("POST", "/api/query/nothing", {});
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ detail: "Collection 'nothing' not found", error: "NotFound" });
  });
});

describe("orders: traversal, group_by, fetch", () => {
  const orders: { reference: string; contact: string; status: string; total: number | null; due: string; owner: "alice" | "bob" }[] = [
    { reference: "SO1", contact: "Acme Corp", status: "draft", total: 100, due: "2026-01-05", owner: "alice" },
    { reference: "SO2", contact: "Acme Corp", status: "done", total: 250.5, due: "2026-02-01", owner: "alice" },
    { reference: "SO3", contact: "acme labs", status: "done", total: 40, due: "2026-01-20", owner: "alice" },
    { reference: "SO4", contact: "Beta GmbH", status: "draft", total: null, due: "2026-03-01", owner: "alice" },
    { reference: "SO5", contact: "Gamma", status: "confirmed", total: 999, due: "2025-12-31", owner: "bob" },
    { reference: "SO6", contact: "Acme Corp", status: "done", total: 1, due: "2026-04-01", owner: "bob" },
  ];
  const ids = new Map<string, string>();
  let widget: string;

  beforeAll(async () => {
    for (const o of orders) {
      const token = o.owner === "alice" ? alice.token : bob.token;
      ids.set(o.reference, await create("orders", { reference: o.reference, contact: contactIds.get(o.contact), status: o.status, total: o.total, due: o.due }, token));
    }
    widget = await create("products", { name: "Widget", price: 3 });
    const gadget = await create("products", { name: "Gadget", price: 7 });
    await create("lines", { sale: ids.get("SO1"), product: widget, qty: 2 }, alice.token);
    await create("lines", { sale: ids.get("SO1"), product: gadget, qty: 1 }, alice.token);
    await create("lines", { sale: ids.get("SO2"), product: widget, qty: 5 }, alice.token);
  });

  it("filters through references under the caller's rules", async () => {
    const res = await ff("POST", "/api/query/orders", { q_filter: "Q(contact__name__icontains='acme')", fields: ["reference"], order_by: ["reference ASC"] }, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data.map((r: { reference: string }) => r.reference)).toEqual(["SO1", "SO2", "SO3"]);
    const negated = await ff("POST", "/api/query/orders", { q_filter: "~Q(contact__name__icontains='acme') & Q(status='draft')", fields: ["reference"] }, alice.token);
    expect(negated.body.data.map((r: { reference: string }) => r.reference)).toEqual(["SO4"]);
    const deep = await ff("POST", "/api/query/lines", { q_filter: "Q(sale__contact__name='Acme Corp') & Q(product__name__startswith='W')", fields: ["qty"], order_by: ["qty ASC"] }, alice.token);
    expect(deep.status, JSON.stringify(deep.body)).toBe(200);
    expect(deep.body.data.map((r: { qty: number }) => r.qty)).toEqual([2, 5]);
    // bob cannot list alice's orders: their lines do not match through them
    const hidden = await ff("POST", "/api/query/lines", { q_filter: "Q(sale__reference='SO1')" }, bob.token);
    expect(hidden.body.total).toBe(0);
    const unknown = await ff("POST", "/api/query/orders", { q_filter: "Q(contact__nope='x')" }, alice.token);
    expect(unknown.status).toBe(400);
    expect(unknown.body.detail).toMatch(/unknown field 'nope'.*contacts/);
  });

  it("groups in SQL with rules applied, matching hand-written SQL", async () => {
    const body = { group_by: ["status"], fields: ["total:sum", "total:avg", "total:min", "total:max", "due:max"], order_by: ["status ASC"] };
    const res = await ff("POST", "/api/query/orders", body, alice.token);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const p = TEST_DB === "postgres" ? "$1" : "?";
    const rows = await t.app.services.db.query<Record<string, unknown>>({
      sql: `SELECT status, count(*) AS n, sum(total) AS s, avg(total) AS a, min(total) AS mi, max(total) AS ma, max(due) AS d FROM orders WHERE owner_id = ${p} GROUP BY status ORDER BY status`,
      parameters: [alice.id],
    });
    expect(res.body.total).toBe(rows.length);
    expect(res.body.data).toEqual(
      rows.map((r) => ({
        status: r.status,
        count: Number(r.n),
        total_sum: r.s === null ? null : Number(r.s),
        total_avg: r.a === null ? null : Number(r.a),
        total_min: r.mi === null ? null : Number(r.mi),
        total_max: r.ma === null ? null : Number(r.ma),
        due_max: r.d instanceof Date ? r.d.toISOString().slice(0, 10) : r.d,
      })),
    );
    expect(res.body.data.find((g: { status: string }) => g.status === "done")).toMatchObject({ count: 2, total_sum: 290.5, total_avg: 145.25 });
    // the superadmin sees every order: bob's count too
    const all = await ff("POST", "/api/query/orders", { group_by: "status", order_by: ["count DESC", "status ASC"], limit: 1 });
    expect(all.body).toEqual({ data: [{ status: "done", count: 3 }], total: 3 });
  });

  it("groups through GraphQL aggregateRecords like the REST query", async () => {
    const query = `query($f: String) { aggregateRecords(collection: "orders", groupBy: ["status"], aggregates: [{field: "total", fn: "sum"}],
      filter: $f, orderBy: [{key: "total_sum", desc: true}]) { groups total } }`;
    const res = await t.api("POST", "/graphql", { token: alice.token, body: { query, variables: { f: 'contact.name ~ "acme"' } } });
    expect(res.body.errors).toBeUndefined();
    expect(res.body.data.aggregateRecords).toEqual({
      groups: [
        { status: "done", count: 2, total_sum: 290.5 },
        { status: "draft", count: 1, total_sum: 100 },
      ],
      total: 2,
    });
    const rest = await ff("POST", "/api/query/orders", { group_by: ["status"], fields: ["total:sum"], q_filter: "Q(contact__name__icontains='acme')", order_by: ["total_sum DESC"] }, alice.token);
    expect(rest.body.data).toEqual(res.body.data.aggregateRecords.groups);
    const bad = await t.api("POST", "/graphql", { token: alice.token, body: { query, variables: { f: "nope = 1" } } });
    expect(bad.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });

  it("groups by a reference, filtered through another, with bad requests refused", async () => {
    const res = await ff("POST", "/api/query/orders", { group_by: ["contact"], fields: ["total:sum"], q_filter: "Q(contact__country='fr')", order_by: ["total_sum DESC"] });
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body.data).toEqual([{ contact: contactIds.get("Acme Corp"), count: 3, total_sum: 351.5 }]);
    const bad: [unknown, RegExp][] = [
      [{ group_by: ["nope"] }, /Unknown group_by field 'nope'/],
      [{ group_by: ["status"], fields: ["reference:sum"] }, /Cannot sum field 'reference'/],
      [{ group_by: ["status"], order_by: ["total ASC"] }, /Cannot order groups by 'total'/],
      [{ fields: ["total:sum"] }, /need group_by/],
    ];
    for (const [body, message] of bad) {
      const r = await ff("POST", "/api/query/orders", body);
      expect(r.status, JSON.stringify(r.body)).toBe(400);
      expect(r.body.detail).toMatch(message);
    }
  });

  it("fetches one record with references and reverse relations, one query per level", async () => {
    const stmts = recordStatements(t.app.services.db);
    const res = await ff("POST", `/api/fetch/orders/${ids.get("SO1")}`, { fields: ["reference", "contact"], related: ["contact", "lines.product"] }, alice.token);
    // statements on record tables only: the event dispatcher may poll its system tables meanwhile
    const count = stmts.texts().filter((q) => !/\bfrom "_/i.test(q)).length;
    stmts.restore();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    const d = res.body.data;
    expect(d).toMatchObject({ id: ids.get("SO1"), reference: "SO1", contact: { id: contactIds.get("Acme Corp"), name: "Acme Corp", display_name: "Acme Corp" } });
    expect(d.lines.map((l: { qty: number; product: { name: string } }) => [l.qty, l.product.name]).sort()).toEqual([
      [1, "Gadget"],
      [2, "Widget"],
    ]);
    // the record, contacts, lines, products: never one per row
    expect(count).toBeLessThanOrEqual(4);
    const hidden = await ff("POST", `/api/fetch/orders/${ids.get("SO1")}`, {}, bob.token);
    expect(hidden.status).toBe(404);
    expect(hidden.body.error).toBe("NotFound");
    const hostile = await ff("POST", `/api/fetch/orders/${ids.get("SO1")}`, { fields: ["__proto__", "constructor", "reference"] }, alice.token);
    expect(hostile.status).toBe(200);
    expect(hostile.body.data).toEqual({ id: ids.get("SO1"), reference: "SO1" });
    for (const body of [{ group_by: ["__proto__"] }, { q_filter: "Q(__proto__=1)" }, { fields: ["constructor"] }]) {
      const r = await ff("POST", "/api/query/orders", body, alice.token);
      expect(r.status, JSON.stringify([body, r.body])).toBe(400);
    }
    const badPath = await ff("POST", `/api/fetch/orders/${ids.get("SO1")}`, { related: ["nope"] }, alice.token);
    expect(badPath.status).toBe(400);
    expect(badPath.body.detail).toMatch(/nope/);
  });
});

describe("traversal without a cap on matches", () => {
  const REGIONS = 1050;
  const regionIds: string[] = [];

  beforeAll(async () => {
    await collection({ ...open, list_rule: OWN, view_rule: OWN, name: "regions", schema: [{ name: "name", type: "text" }] });
    await collection({
      ...open,
      name: "sites",
      schema: [
        { name: "label", type: "text" },
        { name: "region", type: "reference", relation: { collection: "regions" } },
        { name: "nearby", type: "reference", relation: { collection: "regions" }, multiple: true },
      ],
    });
    for (let start = 0; start < REGIONS; start += 100) {
      const records = Array.from({ length: Math.min(100, REGIONS - start) }, (_, i) => ({ name: `R${String(start + i).padStart(4, "0")}` }));
      const res = await ff("POST", "/api/bulk-create/regions", { records }, alice.token);
      expect(res.status, JSON.stringify(res.body)).toBe(200);
      regionIds.push(...res.body.data.map((r: { id: string }) => r.id));
    }
    await create("sites", { label: "first", region: regionIds[0], nearby: [regionIds[1049], regionIds[3]] }, alice.token);
    await create("sites", { label: "last", region: regionIds[1049], nearby: [] }, alice.token);
    await create("sites", { label: "nowhere", region: null }, alice.token);
  });

  it("matches through more than 1,000 referenced records in one statement, rules of the referenced collection applied", async () => {
    const stmts = recordStatements(t.app.services.db);
    const res = await ff("POST", "/api/query/sites", { q_filter: "Q(region__name__startswith='R')", fields: ["label"], order_by: ["label ASC"] }, alice.token);
    const texts = stmts.texts();
    stmts.restore();
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toEqual({ data: [expect.objectContaining({ label: "first" }), expect.objectContaining({ label: "last" })], total: 2 });
    // the referenced records are matched inside the list statement, never read into the server
    expect(texts.filter((q) => /from "regions"/i.test(q) && !/from "sites"/i.test(q))).toEqual([]);
    expect(texts.some((q) => /from "sites"/i.test(q) && /from "regions"/i.test(q))).toBe(true);
    const negated = await ff("POST", "/api/query/sites", { q_filter: "~Q(region__name__gte='R0500')", fields: ["label"], order_by: ["label ASC"] }, alice.token);
    expect(negated.body.data.map((r: { label: string }) => r.label)).toEqual(["first", "nowhere"]);
    const isNull = await ff("POST", "/api/query/sites", { q_filter: "Q(region__name__isnull=True)", fields: ["label"] }, alice.token);
    expect(isNull.body.data.map((r: { label: string }) => r.label)).toEqual(["nowhere"]);
    const many = await ff("POST", "/api/query/sites", { q_filter: "Q(nearby__name='R1049')", fields: ["label"] }, alice.token);
    expect(many.body.data.map((r: { label: string }) => r.label)).toEqual(["first"]);
    const grouped = await ff("POST", "/api/query/sites", { group_by: ["label"], q_filter: "Q(region__name__contains='R1')", order_by: ["label ASC"] }, alice.token);
    expect(grouped.body).toEqual({ data: [{ label: "last", count: 1 }], total: 1 });
    // bob may list the sites but none of alice's regions: nothing matches through them
    const hidden = await ff("POST", "/api/query/sites", { q_filter: "Q(region__name__startswith='R')" }, bob.token);
    expect(hidden.status).toBe(200);
    expect(hidden.body.total).toBe(0);
    const search = await ff("POST", "/api/name_search/sites", { term: "", filter: "Q(region__name='R1049')" }, alice.token);
    expect(search.body.data.map((r: { display_name: string }) => r.display_name)).toEqual(["last"]);
  });
});

describe("records", () => {
  it("creates, updates, deletes with rules and errors", async () => {
    const created = await ff("POST", "/api/create/products", { name: "New Product", price: 99.99 }, alice.token);
    expect(created.status).toBe(200);
    expect(created.body).toEqual({ id: expect.any(String), name: "New Product", display_name: "New Product" });
    const id = created.body.id;
    const updated = await ff("PUT", `/api/update/products/${id}`, { price: 149.99 }, alice.token);
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ id, name: "New Product", price: 149.99, version: 2 });
    const invalid = await ff("PUT", `/api/update/products/${id}`, { price: "lots" }, alice.token);
    expect(invalid.status).toBe(400);
    expect(invalid.body.error).toBe("ValidationError");
    expect(invalid.body.details).toHaveProperty("price");
    const unknownField = await ff("POST", "/api/create/products", { nope: 1 }, alice.token);
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.detail).toMatch(/nope/);
    const anon = await ff("POST", "/api/create/products", { name: "x" }, "");
    expect(anon.status).toBe(401);
    const dup = await ff("POST", "/api/create/contacts", { name: "Dup", email: "info@acme.test" });
    expect(dup.status).toBe(409);
    expect(dup.body).toMatchObject({ error: "Conflict" });
    const deleted = await ff("DELETE", `/api/delete/products/${id}`, undefined, alice.token);
    expect(deleted.status).toBe(200);
    expect(deleted.body).toEqual({ message: "Record deleted", id });
    const again = await ff("DELETE", `/api/delete/products/${id}`, undefined, alice.token);
    expect(again.status).toBe(404);
    expect(again.body.error).toBe("NotFound");
  });

  it("takes ids as strings (UUIDs): numeric ids from clients get a 4xx naming them, never a 500", async () => {
    const cases: [string, string, unknown, number, RegExp][] = [
      ["POST", "/api/fetch/products/1", {}, 404, /Record '1' not found/],
      ["PUT", "/api/update/products/2", { price: 1 }, 404, /Record '2' not found/],
      ["DELETE", "/api/delete/products/3", undefined, 404, /Record '3' not found/],
      ["PUT", "/api/bulk-update/products", { ids: [1, 2], values: { price: 1 } }, 400, /Record '1' not found/],
      ["DELETE", "/api/bulk-delete/products", { ids: [1, 2] }, 400, /Record '1' not found/],
      ["POST", "/api/clone/products", { id: 123 }, 404, /Record '123' not found/],
      ["POST", "/api/resequence/products", { dropped_column_id: 3, after_column_id: 1, sequence_field: "price" }, 404, /'3'/],
      ["POST", "/api/create/orders", { reference: "SO-num", contact: 5 }, 400, /contact/],
    ];
    for (const [method, path, body, status, detail] of cases) {
      const res = await ff(method, path, body, alice.token);
      expect(res.status, JSON.stringify([path, res.body])).toBe(status);
      expect(JSON.stringify(res.body), path).toMatch(detail);
      expect(typeof res.body.detail).toBe("string");
    }
    const q = await ff("POST", "/api/query/products", { q_filter: "Q(id=1)" }, alice.token);
    expect(q.status).toBe(200);
    expect(q.body.total).toBe(0);
  });

  it("bulk creates, updates and deletes all or nothing", async () => {
    const made = await ff(
      "POST",
      "/api/bulk-create/products",
      {
        records: [
          { name: "Product 1", price: 10 },
          { name: "Product 2", price: 20 },
        ],
      },
      alice.token,
    );
    expect(made.status, JSON.stringify(made.body)).toBe(200);
    expect(made.body.count).toBe(2);
    const ids = made.body.data.map((r: { id: string }) => r.id);
    expect(made.body.data.map((r: { display_name: string }) => r.display_name)).toEqual(["Product 1", "Product 2"]);
    const bad = await ff("POST", "/api/bulk-create/products", { records: [{ name: "ok" }, { price: "x" }] }, alice.token);
    expect(bad.status).toBe(400);
    expect(bad.body.details).toHaveProperty(["[1].price"]);
    const up = await ff("PUT", "/api/bulk-update/products", { ids, values: { price: 0 } }, alice.token);
    expect(up.status).toBe(200);
    expect(up.body).toMatchObject({ count: 2 });
    const q = await ff("POST", "/api/query/products", { q_filter: "Q(price=0)", fields: ["name"] }, alice.token);
    expect(q.body.total).toBe(2);
    const missing = await ff("DELETE", "/api/bulk-delete/products", { ids: [...ids, "nope"] }, alice.token);
    expect(missing.status).toBe(400);
    expect(missing.body.details).toHaveProperty("nope");
    const gone = await ff("DELETE", "/api/bulk-delete/products", { ids }, alice.token);
    expect(gone.status).toBe(200);
    expect(gone.body.count).toBe(2);
    const empty = await ff("PUT", "/api/bulk-update/products", { ids: [], values: { price: 1 } }, alice.token);
    expect(empty.status).toBe(400);
    expect(empty.body.detail).toMatch(/ids/);
  });
});
