// Changes others make to a collection, as they commit: the GraphQL subscription
// `<single>Changed { action id }` (README "GraphQL → Subscriptions") over graphql-ws, with the
// signed-in user's token. Reconnects on its own; an ended session (close code 4401) refreshes the
// token first. The status says whether the grid is live.
import { createClient, type Client } from "graphql-ws";
import { useEffect, useRef, useState } from "preact/hooks";
import { session } from "../../lib/session.ts";
import { collectionNames } from "../../../lib/collection-names.ts";

export type LiveStatus = { state: "connecting" } | { state: "live" } | { state: "offline"; reason: string };

export interface Change {
  action: "CREATE" | "UPDATE" | "DELETE";
  id: string;
}

/**
 * Follows `collection`; `onChange` gets each change, `onResync` is called after a reconnection
 * (changes made while the connection was down were not delivered: reload what is shown).
 */
export function useLive(collection: string, onChange: (c: Change) => void, onResync: () => void): LiveStatus {
  const [status, setStatus] = useState<LiveStatus>({ state: "connecting" });
  const handler = useRef({ onChange, onResync });
  handler.current = { onChange, onResync };
  useEffect(() => {
    const field = `${collectionNames(collection).single}Changed`;
    const url = `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/graphql`;
    let stopped = false;
    let refreshNeeded = false;
    const client: Client = createClient({
      url,
      lazy: false,
      retryAttempts: Number.MAX_SAFE_INTEGER,
      shouldRetry: () => !stopped,
      onNonLazyError: () => undefined,
      connectionParams: async () => {
        if (refreshNeeded) {
          refreshNeeded = false;
          await session.refresh();
        }
        return { authorization: `Bearer ${session.value.accessToken ?? ""}` };
      },
      on: {
        connecting: () => !stopped && setStatus((s) => (s.state === "offline" ? s : { state: "connecting" })),
        closed: (event) => {
          if (stopped) return;
          const code = (event as CloseEvent | undefined)?.code;
          if (code === 4401 || code === 4403) refreshNeeded = true;
          setStatus({ state: "offline", reason: (event as CloseEvent | undefined)?.reason || "The connection closed; reconnecting…" });
        },
      },
    });
    const unsubscribe = client.subscribe<Record<string, Change>>(
      { query: `subscription AdminRecordChanges { ${field} { action id } }` },
      {
        next: (result) => {
          if (result.errors?.length) return setStatus({ state: "offline", reason: result.errors[0]!.message });
          const change = result.data?.[field];
          if (change) handler.current.onChange(change);
        },
        error: (err) => {
          if (stopped) return;
          const message = Array.isArray(err) ? (err as { message: string }[])[0]?.message : err instanceof Error ? err.message : (err as CloseEvent)?.reason;
          setStatus({ state: "offline", reason: message || "Live updates are not available" });
        },
        complete: () => undefined,
      },
    );
    // graphql-ws sends `subscribe` once the server acknowledged the connection: then it is live.
    let connections = 0;
    const off = client.on("connected", () => {
      if (stopped) return;
      setStatus({ state: "live" });
      if (connections++ > 0) handler.current.onResync();
    });
    return () => {
      stopped = true;
      off();
      unsubscribe();
      void client.dispose();
    };
  }, [collection]);
  return status;
}
