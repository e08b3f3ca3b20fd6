import { Type, type TSchema } from "typebox";

/**
 * The 200 response of a report served as JSON, or as CSV when the client sends
 * `Accept: text/csv`. Fastify serialises the JSON with `schema`; the CSV is sent as text.
 */
export function jsonOrCsv<T extends TSchema>(schema: T, description: string) {
  return {
    description,
    content: {
      "application/json": { schema },
      "text/csv": {
        schema: Type.String({ description: "the same report as CSV: a header row, CRLF line ends" }),
      },
    },
  };
}
