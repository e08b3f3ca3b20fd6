import type { FastifyInstance } from "fastify";
import { appError } from "../../plugins/error-catalogue";
import { errorResponses, open } from "../../lib/schemas";
import { Gs1Error, parseGs1 } from "./gs1.parser";

/**
 * POST /v1/barcodes/parse — warehouse clients check a scan before posting a receipt; receipts
 * use the same parser. Public: parsing reveals nothing and needs no identity.
 */
export default async function barcodesRoutes(app: FastifyInstance): Promise<void> {
  app.post<{ Body: { barcode: string } }>(
    "/v1/barcodes/parse",
    {
      schema: {
        tags: ["barcodes"],
        summary: "Parse a GS1 barcode (bracketed, scanned with GS separators, or Digital Link)",
        body: {
          type: "object",
          required: ["barcode"],
          additionalProperties: false,
          properties: { barcode: { type: "string", minLength: 1, maxLength: 2000 } },
        },
        response: {
          200: open({
            form: { type: "string", enum: ["bracketed", "scanned", "digital-link"] },
            symbology: { type: "string" },
            symbologyName: { type: "string" },
            gtin: { type: "string" },
            lot: { type: "string" },
            serial: { type: "string" },
            expiry: open({ date: { type: "string" }, printed: { type: "string" } }),
            productionDate: open({ date: { type: "string" }, printed: { type: "string" } }),
            elements: {
              type: "array",
              items: open({ ai: { type: "string" }, title: { type: "string" }, value: { type: "string" } }),
            },
          }),
          400: errorResponses[400],
        },
      },
    },
    async (request) => {
      try {
        return parseGs1(request.body.barcode);
      } catch (error) {
        if (error instanceof Gs1Error)
          throw appError("BARCODE_INVALID", error.message, { gs1: error.code, ...error.details });
        throw error;
      }
    },
  );
}
