// A code example with its title, a note, and a button that copies it.
import { notify } from "../../ui/toast.tsx";
import type { Example } from "./api-examples.ts";

async function copy(text: string, title: string) {
  try {
    await navigator.clipboard.writeText(text);
    notify(`Copied: ${title}`);
  } catch {
    notify("The browser refused to copy; select the text and copy it by hand.", "error");
  }
}

export function CodeBlock({ example: e }: { example: Example }) {
  const titleId = `ex-${e.id}`;
  return (
    <div class="code-block" data-example={e.id}>
      <div class="code-head">
        <h3 id={titleId}>{e.title}</h3>
        <button type="button" class="ghost" onClick={() => void copy(e.code, e.title)} aria-label={`Copy: ${e.title}`} aria-describedby={titleId}>
          Copy
        </button>
      </div>
      <pre tabIndex={0} aria-labelledby={titleId}>
        <code class={`lang-${e.lang}`}>{e.code}</code>
      </pre>
      {e.note && <p class="hint">{e.note}</p>}
    </div>
  );
}
