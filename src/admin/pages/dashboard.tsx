// The overview: the collections with links into them, and (for superadmins) the instance's live figures.
import { useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import { useCollections } from "../lib/collections.ts";
import { href } from "../lib/router.ts";
import { session } from "../lib/session.ts";
import { useStore } from "../lib/store.ts";
import { EmptyState } from "../ui/empty-state.tsx";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";

interface Stats {
  requests_per_minute: number;
  total_connections: number;
  outbox: { lag: number };
  jobs: { running: number; queued: number };
  database: { kind: string; size_bytes: number };
  uptime_seconds: number;
}

export default function Dashboard() {
  const { items, error } = useCollections();
  const [stats, setStats] = useState<Stats | null>(null);
  const superadmin = useStore(session).user?.superadmin;
  useEffect(() => {
    if (superadmin) void api<Stats>("GET", "/api/v1/stats").then(setStats, () => undefined);
  }, [superadmin]);
  return (
    <Page title="Overview">
      <ErrorNote error={error} />
      {stats && (
        <dl class="stats">
          <div>
            <dt>Database</dt>
            <dd>
              {stats.database.kind}, {(stats.database.size_bytes / 1048576).toFixed(1)} MiB
            </dd>
          </div>
          <div>
            <dt>Requests per minute</dt>
            <dd>{stats.requests_per_minute}</dd>
          </div>
          <div>
            <dt>Live connections</dt>
            <dd>{stats.total_connections}</dd>
          </div>
          <div>
            <dt>Jobs running / queued</dt>
            <dd>
              {stats.jobs.running} / {stats.jobs.queued}
            </dd>
          </div>
          <div>
            <dt>Up for</dt>
            <dd>{Math.round(stats.uptime_seconds / 60)} min</dd>
          </div>
        </dl>
      )}
      <h2>Collections</h2>
      {items.length === 0 ? (
        <EmptyState
          title="No collections yet"
          action={
            <a class="button primary" href={href("/collections/new")}>
              Create a collection
            </a>
          }
        >
          A collection is a table with typed fields; Cairn serves it over REST and GraphQL as soon as it exists.
        </EmptyState>
      ) : (
        <ul class="tiles">
          {items.map((c) => (
            <li key={c.id}>
              <a href={href(`/collections/${encodeURIComponent(c.name)}`)}>
                <strong>{c.name}</strong>
                <span>{c.schema.length} fields</span>
              </a>
            </li>
          ))}
        </ul>
      )}
    </Page>
  );
}
