// Copies the admin UI's screenshots that the browser tests wrote (test/.screenshots/sqlite/) to
// docs/admin/ for the README, scaled to 960 pixels wide and palette-compressed so they stay small.
// Run `CAIRN_TEST_DB=sqlite npx vitest run test/api/admin- test/api/install` first.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import sharp from "sharp";

const PAGES = ["install", "overview", "overview-dark", "collections", "collection-edit", "collection-api", "records", "records-filter-error", "record-edit"].concat([
  "users",
  "accounts",
  "roles",
  "api-keys",
  "api-key-created",
  "webhooks",
  "webhook-deliveries",
  "files",
  "backups",
  "transfer",
  "settings",
  "audit",
]);
const from = join(import.meta.dirname, "..", "test", ".screenshots", "sqlite");
const to = join(import.meta.dirname, "..", "docs", "admin");
mkdirSync(to, { recursive: true });
let total = 0;
for (const name of PAGES) {
  const info = await sharp(join(from, `${name}.png`))
    .resize({ width: 960, withoutEnlargement: true })
    .png({ palette: true, quality: 85, compressionLevel: 9, effort: 10 })
    .toFile(join(to, `${name}.png`));
  total += info.size;
  console.log(`docs/admin/${name}.png ${info.width}×${info.height} ${(info.size / 1024).toFixed(0)} KiB`);
}
console.log(`${PAGES.length} images, ${(total / 1024).toFixed(0)} KiB in all`);
