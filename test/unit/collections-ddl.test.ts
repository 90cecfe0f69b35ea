/**
 * DDL text for both dialects: column types, deterministic index names, FTS objects.
 */
import { describe, expect, it } from "vitest";
import { createCollectionSql, indexPrefix, objectName } from "../../src/core/collections/ddl.ts";
import type { FieldDef, FieldType, FieldOptions } from "../../src/core/collections/types.ts";

const f = (id: string, name: string, type: FieldType, options: FieldOptions = {}, extra: Partial<FieldDef> = {}): FieldDef => ({
  id,
  name,
  type,
  required: false,
  unique: false,
  index: false,
  options,
  ...extra,
});
const fields = [
  f("t1", "title", "text", {}, { unique: true }),
  f("n1", "views", "number", {}, { index: true }),
  f("b1", "ok", "bool"),
  f("d1", "day", "date"),
  f("dt1", "at", "datetime"),
  f("j1", "meta", "json"),
  f("s1", "tags", "select", { values: ["a"], multiple: true }),
  f("e1", "body", "editor"),
];

describe("createCollectionSql", () => {
  it("SQLite: typed columns, indexes, FTS5 external content with triggers", () => {
    const sql = createCollectionSql("sqlite", { fields }, "posts").join(";\n");
    expect(sql).toContain(`"id" TEXT PRIMARY KEY NOT NULL`);
    expect(sql).toContain(`"created" TEXT NOT NULL`);
    expect(sql).toContain(`"version" INTEGER NOT NULL DEFAULT 1`);
    for (const col of [`"views" REAL`, `"ok" INTEGER`, `"day" TEXT`, `"meta" TEXT`, `"tags" TEXT`]) expect(sql).toContain(col);
    expect(sql).toContain(`CREATE INDEX "posts__created" ON "posts" ("account_id", "created", "id")`);
    expect(sql).toContain(`CREATE UNIQUE INDEX "posts__uq_t1" ON "posts" ("account_id", "title")`);
    expect(sql).toContain(`CREATE INDEX "posts__id" ON "posts" ("account_id", "id")`);
    expect(sql).toContain(`CREATE INDEX "posts__ix_n1" ON "posts" ("account_id", "views", "id")`);
    expect(sql).toContain(`CREATE VIRTUAL TABLE "_fts_posts" USING fts5("title", "body", content='posts', content_rowid='rowid', tokenize='unicode61 remove_diacritics 2')`);
    expect(sql).toContain(`INSERT INTO "_fts_posts"("_fts_posts", rowid, "title", "body") VALUES ('delete', old.rowid, old."title", old."body")`);
    // 3 for the search table, 3 for the title's trigram table (the editor field has none by default)
    expect(sql.match(/CREATE TRIGGER/g)).toHaveLength(6);
  });

  it("keeps a trigram index for contains on short text kinds, opt-in for long ones, opt-out by option", () => {
    const tri = [f("t1", "title", "text"), f("e1", "body", "editor"), f("e2", "intro", "textarea", { trigram: true }), f("u1", "site", "url", { trigram: false })];
    const lite = createCollectionSql("sqlite", { fields: tri }, "posts").join(";\n");
    expect(lite).toContain(`CREATE VIRTUAL TABLE "posts__tri_t1" USING fts5("title", content='posts', content_rowid='rowid', tokenize='trigram case_sensitive 0', detail=none, columnsize=0)`);
    expect(lite).toContain(`CREATE TRIGGER "posts__tri_t1_au" AFTER UPDATE OF "title" ON "posts"`);
    expect(lite).toContain(`"posts__tri_e2"`);
    expect(lite).not.toMatch(/posts__tri_(e1|u1)/);
    const pg = createCollectionSql("postgres", { fields: tri }, "posts").join(";\n");
    expect(pg).toContain(`CREATE INDEX "posts__tri_t1" ON "posts" USING GIN ("title" gin_trgm_ops) WITH (gin_pending_list_limit = 128)`);
    expect(pg).toContain(`CREATE INDEX "posts__tri_e2" ON "posts" USING GIN ("intro" gin_trgm_ops) WITH (gin_pending_list_limit = 128)`);
    expect(pg).not.toMatch(/posts__tri_(e1|u1)/);
    // PostgreSQL without pg_trgm: no trigram index
    expect(createCollectionSql("postgres", { fields: tri }, "posts", { trigram: false }).join(";")).not.toContain("gin_trgm_ops");
  });

  it("PostgreSQL: typed columns, named primary key, generated tsvector + GIN", () => {
    const sql = createCollectionSql("postgres", { fields }, "posts").join(";\n");
    for (const col of [`"created" TIMESTAMPTZ NOT NULL`, `"views" DOUBLE PRECISION`, `"ok" BOOLEAN`, `"day" DATE`, `"at" TIMESTAMPTZ`, `"meta" JSONB`, `"tags" JSONB`]) expect(sql).toContain(col);
    expect(sql).toContain(`CONSTRAINT "posts__pkey" PRIMARY KEY ("id")`);
    expect(sql).toContain(`ADD COLUMN "_search" tsvector GENERATED ALWAYS AS (to_tsvector('simple', coalesce("title", '') || ' ' || coalesce("body", ''))) STORED`);
    expect(sql).toContain(`CREATE INDEX "posts__search" ON "posts" USING GIN ("_search")`);
    // in the list order: nulls first ascending, text in code-point order
    expect(sql).toContain(`CREATE INDEX "posts__ix_n1" ON "posts" ("account_id", "views" NULLS FIRST, "id")`);
  });

  it("indexes text fields in code-point order and single references for lookups newest first", () => {
    const more = [f("x1", "slug", "text", {}, { index: true }), f("r1", "author", "reference", { collection: "authors" }, { index: true })];
    const pg = createCollectionSql("postgres", { fields: more }, "posts").join(";\n");
    expect(pg).toContain(`CREATE INDEX "posts__ix_x1" ON "posts" ("account_id", "slug" COLLATE "C" NULLS FIRST, "id")`);
    expect(pg).toContain(`CREATE INDEX "posts__ix_r1" ON "posts" ("account_id", "author", "created", "id")`);
    const lite = createCollectionSql("sqlite", { fields: more }, "posts").join(";\n");
    expect(lite).toContain(`CREATE INDEX "posts__ix_x1" ON "posts" ("account_id", "slug", "id")`);
    expect(lite).toContain(`CREATE INDEX "posts__ix_r1" ON "posts" ("account_id", "author", "created", "id")`);
  });

  it("creates no search objects without searchable fields", () => {
    expect(createCollectionSql("sqlite", { fields: [fields[1]!] }, "n").join(";")).not.toMatch(/fts5|TRIGGER/);
    expect(createCollectionSql("postgres", { fields: [fields[1]!] }, "n").join(";")).not.toMatch(/tsvector/);
  });
});

describe("object names", () => {
  it("stay within PostgreSQL's 63 bytes and are deterministic", () => {
    const long = "a".repeat(63);
    expect(indexPrefix("posts")).toBe("posts");
    expect(indexPrefix(long)).toBe(indexPrefix(long));
    expect(indexPrefix(long)).not.toBe(indexPrefix(`${"a".repeat(62)}b`));
    expect(objectName(long, `uq_${"x".repeat(20)}`).length).toBeLessThanOrEqual(63);
  });
});
