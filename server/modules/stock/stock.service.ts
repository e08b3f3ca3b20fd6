import type { Db } from "../../db";
import type { StockRow, Suggestion } from "../../../api/stock";
import * as repo from "./stock.repository";

/**
 * Stock per hospital × campus × GTIN × lot, and what to move between campuses.
 *
 * The rule: onHand − shortfall = received − used − returned + transferredIn − transferredOut,
 * with onHand ≥ 0 and shortfall ≥ 0, never both positive. Nothing the gateway counts refuses a
 * unit: a usage comes from the billing system and a transfer from the ledger, both facts; one
 * beyond what the campus held is flagged as shortfall (a difference a stocktake must explain)
 * instead of taking stock below zero, and every unit stays accounted for across campuses.
 *
 * Other modules (replenishment) read stock through `stockOnHand` and `stockTotals`.
 */

/** Stock rows of a hospital, optionally one campus's, GTIN's or lot's. */
export function stockOnHand(
  db: Db,
  hospital: string,
  filter: { campus?: string; gtin?: string; lot?: string } = {},
): Promise<StockRow[]> {
  return repo.stockOf(db, hospital.toLowerCase(), filter);
}

export interface StockTotal {
  campus: string | null;
  gtin: string;
  onHand: bigint;
  shortfall: bigint;
  /** The soonest expiry among the lots on hand. */
  soonestExpiry: string | null;
}

/**
 * Usable on-hand units per campus × GTIN (all lots), for par levels and suggested orders: lots
 * expired at `now` or under a recall are left out, as nobody may use them.
 */
export async function stockTotals(db: Db, hospital: string, now: Date): Promise<StockTotal[]> {
  const usable = await usableAt(db, hospital.toLowerCase(), now);
  const totals = new Map<string, StockTotal>();
  for (const row of (await stockOnHand(db, hospital)).filter(usable)) {
    const key = `${row.campus ?? ""}|${row.gtin}`;
    const t = totals.get(key) ?? {
      campus: row.campus,
      gtin: row.gtin,
      onHand: 0n,
      shortfall: 0n,
      soonestExpiry: null,
    };
    t.onHand += BigInt(row.onHand);
    t.shortfall += BigInt(row.shortfall);
    if (
      BigInt(row.onHand) > 0n &&
      row.expiry !== null &&
      (t.soonestExpiry === null || row.expiry < t.soonestExpiry)
    )
      t.soonestExpiry = row.expiry;
    totals.set(key, t);
  }
  return [...totals.values()];
}

/** Whether a stock row of `hospital` may still be used at `now`: not expired, no recall reaching it. */
async function usableAt(db: Db, hospital: string, now: Date): Promise<(r: StockRow) => boolean> {
  const recalled = new Set((await repo.recalledLots(db, hospital)).map((l) => `${l.gtin}|${l.lot}`));
  return (r) => (r.expiry === null || daysUntil(r.expiry, now) > 0) && !recalled.has(`${r.gtin}|${r.lot}`);
}

/** The thresholds of the suggestions (stated in the README). */
export const SUGGESTION_RULES = {
  /** Usage rates are units used per day over this many past days. */
  usageWindowDays: 90,
  /** A lot expiring within this many days is near expiry. */
  nearExpiryDays: 90,
  /** A campus is short when its stock covers fewer days of its use than this. */
  coverDays: 30,
} as const;

const DAY_MS = 86_400_000;

/**
 * Suggested moves, most urgent first:
 * - near-expiry: a lot on hand that expires within `nearExpiryDays`, of which the campus will
 *   not use everything before it expires at its own rate, goes to the campus that uses the GTIN
 *   fastest — as many units as that campus would use before the expiry. Both campuses use their
 *   soonest-expiring units first: units that expire no later (held, or arriving by an earlier
 *   suggestion) come off what each would use of the lot, so lots sent to one campus never add
 *   up to more than it can use in time;
 * - shortage: a campus whose stock of a GTIN covers fewer than `coverDays` days of its use is
 *   brought up to `coverDays` from the surplus of other campuses (what they hold beyond their own
 *   `coverDays`), soonest-expiring lots first, before anyone orders more.
 * Expired lots and lots under a recall reaching the hospital's stock are never suggested: they are for disposal
 * or return, not for use.
 */
