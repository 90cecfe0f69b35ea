/**
 * `cairn backup create | list | restore <name> | delete <name>`: the backup operations run in
 * this process on the configured database and data directory (as the system principal), then
 * it exits. Progress goes to stderr on a terminal. Restoring while a server runs on the same
 * database works, but that server keeps its caches (collections, settings) until restarted:
 * restore through the API (`POST /api/v1/backups/{name}/restore`) on a running installation.
 */
import { createApp } from "./app.ts";
import type { Config } from "./config.ts";
import { createBackup, type BackupInfo, type BackupProgress } from "./core/backups/create-backup.ts";
import { deleteBackup, listBackups } from "./core/backups/manage-backups.ts";
import { restoreBackup } from "./core/backups/restore-backup.ts";
import { backupIdFrom } from "./core/backups/names.ts";
import { systemContext } from "./core/context.ts";

const size = (n: number) => (n >= 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : n >= 1024 ? `${(n / 1024).toFixed(1)} KiB` : `${n} B`);

/** One progress line, rewritten in place on a terminal; nothing when stderr is not one. */
function progressLine(): ((p: BackupProgress) => void) & { done(): void } {
  const tty = process.stderr.isTTY;
  const show = (p: BackupProgress) => {
    if (!tty) return;
    const width = 30;
    const filled = p.tablesTotal ? Math.round((p.tablesDone / p.tablesTotal) * width) : 0;
    process.stderr.write(`\r[${"#".repeat(filled)}${" ".repeat(width - filled)}] ${p.tablesDone}/${p.tablesTotal} tables, ${p.rows} rows  ${p.phase}${p.table ? ` ${p.table}` : ""}\x1b[K`);
  };
  return Object.assign(show, { done: () => tty && process.stderr.write("\r\x1b[K") });
}

const describe = (b: BackupInfo) => `${b.filename}  ${size(b.sizeBytes)}  ${b.created}  ${b.database}  ${b.reason}  ${b.rows} rows, ${b.collections} collections, ${b.files} files`;

/**
 * Runs a backup subcommand; returns the exit code. `usage` builds the error for bad arguments.
 * @throws what the operation throws (AppErrors are printed by the caller)
 */
export async function backupCommand(cfg: Config, args: string[], usage: (message: string) => Error): Promise<number> {
  const [sub, name, ...extra] = args;
  if (extra.length) throw usage(`unexpected argument '${extra[0]}'`);
  if (sub === "create" || sub === "list") {
    if (name !== undefined) throw usage(`backup ${sub} takes no arguments, got '${name}'`);
  } else if (sub === "restore" || sub === "delete") {
    if (!name) throw usage(`backup ${sub} needs a backup name (see 'cairn backup list')`);
    backupIdFrom(name); // a bad name fails before the database is opened
  } else throw usage(sub ? `unknown backup command '${sub}'` : "backup needs a command: create, list, restore or delete");

  const app = await createApp({ ...cfg, logLevel: cfg.logLevel === "info" ? "warn" : cfg.logLevel });
  const ctx = systemContext(app.services, "cli");
  try {
    if (sub === "create") {
      const progress = progressLine();
      const b = await createBackup(ctx, { onProgress: progress });
      progress.done();
      console.log(`Backup created: ${describe(b)}`);
    } else if (sub === "list") {
      const all = await listBackups(ctx, { perPage: 100 });
      if (all.items.length === 0) console.log("No backups.");
      for (const b of all.items) console.log(describe(b));
    } else if (sub === "restore") {
      const progress = progressLine();
      const r = await restoreBackup(ctx, name!, { onProgress: progress });
      progress.done();
      console.log(`Restored ${r.filename} (${r.rows} rows, ${r.collections} collections, ${r.files} files, from ${r.database}). The state before is in ${r.safetyBackup.filename}.`);
    } else {
      await deleteBackup(ctx, name!);
      console.log(`Deleted ${name}.`);
    }
    return 0;
  } finally {
    await app.close();
  }
}
