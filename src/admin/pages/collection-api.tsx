// `#/collections/:name/api`: how to use one collection from code — REST, GraphQL (with the names the
// live schema has for it) and curl — with its real field names, the server's origin and, when it
// has records, a real record id; each example has a copy button.
import type { ComponentChildren } from "preact";
import { useEffect, useState } from "preact/hooks";
import { api, gql } from "../lib/api.ts";
import type { Collection } from "../lib/collections.ts";
import { href } from "../lib/router.ts";
import type { PageProps } from "../routes.ts";
import { ErrorNote } from "../ui/error-note.tsx";
import { Page } from "../ui/page.tsx";
import { buildExamples, type Example, type ExampleContext } from "../components/collections/api-examples.ts";
import { CodeBlock } from "../components/collections/code-block.tsx";
import { forbiddenNote } from "../components/collections/forbidden.ts";
import { collectionNames as graphqlNames } from "../../lib/collection-names.ts";

type Loaded = Omit<ExampleContext, "origin"> & { schemaNote: string | null };

interface IntrospectedType {
  kind: string;
  name: string | null;
  enumValues: { name: string; description: string | null }[] | null;
  ofType: IntrospectedType | null;
}

const TYPE_REF = "kind name enumValues { name description } ofType { kind name enumValues { name description } ofType { kind name enumValues { name description } ofType { kind name } } }";

/** The innermost named type of a wrapped (non-null, list) type. */
const named = (t: IntrospectedType | null): IntrospectedType | null => (t && t.ofType && !t.name ? named(t.ofType) : t);

async function firstRecordId(collection: string): Promise<string | null> {
  const answer = await api<{ items: { id: string }[] }>("GET", `/api/v1/collections/${encodeURIComponent(collection)}/records?per_page=1&skip_total=true`).catch(() => null);
  return answer?.items[0]?.id ?? null;
}

/** Whether the caller's schema has the collection, and its select enums (stored value → enum name). */
async function introspect(c: Collection, names: ReturnType<typeof graphqlNames>): Promise<{ enums: Loaded["enums"]; note: string | null }> {
  try {
    const data = await gql<{ type: { name: string } | null; input: { inputFields: { name: string; type: IntrospectedType }[] } | null }>(
      `query ($type: String!, $input: String!) { type: __type(name: $type) { name } input: __type(name: $input) { inputFields { name type { ${TYPE_REF} } } } }`,
      { type: names.type, input: names.createInput },
    );
    if (!data.type)
      return {
        enums: {},
        note: `Your GraphQL schema has no type ${names.type}: the collection's names collide with another's, or your role may not use it. The GraphQL examples show the names it would have.`,
      };
    const enums: Loaded["enums"] = {};
    for (const f of data.input?.inputFields ?? []) {
      const t = named(f.type);
      if (t?.kind !== "ENUM" || !t.enumValues) continue;
      enums[f.name] = Object.fromEntries(t.enumValues.map((v) => [/^stored as "(.*)"$/.exec(v.description ?? "")?.[1] ?? v.name, v.name]));
    }
    return { enums, note: null };
  } catch (err) {
    return { enums: {}, note: `The live GraphQL schema could not be read (${(err as Error).message}); names are derived as the server derives them.` };
  }
}

export default function CollectionApi({ params }: PageProps) {
  const name = params.name!;
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);

  useEffect(() => {
    let live = true;
    (async () => {
      const collection = await api<Collection>("GET", `/api/v1/collections/${encodeURIComponent(name)}`);
      const names = graphqlNames(collection.name);
      const targets = [...new Set(collection.schema.flatMap((f) => (f.relation ? [f.relation.collection] : [])))];
      const [recordId, targetIds, schema] = await Promise.all([
        firstRecordId(collection.name),
        Promise.all(targets.map(async (t) => [t, await firstRecordId(t)] as const)).then((pairs) => Object.fromEntries(pairs.filter((p): p is [string, string] => p[1] !== null))),
        introspect(collection, names),
      ]);
      if (live) setLoaded({ collection, names, recordId, targetIds, enums: schema.enums, schemaNote: schema.note });
    })().catch((err) => live && setError(forbiddenNote(err)));
    return () => {
      live = false;
    };
  }, [name]);

  const enc = encodeURIComponent(name);
  const breadcrumb = (
    <>
      <a href={href("/collections")}>Collections</a> / <a href={href(`/collections/${enc}`)}>{name}</a>
    </>
  );
  const title = `API of ${name}`;
  if (!loaded) {
    return (
      <Page title={title} breadcrumb={breadcrumb}>
        {error ? <ErrorNote error={error} /> : <p class="loading">Loading…</p>}
      </Page>
    );
  }
  const examples = buildExamples({ ...loaded, origin: location.origin });
  const section = (id: string, heading: string, intro: ComponentChildren, list: Example[]) => (
    <section class="card api-section" aria-labelledby={id}>
      <h2 id={id}>{heading}</h2>
      <p class="hint">{intro}</p>
      {list.map((e) => (
        <CodeBlock key={e.id} example={e} />
      ))}
    </section>
  );
  const n = loaded.names;
  return (
    <Page
      title={title}
      breadcrumb={breadcrumb}
      actions={
        <a class="button" href={href(`/collections/${enc}/edit`)}>
          Edit collection
        </a>
      }
    >
      <p>
        Every request needs <code>authorization: Bearer &lt;token&gt;</code> (or an API key) unless the collection's rules allow everyone. Fields:{" "}
        {loaded.collection.schema.map((f) => `${f.name} (${f.type})`).join(", ") || "none yet"}.
      </p>
      <dl class="gql-names">
        <div>
          <dt>GraphQL type</dt>
          <dd>
            <code>{n.type}</code>
          </dd>
        </div>
        <div>
          <dt>Queries</dt>
          <dd>
            <code>{n.single}</code>, <code>{n.list}</code>
          </dd>
        </div>
        <div>
          <dt>Mutations</dt>
          <dd>
            <code>{n.create}</code>, <code>{n.update}</code>, <code>{n.delete}</code>, <code>{n.createMany}</code>, <code>{n.updateMany}</code>, <code>{n.deleteMany}</code>
          </dd>
        </div>
        <div>
          <dt>Subscriptions</dt>
          <dd>
            <code>{n.created}</code>, <code>{n.updated}</code>, <code>{n.deleted}</code>, <code>{n.changed}</code>
          </dd>
        </div>
      </dl>
      {loaded.schemaNote && <p class="note">{loaded.schemaNote}</p>}
      <nav class="api-jump" aria-label="Examples">
        {(
          [
            ["rest-heading", "REST"],
            ["graphql-heading", "GraphQL"],
            ["curl-heading", "curl"],
          ] as const
        ).map(([id, label]) => (
          <button key={id} type="button" class="ghost" onClick={() => document.getElementById(id)?.scrollIntoView({ behavior: "smooth" })}>
            {label}
          </button>
        ))}
      </nav>
      {section(
        "rest-heading",
        "REST",
        <>
          FastCMS routes under <code>/api/v1/collections/{name}/records</code>; fields sit under <code>data</code>.
        </>,
        examples.rest,
      )}
      {section(
        "graphql-heading",
        "GraphQL",
        <>
          POST <code>{location.origin}/graphql</code> with <code>{"{query, variables}"}</code>; GraphiQL is at <a href="/graphql">/graphql</a>.
        </>,
        examples.graphql,
      )}
      {section("curl-heading", "curl", "Commands to paste into a shell (needs jq for the sign-in line).", examples.curl)}
    </Page>
  );
}
