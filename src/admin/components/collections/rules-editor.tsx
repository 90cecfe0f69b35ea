// The five access rules of a collection (README "Access rules"). A rule that does not parse is
// shown with the place the parser stopped marked; the message comes from the server: the 422 of a
// save, or POST /api/v1/roles/validate-rule when a rule input loses focus (superadmins).
import { useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import { session } from "../../lib/session.ts";
import { Field, SelectField } from "../../ui/field.tsx";
import { RULES, type RuleDraft, type RuleKey } from "./schema-draft.ts";

const WHAT: Record<RuleKey, string> = {
  list_rule: "list records",
  view_rule: "view a record",
  create_rule: "create records",
  update_rule: "update records",
  delete_rule: "delete records",
};
const TITLE: Record<RuleKey, string> = { list_rule: "List rule", view_rule: "View rule", create_rule: "Create rule", update_rule: "Update rule", delete_rule: "Delete rule" };

/** The 0-based offset a rule message points at (`… at position 6 …`), or null. */
export function rulePosition(message: string | null | undefined): number | null {
  const m = message ? /at position (\d+)/.exec(message) : null;
  return m ? Number(m[1]) : null;
}

function Marked({ text, position }: { text: string; position: number }) {
  return (
    <div class="rule-marked" aria-hidden="true">
      <code>
        {text.slice(0, position)}
        <mark>{text.slice(position, position + 1) || " "}</mark>
        {text.slice(position + 1)}
      </code>
    </div>
  );
}

function RuleInput({ k, rule, error, onChange }: { k: RuleKey; rule: RuleDraft; error: string | null; onChange: (r: RuleDraft) => void }) {
  const [checked, setChecked] = useState<{ text: string; error: string | null } | null>(null);
  const live = checked && checked.text === rule.text ? checked.error : null;
  const shown = error ?? live;
  const position = rulePosition(shown);
  const check = async () => {
    if (rule.mode !== "expression" || !rule.text.trim() || !session.isSuperadmin) return;
    const text = rule.text;
    try {
      const answer = await api<{ valid: boolean; error?: string; position?: number }>("POST", "/api/v1/roles/validate-rule", { body: { rule: text } });
      setChecked({ text, error: answer.valid ? null : `${answer.error ?? "is not a valid rule"}` });
    } catch (err) {
      setChecked({ text, error: (err as Error).message });
    }
  };
  return (
    <div class="rule-row">
      <SelectField
        label={`Who may ${WHAT[k]}`}
        value={rule.mode}
        onValue={(v) => onChange({ ...rule, mode: v as RuleDraft["mode"] })}
        options={[
          { value: "locked", label: "Superadmins; role permissions decide (null)" },
          { value: "public", label: "Everyone (empty rule)" },
          { value: "expression", label: "Those an expression allows" },
        ]}
        error={rule.mode === "expression" ? null : shown}
      />
      {rule.mode === "expression" && (
        <Field label={TITLE[k]} error={shown} hint={'e.g. owner_id = @request.auth.id || status = "published"'}>
          {(ids) => (
            <input
              {...ids}
              class="mono"
              spellcheck={false}
              autoComplete="off"
              value={rule.text}
              onInput={(e) => onChange({ ...rule, text: (e.target as HTMLInputElement).value })}
              onBlur={() => void check()}
            />
          )}
        </Field>
      )}
      {rule.mode === "expression" && position !== null && <Marked text={rule.text} position={position} />}
    </div>
  );
}

export function RulesEditor({ rules, errors, onChange }: { rules: Record<RuleKey, RuleDraft>; errors: Record<string, string>; onChange: (rules: Record<RuleKey, RuleDraft>) => void }) {
  return (
    <div class="rules-grid">
      {RULES.map((k) => (
        <RuleInput key={k} k={k} rule={rules[k]} error={errors[k] ?? errors[k.replace("_rule", "Rule")] ?? null} onChange={(r) => onChange({ ...rules, [k]: r })} />
      ))}
    </div>
  );
}
