// src/db/schema-engine.ts
// Loads @prisma/schema-engine-wasm WITHOUT `node --experimental-wasm-modules`:
// the package's entry does `import * as wasm from "./schema_engine_bg.wasm"` (ESM-wasm
// integration, flagged on Node 20). We import the JS glue (`./schema_engine_bg` export)
// and instantiate the .wasm ourselves, exactly like the package entry would.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import * as bg from "@prisma/schema-engine-wasm/schema_engine_bg";
import type { SchemaEngine as SchemaEngineT } from "@prisma/schema-engine-wasm";
import { bindMigrationAwareSqlAdapterFactory, mockMigrationAwareAdapterFactory, type SqlMigrationAwareDriverAdapterFactory } from "@prisma/driver-adapter-utils";

export type SchemaEngine = SchemaEngineT;
let loaded: Promise<typeof import("@prisma/schema-engine-wasm")> | undefined;

function loadEngineModule() {
  loaded ??= (async () => {
    const require = createRequire(import.meta.url);
    const glue = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
    const bytes = readFileSync(join(dirname(glue), "schema_engine_bg.wasm"));
    const { instance } = await (globalThis as any).WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg as any });
    (bg as any).__wbg_set_wasm(instance.exports);
    (instance.exports as any).__wbindgen_start();
    return bg as unknown as typeof import("@prisma/schema-engine-wasm");
  })();
  return loaded;
}

export const noFilters = { externalTables: [] as string[], externalEnums: [] as string[] };

/**
 * Engine bound to a real DB through a driver adapter factory (PrismaBetterSqlite3 / PrismaPg).
 * TRAP: the engine never disposes the connections it opens, and on SQLite it runs
 * `PRAGMA main.locking_mode=EXCLUSIVE` -> the DB file stays write-locked for every other
 * connection (incl. your PrismaClient) until that connection is disposed. Always call close().
 */
export async function openSchemaEngine(schema: string, factory: SqlMigrationAwareDriverAdapterFactory) {
  const { SchemaEngine } = await loadEngineModule();
  const opened: { dispose(): Promise<void> }[] = [];
  const tracking: SqlMigrationAwareDriverAdapterFactory = {
    provider: factory.provider,
    adapterName: factory.adapterName,
    connect: async () => {
      const c = await factory.connect();
      opened.push(c);
      return c;
    },
    connectToShadowDb: async () => {
      const c = await factory.connectToShadowDb();
      opened.push(c);
      return c;
    },
  };
  const engine = await SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, bindMigrationAwareSqlAdapterFactory(tracking));
  return Object.assign(engine, {
    async close() {
      engine.free();
      await Promise.all(opened.splice(0).map((c) => c.dispose().catch(() => {})));
    },
  });
}

/**
 * Engine with NO database – enough for datamodel→datamodel `diff` (migration generation).
 * SQLite: the stock mock adapter is never queried. Postgres: the engine sends exactly one
 * probe (namespace exists / version()), which we answer with a canned row; any other query
 * rejects, so nothing can silently "succeed" against a fake DB.
 */
export async function openOfflineSchemaEngine(schema: string, provider: "sqlite" | "postgres", pgVersionNum = 160000): Promise<SchemaEngine> {
  const { SchemaEngine } = await loadEngineModule();
  const mock: any = mockMigrationAwareAdapterFactory(provider);
  if (provider === "postgres") {
    const wrap = (conn: any) => ({
      ...conn,
      queryRaw: async (q: { sql: string }) => {
        if (/FROM pg_namespace WHERE nspname = \$1\), version\(\)/.test(q.sql))
          return { columnNames: ["exists", "version", "numeric_version"], columnTypes: [5, 7, 0], rows: [[true, `PostgreSQL ${Math.floor(pgVersionNum / 10000)} (offline)`, pgVersionNum]] };
        throw new Error(`offline schema engine: unexpected query ${q.sql}`);
      },
      dispose: async () => {},
    });
    const connect = mock.connect,
      shadow = mock.connectToShadowDb;
    mock.connect = async () => wrap(await connect());
    mock.connectToShadowDb = async () => wrap(await shadow());
  }
  return SchemaEngine.new({ datamodels: [["schema.prisma", schema]] }, () => {}, bindMigrationAwareSqlAdapterFactory(mock));
}
