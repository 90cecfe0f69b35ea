// What a page shows when its API answers 403: the server's words and what it takes.
import { ErrorNote } from "../../ui/error-note.tsx";
import { needsSuperadmin } from "./use-load.ts";

export function LoadError({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  if (needsSuperadmin(error)) {
    const message = error instanceof Error ? error.message : String(error);
    return <ErrorNote error={new Error(`${message}. Managing ${what} needs superadmin rights; ask a superadmin of this server.`)} />;
  }
  return <ErrorNote error={error} />;
}
