import type { Signer } from "ethers";
import type { ConsignedStockPage, ConsumptionBatchPage } from "../../api/consignment";
import * as act from "../../ledger/acts";
import type { Ledger } from "../../ledger/contracts";
import type { GatewayClient } from "../lib/gateway-client";
import { until } from "../lib/until";

/**
 * The demo year's consignment: Acme offers its stent agreement on consignment (at its own risk of
 * expiry); City General elects it for an order of 10 stents, receives them like any delivery
 * (the gateway's receipt confirms them into custody: nothing is paid), its catheter lab uses 4,
 * which the gateway batches and pays on chain, and it returns 2 it no longer needs, which Acme
 * confirms it has (their value back to City General). 4 stay on the shelf, unpaid.
 */

export interface ConsignmentDemo {
  ledger: Ledger;
  supplier: Signer;
  hospital: { account: Signer; approvers: Signer[]; receiver: Signer };
  agreementId: bigint;
  gateway(signer: Signer): Promise<GatewayClient>;
  /** Ships `n` units of `lot` against the order and has the hospital receive and match them. */
  deliver(
    orderId: bigint,
    lot: string,
    prefix: string,
    n: number,
  ): Promise<{ shipmentId: bigint; serials: string[]; gtin: string; lot: string }>;
  /** Chain time (seconds). */
  now(): Promise<number>;
  log(line: string): void;
}

/** What the step leaves on the ledger, as the gateway serves it. */
export interface ConsignmentSummary {
  received: number;
  used: number;
  returned: number;
  onHand: number;
  /** fen paid to the supplier for the used units, and in how many batches. */
  paid: string;
  batches: number;
  /** fen given back to the hospital for the returned units. */
  refunded: string;
}

const USED = 4;
const RETURNED = 2;

export async function consignmentYear(d: ConsignmentDemo): Promise<ConsignmentSummary> {
  const L = d.ledger;
  d.log("  Acme offers its stent agreement on consignment; City General elects it for 10 stents…");
  await act.offerConsignment(L, d.supplier, d.agreementId);
  const orderId = await act.placeOrder(L, d.hospital.account, {
    agreementId: d.agreementId,
    quantity: 10n,
    requestedDelivery: (await d.now()) + 20 * 24 * 3600,
    reference: "PO-CONSIGN-1",
  });
  await act.electConsignment(L, d.hospital.approvers[0], orderId);
  for (const approver of d.hospital.approvers) {
    if ((await L.orderBook.order(orderId)).status !== 1n) break; // funded
    await act.approveOrder(L, approver, orderId);
  }
  const shipped = await d.deliver(orderId, "DES2612K", "K1-", 10);
  const { shipmentId, serials } = shipped;
  const officer = await d.gateway(d.hospital.approvers[0]);
  await until("the consigned stock to be received", async () =>
    (await stockOf(officer, shipmentId))?.received === 10 ? true : undefined,
  );
  d.log(
    "  nothing was paid on receipt; the catheter lab uses 4 stents and the gateway pays them in a batch…",
  );
  const billing = await d.gateway(d.hospital.receiver);
  // Used now, on the ledger's clock: after the stock came into the hospital's custody.
  const usedAt = new Date((await d.now()) * 1000).toISOString();
  for (const [i, serial] of serials.slice(0, USED).entries()) {
    const usageId = `U-K-${i + 1}`;
    await billing.post(
      "/v1/usages",
      {
        usageId,
        gtin: shipped.gtin,
        lot: shipped.lot,
        serial,
        department: "Catheter lab",
        patientRef: `MRN-${usageId}`,
        usedAt,
        billingCode: "C0401-DES-PCI",
        billedAmount: "75000",
      },
      { "idempotency-key": usageId },
    );
  }
  await until("the consumption batch to be paid", async () =>
    (await stockOf(officer, shipmentId))?.used === USED ? true : undefined,
  );
  d.log(`  City General returns ${RETURNED} stents it will not use to Acme…`);
  // 403: more on hand than the hospital uses.
  await act.returnConsignedStock(L, d.hospital.approvers[0], shipmentId, RETURNED, 403);
  await until("the return to wait for Acme", async () =>
    (await stockOf(officer, shipmentId))?.pendingReturn?.units === RETURNED ? true : undefined,
  );
  d.log("  Acme confirms it has them back: their value goes back to City General…");
  await act.confirmConsignedReturn(L, d.supplier, shipmentId);
  const stock = await until("the return to be confirmed", async () => {
    const s = await stockOf(officer, shipmentId);
    return s?.returned === RETURNED ? s : undefined;
  });
  let batches = 0;
  for await (const page of officer.pages<ConsumptionBatchPage>("/v1/consignment/batches?limit=500"))
    batches += page.items.filter((b) => b.status === "confirmed").length;
  return {
    received: stock.received,
    used: stock.used,
    returned: stock.returned,
    onHand: stock.onHand,
    paid: stock.paid,
    batches,
    refunded: stock.refunded,
  };
}

async function stockOf(client: GatewayClient, shipmentId: bigint) {
  for await (const page of client.pages<ConsignedStockPage>("/v1/consignment/stock?limit=500")) {
    const s = page.items.find((x) => x.shipmentId === String(shipmentId));
    if (s) return s;
  }
  return undefined;
}
