import { defineConfig } from "vitest/config";

// Unit tests run once; API tests run twice, once per database (SQLite file, PostgreSQL).
// CAIRN_TEST_DB=sqlite|postgres narrows the API run to one database.
const only = process.env.CAIRN_TEST_DB;
const dbs = (only ? [only] : ["sqlite", "postgres"]) as ("sqlite" | "postgres")[];

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      ...dbs.map((db) => ({
        test: {
          name: db,
          include: ["test/api/**/*.test.ts"],
          env: { CAIRN_TEST_DB: db },
          testTimeout: 30_000,
          hookTimeout: 60_000,
        },
      })),
    ],
  },
});
