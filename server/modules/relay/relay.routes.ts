import type { FastifyInstance } from "fastify";
import { appError } from "../../plugins/error-catalogue";
import { address, errorResponses } from "../../lib/schemas";
import type { ForwardRequestBody } from "../../../ledger/forward-request";
import { RelayService } from "./relay.service";

/**
 * POST /v1/relay — gas-less acts: anyone may submit a forward request; the EIP-712 signature
 * inside it is the authorisation, checked (with deadline and nonce) before anything is sent.
 */
export default async function relayRoutes(app: FastifyInstance): Promise<void> {
  const { chain } = app;
  const c = chain.deployment.contracts;
  const targets = new Set(
    [c.registry, c.tenders, c.hospitals, c.trace, c.orderBook, c.roles].map((a) => a.toLowerCase()),
  );
  const service = chain.settler
    ? new RelayService(app.db, chain.provider, chain.settler, chain.ledger.forwarder, targets, chain.chainId)
    : null;

  app.post<{ Body: ForwardRequestBody }>(
    "/v1/relay",
    {
      schema: {
        tags: ["relay"],
        summary: "Relay an EIP-712-signed ERC-2771 forward request through the ledger's forwarder",
        body: {
          type: "object",
          required: ["from", "to", "gas", "nonce", "deadline", "data", "signature"],
          additionalProperties: false,
          properties: {
            from: address,
            to: address,
            value: { type: "string", pattern: "^[0-9]+$" },
            gas: { type: "string", pattern: "^[0-9]+$" },
            nonce: { type: "string", pattern: "^[0-9]+$" },
            deadline: { type: "integer", minimum: 0 },
            data: { type: "string", pattern: "^0x([0-9a-fA-F]{2})*$" },
            signature: { type: "string", pattern: "^0x[0-9a-fA-F]{130}$" },
          },
        },
        response: {
          202: {
            type: "object",
            properties: { txHash: { type: "string" }, signer: address, nonce: { type: "string" } },
          },
          400: errorResponses[400],
        },
      },
    },
    async (request, reply) => {
      if (!service) throw appError("CONFLICT", "this gateway has no relayer key configured (SETTLER_KEY)");
      return reply.code(202).send(await service.relay(request.body));
    },
  );
}
