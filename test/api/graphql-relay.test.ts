/**
 * Relay conventions: every record type implements `Node`; `node(id:)` and `nodes(ids:)` find
 * records of any collection by id in a constant number of statements (one probe for all ids,
 * then one read per collection touched) and apply the collection's own read rules (hidden,
 * refused and unknown all read as null); reverse connections page both ways with
 * first/after/last/before and a complete pageInfo.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { registerUser, startApp, type TestApp } from "../helpers/app.ts";
import { countStatements, gql, SIGNED_IN_RULES } from "./graphql-helpers.ts";

let t: TestApp;
let alice: { token: string; id: string };
let bob: { token: string; id: string };
const ids = { shelves: [] as string[], volumes: [] as string[], diaries: [] as string[], vaults: [] as string[] };

/** The statements on this file's collection tables (background work of the server, e.g. job polls, left out). */
const ours = (statements: string[]) => statements.filter((s) => /"(shelves|volumes|diaries|vaults)"/.test(s));

/** Data of a successful request; fails with the errors otherwise. */
async function q(query: string, variables?: Record<string, unknown>, token = alice.token, headers: Record<string, string> = {}): Promise<any> {
  const r = await gql(t.url, query, variables, token, headers);
  if (r.status !== 200 || r.body.errors) throw new Error(`${r.status} ${JSON.stringify(r.body)}`);
  return r.body.data;
}

beforeAll(async () => {
  t = await startApp();
  const mk = async (body: unknown) => {
    const r = await t.api("POST", "/api/v1/collections", { token: t.adminToken, body });
    expect(r.status, JSON.stringify(r.body)).toBe(201);
  };
  await mk({ ...SIGNED_IN_RULES, name: "shelves", schema: [{ name: "label", type: "text" }] });
  await mk({
    ...SIGNED_IN_RULES,
    name: "volumes",
    schema: [
      { name: "title", type: "text" },
      { name: "place", type: "number" },
      { name: "shelf", type: "reference", relation: { collection: "shelves" } },
    ],
  });
  // each user sees only their own diaries; vaults are for superadmins only
  await mk({ ...SIGNED_IN_RULES, name: "diaries", view_rule: "owner_id = @request.auth.id", list_rule: "owner_id = @request.auth.id", schema: [{ name: "entry", type: "text" }] });
  await mk({ name: "vaults", schema: [{ name: "secret", type: "text" }] });
  alice = await registerUser(t.api);
  bob = await registerUser(t.api);
  for (let i = 0; i < 2; i++) ids.shelves.push((await q(`mutation($l: String) { createShelf(data: { label: $l }) { id } }`, { l: `S${i}` })).createShelf.id);
  // shelf 0 holds volumes ranked 0…9
  for (let i = 0; i < 10; i++)
    ids.volumes.push((await q(`mutation($t: String, $r: Float, $s: ID) { createVolume(data: { title: $t, place: $r, shelf: $s }) { id } }`, { t: `V${i}`, r: i, s: ids.shelves[0] })).createVolume.id);
  ids.diaries.push((await q(`mutation { createDiary(data: { entry: "alice's" }) { id } }`)).createDiary.id);
  ids.diaries.push((await q(`mutation { createDiary(data: { entry: "bob's" }) { id } }`, {}, bob.token)).createDiary.id);
  ids.vaults.push((await q(`mutation { createVault(data: { secret: "s" }) { id } }`, {}, t.adminToken)).createVault.id);
  // statement counts below are the requests' own, not the event dispatcher's
  await t.app.dispatcher.stop();
});
afterAll(async () => t?.close());

