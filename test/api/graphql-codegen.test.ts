/**
 * Typed clients from a live server (issue 13 part 9): GraphQL Code Generator
 * (typescript-operations, which since v6 emits the enums it needs itself; with the typescript
 * plugin beside it they are declared twice) reads the schema of a caller's role set by
 * introspection over HTTP and types a real operation; a small script using the result must compile with `tsc --strict`.
 * Two roles see different fields: the one that may read `amount` gets a non-null `number`, the
 * other cannot even generate an operation naming it, and a script touching a field its role
 * cannot read does not compile. Runs on SQLite and PostgreSQL.
 */
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generate } from "@graphql-codegen/cli";
import ts from "typescript";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startApp, type TestApp } from "../helpers/app.ts";
import { signUpTenant, tenantUser, type Actor } from "../helpers/snackbase.ts";

let t: TestApp;
let dir: string;
let clerk: Actor;
let auditor: Actor;

const BOARD = `query Board { invoices(first: 10) { nodes { id title stage } } }`;
const TOTALS = `query Totals { invoices(first: 10) { nodes { id title amount } } }`;

async function role(name: string, fields: "*" | string[]): Promise<void> {
  const made = await t.api("POST", "/api/v1/roles", { token: t.adminToken, body: { name } });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  const bulk = await t.api("PUT", `/api/v1/roles/${made.body.id}/permissions/bulk`, {
    token: t.adminToken,
    body: { updates: [{ collection: "invoices", operation: "read", rule: "true", fields }] },
  });
  expect(bulk.body).toMatchObject({ failure_count: 0 });
}

/** Generates types for `document` from the schema `token`'s role set sees; returns the file written. */
async function codegen(name: string, token: string, document: string): Promise<string> {
  const docFile = join(dir, `${name}.graphql`);
  const out = join(dir, `${name}-types.ts`);
  await writeFile(docFile, document);
  const [file] = await generate(
    {
      schema: [{ [`${t.url}/graphql`]: { headers: { authorization: `Bearer ${token}` } } }],
      documents: [docFile],
      silent: true,
      generates: { [out]: { plugins: ["typescript-operations"], config: { enumsAsTypes: true } } },
    },
    false,
  );
  await writeFile(out, file!.content);
  return out;
}

/** `tsc --strict --noEmit` over `files`: the diagnostics as text (empty when it compiles). */
function strictCheck(files: string[]): string[] {
  const program = ts.createProgram(files, {
    strict: true,
    noEmit: true,
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.ESNext,
    moduleResolution: ts.ModuleResolutionKind.Bundler,
    skipLibCheck: true,
    types: [],
  });
  return ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n"));
}

beforeAll(async () => {
  t = await startApp();
  dir = await mkdtemp(join(tmpdir(), "cairn-codegen-"));
  const made = await t.api("POST", "/api/v1/collections", {
    token: t.adminToken,
    body: {
      name: "invoices",
      schema: [
        { name: "title", type: "text", validation: { required: true } },
        { name: "amount", type: "number", validation: { required: true } },
        { name: "stage", type: "select", validation: { required: true, values: ["draft", "sent-out", "paid"] } },
      ],
    },
  });
  expect(made.status, JSON.stringify(made.body)).toBe(201);
  await role("invoice_clerk", ["title", "stage"]);
  await role("invoice_auditor", "*");
  const tenant = await signUpTenant(t, "Invoices Co");
  clerk = await tenantUser(t, tenant, "invoice_clerk");
  auditor = await tenantUser(t, tenant, "invoice_auditor");
}, 60_000);
afterAll(async () => {
  await t?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("GraphQL Code Generator against a role's live schema", () => {
  it("types a query so that a strict script uses required fields and select values without null checks", async () => {
    const types = await codegen("board", clerk.token, BOARD);
    const script = join(dir, "board.ts");
    await writeFile(
      script,
      `import type { BoardQuery, InvoiceStage } from "./board-types";
export function lines(r: BoardQuery): string[] {
  return r.invoices.nodes.map((n) => {
    const stage: InvoiceStage = n.stage;
    const label: "DRAFT" | "SENT_OUT" | "PAID" = stage;
    return n.title.toUpperCase() + " " + label;
  });
}
`,
    );
    expect(strictCheck([types, script])).toEqual([]);
  }, 60_000);

  it("gives the role that may read amount a number, and refuses it to the role that may not", async () => {
    const types = await codegen("totals", auditor.token, TOTALS);
    const script = join(dir, "totals.ts");
    await writeFile(script, `import type { TotalsQuery } from "./totals-types";\nexport const sum = (r: TotalsQuery): number => r.invoices.nodes.reduce((s, n) => s + n.amount, 0);\n`);
    expect(strictCheck([types, script])).toEqual([]);
    await expect(codegen("totals-clerk", clerk.token, TOTALS)).rejects.toThrow(/amount/);
    const boardTypes = await codegen("board2", clerk.token, BOARD);
    const wrong = join(dir, "wrong.ts");
    await writeFile(wrong, `import type { BoardQuery } from "./board2-types";\nexport const total = (r: BoardQuery): number => r.invoices.nodes.reduce((s, n) => s + n.amount, 0);\n`);
    expect(strictCheck([boardTypes, wrong]).join("\n")).toMatch(/Property 'amount' does not exist/);
  }, 60_000);
});
