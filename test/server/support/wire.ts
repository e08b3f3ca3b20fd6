import { expect } from "chai";
import Fastify from "fastify";
import type { TSchema } from "typebox";
import { Value } from "typebox/value";

/**
 * Fastify serialises a response with its route's schema, and silently drops every field the
 * schema does not list. These checks take a value a service really returned and show that its
 * schema describes it exactly: it validates (every required field there, no field unknown to
 * the schema, every type and format right), and it comes through the serialiser unchanged.
 */

/** `value` as a route answering 200 with `schema` puts it on the wire, parsed back. */
export async function onTheWire(schema: TSchema, value: unknown): Promise<unknown> {
  const app = Fastify();
  app.get("/", { schema: { response: { 200: schema } } }, async () => value);
  try {
    return (await app.inject({ method: "GET", url: "/" })).json();
  } finally {
    await app.close();
  }
}

export async function expectExactlyDescribed(schema: TSchema, value: unknown): Promise<void> {
  const json: unknown = JSON.parse(JSON.stringify(value));
  const errors = [...Value.Errors(schema, json)].map((e) => `${e.instancePath || "/"} ${e.message}`);
  expect(errors, "the value does not fit its schema").to.deep.equal([]);
  expect(await onTheWire(schema, value), "the serialiser changed the value").to.deep.equal(json);
}
