import { expect } from "chai";
import type { LightMyRequestResponse } from "fastify";
import type { TSchema } from "typebox";

/**
 * Whether a route serves what its service produced, field for field, as its schema documents.
 * Fastify writes responses with the route's response schema and silently drops any field the
 * schema does not list, so a schema that forgot a field loses it on the wire; this catches that
 * (the body differs from what the service returned) and a schema that lists a field nobody
 * sends or types one wrongly (the body does not match the schema exactly).
 */
export function expectServedAsDocumented(
  res: LightMyRequestResponse,
  schema: TSchema,
  produced: unknown,
): void {
  expect(res.statusCode, res.body).to.be.within(200, 299);
  const body: unknown = res.json();
  // What the service returned, as JSON would carry it without a schema.
  expect(body, "the body is not what the service produced").to.deep.equal(
    JSON.parse(JSON.stringify(produced)),
  );
  expectDocumentedFields(body, schema);
}

interface JsonSchema {
  type?: string;
  anyOf?: JsonSchema[];
  enum?: unknown[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  pattern?: string;
  format?: string;
}

/**
 * Asserts that a parsed JSON `value` has exactly the fields `schema` documents at every depth:
 * every required field present, no field the schema does not declare, every value of its
 * declared type (strings of their pattern, date-times in ISO 8601).
 */
export function expectDocumentedFields(value: unknown, schema: TSchema, at = "body"): void {
  check(value, schema as JsonSchema, at);
}

function check(value: unknown, schema: JsonSchema, at: string): void {
  if (schema.anyOf) {
    const branch = schema.anyOf.find(
      (s) => typeOf(value) === s.type || (s.type === "integer" && isInteger(value)),
    );
    expect(
      branch,
      `${at}: ${JSON.stringify(value)} fits none of ${JSON.stringify(schema.anyOf.map((s) => s.type))}`,
    ).to.exist;
    return check(value, branch!, at);
  }
  if (schema.enum) expect(schema.enum, at).to.include(value);
  switch (schema.type) {
    case "object": {
      expect(typeOf(value), at).to.equal("object");
      const fields = value as Record<string, unknown>;
      const declared = schema.properties ?? {};
      for (const name of schema.required ?? []) expect(fields, `${at} lacks ${name}`).to.have.property(name);
      for (const [name, field] of Object.entries(fields)) {
        const fieldSchema =
          declared[name] ??
          (typeof schema.additionalProperties === "object" ? schema.additionalProperties : undefined);
        expect(fieldSchema, `${at}.${name} is not documented`).to.exist;
        check(field, fieldSchema!, `${at}.${name}`);
      }
      return;
    }
    case "array":
      expect(value, at).to.be.an("array");
      (value as unknown[]).forEach((item, i) => check(item, schema.items!, `${at}[${i}]`));
      return;
    case "integer":
      expect(isInteger(value), `${at}: ${JSON.stringify(value)} is not an integer`).to.equal(true);
      return;
    case "string":
      expect(value, at).to.be.a("string");
      if (schema.pattern) expect(value, at).to.match(new RegExp(schema.pattern));
      if (schema.format === "date-time") expect(new Date(value as string).toISOString(), at).to.equal(value);
      return;
    case undefined:
      throw new Error(`${at}: the schema names no type: ${JSON.stringify(schema)}`);
    default:
      expect(typeOf(value), at).to.equal(schema.type);
  }
}

function typeOf(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function isInteger(value: unknown): boolean {
  return typeof value === "number" && Number.isInteger(value);
}
