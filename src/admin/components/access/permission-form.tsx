// Grants a role one (collection, operation) with a rule and the fields it may use
// (PUT /api/v1/roles/{id}/permissions/bulk); the rule is checked first (POST /roles/validate-rule)
// so a mistake is shown at its position.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../../lib/api.ts";
import { useCollections } from "../../lib/collections.ts";
import { SelectField, TextAreaField, TextField } from "../../ui/field.tsx";
import { ErrorNote } from "../../ui/error-note.tsx";
import { notify } from "../../ui/toast.tsx";
import { RuleProblem } from "./rule-problem.tsx";

export const OPERATIONS = ["create", "read", "update", "delete"] as const;

export interface PermissionDraft {
  collection: string;
  operation: string;
  rule: string;
  fields: string;
}

interface Check {
  valid: boolean;
  error?: string;
  position?: number;
}

export function PermissionForm({ roleId, draft, onSaved }: { roleId: number; draft: PermissionDraft; onSaved: () => void }) {
  const { items } = useCollections();
  const [collection, setCollection] = useState(draft.collection);
  const [operation, setOperation] = useState(draft.operation);
  const [rule, setRule] = useState(draft.rule);
  const [fields, setFields] = useState(draft.fields);
  const [check, setCheck] = useState<(Check & { rule: string }) | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    setCollection(draft.collection);
    setOperation(draft.operation);
    setRule(draft.rule);
    setFields(draft.fields);
    setCheck(null);
    setError(null);
  }, [draft]);

  async function validate(): Promise<boolean> {
    const answer = await api<Check>("POST", "/api/v1/roles/validate-rule", { body: { rule, collection: collection === "*" ? undefined : collection } });
    setCheck({ ...answer, rule });
    return answer.valid;
  }
  async function run(save: boolean) {
    setBusy(true);
    setError(null);
    setCheck(null);
    try {
      if (!(await validate()) || !save) return;
      const list =
        fields.trim() === "*" || fields.trim() === ""
          ? "*"
          : fields
              .split(",")
              .map((f) => f.trim())
              .filter(Boolean);
      const answer = await api<{ success_count: number; failure_count: number; errors: string[] }>("PUT", `/api/v1/roles/${roleId}/permissions/bulk`, {
        body: { updates: [{ collection, operation, rule, fields: list }] },
      });
      if (answer.failure_count > 0) throw new Error(answer.errors.join("; ") || "The permission was not saved.");
      notify(`Permission to ${operation} ${collection === "*" ? "every collection" : collection} saved`);
      onSaved();
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }
  const f = error instanceof ApiError ? error.fields : {};
  return (
    <form
      class="permission-form"
      aria-labelledby="permission-form-title"
      onSubmit={(e) => {
        e.preventDefault();
        void run(true);
      }}
    >
      <h3 id="permission-form-title">Grant a permission</h3>
      <div class="form-row">
        <SelectField label="Collection" value={collection} onValue={setCollection} options={[{ value: "*", label: "* (every collection)" }, ...items.map((c) => c.name)]} />
        <SelectField label="Operation" value={operation} onValue={setOperation} options={[...OPERATIONS]} />
      </div>
      <TextAreaField
        label="Rule"
        class="mono"
        rows={2}
        required
        spellcheck={false}
        value={rule}
        onValue={setRule}
        error={f.rule}
        hint={
          <>
            <code>true</code> for always, or an expression such as <code>@owns_record()</code> or <code>status = "published"</code> (see Access rules in the README). <code>false</code> takes the
            permission away.
          </>
        }
      />
      <TextField label="Fields" value={fields} onValue={setFields} error={f.fields} hint="* for every field, or field names separated by commas." />
      {check && !check.valid && <RuleProblem rule={check.rule} error={check.error ?? "invalid"} position={check.position ?? null} />}
      {check?.valid && (
        <p class="ok-note" role="status">
          The rule is valid.
        </p>
      )}
      <ErrorNote error={error} shown={["rule", "fields"]} />
      <div class="form-actions">
        <button type="button" onClick={() => void run(false)} disabled={busy}>
          Check rule
        </button>
        <button type="submit" class="primary" disabled={busy}>
          Save permission
        </button>
      </div>
    </form>
  );
}
