// Files: each one shown as a thumbnail (images, through a signed URL so <img> needs no token) or
// its name, with a remove button; new files upload through the public upload route
// (POST /api/v1/files with the collection and field, so the field's size and type limits apply)
// and join the field when the record is saved.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import { ErrorNote } from "../../ui/error-note.tsx";
import { InputShell } from "./shell.tsx";
import type { InputProps } from "./types.ts";
import type { FileInfo } from "./values.ts";

const isImage = (f: FileInfo) => /^image\/(png|jpeg|gif|webp|avif)$/.test(f.type ?? "");

function size(bytes: number | undefined): string {
  if (bytes === undefined) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

function Thumbnail({ file }: { file: FileInfo }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    api<{ url: string }>("GET", `/api/v1/files/${encodeURIComponent(file.id)}/signed-url?expires_in=3600`)
      .then((r) => live && setSrc(`${r.url}&thumb=96x96`))
      .catch(() => live && setSrc(null));
    return () => {
      live = false;
    };
  }, [file.id]);
  return src ? <img class="file-thumb" src={src} alt={`Thumbnail of ${file.name}`} width={96} height={96} /> : <span class="file-thumb file-thumb-empty" aria-hidden="true" />;
}

export function FileInput({ field, label, hint, error, value, onValue, collection }: InputProps<FileInfo[]>) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<unknown>(null);
  const max = field.file?.max_files ?? 1;
  const types = field.file?.mime_types ?? [];

  const upload = async (input: HTMLInputElement) => {
    const picked = [...(input.files ?? [])];
    input.value = "";
    if (!picked.length) return;
    setBusy(true);
    setFailure(null);
    let list = value;
    try {
      for (const f of picked) {
        const form = new FormData();
        form.set("collection_name", collection);
        form.set("field_name", field.name);
        form.set("file", f, f.name);
        const up = await api<FileInfo & { mime_type?: string }>("POST", "/api/v1/files", { form });
        const info: FileInfo = { id: up.id, name: up.name, size: up.size, type: up.type ?? up.mime_type, url: up.url };
        list = max === 1 ? [info] : [...list, info];
        onValue(list);
      }
    } catch (err) {
      setFailure(err);
    } finally {
      setBusy(false);
    }
  };

  const limits = [max > 1 ? `up to ${max} files` : "one file", types.length ? `types ${types.join(", ")}` : "", field.file?.max_size ? `at most ${size(field.file.max_size)} each` : ""]
    .filter(Boolean)
    .join("; ");
  return (
    <InputShell label={label} required={field.required} hint={`${hint ? `${hint} ` : ""}${limits[0]!.toUpperCase()}${limits.slice(1)}. Files join the record when you save.`} error={error}>
      {(ids) => (
        <div class="files">
          {value.length > 0 && (
            <ul class="file-list" aria-label={`${label}: files`}>
              {value.map((f) => (
                <li key={f.id} class="file-item">
                  {isImage(f) ? <Thumbnail file={f} /> : <span class="file-thumb file-thumb-empty" aria-hidden="true" />}
                  <span class="file-name">
                    {f.name}
                    <span class="muted"> {size(f.size)}</span>
                  </span>
                  <button type="button" class="ghost" aria-label={`Remove ${f.name}`} onClick={() => onValue(value.filter((x) => x.id !== f.id))}>
                    Remove
                  </button>
                </li>
              ))}
            </ul>
          )}
          <input
            {...ids}
            type="file"
            multiple={max > 1}
            accept={types.length ? types.join(",") : undefined}
            disabled={busy || (max > 1 && value.length >= max)}
            onChange={(e) => upload(e.target as HTMLInputElement)}
          />
          {busy && <span role="status">Uploading…</span>}
          <ErrorNote error={failure} />
        </div>
      )}
    </InputShell>
  );
}
