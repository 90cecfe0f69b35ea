/**
 * Static assets served compressed: a body is compressed once (brotli and gzip, on the thread pool,
 * never per request) and each request gets the best encoding its `Accept-Encoding` allows, with a
 * weak ETag naming the content (the same for every encoding, so `If-None-Match` answers 304 from
 * any of them), `Vary: Accept-Encoding` and the caller's `Cache-Control`. Brotli runs at quality 5
 * (about 0.25 s for GraphiQL's 5 MB script): quality 11 would save about 13% more but costs near
 * 30 s of CPU, which a small server should not spend on a debugging page. The ETag is weak: it
 * names the content, not the encoded bytes.
 * Framework-free: the transport copies the answer ({@link AssetAnswer}) onto its reply.
 */
import { createHash } from "node:crypto";
import { promisify } from "node:util";
import { brotliCompress, constants, gzip } from "node:zlib";

const brotli = promisify(brotliCompress);
const gz = promisify(gzip);

/** Brotli quality: about 0.25 s for GraphiQL's 5 MB script. */
const QUALITY = 5;

/** Cache-Control for content under a hashed name: it never changes. */
export const IMMUTABLE = "public, max-age=31536000, immutable";
/** Cache-Control for a page whose name stays while its content changes: revalidate every time. */
export const REVALIDATE = "no-cache";

/** What to send for one request. */
export interface AssetAnswer {
  readonly status: 200 | 304;
  readonly headers: Readonly<Record<string, string>>;
  /** empty for 304 */
  readonly body: Buffer;
}

type Encoding = "br" | "gzip" | "identity";

/** The encodings a request accepts, from its `Accept-Encoding` (q=0 refuses one). */
function accepted(header: string | undefined): Set<Encoding> {
  const out = new Set<Encoding>();
  for (const part of (header ?? "").split(",")) {
    const [name, ...params] = part.trim().toLowerCase().split(";");
    const q = params.map((p) => p.trim()).find((p) => p.startsWith("q="));
    if (q !== undefined && Number(q.slice(2)) === 0) continue;
    if (name === "br" || name === "gzip" || name === "*") out.add(name === "*" ? "br" : name);
    if (name === "*") out.add("gzip");
  }
  return out;
}

function brotliOptions(size: number, quality: number) {
  return {
    params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: quality, [constants.BROTLI_PARAM_SIZE_HINT]: size, [constants.BROTLI_PARAM_LGWIN]: 24 },
  };
}

/** A body with its content type, compressed on first use; {@link CompressedAsset.answer} serves it. */
export class CompressedAsset {
  /** the first 16 hex digits of the body's SHA-256: use it in the asset's name */
  readonly hash: string;
  readonly etag: string;
  private encoded: Promise<{ br: Buffer; gzip: Buffer }> | undefined;

  /**
   * @param compress false for bodies that are already compressed (woff2, png): served as they are
   */
  constructor(
    readonly body: Buffer,
    readonly contentType: string,
    private readonly compress = true,
  ) {
    this.hash = createHash("sha256").update(body).digest("hex").slice(0, 16);
    this.etag = `W/"${this.hash}"`;
  }

  /** Compresses (once); later calls return the same work. Resolves when brotli and gzip are ready. */
  private encodings(): Promise<{ br: Buffer; gzip: Buffer }> {
    this.encoded ??= (async () => {
      const [br, gzipped] = await Promise.all([brotli(this.body, brotliOptions(this.body.length, QUALITY)), gz(this.body, { level: 9 })]);
      return { br, gzip: gzipped };
    })();
    return this.encoded;
  }

  /** Starts compressing now (a page that will reference this asset is about to be served). */
  warm(): void {
    if (this.compress) void this.encodings().catch(() => undefined);
  }

  /** The answer to a GET with these request headers. */
  async answer(acceptEncoding: string | undefined, ifNoneMatch: string | undefined, cacheControl: string): Promise<AssetAnswer> {
    const base: Record<string, string> = { "content-type": this.contentType, "cache-control": cacheControl, etag: this.etag };
    if (this.compress) base["vary"] = "Accept-Encoding";
    if (ifNoneMatch !== undefined && ifNoneMatch.split(",").some((t) => t.trim().replace(/^W\//, "") === this.etag.slice(2) || t.trim() === "*")) {
      return { status: 304, headers: base, body: Buffer.alloc(0) };
    }
    if (!this.compress) return { status: 200, headers: base, body: this.body };
    const ok = accepted(acceptEncoding);
    if (!ok.has("br") && !ok.has("gzip")) return { status: 200, headers: base, body: this.body };
    const encoded = await this.encodings();
    const encoding: Encoding = ok.has("br") ? "br" : "gzip";
    const body = encoding === "br" ? encoded.br : encoded.gzip;
    return { status: 200, headers: { ...base, "content-encoding": encoding }, body };
  }
}
