// Tags as chips: type and press Enter (or a comma) to add one, Backspace in the empty input
// removes the last, and every chip has its own remove button.
import { useState } from "preact/hooks";
import { InputShell } from "./shell.tsx";
import type { InputProps } from "./types.ts";

export function TagsInput({ field, label, hint, error, value, onValue }: InputProps<string[]>) {
  const [text, setText] = useState("");
  const add = () => {
    const tag = text.trim();
    if (tag && !value.includes(tag)) onValue([...value, tag]);
    setText("");
  };
  const onKey = (e: KeyboardEvent) => {
    if (e.key === "Enter" || e.key === ",") {
      e.preventDefault();
      add();
    } else if (e.key === "Backspace" && text === "" && value.length) {
      e.preventDefault();
      onValue(value.slice(0, -1));
    }
  };
  const help = `${hint ? `${hint} ` : ""}Enter adds a tag; Backspace in the empty box removes the last.`;
  return (
    <InputShell label={label} required={field.required} hint={help} error={error}>
      {(ids) => (
        <div class="chips">
          {value.length > 0 && (
            <ul class="chip-list" aria-label={`${label}: ${value.length} tags`}>
              {value.map((tag) => (
                <li key={tag} class="chip">
                  <span>{tag}</span>
                  <button type="button" class="chip-remove" aria-label={`Remove tag ${tag}`} onClick={() => onValue(value.filter((t) => t !== tag))}>
                    ×
                  </button>
                </li>
              ))}
            </ul>
          )}
          <input {...ids} type="text" value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} onKeyDown={onKey} onBlur={add} />
        </div>
      )}
    </InputShell>
  );
}
