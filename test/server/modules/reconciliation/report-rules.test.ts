import { expect } from "chai";
import { migrate } from "../../../../server/db";
import { ReconciliationService } from "../../../../server/modules/reconciliation/reconciliation.service";
import type { UsageRequest } from "../../../../api/usages";
import { UsagesService } from "../../../../server/modules/usages/usages.service";
import { forEachEngine } from "../../helpers/engines";
import { address, hash, LedgerSeed } from "./seed";

const NOW = new Date("2026-09-01T00:00:00Z");
const H3 = address("33");
const H4 = address("44");
const H5 = address("55");
const SUPPLIER = address("aa");
const GTIN = "09520123456788";
const EXPIRY = "2028-01-01T00:00:00.000Z";

/**
 * The finer points of the flag rules:
 * - LOT-X reached H3 through two orders priced 1000 and 1200 a unit: billing between them is no
 *   markup, above both is. Its serial X-1 is used again at H4, which never received LOT-X.
 * - LOT-Y: one unit accepted; used, returned without a refund, used again — never more than one
 *   unit in use, but two billed.
 * - H5's order 3 was funded at 900 a unit (10 for 9000: the tiers it expected to reach), but its
 *   delivery of LOT-T was settled at 1000 a unit, the tier the agreement's accepted volume stood
 *   at: billing 1000 is no markup, 1001 is. LOT-U's delivery is not settled yet, so it is priced
 *   at the order's 900.
 */
async function seedRules(db: Parameters<typeof migrate>[0]): Promise<void> {
  const seed = new LedgerSeed(db);
  await seed.stentYear(SUPPLIER);
  const placedAt = "2026-02-01T00:00:00Z";
  await seed.order({ id: 1, agreementId: 1, hospital: H3, quantity: 10, value: 10000, placedAt });
  await seed.order({ id: 2, agreementId: 1, hospital: H3, quantity: 10, value: 12000, placedAt });
  await seed.order({ id: 3, agreementId: 1, hospital: H5, quantity: 10, value: 9000, placedAt });
  const lots: [number, number, string, number, number?][] = [
    [1, 1, "LOT-X", 2],
    [2, 2, "LOT-X", 2],
    [3, 1, "LOT-Y", 1],
    [4, 3, "LOT-T", 2, 2000],
    [5, 3, "LOT-U", 2],
  ];
  for (const [id, orderId, lot, quantity, gross] of lots) {
    await seed.shipment({
      id,
      orderId,
      gtin: GTIN,
      lot,
      expiry: EXPIRY,
      quantity,
      createdAt: "2026-02-10T00:00:00Z",
    });
    if (lot === "LOT-U") continue;
    await seed.settlement({
      shipmentId: id,
      accepted: quantity,
      deliveredAt: "2026-02-15T00:00:00Z",
      txHash: hash(id),
      gross,
    });
  }

  const usages = new UsagesService(db, "rules-test-salt-0123456789");
  const use = (hospital: string, request: Partial<UsageRequest> & Pick<UsageRequest, "usageId" | "usedAt">) =>
    usages.record(
      {
        gtin: GTIN,
        lot: "LOT-X",
        department: "cardiology",
        patientRef: `P-${request.usageId}`,
        billingCode: "C-1",
        billedAmount: "1000",
        ...request,
      },
      { address: hospital, hospital },
      request.usageId,
      NOW,
    );
  await use(H3, { usageId: "E1", serial: "X-1", usedAt: "2026-03-01T00:00:00Z", billedAmount: "1100" });
  await use(H3, { usageId: "E2", usedAt: "2026-03-02T00:00:00Z", billedAmount: "1201" });
  await use(H3, { usageId: "E3", usedAt: "2026-03-03T00:00:00Z", billedAmount: "1200" });
  await use(H3, { usageId: "Y1", lot: "LOT-Y", usedAt: "2026-03-04T00:00:00Z" });
  await use(H3, {
    usageId: "RY1",
    lot: "LOT-Y",
    usedAt: "2026-03-05T00:00:00Z",
    quantity: -1,
    billedAmount: "0",
    correctsUsageId: "Y1",
  });
  await use(H3, { usageId: "Y2", lot: "LOT-Y", usedAt: "2026-03-06T00:00:00Z" });
  await use(H4, { usageId: "F1", serial: "X-1", usedAt: "2026-03-07T00:00:00Z", billedAmount: "5000" });
  await use(H5, { usageId: "T1", lot: "LOT-T", usedAt: "2026-03-08T00:00:00Z", billedAmount: "1000" });
  await use(H5, { usageId: "T2", lot: "LOT-T", usedAt: "2026-03-09T00:00:00Z", billedAmount: "1001" });
  await use(H5, { usageId: "U1", lot: "LOT-U", usedAt: "2026-03-10T00:00:00Z", billedAmount: "900" });
  await use(H5, { usageId: "U2", lot: "LOT-U", usedAt: "2026-03-11T00:00:00Z", billedAmount: "901" });
}

