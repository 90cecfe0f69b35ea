// A small rich text editor: a contenteditable area producing HTML, with a toolbar (bold,
// italic, link, bulleted and numbered lists, heading, paragraph). The toolbar is one tab stop
// (arrow keys move between its buttons); Ctrl+B / Ctrl+I work in the text as usual.
import { useLayoutEffect, useRef, useState } from "preact/hooks";
import { InputShell } from "./shell.tsx";
import type { InputProps } from "./types.ts";
import { sanitizeHtml } from "../../lib/sanitize-html.ts";

interface Tool {
  label: string;
  text: string;
  run: () => void;
}

function exec(command: string, value?: string) {
  document.execCommand("styleWithCSS", false, "false");
  document.execCommand(command, false, value);
}

const TOOLS: Tool[] = [
  { label: "Bold", text: "B", run: () => exec("bold") },
  { label: "Italic", text: "I", run: () => exec("italic") },
  {
    label: "Link",
    text: "Link",
    run: () => {
      const url = prompt("Link address (https://…)");
      if (url) exec("createLink", url);
    },
  },
  { label: "Bulleted list", text: "Bulleted", run: () => exec("insertUnorderedList") },
  { label: "Numbered list", text: "Numbered", run: () => exec("insertOrderedList") },
  { label: "Heading", text: "Heading", run: () => exec("formatBlock", "<h2>") },
  { label: "Paragraph", text: "¶", run: () => exec("formatBlock", "<p>") },
];

export function RichTextInput({ field, label, hint, error, value, onValue }: InputProps<string>) {
  const area = useRef<HTMLDivElement>(null);
  const [active, setActive] = useState(0);
  const toolbar = useRef<HTMLDivElement>(null);
  // the area owns its HTML while typing; only a value that did not come from it (a record
  // opened) replaces it — comparing with the live HTML would undo keys typed since the render
  const emitted = useRef<string | null>(null);
  useLayoutEffect(() => {
    const el = area.current;
    if (el && value !== emitted.current) {
      el.innerHTML = sanitizeHtml(value);
      emitted.current = value;
    }
  }, [value]);
  const emit = (html: string) => {
    const v = html === "<br>" ? "" : html;
    emitted.current = v;
    onValue(v);
  };

  const onToolbarKey = (e: KeyboardEvent) => {
    const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
    if (!step && e.key !== "Home" && e.key !== "End") return;
    e.preventDefault();
    const next = e.key === "Home" ? 0 : e.key === "End" ? TOOLS.length - 1 : (active + step + TOOLS.length) % TOOLS.length;
    setActive(next);
    (toolbar.current?.querySelectorAll("button")[next] as HTMLButtonElement | undefined)?.focus();
  };

  const apply = (tool: Tool) => {
    area.current?.focus();
    tool.run();
    emit(area.current?.innerHTML ?? "");
  };

  return (
    <InputShell label={label} required={field.required} hint={hint} error={error}>
      {(ids, labelId) => (
        <div class="rich-text">
          <div class="rich-toolbar" role="toolbar" aria-label={`${label} formatting`} ref={toolbar} onKeyDown={onToolbarKey}>
            {TOOLS.map((t, i) => (
              <button
                key={t.label}
                type="button"
                class="ghost"
                tabIndex={i === active ? 0 : -1}
                aria-label={t.label}
                title={t.label}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => {
                  setActive(i);
                  apply(t);
                }}
              >
                {t.text}
              </button>
            ))}
          </div>
          <div
            ref={area}
            id={ids.id}
            class="rich-area"
            contentEditable
            role="textbox"
            aria-multiline="true"
            aria-labelledby={labelId}
            aria-describedby={ids["aria-describedby"]}
            aria-invalid={ids["aria-invalid"]}
            aria-required={ids["aria-required"]}
            tabIndex={0}
            onInput={(e) => emit((e.currentTarget as HTMLDivElement).innerHTML)}
          />
        </div>
      )}
    </InputShell>
  );
}
