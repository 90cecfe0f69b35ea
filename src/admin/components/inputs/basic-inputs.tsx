// Inputs for the plain field types: text, email, url (matching input types), textarea, number
// (min/max/integer), bool (a switch), date and datetime (native pickers; datetimes are entered
// and stored in UTC), select (one: a select; several: checkboxes).
import type { CollectionField } from "../../lib/collections.ts";
import { InputShell } from "./shell.tsx";
import type { InputProps } from "./types.ts";
import { isMultiple, kindOf } from "./values.ts";

const TEXT_TYPES: Record<string, "text" | "email" | "url"> = { text: "text", email: "email", url: "url" };

export function TextInput({ field, label, hint, error, value, onValue }: InputProps<string>) {
  const kind = kindOf(field);
  const v = field.validation ?? {};
  return (
    <InputShell label={label} required={field.required} hint={hint} error={error}>
      {(ids) =>
        kind === "textarea" ? (
          <textarea {...ids} name={field.name} rows={3} value={value} maxLength={num(v.max_length)} onInput={(e) => onValue((e.target as HTMLTextAreaElement).value)} />
        ) : (
          <input
            {...ids}
            {...({ type: TEXT_TYPES[kind] ?? "text" } as Record<string, unknown>)}
            name={field.name}
            value={value}
            maxLength={num(v.max_length)}
            placeholder={kind === "url" ? "https://" : undefined}
            onInput={(e) => onValue((e.target as HTMLInputElement).value)}
          />
        )
      }
    </InputShell>
  );
}

const num = (x: unknown) => (typeof x === "number" ? x : undefined);

export function NumberInput({ field, label, hint, error, value, onValue }: InputProps<string>) {
  const v = { ...field.options, ...field.validation } as Record<string, unknown>;
  const limits = [num(v.min) !== undefined ? `at least ${v.min}` : "", num(v.max) !== undefined ? `at most ${v.max}` : "", v.integer ? "whole numbers" : ""].filter(Boolean);
  const help = [hint, limits.length ? `Allowed: ${limits.join(", ")}.` : ""].filter(Boolean).join(" ");
  return (
    <InputShell label={label} required={field.required} hint={help || undefined} error={error}>
      {(ids) => (
        <input {...ids} type="number" name={field.name} value={value} min={num(v.min)} max={num(v.max)} step={v.integer ? 1 : "any"} onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
      )}
    </InputShell>
  );
}

export function BoolInput({ field, label, hint, error, value, onValue }: InputProps<boolean>) {
  return (
    <InputShell label={label} required={field.required} hint={hint} error={error}>
      {(ids) => (
        <span class="switch">
          <input {...ids} type="checkbox" role="switch" name={field.name} checked={value} onChange={(e) => onValue((e.target as HTMLInputElement).checked)} />
          <span aria-hidden="true">{value ? "Yes" : "No"}</span>
        </span>
      )}
    </InputShell>
  );
}

/** `2026-01-02T03:04:05.000Z` ↔ the `2026-01-02T03:04:05` a datetime-local input shows (read as UTC). */
const toLocalInput = (iso: string) => iso.replace(/Z$/, "").slice(0, 19);

function fromLocalInput(text: string, previous: string): string {
  if (!text) return "";
  const withSeconds = text.length === 16 ? `${text}:00` : text;
  // keep the milliseconds of an untouched value, so opening and saving changes nothing
  if (previous && toLocalInput(previous) === withSeconds) return previous;
  return `${withSeconds}.000Z`;
}

export function DateInput({ field, label, hint, error, value, onValue }: InputProps<string>) {
  const datetime = kindOf(field) === "datetime";
  let help = hint;
  if (datetime) {
    const local = value ? new Date(value) : null;
    const there = local && !Number.isNaN(local.getTime()) ? ` In your time zone: ${local.toLocaleString()}.` : "";
    help = `${hint ? `${hint} ` : ""}Date and time in UTC (the server stores UTC).${there}`;
  }
  return (
    <InputShell label={label} required={field.required} hint={help} error={error}>
      {(ids) =>
        datetime ? (
          <input {...ids} type="datetime-local" step={1} name={field.name} value={toLocalInput(value)} onInput={(e) => onValue(fromLocalInput((e.target as HTMLInputElement).value, value))} />
        ) : (
          <input {...ids} type="date" name={field.name} value={value} onInput={(e) => onValue((e.target as HTMLInputElement).value)} />
        )
      }
    </InputShell>
  );
}

function selectValues(field: CollectionField): string[] {
  const v = field.select?.values ?? (field.validation?.values as string[] | null) ?? (field.options?.values as string[] | undefined);
  return Array.isArray(v) ? v : [];
}

export function SelectInput({ field, label, hint, error, value, onValue }: InputProps<string | string[]>) {
  const values = selectValues(field);
  if (isMultiple(field)) {
    const chosen = value as string[];
    const toggle = (x: string, on: boolean) => onValue(on ? values.filter((y) => y === x || chosen.includes(y)) : chosen.filter((y) => y !== x));
    return (
      <InputShell label={label} required={field.required} hint={hint} error={error} group>
        {(ids) => (
          <div class="check-list">
            {values.map((x) => (
              <label key={x} class="check-item">
                <input
                  type="checkbox"
                  name={field.name}
                  value={x}
                  checked={chosen.includes(x)}
                  aria-invalid={ids["aria-invalid"]}
                  onChange={(e) => toggle(x, (e.target as HTMLInputElement).checked)}
                />
                {x}
              </label>
            ))}
          </div>
        )}
      </InputShell>
    );
  }
  return (
    <InputShell label={label} required={field.required} hint={hint} error={error}>
      {(ids) => (
        <select {...ids} name={field.name} value={value as string} onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
          <option value="">— none —</option>
          {values.map((x) => (
            <option key={x} value={x}>
              {x}
            </option>
          ))}
        </select>
      )}
    </InputShell>
  );
}
