import type { Signer } from "ethers";
import type { Receipt, ReceiptResult } from "../../api/receipts";
import type { Usage } from "../../api/usages";
import * as act from "../../ledger/acts";
import type { Ledger } from "../../ledger/contracts";
import type { GatewayClient } from "../lib/gateway-client";
import { until } from "../lib/until";

/**
 * The demo year's codes beyond GS1: Acme labels a stent with an MA (IDcode) code instead of a
 * GTIN. It declares the device identifier on the ledger and the regulator attests its product
 * registration; City General orders 4, Acme ships them under the identifier's product key, the
 * warehouse receives them by scanning the MA codes (matched and paid like any delivery) and the
 * catheter lab's billing reports one used, scanned the same way.
 */

export const MA_DEVICE_IDENTIFIER = "MA.156.M0.100761.21234561";
const LOT = "MA2612A";
const UNITS = 4;
const DAY = 86_400;

export interface UdiStepContext {
  ledger: Ledger;
  log: (line: string) => void;
  gateway: (signer: Signer) => Promise<GatewayClient>;
  supplier: Signer;
  regulator: Signer;
  hospital: { account: Signer; approvers: Signer[]; receiver: Signer };
  agreementId: bigint;
  category: string;
  /** Chain time (seconds). */
  now(): Promise<number>;
}

export interface UdiSummary {
  deviceIdentifier: string;
  productKey: string;
  received: number;
  accepted: string;
  used: number;
}

export async function runUdiStep(c: UdiStepContext): Promise<UdiSummary> {
  const L = c.ledger;
  c.log("  Acme labels a stent with an MA (IDcode) code: it declares the device identifier on the ledger…");
  const productKey = await act.declareDeviceIdentifier(L, c.supplier, "MA", MA_DEVICE_IDENTIFIER);
  const now = await c.now();
  await act.registerProducts(L, c.regulator, c.supplier, {
    gtins: [productKey],
    categories: [c.category],
    validFrom: now - DAY,
    validUntil: now + 3 * 365 * DAY,
  });
  const orderId = await act.placeOrder(L, c.hospital.account, {
    agreementId: c.agreementId,
    quantity: BigInt(UNITS),
    requestedDelivery: now + 20 * DAY,
    reference: "PO-MA-1",
  });
  for (const approver of c.hospital.approvers) {
    if ((await L.orderBook.order(orderId)).status !== 1n) break; // funded
    await act.approveOrder(L, approver, orderId);
  }
  const expiry = now + 2 * 365 * DAY;
  const serials = Array.from({ length: UNITS }, (_, i) => `MA${String(i + 1).padStart(4, "0")}`);
  const { shipmentId } = await act.createShipment(L, c.supplier, {
    orderId,
    gtin: productKey,
    lot: LOT,
    expiry,
    serials,
    notice: "DESADV-MA-1",
  });
  const supplier = await c.gateway(c.supplier);
  await until("the MA shipment to be indexed", async () =>
    supplier.put(`/v1/shipments/${shipmentId}/manifest`, { serials }).then(
      () => true,
      () => undefined,
    ),
  );
  for (const [who, step] of [
    [c.supplier, "arriving"],
    [c.hospital.receiver, "receiving"],
  ] as const) {
    await act.recordTrace(L, who, shipmentId, step, {
      location: "GLN:6901234000024",
      eventTime: await c.now(),
    });
  }

  c.log("  City General's warehouse scans the 4 MA codes at the dock; billing scans the one it used…");
  // The MA code as printed: DI, then lot, expiry (YYYYMMDD), serial and its check character.
  const expiryText = new Date(expiry * 1000).toISOString().slice(0, 10).replace(/-/g, "");
  const code = (serial: string) => `${MA_DEVICE_IDENTIFIER}.L${LOT}.E${expiryText}.S${serial}.C3`;
  const warehouse = await c.gateway(c.hospital.receiver);
  const at = new Date((await c.now()) * 1000).toISOString();
  const receipt = await warehouse.post<ReceiptResult>(
    "/v1/receipts",
    {
      receiptNo: "GR-MA-1",
      shipmentId: String(shipmentId),
      receivedAt: at,
      lines: serials.map((serial) => ({ barcode: code(serial) })),
    },
    { "idempotency-key": "GR-MA-1" },
  );
  const usage = await warehouse.post<Usage>(
    "/v1/usages",
    {
      usageId: "U-MA-1",
      barcode: code(serials[0]),
      department: "Catheter lab",
      patientRef: "MRN-U-MA-1",
      usedAt: at,
      billingCode: "C0401-DES-PCI",
      billedAmount: "12000",
    },
    { "idempotency-key": "U-MA-1" },
  );
  // Paid like any delivery: the summary counts the settlement, so wait for it.
  await until("the MA delivery to be paid", async () => {
    const stored = await warehouse.get<Receipt>("/v1/receipts/GR-MA-1");
    return stored.settlement?.status === "confirmed" ? true : undefined;
  });
  return {
    deviceIdentifier: MA_DEVICE_IDENTIFIER,
    productKey,
    received: Number(receipt.received),
    accepted: receipt.match.accepted,
    used: usage.quantity,
  };
}

export function udiLines(s: UdiSummary): string[] {
  return [
    `  MA (IDcode) stents:          ${s.deviceIdentifier} = product key ${s.productKey}: ${s.received} scanned in, ${s.accepted} accepted, ${s.used} used`,
  ];
}
