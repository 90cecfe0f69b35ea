// A reference: a combobox that searches the target collection through its public list API
// (`search=`, newest first when empty) and shows each record by its display field (the
// collection's `display_field` option, else `name`, `title` or its first text field). Arrow keys
// move through the matches, Enter picks, Escape closes. Multiple references are a list of
// picked records, each with a remove button, above the combobox.
import { useEffect, useRef, useState } from "preact/hooks";
import { api, qs } from "../../lib/api.ts";
import { reloadCollections, useCollection, useCollections, type Collection } from "../../lib/collections.ts";
import { ErrorNote } from "../../ui/error-note.tsx";
import { InputShell } from "./shell.tsx";
import type { InputProps } from "./types.ts";
import { isMultiple } from "./values.ts";

interface Hit {
  id: string;
  data: Record<string, unknown>;
}

const TEXTUAL = ["text", "email", "url", "textarea"];

export function displayFieldOf(c: Collection | undefined): string | null {
  if (!c) return null;
  const textual = (n: unknown) => c.schema.find((f) => f.name === n && TEXTUAL.includes(f.type))?.name;
  return textual(c.options?.display_field) ?? textual("name") ?? textual("title") ?? c.schema.find((f) => f.type === "text")?.name ?? null;
}

export function ReferenceInput({ field, label, hint, error, value, onValue }: InputProps<string | string[]>) {
  const target = field.relation?.collection ?? String(field.options?.collection ?? "");
  const targetDef = useCollection(target);
  const shown = displayFieldOf(targetDef);
  const multiple = isMultiple(field);
  const chosen = multiple ? (value as string[]) : value ? [value as string] : [];
  const [labels, setLabels] = useState<Record<string, string>>({});
  const [text, setText] = useState("");
  const [open, setOpen] = useState(false);
  const [hits, setHits] = useState<Hit[] | null>(null);
  const [active, setActive] = useState(-1);
  const [failure, setFailure] = useState<unknown>(null);
  const listId = useRef(`ref-${Math.random().toString(36).slice(2)}`).current;
  const nameOf = (h: Hit) => (shown && typeof h.data[shown] === "string" && h.data[shown] ? String(h.data[shown]) : h.id);

  // labels of the records already referenced: one list request for all of them
  const missing = chosen.filter((id) => !(id in labels));
  const { loading } = useCollections();
  useEffect(() => {
    // a collection made after the list was read: read it again to learn its display field
    if (!targetDef && !loading) void reloadCollections();
  }, [target]);
  useEffect(() => {
    if (!missing.length || !targetDef) return;
    const filter = `id in [${missing.map((id) => JSON.stringify(id)).join(", ")}]`;
    api<{ items: Hit[] }>("GET", `/api/v1/collections/${encodeURIComponent(target)}/records${qs({ filter, per_page: 100 })}`)
      .then((r) => setLabels((l) => ({ ...l, ...Object.fromEntries(missing.map((id) => [id, id])), ...Object.fromEntries(r.items.map((h) => [h.id, nameOf(h)])) })))
      .catch(setFailure);
  }, [missing.join(","), targetDef]);

  // matches for the text typed, a moment after typing stops
  useEffect(() => {
    if (!open) return;
    const ctl = new AbortController();
    const timer = setTimeout(() => {
      const q = text.trim();
      api<{ items: Hit[] }>("GET", `/api/v1/collections/${encodeURIComponent(target)}/records${qs({ search: q, sort: q ? undefined : "-created", per_page: 10, skip_total: true })}`, {
        signal: ctl.signal,
      })
        .then((r) => {
          setHits(r.items);
          setActive(r.items.length ? 0 : -1);
          setFailure(null);
        })
        .catch((err) => (err as Error).name !== "AbortError" && setFailure(err));
    }, 200);
    return () => {
      clearTimeout(timer);
      ctl.abort();
    };
  }, [text, open, target]);

  const pick = (h: Hit) => {
    setLabels((l) => ({ ...l, [h.id]: nameOf(h) }));
    if (multiple) onValue(chosen.includes(h.id) ? chosen : [...chosen, h.id]);
    else onValue(h.id);
    setText("");
    setOpen(false);
  };
  const remove = (id: string) => onValue(multiple ? chosen.filter((x) => x !== id) : "");

  const onKey = (e: KeyboardEvent) => {
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      if (!open) return setOpen(true);
      if (hits?.length) setActive((a) => (a + (e.key === "ArrowDown" ? 1 : -1) + hits.length) % hits.length);
    } else if (e.key === "Enter") {
      e.preventDefault();
      if (open && hits?.[active]) pick(hits[active]!);
    } else if (e.key === "Escape" && open) {
      e.preventDefault();
      setOpen(false);
    }
  };

  const optionId = (i: number) => `${listId}-${i}`;
  return (
    <InputShell label={label} required={field.required} hint={hint || `Search ${target} by its text fields; arrow keys move, Enter picks.`} error={error}>
      {(ids) => (
        <div class="reference">
          {chosen.length > 0 && (
            <ul class="picked" aria-label={`${label}: chosen`}>
              {chosen.map((id) => (
                <li key={id} class="chip">
                  <a href={`#/collections/${encodeURIComponent(target)}/records/${encodeURIComponent(id)}`}>{labels[id] ?? id}</a>
                  <button type="button" class="chip-remove" aria-label={`Remove ${labels[id] ?? id}`} onClick={() => remove(id)}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <div class="combo">
            <input
              {...ids}
              type="text"
              role="combobox"
              autoComplete="off"
              aria-autocomplete="list"
              aria-expanded={open}
              aria-controls={listId}
              aria-activedescendant={open && active >= 0 ? optionId(active) : undefined}
              placeholder={multiple || !chosen.length ? `Search ${target}…` : "Search to replace…"}
              value={text}
              onInput={(e) => {
                setText((e.target as HTMLInputElement).value);
                setOpen(true);
              }}
              onFocus={() => setOpen(true)}
              onBlur={() => setTimeout(() => setOpen(false), 150)}
              onKeyDown={onKey}
            />
            {open && hits?.length === 0 && <div class="combo-empty">No matching records</div>}
            <ul id={listId} role="listbox" aria-label={`${target} records`} class="combo-list" hidden={!open || !hits?.length}>
              {(hits ?? []).map((h, i) => (
                <li key={h.id} id={optionId(i)} role="option" aria-selected={i === active} class={i === active ? "active" : undefined} onMouseDown={(e) => e.preventDefault()} onClick={() => pick(h)}>
                  {nameOf(h)}
                  {chosen.includes(h.id) && <span class="muted"> (chosen)</span>}
                </li>
              ))}
            </ul>
          </div>
          <ErrorNote error={failure} />
        </div>
      )}
    </InputShell>
  );
}
