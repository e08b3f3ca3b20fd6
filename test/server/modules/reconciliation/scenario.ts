import type { Db } from "../../../../server/db";
import type { UsageRequest } from "../../../../api/usages";
import { UsagesService } from "../../../../server/modules/usages/usages.service";
import { address, hash, LedgerSeed } from "./seed";

/**
 * One ledger with each reconciliation flag planted exactly once, and otherwise clean:
 *
 * | row                 | story                                                             | flag                   |
 * |---------------------|-------------------------------------------------------------------|------------------------|
 * | H1 × G1 × LOT-A     | used, one serial returned with a refund and used again            | —                      |
 * | H1 × G1 × LOT-B     | serial B1 billed twice                                            | SERIAL_REUSED          |
 * | H1 × G1 × LOT-C     | received, not used yet                                            | —                      |
 * | H1 × G2 × LOT-D     | the one unit used two weeks after the lot expired                 | USED_AFTER_EXPIRY      |
 * | H1 × G2 × LOT-E     | one unit used before the recall, one after                        | USED_FROM_RECALLED_LOT |
 * | H1 × G3 × LOT-F     | one unit billed at the settled price (750), one at 751            | PRICE_MARKUP           |
 * | H2 × G1 × LOT-C     | H2 uses serial C1, which H1 received                              | RESOLD                 |
 * | H2 × G2 × LOT-H     | 6 accepted, 2 used, the lot expired on 1 August                   | WASTE                  |
 * | H2 × G3 × LOT-G     | 1 accepted (1 rejected), 2 used and billed                        | PHANTOM_USE            |
 *
 * Prices: orders 1 and 2 (agreement 1) 1000 per unit, order 3 (agreement 2) 750, order 4 1000.
 */

export const NOW = new Date("2026-09-01T00:00:00Z");
export const SALT = "test-salt-0123456789abcdef";
export const H1 = address("11");
export const H2 = address("22");
export const SUPPLIER = address("aa");
export const G1 = "09520123456788";
export const G2 = "12345678901231";
export const G3 = "95012345678903";
export const RECALL_TX = hash(0xe0);
/** The settlement transaction of shipment `n`. */
export const settleTx = (n: number): string => hash(n);

const RECEIVED_AT = "2026-02-15T00:00:00Z";
const LATER = "2028-01-01T00:00:00Z";

