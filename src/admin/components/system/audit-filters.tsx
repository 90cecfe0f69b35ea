// The audit log's filters, as the API takes them (GET /api/v1/audit). Values live in the page's
// address, so a filtered view can be reloaded and shared.
import { useState } from "preact/hooks";
import { ApiError } from "../../lib/api.ts";
import { SelectField, TextField } from "../../ui/field.tsx";

export const FILTER_KEYS = ["event_type", "event_action", "severity", "outcome", "user_id", "ip_address", "from_date", "to_date"] as const;
export type AuditFilter = Partial<Record<(typeof FILTER_KEYS)[number], string>>;

const EVENT_TYPES = ["auth", "user", "api_key", "two_factor", "collection", "record", "file", "admin", "system", "security"];
const ACTIONS = ["login", "login_failed", "lockout", "logout", "token_refresh", "token_reuse", "create", "update", "delete", "permission_denied", "rate_limit"];
const any = (values: string[], label = "Any") => [{ value: "", label }, ...values.map((v) => ({ value: v, label: v }))];

export function AuditFilters({ value, error, onApply }: { value: AuditFilter; error: unknown; onApply: (f: AuditFilter) => void }) {
  const [f, setF] = useState<AuditFilter>(value);
  const set = (k: keyof AuditFilter) => (v: string) => setF({ ...f, [k]: v });
  const errs = error instanceof ApiError ? error.fields : {};
  const err = (k: string) => errs[k] ?? errs[`querystring.${k}`] ?? null;
  return (
    <form
      class="card audit-filters"
      aria-label="Audit log filters"
      onSubmit={(e) => {
        e.preventDefault();
        onApply(f);
      }}
    >
      <div class="audit-filter-grid">
        <SelectField label="Event type" value={f.event_type ?? ""} onValue={set("event_type")} options={any(EVENT_TYPES)} error={err("event_type")} />
        <TextField label="Action" value={f.event_action ?? ""} onValue={set("event_action")} list="audit-actions" placeholder="any" error={err("event_action")} />
        <datalist id="audit-actions">
          {ACTIONS.map((a) => (
            <option key={a} value={a} />
          ))}
        </datalist>
        <SelectField label="Severity" value={f.severity ?? ""} onValue={set("severity")} options={any(["info", "warning", "critical"])} error={err("severity")} />
        <SelectField label="Outcome" value={f.outcome ?? ""} onValue={set("outcome")} options={any(["success", "failure", "error"])} error={err("outcome")} />
        <TextField label="User ID" value={f.user_id ?? ""} onValue={set("user_id")} placeholder="any" error={err("user_id")} />
        <TextField label="IP address" value={f.ip_address ?? ""} onValue={set("ip_address")} placeholder="any" error={err("ip_address")} />
        <TextField label="From" type="date" value={f.from_date ?? ""} onValue={set("from_date")} error={err("from_date")} />
        <TextField label="To (whole day)" type="date" value={f.to_date ?? ""} onValue={set("to_date")} error={err("to_date")} />
      </div>
      <div class="form-actions">
        <button type="submit" class="primary">
          Apply filters
        </button>
        <button
          type="button"
          onClick={() => {
            setF({});
            onApply({});
          }}
        >
          Clear
        </button>
      </div>
    </form>
  );
}
