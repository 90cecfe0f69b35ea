// The frame of every record input: its label (with a required mark), the hint and the server's
// error under it, tied to the control by ids. Groups of controls (checkbox lists, lat/lng, lists
// of references or files) use a fieldset whose legend is the label.
import type { ComponentChildren } from "preact";
import { useId } from "preact/hooks";

export interface ShellIds {
  id: string;
  "aria-describedby"?: string;
  "aria-invalid"?: boolean;
  "aria-required"?: boolean;
}

export interface ShellProps {
  label: string;
  required?: boolean;
  hint?: ComponentChildren;
  error?: string | null;
  /** a fieldset with a legend instead of a label for one control */
  group?: boolean;
  children: (ids: ShellIds, labelId: string) => ComponentChildren;
}

export function InputShell({ label, required, hint, error, group, children }: ShellProps) {
  const id = useId();
  const labelId = `${id}-label`;
  const hintId = hint ? `${id}-hint` : undefined;
  const errorId = error ? `${id}-error` : undefined;
  const ids: ShellIds = {
    id,
    "aria-describedby": [hintId, errorId].filter(Boolean).join(" ") || undefined,
    "aria-invalid": error ? true : undefined,
    "aria-required": required ? true : undefined,
  };
  const mark = required ? (
    <span class="required-mark" title="required">
      {" "}
      *<span class="visually-hidden"> (required)</span>
    </span>
  ) : null;
  const tail = (
    <>
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
    </>
  );
  if (group) {
    return (
      <fieldset class={`field record-group${error ? " field-invalid" : ""}`} aria-describedby={ids["aria-describedby"]}>
        <legend id={labelId}>
          {label}
          {mark}
        </legend>
        {children(ids, labelId)}
        {tail}
      </fieldset>
    );
  }
  return (
    <div class={`field${error ? " field-invalid" : ""}`}>
      <label for={id} id={labelId}>
        {label}
        {mark}
      </label>
      {children(ids, labelId)}
      {tail}
    </div>
  );
}