export async function seedScenario(db: Db): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.supplier(SUPPLIER);
  await seed.hospital(H1);
  await seed.hospital(H2);
  await seed.agreement({
    id: 1,
    supplier: SUPPLIER,
    category: "stent",
    startAt: "2026-01-01T00:00:00Z",
    endAt: "2027-01-01T00:00:00Z",
    hospitals: [
      // Accepted: shipments 1–5 = 5 + 5 + 2 + 1 + 3 for H1, shipments 6 and 8 = 2 + 6 for H2.
      { hospital: H1, committed: 100, ordered: 20, accepted: 16 },
      { hospital: H2, committed: 50, ordered: 10, accepted: 8 },
    ],
  });
  await seed.agreement({
    id: 2,
    supplier: SUPPLIER,
    category: "catheter",
    startAt: "2026-01-01T00:00:00Z",
    endAt: "2027-01-01T00:00:00Z",
    hospitals: [
      { hospital: H1, committed: 40, ordered: 4, accepted: 4 },
      // Ordered without a commitment: no percentage can be given. One of its two units was rejected.
      { hospital: H2, committed: 0, ordered: 2, accepted: 1 },
    ],
  });
  const placedAt = "2026-02-01T00:00:00Z";
  await seed.order({ id: 1, agreementId: 1, hospital: H1, quantity: 20, value: 20000, placedAt });
  await seed.order({ id: 2, agreementId: 1, hospital: H2, quantity: 10, value: 10000, placedAt });
  await seed.order({ id: 3, agreementId: 2, hospital: H1, quantity: 4, value: 3000, placedAt });
  await seed.order({ id: 4, agreementId: 2, hospital: H2, quantity: 2, value: 2000, placedAt });

  const shipments: {
    id: number;
    orderId: number;
    hospital: string;
    gtin: string;
    lot: string;
    expiry: string;
    quantity: number;
    accepted?: number;
    serials?: string[];
  }[] = [
    {
      id: 1,
      orderId: 1,
      hospital: H1,
      gtin: G1,
      lot: "LOT-A",
      expiry: LATER,
      quantity: 5,
      serials: serials("A", 1, 5),
    },
    {
      id: 2,
      orderId: 1,
      hospital: H1,
      gtin: G1,
      lot: "LOT-B",
      expiry: LATER,
      quantity: 5,
      serials: serials("B", 1, 5),
    },
    {
      id: 3,
      orderId: 1,
      hospital: H1,
      gtin: G1,
      lot: "LOT-C",
      expiry: LATER,
      quantity: 2,
      serials: serials("C", 1, 2),
    },
    { id: 4, orderId: 1, hospital: H1, gtin: G2, lot: "LOT-D", expiry: "2026-06-30T00:00:00Z", quantity: 1 },
    { id: 5, orderId: 1, hospital: H1, gtin: G2, lot: "LOT-E", expiry: LATER, quantity: 3 },
    {
      id: 6,
      orderId: 2,
      hospital: H2,
      gtin: G1,
      lot: "LOT-C",
      expiry: LATER,
      quantity: 2,
      serials: serials("C", 3, 4),
    },
    { id: 7, orderId: 3, hospital: H1, gtin: G3, lot: "LOT-F", expiry: LATER, quantity: 4 },
    { id: 8, orderId: 2, hospital: H2, gtin: G2, lot: "LOT-H", expiry: "2026-08-01T00:00:00Z", quantity: 6 },
    { id: 9, orderId: 4, hospital: H2, gtin: G3, lot: "LOT-G", expiry: LATER, quantity: 2, accepted: 1 },
  ];
  for (const s of shipments) {
    await seed.shipment({ ...s, createdAt: "2026-02-10T00:00:00Z" });
    await seed.receipt({
      receiptNo: `R-${s.id}`,
      shipmentId: s.id,
      hospital: s.hospital,
      receivedAt: RECEIVED_AT,
      received: s.quantity,
      gtin: s.gtin,
      serials: s.serials ?? [],
    });
    const accepted = s.accepted ?? s.quantity;
    await seed.settlement({
      shipmentId: s.id,
      accepted,
      rejected: s.quantity - accepted,
      deliveredAt: RECEIVED_AT,
      txHash: settleTx(s.id),
    });
  }
  await seed.recall({
    gtin: G2,
    lot: "LOT-E",
    recalledAt: "2026-05-01T00:00:00Z",
    txHash: RECALL_TX,
    reasonCode: 2,
  });

  const usages = new UsagesService(db, SALT);
  const use = (
    hospital: string,
    request: Omit<UsageRequest, "department" | "patientRef" | "billingCode"> & {
      department?: string;
    },
  ) =>
    usages.record(
      { department: "cardiology", patientRef: `P-${request.usageId}`, billingCode: "C-001", ...request },
      { address: hospital, hospital },
      `key-${request.usageId}`,
      NOW,
    );
  const item = (gtin: string, lot: string, serial?: string) =>
    serial ? { gtin, lot, serial } : { gtin, lot };

  // H1 × G1 × LOT-A: clean, one usage as a scan; A2 is returned (refunded) and then used again.
  await use(H1, {
    usageId: "U-A1",
    barcode: `(01)${G1}(10)LOT-A(21)A1`,
    usedAt: "2026-03-01T09:00:00+08:00",
    billedAmount: "1000",
  });
  await use(H1, {
    usageId: "U-A2",
    ...item(G1, "LOT-A", "A2"),
    usedAt: "2026-03-02T00:00:00Z",
    billedAmount: 1000,
  });
  await use(H1, {
    usageId: "R-A2",
    ...item(G1, "LOT-A", "A2"),
    usedAt: "2026-03-03T00:00:00Z",
    billedAmount: "-1000",
    quantity: -1,
    correctsUsageId: "U-A2",
  });
  await use(H1, {
    usageId: "U-A2b",
    ...item(G1, "LOT-A", "A2"),
    usedAt: "2026-03-04T00:00:00Z",
    billedAmount: "1000",
  });
  // H1 × G1 × LOT-B: B1 billed twice.
  await use(H1, {
    usageId: "U-B1",
    ...item(G1, "LOT-B", "B1"),
    usedAt: "2026-03-05T00:00:00Z",
    billedAmount: "1000",
  });
  await use(H1, {
    usageId: "U-B1x",
    ...item(G1, "LOT-B", "B1"),
    usedAt: "2026-03-06T00:00:00Z",
    billedAmount: "1000",
  });
  // H1 × G2 × LOT-D: expired 30 June, used 15 July.
  await use(H1, {
    usageId: "U-D1",
    ...item(G2, "LOT-D"),
    usedAt: "2026-07-15T00:00:00Z",
    billedAmount: "1000",
  });
  // H1 × G2 × LOT-E: recalled 1 May.
  await use(H1, {
    usageId: "U-E1",
    ...item(G2, "LOT-E"),
    usedAt: "2026-04-01T00:00:00Z",
    billedAmount: "1000",
  });
  await use(H1, {
    usageId: "U-E2",
    ...item(G2, "LOT-E"),
    usedAt: "2026-05-10T00:00:00Z",
    billedAmount: "1000",
    department: "icu",
  });
  // H1 × G3 × LOT-F: order 3's delivery is settled at 3000 / 4 = 750 per unit.
  await use(H1, {
    usageId: "U-F1",
    ...item(G3, "LOT-F"),
    usedAt: "2026-03-10T00:00:00Z",
    billedAmount: "750",
  });
  await use(H1, {
    usageId: "U-F2",
    ...item(G3, "LOT-F"),
    usedAt: "2026-03-11T00:00:00Z",
    billedAmount: "751",
  });
  // H2 × G1 × LOT-C: C1 went to H1.
  await use(H2, {
    usageId: "U-C1",
    ...item(G1, "LOT-C", "C1"),
    usedAt: "2026-03-15T00:00:00Z",
    billedAmount: "1000",
  });
  // H2 × G2 × LOT-H: two of six used before the lot expired on 1 August.
  await use(H2, {
    usageId: "U-H1",
    ...item(G2, "LOT-H"),
    usedAt: "2026-06-01T00:00:00Z",
    billedAmount: "2000",
    quantity: 2,
  });
  // H2 × G3 × LOT-G: one unit accepted, two used.
  await use(H2, {
    usageId: "U-G1",
    ...item(G3, "LOT-G"),
    usedAt: "2026-03-01T00:00:00Z",
    billedAmount: "1000",
  });
  await use(H2, {
    usageId: "U-G2",
    ...item(G3, "LOT-G"),
    usedAt: "2026-03-02T00:00:00Z",
    billedAmount: "1000",
  });
}

function serials(prefix: string, first: number, last: number): string[] {
  return Array.from({ length: last - first + 1 }, (_, i) => `${prefix}${first + i}`);
}
