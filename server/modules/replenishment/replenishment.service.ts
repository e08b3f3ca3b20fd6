import { id as keccakText } from "ethers";
import type { Db } from "../../db";
import type {
  ForecastReport,
  ParLevel,
  ParLevelPage,
  SetParLevelRequest,
  Suggestion,
  SuggestionPage,
} from "../../../api/replenishment";
import { OrderBook__factory } from "../../../typechain-types";
import { tierPrice } from "../../../ledger/tier-price";
import { appError } from "../../plugins/error-catalogue";
import { stockTotals, type StockTotal } from "../stock/stock.service";
import { isValidGtin } from "../barcodes";
import { isProductKey } from "../../../ledger/product-key";
import { DAMPING, demandOver, forecast, HORIZON_DAYS, type ErrorMeasures } from "./replenishment.forecast";
import {
  agreementsForItem,
  budgetOf,
  dailyUsage,
  listParLevels,
  onOrderUnits,
  upsertParLevel,
  type AgreementForItem,
} from "./replenishment.repository";

/** The usage history a forecast reads: the last year at most. */
export const HISTORY_DAYS = 365;
/** How far back a suggestion's orders count as on order: well past any order's funding window. */
export const ON_ORDER_LOOKBACK_DAYS = 180;
const DAY_MS = 86_400_000;
const orderBook = OrderBook__factory.createInterface();

/** The calendar day (YYYY-MM-DD) `at` falls on in `timeZone`. */
export function dayOf(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat("en-CA", {
    timeZone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
  }).format(at);
}

/** The day `n` days after `day` (both YYYY-MM-DD). */
export function addDays(day: string, n: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) + n * DAY_MS).toISOString().slice(0, 10);
}

/**
 * The reference of the order a suggestion places for an item on `day`. Orders carry no GTIN on
 * chain, only keccak256 of their reference: this is how the suggestions recognise their own
 * orders as on order (an order placed by hand under another reference is not counted).
 */
/** The largest quantity an order can carry on the ledger (OrderBook keeps it as a uint32). */
export const MAX_ORDER_UNITS = 2 ** 32 - 1;

export function suggestionReference(campus: string | null, gtin: string, day: string): string {
  return `RPL/${campus ?? "ALL"}/${gtin}/${day}`;
}

/**
 * The suggested quantity: max − (on hand + on order) + the demand forecast over the lead time,
 * in whole units, ordered only when on hand + on order − that demand would fall below min;
 * otherwise 0. Pure, for the tests.
 */
export function suggestedQuantity(p: {
  min: number;
  max: number;
  onHand: number;
  onOrder: number;
  demand: number;
}): number {
  const position = p.onHand + p.onOrder;
  if (position - p.demand >= p.min) return 0;
  return Math.max(0, p.max - position + p.demand);
}

/**
 * The agreement a suggestion orders under, among those that could supply the item: the lowest
 * unit price at its current position on the tier schedule, then the lowest id.
 */
export function chooseAgreement(candidates: AgreementForItem[]): AgreementForItem | null {
  const price = (a: AgreementForItem) => tierPrice(a.tiers, BigInt(a.accepted_volume), 1n).value;
  let best: AgreementForItem | null = null;
  for (const a of candidates) if (best === null || price(a) < price(best)) best = a;
  return best;
}

export interface ReplenishmentClock {
  /** The ledger's time. */
  now: Date;
  /** The fiscal period the ledger's BudgetBook charges an order funded now to. */
  period: () => Promise<number>;
}

export class ReplenishmentService {
  constructor(
    private readonly db: Db,
    private readonly timeZone: string,
    private readonly orderBookAddress: string,
    private readonly clock: ReplenishmentClock,
  ) {}

