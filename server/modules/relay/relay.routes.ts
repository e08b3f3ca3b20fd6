import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, unavailableResponse } from "../../../api/errors";
import {
  PreparedRelay,
  RelayAccepted,
  RelayPrepareRequest,
  RelayRequest,
  RelayTxParams,
  RelayTxStatus,
} from "../../../api/relay";
import { bearer } from "../../../api/common";
import { appError } from "../../plugins/error-catalogue";
import { principalOf } from "../auth/auth.plugin";
import { allowList } from "./relay.allow-list";
import { watchRelayerBalance } from "./relay.balance";
import { RelayService } from "./relay.service";

/**
 * POST /v1/relay — gas-less acts for signed-in callers: the caller's own EIP-712-signed
 * forward request, for a function its roles may have relayed, within its quotas; see
 * relay.service.ts. Without RELAYER_PRIVATE_KEY the route answers 503 NOT_CONFIGURED.
 */
const relayRoutes: FastifyPluginAsyncTypebox = async (app) => {
  const { chain, config } = app;
  const relayer = chain.relayer;
  const { maxGasPerRequest, dailyGasBudget, accountDailyRequests, ipDailyRequests } = config.relay;
  const service = relayer
    ? new RelayService(
        app.db,
        chain.provider,
        relayer,
        chain.ledger.forwarder,
        allowList(chain.deployment.contracts),
        chain.chainId,
        { maxGasPerRequest, dailyGasBudget, accountDailyRequests, ipDailyRequests },
      )
    : null;
  if (relayer) watchRelayerBalance(app, relayer, config.relay.minBalanceWei);

  app.post(
    "/",
    {
      // The prefix alone (/v1/relay), not also /v1/relay/.
      prefixTrailingSlash: "no-slash",
      onRequest: app.requireRole(),
      schema: {
        tags: ["relay"],
        summary: "Relay the caller's EIP-712-signed ERC-2771 forward request through the ledger's forwarder",
        description:
          "The request's `from` must be the signed-in caller, its function one the caller's roles may have " +
          "relayed; per-account and per-IP daily quotas (429 RATE_LIMITED), a gas cap per request (400 " +
          "RELAY_GAS_TOO_HIGH) and the relayer's daily gas budget (503 RELAY_BUDGET_EXHAUSTED) apply.",
        body: RelayRequest,
        response: {
          202: RelayAccepted,
          ...errorResponses,
          429: errorResponses[400],
          ...unavailableResponse,
        },
      },
    },
    async (request, reply) => {
      const { address, roles } = principalOf(request);
      return reply.code(202).send(await configured().relay({ address, roles, ip: request.ip }, request.body));
    },
  );

  app.post(
    "/prepare",
    {
      onRequest: app.requireRole(),
      schema: {
        security: bearer,
        tags: ["relay"],
        summary: "A forward request for a call, with nonce, deadline and gas filled in, ready to sign",
        description:
          "Refused as POST /v1/relay would refuse it — a function the caller's roles may not have relayed " +
          "(403), a call that would revert (400 RELAY_CALL_REVERTED with the ledger's error decoded) — so a " +
          "wallet never asks its user to sign what cannot succeed. Uses no quota.",
        body: RelayPrepareRequest,
        response: { 200: PreparedRelay, ...errorResponses, ...unavailableResponse },
      },
    },
    async (request) => {
      const { address, roles } = principalOf(request);
      return configured().prepare({ address, roles, ip: request.ip }, request.body);
    },
  );

  app.get(
    "/:txHash",
    {
      onRequest: app.requireRole(),
      schema: {
        security: bearer,
        tags: ["relay"],
        summary: "Whether a relayed transaction is pending, confirmed or failed",
        params: RelayTxParams,
        response: { 200: RelayTxStatus, ...errorResponses, ...unavailableResponse },
      },
    },
    async (request) => {
      const tx = await configured().status(request.params.txHash.toLowerCase());
      const indexedTo = app.indexer.status().indexedTo;
      return { ...tx, indexed: tx.blockNumber !== null && indexedTo !== null && indexedTo >= tx.blockNumber };
    },
  );

  function configured(): RelayService {
    if (!service)
      throw appError("NOT_CONFIGURED", "this gateway relays nothing: RELAYER_PRIVATE_KEY is not set");
    return service;
  }
};

export default relayRoutes;
