// Full-text search (`search=`, README "Search"): applied a moment after typing stops, or at once
// with Enter. The server's refusal shows under the box.
import { useEffect, useId, useRef, useState } from "preact/hooks";
import type { ApiError } from "../../lib/api.ts";

export function SearchBox({ value, onSearch, error }: { value: string; onSearch: (search: string, replace: boolean) => void; error: ApiError | null }) {
  const id = useId();
  const [text, setText] = useState(value);
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  const applied = useRef(value);
  applied.current = value;
  useEffect(() => setText(value), [value]);
  useEffect(() => () => void (timer.current && clearTimeout(timer.current)), []);
  const apply = (t: string, replace: boolean) => {
    if (timer.current) clearTimeout(timer.current);
    timer.current = null;
    if (t.trim() !== applied.current) onSearch(t.trim(), replace);
  };
  return (
    <form
      class="search-box"
      role="search"
      aria-label="Search records"
      onSubmit={(e) => {
        e.preventDefault();
        apply(text, false);
      }}
    >
      <div class={`field${error ? " field-invalid" : ""}`}>
        <label for={id}>Search</label>
        <input
          id={id}
          type="search"
          value={text}
          placeholder="Words in text fields"
          aria-invalid={error ? true : undefined}
          aria-describedby={error ? `${id}-error` : undefined}
          onInput={(e) => {
            const t = (e.currentTarget as HTMLInputElement).value;
            setText(t);
            if (timer.current) clearTimeout(timer.current);
            timer.current = setTimeout(() => apply(t, true), 400);
          }}
        />
        {error && (
          <div class="field-error" id={`${id}-error`} role="alert">
            {error.status ? `${error.status}: ` : ""}
            {error.message}
          </div>
        )}
      </div>
    </form>
  );
}