  setParLevel(hospital: string, setBy: string, body: SetParLevelRequest): Promise<ParLevel> {
    if (body.max < body.min)
      throw appError("VALIDATION_FAILED", `max (${body.max}) must not be below min (${body.min})`, {
        field: "max",
      });
    if (body.max === 0) throw appError("VALIDATION_FAILED", "max must be above 0", { field: "max" });
    // A product number is a GTIN-14 with its check digit, or another agency's product key.
    if (!isValidGtin(body.gtin) && !isProductKey(body.gtin))
      throw appError("VALIDATION_FAILED", `gtin ${body.gtin} is neither a GTIN-14 nor a product key`, {
        field: "gtin",
      });
    return upsertParLevel(this.db, {
      hospital,
      campus: body.campus ?? null,
      gtin: body.gtin,
      min: body.min,
      max: body.max,
      setBy,
      setAt: this.clock.now,
    });
  }

  parLevels(q: Parameters<typeof listParLevels>[1]): Promise<ParLevelPage> {
    return listParLevels(this.db, q);
  }

  /** The item's daily usage (at one campus, or the whole hospital) up to yesterday and its forecast from today. */
  private async forecastOf(hospital: string, campus: string | null, gtin: string) {
    const today = dayOf(this.clock.now, this.timeZone);
    const used = await dailyUsage(this.db, {
      hospital,
      campus,
      gtin,
      from: addDays(today, -HISTORY_DAYS),
      to: today,
      timeZone: this.timeZone,
    });
    // The series starts on the first day the item was used: days before it are not zero demand.
    const byDay = new Map(used.map((u) => [u.day, u.units]));
    const history: { date: string; units: number }[] = [];
    if (used.length > 0)
      for (let day = used[0].day; day < today; day = addDays(day, 1))
        history.push({ date: day, units: byDay.get(day) ?? 0 });
    return { today, history, result: forecast(history.map((h) => h.units)) };
  }

  async forecast(hospital: string, campus: string | null, gtin: string): Promise<ForecastReport> {
    const { today, history, result } = await this.forecastOf(hospital, campus, gtin);
    const forecastDays = result.daily.map((units, h) => ({ date: addDays(today, h), units: round(units) }));
    return {
      hospital,
      campus,
      gtin,
      timeZone: this.timeZone,
      method: result.method,
      params: result.params && { ...result.params, damping: DAMPING },
      history,
      forecast: forecastDays,
      total: round(result.daily.slice(0, HORIZON_DAYS).reduce((a, b) => a + b, 0)),
      backtest: result.backtest && {
        holdoutDays: result.backtest.holdoutDays,
        from: history[history.length - result.backtest.holdoutDays].date,
        actual: result.backtest.actual,
        model: measures(result.backtest.model),
        seasonalNaive: measures(result.backtest.seasonalNaive),
      },
    };
  }

  /** A page of the hospital's par levels, each with what to order now. */
  async suggestions(hospital: string, q: { cursor?: string; limit?: number }): Promise<SuggestionPage> {
    const page = await listParLevels(this.db, { ...q, hospital });
    // The hospital's usable stock, read once for the whole page.
    const stock = await stockTotals(this.db, hospital, this.clock.now);
    const items: Suggestion[] = [];
    for (const par of page.items) items.push(await this.suggest(par, stock));
    return { items, nextCursor: page.nextCursor };
  }

