/**
 * Services for running the ordinary collection and webhook operations inside one outer
 * transaction (a snapshot apply): while it is open, `db` is the transaction (each operation's own
 * `db.transaction` joins it), `collections` is a registry read from the transaction (so a webhook
 * or permission can name a collection created a step earlier), and the audit writes wait for the
 * commit. Once committed, every property is the real service again, so the operations'
 * after-commit work (registry updates, events, GraphQL schema rebuild) reaches the real ones.
 */
import type { SqlDb } from "../../db/sql-db.ts";
import { CollectionRegistry, type NameCheck } from "../collections/registry.ts";
import type { Services } from "../context.ts";

/** The catalogue as the transaction sees it; name checks and rebuild marks go to the real registry. */
class TransactionRegistry extends CollectionRegistry {
  constructor(
    tx: SqlDb,
    private readonly real: CollectionRegistry,
  ) {
    super(tx);
  }
  override checkNames(defs: Parameters<NameCheck>[0]): void {
    this.real.checkNames(defs);
  }
  override beginRebuild(names: readonly string[]): () => void {
    return this.real.beginRebuild(names);
  }
}

export interface StagedServices {
  services: Services;
  /** re-reads the catalogue through the transaction (after each collection change) */
  refresh(): Promise<void>;
}

/** Stages `real` on `tx` (see the module comment). Call before the first operation. */
export async function stageServices(real: Services, tx: SqlDb): Promise<StagedServices> {
  let open = true;
  tx.afterCommit(() => (open = false));
  const registry = new TransactionRegistry(tx, real.collections);
  await registry.load();
  const prisma = new Proxy(real.prisma, {
    get(target, model, receiver) {
      if (!open) return Reflect.get(target, model, receiver);
      if (model !== "auditLog") throw new Error(`prisma.${String(model)} cannot be used inside a schema apply (it would wait for the open transaction)`);
      return {
        create(args: Parameters<Services["prisma"]["auditLog"]["create"]>[0]) {
          tx.afterCommit(() => void real.prisma.auditLog.create(args).catch((err: unknown) => real.log.error({ err }, "audit write failed")));
          return Promise.resolve();
        },
      };
    },
  });
  const services = Object.create(real, {
    db: { get: () => (open ? tx : real.db) },
    collections: { get: () => (open ? registry : real.collections) },
    prisma: { get: () => (open ? prisma : real.prisma) },
  }) as Services;
  return { services, refresh: () => registry.load() };
}
