// JSON in a monospace textarea; while the text does not parse, the parser's message shows under it.
import { InputShell } from "./shell.tsx";
import type { InputProps } from "./types.ts";

function problem(text: string): string | null {
  if (!text.trim()) return null;
  try {
    JSON.parse(text);
    return null;
  } catch (err) {
    return `Not valid JSON: ${(err as Error).message}`;
  }
}

export function JsonInput({ field, label, hint, error, value, onValue }: InputProps<string>) {
  const bad = problem(value);
  return (
    <InputShell label={label} required={field.required} hint={hint || "Any JSON value: an object, a list, a string, a number…"} error={error || bad}>
      {(ids) => <textarea {...ids} class="mono" name={field.name} rows={4} spellcheck={false} value={value} onInput={(e) => onValue((e.target as HTMLTextAreaElement).value)} />}
    </InputShell>
  );
}
