// A page's loading error: the server's words, and for a 403 what the user is missing.
import { ApiError } from "../../lib/api.ts";
import { ErrorNote } from "../../ui/error-note.tsx";

export function LoadError({ error, what }: { error: unknown; what: string }) {
  if (!error) return null;
  if (error instanceof ApiError && error.status === 403) {
    return <ErrorNote error={new ApiError(`${error.message} — ${what} needs superadmin rights; ask a superadmin of this Cairn.`, 403, error.code)} />;
  }
  return <ErrorNote error={error} />;
}
