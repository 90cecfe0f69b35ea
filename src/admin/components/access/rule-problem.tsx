// Why a rule does not parse, with the place it failed marked in the rule.
export function RuleProblem({ rule, error, position }: { rule: string; error: string; position: number | null }) {
  const at = position !== null && position >= 0 && position <= rule.length ? position : null;
  return (
    <div class="error-note rule-problem" role="alert">
      <strong>The rule is not valid: </strong>
      {error}
      {at !== null && (
        <>
          <pre class="rule-at">
            <code>
              {rule.slice(0, at)}
              <mark>{rule.slice(at, at + 1) || " "}</mark>
              {rule.slice(at + 1)}
            </code>
          </pre>
          <p class="hint">The problem starts at character {at + 1} (marked).</p>
        </>
      )}
    </div>
  );
}
