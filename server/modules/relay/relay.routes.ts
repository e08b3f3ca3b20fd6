import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, unavailableResponse } from "../../../api/errors";
import { RelayAccepted, RelayRequest } from "../../../api/relay";
import { appError } from "../../plugins/error-catalogue";
import { RelayService } from "./relay.service";

/**
 * POST /v1/relay — gas-less acts: anyone may submit a forward request; the EIP-712 signature
 * inside it is the authorisation, checked (with deadline and nonce) before anything is sent.
 */
const relayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { chain } = app;
  const c = chain.deployment.contracts;
  const targets = new Set(
    [c.registry, c.tenders, c.hospitals, c.trace, c.orderBook, c.roles].map((a) => a.toLowerCase()),
  );
  const service = chain.settler
    ? new RelayService(app.db, chain.provider, chain.settler, chain.ledger.forwarder, targets, chain.chainId)
    : null;

  app.post(
    "/",
    {
      // The prefix alone (/v1/relay), not also /v1/relay/.
      prefixTrailingSlash: "no-slash",
      schema: {
        tags: ["relay"],
        summary: "Relay an EIP-712-signed ERC-2771 forward request through the ledger's forwarder",
        body: RelayRequest,
        response: {
          202: RelayAccepted,
          400: errorResponses[400],
          409: errorResponses[409],
          ...unavailableResponse,
        },
      },
    },
    async (request, reply) => {
      if (!service) throw appError("CONFLICT", "this gateway has no relayer key configured (SETTLER_KEY)");
      return reply.code(202).send(await service.relay(request.body));
    },
  );
};

export default relayRoutes;
