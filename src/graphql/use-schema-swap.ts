/**
 * Yoga/envelop plugin that serves each operation the schema of its caller's role set (the
 * schema manager's `schemaFor`) and follows every rebuild. The caller is known before parsing:
 * the REST hook authenticated the HTTP request (`req.ctx`), the websocket its connection (`ws`).
 * The schema is chosen when the operation is enveloped, so operations already running keep the
 * schema they started with; validation, introspection and GraphiQL all see the caller's view.
 * Nothing is set at start-up: the manager builds its schema on the first operation.
 */
import type { Plugin } from "graphql-yoga";
import { DEFAULT_ACCOUNT_ID, type Principal } from "../core/context.ts";
import type { SchemaManager } from "./schema-manager.ts";
import type { ServerContext } from "./yoga.ts";

/** The caller of an enveloped operation; anonymous when nothing authenticated it. */
export function principalOf(context: unknown): Principal {
  const sc = (context ?? {}) as ServerContext;
  return sc.ws?.principal ?? sc.req?.ctx?.principal ?? { kind: "anonymous", accountId: DEFAULT_ACCOUNT_ID };
}

export function useSchemaSwap(manager: SchemaManager): Plugin {
  return {
    onPluginInit({ setSchema }) {
      manager.onSwap((schema) => setSchema(schema));
    },
    onEnveloped({ context, setSchema }) {
      setSchema(manager.schemaFor(principalOf(context)));
    },
  };
}
