/**
 * GraphQL for import and export: `importRecords` takes the file as an `ImportUpload` (a file part
 * of a multipart request, graphql-multipart-request-spec: streamed to disk like the REST upload,
 * limit `max_import_size`) or its content as a string (base64 for xlsx), and answers the counts,
 * or the job when the file has more than 1,000 rows; `exportRecords` always runs as a job whose `downloadUrl` serves
 * the file. Resolvers call core/transfer and shape nothing else.
 */
import { rm } from "node:fs/promises";
import { Readable } from "node:stream";
import { GraphQLError, GraphQLScalarType } from "graphql";
import type { JobView } from "../core/jobs/jobs.ts";
import { exportRecords } from "../core/transfer/export.ts";
import { parseFormat, type Format } from "../core/transfer/formats.ts";
import { importRecords, type ImportResult } from "../core/transfer/import.ts";
import { stageImportFile, uploadFormat } from "../core/transfer/stage-file.ts";
import { BadRequestError } from "../core/errors.ts";
import { FilterError } from "../query/ast.ts";
import { parseExpression } from "../query/parse-expression.ts";
import type { Builder } from "./builder.ts";
import type { addJobFields } from "./system-jobs.ts";
import { IMPORT_TOKEN_PREFIX, IMPORT_UPLOAD_TYPE } from "./multipart.ts";

const notAnImport = () =>
  new GraphQLError(`${IMPORT_UPLOAD_TYPE} values are file parts of a multipart request (graphql-multipart-request-spec), declared as $variable: ${IMPORT_UPLOAD_TYPE}`, {
    extensions: { code: "BAD_USER_INPUT" },
  });

const ImportUploadScalar = new GraphQLScalarType({
  name: IMPORT_UPLOAD_TYPE,
  description: "An import file sent as a file part of a multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec); only as a variable of this type.",
  parseValue: (v) => {
    if (typeof v === "string" && v.startsWith(IMPORT_TOKEN_PREFIX)) return v;
    throw notAnImport();
  },
  parseLiteral: () => {
    throw notAnImport();
  },
  serialize: () => {
    throw new GraphQLError(`${IMPORT_UPLOAD_TYPE} is an input type`);
  },
});

type Outcome = { result?: ImportResult; job?: JobView };

/** Adds `importRecords` and `exportRecords` (call after addJobFields, with the `Job` type it returned). */
export function addTransferFields(b: Builder, job: ReturnType<typeof addJobFields>): void {
  b.addScalarType(IMPORT_UPLOAD_TYPE, ImportUploadScalar);
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
      description:
        "Imports records from a file: `file` (a multipart file part; format from `format` or the file name) or `data` (the content: csv, json, ndjson; xlsx as base64; `format` required). mode: insert | upsert (key: id or a unique field); atomic: all or nothing.",
      args: {
        collection: t.arg.string({ required: true }),
        format: t.arg.string({ description: "csv, json, ndjson or xlsx; with `file`, by default from its name" }),
        file: t.arg({ type: IMPORT_UPLOAD_TYPE, description: "the file, as a multipart file part (declare the variable as ImportUpload)" }),
        data: t.arg.string({ description: "the file's content, when not sent as `file`" }),
        mode: t.arg.string(),
        key: t.arg.string(),
        atomic: t.arg.boolean(),
      },
      resolve: async (_r, a, { cairn, importUploads }) => {
        const staged = a.file != null ? importUploads.get(a.file) : undefined;
        if (a.file != null) {
          if (!staged) throw new BadRequestError("file must be a file part of this multipart request (graphql-multipart-request-spec)", { file: "Not an uploaded file" });
          importUploads.delete(a.file);
        }
        let path: string;
        let format: Format;
        try {
          if ((a.file == null) === (a.data == null)) throw new BadRequestError("Pass exactly one of file and data", { file: "Exactly one of file and data" });
          cairn.services.collections.require(a.collection);
          if (staged) {
            format = uploadFormat(staged.filename, a.format ?? undefined);
            path = staged.path;
          } else {
            if (a.format == null) throw new BadRequestError("format is required with data", { format: "Required with data" });
            format = parseFormat(a.format);
            const bytes = format === "xlsx" ? Buffer.from(a.data!, "base64") : Buffer.from(a.data!, "utf8");
            path = await stageImportFile(cairn, Readable.from([bytes]), format);
          }
        } catch (e) {
          if (staged) await rm(staged.path, { force: true });
          throw e;
        }
        // importRecords owns the file from here (deleted when it ends, or by its job)
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
