import type { ErrorObject, Plugin, SchemaValidateFunction } from "ajv";

/**
 * Schema keywords of our own, given to Fastify's ajv (app.ts).
 *
 * `x-finite`: ajv coerces a query string such as `1e309` to Infinity, and then skips
 * `minimum`/`maximum` for a number that is not finite, so `?limit=1e309` passed validation and
 * failed in SQL as a 500. A schema carrying `x-finite: true` refuses any number that is not
 * finite.
 *
 * `x-min-year: N`: a date or date-time string whose year is below N fails. The `date-time`
 * format admits year 0000, which PostgreSQL refuses (a 500 again); custom keywords run after the
 * format, so a value that is no date-time at all is still named as such.
 *
 * (The `x-` prefix keeps the OpenAPI document valid: it is an extension there.)
 */

/** ajv fills in where the value is (instancePath, schemaPath) when an error leaves it out. */
function keywordError(keyword: string, message: string): ErrorObject {
  return { keyword, message, params: {} } as Partial<ErrorObject> as ErrorObject;
}

const validateFinite: SchemaValidateFunction = (schema: boolean, data: unknown) => {
  if (!schema || typeof data !== "number" || Number.isFinite(data)) return true;
  validateFinite.errors = [keywordError("x-finite", "must be a finite number")];
  return false;
};

const validateMinYear: SchemaValidateFunction = (minYear: number, data: unknown) => {
  if (typeof data !== "string" || !/^[0-9]{4}-/.test(data) || Number(data.slice(0, 4)) >= minYear)
    return true;
  validateMinYear.errors = [keywordError("x-min-year", `must be a date from the year ${minYear} on`)];
  return false;
};

/** An ajv plugin (`ajv: { plugins: [schemaKeywords] }`). */
export const schemaKeywords: Plugin<unknown> = (ajv) =>
  ajv
    .addKeyword({ keyword: "x-min-year", schemaType: "number", errors: true, validate: validateMinYear })
    .addKeyword({ keyword: "x-finite", schemaType: "boolean", errors: true, validate: validateFinite });
