/**
 * The files system operations (core/files): the `File` type, `file`, `files` and `fileUrl`
 * queries, and the `uploadFile` (an `Upload` from a multipart request, multipart.ts) and
 * `deleteFile` mutations. Collection `file` fields resolve to `[File!]` (collection-types.ts).
 */
import { GraphQLError, GraphQLScalarType } from "graphql";
import { BadRequestError, NotFoundError, ValidationError } from "../core/errors.ts";
import { deleteFile } from "../core/files/delete.ts";
import { getFile, listFiles } from "../core/files/read.ts";
import { signFileUrl } from "../core/files/signed-url.ts";
import { fileDownloadPath, type FileView } from "../core/files/types.ts";
import { commitUpload } from "../core/files/upload.ts";
import { MAX_PAGE_SIZE } from "../core/records/list-query.ts";
import type { Builder } from "./builder.ts";
import { UPLOAD_TOKEN_PREFIX } from "./multipart.ts";

const notAnUpload = () => new GraphQLError("Upload values are file parts of a multipart request (graphql-multipart-request-spec)", { extensions: { code: "BAD_USER_INPUT" } });

const UploadScalar = new GraphQLScalarType({
  name: "Upload",
  description: "A file part of a multipart request (https://github.com/jaydenseric/graphql-multipart-request-spec); only as a variable.",
  parseValue: (v) => {
    if (typeof v === "string" && v.startsWith(UPLOAD_TOKEN_PREFIX)) return v;
    throw notAnUpload();
  },
  parseLiteral: () => {
    throw notAnUpload();
  },
  serialize: () => {
    throw new GraphQLError("Upload is an input type");
  },
});

/** Adds the File type and the file operations; returns the File type for collection types. */
export function addFileFields(b: Builder) {
  b.addScalarType("Upload", UploadScalar);
  const file = b.objectRef<FileView>("File").implement({
    description: "An uploaded file. `url` downloads it (Range, ETag; `?thumb=WxH` for image thumbnails).",
    fields: (t) => ({
      id: t.exposeID("id"),
      name: t.exposeString("name", { description: "original file name" }),
      size: t.exposeInt("size", { description: "bytes" }),
      type: t.string({ description: "MIME type", resolve: (f) => f.mimeType }),
      url: t.string({ description: "download path", resolve: (f) => fileDownloadPath(f.id) }),
      collection: t.string({ nullable: true, description: "collection named at upload", resolve: (f) => f.collection }),
      recordId: t.id({ nullable: true, resolve: (f) => f.recordId }),
      field: t.string({ nullable: true, resolve: (f) => f.field }),
      userId: t.id({ nullable: true, description: "the uploader", resolve: (f) => f.userId }),
      created: t.field({ type: "DateTime", resolve: (f) => f.created }),
      updated: t.field({ type: "DateTime", resolve: (f) => f.updated }),
    }),
  });
  const page = b.objectRef<{ items: FileView[]; total: number; page: number; perPage: number }>("FilePage").implement({
    fields: (t) => ({
      items: t.field({ type: [file], resolve: (p) => p.items }),
      total: t.exposeInt("total"),
      page: t.exposeInt("page"),
      perPage: t.exposeInt("perPage"),
    }),
  });
  const signed = b.objectRef<{ url: string; expiresAt: Date }>("SignedFileUrl").implement({
    fields: (t) => ({
      url: t.exposeString("url", { description: "download path that needs no Authorization header" }),
      expiresAt: t.field({ type: "DateTime", resolve: (s) => s.expiresAt }),
    }),
  });

  b.queryFields((t) => ({
    file: t.field({
      type: file,
      nullable: true,
      description: "A file you may see (uploader, superadmin, or a viewer of a record using it); null otherwise.",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_r, args, { cairn }) => {
        try {
          return await getFile(cairn, String(args.id));
        } catch (e) {
          if (e instanceof NotFoundError) return null;
          throw e;
        }
      },
    }),
    files: t.field({
      type: page,
      description: "Your uploads (superadmins: every file of the account), newest first.",
      args: { collection: t.arg.string(), recordId: t.arg.id(), page: t.arg.int({ defaultValue: 1 }), perPage: t.arg.int({ defaultValue: 30, description: `1 to ${MAX_PAGE_SIZE}` }) },
      resolve: async (_r, args, { cairn }) => {
        const perPage = args.perPage ?? 30;
        const pageNo = args.page ?? 1;
        if (perPage < 1 || perPage > MAX_PAGE_SIZE) throw new ValidationError(`perPage must be between 1 and ${MAX_PAGE_SIZE}`, { perPage: `Must be between 1 and ${MAX_PAGE_SIZE}` });
        if (pageNo < 1) throw new ValidationError("page must be at least 1", { page: "Must be at least 1" });
        const r = await listFiles(cairn, { collection: args.collection ?? undefined, recordId: args.recordId != null ? String(args.recordId) : undefined, page: pageNo, pageSize: perPage });
        return { items: r.items, total: r.total, page: r.page, perPage: r.pageSize };
      },
    }),
    fileUrl: t.field({
      type: signed,
      description: "A short-lived signed download path for a file you may see (for clients that cannot send headers).",
      args: { id: t.arg.id({ required: true }), expiresIn: t.arg.int({ defaultValue: 300, description: "seconds" }) },
      resolve: async (_r, args, { cairn }) => {
        const f = await getFile(cairn, String(args.id));
        const s = signFileUrl(cairn, f.id, args.expiresIn ?? 300);
        return { url: `${fileDownloadPath(f.id)}?expires=${s.expires}&signature=${s.signature}`, expiresAt: new Date(s.expires * 1000) };
      },
    }),
  }));

  b.mutationFields((t) => ({
    uploadFile: t.field({
      type: file,
      description: "Stores a file sent as a multipart request; with collection, recordId and field it is added to that record's file field.",
      args: { file: t.arg({ type: "Upload", required: true }), collection: t.arg.string(), recordId: t.arg.id(), field: t.arg.string() },
      resolve: async (_r, args, { cairn, uploads }) => {
        const staged = uploads.get(args.file);
        if (!staged) throw new BadRequestError("file must be a file part of this multipart request (graphql-multipart-request-spec)", { file: "Not an uploaded file" });
        uploads.delete(args.file);
        return commitUpload(cairn, staged, { collection: args.collection ?? undefined, recordId: args.recordId != null ? String(args.recordId) : undefined, field: args.field ?? undefined });
      },
    }),
    deleteFile: t.field({
      type: file,
      description: "Deletes a file you uploaded (superadmins: any) that no record uses; returns it.",
      args: { id: t.arg.id({ required: true }) },
      resolve: (_r, args, { cairn }) => deleteFile(cairn, String(args.id)),
    }),
  }));
  return { file };
}
