/**
 * `applySnapshot`: makes the database match a schema snapshot in one transaction, through the
 * ordinary collection and webhook operations (so tables, indexes, search objects, the catalogue,
 * the outbox events — and after commit the registry, the GraphQL schema and other instances —
 * follow as for any API change). Re-applying the same snapshot finds nothing to do. Steps that
 * drop something are refused unless `allowDrop`; any failure rolls every step back.
 */
import { requireSuperadmin } from "../auth/guards.ts";
import { lockCatalog } from "../collections/catalog.ts";
import { createCollection } from "../collections/create.ts";
import { deleteCollection } from "../collections/delete.ts";
import type { CollectionDef, FieldDef } from "../collections/types.ts";
import { updateCollection } from "../collections/update.ts";
import type { Context } from "../context.ts";
import { ConflictError } from "../errors.ts";
import { loadRoles } from "../rules/role-cache.ts";
import { createWebhook } from "../webhooks/create.ts";
import type { WebhookInput } from "../webhooks/types.ts";
import { deleteWebhook, updateWebhook } from "../webhooks/update.ts";
import { applyRole, dropRole } from "./apply-roles.ts";
import { collectionBody } from "./collection-body.ts";
import { annotateDataLoss } from "./data-loss.ts";
import { parseSnapshot } from "./parse.ts";
import { pair, planSnapshot, type SchemaPlan } from "./plan.ts";
import { stageServices, type StagedServices } from "./staged-services.ts";
import { readSchemaState } from "./state.ts";
import type { SnapshotCollection, SnapshotWebhook } from "./types.ts";

export interface ApplyOptions {
  /** carry out steps that drop collections, fields, roles, permissions or webhooks */
  allowDrop?: boolean;
  /** only compute the plan */
  dryRun?: boolean;
}

export interface ApplyResult {
  /** true when something was changed */
  applied: boolean;
  plan: SchemaPlan;
}

/**
 * The plan from the database's schema to `input` (a snapshot document), with data-loss warnings.
 * @throws 401/403 unless superadmin; ValidationError (422) for a malformed snapshot.
 */
export async function planSnapshotApply(ctx: Context, input: unknown): Promise<SchemaPlan> {
  requireSuperadmin(ctx);
  const snapshot = parseSnapshot(input);
  const { db } = ctx.services;
  const plan = planSnapshot(await readSchemaState(db, ctx.principal.accountId), snapshot);
  await annotateDataLoss(db, plan);
  return plan;
}

/**
 * Applies a snapshot (see the module comment); `dryRun` returns the plan only.
 * @throws 401/403 unless superadmin; ValidationError (422) for a malformed snapshot or a
 *   definition the collection, role or webhook checks refuse (its message names it);
 *   ConflictError (409) when the plan drops something and `allowDrop` is not set (nothing is
 *   changed), or when a collection operation conflicts (e.g. a name taken).
 */
export async function applySnapshot(ctx: Context, input: unknown, opts: ApplyOptions = {}): Promise<ApplyResult> {
  if (opts.dryRun) return { applied: false, plan: await planSnapshotApply(ctx, input) };
  requireSuperadmin(ctx);
  const snapshot = parseSnapshot(input);
  const plan = await ctx.services.db.transaction(async (tx) => {
    await lockCatalog(tx);
    const plan = planSnapshot(await readSchemaState(tx, ctx.principal.accountId), snapshot);
    await annotateDataLoss(tx, plan);
    const drops = plan.steps.filter((s) => s.destructive);
    if (drops.length && !opts.allowDrop) {
      const list = drops.map((s) => `${s.action} ${s.kind} ${s.target}${s.warning ? ` (${s.warning})` : ""}`);
      throw new ConflictError(`Applying the snapshot would ${list.join("; ")}. Nothing was changed; apply it with allow_drop (--allow-drop) to accept this.`, { drops: list });
    }
    if (plan.steps.length === 0) return plan;
    const staged = await stageServices(ctx.services, tx);
    const sctx: Context = { ...ctx, services: staged.services };
    await applyCollections(sctx, staged, plan);
    const registry = staged.services.collections;
    for (const change of plan.roles) if (change.kind !== "drop") await applyRole(tx, change, registry);
    for (const change of plan.webhooks) {
      if (change.kind === "create") await createWebhook(sctx, webhookInput(change.target!), { id: change.target!.id });
      if (change.kind === "alter") await updateWebhook(sctx, change.target!.id, webhookInput(change.target!));
    }
    for (const change of plan.webhooks) if (change.kind === "drop") await deleteWebhook(sctx, change.current!.id);
    for (const change of plan.roles) if (change.kind === "drop") await dropRole(tx, change.current!);
    await dropCollections(sctx, staged, plan);
    return plan;
  });
  if (plan.roles.length) await loadRoles(ctx.services);
  return { applied: plan.steps.length > 0, plan };
}

