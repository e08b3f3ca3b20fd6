import SwaggerParser from "@apidevtools/swagger-parser";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { ParsedBarcode } from "../../../../api/barcodes";
import { migrate } from "../../../../server/db";
import { parseUdi } from "../../../../server/modules/barcodes";
import { productKeyOf } from "../../../../ledger/product-key";
import { forEachEngine } from "../../helpers/engines";
import { GTIN, startChain, type ChainStack } from "../../support/chain";
import { buildGateway, login } from "../../support/gateway";
import { bearer, expectError, expectInvalidField } from "../../support/api-fixtures";
import { expectServedAsDocumented } from "../../support/documented-fields";

/**
 * POST /v1/barcodes/parse — public: warehouse clients check a scan before posting a receipt —
 * and the gateway's OpenAPI document, which must describe every /v1 route.
 */

const GS = "\u001d";
const MA_DI = "MA.156.M0.100761.21234561";

forEachEngine((engine) => {
  let chain: ChainStack;
  let app: FastifyInstance;

  before(async function () {
    this.timeout(180_000);
    // No procurement: parsing needs no ledger state, only the gateway that serves it.
    chain = await startChain();
    await migrate(engine.db);
    app = await buildGateway(engine.db, chain);
  });

  after(async () => {
    await app?.close();
    await chain?.stop();
  });

  const parse = (payload: unknown, headers: Record<string, string> = {}) =>
    app.inject({ method: "POST", url: "/v1/barcodes/parse", headers, payload: payload as object });

  describe("POST /v1/barcodes/parse", function () {
    it("parses a bracketed barcode into GTIN, lot, serial and expiry, without a token", async function () {
      const res = await parse({ barcode: `(01)${GTIN}(17)280131(10)LOT2026A(21)SN00001` });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.deep.equal({
        agency: "GS1",
        form: "bracketed",
        gtin: GTIN,
        deviceIdentifier: GTIN,
        lot: "LOT2026A",
        serial: "SN00001",
        expiry: { date: "2028-01-31", printed: "280131" },
        elements: [
          { ai: "01", title: "GTIN", value: GTIN },
          { ai: "17", title: "USE BY or EXPIRY", value: "280131", date: "2028-01-31" },
          { ai: "10", title: "BATCH/LOT", value: "LOT2026A" },
          { ai: "21", title: "SERIAL", value: "SN00001" },
        ],
      });
    });

    it("parses a scanner's GS1 DataMatrix data with group separators", async function () {
      const res = await parse({ barcode: `]d201${GTIN}17280100${GS}10LOT2026A${GS}21SN00002\r\n` });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.include({
        form: "scanned",
        symbology: "]d2",
        symbologyName: "GS1 DataMatrix",
        gtin: GTIN,
        lot: "LOT2026A",
        serial: "SN00002",
      });
      // Day 00 is the last day of the month.
      expect(res.json().expiry).to.deep.equal({ date: "2028-01-31", printed: "280100" });
    });

    it("parses a GS1 Digital Link URI, and answers the same with a token", async function () {
      const token = await login(app, chain.cast.stranger);
      const res = await parse(
        { barcode: `https://id.gs1.org/01/${GTIN}/10/LOT2026A/21/SN00003?17=280131` },
        bearer(token),
      );
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.include({ form: "digital-link", gtin: GTIN, lot: "LOT2026A", serial: "SN00003" });
    });

    it("answers 400 BARCODE_INVALID with the GS1 error code and where it is", async function () {
      const checkDigit = expectError(
        await parse({ barcode: "(01)09520123456787(10)LOT1" }),
        400,
        "BARCODE_INVALID",
        "AI (01) GTIN 09520123456787: check digit should be 8, got 7",
      );
      expect(checkDigit.details).to.deep.equal({
        gs1: "BAD_CHECK_DIGIT",
        ai: "01",
        value: "09520123456787",
        position: 0,
        rule: "csum",
      });
      const cases: [string, string, string][] = [
        [`(01)${GTIN}(17)281399`, "INVALID_DATE", "month 13 does not exist"],
        ["(23)1", "UNKNOWN_AI", "AI (23) at position 1 is not a GS1 Application Identifier"],
        ["]X9abc", "MALFORMED_BARCODE", 'symbology identifier "]X9"'],
        ["  \r\n", "EMPTY_BARCODE", "the barcode data is empty"],
        [`(01)${GTIN}(10)`, "FIELD_TOO_SHORT", "at least 1 required"],
        [`(01)${GTIN}(21)A B`, "INVALID_CHARACTER", "outside the GS1 character set 82"],
        ["(10)LOT1", "MISSING_REQUIRED_AI", "requires (01)"],
        [`https://id.gs1.org/01/${GTIN}?10=L1`, "MALFORMED_DIGITAL_LINK", "must be in the URI path"],
      ];
      for (const [barcode, gs1, message] of cases) {
        const body = expectError(await parse({ barcode }), 400, "BARCODE_INVALID", message);
        expect((body.details as { gs1: string }).gs1, barcode).to.equal(gs1);
      }
    });

    it("parses an MA (IDcode) code: its device identifier, product key and production identifiers", async function () {
      const res = await parse({ barcode: `${MA_DI}.L20220117.E280130.C3` });
      expect(res.statusCode, res.body).to.equal(200);
      expect(res.json()).to.include({
        agency: "MA",
        form: "idcode",
        deviceIdentifier: MA_DI,
        productKey: productKeyOf("MA", MA_DI),
        lot: "20220117",
      });
      expect(res.json().expiry).to.deep.equal({ date: "2028-01-30", printed: "280130" });
      expect(res.json().warnings).to.deep.equal([
        "check character .C3 not verified: its algorithm is not published",
      ]);
    });

    it("answers 400 naming the agency and the problem for a malformed MA code or a code that is no UDI", async function () {
      const malformed = expectError(await parse({ barcode: `${MA_DI}.E260230` }), 400, "BARCODE_INVALID");
      expect(malformed.message).to.equal(
        "MA (IDcode): expiry .E260230 is not a date (day 30 does not exist in February 2026)",
      );
      expect(malformed.details).to.deep.equal({ scheme: "MA (IDcode)" });
      const industry = expectError(
        await parse({ barcode: "MA.156.MX.100761.21234561" }),
        400,
        "BARCODE_NOT_UDI",
      );
      expect(industry.message).to.equal("MA (IDcode): not a medical-device code (industry MX, not M0)");
      const handle = expectError(await parse({ barcode: "88.608.8889/87654321" }), 400, "BARCODE_NOT_UDI");
      expect(handle.message).to.equal(
        "industrial-internet identifier: 88.608.8889/… is a CAICT industrial-internet (88.) identifier, not a medical-device UDI",
      );
    });

    it("answers 400 VALIDATION_FAILED naming a missing, empty, mistyped or unknown field", async function () {
      expect(expectInvalidField(await parse({}), "body.barcode")).to.equal("is required");
      expect(expectInvalidField(await parse({ barcode: "" }), "body.barcode")).to.include(
        "fewer than 1 characters",
      );
      expect(expectInvalidField(await parse({ barcode: "1".repeat(2001) }), "body.barcode")).to.include(
        "more than 2000 characters",
      );
      expect(expectInvalidField(await parse({ barcode: { ai: "01" } }), "body.barcode")).to.equal(
        "must be string",
      );
      expect(
        expectInvalidField(await parse({ barcode: `(01)${GTIN}`, strict: true }), "body.strict"),
      ).to.equal("is not allowed");
    });

    it("answers 400 INVALID_JSON, 415 for another media type, 404 ROUTE_NOT_FOUND for another method", async function () {
      expectError(
        await app.inject({
          method: "POST",
          url: "/v1/barcodes/parse",
          headers: { "content-type": "application/json" },
          payload: "{barcode:",
        }),
        400,
        "INVALID_JSON",
      );
      expectError(
        await app.inject({
          method: "POST",
          url: "/v1/barcodes/parse",
          headers: { "content-type": "text/csv" },
          payload: `(01)${GTIN}`,
        }),
        415,
        "UNSUPPORTED_MEDIA_TYPE",
      );
      expectError(
        await app.inject({ method: "GET", url: "/v1/barcodes/parse" }),
        404,
        "ROUTE_NOT_FOUND",
        "no route for GET /v1/barcodes/parse",
      );
    });
  });

  // What the route serves is what the parser produced, and exactly what its schema documents.
  describe("POST /v1/barcodes/parse — response bodies carry exactly the documented fields", function () {
    it("every field of a parse: symbology, GTIN, lot, serial, both dates and a decimal element", async function () {
      const barcodes = [
        `]d201${GTIN}3103000125${GS}112501011728013110LOT2026A${GS}21SN00001`,
        `(01)${GTIN}(10)LOT2026A`,
        `]Q1${MA_DI}.Sx00008.M220117.L20220117.D20220118.E220130.V220117.C3`,
      ];
      for (const barcode of barcodes) {
        expectServedAsDocumented(await parse({ barcode }), ParsedBarcode, parseUdi(barcode));
      }
    });
  });

  describe("GET /openapi.json", function () {
    it("lists every /v1 path with its methods, the bearer scheme and the error body", async function () {
      const res = await app.inject({ method: "GET", url: "/openapi.json" });
      expect(res.statusCode).to.equal(200);
      const doc = res.json<{
        openapi: string;
        paths: Record<
          string,
          Record<string, { security?: unknown; parameters?: { in: string; name: string }[] }>
        >;
        components: { securitySchemes: Record<string, unknown>; schemas: Record<string, unknown> };
      }>();
      expect(doc.openapi).to.equal("3.0.3");
      const expected: Record<string, string[]> = {
        "/v1/auth/nonce": ["post"],
        "/v1/auth/login": ["post"],
        "/v1/relay": ["post"],
        "/v1/barcodes/parse": ["post"],
        "/v1/suppliers": ["get"],
        "/v1/suppliers/{address}": ["get"],
        "/v1/tenders": ["get"],
        "/v1/tenders/{id}": ["get"],
        "/v1/agreements": ["get"],
        "/v1/agreements/{id}": ["get"],
        "/v1/orders": ["get"],
        "/v1/orders/{id}": ["get"],
        "/v1/shipments/{id}": ["get"],
        "/v1/shipments/{id}/manifest": ["put"],
        "/v1/shipments/{id}/serials/{serial}/proof": ["get"],
        "/v1/receipts": ["post"],
        "/v1/receipts/{receiptNo}": ["get"],
        "/v1/exceptions": ["get"],
        "/v1/exceptions/{id}/resolve": ["post"],
        "/v1/payments": ["get"],
      };
      expect(Object.keys(doc.paths)).to.include.members(Object.keys(expected));
      for (const [path, methods] of Object.entries(expected)) {
        expect(Object.keys(doc.paths[path]), path).to.include.members(methods);
      }
      expect(Object.keys(doc.paths)).to.include.members(["/health", "/ready", "/metrics"]);
      expect(doc.components.securitySchemes).to.have.property("bearerAuth");
      expect(doc.components.schemas).to.have.property("ErrorBody");
      expect(doc.paths["/v1/orders"].get.security).to.deep.equal([{ bearerAuth: [] }]);
      expect(doc.paths["/v1/receipts"].post.parameters).to.deep.include({
        in: "header",
        name: "idempotency-key",
        required: true,
        schema: { type: "string", minLength: 1, maxLength: 200 },
      });
    });

    it("documents every field of the ledger reads, shipments, barcodes and ops routes, as valid OpenAPI 3", async function () {
      const doc = (await app.inject({ method: "GET", url: "/openapi.json" })).json<OpenApiDocument>();
      const ours = [
        "/health",
        "/ready",
        "/metrics",
        "/v1/barcodes/parse",
        "/v1/suppliers",
        "/v1/suppliers/{address}",
        "/v1/tenders",
        "/v1/tenders/{id}",
        "/v1/agreements",
        "/v1/agreements/{id}",
        "/v1/orders",
        "/v1/orders/{id}",
        "/v1/shipments/{id}",
        "/v1/shipments/{id}/manifest",
        "/v1/shipments/{id}/serials/{serial}/proof",
      ];
      // Only these routes' part of the document: other modules' routes are checked by their own tests.
      const paths = doc.paths ?? {};
      for (const path of Object.keys(paths)) if (!ours.includes(path)) delete paths[path];
      expect(Object.keys(paths)).to.have.members(ours);
      expect(openSchemas(paths, "#/paths")).to.deep.equal([]);
      await SwaggerParser.validate(doc);
    });
  });
});

