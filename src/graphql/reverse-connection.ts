/**
 * The reverse side of a reference as a connection (`Author.posts`): `where`, `orderBy` and
 * Relay paging in both directions (`first`/`after`, `last`/`before`, or `first`/`offset`), with
 * a complete `pageInfo`. Every parent of a list is served by one batched statement
 * (loaders.ts → `listRecordsGrouped`), cursors included: a cursor applies to each parent's rows.
 */
import { GraphQLInt, GraphQLList, GraphQLNonNull, GraphQLString, type GraphQLFieldConfig } from "graphql";
import { BadRequestError } from "../core/errors.ts";
import { MAX_PAGE_SIZE } from "../core/records/list-query.ts";
import type { RecordData } from "../core/records/values.ts";
import type { GraphqlContext } from "./builder.ts";
import type { CollectionTypes } from "./collection-types.ts";
import { reverseSelection } from "./loaders.ts";
import { connectionOf, nodeFieldNames, orderByToTerms, selects, type ConnectionArgs, type OrderByInput } from "./pagination.ts";
import { whereToExpr } from "./where.ts";

/** Rows per parent when neither first nor last is given. */
const DEFAULT_PER_PARENT = 30;

interface ReverseArgs extends ConnectionArgs {
  where?: Record<string, unknown> | null;
  orderBy?: readonly OrderByInput[] | null;
}

/** Rows per parent from first/last (1…100), refused with 400 under GraphQL's names. */
function perParent(args: ReverseArgs): number {
  if (args.first != null && args.last != null) throw new BadRequestError("Pass either first or last, not both", { first: "Not with last" });
  const which = args.last != null ? "last" : "first";
  const n = args.first ?? args.last ?? DEFAULT_PER_PARENT;
  if (!Number.isInteger(n) || n < 1 || n > MAX_PAGE_SIZE) throw new BadRequestError(`${which} must be between 1 and ${MAX_PAGE_SIZE}`, { [which]: `Must be between 1 and ${MAX_PAGE_SIZE}` });
  if (args.after != null && (args.before != null || args.last != null)) throw new BadRequestError("Pass either after or before/last, not both", { after: "Not with before/last" });
  if (args.offset != null && (args.after != null || args.before != null || args.last != null))
    throw new BadRequestError("offset cannot be combined with after, last or before", { offset: "Use offset with first only" });
  return n;
}

/** The connection field listing `child` records whose reference `field` points at the parent. */
export function reverseConnectionField(child: CollectionTypes, field: string): GraphQLFieldConfig<RecordData, GraphqlContext, ReverseArgs> {
  return {
    type: new GraphQLNonNull(child.connection),
    description: `${child.def.name} whose '${field}' references this record; page with first/after, last/before or first/offset`,
    args: {
      where: { type: child.where },
      orderBy: { type: new GraphQLList(new GraphQLNonNull(child.orderBy)) },
      first: { type: GraphQLInt, description: `per parent, at most ${MAX_PAGE_SIZE} (default ${DEFAULT_PER_PARENT})` },
      after: { type: GraphQLString },
      last: { type: GraphQLInt, description: `per parent, at most ${MAX_PAGE_SIZE}` },
      before: { type: GraphQLString },
      offset: { type: GraphQLInt },
    },
    resolve: async (r, args, g, info) => {
      const { loader, sort } = reverseSelection(g, info.fieldNodes, () => ({
        collection: child.def.name,
        field,
        args: {
          filter: whereToExpr(args.where),
          sort: orderByToTerms(child.def, args.orderBy),
          limit: perParent(args),
          offset: args.offset ?? 0,
          after: args.after ?? undefined,
          before: args.before ?? undefined,
          fromEnd: args.last != null,
          withTotal: selects(info, "totalCount"),
          fields: nodeFieldNames(info),
        },
      }));
      const group = await loader.load(r.id);
      return connectionOf(child.def, sort, g.cairn.services.db.dialect, group.items, group.hasMore, group.hasPrevious, group.total);
    },
  };
}
