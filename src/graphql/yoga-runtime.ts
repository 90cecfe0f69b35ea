/**
 * Yoga's runtime entry. TODO(#3): import `createYoga` from "graphql-yoga" directly once
 * package.json pins "@graphql-tools/merge": "9.2.4" in `overrides`. Today the package root
 * re-exports @graphql-tools/schema, whose dependency @graphql-tools/merge 9.2.8 imports
 * `isDangerousObjectKey` from @graphql-tools/utils ≥ 12.1, while the overrides pin utils 12.0.1:
 * importing "graphql-yoga" fails at link time. Yoga's server module does not touch
 * @graphql-tools/schema, so it is loaded by file URL (the exports map only lists the root).
 */
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";

type YogaModule = typeof import("graphql-yoga");

const root = dirname(createRequire(import.meta.url).resolve("graphql-yoga/package.json"));
const server = (await import(pathToFileURL(join(root, "esm", "server.js")).href)) as Pick<YogaModule, "createYoga">;

export const createYoga: YogaModule["createYoga"] = server.createYoga;