describe("node and nodes", () => {
  it("every record type implements Node, and node/nodes are root fields", async () => {
    const d = await q(`{ __type(name: "Volume") { interfaces { name } } __schema { queryType { fields { name args { name type { kind ofType { kind ofType { kind ofType { name } } } } } } } } }`);
    expect(d.__type.interfaces.map((i: any) => i.name)).toContain("Node");
    const fields = new Map(d.__schema.queryType.fields.map((f: any) => [f.name, f]));
    expect(fields.has("node")).toBe(true);
    expect((fields.get("nodes") as any).args[0].name).toBe("ids");
  });

  it("node(id:) finds a record of any collection by the id the record shows", async () => {
    const d = await q(
      `query($a: ID!, $b: ID!) {
      a: node(id: $a) { __typename id ... on Volume { title shelf { label } } }
      b: node(id: $b) { __typename id ... on Shelf { label } }
    }`,
      { a: ids.volumes[3], b: ids.shelves[1] },
    );
    expect(d.a).toEqual({ __typename: "Volume", id: ids.volumes[3], title: "V3", shelf: { label: "S0" } });
    expect(d.b).toEqual({ __typename: "Shelf", id: ids.shelves[1], label: "S1" });
  });

  it("nodes(ids:) keeps the order, null for unknown ids, in one probe plus one read per collection touched", async () => {
    const asked = [ids.volumes[0], "00000000-0000-7000-8000-000000000000", ids.shelves[0], ...ids.volumes.slice(1), ids.shelves[1]];
    const counter = countStatements(t.app.services.db);
    let d: any;
    try {
      d = await q(`query($ids: [ID!]!) { nodes(ids: $ids) { __typename id } n: node(id: $one) { id } }`.replace("$one", `"${ids.volumes[5]}"`), { ids: asked });
    } finally {
      counter.restore();
    }
    expect(d.nodes.map((n: any) => n?.id ?? null)).toEqual(asked.map((id, i) => (i === 1 ? null : id)));
    expect(d.nodes[2].__typename).toBe("Shelf");
    expect(d.n.id).toBe(ids.volumes[5]);
    // one statement finds the collections of all 13 ids, one reads the volumes, one the shelves
    expect(ours(counter.statements), counter.statements.join("\n")).toHaveLength(3);
  });

  it("applies the collection's read rules: another user's record and a refused collection read as null", async () => {
    const query = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename id ... on Diary { entry } } }`;
    const asked = [ids.diaries[0], ids.diaries[1], ids.vaults[0]];
    const a = await q(query, { ids: asked });
    expect(a.nodes).toEqual([{ __typename: "Diary", id: ids.diaries[0], entry: "alice's" }, null, null]);
    const b = await q(query, { ids: asked }, bob.token);
    expect(b.nodes).toEqual([null, { __typename: "Diary", id: ids.diaries[1], entry: "bob's" }, null]);
    // the same answer as for an id that exists nowhere: existence does not leak
    const single = await gql(t.url, `query($id: ID!) { node(id: $id) { id } }`, { id: ids.vaults[0] }, alice.token);
    expect(single.body).toEqual({ data: { node: null } });
    const admin = await q(`query($id: ID!) { node(id: $id) { ... on Vault { secret } } }`, { id: ids.vaults[0] }, t.adminToken);
    expect(admin.node).toEqual({ secret: "s" });
  });

  it("refuses more than 100 ids with a 400-class error naming ids", async () => {
    const r = await gql(t.url, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, { ids: Array.from({ length: 101 }, () => ids.volumes[0]) }, alice.token);
    expect(r.body.errors[0].message).toMatch(/at most 100 ids/);
    expect(r.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
  });
});

describe("reverse connections page both ways", () => {
  const PAGE = `query($first: Int, $after: String, $last: Int, $before: String, $total: Boolean!) {
    shelves(orderBy: [{ created: ASC }]) { nodes { label volumes(first: $first, after: $after, last: $last, before: $before, orderBy: [{ place: ASC }]) {
      nodes { title } edges { cursor node { id } } totalCount @include(if: $total)
      pageInfo { hasNextPage hasPreviousPage startCursor endCursor }
    } } }
  }`;
  /** Shelf 0's page (shelf 1 holds nothing), the statements the request ran (the list cache bypassed: shelves are read every time). */
  async function page(args: Record<string, unknown>, total = false) {
    const counter = countStatements(t.app.services.db);
    try {
      const d = await q(PAGE, { ...args, total }, alice.token, { "cache-control": "no-cache" });
      expect(d.shelves.nodes[1].volumes.nodes).toEqual([]);
      expect(d.shelves.nodes[1].volumes.pageInfo.startCursor).toBeNull();
      return { ...d.shelves.nodes[0].volumes, titles: d.shelves.nodes[0].volumes.nodes.map((n: any) => n.title), statements: ours(counter.statements).length, texts: counter.statements };
    } finally {
      counter.restore();
    }
  }

  it("first/after forward: complete pageInfo, one statement for the volumes of every shelf", async () => {
    const p1 = await page({ first: 3 });
    expect(p1.titles).toEqual(["V0", "V1", "V2"]);
    expect(p1.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: false, startCursor: p1.edges[0].cursor, endCursor: p1.edges[2].cursor });
    expect(p1.statements, p1.texts.join("\n")).toBe(2);
    const p2 = await page({ first: 3, after: p1.pageInfo.endCursor });
    expect(p2.titles).toEqual(["V3", "V4", "V5"]);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    expect(p2.statements).toBe(2);
    const end = await page({ first: 5, after: p2.pageInfo.endCursor });
    expect(end.titles).toEqual(["V6", "V7", "V8", "V9"]);
    expect(end.pageInfo.hasNextPage).toBe(false);
  });

  it("last/before backward: the last rows, in list order", async () => {
    const p1 = await page({ last: 3 });
    expect(p1.titles).toEqual(["V7", "V8", "V9"]);
    expect(p1.pageInfo).toMatchObject({ hasNextPage: false, hasPreviousPage: true, startCursor: p1.edges[0].cursor, endCursor: p1.edges[2].cursor });
    const p2 = await page({ last: 3, before: p1.pageInfo.startCursor });
    expect(p2.titles).toEqual(["V4", "V5", "V6"]);
    expect(p2.pageInfo).toMatchObject({ hasNextPage: true, hasPreviousPage: true });
    const start = await page({ last: 5, before: p2.pageInfo.startCursor });
    expect(start.titles).toEqual(["V0", "V1", "V2", "V3"]);
    expect(start.pageInfo.hasPreviousPage).toBe(false);
    expect(start.statements).toBe(2);
  });

  it("walks every page both ways to the same list; totalCount counts the whole list beside a cursor", async () => {
    const forward: string[] = [];
    let after: string | undefined;
    for (let i = 0; i < 10; i++) {
      const p = await page({ first: 4, after }, true);
      expect(p.totalCount).toBe(10);
      forward.push(...p.titles);
      if (!p.pageInfo.hasNextPage) break;
      after = p.pageInfo.endCursor;
    }
    const backward: string[] = [];
    let before: string | undefined;
    for (let i = 0; i < 10; i++) {
      const p = await page({ last: 4, before }, true);
      expect(p.totalCount).toBe(10);
      expect(p.statements).toBe(2);
      backward.unshift(...p.titles);
      if (!p.pageInfo.hasPreviousPage) break;
      before = p.pageInfo.startCursor;
    }
    expect(forward).toEqual(Array.from({ length: 10 }, (_, i) => `V${i}`));
    expect(backward).toEqual(forward);
  });

  it("refuses contradictory arguments and foreign cursors with BAD_USER_INPUT", async () => {
    for (const [args, msg] of [
      [{ first: 2, last: 2 }, /either first or last/],
      [{ first: 2, after: "x", before: "y" }, /either after or before/],
      [{ first: 0 }, /first must be between 1 and 100/],
      [{ first: 2, after: "not-a-cursor" }, /Invalid cursor/],
    ] as const) {
      const r = await gql(t.url, PAGE, { ...args, total: false }, alice.token);
      expect(r.body.errors?.[0]?.message, JSON.stringify(r.body)).toMatch(msg);
      expect(r.body.errors[0].extensions.code).toBe("BAD_USER_INPUT");
    }
  });
});
