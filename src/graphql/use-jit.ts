/**
 * Compiled execution (graphql-jit, through @envelop/graphql-jit) for queries and mutations: each
 * document is compiled once into a function that resolves and serialises its fields without the
 * generic executor's per-field work (argument coercion, type dispatch, a promise per object),
 * which cost more than the SQL of a nested list.
 *
 * Only documents whose variables are all scalars or enums (lists of them included) are compiled:
 * graphql-jit generates coercion code for input-object variables by recursing through the type,
 * which for our recursive `where` inputs (AND/OR/NOT) never ends (it took seconds of CPU, then
 * failed). The rest keep the standard executor, as do subscriptions (only `onExecute` is
 * forwarded).
 *
 * The plugin caches compiled queries by document, and the parser cache hands out the same
 * document object after the schema is swapped (every collection change): one plugin instance per
 * schema keeps a query from running against a stale schema.
 */
import type { Plugin } from "@envelop/core";
import { useGraphQlJit } from "@envelop/graphql-jit";
import { getNamedType, isInputObjectType, typeFromAST, type DocumentNode, type ExecutionArgs, type GraphQLSchema } from "graphql";

/** Whether every variable of every operation of `document` is a scalar or an enum (or a list of them). */
function plainVariables(schema: GraphQLSchema, document: DocumentNode): boolean {
  for (const d of document.definitions) {
    if (d.kind !== "OperationDefinition") continue;
    for (const v of d.variableDefinitions ?? []) {
      const type = typeFromAST(schema, v.type as Parameters<typeof typeFromAST>[1]);
      if (!type || isInputObjectType(getNamedType(type))) return false;
    }
  }
  return true;
}

const compilable = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, boolean>>();

function enableIf(args: ExecutionArgs): boolean {
  let bySchema = compilable.get(args.schema);
  if (!bySchema) compilable.set(args.schema, (bySchema = new WeakMap()));
  let ok = bySchema.get(args.document);
  if (ok === undefined) bySchema.set(args.document, (ok = plainVariables(args.schema, args.document)));
  return ok;
}

/** The envelop plugin: compiled execution for queries and mutations, per schema. */
export function useJit(): Plugin {
  const bySchema = new WeakMap<GraphQLSchema, Plugin>();
  return {
    onExecute(payload) {
      let jit = bySchema.get(payload.args.schema);
      if (!jit) bySchema.set(payload.args.schema, (jit = useGraphQlJit({}, { enableIf })));
      return jit.onExecute?.(payload);
    },
  };
}
