/**
 * The typed OpenAPI document as a front-end team uses it: `/openapi.json` of a live server lints
 * clean with Redocly CLI (offline, with redocly.yaml), openapi-typescript turns it into types, and
 * a small openapi-fetch script that creates and lists records of a collection compiles with
 * `tsc --strict` (a wrongly typed field fails it) and runs against the server. The document
 * follows collection changes and is served from cache between them.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import openapiTS, { astToString } from "openapi-typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
// inside the project, so the script resolves openapi-fetch from its node_modules
const dir = mkdtempSync(join(ROOT, "test", ".openapi-"));
let app: TestApp;

function run(cmd: string, args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  const child = spawn(cmd, args, { cwd: dir, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  return new Promise((resolve) => child.on("exit", (code) => resolve({ code, out })));
}

const SCRIPT = `import createClient from "openapi-fetch";
import type { paths } from "./api";

/** Creates a note and lists the notes, newest first. */
export async function notes(baseUrl: string, token: string): Promise<{ id: string; titles: string[]; views: number | null | undefined }> {
  const client = createClient<paths>({ baseUrl, headers: { authorization: \`Bearer \${token}\` } });
  const created = await client.POST("/api/v1/collections/oa_notes/records", { body: { data: { title: "Typed", views: 3, state: "open" } } });
  if (!created.data) throw new Error(JSON.stringify(created.error));
  const id: string = created.data.id;
  const list = await client.GET("/api/v1/collections/oa_notes/records", { params: { query: { sort: "-created", per_page: 10 } } });
  if (!list.data) throw new Error(JSON.stringify(list.error));
  const titles: string[] = list.data.items.map((r) => r.data.title ?? "");
  return { id, titles, views: list.data.items[0]?.data.views };
}

export function wrong(client: ReturnType<typeof createClient<paths>>) {
  // @ts-expect-error title is a string
  void client.POST("/api/v1/collections/oa_notes/records", { body: { data: { title: 5 } } });
  // @ts-expect-error title is required, and not null
  void client.POST("/api/v1/collections/oa_notes/records", { body: { data: { title: null } } });
  // @ts-expect-error title is required
  void client.POST("/api/v1/collections/oa_notes/records", { body: { data: { views: 1 } } });
  // @ts-expect-error state is one of the select's values
  void client.POST("/api/v1/collections/oa_notes/records", { body: { data: { title: "x", state: "closed-forever" } } });
}
`;

beforeAll(async () => {
  app = await startApp();
  const res = await app.api("POST", "/api/v1/collections", {
    token: app.adminToken,
    body: {
      name: "oa_notes",
      schema: [
        { name: "title", type: "text", validation: { required: true } },
        { name: "views", type: "number", validation: { integer: true } },
        { name: "state", type: "select", select: { values: ["open", "done"] } },
      ],
    },
  });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
}, 60_000);
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  await app?.close();
});

describe("typed OpenAPI", () => {
  it("lints clean with Redocly CLI, without the network", { timeout: 120_000 }, async () => {
    const doc = await app.api("GET", "/openapi.json");
    expect(doc.body.servers).toEqual([{ url: app.url, description: "this server" }]);
    expect(doc.body.components.schemas.OaNotesCreate).toMatchObject({ required: ["title"], properties: { title: { type: "string" }, state: { enum: ["open", "done"], nullable: true } } });
    expect(doc.body.components.schemas.OaNotesCreate.properties.title).not.toHaveProperty("nullable");
    expect(doc.body.paths["/api/v1/settings/{name}"]).toHaveProperty("get");
    expect(doc.body.paths["/api/v1/settings/{name}"]).toHaveProperty("delete");
    writeFileSync(join(dir, "openapi.json"), JSON.stringify(doc.body));
    // no proxy, no telemetry: a request to the network would fail (and so the lint)
    const lint = await run(process.execPath, [join(ROOT, "node_modules/@redocly/cli/bin/cli.js"), "lint", "openapi.json", "--config", join(ROOT, "redocly.yaml"), "--format=json"], {
      REDOCLY_TELEMETRY: "off",
      REDOCLY_SUPPRESS_UPDATE_NOTICE: "true",
      HTTP_PROXY: "http://127.0.0.1:9",
      HTTPS_PROXY: "http://127.0.0.1:9",
    });
    const report = JSON.parse(lint.out.slice(lint.out.indexOf("{"), lint.out.lastIndexOf("}") + 1));
    expect(report.problems, lint.out.slice(0, 2000)).toEqual([]);
    expect(lint.code).toBe(0);
  });

  it("gives openapi-typescript types that compile with tsc --strict against an openapi-fetch script, which runs", { timeout: 180_000 }, async () => {
    const doc = (await app.api("GET", "/openapi.json")).body;
    writeFileSync(join(dir, "api.d.ts"), astToString(await openapiTS(doc)));
    writeFileSync(join(dir, "notes.ts"), SCRIPT);
    writeFileSync(
      join(dir, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, target: "es2022", module: "esnext", moduleResolution: "bundler", skipLibCheck: true, lib: ["es2022", "dom"] },
        files: ["notes.ts"],
      }),
    );
    const tsc = await run(process.execPath, [join(ROOT, "node_modules/typescript/bin/tsc"), "-p", "tsconfig.json"]);
    expect(tsc.out).toBe("");
    expect(tsc.code).toBe(0);
    const { notes } = (await import(pathToFileURL(join(dir, "notes.ts")).href)) as { notes(url: string, token: string): Promise<{ id: string; titles: string[]; views: unknown }> };
    const result = await notes(app.url, app.adminToken);
    expect(result.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(result.titles).toEqual(["Typed"]);
    expect(result.views).toBe(3);
  });

  it("follows collection changes and serves the same text between them", { timeout: 60_000 }, async () => {
    const first = await app.api("GET", "/openapi.json");
    const again = await app.api("GET", "/openapi.json");
    expect(JSON.stringify(again.body)).toBe(JSON.stringify(first.body));
    expect(first.body.paths).not.toHaveProperty("/api/v1/records/oa_tags");
    const res = await app.api("POST", "/api/v1/collections", { token: app.adminToken, body: { name: "oa_tags", schema: [{ name: "label", type: "text" }] } });
    expect(res.status).toBe(201);
    const after = await app.api("GET", "/openapi.json");
    expect(after.body.paths["/api/v1/records/oa_tags"].post.requestBody.content["application/json"].schema).toEqual({ $ref: "#/components/schemas/OaTagsCreate" });
    expect(after.body.components.schemas.OaTagsSnackbaseRecord).toBeDefined();
  });
});
