// An API error in words, where it happened. Field errors that a form shows next to their inputs
// can be left out with `shown`; the rest are listed here so nothing the server said is lost.
import { ApiError } from "../lib/api.ts";

export function ErrorNote({ error, shown = [] }: { error: unknown; shown?: string[] }) {
  if (!error) return null;
  const message = error instanceof Error ? error.message : String(error);
  const rest = error instanceof ApiError ? Object.entries(error.fields).filter(([k]) => !shown.includes(k)) : [];
  return (
    <div class="error-note" role="alert">
      <strong>{error instanceof ApiError && error.status ? `${error.status}: ` : ""}</strong>
      {message}
      {rest.length > 0 && (
        <ul>
          {rest.map(([k, v]) => (
            <li key={k}>
              <code>{k}</code>: {v}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
