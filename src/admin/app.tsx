// The shell: sign-in gate, sidebar, header (theme switch, user, sign out) and the current page.
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { collections, reloadCollections, useCollections } from "./lib/collections.ts";
import { href, match, useRoute } from "./lib/router.ts";
import { session } from "./lib/session.ts";
import { useStore } from "./lib/store.ts";
import { theme } from "./lib/theme.ts";
import { navigation, routes, type PageProps } from "./routes.ts";
import { Toasts } from "./ui/toast.tsx";
import { Login } from "./pages/login.tsx";
import { ErrorNote } from "./ui/error-note.tsx";

const loaded = new Map<string, FunctionComponent<PageProps>>();

function Outlet({ path, query }: { path: string; query: URLSearchParams }) {
  const found = routes.map((r) => ({ r, params: match(r.pattern, path) })).find((m) => m.params);
  const [page, setPage] = useState<{ pattern: string; Component: FunctionComponent<PageProps> } | null>(null);
  const [error, setError] = useState<Error | null>(null);
  useEffect(() => {
    if (!found) return;
    const ready = loaded.get(found.r.pattern);
    if (ready) return setPage({ pattern: found.r.pattern, Component: ready });
    let live = true;
    found.r
      .load()
      .then((m) => {
        loaded.set(found.r.pattern, m.default);
        if (live) setPage({ pattern: found.r.pattern, Component: m.default });
      })
      .catch((err) => live && setError(err));
    return () => {
      live = false;
    };
  }, [found?.r.pattern]);
  if (!found) {
    return (
      <section class="page">
        <h1>Page not found</h1>
        <p>
          There is nothing at <code>{path}</code>. <a href="#/">Go to the overview</a>.
        </p>
      </section>
    );
  }
  if (error) return <ErrorNote error={new Error(`This page could not be loaded (${error.message}). Reload to try again.`)} />;
  if (!page || page.pattern !== found.r.pattern) return <p class="loading">Loading…</p>;
  return <page.Component key={`${found.r.pattern}:${JSON.stringify(found.params)}`} params={found.params!} query={query} />;
}

function Sidebar({ path }: { path: string }) {
  const { items } = useCollections();
  useStore(session);
  const superadmin = session.isSuperadmin;
  return (
    <nav class="sidebar" aria-label="Main">
      <a class="brand" href="#/">
        Cairn
      </a>
      {navigation
        .map((g) => ({ ...g, items: g.items.filter((i) => superadmin || !i.superadmin) }))
        .filter((g) => g.items.length > 0)
        .map((g) => (
          <div class="nav-group" key={g.group}>
            <h2 class="nav-heading">{g.group}</h2>
            <ul>
              {g.items.map((i) => (
                <li key={i.path}>
                  <a href={href(i.path)} aria-current={path === i.path ? "page" : undefined}>
                    {i.label}
                  </a>
                  {i.path === "/collections" && items.length > 0 && (
                    <ul class="nav-sub">
                      {items.map((c) => (
                        <li key={c.id}>
                          <a href={href(`/collections/${encodeURIComponent(c.name)}`)} aria-current={path === `/collections/${c.name}` ? "page" : undefined}>
                            {c.name}
                          </a>
                        </li>
                      ))}
                    </ul>
                  )}
                </li>
              ))}
            </ul>
          </div>
        ))}
    </nav>
  );
}

function Header() {
  const t = useStore(theme);
  const { user } = useStore(session);
  const next = t === "dark" ? "light" : "dark";
  return (
    <header class="topbar">
      <span class="who">{user ? `Signed in as ${user.email}${session.isSuperadmin ? " (superadmin)" : ""}` : ""}</span>
      <button type="button" class="ghost" onClick={() => theme.set(next)} aria-label={`Switch to ${next} theme`}>
        {t === "dark" ? "☀ Light" : "☾ Dark"}
      </button>
      <button type="button" class="ghost" onClick={() => session.signOut()}>
        Sign out
      </button>
    </header>
  );
}

export function App() {
  const { accessToken } = useStore(session);
  const route = useRoute();
  const isPublic = routes.some((r) => r.public && match(r.pattern, route.path));
  useEffect(() => {
    if (accessToken) {
      void reloadCollections();
      if (typeof session.value.user?.superadmin !== "boolean") void session.loadMe();
    } else collections.set({ items: [], loading: false, error: null });
  }, [accessToken]);
  if (isPublic) {
    return (
      <main id="content" class="public-page">
        <Outlet path={route.path} query={route.query} />
        <Toasts />
      </main>
    );
  }
  if (!accessToken) {
    return (
      <main id="content" class="public-page">
        <Login />
        <Toasts />
      </main>
    );
  }
  return (
    <div class="layout">
      <a class="skip-link" href="#content" onClick={(e) => (e.preventDefault(), document.getElementById("content")?.focus())}>
        Skip to content
      </a>
      <Sidebar path={route.path} />
      <div class="main-column">
        <Header />
        <main id="content" tabIndex={-1}>
          <Outlet path={route.path} query={route.query} />
        </main>
      </div>
      <Toasts />
    </div>
  );
}
