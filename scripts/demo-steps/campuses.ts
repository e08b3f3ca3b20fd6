import type { Signer } from "ethers";
import type { Campus } from "../../api/campuses";
import type { ExceptionList } from "../../api/exceptions";
import type { StockPage, StockRow, SuggestionPage } from "../../api/stock";
import * as act from "../../ledger/acts";
import type { Ledger } from "../../ledger/contracts";
import type { GatewayClient } from "../lib/gateway-client";
import { until } from "../lib/until";

/**
 * The demo year's campuses: City General registers its main and east campuses, its warehouse
 * moves stents of lot DES2611A to the east campus on the ledger, the east campus uses them, and
 * the shortage it then runs into is covered from the main campus — the move the gateway
 * suggests — before anyone orders more.
 */

export const MAIN_CAMPUS = "6901234000108";
export const EAST_CAMPUS = "6901234000115";

export interface CampusesSummary {
  campuses: { gln: string; name: string }[];
  /** Each transfer: units of the lot, from → to, and whether it followed a suggestion. */
  transfers: { lot: string; quantity: number; from: string; to: string; suggested: boolean }[];
  /** Units of the GTIN on hand per campus and lot. */
  stock: { campus: string; lot: string; onHand: string }[];
}

export interface CampusesStepContext {
  ledger: Ledger;
  log: (line: string) => void;
  gateway: (signer: Signer) => Promise<GatewayClient>;
  account: Signer;
  receiver: Signer;
  /** A lot City General received (before it had campuses: at its main campus) and its serials. */
  lot: { gtin: string; lot: string; serials: string[] };
  /** When the east campus used its units (ISO). */
  usedAt: string;
}

export async function runCampusesStep(c: CampusesStepContext): Promise<CampusesSummary> {
  const account = await c.gateway(c.account);
  const warehouse = await c.gateway(c.receiver);
  c.log("  City General registers its main and east campuses…");
  const campuses: Campus[] = [];
  for (const [gln, name] of [
    [MAIN_CAMPUS, "City General Main campus"],
    [EAST_CAMPUS, "City General East campus"],
  ])
    campuses.push(await account.post<Campus>("/v1/campuses", { gln, name }));

  const transfers: CampusesSummary["transfers"] = [];
  const move = async (lot: string, quantity: number, serials: string[] | undefined, suggested: boolean) => {
    await recordMove(c, warehouse, { lot, quantity, serials, from: MAIN_CAMPUS, to: EAST_CAMPUS });
    transfers.push({ lot, quantity, from: MAIN_CAMPUS, to: EAST_CAMPUS, suggested });
  };

  c.log(`  its warehouse moves 8 stents of lot ${c.lot.lot} to the east campus (on the ledger)…`);
  const moved = c.lot.serials.slice(10, 18);
  await move(c.lot.lot, 8, moved, false);
  c.log("  the east campus uses all 8 on its patients…");
  for (const [i, serial] of moved.entries()) {
    const usageId = `E-U-${3001 + i}`;
    await warehouse.post(
      "/v1/usages",
      {
        usageId,
        barcode: `(01)${c.lot.gtin}(10)${c.lot.lot}(21)${serial}`,
        campus: EAST_CAMPUS,
        department: "Emergency",
        patientRef: `E-MRN-${i + 1}`,
        usedAt: c.usedAt,
        billingCode: "C0401",
        billedAmount: "75000",
      },
      { "idempotency-key": usageId },
    );
  }
  const { items } = await warehouse.get<SuggestionPage>(`/v1/stock/suggestions?gtin=${c.lot.gtin}`);
  const shortage = items.filter(
    (s) => s.kind === "shortage" && s.from === MAIN_CAMPUS && s.to === EAST_CAMPUS,
  );
  if (shortage.length === 0)
    throw new Error("the gateway suggested no move to cover the east campus's shortage");
  c.log(`  the gateway suggests covering its shortage from the main campus: ${shortage[0].reason}…`);
  // Serials where the lot is the one whose units the warehouse scanned; by count otherwise.
  let next = 18;
  for (const s of shortage) {
    const quantity = Number(s.quantity);
    const serials = s.lot === c.lot.lot ? c.lot.serials.slice(next, (next += quantity)) : undefined;
    await move(s.lot, quantity, serials, true);
  }

  const stock = (await warehouse.get<StockPage>(`/v1/stock?gtin=${c.lot.gtin}`)).items;
  return {
    campuses: campuses.map((x) => ({ gln: x.gln, name: x.name })),
    transfers,
    stock: stock.map((r: StockRow) => ({
      campus: r.campusName ?? String(r.campus),
      lot: r.lot,
      onHand: r.onHand,
    })),
  };
}

/** The summary lines `npm start` prints. */
export function campusesLines(s: CampusesSummary): string[] {
  return [
    `  campuses:                    ${s.campuses.map((x) => `${x.name} (${x.gln})`).join(", ")}`,
    `  campus transfers:            ${s.transfers
      .map((t) => `${t.quantity} × ${t.lot} ${t.from} → ${t.to}${t.suggested ? " (suggested)" : ""}`)
      .join(", ")}`,
    // As the moves left them: the year's later steps use and move more (the console shows today's).
    `  stents by campus after them: ${s.stock.map((x) => `${x.campus} ${x.lot} ${x.onHand}`).join(", ")}`,
  ];
}

