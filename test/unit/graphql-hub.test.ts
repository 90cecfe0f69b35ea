/**
 * The subscription hub in memory: which subscriber receives which event (where, read rule,
 * "left the set", deletes of visible records only, other accounts), field redaction, and the end
 * of subscriptions whose collection is gone or whose where no longer fits it.
 */
import { describe, expect, it } from "vitest";
import type { CollectionDef } from "../../src/core/collections/types.ts";
import type { Context, Principal } from "../../src/core/context.ts";
import type { CairnEvent } from "../../src/core/events/bus.ts";
import { RealtimeHub, type HubMessage } from "../../src/realtime/hub.ts";
import { whereToExpr } from "../../src/graphql/where.ts";

const field = (name: string, type: string) => ({ id: name, name, type, required: false, unique: false, index: false, options: {} }) as any;
const tasks = (extra: Partial<CollectionDef> = {}): CollectionDef => ({
  id: "c1",
  name: "tasks",
  type: "base",
  fields: [field("title", "text"), field("priority", "number"), field("secret", "text")],
  options: {},
  listRule: "owner_id = @request.auth.id",
  viewRule: "owner_id = @request.auth.id",
  createRule: null,
  updateRule: null,
  deleteRule: null,
  viewQuery: null,
  system: false,
  created: "2026-01-01T00:00:00.000Z",
  updated: "2026-01-01T00:00:00.000Z",
  ...extra,
});

function setup(def: CollectionDef) {
  const defs = new Map<string, CollectionDef>([["tasks", def]]);
  const log = { info() {}, warn() {}, error() {}, debug() {} };
  const services = {
    collections: {
      get: (n: string) => defs.get(n.toLowerCase()),
      require: (n: string) => {
        const d = defs.get(n.toLowerCase());
        if (!d) throw new Error(`no ${n}`);
        return d;
      },
    },
    now: () => new Date("2026-06-01T00:00:00Z"),
    log,
    // denials are audited; the audit log is not under test here
    prisma: { auditLog: { create: async () => ({}) } },
  } as any;
  const hub = new RealtimeHub(services);
  const ctx = (p: Principal): Context => ({ requestId: "r", principal: p, services, log });
  const user = (id: string, accountId = "default"): Principal => ({ kind: "user", userId: id, accountId, email: `${id}@x.y`, role: "user", superadmin: false }) as Principal;
  return { hub, defs, ctx, user, system: { kind: "system", accountId: "default" } as Principal };
}

const pendingNext = new WeakMap<object, Promise<IteratorResult<HubMessage>>>();

/** Drains what a subscription has received so far (a read still waiting is kept for the next call). */
async function received(it: AsyncIterableIterator<HubMessage>): Promise<HubMessage[]> {
  const out: HubMessage[] = [];
  for (;;) {
    const pending = pendingNext.get(it) ?? it.next();
    pendingNext.set(it, pending);
    const next = await Promise.race([pending, new Promise<"idle">((r) => setImmediate(() => r("idle")))]);
    if (next === "idle") return out;
    pendingNext.delete(it);
    if (next.done) return out;
    out.push(next.value);
  }
}

const rec = (id: string, owner: string | null, priority: number, more: Record<string, unknown> = {}) => ({
  id,
  owner_id: owner,
  created: "t",
  updated: "t",
  version: 1,
  title: `t-${id}`,
  priority,
  secret: "s",
  ...more,
});
const event = (type: CairnEvent["type"], payload: Record<string, unknown>, previous: Record<string, unknown> | null = null, accountId = "default"): CairnEvent => ({
  type,
  accountId,
  collection: "tasks",
  recordId: payload.id as string,
  payload,
  previous,
  created: "t",
});
const summary = (ms: HubMessage[]) => ms.map((m) => (m instanceof Error ? `error ${m.code}` : `${m.action} ${m.id}${m.record ? ` ${JSON.stringify(m.record.priority ?? null)}` : ""}`));

describe("RealtimeHub", () => {
  it("matches where and the read rule in memory; a record leaving the set is a DELETE with the state last seen", async () => {
    const { hub, ctx, user } = setup(tasks());
    const changed = hub.subscribe(ctx(user("u1")), "tasks", "changed", whereToExpr({ priority: { gt: 3 } }));
    const deleted = hub.subscribe(ctx(user("u2")), "tasks", "deleted", whereToExpr(undefined));
    const a1 = rec("a", "u1", 5);
    hub.ingest(event("record.create", a1));
    hub.ingest(event("record.create", rec("b", "u2", 9))); // another owner: not readable by u1
    hub.ingest(event("record.create", rec("c", "u1", 1))); // outside the where
    hub.ingest(event("record.update", rec("a", "u1", 7), a1)); // stays in
    hub.ingest(event("record.update", rec("a", "u1", 2), rec("a", "u1", 7))); // leaves the where
    hub.ingest(event("record.update", rec("a", "u1", 1), rec("a", "u1", 2))); // was already out: nothing
    hub.ingest(event("record.update", rec("c", "u1", 8), rec("c", "u1", 1))); // enters the where
    hub.ingest(event("record.update", rec("c", "u2", 8), rec("c", "u1", 8))); // given away: leaves what u1 may read
    hub.ingest(event("record.delete", rec("a", "u1", 1))); // outside the set when deleted
    hub.ingest(event("record.delete", rec("b", "u2", 9))); // u2's record
    hub.ingest(event("record.create", rec("x", "u1", 9), null, "other-account"));
    expect(summary(await received(changed))).toEqual(["CREATE a 5", "UPDATE a 7", "DELETE a 7", "UPDATE c 8", "DELETE c 8"]);
    expect(summary(await received(deleted))).toEqual(["DELETE b 9"]);
    expect(hub.size).toBe(2);
  });

  it("redacts records to the readable fields and refuses a where on a hidden field", async () => {
    const { hub, ctx, user } = setup(tasks({ options: { view_fields: ["title", "priority"] } }));
    const created = hub.subscribe(ctx(user("u1")), "tasks", "created", whereToExpr(undefined));
    hub.ingest(event("record.create", rec("a", "u1", 5)));
    const [m] = await received(created);
    expect(m).toMatchObject({ action: "CREATE", record: { id: "a", title: "t-a", priority: 5 } });
    expect((m as { record: Record<string, unknown> }).record).not.toHaveProperty("secret");
    expect(() => hub.subscribe(ctx(user("u1")), "tasks", "created", whereToExpr({ secret: { eq: "s" } }))).toThrow(/secret/);
  });

  it("recompiles on a collection change and ends subscriptions when the collection or their where goes away", async () => {
    const { hub, defs, ctx, system } = setup(tasks());
    const byPriority = hub.subscribe(ctx(system), "tasks", "created", whereToExpr({ priority: { gt: 3 } }));
    const all = hub.subscribe(ctx(system), "tasks", "created", whereToExpr(undefined));
    // `priority` is dropped: the first subscription's where no longer fits, the second goes on.
    defs.set("tasks", tasks({ fields: [field("title", "text")] }));
    hub.collectionsChanged();
    hub.ingest(event("record.create", { id: "n", owner_id: null, created: "t", updated: "t", version: 1, title: "new" }));
    expect(summary(await received(byPriority))).toEqual(["error BAD_REQUEST"]);
    expect(summary(await received(all))).toEqual(["CREATE n null"]);
    defs.delete("tasks");
    hub.collectionsChanged();
    expect(summary(await received(all))).toEqual(["error NOT_FOUND"]);
    expect(hub.size).toBe(0);
  });
});
