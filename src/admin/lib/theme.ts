// Light or dark: the user's choice (stored), else the system's. Sets `data-theme` on <html>.
import { store } from "./store.ts";

export type Theme = "light" | "dark";
const KEY = "cairn.admin.theme";

function initial(): Theme {
  const saved = localStorage.getItem(KEY);
  if (saved === "light" || saved === "dark") return saved;
  return matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

export const theme = store<Theme>(initial());
document.documentElement.dataset.theme = theme.value;
theme.subscribe((t) => {
  document.documentElement.dataset.theme = t;
  localStorage.setItem(KEY, t);
});
