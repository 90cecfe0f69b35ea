/**
 * System operations beside the collection fields: `me`, `collections`, `collection`, `login`,
 * `register`, `refreshToken`, `createCollection`, `updateCollection`, `deleteCollection`.
 * Each resolver calls the core operation and shapes its result; nothing else. Fields whose
 * operation is not their root type's default (query: read, mutation: write) declare it in
 * `extensions.operation` for the policy plugin (use-policy.ts).
 */
import { login } from "../core/auth/login.ts";
import { me } from "../core/auth/me.ts";
import { refresh } from "../core/auth/refresh.ts";
import { register } from "../core/auth/register.ts";
import type { AuthAccount, AuthSession, AuthUser, TokenPair } from "../core/auth/session.ts";
import { createCollection } from "../core/collections/create.ts";
import { deleteCollection } from "../core/collections/delete.ts";
import { getCollection } from "../core/collections/get.ts";
import { listCollections } from "../core/collections/list.ts";
import { updateCollection } from "../core/collections/update.ts";
import { NotFoundError } from "../core/errors.ts";
import { ADMIN, operation, SESSION } from "../core/policy/operation.ts";
import type { Account as PrismaAccount, User as PrismaUser } from "../generated/prisma/client.ts";
import type { Builder } from "./builder.ts";
import { asCollectionRow, type SystemRefs } from "./system-types.ts";

/** An AuthUser (never carries the password hash) where the Prisma `User` shape is expected. */
const asUserRow = (u: AuthUser, account?: AuthAccount): PrismaUser => ({ ...u, ...(account ? { account } : {}) }) as unknown as PrismaUser;

/** FieldInput/CollectionInput (GraphQL spelling) → the core's collection body (SnackBase spelling). */
function collectionBody(input: Record<string, unknown>): Record<string, unknown> {
  const rename: Record<string, string> = { listRule: "list_rule", viewRule: "view_rule", createRule: "create_rule", updateRule: "update_rule", deleteRule: "delete_rule", viewQuery: "view_query" };
  const body: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(input)) {
    if (v === undefined) continue;
    if (k === "fields" && Array.isArray(v)) {
      body.fields = v.map((f: Record<string, unknown>) => {
        const { previousName, ...rest } = f;
        const out: Record<string, unknown> = {};
        for (const [fk, fv] of Object.entries(rest)) if (fv !== undefined && fv !== null) out[fk] = fv;
        if (previousName) out.previous_name = previousName;
        return out;
      });
    } else body[rename[k] ?? k] = v;
  }
  return body;
}

