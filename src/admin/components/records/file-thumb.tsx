// A small thumbnail of an image file: the file's public URL with `?thumb=64x64` (README "Files"),
// fetched with the signed-in user's token (an <img src> cannot send it; private files would be
// 404) and shown from a blob: URL. Each file is fetched once per visit, four at a time.
import { useEffect, useState } from "preact/hooks";
import { api } from "../../lib/api.ts";

export interface FileValue {
  id: string;
  name: string;
  size?: number;
  type?: string;
  url: string;
}

const cache = new Map<string, Promise<string>>();
const waiting: (() => void)[] = [];
let running = 0;

async function slot<T>(work: () => Promise<T>): Promise<T> {
  if (running >= 4) await new Promise<void>((r) => waiting.push(r));
  running++;
  try {
    return await work();
  } finally {
    running--;
    waiting.shift()?.();
  }
}

function thumbUrl(file: FileValue): Promise<string> {
  let p = cache.get(file.id);
  if (!p) {
    const sep = file.url.includes("?") ? "&" : "?";
    p = slot(() => api<Blob>("GET", `${file.url}${sep}thumb=64x64`, { as: "blob" })).then((b) => URL.createObjectURL(b));
    p.catch(() => cache.delete(file.id));
    cache.set(file.id, p);
  }
  return p;
}

export function FileThumb({ file }: { file: FileValue }) {
  const image = (file.type ?? "").startsWith("image/");
  const [src, setSrc] = useState<string | null>(null);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    if (!image) return;
    let live = true;
    thumbUrl(file).then(
      (u) => live && setSrc(u),
      (err: Error) => live && setFailed(err.message),
    );
    return () => {
      live = false;
    };
  }, [file.id]);
  if (image && src) return <img class="file-thumb" src={src} alt={file.name} title={file.name} width={32} height={32} />;
  return (
    <span class="chip file-chip" title={failed ? `${file.name}: ${failed}` : file.name}>
      {file.name}
    </span>
  );
}
