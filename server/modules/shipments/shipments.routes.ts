import type { FastifyInstance } from "fastify";
import { principalOf, scopeOf, visible } from "../auth/auth.plugin";
import { appError } from "../../plugins/error-catalogue";
import { bearer, bytes32, errorResponses, idString } from "../../lib/schemas";
import { ManifestService } from "./manifest.service";

/**
 * Serial manifests: the supplier uploads a shipment's serial list (accepted only if it rebuilds
 * the on-chain Merkle root); the shipment's parties and the regulator can get a serial's proof
 * and check it on-chain with DeliveryTrace.verifySerial(shipmentId, record, serial, proof).
 */
const uploaded = {
  type: "object",
  properties: {
    shipmentId: { type: "string" },
    root: bytes32,
    serials: { type: "integer" },
    created: { type: "boolean", description: "false (200) when the same list was uploaded before" },
  },
} as const;

export default async function shipmentsRoutes(app: FastifyInstance): Promise<void> {
  const service = new ManifestService(app.db);

  app.put<{ Params: { id: string }; Body: { serials: string[] } }>(
    "/v1/shipments/:id/manifest",
    {
      preHandler: app.requireRole("supplier"),
      schema: {
        security: bearer,
        tags: ["shipments"],
        summary: "Upload a shipment's serial list (supplier)",
        params: { type: "object", required: ["id"], properties: { id: idString } },
        body: {
          type: "object",
          required: ["serials"],
          additionalProperties: false,
          properties: {
            serials: { type: "array", minItems: 1, maxItems: 100_000, items: { type: "string" } },
          },
        },
        response: { 200: uploaded, 201: uploaded, ...errorResponses },
      },
    },
    async (request, reply) => {
      const result = await service.upload(
        request.params.id,
        request.body.serials,
        principalOf(request).address,
      );
      return reply.code(result.created ? 201 : 200).send(result);
    },
  );

  app.get<{ Params: { id: string; serial: string } }>(
    "/v1/shipments/:id/serials/:serial/proof",
    {
      preHandler: app.requireRole(),
      schema: {
        security: bearer,
        tags: ["shipments"],
        summary: "Merkle proof of one serial against the shipment's on-chain root",
        params: {
          type: "object",
          required: ["id", "serial"],
          properties: { id: idString, serial: { type: "string", minLength: 1, maxLength: 20 } },
        },
        response: {
          200: {
            type: "object",
            properties: {
              shipmentId: { type: "string" },
              serial: { type: "string" },
              root: bytes32,
              leaf: bytes32,
              proof: { type: "array", items: bytes32 },
              record: {
                type: "object",
                description: "the shipment's ShipmentRecord as its ShipmentCreated event carried it",
                properties: {
                  orderId: { type: "string" },
                  supplier: { type: "string" },
                  hospital: { type: "string" },
                  gtin: { type: "string" },
                  expiry: { type: "string" },
                  quantity: { type: "string" },
                  createdAt: { type: "string" },
                  serialRoot: bytes32,
                  noticeHash: bytes32,
                  lot: { type: "string" },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      // Whether a serial is in a shipment is the parties' business (and the regulator's), as
      // the shipment itself is.
      const parties = await service.parties(request.params.id);
      if (!parties || !visible(scopeOf(request), parties)) {
        throw appError("SHIPMENT_NOT_FOUND", `no shipment ${request.params.id} visible to you`);
      }
      return service.proof(request.params.id, request.params.serial);
    },
  );
}
