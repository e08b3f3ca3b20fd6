import type { Signer } from "ethers";
import type { ConsoleConfig } from "../../api/console";
import type { ForecastReport, Suggestion, SuggestionPage } from "../../api/replenishment";
import * as act from "../../ledger/acts";
import type { Ledger } from "../../ledger/contracts";
import { ORDER_STATUS } from "../../ledger/enums";
import type { GatewayClient } from "../lib/gateway-client";

/**
 * The demo year's replenishment: City General's catheterisation lab bills the stents it implants
 * day by day — lists on Mondays, Wednesdays and Fridays, and on Tuesdays every third week — each
 * one a serial it received; then the hospital sets the stent's par level, the gateway suggests an
 * order from the forecast, the hospital account places exactly the suggested call and an
 * approver funds it.
 */

export interface ReplenishmentStepInput {
  ledger: Ledger;
  gateway: (signer: Signer) => Promise<GatewayClient>;
  log: (line: string) => void;
  /** The ledger's time now (unix seconds). */
  now: number;
  hospital: { account: Signer; approvers: Signer[]; receiver: Signer };
  gtin: string;
  lot: string;
  /** Serials of `lot` the hospital accepted and has not used: one per usage of the history. */
  serials: string[];
  /** When they were received: the history starts the day after, at most HISTORY_WEEKS ago. */
  receivedAt: string;
  /** The agreement's unit price, billed per use. */
  billedAmount: number;
}

export interface ReplenishmentSummary {
  gtin: string;
  min: number;
  max: number;
  historyDays: number;
  forecast90: number;
  backtest: ForecastReport["backtest"];
  suggestion: Suggestion;
  orderId: string;
  funded: boolean;
}

/**
 * Narrow on purpose: the suggestion (15 to 25 units, by the weekday the demo runs on) leaves room
 * in City General's stent commitment (240: 150 funded in the spring, 10 consigned, 4 MA-coded) for
 * the 20-unit order the console's tests fund.
 */
export const PAR = { min: 12, max: 20 };
/** Units used on each weekday (Sunday first), and the extra Tuesday case every third week. */
const WEEKDAY_UNITS = [0, 1, 0, 1, 0, 1, 0];
const TUESDAY = 2;
/**
 * Enough for the forecast's 4-week backtest (six weeks at least), and short enough that the lab
 * uses about 47 stents: the hospital's stock then falls below min over the lead time while the
 * serials it accepted last.
 */
const HISTORY_WEEKS = 14;
const PLACED = BigInt(ORDER_STATUS.indexOf("placed"));
const FUNDED = BigInt(ORDER_STATUS.indexOf("funded"));

const dayIn = (at: number, timeZone: string) =>
  new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(
    at,
  );
