import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { REGULATOR_OR_HOSPITAL, scopeOf } from "../auth/auth.plugin";
import type { Role } from "../auth/tokens";
import { appError } from "../../plugins/error-catalogue";
import { address, bearer, bytes32, errorResponses, idString, open } from "../../lib/schemas";
import { isValidGtin } from "../barcodes";
import { STEP_KINDS } from "../../../ledger/trail/event-specs";
import { TRAIL_CONTRACTS, TrailService, type Trail } from "./trail.service";
import { TrailVerifier } from "./trail.verify";

/**
 * The regulator's audit trail of an order, a lot or a serial: every step in time order with the
 * log behind each on-chain one (`GET …`), a re-verification of the trail against the chain that
 * trusts nothing in the gateway's database (`GET …/verify`), and the GS1 EPCIS 2.0 document of an
 * order or lot (`GET …/epcis`). Regulators see every trail; a hospital's staff the trails of its
 * own orders (and, of a lot or serial, what was shipped to it and its own usages); a supplier the
 * trails of its own orders and shipments. Anything else is a 404, not a hint that it exists.
 */

const ROLES: readonly Role[] = [...REGULATOR_OR_HOSPITAL, "supplier"];

/** A GTIN that passes the schema's 14 digits must also carry its check digit. */
function checkGtin(gtin: string): void {
  if (!isValidGtin(gtin)) {
    throw appError("VALIDATION_FAILED", `params.gtin ${gtin} has a wrong check digit`, {
      fields: [{ field: "params.gtin", message: "has a wrong GS1 check digit" }],
    });
  }
}

// ---------------------------------------------------------------------------------------------------
// Schemas
// ---------------------------------------------------------------------------------------------------

const gtin = { type: "string", pattern: "^[0-9]{14}$", description: "GTIN-14 with its check digit" } as const;
const lot = { type: "string", minLength: 1, maxLength: 20, description: "GS1 AI (10) batch/lot" } as const;
const serial = { type: "string", minLength: 1, maxLength: 20, description: "GS1 AI (21) serial" } as const;

const orderParams = { type: "object", required: ["id"], properties: { id: idString } } as const;
const lotParams = { type: "object", required: ["gtin", "lot"], properties: { gtin, lot } } as const;
const serialParams = { type: "object", required: ["gtin", "serial"], properties: { gtin, serial } } as const;

const onChain = {
  type: ["object", "null"],
  description: "where the step's log is; null for off-chain steps",
  properties: {
    chainId: { type: "integer" },
    contract: address,
    contractName: { type: "string" },
    event: { type: "string" },
    txHash: { type: "string" },
    blockNumber: { type: "integer" },
    logIndex: { type: "integer" },
  },
} as const;

const step = {
  type: "object",
  required: ["id", "at", "kind", "summary", "source", "data", "onChain"],
  properties: {
    id: { type: "string", description: "kind and the event's own ids, e.g. trace:1:2" },
    at: { type: "string", format: "date-time" },
    kind: { type: "string", enum: STEP_KINDS },
    summary: { type: "string" },
    source: {
      type: "string",
      description: '"chain", or the gateway table an off-chain step comes from, e.g. "gateway.receipts"',
    },
    data: {
      type: "object",
      additionalProperties: true,
      description: "on-chain steps: every figure of the event, as verify compares them",
    },
    onChain,
  },
} as const;

const shipmentState = open({
  shipmentId: { type: "string" },
  record: { ...open({}), description: "the shipment's record (ShipmentCreated) as the gateway holds it" },
  recordHash: { ...bytes32, description: "keccak256(abi.encode(record)): DeliveryTrace.shipmentHash(id)" },
  lotKey: bytes32,
  arrivedAt: { type: ["string", "null"], format: "date-time" },
  receivedAt: { type: ["string", "null"], format: "date-time" },
  excursion: { type: "boolean" },
  excursionWaived: { type: "boolean" },
  confirmed: { type: "boolean" },
  disputedUnits: { type: "string" },
  recalled: { type: "boolean", description: "DeliveryTrace.isRecalled(gtin, lot, supplier)" },
});

const trail = {
  type: "object",
  required: ["subject", "chainId", "contracts", "generatedAt", "state", "steps"],
  properties: {
    subject: open({ type: { type: "string", enum: ["order", "lot", "serial"] } }),
    chainId: { type: "integer" },
    contracts: open(Object.fromEntries(TRAIL_CONTRACTS.map((name) => [name, address]))),
    generatedAt: { type: "string", format: "date-time" },
    orders: { type: "array", items: { type: "string" } },
    shipments: { type: "array", items: { type: "string" } },
    lots: { type: "array", items: open({ gtin: { type: "string" }, lot: { type: "string" } }) },
    qualification: {
      type: "array",
      description:
        "the supplier's qualification at each moment the ledger checked it: its bids, the award, its shipments, its paid settlements",
      items: open({
        step: { type: "string" },
        supplier: address,
        category: bytes32,
        status: { type: "string" },
        qualified: { type: "boolean" },
        windows: { type: "array", items: open({}) },
        documents: { type: "array", items: open({}) },
      }),
    },
    state: {
      ...open(
        {
          shipments: { type: "array", items: shipmentState },
          orders: { type: "array", items: open({}) },
          agreements: { type: "array", items: open({}) },
        },
        ["shipments", "orders", "agreements"],
      ),
      description:
        "the ledger's state of the trail's shipments, orders and agreements as the gateway holds it; verify reads it back from the contracts",
    },
    proofs: {
      type: "array",
      description: "serial trails: the serial's Merkle proof against each shipment root",
      items: open({
        shipmentId: { type: "string" },
        serial: { type: "string" },
        root: bytes32,
        leaf: bytes32,
        proof: { type: "array", items: bytes32 },
      }),
    },
    steps: { type: "array", items: step },
  },
} as const;

