// Settings (superadmin): every setting by category — the ones Cairn reads with an input fit for
// their type and their default, and custom keys as JSON — plus a form to add one.
import { useCallback, useEffect, useState } from "preact/hooks";
import { api } from "../lib/api.ts";
import type { PageProps } from "../routes.ts";
import { Page } from "../ui/page.tsx";
import { AddSetting } from "../components/system/add-setting.tsx";
import { CATEGORIES, KNOWN_SETTINGS, knownSetting } from "../components/system/known-settings.ts";
import { LoadError } from "../components/system/load-error.tsx";
import { SettingRow, type Stored } from "../components/system/setting-row.tsx";

type Grouped = Record<string, Record<string, Stored>>;

export default function Settings(_props: PageProps) {
  const [grouped, setGrouped] = useState<Grouped | null>(null);
  const [error, setError] = useState<unknown>(null);
  const load = useCallback(async () => {
    try {
      setGrouped(await api<Grouped>("GET", "/api/v1/settings"));
      setError(null);
    } catch (err) {
      setError(err);
    }
  }, []);
  useEffect(() => void load(), [load]);

  // a key's stored value wherever it is filed
  const stored: Record<string, Stored & { category: string }> = {};
  for (const [category, keys] of Object.entries(grouped ?? {})) for (const [k, v] of Object.entries(keys)) stored[k] = { ...v, category };
  const categories = [...CATEGORIES, ...Object.keys(grouped ?? {}).filter((c) => !CATEGORIES.includes(c))].filter(
    (c) => KNOWN_SETTINGS.some((s) => s.category === c) || Object.keys(grouped?.[c] ?? {}).length > 0,
  );

  return (
    <Page title="Settings">
      <p class="hint">Changes apply at once on every instance and are written to the audit log (the key, never the value).</p>
      <LoadError error={error} what="Managing settings" />
      {grouped && (
        <>
          <nav class="settings-toc" aria-label="Setting categories">
            {categories.map((c) => (
              <a key={c} href={`#/settings?category=${c}`} onClick={(e) => (e.preventDefault(), document.getElementById(`settings-${c}`)?.scrollIntoView())}>
                {c}
              </a>
            ))}
          </nav>
          {categories.map((category) => {
            const known = KNOWN_SETTINGS.filter((s) => s.category === category);
            const custom = Object.keys(grouped[category] ?? {}).filter((k) => !knownSetting(k));
            return (
              <section key={category} class="card settings-category" id={`settings-${category}`} aria-labelledby={`settings-${category}-title`}>
                <h2 id={`settings-${category}-title`}>{category}</h2>
                {known.map((s) => (
                  <SettingRow key={s.key} name={s.key} category={s.category} kind={s.kind} known={s} stored={stored[s.key]} onChanged={() => void load()} />
                ))}
                {custom.map((k) => (
                  <SettingRow key={k} name={k} category={category} kind="json" stored={stored[k]} onChanged={() => void load()} />
                ))}
              </section>
            );
          })}
          <AddSetting onAdded={() => void load()} />
        </>
      )}
    </Page>
  );
}