const nextDay = (day: string) =>
  new Date(Date.parse(`${day}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

export async function replenishmentStep(input: ReplenishmentStepInput): Promise<ReplenishmentSummary> {
  const { ledger: L, log, hospital, gtin } = input;
  const billing = await input.gateway(hospital.receiver);
  const { timeZone } = await billing.get<ConsoleConfig>("/v1/console/config");

  log("  City General's cath lab bills its stents day by day: lists Mon/Wed/Fri, Tuesdays every third week…");
  const today = dayIn(input.now * 1000, timeZone);
  const serials = [...input.serials];
  let week = 0;
  let days = 0;
  // Each stent is its own inpatient case (DRG group FM19), but for one patient who stays from
  // the first extra Tuesday to the next day: two stents on one case, the claim audit's outlier.
  let staying: string | null = null; // that patient's case, between its two stents
  let stayed = false;
  const afterReceipt = nextDay(dayIn(Date.parse(input.receivedAt), timeZone));
  const weeksAgo = dayIn((input.now - HISTORY_WEEKS * 7 * 86_400) * 1000, timeZone);
  const first = afterReceipt > weeksAgo ? afterReceipt : weeksAgo;
  for (let day = first; day < today; day = nextDay(day)) {
    days++;
    const weekday = new Date(`${day}T12:00:00Z`).getUTCDay();
    if (weekday === 1) week++;
    const units = WEEKDAY_UNITS[weekday] + (weekday === TUESDAY && week % 3 === 0 ? 1 : 0);
    for (let i = 0; i < units; i++) {
      const serial = serials.shift();
      if (serial === undefined) throw new Error(`the demo's stents ran out on ${day}: receive more first`);
      const usageId = `CL-${day}-${i + 1}`;
      let caseId = `IP-${usageId}`;
      if (staying !== null) [caseId, staying, stayed] = [staying, null, true];
      else if (!stayed && weekday === TUESDAY && week % 3 === 0) staying = caseId;
      await billing.post(
        "/v1/usages",
        {
          usageId,
          gtin,
          lot: input.lot,
          serial,
          department: "Catheter lab",
          patientRef: `MRN-${usageId}`,
          // Noon UTC: the same calendar day in every time zone the console offers.
          usedAt: `${day}T12:00:00Z`,
          billingCode: "C0401-DES-PCI",
          billedAmount: String(input.billedAmount),
          caseId,
          caseGroup: "FM19",
        },
        { "idempotency-key": usageId },
      );
    }
  }

  const buyer = await input.gateway(hospital.account);
  log(`  City General sets the stent's par level: min ${PAR.min}, max ${PAR.max} units…`);
  await buyer.put("/v1/replenishment/par-levels", { gtin, ...PAR });
  const forecast = await buyer.get<ForecastReport>(`/v1/replenishment/forecast?gtin=${gtin}`);
  const { items } = await buyer.get<SuggestionPage>("/v1/replenishment/suggestions");
  const suggestion = items.find((s) => s.gtin === gtin && s.campus === null);
  if (suggestion?.status !== "order" || !suggestion.place)
    throw new Error(`the demo expected a stent order to be suggested: ${JSON.stringify(suggestion)}`);
  const { place } = suggestion;
  log(
    `  suggested: ${place.quantity} stents under agreement #${place.agreementId} (on hand ${suggestion.onHand}, ${suggestion.demandOverLeadTime} forecast over the ${suggestion.leadTimeDays}-day lead time); the hospital places it, an approver funds it…`,
  );
  const orderId = await act.placeOrder(L, hospital.account, {
    agreementId: BigInt(place.agreementId),
    quantity: BigInt(place.quantity),
    requestedDelivery: place.requestedDelivery,
    reference: place.reference,
  });
  for (const approver of hospital.approvers) {
    if ((await L.orderBook.order(orderId)).status !== PLACED) break;
    await act.approveOrder(L, approver, orderId);
  }
  const funded = (await L.orderBook.order(orderId)).status === FUNDED;
  return {
    gtin,
    ...PAR,
    historyDays: forecast.history.length,
    forecast90: forecast.total,
    backtest: forecast.backtest,
    suggestion,
    orderId: String(orderId),
    funded,
  };
}

/** The summary line `npm start` prints. */
export function replenishmentLine(r: ReplenishmentSummary, fen: (amount: bigint) => string): string {
  const wape = (w: number | null | undefined) =>
    w === null || w === undefined ? "n/a" : `${w.toFixed(1)} %`;
  const backtest = r.backtest
    ? `${r.backtest.holdoutDays / 7}-week backtest WAPE ${wape(r.backtest.model.wape)} vs seasonal-naive ${wape(r.backtest.seasonalNaive.wape)}`
    : "no backtest";
  return `  replenishment (City General stents): par ${r.min}–${r.max}, ${r.forecast90.toFixed(1)} units forecast over 90 days (${backtest}); suggested ${r.suggestion.quantity} at ${fen(BigInt(r.suggestion.price!.value))}, order #${r.orderId} ${r.funded ? "funded" : "awaiting approval"}`;
}
