/**
 * Yoga/envelop plugin that serves the schema manager's current schema and swaps it atomically
 * on every rebuild. It keeps envelop's `setSchema` from `onPluginInit`: the swap reaches HTTP
 * and new websocket operations at once, while operations already running keep the schema they
 * started with (envelop hands each operation the schema current when it began).
 */
import type { Plugin } from "graphql-yoga";
import type { SchemaManager } from "./schema-manager.ts";

export function useSchemaSwap(manager: SchemaManager): Plugin {
  return {
    onPluginInit({ setSchema }) {
      setSchema(manager.schema);
      manager.onSwap((schema) => setSchema(schema));
    },
  };
}
