import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyReply, FastifyRequest } from "fastify";
import { bearer } from "../../../api/common";
import { EpcisDocument } from "../../../api/epcis";
import { errorResponses, unavailableResponse } from "../../../api/errors";
import { LotTrailParams, OrderTrailParams, SerialTrailParams, Trail, Verification } from "../../../api/trail";
import { LEDGER_PARTIES, scopeOf } from "../auth/auth.plugin";
import { appError } from "../../plugins/error-catalogue";
import { isProductKey } from "../../../ledger/product-key";
import { isValidGtin } from "../barcodes";
import { TrailService } from "./trail.service";
import { TrailVerifier } from "./trail.verify";

/**
 * The regulator's audit trail of an order, a lot or a serial (registered under /v1/trail): every
 * step in time order with the log behind each on-chain one (`GET …`), a re-verification of the
 * trail against the chain that trusts nothing in the gateway's database (`GET …/verify`), and the
 * GS1 EPCIS 2.0 document of an order or lot (`GET …/epcis`). Regulators see every trail; a
 * hospital's staff the trails of its own orders (and, of a lot or serial, what was shipped to it
 * and its own usages); a supplier the trails of its own orders and shipments. Anything else is a
 * 404, not a hint that it exists.
 */

/** A GTIN that passes the schema's 14 digits must also carry its check digit; a product key fit in 64 bits. */
function checkGtin(gtin: string): void {
  if (!isValidGtin(gtin) && !isProductKey(gtin)) {
    throw appError("VALIDATION_FAILED", `params.gtin ${gtin} has a wrong check digit`, {
      fields: [{ field: "params.gtin", message: "has a wrong GS1 check digit" }],
    });
  }
}

const LD_JSON = "application/ld+json";

/** JSON-LD unless the client asks for plain JSON (and not JSON-LD). */
function epcisType(request: FastifyRequest): string {
  const accept = request.headers.accept ?? "";
  if (accept.includes(LD_JSON) || !accept.includes("application/json")) return LD_JSON;
  return "application/json";
}

const trailRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { chain, config } = app;
  const service = new TrailService(app.db, { chainId: chain.chainId, contracts: chain.deployment.contracts });
  const verifier = new TrailVerifier(
    chain.provider,
    {
      chainId: chain.chainId,
      deploymentBlock: chain.deployment.deploymentBlock,
      contracts: chain.deployment.contracts,
    },
    // The operator sized INDEXER_BATCH_BLOCKS to what its node allows per eth_getLogs.
    { confirmations: config.chain.confirmations, logRange: config.indexer.batchBlocks },
  );
  const onRequest = app.requireRole(...LEDGER_PARTIES);
  const common = { security: bearer, tags: ["trail"] };
  const trailResponses = { 200: Trail, ...errorResponses };
  const verifyResponses = { 200: Verification, ...errorResponses, ...unavailableResponse };
  const epcis = {
    produces: [LD_JSON, "application/json"],
    response: { 200: EpcisDocument, ...errorResponses },
  };
  const verify = (trail: Trail, request: FastifyRequest) => verifier.verify(trail, scopeOf(request));
  const sendEpcis = (request: FastifyRequest, reply: FastifyReply, document: EpcisDocument) =>
    reply.type(epcisType(request)).send(document);

  app.get(
    "/orders/:id",
    {
      onRequest,
      schema: {
        ...common,
        summary: "An order's audit trail: qualification, tender, agreement, order to payment, usage",
        params: OrderTrailParams,
        response: trailResponses,
      },
    },
    async (request) => service.orderTrail(request.params.id, scopeOf(request)),
  );

  app.get(
    "/orders/:id/verify",
    {
      onRequest,
      schema: {
        ...common,
        summary: "Re-verify an order's trail against the chain (not the gateway's database)",
        params: OrderTrailParams,
        response: verifyResponses,
      },
    },
    async (request) => verify(await service.orderTrail(request.params.id, scopeOf(request)), request),
  );

  app.get(
    "/orders/:id/epcis",
    {
      onRequest,
      schema: {
        ...common,
        ...epcis,
        summary: "An order's trail as a GS1 EPCIS 2.0 JSON-LD EPCISDocument",
        params: OrderTrailParams,
      },
    },
    async (request, reply) =>
      sendEpcis(
        request,
        reply,
        await service.epcis({ type: "order", orderId: request.params.id }, scopeOf(request)),
      ),
  );

  app.get(
    "/lots/:gtin/:lot",
    {
      onRequest,
      schema: {
        ...common,
        summary:
          "A lot's audit trail: every shipment of it, with its orders, trace, receipts, payments, recall",
        params: LotTrailParams,
        response: trailResponses,
      },
    },
    async (request) => {
      checkGtin(request.params.gtin);
      return service.lotTrail(request.params.gtin, request.params.lot, scopeOf(request));
    },
  );

  app.get(
    "/lots/:gtin/:lot/verify",
    {
      onRequest,
      schema: {
        ...common,
        summary: "Re-verify a lot's trail against the chain (not the gateway's database)",
        params: LotTrailParams,
        response: verifyResponses,
      },
    },
    async (request) => {
      checkGtin(request.params.gtin);
      return verify(
        await service.lotTrail(request.params.gtin, request.params.lot, scopeOf(request)),
        request,
      );
    },
  );

  app.get(
    "/lots/:gtin/:lot/epcis",
    {
      onRequest,
      schema: {
        ...common,
        ...epcis,
        summary:
          "A lot's trail as a GS1 EPCIS 2.0 JSON-LD EPCISDocument (recalls set the persistent disposition recalled, lifts unset it)",
        params: LotTrailParams,
      },
    },
    async (request, reply) => {
      const { gtin, lot } = request.params;
      checkGtin(gtin);
      return sendEpcis(request, reply, await service.epcis({ type: "lot", gtin, lot }, scopeOf(request)));
    },
  );

  app.get(
    "/serials/:gtin/:serial",
    {
      onRequest,
      schema: {
        ...common,
        summary:
          "A serial's audit trail: its shipment with the Merkle proof, receipts that scanned it, usages",
        params: SerialTrailParams,
        response: trailResponses,
      },
    },
    async (request) => {
      checkGtin(request.params.gtin);
      return service.serialTrail(request.params.gtin, request.params.serial, scopeOf(request));
    },
  );

  app.get(
    "/serials/:gtin/:serial/verify",
    {
      onRequest,
      schema: {
        ...common,
        summary:
          "Re-verify a serial's trail against the chain, its Merkle proof with DeliveryTrace.verifySerial",
        params: SerialTrailParams,
        response: verifyResponses,
      },
    },
    async (request) => {
      checkGtin(request.params.gtin);
      const found = await service.serialTrail(request.params.gtin, request.params.serial, scopeOf(request));
      return verify(found, request);
    },
  );
};

export default trailRoutes;
