// Import and export: records into a collection from a file, and out of one into a file.
import { useEffect } from "preact/hooks";
import { reloadCollections, useCollections } from "../lib/collections.ts";
import { href } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { ExportPanel } from "../components/system/export-panel.tsx";
import { ImportPanel } from "../components/system/import-panel.tsx";

export default function Transfer({ query }: PageProps) {
  const { items, loading, error } = useCollections();
  const initial = query.get("collection") ?? "";
  // collections made elsewhere since the admin loaded its list
  useEffect(() => void reloadCollections(), []);
  return (
    <Page title="Import and export">
      <ErrorNote error={error} />
      {items.length === 0 && !loading ? (
        <EmptyState
          title="No collections to import into or export from"
          action={
            <a class="button primary" href={href("/collections/new")}>
              Create a collection
            </a>
          }
        >
          Records are imported into a collection; create one first.
        </EmptyState>
      ) : (
        <div class="transfer-grid">
          <ImportPanel key={`import-${initial}`} initialCollection={initial} />
          <ExportPanel key={`export-${initial}`} initialCollection={initial} />
        </div>
      )}
    </Page>
  );
}
