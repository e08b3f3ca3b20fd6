import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  ListShipmentsQuery,
  ManifestUpload,
  ManifestUploaded,
  SerialProof,
  SerialProofParams,
  Shipment,
  ShipmentPage,
  ShipmentParams,
} from "../../../api/shipments";
import { LEDGER_PARTIES, principalOf, scopeOf, visible } from "../auth/auth.plugin";
import { appError } from "../../plugins/error-catalogue";
import { requestLedgerNow } from "../../plugins/chain";
import { ManifestService } from "./manifest.service";
import { ShipmentsRepository } from "./shipments.repository";

/**
 * /v1/shipments: a shipment and whether a serial is in it are the business of its hospital,
 * its supplier and the regulator; anyone else gets 404, not a hint that it exists, and never
 * sees it listed. The supplier
 * uploads a shipment's serial list (accepted only if it rebuilds the on-chain Merkle root); a
 * serial's proof checks on chain with DeliveryTrace.verifySerial(shipmentId, record, serial, proof).
 */
const shipmentsRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const shipments = new ShipmentsRepository(app.db);
  const manifests = new ManifestService(app.db);

  const notVisible = (id: string) => appError("SHIPMENT_NOT_FOUND", `no shipment ${id} visible to you`);

  app.get(
    // The prefix itself: "/" would register and document the path with a trailing slash.
    "",
    {
      onRequest: app.requireRole(...LEDGER_PARTIES),
      schema: {
        security: bearer,
        tags: ["shipments"],
        summary: "Shipments by id (the caller's hospital's or supplier's; all for a regulator)",
        querystring: ListShipmentsQuery,
        response: { 200: ShipmentPage, ...errorResponses },
      },
    },
    async (request) => shipments.list(request.query, scopeOf(request)),
  );

  app.get(
    "/:id",
    {
      onRequest: app.requireRole(...LEDGER_PARTIES),
      schema: {
        security: bearer,
        tags: ["shipments"],
        summary: "A shipment with its trace events, recalls, manifest status and settlement",
        params: ShipmentParams,
        response: { 200: Shipment, ...errorResponses },
      },
    },
    async (request) => {
      const found = await shipments.get(request.params.id);
      if (!found || !visible(scopeOf(request), found)) throw notVisible(request.params.id);
      return found;
    },
  );

  app.put(
    "/:id/manifest",
    {
      onRequest: app.requireRole("supplier"),
      schema: {
        security: bearer,
        tags: ["shipments"],
        summary: "Upload a shipment's serial list (supplier)",
        params: ShipmentParams,
        body: ManifestUpload,
        response: { 200: ManifestUploaded, 201: ManifestUploaded, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await manifests.upload(
        request.params.id,
        request.body.serials,
        principalOf(request).address,
        await requestLedgerNow(app.chain, request),
      );
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get(
    "/:id/serials/:serial/proof",
    {
      onRequest: app.requireRole(...LEDGER_PARTIES),
      schema: {
        security: bearer,
        tags: ["shipments"],
        summary: "Merkle proof of one serial against the shipment's on-chain root",
        params: SerialProofParams,
        response: { 200: SerialProof, ...errorResponses },
      },
    },
    async (request) => {
      const parties = await shipments.parties(request.params.id);
      if (!parties || !visible(scopeOf(request), parties)) throw notVisible(request.params.id);
      return manifests.proof(request.params.id, request.params.serial);
    },
  );
};

export default shipmentsRoutes;
