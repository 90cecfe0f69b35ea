/**
 * GraphiQL as a small page and hashed assets. Yoga's GraphiQL module inlines everything (9 MB:
 * the app, its stylesheet with fonts as data URLs, three editor workers, the icon) into one page;
 * here each part becomes an asset at `/graphql/assets/<hash>.<ext>` — fonts and images taken out
 * of the stylesheet, so the browser fetches only the font subsets it uses — served compressed
 * (lib/compressed-asset.ts) and cached for a year, and the page (compressed too, revalidated on
 * every load) references them. The module is loaded when a browser first asks for the page.
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { CompressedAsset } from "../lib/compressed-asset.ts";

/** Where the assets are served. */
export const ASSET_PREFIX = "/graphql/assets/";

/** Data URLs shorter than this stay inline in the stylesheet (small icons). */
const INLINE_LIMIT = 4096;

const EXTENSIONS = new Map([
  ["font/woff2", "woff2"],
  ["font/woff", "woff"],
  ["font/ttf", "ttf"],
  ["image/svg+xml", "svg"],
  ["image/png", "png"],
  ["image/x-icon", "ico"],
]);
/** Formats that are compressed already: compressing them again only costs time. */
const PRECOMPRESSED = new Set(["font/woff2", "font/woff", "image/png"]);

interface GraphiqlModule {
  js: string;
  css: string;
  favicon: string;
  editorWorkerService: string;
  jsonWorker: string;
  graphqlWorker: string;
}

/** The page's assets, by file name (`<hash>.<ext>`), and the URLs the page uses. */
export interface GraphiqlAssets {
  readonly files: ReadonlyMap<string, CompressedAsset>;
  readonly urls: { js: string; css: string; favicon: string; workers: { editorWorkerService: string; json: string; graphql: string } };
}

function loadModule(): GraphiqlModule {
  // The package exports only its page renderer; the assets live next to it.
  const require = createRequire(import.meta.url);
  return require(join(dirname(require.resolve("@graphql-yoga/render-graphiql")), "graphiql.js")) as GraphiqlModule;
}

/** Splits Yoga's GraphiQL module into hashed assets. */
export function buildGraphiqlAssets(): GraphiqlAssets {
  const mod = loadModule();
  const files = new Map<string, CompressedAsset>();
  const add = (asset: CompressedAsset, ext: string): string => {
    const name = `${asset.hash}.${ext}`;
    if (!files.has(name)) files.set(name, asset);
    return ASSET_PREFIX + name;
  };
  const fromDataUrl = (mime: string, base64: string): string | undefined => {
    const ext = EXTENSIONS.get(mime);
    return ext === undefined ? undefined : add(new CompressedAsset(Buffer.from(base64, "base64"), mime, !PRECOMPRESSED.has(mime)), ext);
  };
  const css = mod.css.replace(/url\((["']?)data:([a-z0-9.+/-]+);base64,([A-Za-z0-9+/=]+)\1\)/g, (whole, _q: string, mime: string, data: string) => {
    if (whole.length < INLINE_LIMIT) return whole;
    const url = fromDataUrl(mime, data);
    return url === undefined ? whole : `url(${url})`;
  });
  const icon = /^data:([a-z0-9.+/-]+);base64,(.*)$/.exec(mod.favicon);
  const js = (body: string) => new CompressedAsset(Buffer.from(body), "application/javascript; charset=utf-8");
  return {
    files,
    urls: {
      js: add(js(mod.js), "js"),
      css: add(new CompressedAsset(Buffer.from(css), "text/css; charset=utf-8"), "css"),
      favicon: (icon && fromDataUrl(icon[1]!, icon[2]!)) ?? mod.favicon,
      workers: { editorWorkerService: add(js(mod.editorWorkerService), "js"), json: add(js(mod.jsonWorker), "js"), graphql: add(js(mod.graphqlWorker), "js") },
    },
  };
}

/** Text safe inside an HTML element or attribute. */
function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** JSON safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value ?? {}).replace(/</g, "\\u003c");
}

/** The GraphiQL page for Yoga's options: references the assets, renders into `#root`. */
export function renderGraphiqlPage(assets: GraphiqlAssets, options: { title?: string } | undefined): string {
  const { urls } = assets;
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <title>${escapeHtml(options?.title || "GraphiQL")}</title>
    <link rel="icon" href="${escapeHtml(urls.favicon)}" />
    <link rel="stylesheet" href="${urls.css}" />
    <link rel="preload" as="script" href="${urls.js}" />
  </head>
  <body id="body" class="no-focus-outline">
    <noscript>You need to enable JavaScript to run this app.</noscript>
    <div id="root"></div>
    <script>
      self["MonacoEnvironment"] = {
        globalAPI: false,
        getWorkerUrl: function (moduleId, label) {
          return ${scriptJson(urls.workers)}[label];
        },
      };
    </script>
    <script src="${urls.js}"></script>
    <script>
      YogaGraphiQL.renderYogaGraphiQL(window.document.querySelector("#root"), ${scriptJson(options)});
    </script>
  </body>
</html>
`;
}

let built: GraphiqlAssets | undefined;

/** The assets, built on first use (the GraphiQL module is 9 MB: never loaded before a browser asks). */
export function graphiqlAssets(): GraphiqlAssets {
  built ??= buildGraphiqlAssets();
  return built;
}

let lastPage: CompressedAsset | undefined;

/**
 * The page `html` as a compressed asset; the same page (Yoga renders it per request from the same
 * options) is compressed once. Starts compressing the assets it references, which the browser asks
 * for next.
 */
export function pageAsset(html: string): CompressedAsset {
  const body = Buffer.from(html);
  if (lastPage === undefined || !lastPage.body.equals(body)) lastPage = new CompressedAsset(body, "text/html; charset=utf-8");
  const { urls, files } = graphiqlAssets();
  for (const url of [urls.js, urls.css, urls.workers.editorWorkerService, urls.workers.graphql, urls.workers.json]) files.get(url.slice(ASSET_PREFIX.length))?.warm();
  return lastPage;
}
