// Before any test: the admin UI is built (test/api/admin-*.test.ts load it in a browser; the
// server serves dist/admin). A no-op when it is already built from the same sources.
import { buildAdmin } from "../scripts/build-admin.ts";

export default async function setup(): Promise<void> {
  await buildAdmin();
}
