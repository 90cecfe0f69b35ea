// A labelled input with its hint and its error under it. Every input in the admin goes through
// one of these, so each has a label, and an error is announced and tied to its input.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export interface FieldProps {
  label: string;
  hint?: ComponentChildren;
  error?: string | null;
  /** renders the control with the ids that tie it to its label, hint and error */
  children: (control: { id: string; "aria-describedby"?: string; "aria-invalid"?: boolean }) => ComponentChildren;
  class?: string;
}

export function Field({ label, hint, error, children, class: cls }: FieldProps) {
  const id = useId();
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const describedBy = [hintId, errorId].filter(Boolean).join(" ") || undefined;
  return (
    <div class={`field${error ? " field-invalid" : ""}${cls ? ` ${cls}` : ""}`}>
      <label for={id}>{label}</label>
      {children({ id, "aria-describedby": describedBy, "aria-invalid": error ? true : undefined })}
      {hint && (
        <div class="hint" id={hintId}>
          {hint}
        </div>
      )}
      {error && (
        <div class="field-error" id={errorId} role="alert">
          {error}
        </div>
      )}
    </div>
  );
}

/** The input attributes the admin uses (passed through as they are). */
interface ControlAttributes {
  type?: string;
  name?: string;
  placeholder?: string;
  required?: boolean;
  disabled?: boolean;
  readOnly?: boolean;
  autoComplete?: string;
  min?: string | number;
  max?: string | number;
  step?: string | number;
  maxLength?: number;
  rows?: number;
  spellcheck?: boolean;
  class?: string;
  list?: string;
  inputMode?: string;
  pattern?: string;
}

type InputProps = ControlAttributes & {
  label: string;
  hint?: ComponentChildren;
  error?: string | null;
  value: string;
  onValue: (value: string) => void;
};

/** A text-like input (`type` text, email, password, number, url, date, datetime-local, search). */
export function TextField({ label, hint, error, value, onValue, ...rest }: InputProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) => <input {...(rest as Record<string, unknown>)} {...ids} value={value} onInput={(e) => onValue((e.target as HTMLInputElement).value)} />}
    </Field>
  );
}

type AreaProps = ControlAttributes & {
  label: string;
  hint?: ComponentChildren;
  error?: string | null;
  value: string;
  onValue: (value: string) => void;
};

export function TextAreaField({ label, hint, error, value, onValue, ...rest }: AreaProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) => <textarea {...(rest as Record<string, unknown>)} {...ids} value={value} onInput={(e) => onValue((e.target as HTMLTextAreaElement).value)} />}
    </Field>
  );
}

export interface SelectFieldProps {
  label: string;
  hint?: ComponentChildren;
  error?: string | null;
  value: string;
  onValue: (value: string) => void;
  options: (string | { value: string; label: string })[];
  disabled?: boolean;
  name?: string;
}

export function SelectField({ label, hint, error, value, onValue, options, disabled, name }: SelectFieldProps) {
  return (
    <Field label={label} hint={hint} error={error}>
      {(ids) => (
        <select {...ids} name={name} disabled={disabled} value={value} onChange={(e) => onValue((e.target as HTMLSelectElement).value)}>
          {options.map((o) => (typeof o === "string" ? <option value={o}>{o}</option> : <option value={o.value}>{o.label}</option>))}
        </select>
      )}
    </Field>
  );
}

export interface CheckboxProps {
  label: string;
  hint?: ComponentChildren;
  checked: boolean;
  onChecked: (checked: boolean) => void;
  disabled?: boolean;
  name?: string;
}

export function Checkbox({ label, hint, checked, onChecked, disabled, name }: CheckboxProps) {
  const id = useId();
  return (
    <div class="field field-check">
      <input
        type="checkbox"
        id={id}
        name={name}
        checked={checked}
        disabled={disabled}
        onChange={(e) => onChecked((e.target as HTMLInputElement).checked)}
        aria-describedby={hint ? `${id}-hint` : undefined}
      />
      <label for={id}>{label}</label>
      {hint && (
        <div class="hint" id={`${id}-hint`}>
          {hint}
        </div>
      )}
    </div>
  );
}
