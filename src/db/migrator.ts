// src/db/migrator.ts
// Start-up migrator (runtime): applies prisma/migrations/<provider>/*/migration.sql in order.
// Uses the native drivers directly (not the Prisma driver adapter: PrismaPg.executeScript splits
// scripts on every ';' and runs the pieces on random pool connections -> not atomic, breaks on 'a;b').
// Each migration runs in ONE transaction (DDL is transactional in SQLite and PostgreSQL).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";

export type Migration = { name: string; sql: string; checksum: string };
const TABLE = `"_migrations"`;
const DDL = `CREATE TABLE IF NOT EXISTS ${TABLE} ("name" TEXT PRIMARY KEY, "checksum" TEXT NOT NULL, "applied_at" TEXT NOT NULL)`;

export function readMigrations(dir: string): Migration[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(join(dir, d.name, "migration.sql")))
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const sql = readFileSync(join(dir, name, "migration.sql"), "utf8");
      return { name, sql, checksum: createHash("sha256").update(sql).digest("hex") };
    });
}

function pending(all: Migration[], applied: Map<string, string>) {
  for (const [name, sum] of applied) {
    const m = all.find((x) => x.name === name);
    if (m && m.checksum !== sum) throw new Error(`migration ${name} was modified after it was applied`);
  }
  return all.filter((m) => !applied.has(m.name));
}

export function migrateSqlite(file: string, migrations: Migration[]): string[] {
  if (file !== ":memory:") mkdirSync(dirname(file), { recursive: true }); // first start: ./data does not exist yet
  const db = new Database(file);
  try {
    db.pragma("busy_timeout = 5000");
    db.exec(DDL);
    const applied = new Map(
      db
        .prepare(`SELECT name, checksum FROM ${TABLE}`)
        .all()
        .map((r: any) => [r.name, r.checksum] as [string, string]),
    );
    const todo = pending(migrations, applied);
    const rec = db.prepare(`INSERT INTO ${TABLE} (name, checksum, applied_at) VALUES (?, ?, ?)`);
    for (const m of todo)
      db.transaction(() => {
        db.exec(m.sql);
        rec.run(m.name, m.checksum, new Date().toISOString());
      }).immediate();
    return todo.map((m) => m.name);
  } finally {
    db.close();
  }
}

export async function migratePostgres(connectionString: string, migrations: Migration[]): Promise<string[]> {
  const { default: pg } = await import("pg"); // not loaded on SQLite installs
  const c = new pg.Client({ connectionString });
  await c.connect();
  try {
    await c.query("SELECT pg_advisory_lock(727073)"); // serialize concurrent app instances
    await c.query(DDL);
    const applied = new Map((await c.query(`SELECT name, checksum FROM ${TABLE}`)).rows.map((r) => [r.name, r.checksum] as [string, string]));
    const todo = pending(migrations, applied);
    for (const m of todo) {
      await c.query("BEGIN");
      try {
        await c.query(m.sql); // whole file as one simple-query: multi-statement OK, no ';' splitting
        await c.query(`INSERT INTO ${TABLE} (name, checksum, applied_at) VALUES ($1, $2, $3)`, [m.name, m.checksum, new Date().toISOString()]);
        await c.query("COMMIT");
      } catch (e) {
        await c.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(e as Error).message}`, { cause: e });
      }
    }
    return todo.map((m) => m.name);
  } finally {
    await c.query("SELECT pg_advisory_unlock(727073)").catch(() => {});
    await c.end();
  }
}

/** url: "file:./data.db" | "postgres(ql)://..." */
export const MIGRATIONS_ROOT = fileURLToPath(new URL("../../prisma/migrations", import.meta.url));

export async function migrate(url: string, root = MIGRATIONS_ROOT): Promise<string[]> {
  return /^postgres(ql)?:/.test(url) ? migratePostgres(url, readMigrations(join(root, "postgresql"))) : migrateSqlite(url.replace(/^file:/, ""), readMigrations(join(root, "sqlite")));
}
