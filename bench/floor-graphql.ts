/**
 * The floor's GraphQL server: GraphQL Yoga (defaults: parse and validation caches) over a
 * hand-written schema with just what the bench asks — the newest posts with their newest
 * comments (one statement for the page, one window-function statement for the comments of the
 * whole page, batched per tick like a DataLoader) and a bulk create (one multi-row INSERT).
 */
import { createSchema, createYoga } from "graphql-yoga";
import type { FloorStore, CommentRow, PostRow } from "./floor-store.ts";

const typeDefs = /* GraphQL */ `
  enum SortDirection {
    ASC
    DESC
  }
  input PostOrderBy {
    created: SortDirection
  }
  input CommentOrderBy {
    created: SortDirection
  }
  type Comment {
    id: ID!
    body: String
    created: String!
  }
  type CommentConnection {
    nodes: [Comment!]!
  }
  type Post {
    id: ID!
    title: String
    body: String
    views: Float
    published: Boolean
    status: String
    created: String!
    comments(first: Int = 30, orderBy: [CommentOrderBy!]): CommentConnection!
  }
  type PostConnection {
    nodes: [Post!]!
  }
  type Draft {
    id: ID!
  }
  input DraftCreateInput {
    title: String!
    body: String
    views: Float
    published: Boolean
    status: String
  }
  type Query {
    posts(first: Int = 30, orderBy: [PostOrderBy!]): PostConnection!
  }
  type Mutation {
    createDrafts(data: [DraftCreateInput!]!): [Draft!]!
  }
`;

interface Ctx {
  comments: (postId: string, first: number) => Promise<CommentRow[]>;
}

/** Collects the post ids asked for in one tick, loads their comments in one statement. */
function commentLoader(store: FloorStore): Ctx["comments"] {
  let batch: { id: string; first: number; resolve: (c: CommentRow[]) => void; reject: (e: unknown) => void }[] = [];
  return (id, first) =>
    new Promise((resolve, reject) => {
      if (batch.length === 0)
        process.nextTick(() => {
          const pending = batch;
          batch = [];
          const perPost = Math.max(...pending.map((p) => p.first));
          store
            .commentsOf(
              pending.map((p) => p.id),
              perPost,
            )
            .then(
              (rows) => {
                const byPost = new Map<string, CommentRow[]>();
                for (const r of rows) (byPost.get(r.post) ?? byPost.set(r.post, []).get(r.post)!).push(r);
                for (const p of pending) p.resolve((byPost.get(p.id) ?? []).sort((a, b) => (a.created < b.created ? 1 : a.created > b.created ? -1 : a.id < b.id ? 1 : -1)).slice(0, p.first));
              },
              (e: unknown) => pending.forEach((p) => p.reject(e)),
            );
        });
      batch.push({ id, first, resolve, reject });
    });
}

export function floorYoga(store: FloorStore) {
  const schema = createSchema<Ctx>({
    typeDefs,
    resolvers: {
      Query: { posts: async (_: unknown, args: { first: number }) => ({ nodes: await store.newest(Math.min(100, args.first)) }) },
      Post: { comments: async (post: PostRow, args: { first: number }, ctx: Ctx) => ({ nodes: await ctx.comments(post.id, Math.min(100, args.first)) }) },
      Mutation: { createDrafts: async (_: unknown, args: { data: Record<string, any>[] }) => (await store.createMany("drafts", args.data)).map((id) => ({ id })) },
    },
  });
  return createYoga<Ctx>({ schema, graphqlEndpoint: "/graphql", graphiql: false, logging: false, context: () => ({ comments: commentLoader(store) }) });
}