const verification = {
  type: "object",
  required: ["verified", "checked", "mismatches"],
  properties: {
    verified: { type: "boolean" },
    checked: { type: "integer", description: "on-chain steps checked against their logs" },
    figures: { type: "integer", description: "figures compared" },
    expectedEvents: { type: "integer", description: "events the chain has for this trail" },
    mismatches: {
      type: "array",
      items: open({
        step: { type: "string" },
        field: { type: "string" },
        database: {},
        chain: {},
        problem: { type: "string" },
      }),
    },
    proofs: {
      type: "array",
      items: open({ shipmentId: { type: "string" }, proofValid: { type: "boolean" } }),
    },
    chainId: { type: "integer" },
    toBlock: { type: "integer" },
    checkedAt: { type: "string", format: "date-time" },
  },
} as const;

const epcisDocument = open(
  {
    "@context": {},
    type: { type: "string", enum: ["EPCISDocument"] },
    schemaVersion: { type: "string" },
    creationDate: { type: "string" },
    epcisHeader: open({}),
    epcisBody: open({ eventList: { type: "array", items: open({}) } }),
  },
  ["@context", "type", "schemaVersion", "creationDate", "epcisBody"],
);

const LD_JSON = "application/ld+json";

/** JSON-LD unless the client asks for plain JSON (and not JSON-LD). */
function epcisType(request: FastifyRequest): string {
  const accept = request.headers.accept ?? "";
  if (accept.includes(LD_JSON) || !accept.includes("application/json")) return LD_JSON;
  return "application/json";
}

// ---------------------------------------------------------------------------------------------------
// Routes
// ---------------------------------------------------------------------------------------------------

export default async function trailRoutes(app: FastifyInstance): Promise<void> {
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
  const guard = app.requireRole(...ROLES);
  const common = { security: bearer, tags: ["trail"] };
  const verify = (trail: Trail, request: FastifyRequest) => verifier.verify(trail, scopeOf(request));
  const sendEpcis = (request: FastifyRequest, reply: FastifyReply, document: object) =>
    reply.type(epcisType(request)).send(document);

  app.get<{ Params: { id: string } }>(
    "/v1/trail/orders/:id",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary: "An order's audit trail: qualification, tender, agreement, order to payment, usage",
        params: orderParams,
        response: { 200: trail, ...errorResponses },
      },
    },
    async (request) => service.orderTrail(request.params.id, scopeOf(request)),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/trail/orders/:id/verify",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary: "Re-verify an order's trail against the chain (not the gateway's database)",
        params: orderParams,
        response: { 200: verification, ...errorResponses, 503: { $ref: "ErrorBody#" } },
      },
    },
    async (request) => verify(await service.orderTrail(request.params.id, scopeOf(request)), request),
  );

  app.get<{ Params: { id: string } }>(
    "/v1/trail/orders/:id/epcis",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary: "An order's trail as a GS1 EPCIS 2.0 JSON-LD EPCISDocument",
        params: orderParams,
        response: { 200: epcisDocument, ...errorResponses },
      },
    },
    async (request, reply) =>
      sendEpcis(
        request,
        reply,
        await service.epcis({ type: "order", orderId: request.params.id }, scopeOf(request)),
      ),
  );

  app.get<{ Params: { gtin: string; lot: string } }>(
    "/v1/trail/lots/:gtin/:lot",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary:
          "A lot's audit trail: every shipment of it, with its orders, trace, receipts, payments, recall",
        params: lotParams,
        response: { 200: trail, ...errorResponses },
      },
    },
    async (request) => {
      checkGtin(request.params.gtin);
      return service.lotTrail(request.params.gtin, request.params.lot, scopeOf(request));
    },
  );

  app.get<{ Params: { gtin: string; lot: string } }>(
    "/v1/trail/lots/:gtin/:lot/verify",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary: "Re-verify a lot's trail against the chain (not the gateway's database)",
        params: lotParams,
        response: { 200: verification, ...errorResponses, 503: { $ref: "ErrorBody#" } },
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

  app.get<{ Params: { gtin: string; lot: string } }>(
    "/v1/trail/lots/:gtin/:lot/epcis",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary:
          "A lot's trail as a GS1 EPCIS 2.0 JSON-LD EPCISDocument (recalls set the persistent disposition recalled, lifts unset it)",
        params: lotParams,
        response: { 200: epcisDocument, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { gtin: code, lot: number } = request.params;
      checkGtin(code);
      return sendEpcis(
        request,
        reply,
        await service.epcis({ type: "lot", gtin: code, lot: number }, scopeOf(request)),
      );
    },
  );

  app.get<{ Params: { gtin: string; serial: string } }>(
    "/v1/trail/serials/:gtin/:serial",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary:
          "A serial's audit trail: its shipment with the Merkle proof, receipts that scanned it, usages",
        params: serialParams,
        response: { 200: trail, ...errorResponses },
      },
    },
    async (request) => {
      checkGtin(request.params.gtin);
      return service.serialTrail(request.params.gtin, request.params.serial, scopeOf(request));
    },
  );

  app.get<{ Params: { gtin: string; serial: string } }>(
    "/v1/trail/serials/:gtin/:serial/verify",
    {
      preHandler: guard,
      schema: {
        ...common,
        summary:
          "Re-verify a serial's trail against the chain, its Merkle proof with DeliveryTrace.verifySerial",
        params: serialParams,
        response: { 200: verification, ...errorResponses, 503: { $ref: "ErrorBody#" } },
      },
    },
    async (request) => {
      checkGtin(request.params.gtin);
      const found = await service.serialTrail(request.params.gtin, request.params.serial, scopeOf(request));
      return verify(found, request);
    },
  );
}
