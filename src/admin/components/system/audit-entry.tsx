// Everything one audit entry says, in a dialog.
import { Dialog } from "../../ui/dialog.tsx";
import { formatTime as formatDate } from "../../lib/format.ts";

export interface AuditEntry {
  id: string;
  event_type: string;
  event_action: string;
  severity: string;
  outcome: string;
  user_id: string | null;
  user_email: string | null;
  ip_address: string | null;
  user_agent: string | null;
  request_id: string | null;
  account_id: string | null;
  resource_type: string | null;
  resource_id: string | null;
  description: string | null;
  details: unknown;
  error_message: string | null;
  created: string;
}

const ROWS: [keyof AuditEntry, string][] = [
  ["event_type", "Event type"],
  ["event_action", "Action"],
  ["severity", "Severity"],
  ["outcome", "Outcome"],
  ["user_email", "User"],
  ["user_id", "User ID"],
  ["ip_address", "IP address"],
  ["user_agent", "User agent"],
  ["request_id", "Request ID"],
  ["account_id", "Account"],
  ["resource_type", "Resource type"],
  ["resource_id", "Resource ID"],
  ["error_message", "Error"],
];

export function AuditEntryDialog({ entry, onClose }: { entry: AuditEntry | null; onClose: () => void }) {
  return (
    <Dialog title="Audit entry" open={Boolean(entry)} onClose={onClose} wide>
      {entry && (
        <>
          <p>
            <strong>{entry.description ?? `${entry.event_type} ${entry.event_action}`}</strong>
            <br />
            <span class="hint">{formatDate(entry.created)}</span>
          </p>
          <dl class="audit-details">
            {ROWS.filter(([k]) => entry[k] !== null && entry[k] !== "").map(([k, label]) => (
              <div key={k}>
                <dt>{label}</dt>
                <dd>{String(entry[k])}</dd>
              </div>
            ))}
          </dl>
          {entry.details !== null && entry.details !== undefined && (
            <>
              <h3>Details</h3>
              <pre tabIndex={0} aria-label="Details as JSON">
                {JSON.stringify(entry.details, null, 2)}
              </pre>
            </>
          )}
        </>
      )}
    </Dialog>
  );
}
