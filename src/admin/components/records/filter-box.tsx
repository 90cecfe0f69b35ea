// The filter input: a combobox offering field names, operators and values as one types (arrow
// keys move, Enter or a click takes one, Escape closes), applied with Enter or "Apply". A filter
// the server refused shows its message under the box, with the failing character marked.
import { useEffect, useId, useMemo, useRef, useState } from "preact/hooks";
import { ApiError } from "../../lib/api.ts";
import type { CollectionField } from "../../lib/collections.ts";
import { suggest, suggestFields, type Suggestion } from "./filter-suggest.ts";

export interface FilterBoxProps {
  schema: CollectionField[];
  /** the filter in effect (from the URL) */
  value: string;
  onApply: (filter: string) => void;
  /** the server's answer to the filter in effect, when it refused it */
  error: ApiError | null;
}

export function FilterBox({ schema, value, onApply, error }: FilterBoxProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [text, setText] = useState(value);
  const [items, setItems] = useState<Suggestion[]>([]);
  const [from, setFrom] = useState(0);
  const [active, setActive] = useState(-1);
  const fields = useMemo(() => suggestFields(schema), [schema]);
  useEffect(() => setText(value), [value]);

  const update = (el: HTMLInputElement) => {
    const caret = el.selectionStart ?? el.value.length;
    const s = suggest(el.value.slice(0, caret), fields);
    setFrom(s.from);
    setItems(s.items);
    setActive(-1);
  };
  const close = () => {
    setItems([]);
    setActive(-1);
  };
  const take = (s: Suggestion) => {
    const el = input.current!;
    const caret = el.selectionStart ?? text.length;
    const next = text.slice(0, from) + s.insert + text.slice(caret).replace(/^\s+/, "");
    const at = from + s.insert.length;
    setText(next);
    el.value = next;
    el.setSelectionRange(at, at);
    update(el);
  };
  const onKeyDown = (e: KeyboardEvent) => {
    const open = items.length > 0;
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      if (!open) {
        update(e.currentTarget as HTMLInputElement);
        return e.preventDefault();
      }
      e.preventDefault();
      const step = e.key === "ArrowDown" ? 1 : -1;
      setActive((a) => (a < 0 ? (step > 0 ? 0 : items.length - 1) : (a + step + items.length) % items.length));
    } else if (e.key === "Enter" && open && active >= 0 && active < items.length) {
      e.preventDefault();
      take(items[active]!);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      close();
    }
  };
  const showCaret = () => {
    const el = input.current;
    const pos = error?.position;
    if (!el || pos == null) return;
    el.focus();
    el.setSelectionRange(pos, Math.min(pos + 1, el.value.length));
  };

  const listId = `${id}-list`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const expanded = items.length > 0;
  const activeItem = active >= 0 && active < items.length ? `${id}-opt-${active}` : undefined;
  return (
    <form
      class="filter-box"
      role="search"
      aria-label="Filter records"
      onSubmit={(e) => {
        e.preventDefault();
        close();
        onApply(text.trim());
      }}
    >
      <div class="field filter-field">
        <label for={id}>Filter</label>
        <div class="filter-row">
          <div class="combo">
            <input
              ref={input}
              id={id}
              type="text"
              class="mono"
              role="combobox"
              autoComplete="off"
              spellcheck={false}
              aria-autocomplete="list"
              aria-expanded={expanded}
              aria-controls={listId}
              aria-activedescendant={activeItem}
              aria-describedby={error ? `${errorId} ${hintId}` : hintId}
              aria-invalid={error ? true : undefined}
              placeholder='e.g. views > 10 && title ~ "hello"'
              value={text}
              onInput={(e) => {
                const el = e.currentTarget as HTMLInputElement;
                setText(el.value);
                update(el);
              }}
              onKeyDown={onKeyDown}
              onClick={(e) => update(e.currentTarget as HTMLInputElement)}
              onBlur={close}
            />
            <ul id={listId} role="listbox" aria-label="Suggestions" class="suggestions" hidden={!expanded}>
              {items.map((s, i) => (
                <li
                  key={s.label}
                  id={`${id}-opt-${i}`}
                  role="option"
                  aria-selected={i === active}
                  class={i === active ? "active" : undefined}
                  onMouseDown={(e) => {
                    e.preventDefault();
                    take(s);
                  }}
                >
                  <code>{s.label}</code> <span class="note">{s.note}</span>
                </li>
              ))}
            </ul>
          </div>
          <button type="submit" class="primary">
            Apply
          </button>
          {value && (
            <button
              type="button"
              onClick={() => {
                setText("");
                onApply("");
              }}
            >
              Clear
            </button>
          )}
        </div>
        <div class="hint" id={hintId}>
          Fields, operators (<code>= != &gt; &lt; ~ in</code>) and values, joined with <code>&&</code> or <code>||</code>. Suggestions appear as you type; use the arrow keys and Enter to take one.
        </div>
        {error && <FilterError id={errorId} error={error} filter={value} onShow={showCaret} />}
      </div>
    </form>
  );
}

/** The server's message, and the filter with the character at `details.position` marked. */
function FilterError({ id, error, filter, onShow }: { id: string; error: ApiError; filter: string; onShow: () => void }) {
  const pos = error.position;
  return (
    <div class="filter-error" id={id} role="alert">
      <p>
        <strong>{error.status ? `${error.status}: ` : ""}</strong>
        {error.message}
      </p>
      {pos != null && (
        <>
          <pre class="filter-marked">
            <code>
              {filter.slice(0, pos)}
              <mark class="filter-at">{filter.slice(pos, pos + 1) || " "}</mark>
              {filter.slice(pos + 1)}
              {"\n"}
              <span aria-hidden="true">{" ".repeat(pos)}^</span>
            </code>
          </pre>
          <button type="button" class="link-button" onClick={onShow}>
            Show position {pos} in the filter box
          </button>
        </>
      )}
    </div>
  );
}
