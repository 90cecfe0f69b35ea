/**
 * GraphQL for import and export: `importRecords` takes the file's content as a string (base64
 * for xlsx) — for large files use the REST upload — and answers the counts, or the job when the
 * file has more than 1,000 rows; `exportRecords` always runs as a job whose `downloadUrl` serves
 * the file. Resolvers call core/transfer and shape nothing else.
 */
import { Readable } from "node:stream";
import type { JobView } from "../core/jobs/jobs.ts";
import { exportRecords } from "../core/transfer/export.ts";
import { parseFormat } from "../core/transfer/formats.ts";
import { importRecords, type ImportResult } from "../core/transfer/import.ts";
import { stageImportFile } from "../core/transfer/stage-file.ts";
import { BadRequestError } from "../core/errors.ts";
import { FilterError } from "../query/ast.ts";
import { parseExpression } from "../query/parse-expression.ts";
import type { Builder } from "./builder.ts";
import type { addJobFields } from "./system-jobs.ts";

type Outcome = { result?: ImportResult; job?: JobView };

/** Adds `importRecords` and `exportRecords` (call after addJobFields, with the `Job` type it returned). */
export function addTransferFields(b: Builder, job: ReturnType<typeof addJobFields>): void {
  const rowError = b.objectRef<{ row: number; field: string | null; error: string }>("ImportRowError").implement({
    fields: (t) => ({
      row: t.exposeInt("row", { description: "the row's number in the file (CSV/xlsx: the header is row 1)" }),
      field: t.string({ nullable: true, resolve: (e) => e.field }),
      error: t.exposeString("error"),
    }),
  });
  const outcome = b.objectRef<Outcome>("ImportOutcome").implement({
    description: "The counts of an import done at once, or the job running it (more than 1,000 rows).",
    fields: (t) => ({
      imported: t.int({ nullable: true, resolve: (o) => o.result?.imported ?? null }),
      created: t.int({ nullable: true, resolve: (o) => o.result?.created ?? null }),
      updated: t.int({ nullable: true, resolve: (o) => o.result?.updated ?? null }),
      total: t.int({ nullable: true, resolve: (o) => o.result?.total ?? null }),
      failed: t.int({ nullable: true, resolve: (o) => o.result?.failed ?? null }),
      errors: t.field({ type: [rowError], resolve: (o) => o.result?.errors ?? [] }),
      job: t.field({ type: job, nullable: true, resolve: (o) => o.job ?? null }),
    }),
  });

  b.mutationFields((t) => ({
    importRecords: t.field({
      type: outcome,
      description: "Imports records from file content (csv, json, ndjson; xlsx as base64). mode: insert | upsert (key: id or a unique field); atomic: all or nothing.",
      args: {
        collection: t.arg.string({ required: true }),
        format: t.arg.string({ required: true }),
        data: t.arg.string({ required: true }),
        mode: t.arg.string(),
        key: t.arg.string(),
        atomic: t.arg.boolean(),
      },
      resolve: async (_r, a, { cairn }) => {
        const format = parseFormat(a.format);
        cairn.services.collections.require(a.collection);
        const bytes = format === "xlsx" ? Buffer.from(a.data, "base64") : Buffer.from(a.data, "utf8");
        const path = await stageImportFile(cairn, Readable.from([bytes]), format);
        return importRecords(cairn, a.collection, path, { format, mode: (a.mode ?? undefined) as "insert" | "upsert" | undefined, key: a.key ?? undefined, atomic: a.atomic ?? false });
      },
    }),
    exportRecords: t.field({
      type: job,
      description: "Exports the records you may list as a job; its downloadUrl serves the file when it succeeded.",
      args: {
        collection: t.arg.string({ required: true }),
        format: t.arg.string({ description: "csv (default), json, ndjson, xlsx" }),
        filter: t.arg.string({ description: "filter expression, e.g. `price > 10 && in_stock = true`" }),
        sort: t.arg.string({ description: "e.g. `-price,name`" }),
        fields: t.arg.stringList(),
      },
      resolve: async (_r, a, { cairn }) => {
        let filter;
        try {
          filter = a.filter ? parseExpression(a.filter) : undefined;
        } catch (e) {
          if (e instanceof FilterError) throw new BadRequestError(`Invalid filter: ${e.message}`, { filter: e.message });
          throw e;
        }
        const out = await exportRecords(cairn, a.collection, { format: parseFormat(a.format ?? undefined), filter, sort: a.sort ?? undefined, fields: a.fields ?? undefined }, { background: true });
        if (out.kind !== "job") throw new Error("export did not start a job");
        return out.job;
      },
    }),
  }));
}
