// scripts/db.ts
// Dev-time Prisma tooling that needs NO native Prisma engine binaries.
//   tsx scripts/db.ts generate            -> prisma generate for sqlite + postgresql clients
//   tsx scripts/db.ts migrate:new <name>  -> writes prisma/migrations/{sqlite,postgresql}/<ts>_<name>/migration.sql
//   tsx scripts/db.ts migrate:check       -> exit 1 if schema.prisma has changes without a migration (CI)
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { schemaFor, type Provider } from "../src/db/providers.ts";
import { openOfflineSchemaEngine, noFilters } from "../src/db/schema-engine.ts";

const MIG = "prisma/migrations";
const SNAPSHOT = `${MIG}/schema.snapshot.prisma`; // schema as of the newest migration = diff base
const providers: Provider[] = ["sqlite", "postgresql"];
const [cmd, name = "migration"] = process.argv.slice(2);

if (cmd === "generate") {
  // Skip when the generated clients already match the schema (npm start/test call this every time).
  const hash = createHash("sha256").update(readFileSync("prisma/schema.prisma")).update(readFileSync("package.json")).digest("hex");
  const stamp = "src/generated/.schema-hash";
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === hash && existsSync("src/generated/prisma-pg/client.ts")) process.exit(0);
  // The CLI resolves (downloads) a schema-engine binary even for `generate`, which never runs it;
  // pointing the override at ANY existing file (here: the node binary) skips the download.
  const env = { ...process.env, PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY ?? process.execPath };
  const pgCopy = "prisma/postgresql.gen.prisma"; // same folder => relative generator paths stay valid
  writeFileSync(pgCopy, "// GENERATED from schema.prisma by scripts/db.ts – do not edit\n" + schemaFor("postgresql"));
  try {
    for (const schema of ["prisma/schema.prisma", pgCopy])
      execFileSync(process.execPath, ["node_modules/prisma/build/index.js", "generate", "--schema", schema], { stdio: ["ignore", "ignore", "inherit"], env });
  } finally {
    rmSync(pgCopy, { force: true });
  }
  writeFileSync(stamp, hash);
} else if (cmd === "migrate:new" || cmd === "migrate:check") {
  const check = cmd === "migrate:check";
  const prev = existsSync(SNAPSHOT) ? readFileSync(SNAPSHOT, "utf8") : null;
  const next = readFileSync("prisma/schema.prisma", "utf8");
  const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
  const dir = `${stamp}_${name.replace(/\W+/g, "_")}`;
  let wrote = false;
  for (const p of providers) {
    const to = schemaFor(p, next);
    const eng = await openOfflineSchemaEngine(to, p === "sqlite" ? "sqlite" : "postgres");
    const { stdout: out } = await eng.diff({
      from: prev ? { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: schemaFor(p, prev) }] } : { tag: "empty" },
      to: { tag: "schemaDatamodel", files: [{ path: "schema.prisma", content: to }] },
      script: true,
      exitCode: null,
      filters: noFilters,
    });
    eng.free();
    const stdout = out ?? "";
    if (/^-- This is an empty migration\.\s*$/.test(stdout.trim()) || !stdout.trim()) {
      console.log(`${p}: no changes`);
      continue;
    }
    if (check) {
      console.error(`${p}: schema.prisma has changes without a migration:\n${stdout}`);
      process.exitCode = 1;
      continue;
    }
    mkdirSync(`${MIG}/${p}/${dir}`, { recursive: true });
    writeFileSync(`${MIG}/${p}/${dir}/migration.sql`, stdout);
    writeFileSync(`${MIG}/${p}/migration_lock.toml`, `provider = "${p}"\n`);
    console.log(`${p}: wrote ${MIG}/${p}/${dir}/migration.sql`);
    wrote = true;
  }
  if (wrote) writeFileSync(SNAPSHOT, next);
} else {
  console.error("usage: tsx scripts/db.ts generate | migrate:new <name> | migrate:check");
  process.exit(2);
}