const reuse = (usageIds: string[]) => ({
  code: "SERIAL_REUSED" as const,
  evidence: {
    serial: "X-1",
    usageIds,
    uses: [
      { hospital: H3, usageId: "E1" },
      { hospital: H4, usageId: "F1" },
    ],
  },
});

const EXPECTED = [
  {
    hospital: H3,
    gtin: GTIN,
    lot: "LOT-X",
    expiry: EXPIRY,
    ordered: "4",
    shipped: "4",
    accepted: "4",
    rejected: "0",
    used: "3",
    returned: "0",
    sentOut: "0",
    billedQuantity: "3",
    billedAmount: "3501",
    onHand: "1",
    flags: [
      reuse(["E1"]),
      {
        code: "PRICE_MARKUP",
        evidence: {
          usageIds: ["E2"],
          billed: [{ usageId: "E2", quantity: "1", amount: "1201" }],
          prices: [
            { orderId: "1", shipmentId: "1", quantity: "2", value: "2000" },
            { orderId: "2", shipmentId: "2", quantity: "2", value: "2400" },
          ],
        },
      },
    ],
  },
  {
    hospital: H3,
    gtin: GTIN,
    lot: "LOT-Y",
    expiry: EXPIRY,
    ordered: "1",
    shipped: "1",
    accepted: "1",
    rejected: "0",
    used: "2",
    returned: "1",
    sentOut: "0",
    billedQuantity: "2",
    billedAmount: "2000",
    onHand: "0",
    flags: [
      {
        code: "PHANTOM_USE",
        evidence: {
          accepted: "1",
          sentOut: "0",
          usedNet: "1",
          billedQuantity: "2",
          usageIds: ["Y2"],
          receiptNos: [],
          txHashes: [hash(3)],
          sentOutTxHashes: [],
        },
      },
    ],
  },
  {
    hospital: H4,
    gtin: GTIN,
    lot: "LOT-X",
    expiry: EXPIRY,
    ordered: "0",
    shipped: "0",
    accepted: "0",
    rejected: "0",
    used: "1",
    returned: "0",
    sentOut: "0",
    billedQuantity: "1",
    billedAmount: "5000",
    onHand: "-1",
    // No order brought LOT-X to H4, so there is no price to mark up from.
    flags: [
      {
        code: "PHANTOM_USE",
        evidence: {
          accepted: "0",
          sentOut: "0",
          usedNet: "1",
          billedQuantity: "1",
          usageIds: ["F1"],
          receiptNos: [],
          txHashes: [],
          sentOutTxHashes: [],
        },
      },
      reuse(["F1"]),
    ],
  },
];

describe("ReconciliationService.report flag rules", function () {
  forEachEngine((engine) => {
    let service: ReconciliationService;
    before(async function () {
      await migrate(engine.db);
      await seedRules(engine.db);
      service = new ReconciliationService(engine.db, () => NOW);
    });

    it("prices against the dearest delivery, counts unrefunded returns as billed, and sees reuse across hospitals", async function () {
      const { rows } = await service.report();
      expect(rows.filter((r) => r.hospital !== H5)).to.deep.equal(EXPECTED);
    });

    it("prices a lot at what its deliveries were settled at, not at the order's funding; an unsettled lot at its order's", async function () {
      const { rows } = await service.report({ hospital: H5 });
      expect(rows.map((r) => [r.lot, r.flags])).to.deep.equal([
        [
          "LOT-T",
          [
            {
              code: "PRICE_MARKUP",
              evidence: {
                usageIds: ["T2"],
                billed: [{ usageId: "T2", quantity: "1", amount: "1001" }],
                prices: [{ orderId: "3", shipmentId: "4", quantity: "2", value: "2000" }],
              },
            },
          ],
        ],
        [
          "LOT-U",
          [
            {
              code: "PHANTOM_USE",
              evidence: {
                accepted: "0",
                sentOut: "0",
                usedNet: "2",
                billedQuantity: "2",
                usageIds: ["U1", "U2"],
                receiptNos: [],
                txHashes: [],
                sentOutTxHashes: [],
              },
            },
            {
              code: "PRICE_MARKUP",
              evidence: {
                usageIds: ["U2"],
                billed: [{ usageId: "U2", quantity: "1", amount: "901" }],
                prices: [{ orderId: "3", shipmentId: null, quantity: "10", value: "9000" }],
              },
            },
          ],
        ],
      ]);
    });

    it("finds the same for one hospital as for all (the serial check takes another path)", async function () {
      expect((await service.report({ hospital: H4, gtin: GTIN })).rows).to.deep.equal([EXPECTED[2]]);
      expect((await service.report({ hospital: H3, lot: "LOT-X" })).rows).to.deep.equal([EXPECTED[0]]);
    });
  });
});
