// A geographic point: latitude (-90…90) and longitude (-180…180), each its own labelled input.
import { useId } from "preact/hooks";
import { InputShell } from "./shell.tsx";
import type { InputProps } from "./types.ts";
import type { GeoDraft } from "./values.ts";

export function GeopointInput({ field, label, hint, error, value, onValue }: InputProps<GeoDraft>) {
  const id = useId();
  const part = (key: "lat" | "lng", name: string, min: number, max: number, describedBy?: string) => (
    <div class="geo-part">
      <label for={`${id}-${key}`}>{name}</label>
      <input
        id={`${id}-${key}`}
        type="number"
        step="any"
        min={min}
        max={max}
        value={value[key]}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        onInput={(e) => onValue({ ...value, [key]: (e.target as HTMLInputElement).value })}
      />
    </div>
  );
  return (
    <InputShell label={label} required={field.required} hint={hint} error={error} group>
      {(ids) => (
        <div class="geo">
          {part("lat", "Latitude", -90, 90, ids["aria-describedby"])}
          {part("lng", "Longitude", -180, 180, ids["aria-describedby"])}
        </div>
      )}
    </InputShell>
  );
}
