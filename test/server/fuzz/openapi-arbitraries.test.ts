import Ajv from "ajv";
import addFormats from "ajv-formats";
import { expect } from "chai";
import fc from "fast-check";
import { openPglite, migrate, type Db } from "../../../server/db";
import { startChain, type ChainStack } from "../support/chain";
import { buildGateway } from "../support/gateway";
import {
  mutatedValue,
  operationsOf,
  reroutes,
  toRequest,
  validValue,
  type Operation,
  type Schema,
} from "./openapi-arbitraries";

/**
 * The fuzzer's generator keeps its word: what it calls valid satisfies the operation's schema
 * (else the fuzz suite would only ever test the validator), and a mutated body breaks it often.
 * The document does not depend on the database engine, so this runs once, on PGlite.
 */

describe("openapi-arbitraries", function () {
  let chain: ChainStack;
  let db: Db;
  let operations: Operation[];

  before(async function () {
    this.timeout(180_000);
    chain = await startChain();
    db = await openPglite();
    await migrate(db);
    const app = await buildGateway(db, chain);
    operations = operationsOf(app.swagger() as Parameters<typeof operationsOf>[0]);
    await app.close();
  });

  after(async () => {
    await db?.close();
    await chain?.stop();
  });

  /** The validator the schemas are written for, give or take our own keywords (checked elsewhere). */
  function validator(): Ajv {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addKeyword({ keyword: "x-finite" }).addKeyword({ keyword: "x-min-year" });
    return ajv;
  }

  it("generates parameters and bodies that satisfy each operation's schemas", function () {
    const ajv = validator();
    const problems: string[] = [];
    for (const op of operations) {
      const schemas: [string, Schema][] = [
        ...op.parameters.filter((p) => p.in !== "header").map((p): [string, Schema] => [p.name, p.schema]),
        ...(op.body ? [["body", op.body] as [string, Schema]] : []),
      ];
      for (const [name, schema] of schemas) {
        const check = ajv.compile(schema);
        for (const value of fc.sample(validValue(schema, {}, name), { numRuns: 30, seed: 42 }))
          if (!check(value))
            problems.push(
              `${op.key} ${name}: ${JSON.stringify(value).slice(0, 120)} ${ajv.errorsText(check.errors)}`,
            );
      }
    }
    expect(problems.slice(0, 20), `${problems.length} invalid values`).to.deep.equal([]);
  });

  it("mutates bodies so that their schemas refuse most of them", function () {
    const ajv = validator();
    for (const op of operations.filter((o) => o.body)) {
      const check = ajv.compile(op.body!);
      const values = fc.sample(mutatedValue(op.body!, {}), { numRuns: 50, seed: 42 });
      const refused = values.filter((v) => !check(v)).length;
      expect(refused, `${op.key}: ${refused} of ${values.length} refused`).to.be.greaterThan(
        values.length / 2,
      );
    }
  });
  it("knows which raw path values can take a request to another route", function () {
    // `#` ends the path: GET /v1/agreements/#/fulfilment is GET /v1/agreements/ (seed 1278245346).
    const taken = ["#", "a/b", "?x", "a\\b", ".", "..", "%2e", "%2E%2e"];
    const kept = ["abc", "%41", "...", "a.b", "%2f", ""];
    expect(taken.filter((v) => !reroutes(v))).to.deep.equal([]);
    expect(kept.filter(reroutes)).to.deep.equal([]);
  });

  it("knows that a dot segment reroutes even percent-encoded, as a mutated path value is sent", function () {
    // GET /v1/agreements/./fulfilment is GET /v1/agreements/fulfilment (seed 1342118742).
    const op = operations.find((o) => o.key === "get /v1/agreements/{id}/fulfilment")!;
    const sent = (id: string) => toRequest(op, { path: { id }, query: [], headers: {} }, "mutated path id");
    expect([".", "..", "%2e", "%2E%2e"].map((id) => sent(id).reroutes)).to.deep.equal([
      true,
      true,
      true,
      true,
    ]);
    expect(["1", "...", "a.b", "/"].map((id) => sent(id).reroutes)).to.deep.equal([
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });
});
