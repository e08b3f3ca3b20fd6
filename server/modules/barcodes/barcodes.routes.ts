import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { ParseBarcodeBody, ParsedBarcode } from "../../../api/barcodes";
import { errorResponses } from "../../../api/errors";
import { scanError } from "./scan-error";
import { parseUdi } from "./udi.parser";

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
        summary:
          "Parse a device code: GS1 (bracketed, scanned with GS separators, or Digital Link) or MA (IDcode)",
        body: ParseBarcodeBody,
        response: { 200: ParsedBarcode, 400: errorResponses[400] },
      },
    },
    async (request) => {
      try {
        return parseUdi(request.body.barcode);
      } catch (error) {
        throw scanError(error);
      }
    },
  );
};

export default barcodesRoutes;
