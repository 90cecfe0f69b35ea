import { defineConfig } from "vitest/config";

// Unit tests run once; API tests run twice, once per database (SQLite file, PostgreSQL).
// CAIRN_TEST_DB=sqlite|postgres narrows the API run to one database.
const only = process.env.CAIRN_TEST_DB;
const dbs = (only ? [only] : ["sqlite", "postgres"]) as ("sqlite" | "postgres")[];

// One graphql instance: Node resolves packages that import "graphql" (Pothos, Yoga, graphql-ws)
// to its CommonJS main, while Vite would hand source files the .mjs build ("Cannot use
// GraphQLSchema from another module or realm").
const resolve = { alias: [{ find: /^graphql$/, replacement: "graphql/index.js" }] };

export default defineConfig({
  test: {
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      { resolve, test: { name: "unit", include: ["test/unit/**/*.test.ts"] } },
      ...dbs.map((db) => ({
        resolve,
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
