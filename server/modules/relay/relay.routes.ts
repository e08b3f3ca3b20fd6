import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses, unavailableResponse } from "../../../api/errors";
import {
  Allowances,
  PermitAccepted,
  PermitPrepareRequest,
  PermitRelayRequest,
  PreparedPermit,
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
import { allowList, permitSpenders } from "./relay.allow-list";
import { watchRelayerBalance } from "./relay.balance";
import { RelayerLane } from "./relay.lane";
import { PermitService } from "./relay.permits";
import { runResender } from "./relay.resender";
import { RelayService } from "./relay.service";

/**
 * POST /v1/relay — gas-less acts for signed-in callers: the caller's own EIP-712-signed
 * forward request, for a function its roles may have relayed, within its quotas; see
 * relay.service.ts. /v1/relay/permits — gas-less token allowances: the caller's own EIP-2612
 * permit for the ledger contract its role draws on; see relay.permits.ts. Both share one
 * relayer lane (quotas, gas budget, nonces). Without RELAYER_PRIVATE_KEY they answer 503
 * NOT_CONFIGURED.
 */

/** Whose allowances the relay deals in: the roles whose acts draw on one (relay.allow-list.ts). */
const ALLOWANCE_HOLDERS = ["supplier", "hospital-admin", "payer"] as const;

export interface RelayRoutesOptions {
  /** Whether the lane's background comparison with the node runs (not when a test steps it). */
  run: boolean;
}

const relayRoutes: FastifyPluginAsyncTypebox<RelayRoutesOptions> = async (app, options) => {
  const { chain, config } = app;
  const relayer = chain.relayer;
  const { maxGasPerRequest, dailyGasBudget, accountDailyRequests, ipDailyRequests } = config.relay;
  const log = app.log.child({ module: "relay" });
  const lane = relayer
    ? new RelayerLane(
        app.db,
        relayer,
        { maxGasPerRequest, dailyGasBudget, accountDailyRequests, ipDailyRequests },
        log,
      )
    : null;
  const service = lane
    ? new RelayService(
        chain.provider,
        lane,
        chain.ledger.forwarder,
        allowList(chain.deployment.contracts),
        chain.chainId,
      )
    : null;
  const permits = lane
    ? new PermitService(chain.provider, lane, chain.ledger.token, permitSpenders(chain.deployment.contracts))
    : null;
  if (relayer) watchRelayerBalance(app, relayer, config.relay.minBalanceWei);
  if (lane && options.run) runResender(app, lane, log);

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
          "RELAY_GAS_TOO_HIGH) and the relayer's daily gas budget (503 RELAY_BUDGET_EXHAUSTED) apply. A " +
          "request whose signer and nonce are those of a relayed request still pending, at any replica, is 409 " +
          "RELAY_NONCE_PENDING (details.txHash: follow that one with GET /v1/relay/{txHash}; no txHash while " +
          "that request is still being checked).",
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
      return reply
        .code(202)
        .send(await configured(service).relay({ address, roles, ip: request.ip }, request.body));
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
      return configured(service).prepare({ address, roles, ip: request.ip }, request.body);
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
      const tx = await configured(service).status(request.params.txHash.toLowerCase());
      const indexedTo = app.indexer.status().indexedTo;
      return { ...tx, indexed: tx.blockNumber !== null && indexedTo !== null && indexedTo >= tx.blockNumber };
    },
  );

  app.get(
    "/allowances",
    {
      onRequest: app.requireRole(...ALLOWANCE_HOLDERS),
      schema: {
        security: bearer,
        tags: ["relay"],
        summary:
          "The caller's settlement-token balance and its allowances to the tender house, the order book and the fund book",
        description:
          "Read from the chain, in fen. `permitRelayed` says for which spender POST /v1/relay/permits sends " +
          "the caller's permit: the tender house for a supplier (bid bonds), the order book for a hospital " +
          "account (order escrow).",
        response: { 200: Allowances, ...errorResponses, ...unavailableResponse },
      },
    },
    async (request) => {
      const { address, roles } = principalOf(request);
      return configured(permits).allowances({ address, roles });
    },
  );

  app.post(
    "/permits/prepare",
    {
      onRequest: app.requireRole(...ALLOWANCE_HOLDERS),
      schema: {
        security: bearer,
        tags: ["relay"],
        summary: "An EIP-2612 permit of the caller's settlement token for a ledger spender, ready to sign",
        description:
          "The permit sets (does not add to) the spender's allowance: owner the caller, the caller's next token " +
          "nonce, a deadline an hour after chain time, with the token's EIP-712 domain. Refused as POST " +
          "/v1/relay/permits would refuse it for who asks (403 RELAY_PERMIT_NOT_ALLOWED for a spender the " +
          "caller's role does not draw on). Uses no quota.",
        body: PermitPrepareRequest,
        response: { 200: PreparedPermit, ...errorResponses, ...unavailableResponse },
      },
    },
    async (request) => {
      const { address, roles } = principalOf(request);
      return configured(permits).prepare({ address, roles, ip: request.ip }, request.body);
    },
  );

  app.post(
    "/permits",
    {
      onRequest: app.requireRole(...ALLOWANCE_HOLDERS),
      schema: {
        security: bearer,
        tags: ["relay"],
        summary: "Send the caller's signed EIP-2612 permit from the relayer: a token allowance without gas",
        description:
          "The permit's owner must be the signed-in caller (403 RELAY_PERMIT_NOT_YOURS), its spender the " +
          "ledger contract the caller's role draws on (400 RELAY_PERMIT_SPENDER_NOT_LEDGER, 403 " +
          "RELAY_PERMIT_NOT_ALLOWED), its deadline ahead (400 RELAY_PERMIT_EXPIRED), its nonce the owner's " +
          "next (400 RELAY_PERMIT_NONCE_INVALID), its signature the owner's (400 RELAY_PERMIT_SIGNATURE_INVALID). " +
          "A permit whose owner and token nonce are those of a relayed permit still pending is 409 " +
          "RELAY_PERMIT_NONCE_PENDING (details.txHash). Counts against the same quotas (429 RATE_LIMITED) and " +
          "gas budget (503 RELAY_BUDGET_EXHAUSTED) as POST /v1/relay; follow the transaction with GET " +
          "/v1/relay/{txHash}.",
        body: PermitRelayRequest,
        response: {
          202: PermitAccepted,
          ...errorResponses,
          429: errorResponses[400],
          ...unavailableResponse,
        },
      },
    },
    async (request, reply) => {
      const { address, roles } = principalOf(request);
      return reply
        .code(202)
        .send(await configured(permits).relay({ address, roles, ip: request.ip }, request.body));
    },
  );

  function configured<T>(part: T | null): T {
    if (!part)
      throw appError("NOT_CONFIGURED", "this gateway relays nothing: RELAYER_PRIVATE_KEY is not set");
    return part;
  }
};

export default relayRoutes;
