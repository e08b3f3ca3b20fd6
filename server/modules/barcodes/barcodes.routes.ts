import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ParseBarcodeBody, ParsedBarcode } from "../../../api/barcodes";
import { errorResponses } from "../../../api/errors";
import { appError } from "../../plugins/error-catalogue";
import { Gs1Error, parseGs1 } from "./gs1.parser";

/**
 * /v1/barcodes: warehouse clients check a scan before posting a receipt; receipts use the same
 * parser. Public: parsing reveals nothing and needs no identity.
 */
const barcodesRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.post(
    "/parse",
    {
      schema: {
        tags: ["barcodes"],
        summary: "Parse a GS1 barcode (bracketed, scanned with GS separators, or Digital Link)",
        body: ParseBarcodeBody,
        response: { 200: ParsedBarcode, 400: errorResponses[400] },
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
};

export default barcodesRoutes;