  private async suggest(par: ParLevel, stock: StockTotal[]): Promise<Suggestion> {
    const { hospital, campus, gtin } = par;
    const { today, result } = await this.forecastOf(hospital, campus, gtin);
    const refs = Array.from({ length: ON_ORDER_LOOKBACK_DAYS + 1 }, (_, i) =>
      keccakText(suggestionReference(campus, gtin, addDays(today, -i))),
    );
    const onHand = onHandUnits(stock, campus, gtin);
    const [onOrder, candidates] = await Promise.all([
      onOrderUnits(this.db, hospital, refs),
      agreementsForItem(this.db, hospital, gtin, this.clock.now),
    ]);
    const agreement = chooseAgreement(candidates);
    const base = {
      item: `${campus ?? "ALL"}/${gtin}`,
      hospital,
      campus,
      gtin,
      min: par.min,
      max: par.max,
      onHand,
      onOrder,
      forecastMethod: result.method,
      backtestWape: result.backtest?.model.wape ?? null,
    };
    if (agreement === null)
      return {
        ...base,
        leadTimeDays: null,
        demandOverLeadTime: 0,
        status: "no-agreement",
        quantity: 0,
        agreement: null,
        price: null,
        budget: null,
        place: null,
      };
    const lead = agreement.lead_time_days;
    const demand = demandOver(result.daily, lead);
    // The ledger keeps an order's quantity as a uint32: a forecast blown up by a bogus usage record
    // must still give an order the ledger can encode, not a failed page.
    const quantity = Math.min(
      suggestedQuantity({ min: par.min, max: par.max, onHand, onOrder, demand }),
      MAX_ORDER_UNITS,
    );
    const priced = tierPrice(agreement.tiers, BigInt(agreement.accepted_volume), BigInt(quantity));
    const remaining = BigInt(agreement.committed) - BigInt(agreement.funded);
    const summary = {
      id: agreement.id,
      supplier: agreement.supplier,
      category: agreement.category,
      endAt: new Date(agreement.end_at).toISOString(),
      acceptedVolume: agreement.accepted_volume,
      committed: agreement.committed,
      funded: agreement.funded,
      exceedsCommitment: BigInt(quantity) > remaining,
    };
    if (quantity === 0)
      return {
        ...base,
        leadTimeDays: lead,
        demandOverLeadTime: demand,
        status: "enough",
        quantity,
        agreement: summary,
        price: null,
        budget: null,
        place: null,
      };
    return {
      ...base,
      leadTimeDays: lead,
      demandOverLeadTime: demand,
      status: "order",
      quantity,
      agreement: summary,
      price: {
        value: priced.value.toString(),
        tiers: priced.spans.map((s) => ({
          tier: s.tier,
          unitPrice: s.unitPrice.toString(),
          units: Number(s.units),
        })),
      },
      budget: await this.budgetEffect(hospital, agreement.category, priced.value),
      place: this.placeCall(agreement.id, quantity, lead, suggestionReference(campus, gtin, today)),
    };
  }

  /** What funding `value` would leave of the budget the ledger would charge; null without one. */
  private async budgetEffect(
    hospital: string,
    category: string,
    value: bigint,
  ): Promise<Suggestion["budget"]> {
    const period = await this.clock.period();
    const budget = await budgetOf(this.db, hospital, category, period);
    if (budget === null) return null;
    const before = budget.amount - budget.spent;
    return {
      period,
      amount: budget.amount.toString(),
      remainingBefore: before.toString(),
      remainingAfter: (before - value).toString(),
      exceeded: value > before,
    };
  }

  /**
   * The placeOrder call: delivery requested the lead time from now (at least a day, so the call
   * is still in the future when it is signed and relayed).
   */
  private placeCall(
    agreementId: string,
    quantity: number,
    lead: number,
    reference: string,
  ): Suggestion["place"] {
    const requestedDelivery = Math.floor(this.clock.now.getTime() / 1000) + Math.max(1, lead) * 86_400;
    const orderRef = keccakText(reference);
    return {
      agreementId,
      quantity,
      requestedDelivery,
      reference,
      orderRef,
      to: this.orderBookAddress,
      data: orderBook.encodeFunctionData("placeOrder", [
        BigInt(agreementId),
        quantity,
        requestedDelivery,
        orderRef,
      ]),
    };
  }
}

/** Forecasts are shown to a thousandth of a unit. */
const round = (x: number) => Math.round(x * 1000) / 1000;

function measures(m: ErrorMeasures): ErrorMeasures {
  return { mae: round(m.mae), wape: m.wape === null ? null : round(m.wape) };
}

/**
 * Usable units of `gtin` on hand at `campus`, or across the hospital's campuses when it is null,
 * from the hospital's stock totals (expired and recalled lots are not in them: they do not keep
 * an item above its par level).
 */
function onHandUnits(stock: StockTotal[], campus: string | null, gtin: string): number {
  return Number(
    stock
      .filter((t) => t.gtin === gtin && (campus === null || t.campus === campus))
      .reduce((sum, t) => sum + t.onHand, 0n),
  );
}