/** Records a transfer on the ledger and waits until the gateway counts it at its destination. */
async function recordMove(
  c: Pick<CampusesStepContext, "ledger" | "receiver" | "lot">,
  warehouse: GatewayClient,
  m: { lot: string; quantity: number; serials: string[] | undefined; from: string; to: string },
): Promise<void> {
  const item = { gtin: c.lot.gtin, lot: m.lot };
  const before = await inAt(warehouse, item, m.to);
  await act.recordCampusTransfer(c.ledger, c.receiver, {
    ...item,
    from: m.from,
    to: m.to,
    quantity: m.quantity,
    serials: m.serials,
  });
  // Stock moves once the gateway has indexed the transfer.
  await until("the campus transfer to be indexed", async () =>
    (await inAt(warehouse, item, m.to)) === before + m.quantity ? true : undefined,
  );
}

export interface NearExpiryStepContext extends Omit<CampusesStepContext, "usedAt" | "account"> {
  approver: Signer;
  /**
   * Ships `n` stents of `lot` expiring in `expiryDays` and has `campus` receive them through the
   * gateway; resolves once the gateway has matched the receipt.
   */
  deliver(
    lot: string,
    prefix: string,
    n: number,
    opts: { expiryDays: number; campus: string },
  ): Promise<{ shipmentId: bigint; serials: string[] }>;
  /** Resolves once the gateway has paid (or failed) every settlement it holds. */
  paymentsDone(): Promise<void>;
}

export interface NearExpirySummary {
  lot: string;
  expiry: string;
  received: number;
  moved: number;
  from: string;
  to: string;
}

export const SHORT_DATED_LOT = "DES2611N";

/**
 * A near-expiry move: the first 10 stents of the order replenishment suggested reach the east
 * campus short-dated (60 days left, below the
 * 90-day shelf life a match asks for, so the receipt raises SHELF_LIFE_SHORT); an approver accepts
 * them knowingly, and the gateway suggests moving what the east campus would not use before they
 * expire to the campus that uses stents fastest, the main one. Runs after the cath lab's usage
 * history, which makes the main campus the fast user.
 */
export async function runNearExpiryStep(c: NearExpiryStepContext): Promise<NearExpirySummary> {
  const warehouse = await c.gateway(c.receiver);
  c.log(`  the east campus receives 10 stents of lot ${SHORT_DATED_LOT} with 60 days left…`);
  const received = await c.deliver(SHORT_DATED_LOT, "N1-", 10, { expiryDays: 60, campus: EAST_CAMPUS });
  const officer = await c.gateway(c.approver);
  const exception = await until("the short-dated receipt's exception", async () =>
    (await officer.get<ExceptionList>("/v1/exceptions?status=open&reason=SHELF_LIFE_SHORT")).items.find(
      (e) => e.shipmentId === String(received.shipmentId),
    ),
  );
  c.log("  an approver accepts them (short-dated, to be used first)…");
  await officer.post(`/v1/exceptions/${exception.id}/resolve`, {
    action: "accept_all",
    note: "short-dated: accepted, to be used first",
  });
  await c.paymentsDone();
  const { items } = await warehouse.get<SuggestionPage>(`/v1/stock/suggestions?gtin=${c.lot.gtin}`);
  const suggestion = items.find((s) => s.kind === "near-expiry" && s.lot === SHORT_DATED_LOT);
  if (suggestion === undefined || suggestion.from !== EAST_CAMPUS || suggestion.to !== MAIN_CAMPUS)
    throw new Error(`the gateway suggested no near-expiry move to the main campus: ${JSON.stringify(items)}`);
  c.log(`  the gateway suggests a near-expiry move: ${suggestion.reason}…`);
  const moved = Number(suggestion.quantity);
  await recordMove(c, warehouse, {
    lot: SHORT_DATED_LOT,
    quantity: moved,
    serials: received.serials.slice(0, moved),
    from: EAST_CAMPUS,
    to: MAIN_CAMPUS,
  });
  return {
    lot: SHORT_DATED_LOT,
    expiry: String(suggestion.expiry),
    received: received.serials.length,
    moved,
    from: EAST_CAMPUS,
    to: MAIN_CAMPUS,
  };
}

/** The summary line `npm start` prints. */
export function nearExpiryLine(s: NearExpirySummary): string {
  return `  near-expiry move:            ${s.moved} of ${s.received} × ${s.lot} (expires ${s.expiry}) ${s.from} → ${s.to} (suggested)`;
}

async function inAt(g: GatewayClient, lot: { gtin: string; lot: string }, campus: string): Promise<number> {
  const { items } = await g.get<StockPage>(`/v1/stock?campus=${campus}&gtin=${lot.gtin}&lot=${lot.lot}`);
  return Number(items[0]?.transferredIn ?? 0);
}
