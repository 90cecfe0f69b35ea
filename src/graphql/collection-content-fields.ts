/**
 * The content workflow's root fields for a draft-enabled or versioned collection (core/content):
 * `publishPost(id)`, `unpublishPost(id)`, `schedulePost(id, publishAt, unpublishAt)`,
 * `postVersions(id)`, `restorePostVersion(id, versionId)`, and `post(slug:)` beside `post(id:)`.
 * Resolvers call the same core operations as the R3 routes.
 */
import { GraphQLID, GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLObjectType, GraphQLString, type GraphQLFieldConfigMap } from "graphql";
import { publishDocument, scheduleTime, unpublishDocument } from "../core/content/publish.ts";
import { contentOptions, hasSlug } from "../core/content/options.ts";
import { listVersions, restoreVersion, type DocumentVersion } from "../core/content/versions.ts";
import { NotFoundError, ValidationError } from "../core/errors.ts";
import { getRecord, listRecords } from "../core/records/read.ts";
import { updateRecord } from "../core/records/write.ts";
import type { GraphqlContext } from "./builder.ts";
import type { CollectionTypes } from "./collection-types.ts";
import type { SharedTypes } from "./system-schema.ts";

type Fields = GraphQLFieldConfigMap<unknown, GraphqlContext>;
const nn = <T extends GraphQLObjectType | typeof GraphQLID | typeof GraphQLInt>(t: T) => new GraphQLNonNull(t);

const versionTypes = new WeakMap<SharedTypes, GraphQLObjectType<DocumentVersion, GraphqlContext>>();

/** One stored version of a document (one type per schema, shared by every versioned collection). */
export function contentVersionType(s: SharedTypes): GraphQLObjectType<DocumentVersion, GraphqlContext> {
  let t = versionTypes.get(s);
  if (!t) {
    t = new GraphQLObjectType<DocumentVersion, GraphqlContext>({
      name: "ContentVersion",
      description: "A snapshot of a document, stored on every change (collections with the versions option)",
      fields: {
        id: { type: nn(GraphQLID) },
        recordId: { type: nn(GraphQLID) },
        version: { type: nn(GraphQLInt), description: "the record version the snapshot is of", resolve: (v) => v.recordVersion },
        status: { type: GraphQLString },
        data: { type: new GraphQLNonNull(s.JSON), description: "the record's field values at the time" },
        authorId: { type: GraphQLID },
        created: { type: new GraphQLNonNull(s.DateTime) },
      },
    });
    versionTypes.set(s, t);
  }
  return t;
}

/** `post(id:, slug:)`: one record by id or (content collections with slugs) by slug; null when absent. */
export function singleBySlugField(c: CollectionTypes): Fields[string] {
  const name = c.def.name;
  return {
    type: c.object,
    description: `One ${name} record by id or by slug (null when absent)`,
    args: { id: { type: GraphQLID }, slug: { type: GraphQLString } },
    resolve: async (_r, args, g) => {
      if ((args.id == null) === (args.slug == null)) throw new ValidationError("Pass either id or slug", { id: "pass id or slug" });
      try {
        if (args.id != null) return await getRecord(g.cairn, name, String(args.id));
      } catch (e) {
        if (e instanceof NotFoundError) return null;
        throw e;
      }
      const r = await listRecords(g.cairn, name, {
        filter: { kind: "compare", op: "eq", left: { kind: "field", name: "slug" }, right: { kind: "value", value: String(args.slug) } },
        pageSize: 1,
        skipTotal: true,
      });
      return r.items[0] ?? null;
    },
  };
}

/** Adds the workflow fields of `c` to the root fields (nothing for collections outside the workflow). */
export function addContentFields(c: CollectionTypes, query: Fields, mutation: Fields, s: SharedTypes): void {
  const { def, names } = c;
  const o = contentOptions(def);
  const name = def.name;
  const id = { type: nn(GraphQLID) };
  if (hasSlug(def)) query[names.single] = singleBySlugField(c);
  if (o.drafts) {
    mutation[`publish${names.type}`] = {
      type: nn(c.object),
      description: "Publishes the document now (status published, publishedAt now)",
      args: { id },
      resolve: (_r, args, g) => publishDocument(g.cairn, name, String(args.id)),
    };
    mutation[`unpublish${names.type}`] = {
      type: nn(c.object),
      description: "Back to draft: hidden from those who may not see drafts",
      args: { id },
      resolve: (_r, args, g) => unpublishDocument(g.cairn, name, String(args.id)),
    };
    mutation[`schedule${names.type}`] = {
      type: nn(c.object),
      description: "Publishes (publishAt) and/or unpublishes (unpublishAt) the document at those times, exactly once; null clears a schedule",
      args: { id, publishAt: { type: s.DateTime }, unpublishAt: { type: s.DateTime } },
      resolve: (_r, args, g) => {
        const data: Record<string, unknown> = {};
        if (args.publishAt !== undefined) data.publish_at = scheduleTime(args.publishAt, "publishAt");
        if (args.unpublishAt !== undefined) data.unpublish_at = scheduleTime(args.unpublishAt, "unpublishAt");
        if (Object.keys(data).length === 0) throw new ValidationError("Pass publishAt or unpublishAt", { publishAt: "is required" });
        return updateRecord(g.cairn, name, String(args.id), data);
      },
    };
  }
  if (o.versions) {
    query[`${names.single}Versions`] = {
      type: new GraphQLNonNull(new GraphQLList(nn(contentVersionType(s)))),
      description: "The stored versions of a document, newest first",
      args: { id },
      resolve: (_r, args, g) => listVersions(g.cairn, name, String(args.id)),
    };
    mutation[`restore${names.type}Version`] = {
      type: nn(c.object),
      description: "Restores a version's field values (recorded as a new version; status kept)",
      args: { id, versionId: id },
      resolve: (_r, args, g) => restoreVersion(g.cairn, name, String(args.id), String(args.versionId)),
    };
  }
}
