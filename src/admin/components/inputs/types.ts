// What every record input receives: its field, its label and hint, the server's message for it,
// and its draft value with the way to change it (see values.ts for the draft shapes).
import type { CollectionField } from "../../lib/collections.ts";

export interface InputProps<T> {
  field: CollectionField;
  label: string;
  hint?: string | null;
  error?: string | null;
  value: T;
  onValue: (value: T) => void;
  /** the record being edited (absent for a new one) */
  recordId?: string;
  collection: string;
}