/** Adds the system query and mutation fields; returns the `AuthPayload` type for other sign-in fields. */
export function addSystemFields(b: Builder, shared: SystemRefs) {
  const authPayload = b.objectRef<AuthSession>("AuthPayload").implement({
    fields: (t) => ({
      accessToken: t.exposeString("accessToken"),
      refreshToken: t.exposeString("refreshToken"),
      expiresIn: t.exposeInt("expiresIn", { description: "access token lifetime in seconds" }),
      user: t.field({ type: shared.user, resolve: (s) => asUserRow(s.user, s.account) }),
      account: t.field({ type: shared.account, resolve: (s) => s.account as unknown as PrismaAccount }),
    }),
  });
  const tokenPair = b.objectRef<TokenPair>("TokenPair").implement({
    fields: (t) => ({
      accessToken: t.exposeString("accessToken"),
      refreshToken: t.exposeString("refreshToken"),
      expiresIn: t.exposeInt("expiresIn"),
    }),
  });
  const fieldInput = b.inputType("FieldInput", {
    fields: (t) => ({
      id: t.string({ description: "keep the id of an existing field to keep its data across renames" }),
      name: t.string({ required: true }),
      type: t.string({ required: true, description: "text, textarea, editor, email, url, number, bool, date, datetime, select, json, tags, reference, file, geopoint" }),
      required: t.boolean(),
      unique: t.boolean(),
      index: t.boolean(),
      default: t.field({ type: "JSON" }),
      options: t.field({ type: "JSON", description: "min, max, integer, min_length, max_length, pattern, values, multiple, collection, on_delete, max_files, …" }),
      label: t.string(),
      hint: t.string(),
      hidden: t.boolean(),
      previousName: t.string({ description: "rename: the field's current name" }),
    }),
  });
  const rules = (t: PothosSchemaTypes.InputFieldBuilder<any, "InputObject">) => ({
    listRule: t.string(),
    viewRule: t.string(),
    createRule: t.string(),
    updateRule: t.string(),
    deleteRule: t.string(),
    viewQuery: t.string(),
    options: t.field({ type: "JSON" }),
  });
  const collectionInput = b.inputType("CollectionInput", {
    fields: (t) => ({ name: t.string({ required: true }), type: t.string(), fields: t.field({ type: [fieldInput] }), ...rules(t) }),
  });
  const collectionUpdateInput = b.inputType("CollectionUpdateInput", {
    fields: (t) => ({ name: t.string(), fields: t.field({ type: [fieldInput], description: "replaces the field list" }), ...rules(t) }),
  });

  b.queryType({});
  b.queryFields((t) => ({
    me: t.field({
      type: shared.user,
      description: "The signed-in user (UNAUTHENTICATED otherwise).",
      resolve: async (_r, _a, { cairn }) => {
        const r = await me(cairn);
        return asUserRow(r.user, r.account);
      },
    }),
    collections: t.field({
      type: [shared.collection],
      description: "Collection definitions (superadmins).",
      args: { search: t.arg.string() },
      resolve: async (_r, args, { cairn }) => (await listCollections(cairn, { page: 1, perPage: 100_000, search: args.search ?? undefined, sortBy: "name" })).items.map(asCollectionRow),
    }),
    collection: t.field({
      type: shared.collection,
      nullable: true,
      description: "A collection definition by id or name (superadmins); null when absent.",
      args: { id: t.arg.id({ required: true }) },
      resolve: async (_r, args, { cairn }) => {
        try {
          return asCollectionRow(await getCollection(cairn, String(args.id)));
        } catch (e) {
          if (e instanceof NotFoundError) return null;
          throw e;
        }
      },
    }),
  }));

  b.mutationType({});
  b.mutationFields((t) => ({
    login: t.field({
      type: authPayload,
      extensions: { operation: operation("session", "login") },
      args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }), account: t.arg.string({ description: "account slug or id" }) },
      resolve: (_r, args, { cairn }) => login(cairn, { email: args.email, password: args.password, account: args.account }),
    }),
    register: t.field({
      type: authPayload,
      extensions: { operation: operation("write", "register") },
      args: { email: t.arg.string({ required: true }), password: t.arg.string({ required: true }), passwordConfirm: t.arg.string(), name: t.arg.string() },
      resolve: (_r, args, { cairn }) => register(cairn, { email: args.email, password: args.password, passwordConfirm: args.passwordConfirm, name: args.name }),
    }),
    refreshToken: t.field({
      type: tokenPair,
      extensions: { operation: SESSION },
      description: "Trades a refresh token for a new pair (the old refresh token is revoked).",
      args: { refreshToken: t.arg.string({ required: true }) },
      resolve: (_r, args, { cairn }) => refresh(cairn, { refreshToken: args.refreshToken }),
    }),
    createCollection: t.field({
      type: shared.collection,
      extensions: { operation: ADMIN },
      args: { input: t.arg({ type: collectionInput, required: true }) },
      resolve: async (_r, args, { cairn }) => asCollectionRow(await createCollection(cairn, collectionBody(args.input))),
    }),
    updateCollection: t.field({
      type: shared.collection,
      extensions: { operation: ADMIN },
      args: { id: t.arg.id({ required: true, description: "id or name" }), input: t.arg({ type: collectionUpdateInput, required: true }) },
      resolve: async (_r, args, { cairn }) => asCollectionRow(await updateCollection(cairn, String(args.id), collectionBody(args.input))),
    }),
    deleteCollection: t.field({
      type: shared.collection,
      extensions: { operation: ADMIN },
      description: "Deletes a collection and all its records; returns the deleted definition.",
      args: { id: t.arg.id({ required: true, description: "id or name" }) },
      resolve: async (_r, args, { cairn }) => asCollectionRow(await deleteCollection(cairn, String(args.id))),
    }),
  }));
  return { authPayload };
}
