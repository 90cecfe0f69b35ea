// Short confirmations ("Saved") in a polite live region, gone after a few seconds.
import { store, useStore } from "../lib/store.ts";

interface Toast {
  id: number;
  text: string;
  kind: "info" | "error";
}

const toasts = store<Toast[]>([]);
let next = 1;

export function notify(text: string, kind: Toast["kind"] = "info"): void {
  const id = next++;
  toasts.set([...toasts.value, { id, text, kind }]);
  setTimeout(() => toasts.set(toasts.value.filter((t) => t.id !== id)), 5000);
}

export function Toasts() {
  const list = useStore(toasts);
  return (
    <div class="toasts" role="status" aria-live="polite">
      {list.map((t) => (
        <div key={t.id} class={`toast toast-${t.kind}`}>
          {t.text}
        </div>
      ))}
    </div>
  );
}
