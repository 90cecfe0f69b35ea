// What an import did: the counts, and the rows that failed with the field and the reason.
export interface RowError {
  row?: number;
  field?: string | null;
  error?: string;
  message?: string;
}

export interface ImportCounts {
  imported: number;
  created: number;
  updated: number;
  total: number;
  failed: number;
  errors: RowError[] | null;
}

export function ImportResult({ result }: { result: ImportCounts }) {
  const errors = result.errors ?? [];
  return (
    <div class="import-result" role="region" aria-label="Import result">
      <p class="import-counts" role="status">
        Imported {result.imported} of {result.total} rows ({result.created} created, {result.updated} updated), {result.failed} failed.
      </p>
      {errors.length > 0 && (
        <div class="table-wrap">
          <table class="data-table">
            <caption class="visually-hidden">Rows that were not imported</caption>
            <thead>
              <tr>
                <th scope="col" class="num">
                  Row
                </th>
                <th scope="col">Field</th>
                <th scope="col">Problem</th>
              </tr>
            </thead>
            <tbody>
              {errors.map((e, i) => (
                <tr key={i}>
                  <td class="num">{e.row ?? "—"}</td>
                  <td>{e.field ? <code>{e.field}</code> : "—"}</td>
                  <td>{e.error ?? e.message ?? ""}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {result.failed > errors.length && <p class="hint">The first {errors.length} failing rows are listed.</p>}
    </div>
  );
}
