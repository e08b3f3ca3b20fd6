import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import { errorResponses } from "../../../api/errors";
import {
  SunshineAwardPage,
  SunshineAwardsQuery,
  SunshinePrices,
  SunshinePricesQuery,
  SunshineScorecards,
} from "../../../api/sunshine";
import { priceDispersion } from "./price-dispersion";
import { awards, hospitalPrices, scorecards } from "./sunshine.repository";

/**
 * /v1/sunshine: public, no sign-in — the awards and the prices hospitals paid and billed, as the
 * procurement platforms publish them, but each figure with the transaction that recorded it.
 */
const sunshineRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    "/awards",
    {
      schema: {
        tags: ["sunshine"],
        summary:
          "Every award: category, winner and its standing, tier prices, committed volumes, term and transaction",
        querystring: SunshineAwardsQuery,
        response: { 200: SunshineAwardPage, ...errorResponses },
      },
    },
    async (request) => awards(app.db, request.query),
  );

  app.get(
    "/prices",
    {
      schema: {
        tags: ["sunshine"],
        summary:
          "Per item, the unit price each hospital paid and billed, with min, max, median and spread; items above the spread threshold flagged",
        querystring: SunshinePricesQuery,
        response: { 200: SunshinePrices, ...errorResponses },
      },
    },
    async (request) =>
      priceDispersion(
        await hospitalPrices(app.db),
        request.query.spreadPercent ?? app.config.sunshine.spreadPercent,
        request.query.flaggedOnly === true,
      ),
  );

  app.get(
    "/scorecards",
    {
      schema: {
        tags: ["sunshine"],
        summary:
          "Each supplier's record: on-time deliveries, short and over deliveries, excursions, recalls, suspensions, lapsed documents, days to payment",
        response: { 200: SunshineScorecards, ...errorResponses },
      },
    },
    async () => ({ items: await scorecards(app.db) }),
  );
};

export default sunshineRoutes;
