import type { Signer } from "ethers";
import type { Campus } from "../../api/campuses";
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
    const item = { gtin: c.lot.gtin, lot };
    const before = await inAt(warehouse, item, EAST_CAMPUS);
    await act.recordCampusTransfer(c.ledger, c.receiver, {
      ...item,
      from: MAIN_CAMPUS,
      to: EAST_CAMPUS,
      quantity,
      serials,
    });
    transfers.push({ lot, quantity, from: MAIN_CAMPUS, to: EAST_CAMPUS, suggested });
    // Stock moves once the gateway has indexed the transfer.
    await until("the campus transfer to be indexed", async () =>
      (await inAt(warehouse, item, EAST_CAMPUS)) === before + quantity ? true : undefined,
    );
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
    `  stents on hand by campus:    ${s.stock.map((x) => `${x.campus} ${x.lot} ${x.onHand}`).join(", ")}`,
  ];
}

async function inAt(g: GatewayClient, lot: { gtin: string; lot: string }, campus: string): Promise<number> {
  const { items } = await g.get<StockPage>(`/v1/stock?campus=${campus}&gtin=${lot.gtin}&lot=${lot.lot}`);
  return Number(items[0]?.transferredIn ?? 0);
}