function webhookInput(w: SnapshotWebhook): WebhookInput {
  return { name: w.name, url: w.url, collections: w.collections, events: w.events, filter: w.filter, retryCount: w.retryCount, active: w.active, format: w.format };
}

/** Whether `f` can be created now: not a reference, or its target exists (or is its own collection). */
function available(f: FieldDef, self: string, staged: StagedServices): boolean {
  if (f.type !== "reference" || !f.options.collection) return true;
  return f.options.collection.toLowerCase() === self.toLowerCase() || staged.services.collections.get(f.options.collection) !== undefined;
}

/**
 * Alters, then creates (tables before views). A reference to a collection that does not exist
 * yet (created later, or renamed later in this apply) is left out at first — an existing field
 * keeps its current form meanwhile — and completed in a last pass, so cycles work too.
 */
async function applyCollections(ctx: Context, staged: StagedServices, plan: SchemaPlan): Promise<void> {
  const later: { id: string; target: SnapshotCollection; fields: FieldDef[] }[] = [];
  const run = async (target: SnapshotCollection, current: CollectionDef | undefined) => {
    // fields paired by name (made separately in each environment) keep the target's ids: their data stays
    const live = current ? staged.services.collections.find(current.id) : undefined;
    const ids = new Map(live ? pair(target.fields, live.fields).pairs.map(([n, c]) => [n, c.id]) : []);
    const full = target.fields.map((f) => ({ ...f, id: ids.get(f) ?? f.id }));
    const now = full.flatMap((f) => (available(f, target.name, staged) ? [f] : (live?.fields.filter((c) => c.id === f.id) ?? [])));
    const id = live?.id ?? target.id;
    if (now.length !== full.length || now.some((f, i) => f !== full[i])) later.push({ id, target, fields: full });
    if (live) await updateCollection(ctx, id, collectionBody(target, now));
    else await createCollection(ctx, collectionBody(target, now), { id });
    await staged.refresh();
  };
  for (const c of plan.collections) if (c.kind === "alter") await run(c.target!, c.current);
  const creates = plan.collections.filter((c) => c.kind === "create").map((c) => c.target!);
  for (const t of [...creates.filter((t) => t.type !== "view"), ...creates.filter((t) => t.type === "view")]) await run(t, undefined);
  for (const l of later) {
    await updateCollection(ctx, l.id, collectionBody(l.target, l.fields));
    await staged.refresh();
  }
}

/** Drops views first, then each collection once no remaining collection references it. */
async function dropCollections(ctx: Context, staged: StagedServices, plan: SchemaPlan): Promise<void> {
  const left = plan.collections.filter((c) => c.kind === "drop").map((c) => c.current!);
  const referenced = (name: string) =>
    staged.services.collections
      .list()
      .some((d) => d.name.toLowerCase() !== name.toLowerCase() && d.fields.some((f) => f.type === "reference" && f.options.collection?.toLowerCase() === name.toLowerCase()));
  while (left.length) {
    let next = left.findIndex((d) => d.type === "view");
    if (next < 0)
      next = Math.max(
        0,
        left.findIndex((d) => !referenced(d.name)),
      );
    const [def] = left.splice(next, 1);
    await deleteCollection(ctx, def!.id);
    await staged.refresh();
  }
}
