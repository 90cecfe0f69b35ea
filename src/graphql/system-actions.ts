/**
 * GraphQL for declared actions and UI effects (core/actions): the `runPostAction` mutation (the
 * same operation as Fullfinity's `POST /api/execute/{model}/{method}`), and the `actionMeta` and
 * `uiEffect` queries. Resolvers call the core and shape nothing else.
 */
import { actionMeta, type ActionMeta } from "../core/actions/action-meta.ts";
import { runAction, type ActionOutcome } from "../core/actions/run-action.ts";
import { uiEffect } from "../core/actions/ui-effect.ts";
import type { Builder } from "./builder.ts";

/** Adds `runPostAction`, `actionMeta` and `uiEffect` (call once while building the system schema). */
export function addActionFields(b: Builder): void {
  const created = b.objectRef<ActionOutcome["created"][number]>("ActionCreated").implement({
    fields: (t) => ({ collection: t.exposeString("collection"), id: t.exposeID("id") }),
  });
  const outcome = b.objectRef<ActionOutcome>("ActionOutcome").implement({
    description: "What a declared action did: the records it changed and those it created.",
    fields: (t) => ({
      updated: t.idList({ resolve: (o) => o.updated }),
      created: t.field({ type: [created], resolve: (o) => o.created }),
    }),
  });
  const meta = b.objectRef<ActionMeta>("ActionMeta").implement({
    description: "A declared action as a wizard: label, confirmation, input schemas and defaults.",
    fields: (t) => ({
      name: t.exposeString("name"),
      label: t.exposeString("label"),
      confirm: t.string({ nullable: true, resolve: (m) => m.confirm }),
      inputs: t.field({ type: "JSON", description: "input name → JSON Schema", resolve: (m) => m.inputs }),
      required: t.stringList({ resolve: (m) => m.required }),
      defaults: t.field({ type: "JSON", resolve: (m) => m.defaults }),
    }),
  });

  b.queryFields((t) => ({
    actionMeta: t.field({
      type: meta,
      description: "The wizard metadata of a collection's declared action; NOT_FOUND when it declares none by that name.",
      args: { collection: t.arg.string({ required: true }), name: t.arg.string({ required: true }) },
      resolve: (_r, args, { cairn }) => actionMeta(cairn, args.collection, args.name),
    }),
    uiEffect: t.field({
      type: "JSON",
      description: "The values a change of `triggerField` computes (declared UI effects), without saving.",
      args: { collection: t.arg.string({ required: true }), triggerField: t.arg.string({ required: true }), values: t.arg({ type: "JSON", required: true }), id: t.arg.id() },
      resolve: (_r, args, { cairn }) =>
        uiEffect(cairn, args.collection, { id: args.id === null || args.id === undefined ? null : String(args.id), values: args.values as Record<string, unknown>, trigger: args.triggerField }),
    }),
  }));

  b.mutationFields((t) => ({
    runPostAction: t.field({
      type: outcome,
      description: "Runs a collection's declared action on records, in one transaction (BAD_USER_INPUT when inputs fail its schema, NOT_FOUND for an unknown action).",
      args: { collection: t.arg.string({ required: true }), name: t.arg.string({ required: true }), ids: t.arg.idList({ required: true }), inputs: t.arg({ type: "JSON" }) },
      resolve: (_r, args, { cairn }) => runAction(cairn, args.collection, args.name, args.ids.map(String), args.inputs ?? {}),
    }),
  }));
}
