// Who is signed in: the tokens of POST /api/v1/auth/login, kept in localStorage so a reload keeps
// the session, and refreshed with POST /api/v1/auth/refresh when the access token expires.
import { store, type Store } from "./store.ts";

export interface User {
  id: string;
  email: string;
  name?: string | null;
  /** true for a superadmin (from GraphQL `me`); account admins and others see what their rules allow */
  superadmin?: boolean;
  /** `admin` (account admins and superadmins) or `user` */
  role?: string | null;
  account?: { id: string; name: string } | null;
  [key: string]: unknown;
}

export interface SessionState {
  accessToken: string | null;
  refreshToken: string | null;
  user: User | null;
}

const KEY = "cairn.admin.session";

function load(): SessionState {
  try {
    const saved = JSON.parse(localStorage.getItem(KEY) ?? "null") as SessionState | null;
    if (saved?.accessToken) return saved;
  } catch {
    // a damaged entry is a signed-out session
  }
  return { accessToken: null, refreshToken: null, user: null };
}

interface Session extends Store<SessionState> {
  /** Stores the answer of a login (or any route answering with tokens and a user). */
  signedIn(answer: { access_token: string; refresh_token?: string; user?: User }): void;
  signOut(): void;
  /** Trades the refresh token for new tokens; false (and signed out) when that fails. */
  refresh(): Promise<boolean>;
  readonly isSuperadmin: boolean;
  /** Reads who is signed in (GraphQL `me`: role, superadmin, account) into the session. */
  loadMe(): Promise<void>;
}

const base = store<SessionState>(load());
let refreshing: Promise<boolean> | null = null;

function save(state: SessionState) {
  if (state.accessToken) localStorage.setItem(KEY, JSON.stringify(state));
  else localStorage.removeItem(KEY);
  base.set(state);
}

export const session = Object.assign(base, {
  signedIn(answer: { access_token: string; refresh_token?: string; user?: User }) {
    save({ accessToken: answer.access_token, refreshToken: answer.refresh_token ?? null, user: answer.user ?? base.value.user });
  },
  signOut() {
    const refreshToken = base.value.refreshToken;
    const accessToken = base.value.accessToken;
    if (accessToken) {
      void fetch("/api/v1/auth/logout", {
        method: "POST",
        headers: { authorization: `Bearer ${accessToken}`, "content-type": "application/json" },
        body: JSON.stringify(refreshToken ? { refresh_token: refreshToken } : {}),
      }).catch(() => undefined);
    }
    save({ accessToken: null, refreshToken: null, user: null });
  },
  refresh(): Promise<boolean> {
    const refreshToken = base.value.refreshToken;
    if (!refreshToken) {
      save({ accessToken: null, refreshToken: null, user: null });
      return Promise.resolve(false);
    }
    refreshing ??= fetch("/api/v1/auth/refresh", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ refresh_token: refreshToken }) })
      .then(async (res) => {
        if (!res.ok) throw new Error(String(res.status));
        session.signedIn(await res.json());
        return true;
      })
      .catch(() => {
        save({ accessToken: null, refreshToken: null, user: null });
        return false;
      })
      .finally(() => {
        refreshing = null;
      });
    return refreshing;
  },
  async loadMe() {
    const token = base.value.accessToken;
    if (!token) return;
    const res = await fetch("/graphql", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ query: "{ me { id email name role superadmin account { id name } } }" }),
    });
    if (res.status === 401) {
      if (await session.refresh()) return session.loadMe();
      return;
    }
    const body = (await res.json().catch(() => null)) as { data?: { me?: User } } | null;
    if (body?.data?.me && base.value.accessToken) save({ ...base.value, user: body.data.me });
  },
}) as Session;

// A getter (Object.assign would copy its value once).
Object.defineProperty(session, "isSuperadmin", { get: () => Boolean(base.value.user?.superadmin) });

// Another tab signing in or out.
addEventListener("storage", (e) => {
  if (e.key === KEY) base.set(load());
});
