/**
 * Custom scalars. DateTime, Date and URL keep values as strings (the core validates and
 * normalises field values, so one ValidationError can name every failing field); JSON and
 * EmailAddress come from graphql-scalars.
 */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from "graphql";
import { EmailAddressResolver, JSONResolver } from "graphql-scalars";

const ISO_DATETIME = /^\d{4}-\d{2}-\d{2}([T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})?)?$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function stringScalar(name: string, description: string, check: (s: string) => boolean, specifiedByURL?: string, out: (v: unknown) => string = String): GraphQLScalarType {
  const parse = (v: unknown): string => {
    if (typeof v !== "string" || !check(v)) throw new GraphQLError(`${name} cannot represent ${JSON.stringify(v)?.slice(0, 60)}: ${description}`);
    return v;
  };
  return new GraphQLScalarType({
    name,
    description,
    specifiedByURL,
    serialize: out,
    parseValue: parse,
    parseLiteral(ast: ValueNode) {
      if (ast.kind !== Kind.STRING) throw new GraphQLError(`${name} must be a string: ${description}`, { nodes: ast });
      return parse(ast.value);
    },
  });
}

const validDate = (s: string) => !Number.isNaN(Date.parse(s.length === 10 ? `${s}T00:00:00Z` : s.replace(" ", "T")));

export const DateTimeScalar = stringScalar(
  "DateTime",
  "An ISO 8601 date-time, UTC in results (2026-01-02T03:04:05.000Z)",
  (s) => ISO_DATETIME.test(s.trim()) && validDate(s.trim()),
  "https://datatracker.ietf.org/doc/html/rfc3339",
  (v) => (v instanceof Date ? v.toISOString() : String(v)),
);

export const DateScalar = stringScalar(
  "Date",
  "A calendar date, YYYY-MM-DD",
  (s) => ISO_DATE.test(s) && validDate(s),
  "https://datatracker.ietf.org/doc/html/rfc3339",
  (v) => (v instanceof Date ? v.toISOString().slice(0, 10) : String(v)),
);

export const URLScalar = stringScalar("URL", "An absolute http(s) URL", (s) => {
  try {
    return /^https?:\/\//i.test(s) && !!new URL(s);
  } catch {
    return false;
  }
});

export const JSONScalar = JSONResolver;
export const EmailAddressScalar = EmailAddressResolver;
