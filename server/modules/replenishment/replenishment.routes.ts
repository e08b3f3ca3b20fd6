import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { bearer } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  ForecastQuery,
  ForecastReport,
  ParLevel,
  ParLevelPage,
  ParLevelsQuery,
  SetParLevelRequest,
  SuggestionPage,
  SuggestionsQuery,
} from "../../../api/replenishment";
import { requestHead, requestLedgerNow } from "../../plugins/chain";
import { BlockMemo } from "../../lib/block-memo";
import { appError } from "../../plugins/error-catalogue";
import { hospitalOf, ownHospital, principalOf, REGULATOR_OR_HOSPITAL } from "../auth/auth.plugin";
import { ReplenishmentService } from "./replenishment.service";

/**
 * /v1/replenishment: par levels, demand forecasts and suggested orders. A hospital's stock and
 * demand are its own business, as its budgets are: its accounts read them, regulators read any
 * hospital's (naming it), suppliers none. Its account and approvers set par levels: they hold its
 * spending authority, and a par level decides what it will be asked to order.
 */
const PAR_SETTERS = ["hospital-admin", "hospital-approver"] as const;

/** The hospital a read is about: the caller's own, or the one a regulator names. */
function hospitalScope(request: FastifyRequest, asked?: string): string {
  const own = ownHospital(request);
  if (own === undefined) {
    if (!asked)
      throw appError("VALIDATION_FAILED", "a regulator names the hospital: ?hospital=0x…", {
        field: "hospital",
      });
    return asked.toLowerCase();
  }
  if (asked && asked.toLowerCase() !== own)
    throw appError(
      "NOT_YOUR_HOSPITAL",
      `replenishment is internal to a hospital: you may read ${own}'s only`,
    );
  return own;
}

const replenishmentRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // The budget period at a block: one read shared by every suggestion of every request at it.
  const periods = new BlockMemo<number>();
  const service = async (request: object) => {
    // A write's at the block its role check read; a read's from its own read of the head; the
    // budget period at that block too.
    const now = await requestLedgerNow(app.chain, request);
    const period = async () => {
      const { number: blockTag } = await requestHead(app.chain, request);
      return periods.get(blockTag, "period", async () =>
        Number(await app.chain.ledger.budgets.currentPeriod({ blockTag })),
      );
    };
    return new ReplenishmentService(
      app.db,
      app.config.console.timeZone,
      app.chain.deployment.contracts.orderBook,
      { now, period },
    );
  };

  app.put(
    "/par-levels",
    {
      onRequest: app.requireRole(...PAR_SETTERS),
      schema: {
        security: bearer,
        tags: ["replenishment"],
        summary: "Set (or replace) the caller's hospital's par level (min/max units) for a campus × GTIN",
        body: SetParLevelRequest,
        response: { 200: ParLevel, ...errorResponses },
      },
    },
    async (request) =>
      (await service(request)).setParLevel(
        hospitalOf(request),
        principalOf(request).address.toLowerCase(),
        request.body,
      ),
  );

  app.get(
    "/par-levels",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["replenishment"],
        summary: "A hospital's par levels per campus × GTIN",
        querystring: ParLevelsQuery,
        response: { 200: ParLevelPage, ...errorResponses },
      },
    },
    async (request) => {
      const { hospital, ...q } = request.query;
      return (await service(request)).parLevels({ ...q, hospital: hospitalScope(request, hospital) });
    },
  );

  app.get(
    "/forecast",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["replenishment"],
        summary:
          "An item's daily usage and its 90-day demand forecast (additive Holt–Winters, weekly season) with the 4-week backtest error beside seasonal-naive's",
        querystring: ForecastQuery,
        response: { 200: ForecastReport, ...errorResponses },
      },
    },
    async (request) => {
      const { hospital, campus, gtin } = request.query;
      return (await service(request)).forecast(hospitalScope(request, hospital), campus ?? null, gtin);
    },
  );

  app.get(
    "/suggestions",
    {
      onRequest: app.requireRole(...REGULATOR_OR_HOSPITAL),
      schema: {
        security: bearer,
        tags: ["replenishment"],
        summary:
          "Per par level: the order that brings the item back to max over the lead time, under the active agreement, with the tier price it would lock, the budget effect and the placeOrder call",
        querystring: SuggestionsQuery,
        response: { 200: SuggestionPage, ...errorResponses },
      },
    },
    async (request) => {
      const { hospital, ...q } = request.query;
      return (await service(request)).suggestions(hospitalScope(request, hospital), q);
    },
  );
};

export default replenishmentRoutes;