type OpenApiDocument = Awaited<ReturnType<typeof SwaggerParser.validate>>;

/** Where a schema in `node` leaves its fields undocumented: an object open to anything, or no type. */
function openSchemas(node: unknown, at: string): string[] {
  if (typeof node !== "object" || node === null) return [];
  const found: string[] = [];
  const schema = node as Record<string, unknown>;
  if ("schema" in schema) found.push(...schemaProblems(schema.schema, `${at}/schema`));
  for (const [key, value] of Object.entries(schema)) {
    if (key !== "schema") found.push(...openSchemas(value, `${at}/${key.replace(/\//g, "~1")}`));
  }
  return found;
}

function schemaProblems(node: unknown, at: string): string[] {
  const schema = node as Record<string, unknown>;
  if (schema.$ref) return [];
  const branches = (schema.anyOf ?? schema.oneOf ?? schema.allOf) as unknown[] | undefined;
  if (branches) return branches.flatMap((branch, i) => schemaProblems(branch, `${at}/anyOf/${i}`));
  if (schema.type === undefined && schema.enum === undefined) return [`${at}: no type`];
  const found: string[] = [];
  if (schema.type === "object") {
    const extra = schema.additionalProperties;
    if (extra !== false && typeof extra !== "object") found.push(`${at}: open object`);
    if (typeof extra === "object") found.push(...schemaProblems(extra, `${at}/additionalProperties`));
    for (const [name, field] of Object.entries((schema.properties ?? {}) as Record<string, unknown>)) {
      found.push(...schemaProblems(field, `${at}/properties/${name}`));
    }
  }
  if (schema.type === "array") found.push(...schemaProblems(schema.items, `${at}/items`));
  return found;
}
