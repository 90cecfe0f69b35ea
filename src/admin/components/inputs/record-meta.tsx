// The read-only facts of a saved record: id, created, updated (UTC, with local time as a tooltip)
// and version.
export interface RecordBody {
  id: string;
  data: Record<string, unknown>;
  created: string;
  updated: string;
  version: number;
  owner_id?: string | null;
}

function When({ iso }: { iso: string }) {
  const d = new Date(iso);
  return (
    <time dateTime={iso} title={Number.isNaN(d.getTime()) ? undefined : d.toLocaleString()}>
      {iso.replace("T", " ").replace(/\.\d+Z$/, " UTC")}
    </time>
  );
}

export function RecordMeta({ record }: { record: RecordBody }) {
  return (
    <aside class="card record-meta" aria-label="Record details">
      <h2>Details</h2>
      <dl>
        <dt>ID</dt>
        <dd>
          <code>{record.id}</code>
        </dd>
        <dt>Created</dt>
        <dd>
          <When iso={record.created} />
        </dd>
        <dt>Updated</dt>
        <dd>
          <When iso={record.updated} />
        </dd>
        <dt>Version</dt>
        <dd>{record.version}</dd>
        {record.owner_id && (
          <>
            <dt>Owner</dt>
            <dd>
              <code>{record.owner_id}</code>
            </dd>
          </>
        )}
      </dl>
    </aside>
  );
}
