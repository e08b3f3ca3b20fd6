import { Type, type Static } from "typebox";
import {
  Address,
  Amount,
  Bytes32,
  DateTime,
  Gtin,
  IdString,
  Nullable,
  PageOf,
  PaginationQuery,
  Units,
} from "./common";
import { FiscalPeriod } from "./budgets";

/**
 * Replenishment (/v1/replenishment): a hospital's par levels (minimum and maximum units on hand)
 * per campus × GTIN, the demand forecast of each item from its usage history, and the orders
 * that would bring each item back to its maximum over the lead time — each with the exact
 * ledger call that places it. A hospital's accounts read their own; its account and approvers
 * set par levels; regulators read any hospital's (naming it).
 */

const closed = { additionalProperties: false } as const;

export const Gln = Type.String({ pattern: "^[0-9]{13}$", description: "a campus's GLN (13 digits)" });
/** A campus, or null for the whole hospital. */
export const Campus = Nullable(Type.With(Gln, { description: "the campus (GLN); null: the whole hospital" }));
const ParUnits = Type.Integer({ minimum: 0, maximum: 1_000_000, description: "units on hand" });
const HospitalQuery = Type.Optional(
  Type.With(Address, {
    description: "the hospital: a regulator must name one; staff may name only their own",
  }),
);

export const SetParLevelRequest = Type.Object(
  {
    campus: Type.Optional(Campus),
    gtin: Gtin,
    min: Type.With(ParUnits, {
      description: "order when the stock would fall below this over the lead time",
    }),
    max: Type.With(ParUnits, {
      description: "what an order brings the stock back to; at least min, above 0",
    }),
  },
  closed,
);
export type SetParLevelRequest = Static<typeof SetParLevelRequest>;

export const ParLevel = Type.Object(
  {
    hospital: Address,
    campus: Campus,
    gtin: Gtin,
    min: Type.Integer(),
    max: Type.Integer(),
    setBy: Address,
    setAt: DateTime,
  },
  closed,
);
export type ParLevel = Static<typeof ParLevel>;

export const ParLevelPage = PageOf(ParLevel);
export type ParLevelPage = Static<typeof ParLevelPage>;

export const ParLevelsQuery = Type.Object(
  { ...PaginationQuery, hospital: HospitalQuery, gtin: Type.Optional(Gtin) },
  closed,
);
export type ParLevelsQuery = Static<typeof ParLevelsQuery>;

export const ForecastQuery = Type.Object(
  { gtin: Gtin, campus: Type.Optional(Gln), hospital: HospitalQuery },
  closed,
);
export type ForecastQuery = Static<typeof ForecastQuery>;

export const ErrorMeasures = Type.Object(
  {
    mae: Type.Number({ description: "mean absolute error, units a day" }),
    wape: Nullable(
      Type.Number({
        description:
          "Σ|error| ÷ Σ actual × 100 (WAPE, not MAPE: usage has zero days); null when nothing was used",
      }),
    ),
  },
  closed,
);

export const Backtest = Type.Object(
  {
    holdoutDays: Type.Integer({ description: "the last days of the history, held out and forecast" }),
    from: Type.String({ format: "date", description: "the first held-out day" }),
    actual: Type.Number({ description: "units used over the held-out days" }),
    model: ErrorMeasures,
    seasonalNaive: Type.With(ErrorMeasures, {
      description: "the baseline: each held-out day forecast as the same weekday of the last week before",
    }),
  },
  closed,
);
export type Backtest = Static<typeof Backtest>;

export const DailyUnits = Type.Object(
  { date: Type.String({ format: "date" }), units: Type.Number() },
  closed,
);
export type DailyUnits = Static<typeof DailyUnits>;

export const FORECAST_METHODS = ["holt-winters", "mean", "none"] as const;

