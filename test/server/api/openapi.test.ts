import SwaggerParser from "@apidevtools/swagger-parser";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { migrate } from "../../../server/db";
import { forEachEngine } from "../helpers/engines";
import { startChain, type ChainStack } from "../support/chain";
import { buildGateway } from "../support/gateway";

/**
 * The gateway's OpenAPI document is generated from the api/ schemas the routes validate and
 * serialise with, so it is the contract clients can rely on only if it is complete: valid
 * OpenAPI 3, and no object whose fields it leaves open.
 */

type Schema = Record<string, unknown>;

/** JSON pointers of every object schema that admits undeclared fields. */
export function openObjects(node: unknown, pointer = "#"): string[] {
  if (Array.isArray(node)) return node.flatMap((item, i) => openObjects(item, `${pointer}/${i}`));
  if (node === null || typeof node !== "object") return [];
  const schema = node as Schema;
  const isObject = schema.type === "object" || (schema.properties !== undefined && schema.type === undefined);
  // An `enum` pins the values (OpenAPI 3.0 has no null type: a null becomes a nullable object
  // whose only value is null).
  const open =
    isObject &&
    schema.enum === undefined &&
    (schema.additionalProperties === undefined || schema.additionalProperties === true);
  const nested = Object.entries(schema).flatMap(([key, value]) =>
    openObjects(value, `${pointer}/${key.replace(/~/g, "~0").replace(/\//g, "~1")}`),
  );
  return open ? [pointer, ...nested] : nested;
}

describe("openObjects", function () {
  it("finds objects that leave their fields open, and only those", function () {
    expect(
      openObjects({
        a: { type: "object", properties: { x: { type: "string" } }, additionalProperties: false },
        b: { type: "object", properties: {} },
        c: { type: "array", items: { type: "object", additionalProperties: true } },
        d: { type: "object", additionalProperties: { type: "string" } },
        e: { type: "object", nullable: true, enum: [null] },
      }),
    ).to.deep.equal(["#/b", "#/c/items"]);
  });
});

forEachEngine((engine) => {
  let chain: ChainStack;
  let app: FastifyInstance;
  let doc: Schema & { paths: Record<string, Record<string, Schema>> };

  before(async function () {
    this.timeout(180_000);
    chain = await startChain();
    await migrate(engine.db);
    app = await buildGateway(engine.db, chain);
    const res = await app.inject({ method: "GET", url: "/openapi.json" });
    expect(res.statusCode).to.equal(200);
    doc = res.json();
  });

  after(async () => {
    await app?.close();
    await chain?.stop();
  });

  it("is a valid OpenAPI 3 document", async function () {
    // The parser dereferences in place; hand it a copy.
    await SwaggerParser.validate(structuredClone(doc) as never);
  });

  it("describes every field of every request and response: no open object", function () {
    expect(openObjects(doc)).to.deep.equal([]);
  });

  it("gives every operation a success response with its body schema", function () {
    for (const [path, methods] of Object.entries(doc.paths)) {
      for (const [method, operation] of Object.entries(methods)) {
        const responses = operation.responses as Record<
          string,
          { content?: Record<string, { schema?: Schema }> }
        >;
        const success = Object.entries(responses).filter(([status]) => /^2/.test(status));
        expect(success, `${method} ${path}`).to.not.be.empty;
        for (const [status, response] of success) {
          if (status === "204") continue;
          expect(Object.values(response.content ?? {})[0]?.schema, `${method} ${path} ${status}`).to.be.an(
            "object",
          );
        }
      }
    }
  });
});
