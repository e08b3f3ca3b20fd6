import type { FastifyPluginAsyncTypebox } from "@fastify/type-provider-typebox";
import type { FastifyRequest } from "fastify";
import { requestLedgerNow } from "../../plugins/chain";
import { appError } from "../../plugins/error-catalogue";
import { DEFAULT_LIMIT, decodeCursor, ID_KEY, toPage } from "../../lib/pagination";
import { keysetList } from "../../lib/keyset-list";
import { HOSPITAL_ROLES, hospitalOf, principalOf } from "../auth/auth.plugin";
import { bearer, IdempotencyHeaders } from "../../../api/common";
import { errorResponses } from "../../../api/errors";
import {
  HolderPage,
  HoldersQuery,
  StockPage,
  StockQuery,
  Stocktake,
  StocktakePage,
  StocktakeRequest,
  StocktakesQuery,
  SuggestionPage,
  SuggestionsQuery,
} from "../../../api/stock";
import { recalledLotsReaching, STOCK_MOVEMENTS, stocktakeView, stockView } from "./stock.repository";
import { recordStocktake } from "./stocktake.service";
import { suggestMoves } from "./stock.service";

/**
 * /v1/stock: a hospital group's stock per campus, who holds an item, and suggested moves. Stock
 * is internal to a hospital, so only its own staff read it (as department budgets). A stocktake
 * is POSTed with an Idempotency-Key, as receipts are.
 */

/** The caller's hospital; naming another is refused. */
function ownScope(request: FastifyRequest, asked?: string): string {
  const own = hospitalOf(request);
  if (asked && asked.toLowerCase() !== own)
    throw appError("NOT_YOUR_HOSPITAL", `stock is internal to a hospital: you may read ${own}'s only`);
  return own;
}

/** Stock rows with text keys for the cursor: a campus may be null (before any was registered). */
const STOCK_TABLE = `SELECT * FROM (SELECT s0.*, COALESCE(s0.campus, '') AS campus_key,
  COALESCE(to_char(s0.expiry, 'YYYY-MM-DD'), '9999-12-31') AS expiry_key FROM (${STOCK_MOVEMENTS}) s0) stock`;

/** Stock with each lot marked when a recall is in force: the holders list only, where it shows. */
const HOLDERS_TABLE = `SELECT stock.*, (stock.gtin, stock.lot) IN (${recalledLotsReaching("stock.hospital")}) AS recalled
  FROM (${STOCK_TABLE}) stock`;

const stockRoutes: FastifyPluginAsyncTypebox = async (app) => {
  // "" and not "/": the collection is /v1/stock, without a trailing-slash twin.
  app.get(
    "",
    {
      onRequest: app.requireRole(...HOSPITAL_ROLES),
      schema: {
        security: bearer,
        tags: ["stock"],
        summary:
          "The caller's hospital's stock per campus × GTIN × lot: received, used, returned, transferred, on hand",
        querystring: StockQuery,
        response: { 200: StockPage, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      return keysetList(
        app.db,
        {
          from: STOCK_TABLE,
          filters: [
            ["hospital", ownScope(request, q.hospital)],
            ["campus", q.campus],
            ["gtin", q.gtin],
            ["lot", q.lot],
          ],
          key: ["campus_key", "gtin", "lot"],
          numericKey: false,
          view: stockView,
        },
        q,
      );
    },
  );

  app.get(
    "/holders",
    {
      onRequest: app.requireRole(...HOSPITAL_ROLES),
      schema: {
        security: bearer,
        tags: ["stock"],
        summary: "Who holds an item (GTIN) on hand, per campus and lot, soonest expiry first",
        querystring: HoldersQuery,
        response: { 200: HolderPage, ...errorResponses },
      },
    },
    async (request) =>
      keysetList(
        app.db,
        {
          from: HOLDERS_TABLE,
          filters: [
            ["hospital", hospitalOf(request)],
            ["gtin", request.query.gtin],
            ["on_hand", "1", ">="],
          ],
          key: ["expiry_key", "campus_key", "lot"],
          numericKey: false,
          view: (r) => {
            const { campus, campusName, gtin, lot, expiry, onHand } = stockView(r);
            return { campus, campusName, gtin, lot, expiry, onHand, recalled: r.recalled === true };
          },
        },
        request.query,
      ),
  );

  app.get(
    "/suggestions",
    {
      onRequest: app.requireRole(...HOSPITAL_ROLES),
      schema: {
        security: bearer,
        tags: ["stock"],
        summary:
          "Suggested moves between campuses: near-expiry stock to the campus that uses it fastest, and shortages covered from another campus before ordering",
        querystring: SuggestionsQuery,
        response: { 200: SuggestionPage, ...errorResponses },
      },
    },
    async (request) => {
      const q = request.query;
      const all = await suggestMoves(
        app.db,
        hospitalOf(request),
        await requestLedgerNow(app.chain, request),
        q.gtin,
      );
      // Suggestions are computed, most urgent first, not stored: the cursor is the next one's position.
      const start = Number(decodeCursor(q.cursor, ID_KEY) ?? 0);
      const limit = q.limit ?? DEFAULT_LIMIT;
      const rows = all.slice(start, start + limit + 1).map((s, i) => ({ s, at: start + i + 1 }));
      return toPage(
        rows,
        limit,
        (r) => String(r.at),
        (r) => r.s,
      );
    },
  );

  app.post(
    "/stocktakes",
    {
      // The warehouse counts the shelves; the hospital account may too.
      onRequest: app.requireRole("hospital-receiver", "hospital-admin"),
      schema: {
        security: bearer,
        tags: ["stock"],
        summary:
          "Record a stocktake of a campus: each lot whose count differs from its stock becomes an exception with its evidence",
        headers: IdempotencyHeaders,
        body: StocktakeRequest,
        response: { 201: Stocktake, ...errorResponses },
      },
    },
    async (request, reply) => {
      const outcome = await recordStocktake(
        app.db,
        request.body,
        { address: principalOf(request).address, hospital: hospitalOf(request) },
        await requestLedgerNow(app.chain, request),
        request.headers["idempotency-key"],
      );
      if (outcome.replayed) reply.header("idempotent-replayed", "true");
      // The status the first request answered (201), stored with its body for replays.
      return reply.code(outcome.statusCode as 201).send(outcome.body);
    },
  );

  app.get(
    "/stocktakes",
    {
      onRequest: app.requireRole(...HOSPITAL_ROLES),
      schema: {
        security: bearer,
        tags: ["stock"],
        summary: "The caller's hospital's stocktakes with their differences, newest first",
        querystring: StocktakesQuery,
        response: { 200: StocktakePage, ...errorResponses },
      },
    },
    async (request) =>
      keysetList(
        app.db,
        {
          from: "SELECT * FROM stocktakes",
          filters: [
            ["hospital", hospitalOf(request)],
            ["campus", request.query.campus],
          ],
          key: "id",
          numericKey: true,
          descending: true,
          view: stocktakeView,
        },
        request.query,
      ),
  );
};

export default stockRoutes;
