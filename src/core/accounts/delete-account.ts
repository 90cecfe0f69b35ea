/**
 * `deleteAccount` (superadmin): a tenant and everything it owns, in one transaction — its
 * records in every collection (each with its `record.delete` outbox row, written in bulk: one
 * statement per collection, so subscriptions and webhooks see them go), its files (bytes after commit), webhooks, jobs, then the account
 * row, whose foreign keys take its users (with their sessions, API keys, tokens and OAuth
 * links), invitations and SAML providers along. Users' sessions end at once on every instance.
 * The audit log keeps its history. The `default` account and the caller's own cannot go.
 */
import type { Context } from "../context.ts";
import { BadRequestError, NotFoundError } from "../errors.ts";
import { audit } from "../audit/audit.ts";
import { requireSuperadmin } from "../auth/guards.ts";
import { DEFAULT_ACCOUNT_ID } from "../context.ts";
import { deleteAccountRecords } from "../records/store.ts";
import { writeAccountDeleteEvents } from "../records/account-delete-events.ts";
import { removeStoredFiles } from "../files/remove.ts";
import { invalidateApiKeys } from "../api-keys/authenticate.ts";
import { findManagedAccount, type AccountView } from "./view.ts";
import { getAccount } from "./list-accounts.ts";

/**
 * Deletes the account (by id, code or slug) with its data; returns it as it was.
 * Throws 401/403 unless a superadmin calls, NotFoundError (404), BadRequestError (400) for the
 * `default` account or the caller's own.
 */
export async function deleteAccount(ctx: Context, idOrSlug: string): Promise<AccountView> {
  requireSuperadmin(ctx);
  const { row } = await findManagedAccount(ctx, idOrSlug);
  if (row.id === DEFAULT_ACCOUNT_ID) throw new BadRequestError("The default account cannot be deleted");
  if (ctx.principal.kind === "user" && ctx.principal.accountId === row.id) throw new BadRequestError("You cannot delete your own account");
  const before = await getAccount(ctx, row.id);
  const { db, collections, prisma } = ctx.services;
  const users = await prisma.user.findMany({ where: { accountId: row.id }, select: { id: true } });
  const defs = collections.list().filter((d) => d.type !== "view");

  const ts = ctx.services.now().toISOString();
  const removed = await db.transaction(async (tx) => {
    let records = 0;
    const touched: string[] = [];
    for (const def of defs) {
      if ((await writeAccountDeleteEvents(tx, def, row.id, ts)) === 0) continue;
      records += await deleteAccountRecords(tx, def, row.id);
      touched.push(def.name);
    }
    // the local "something committed" signal (events/bus.ts) that wakes the dispatcher, which reads the rows above
    tx.afterCommit(() => {
      for (const collection of touched) ctx.services.events.publish({ type: "record.delete", accountId: row.id, collection, recordId: null, payload: {}, created: ts });
    });
    const files = await tx.query<{ id: string; storage_key: string }>(tx.qb.selectFrom("_files").select(["id", "storage_key"]).where("account_id", "=", row.id));
    if (files.length) {
      const ids = files.map((f) => f.id);
      await tx.execute(tx.qb.deleteFrom("_file_refs").where("file_id", "in", ids));
      await tx.execute(tx.qb.deleteFrom("_files").where("id", "in", ids));
      tx.afterCommit(() =>
        removeStoredFiles(
          ctx.services,
          files.map((f) => ({ id: f.id, storageKey: f.storage_key })),
        ),
      );
    }
    await tx.execute(tx.qb.deleteFrom("_webhooks").where("account_id", "=", row.id));
    await tx.execute(tx.qb.deleteFrom("_jobs").where("account_id", "=", row.id).where("state", "not in", ["queued", "running"]));
    await tx.execute(tx.qb.deleteFrom("_saml_assertions").where("account_id", "=", row.id));
    const { changes } = await tx.execute(tx.qb.deleteFrom("_accounts").where("id", "=", row.id));
    if (changes !== 1) throw new NotFoundError(`Account '${idOrSlug}' not found`);
    return { records, files: files.length };
  });

  for (const def of defs) ctx.services.listCache.invalidate(def.name);
  for (const u of users) {
    invalidateApiKeys(ctx.services, { userId: u.id });
    // the rows are gone; the published epoch still ends live tokens and subscriptions everywhere
    await ctx.services.sessions.end(u.id, ctx.services.now());
  }
  void audit(ctx, {
    eventType: "admin",
    eventAction: "delete",
    severity: "warning",
    resourceType: "account",
    resourceId: row.id,
    description: `Account '${row.slug}' deleted with its data`,
    details: { slug: row.slug, users: users.length, records: removed.records, files: removed.files },
  });
  return before;
}