export async function suggestMoves(
  db: Db,
  hospital: string,
  now: Date,
  gtin?: string,
): Promise<Suggestion[]> {
  const h = hospital.toLowerCase();
  const usable = await usableAt(db, h, now);
  const rows = (await stockOnHand(db, h, gtin === undefined ? {} : { gtin })).filter(
    (r) => r.campus !== null && BigInt(r.onHand) > 0n && usable(r),
  );
  const since = new Date(now.getTime() - SUGGESTION_RULES.usageWindowDays * DAY_MS);
  const rate = new Map<string, number>();
  for (const u of await repo.usageSince(db, h, since))
    if (u.campus !== null && u.used > 0)
      rate.set(`${u.campus}|${u.gtin}`, u.used / SUGGESTION_RULES.usageWindowDays);
  const rateOf = (campus: string, g: string) => rate.get(`${campus}|${g}`) ?? 0;
  const campuses = [
    ...new Set(rows.map((r) => r.campus as string).concat([...rate.keys()].map((k) => k.split("|")[0]))),
  ];
  const out: Suggestion[] = [];
  const names = await repo.campusNames(db, h);
  const move = (r: StockRow, to: string, quantity: number) => ({
    gtin: r.gtin,
    lot: r.lot,
    expiry: r.expiry,
    from: r.campus as string,
    fromName: names.get(r.campus as string) ?? null,
    to,
    toName: names.get(to) ?? null,
    quantity: String(quantity),
  });

  // Units of each lot a suggestion already plans to move: later suggestions count with them.
  const planned = new Map<StockRow, number>();
  const arriving = new Map<string, number>();
  const left = (r: StockRow) => Number(r.onHand) - (planned.get(r) ?? 0);
  // Campuses use their soonest-expiring units first, so a lot competes for a campus's use only
  // with the units it holds, or will receive, that expire no later.
  const ahead = (campus: string, r: StockRow) =>
    rows
      .filter(
        (x) =>
          x !== r && x.campus === campus && x.gtin === r.gtin && x.expiry !== null && x.expiry <= r.expiry!,
      )
      .reduce((sum, x) => sum + left(x), 0) + (arriving.get(`${campus}|${r.gtin}`) ?? 0);
  const usableIn = (campus: string, r: StockRow, days: number) =>
    Math.max(0, Math.floor(rateOf(campus, r.gtin) * days) - ahead(campus, r));
  const byExpiry = rows
    .filter((r) => r.expiry !== null)
    .sort((a, b) => a.expiry!.localeCompare(b.expiry!) || a.lot.localeCompare(b.lot));
  for (const r of byExpiry) {
    const days = daysUntil(r.expiry!, now);
    if (days > SUGGESTION_RULES.nearExpiryDays) continue;
    const here = r.campus as string;
    const surplus = Number(r.onHand) - usableIn(here, r, days);
    const fastest = campuses
      .filter((c) => c !== here && rateOf(c, r.gtin) > rateOf(here, r.gtin))
      .sort((a, b) => rateOf(b, r.gtin) - rateOf(a, r.gtin) || a.localeCompare(b))[0];
    if (surplus <= 0 || fastest === undefined) continue;
    // Never more than the destination would use before the lot expires, after what it uses first.
    const quantity = Math.min(surplus, usableIn(fastest, r, days));
    if (quantity <= 0) continue;
    planned.set(r, quantity);
    arriving.set(`${fastest}|${r.gtin}`, (arriving.get(`${fastest}|${r.gtin}`) ?? 0) + quantity);
    const [fromPerDay, toPerDay] = [perDay(rateOf(here, r.gtin)), perDay(rateOf(fastest, r.gtin))];
    out.push({
      kind: "near-expiry",
      ...move(r, fastest, quantity),
      expiresInDays: days,
      fromPerDay,
      toPerDay,
      unused: String(surplus),
      reason:
        `expires in ${days} day(s); ${here} uses ${fromPerDay}/day and would leave ${surplus} unused, ` +
        `${fastest} uses ${toPerDay}/day`,
    });
  }

  const held = (campus: string, g: string) =>
    rows.filter((r) => r.campus === campus && r.gtin === g).reduce((sum, r) => sum + left(r), 0) +
    (arriving.get(`${campus}|${g}`) ?? 0);
  const need = (campus: string, g: string) => Math.ceil(rateOf(campus, g) * SUGGESTION_RULES.coverDays);
  const gtins = [...new Set([...rate.keys()].map((k) => k.split("|")[1]))].filter(
    (g) => gtin === undefined || g === gtin,
  );
  for (const g of gtins.sort()) {
    // What each campus can spare stays true as shortages draw on it.
    const spare = new Map(campuses.map((c) => [c, Math.max(0, held(c, g) - need(c, g))]));
    for (const short of campuses.filter((c) => held(c, g) < need(c, g)).sort()) {
      let missing = need(short, g) - held(short, g);
      const lots = rows
        .filter((r) => r.gtin === g && r.campus !== short)
        .sort((a, b) => (a.expiry ?? "9999").localeCompare(b.expiry ?? "9999") || a.lot.localeCompare(b.lot));
      for (const lot of lots) {
        const from = lot.campus as string;
        const quantity = Math.min(missing, spare.get(from) ?? 0, left(lot));
        if (quantity <= 0) continue;
        spare.set(from, (spare.get(from) ?? 0) - quantity);
        planned.set(lot, (planned.get(lot) ?? 0) + quantity);
        missing -= quantity;
        const [toHolds, toNeeds, toPerDay] = [held(short, g), need(short, g), perDay(rateOf(short, g))];
        out.push({
          kind: "shortage",
          ...move(lot, short, quantity),
          coverDays: SUGGESTION_RULES.coverDays,
          toHolds: String(toHolds),
          toNeeds: String(toNeeds),
          toPerDay,
          reason:
            `${short} holds ${toHolds}, under its ${SUGGESTION_RULES.coverDays}-day need of ${toNeeds} ` +
            `(${toPerDay}/day); ${from} holds more than its own need`,
        });
        if (missing === 0) break;
      }
    }
  }
  return out;
}

function daysUntil(date: string, now: Date): number {
  return Math.floor((Date.parse(`${date}T00:00:00Z`) - now.getTime()) / DAY_MS);
}

function perDay(rate: number): string {
  return rate.toFixed(2);
}
