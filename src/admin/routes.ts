// Every view of the admin: its path after `#`, and the page module, loaded when first opened (each
// page is a chunk of its own, so the first load carries only the shell).
import type { FunctionComponent } from "preact";

export interface PageProps {
  params: Record<string, string>;
  query: URLSearchParams;
}

export interface RouteDef {
  pattern: string;
  load: () => Promise<{ default: FunctionComponent<PageProps> }>;
  /** shown without signing in */
  public?: boolean;
}

export const routes: RouteDef[] = [
  { pattern: "/", load: () => import("./pages/dashboard.tsx") },
  { pattern: "/install/:token", load: () => import("./pages/install.tsx"), public: true },
  { pattern: "/collections", load: () => import("./pages/collections.tsx") },
  { pattern: "/collections/new", load: () => import("./pages/collection-edit.tsx") },
  { pattern: "/collections/:name/edit", load: () => import("./pages/collection-edit.tsx") },
  { pattern: "/collections/:name/api", load: () => import("./pages/collection-api.tsx") },
  { pattern: "/collections/:name", load: () => import("./pages/records.tsx") },
  { pattern: "/collections/:name/records/new", load: () => import("./pages/record-edit.tsx") },
  { pattern: "/collections/:name/records/:id", load: () => import("./pages/record-edit.tsx") },
  { pattern: "/users", load: () => import("./pages/users.tsx") },
  { pattern: "/accounts", load: () => import("./pages/accounts.tsx") },
  { pattern: "/roles", load: () => import("./pages/roles.tsx") },
  { pattern: "/api-keys", load: () => import("./pages/api-keys.tsx") },
  { pattern: "/webhooks", load: () => import("./pages/webhooks.tsx") },
  { pattern: "/webhooks/:id", load: () => import("./pages/webhook-detail.tsx") },
  { pattern: "/files", load: () => import("./pages/files.tsx") },
  { pattern: "/backups", load: () => import("./pages/backups.tsx") },
  { pattern: "/transfer", load: () => import("./pages/transfer.tsx") },
  { pattern: "/settings", load: () => import("./pages/settings.tsx") },
  { pattern: "/audit", load: () => import("./pages/audit.tsx") },
];

/** The sidebar: groups of links; `superadmin` entries are hidden from other users (their APIs would refuse them). */
export const navigation: { group: string; items: { path: string; label: string; superadmin?: boolean }[] }[] = [
  {
    group: "Content",
    items: [
      { path: "/", label: "Overview" },
      { path: "/collections", label: "Collections" },
      { path: "/files", label: "Files" },
    ],
  },
  {
    group: "Access",
    items: [
      { path: "/users", label: "Users", superadmin: true },
      { path: "/accounts", label: "Accounts" },
      { path: "/roles", label: "Roles and permissions", superadmin: true },
      { path: "/api-keys", label: "API keys" },
    ],
  },
  {
    group: "Operations",
    items: [
      { path: "/webhooks", label: "Webhooks" },
      { path: "/backups", label: "Backups", superadmin: true },
      { path: "/transfer", label: "Import and export" },
    ],
  },
  {
    group: "System",
    items: [
      { path: "/settings", label: "Settings", superadmin: true },
      { path: "/audit", label: "Audit log", superadmin: true },
    ],
  },
];