export const ForecastReport = Type.Object(
  {
    hospital: Address,
    campus: Campus,
    gtin: Gtin,
    timeZone: Type.String({ description: "the time zone days are counted in (TIME_ZONE)" }),
    method: Type.Enum(FORECAST_METHODS, {
      description:
        "holt-winters: additive, weekly season, damped trend; mean: under 14 days of history; none: no usage",
    }),
    params: Nullable(
      Type.Object(
        {
          alpha: Type.Number(),
          beta: Type.Number({ description: "0: no trend" }),
          gamma: Type.Number(),
          damping: Type.Number(),
        },
        closed,
      ),
    ),
    history: Type.With(Type.Array(DailyUnits), {
      description:
        "net units used a day, returns counted on the day of the use they correct; up to 365 days to yesterday",
    }),
    forecast: Type.With(Type.Array(DailyUnits), { description: "the next 90 days from today" }),
    total: Type.Number({ description: "units forecast over the 90 days" }),
    backtest: Nullable(Backtest),
  },
  closed,
);
export type ForecastReport = Static<typeof ForecastReport>;

export const SUGGESTION_STATUSES = ["order", "enough", "no-agreement"] as const;
export type SuggestionStatus = (typeof SUGGESTION_STATUSES)[number];

export const PlaceOrderCall = Type.Object(
  {
    agreementId: IdString,
    quantity: Type.Integer({ minimum: 1 }),
    requestedDelivery: Type.Integer({ description: "unix seconds: the ledger's time now + the lead time" }),
    reference: Type.String({ description: "RPL/<campus or ALL>/<GTIN>/<today>: the order's reference" }),
    orderRef: Type.With(Bytes32, {
      description: "keccak256 of the reference, as OrderBook.placeOrder takes it",
    }),
    to: Type.With(Address, { description: "the order book" }),
    data: Type.String({
      pattern: "^0x[0-9a-f]*$",
      description: "placeOrder(agreementId, quantity, requestedDelivery, orderRef), encoded",
    }),
  },
  closed,
);
export type PlaceOrderCall = Static<typeof PlaceOrderCall>;

export const Suggestion = Type.Object(
  {
    item: Type.String({ description: "<campus or ALL>/<GTIN>: the par level's key within the hospital" }),
    hospital: Address,
    campus: Campus,
    gtin: Gtin,
    min: Type.Integer(),
    max: Type.Integer(),
    onHand: Type.Integer({ description: "accepted units delivered − net units used" }),
    onOrder: Type.Integer({
      description: "units of open orders placed from this item's suggestions, not yet accepted",
    }),
    leadTimeDays: Nullable(Type.Integer()),
    demandOverLeadTime: Type.Integer({ description: "forecast units over the lead time, rounded up" }),
    forecastMethod: Type.Enum(FORECAST_METHODS),
    backtestWape: Nullable(Type.Number()),
    status: Type.Enum(SUGGESTION_STATUSES, {
      description:
        "order: on hand + on order − demand over the lead time is below min; enough: it is not; no-agreement: no active agreement sells it to the hospital",
    }),
    quantity: Type.Integer({
      description: "max − (on hand + on order) + demand over the lead time; 0 unless status is order",
    }),
    agreement: Nullable(
      Type.Object(
        {
          id: IdString,
          supplier: Address,
          category: Bytes32,
          endAt: DateTime,
          acceptedVolume: Units,
          committed: Units,
          funded: Units,
          exceedsCommitment: Type.Boolean({
            description:
              "the quantity is more than committed − funded: its funding needs the supplier's consent",
          }),
        },
        closed,
      ),
    ),
    price: Nullable(
      Type.Object(
        {
          value: Type.With(Amount, { description: "fen the order would lock if funded now" }),
          tiers: Type.Array(
            Type.Object({ tier: Type.Integer(), unitPrice: Amount, units: Type.Integer() }, closed),
          ),
        },
        closed,
      ),
    ),
    budget: Nullable(
      Type.Object(
        {
          period: FiscalPeriod,
          amount: Amount,
          remainingBefore: Amount,
          remainingAfter: Amount,
          exceeded: Type.Boolean({ description: "funding would revert unless the budget is adjusted first" }),
        },
        closed,
      ),
    ),
    place: Nullable(PlaceOrderCall),
  },
  closed,
);
export type Suggestion = Static<typeof Suggestion>;

export const SuggestionPage = PageOf(Suggestion);
export type SuggestionPage = Static<typeof SuggestionPage>;

export const SuggestionsQuery = Type.Object({ ...PaginationQuery, hospital: HospitalQuery }, closed);
export type SuggestionsQuery = Static<typeof SuggestionsQuery>;
