import type { ErrorObject, Plugin, SchemaValidateFunction } from "ajv";

/**
 * Schema keywords of our own, given to Fastify's ajv (app.ts).
 *
 * `x-finite`: ajv coerces a query string such as `1e309` to Infinity, and then skips
 * `minimum`/`maximum` for a number that is not finite, so `?limit=1e309` passed validation and
 * failed in SQL as a 500. A schema carrying `x-finite: true` refuses any number that is not
 * finite. (The `x-` prefix keeps the OpenAPI document valid: it is an extension there.)
 */

const validateFinite: SchemaValidateFunction = (schema: boolean, data: unknown) => {
  if (!schema || typeof data !== "number" || Number.isFinite(data)) return true;
  // ajv fills in where the value is (instancePath) when an error leaves it out.
  validateFinite.errors = [
    { keyword: "x-finite", message: "must be a finite number", params: {} } as ErrorObject,
  ];
  return false;
};

/** An ajv plugin (`ajv: { plugins: [schemaKeywords] }`). */
export const schemaKeywords: Plugin<unknown> = (ajv) =>
  ajv.addKeyword({ keyword: "x-finite", schemaType: "boolean", errors: true, validate: validateFinite });
