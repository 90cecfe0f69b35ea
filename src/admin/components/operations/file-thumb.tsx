// An image file's thumbnail. Downloads need the bearer token, which <img src> cannot send, so the
// thumbnail is fetched with it and shown from a blob: URL (released when the row goes away).
import { useEffect, useState } from "preact/hooks";
import { api } from "../../lib/api.ts";
import { hasThumbnail, type StoredFile } from "./file-types.ts";

export function FileThumb({ file }: { file: StoredFile }) {
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  const image = hasThumbnail(file);
  useEffect(() => {
    if (!image) return;
    const abort = new AbortController();
    let url: string | null = null;
    api<Blob>("GET", `${file.url}?thumb=96x96`, { as: "blob", signal: abort.signal }).then(
      (blob) => {
        url = URL.createObjectURL(blob);
        setSrc(url);
      },
      (err: Error) => err.name !== "AbortError" && setFailed(err.message),
    );
    return () => {
      abort.abort();
      if (url) URL.revokeObjectURL(url);
    };
  }, [file.id, file.url, image]);
  if (!image)
    return (
      <span class="ops-thumb ops-thumb-type" aria-hidden="true">
        {(file.type.split("/")[1] ?? "file").slice(0, 4)}
      </span>
    );
  if (failed)
    return (
      <span class="ops-thumb ops-thumb-type" title={`No thumbnail: ${failed}`}>
        ?
      </span>
    );
  return src ? <img class="ops-thumb" src={src} alt={`Thumbnail of ${file.name}`} width={48} height={48} /> : <span class="ops-thumb" aria-hidden="true" />;
}
