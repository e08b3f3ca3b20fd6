import { Type, type TSchema } from "typebox";

/**
 * The 200 response of a report served as JSON, or as CSV when the client sends
 * `Accept: text/csv`. Fastify serialises the JSON with `schema`; the CSV is sent as text. Both
 * are pages: JSON names the next in `nextCursor`, CSV in a Link header.
 */
export function jsonOrCsv<T extends TSchema>(schema: T, description: string) {
  return {
    description,
    headers: {
      link: Type.String({
        description:
          'with Accept: text/csv, `<…>; rel="next"`: the same request for the next page (absent on the last)',
      }),
    },
    content: {
      "application/json": { schema },
      "text/csv": {
        schema: Type.String({
          description:
            'the same page of the report as CSV: a header row, CRLF line ends; a `Link: <…>; rel="next"` header names the next page',
        }),
      },
    },
  };
}
