import { expect } from "chai";
import { productKeyOf } from "../../../../ledger/product-key";
import { ethers, type HDNodeWallet } from "ethers";
import { migrate, type Db } from "../../../../server/db";
import { gtinCheckDigit } from "../../../../server/modules/barcodes";
import { PROJECTION_TABLES } from "../../../../server/modules/indexer/indexer.projections";
import { rewindTo } from "../../../../server/modules/indexer/indexer.repository";
import * as act from "../../../../ledger/acts";
import { devWallet } from "../../../../scripts/lib/anvil";
import { ORDER_STATUS } from "../../../../ledger/enums";
import { forEachEngine } from "../../helpers/engines";
import {
  BID_BOND,
  DAY,
  GTIN,
  LOT,
  onboardSupplier,
  procure,
  startChain,
  STENTS,
  tenderTerms,
  type ChainStack,
  type Procurement,
} from "../../support/chain";
import { acceptedUnits } from "../../support/agreement-volumes";
import { indexLedger } from "../../support/indexer";

/**
 * The projections of the ledger's v2 facts agree with the contracts' own views, on both
 * engines: bonds forfeited, claimed and withdrawn; a cancelled tender; funded and accepted
 * volume; funding expiry and the consents on an order; a shipment's arrival and receiving
 * records, its dispute and a supplier's claim; trace events numbered per shipment; recalls
 * scoped, lifted and recalled again; invitations and members who left or were unbound; GTIN
 * registrations renewed; a budget set, adjusted by two approvers (another proposal withdrawn)
 * and charged by a funding; a consignment offered, elected, received, partly used and partly
 * returned; the fund's cover, prepayment and escrow, drawn by an order, spent on its delivery and
 * restored by its cancellation. One chain serves the file; each engine indexes it from scratch.
 */

const ZERO = ethers.ZeroAddress;
const RECALL_LOT = "RCL-V2";
const OTHER_GTIN = `0952012345679${gtinCheckDigit("0952012345679")}`;
const MA_DI = "MA.156.M0.100761.21234561";
const MA_KEY = productKeyOf("MA", MA_DI);

type Row = Record<string, unknown>;
const lc = (a: string) => a.toLowerCase();
const ms = (v: unknown) => new Date(v as string).getTime();

describe("ledger v2 projections against the chain's views", function () {
  let chain: ChainStack;
  let p: Procurement;
  let forfeitTender: bigint;
  let cancelledTender: bigint;
  let agreementB: bigint;
  let order2: bigint;
  let shipment2: bigint;
  let invited: HDNodeWallet;
  let withdrawn: HDNodeWallet;
  let unbound: HDNodeWallet;
  let budgetPeriod: number;
  let consignedOrder: bigint;
  let consignedShipment: bigint;
  let consumptionBatch: string;
  let payer: HDNodeWallet;
  let fundOrder: bigint;
  /** The last block of procure(): every v2 act of this file comes after it. */
  let procured: number;

  before(async function () {
    this.timeout(240_000);
    chain = await startChain();
    p = await procure(chain, 10);
    procured = await chain.provider.getBlockNumber();
    const { ledger, cast } = chain;
    const volumes = [{ hospital: cast.hospital.address, volume: 100n }];
    const tiers = [{ threshold: 0n, unitPrice: 9_000n }];

    // A tender where supplier2 commits and never reveals: its bond is forfeited at award and
    // the hospital claims it. Another, cancelled while the supplier's bid was in, which the
    // supplier then withdraws its bond from.
    await onboardSupplier(chain, cast.supplier2, "Beta Devices", "91320000Y");
    forfeitTender = await act.openTender(ledger, cast.regulator, tenderTerms(await chain.now()), volumes);
    await act.commitBid(ledger, cast.supplier, forfeitTender, tiers, ethers.id("s1"));
    await act.commitBid(ledger, cast.supplier2, forfeitTender, tiers, ethers.id("s2"));
    await chain.advance(DAY + 1);
    await act.revealBid(ledger, cast.supplier, forfeitTender, tiers, ethers.id("s1"));
    cancelledTender = await act.openTender(ledger, cast.regulator, tenderTerms(await chain.now()), volumes);
    await act.commitBid(ledger, cast.supplier, cancelledTender, tiers, ethers.id("s3"));
    await act.sent(ledger.tenders.connect(cast.regulator).cancelTender(cancelledTender, 4));
    await act.sent(ledger.tenders.connect(cast.supplier).withdrawBond(cancelledTender));
    await chain.advance(DAY + 1);
    [agreementB] = await act.finalizeTender(ledger, cast.admin, forfeitTender);
    await act.sent(ledger.tenders.connect(cast.hospital).claimForfeit(forfeitTender));

    // Budgets: this year's stents budget, raised by two approvers (a cut proposed and withdrawn),
    // charged by order 2's funding below.
    budgetPeriod = Number(await ledger.budgets.currentPeriod());
    const budget = { category: STENTS, period: budgetPeriod };
    await act.setBudget(ledger, cast.hospital, { ...budget, amount: 1_000_000n });
    const raise = await act.proposeBudgetAdjustment(ledger, cast.approver, {
      ...budget,
      delta: 500_000n,
      reasonCode: 301,
    });
    await act.confirmBudgetAdjustment(ledger, cast.approver2, raise);
    const cut = await act.proposeBudgetAdjustment(ledger, cast.approver2, {
      ...budget,
      delta: -1n,
      reasonCode: 302,
    });
    await act.sent(ledger.budgets.connect(cast.approver2).withdrawAdjustment(cut));

    // A campus transfer by the hospital's receiver, with its serials' root.
    await act.recordCampusTransfer(ledger, cast.receiver, {
      gtin: GTIN,
      lot: "LOT-T",
      from: "6900000000014",
      to: "6900000000021",
      quantity: 2,
      serials: ["T1", "T2"],
    });

    // Membership: an invitation left pending, one withdrawn, a member who joined and was
    // unbound by a regulator, and a member who left.
    [invited, withdrawn, unbound] = [14, 15, 16].map((i) => devWallet(i, chain.provider));
    const admin = ledger.hospitals.connect(cast.hospital);
    const { approver, receiver } = act.HOSPITAL_ROLES;
    await act.sent(admin.setMemberRoles(invited.address, approver));
    await act.sent(admin.setMemberRoles(withdrawn.address, receiver));
    await act.sent(admin.setMemberRoles(withdrawn.address, 0));
    await act.sent(admin.setMemberRoles(unbound.address, receiver));
    await act.sent(ledger.hospitals.connect(unbound).acceptMembership(cast.hospital.address));
    await act.sent(ledger.hospitals.connect(cast.regulator).unbindMember(unbound.address, 2));
    await act.sent(ledger.hospitals.connect(cast.approver2).leaveHospital());

    // An order under the new agreement with both consents, shipped, recorded on arrival and on
    // receipt, partly disputed and, the confirmation window over, settled by the supplier.
    order2 = await act.placeOrder(ledger, cast.hospital, {
      agreementId: agreementB,
      quantity: 5n,
      requestedDelivery: (await chain.now()) + 20 * DAY,
      reference: "PO-V2",
    });
    await act.sent(ledger.orderBook.connect(cast.supplier).consentToExcess(order2));
    await act.approveOrder(ledger, cast.approver, order2);
    await act.sent(ledger.orderBook.connect(cast.approver).allowLateShipment(order2));
    ({ shipmentId: shipment2 } = await act.createShipment(ledger, cast.supplier, {
      orderId: order2,
      gtin: GTIN,
      lot: LOT,
      expiry: (await chain.now()) + 365 * DAY,
      serials: ["V1", "V2", "V3", "V4", "V5"],
      notice: "DESADV-V2",
    }));
    const stepAt = (await chain.now()) - 60;
    for (const [actor, step] of [
      [cast.supplier, "arriving"],
      [cast.receiver, "receiving"],
      [cast.receiver, "inspecting"],
    ] as const) {
      // The supplier's arrival reports a temperature excursion, which an approver waives.
      await act.recordTrace(ledger, actor, shipment2, step, {
        location: step,
        eventTime: stepAt,
        excursion: step === "arriving",
      });
    }
    const record2 = await act.shipmentRecord(ledger, shipment2);
    await act.sent(ledger.trace.connect(cast.approver).waiveExcursion(shipment2, record2, 1));
    await act.sent(ledger.orderBook.connect(cast.approver).disputeShipment(shipment2, record2, 2, 7));
    await chain.advance(7 * DAY + 1);
    await act.sent(ledger.orderBook.connect(cast.supplier).claimSettlement(shipment2, record2));

    // The procured shipment, confirmed by the settler without any receiving record before.
    await act.confirmShipment(ledger, cast.settler, p.shipmentId, {
      accepted: 10,
      rejected: 0,
      receiptHash: ethers.id("GR-1"),
    });

    // A lot recalled by the regulator and lifted, recalled by the supplier for its own stock,
    // recalled by the regulator again, and the supplier's recall lifted.
    await act.offerConsignment(ledger, cast.supplier, p.agreementId);
    consignedOrder = await act.placeOrder(ledger, cast.hospital, {
      agreementId: p.agreementId,
      quantity: 4n,
      requestedDelivery: (await chain.now()) + 20 * DAY,
      reference: "PO-CONSIGN",
    });
    await act.electConsignment(ledger, cast.approver, consignedOrder);
    await act.approveOrder(ledger, cast.approver, consignedOrder);
    ({ shipmentId: consignedShipment } = await act.createShipment(ledger, cast.supplier, {
      orderId: consignedOrder,
      gtin: GTIN,
      lot: LOT,
      expiry: (await chain.now()) + 365 * DAY,
      serials: ["C1", "C2", "C3", "C4"],
      notice: "DESADV-CONSIGN",
    }));
    await act.confirmShipment(ledger, cast.settler, consignedShipment, {
      accepted: 4,
      rejected: 0,
      receiptHash: ethers.id("GR-CONSIGN"),
    });
    consumptionBatch = ethers.id("batch-v2");
    await act.confirmConsumption(ledger, cast.settler, consumptionBatch, [
      { shipmentId: consignedShipment, units: 1 },
    ]);
    // The hospital's return waits for the supplier, who confirms it has the unit.
    await act.returnConsignedStock(ledger, cast.hospital, consignedShipment, 1, 401);
    await act.confirmConsignedReturn(ledger, cast.supplier, consignedShipment);

    // The fund: a payer covers agreement B's tender with direct settlement, prepays the hospital
    // ¥500.00 and escrows ¥1,000.00; an order of 10 units (¥900.00) draws ¥500.00 and ¥400.00;
    // 4 units are delivered and settled (¥360.00 of the fund's money) and, the supplier agreeing,
    // the rest is cancelled: its ¥540.00 goes back to the escrow first (¥400.00), then the
    // prepayment (¥140.00).
    payer = devWallet(17, chain.provider);
    await act.grantPayer(ledger, cast.regulator, payer.address);
    await act.sent(ledger.token.connect(cast.admin).mint(payer.address, 1_000_000n));
    await act.sent(ledger.token.connect(payer).approve(await ledger.fund.getAddress(), ethers.MaxUint256));
    await act.coverTender(ledger, payer, forfeitTender, 3_000, true);
    const account = { agreementId: agreementB, hospital: cast.hospital.address };
    await act.payIntoFund(ledger, payer, { ...account, amount: 50_000n });
    await act.payIntoFund(ledger, payer, { ...account, amount: 100_000n, escrow: true });
    fundOrder = await act.placeOrder(ledger, cast.hospital, {
      agreementId: agreementB,
      quantity: 10n,
      requestedDelivery: (await chain.now()) + 20 * DAY,
      reference: "PO-FUND",
    });
    await act.approveOrder(ledger, cast.approver, fundOrder);
    const { shipmentId: fundShipment } = await act.createShipment(ledger, cast.supplier, {
      orderId: fundOrder,
      gtin: GTIN,
      lot: LOT,
      expiry: (await chain.now()) + 365 * DAY,
      serials: ["F1", "F2", "F3", "F4"],
      notice: "DESADV-FUND",
    });
    await act.confirmShipment(ledger, cast.settler, fundShipment, {
      accepted: 4,
      rejected: 0,
      receiptHash: ethers.id("GR-FUND"),
    });
    await act.sent(ledger.orderBook.connect(cast.supplier).agreeToCancel(fundOrder));
    await act.sent(ledger.orderBook.connect(cast.hospital).cancelOrder(fundOrder));

    const trace = ledger.trace;
    const gtin = BigInt(GTIN);
    await act.sent(trace.connect(cast.regulator).recall(gtin, RECALL_LOT, 1));
    await act.sent(trace.connect(cast.regulator).liftRecall(gtin, RECALL_LOT, ZERO, 2));
    await act.sent(trace.connect(cast.supplier).recall(gtin, RECALL_LOT, 3));
    await act.sent(trace.connect(cast.regulator).recall(gtin, RECALL_LOT, 4));
    await act.sent(trace.connect(cast.regulator).liftRecall(gtin, RECALL_LOT, cast.supplier.address, 5));

    // A later certificate for the GTIN, another one and an MA device's product key: the GTIN's
    // registration moves to it.
    expect(await act.declareDeviceIdentifier(ledger, cast.supplier, "MA", MA_DI)).to.equal(MA_KEY);
    const now = await chain.now();
    await act.registerProducts(ledger, cast.regulator, cast.supplier, {
      gtins: [GTIN, OTHER_GTIN, MA_KEY],
      categories: [STENTS],
      validFrom: now,
      validUntil: now + 5 * 365 * DAY,
    });
  });

  after(async () => {
    await chain?.stop();
  });

  forEachEngine((engine) => {
    let db: Db;
    const rows = async (sql: string, params: unknown[] = []) => (await db.query<Row>(sql, params)).rows;

    /** A window reaching back to the deployment: every projection change stays undoable. */
    const wholeChain = async () =>
      (await chain.provider.getBlockNumber()) - chain.deployment.deploymentBlock + 1;
    const indexed = ["chain_events", ...PROJECTION_TABLES];
    const dump = async () => {
      const out: Record<string, string[]> = {};
      for (const table of indexed)
        out[table] = (await rows(`SELECT * FROM ${table}`)).map((r) => JSON.stringify(r)).sort();
      return out;
    };
    const reindex = async (options: { confirmations?: number } = {}) => {
      await db.query(`TRUNCATE indexer_undo, indexer_blocks, ${indexed.join(", ")}`);
      await indexLedger(db, chain, { reorgWindow: await wholeChain(), ...options });
    };

    before(async function () {
      db = engine.db;
      await migrate(db);
      await indexLedger(db, chain, { reorgWindow: await wholeChain() });
    });

    it("tenders: the bond forfeited at award and the hospital's claim, the cancelled tender's bond withdrawn", async function () {
      const { cast, ledger } = chain;
      const [forfeit] = await rows(`SELECT * FROM tenders WHERE id = $1`, [forfeitTender]);
      expect(forfeit).to.include({ status: "awarded", forfeited: BID_BOND.toString() });
      // One hospital with all the volume: its share is the whole forfeit, now claimed.
      expect(forfeit.hospitals).to.deep.equal([
        { hospital: lc(cast.hospital.address), volume: "100", forfeitClaimed: BID_BOND.toString() },
      ]);
      expect(await ledger.tenders.forfeitShare(forfeitTender, cast.hospital.address)).to.equal(0n);
      const [cancelled] = await rows(`SELECT * FROM tenders WHERE id = $1`, [cancelledTender]);
      expect(cancelled).to.include({ status: "cancelled", forfeited: "0" });

      const bids = await rows(`SELECT * FROM bids WHERE tender_id IN ($1, $2) ORDER BY tender_id, bidder`, [
        forfeitTender,
        cancelledTender,
      ]);
      for (const b of bids) {
        const onChain = await ledger.tenders.bid(BigInt(b.tender_id as string), b.bidder as string);
        expect(b, `${b.tender_id}/${b.bidder}`).to.include({
          bond: BID_BOND.toString(),
          bond_returned: onChain.bondReturned,
          revealed: onChain.revealed,
        });
        expect(ms(b.committed_at)).to.equal(Number(onChain.committedAt) * 1000);
        expect((b.commitment as string).slice(0, 50)).to.equal(onChain.commitment);
      }
      const summary = bids.map((b) => [b.tender_id, b.bidder, b.revealed, b.bond_returned, b.won]);
      expect(summary).to.have.deep.members([
        [String(forfeitTender), lc(cast.supplier.address), true, true, true],
        [String(forfeitTender), lc(cast.supplier2.address), false, false, false],
        [String(cancelledTender), lc(cast.supplier.address), false, true, false],
      ]);
    });

    it("agreements: funded volume from the book's hospital positions, accepted units from the settlements", async function () {
      const { ledger, cast } = chain;
      for (const id of [p.agreementId, agreementB]) {
        const onChain = await ledger.agreements.agreement(id);
        const position = await ledger.agreements.hospitalVolume(id, cast.hospital.address);
        const [a] = await rows(`SELECT * FROM agreements WHERE id = $1`, [id]);
        expect(a, `agreement ${id}`).to.include({
          // The book keeps funded volume per hospital only; each tender here has one hospital.
          funded_volume: position.funded.toString(),
          accepted_volume: onChain.acceptedVolume.toString(),
          funding_window: Number(onChain.terms.fundingWindow),
          receiving_window: Number(onChain.terms.receivingWindow),
          confirm_window: Number(onChain.terms.confirmWindow),
        });
        expect(await rows(`SELECT * FROM agreement_hospitals WHERE agreement_id = $1`, [id])).to.deep.equal([
          {
            agreement_id: String(id),
            hospital: lc(cast.hospital.address),
            committed: position.committed.toString(),
            ordered: position.funded.toString(),
            accepted: (await acceptedUnits(ledger, id, cast.hospital.address)).toString(),
          },
        ]);
      }
      // The procured order's 10 units and order 2's 5 are funded; the claim accepted 3 of order
      // 2's 5 units, the settler all 10 of the procured order's. Agreement B also took the fund's
      // order: 4 of its 10 units delivered and accepted, the other 6 cancelled.
      const volumes = await rows(
        `SELECT funded_volume, accepted_volume FROM agreements WHERE id IN ($1, $2) ORDER BY id`,
        [p.agreementId, agreementB],
      );
      // The procured agreement also funded the 4 consigned units; of the 4 taken into custody only
      // the one used counts toward its tier position (one was given back, two are on hand).
      expect(volumes).to.deep.equal([
        { funded_volume: "14", accepted_volume: "11" },
        { funded_volume: "9", accepted_volume: "7" },
      ]);
    });

    it("orders: the escrow funding took, funding expiry and the supplier's and hospital's consents", async function () {
      const onChain = await chain.ledger.orderBook.order(order2);
      const [o] = await rows(`SELECT * FROM orders WHERE id = $1`, [order2]);
      const [funded] = await chain.ledger.orderBook.queryFilter(
        chain.ledger.orderBook.filters.OrderFunded(order2),
      );
      expect(o).to.include({
        value: funded.args.amount.toString(),
        excess_consented: true,
        late_shipment_allowed: true,
        // 3 accepted, 2 disputed and so rejected back to the order: still funded.
        status: ORDER_STATUS[Number(onChain.status)],
        shipped: onChain.shipped.toString(),
        accepted: onChain.accepted.toString(),
        cancelled: onChain.cancelled.toString(),
        escrow: onChain.escrow.toString(),
      });
      expect(onChain.excessConsented && onChain.lateShipmentAllowed).to.equal(true);
      expect(o.status).to.equal("funded");
      expect(ms(o.funding_expires_at)).to.equal(Number(onChain.fundingExpiresAt) * 1000);
    });

    it("shipments: hospital, lot key, the arrival and receiving records, the dispute and the settlement", async function () {
      const { ledger, cast } = chain;
      for (const id of [p.shipmentId, shipment2]) {
        const state = await ledger.trace.shipmentState(id);
        const record = await act.shipmentRecord(ledger, id);
        const [s] = await rows(`SELECT * FROM shipments WHERE id = $1`, [id]);
        expect(s, `shipment ${id}`).to.include({
          hospital: lc(record.hospital as string),
          lot_key: await ledger.trace.lotKey(record.gtin, record.lot),
          confirmed: state.confirmed,
        });
        expect(ms(s.created_at)).to.equal(Number(record.createdAt) * 1000);
        expect(s.arrived_at === null ? 0 : ms(s.arrived_at)).to.equal(Number(state.arrivedAt) * 1000);
        expect(ms(s.chain_received_at)).to.equal(Number(state.receivedAt) * 1000);
      }
      const [s2] = await rows(
        `SELECT disputed_units, dispute_reason, arrived_at FROM shipments WHERE id = $1`,
        [shipment2],
      );
      expect(s2).to.include({ disputed_units: "2", dispute_reason: 7 });
      expect(s2.arrived_at).to.not.equal(null);
      // No receiving step for the procured shipment: its settlement is its receiving record.
      const [settled] = await ledger.orderBook.queryFilter(
        ledger.orderBook.filters.ShipmentSettled(p.shipmentId),
      );
      const block = await chain.provider.getBlock(settled.blockNumber);
      const [s1] = await rows(`SELECT arrived_at, chain_received_at FROM shipments WHERE id = $1`, [
        p.shipmentId,
      ]);
      expect(s1.arrived_at).to.equal(null);
      expect(ms(s1.chain_received_at)).to.equal(block!.timestamp * 1000);
      expect(cast.settler.address).to.equal(settled.args.settledBy);
    });

    it("trace events: numbered per shipment in block and log order", async function () {
      const events = await rows(
        `SELECT event_index, step, actor FROM trace_events WHERE shipment_id = $1 ORDER BY event_index`,
        [shipment2],
      );
      const { supplier, receiver } = chain.cast;
      expect(events).to.deep.equal([
        { event_index: 1, step: "arriving", actor: lc(supplier.address) },
        { event_index: 2, step: "receiving", actor: lc(receiver.address) },
        { event_index: 3, step: "inspecting", actor: lc(receiver.address) },
      ]);
    });

    it("settlements: the delivery time the chain judged at, and who settled", async function () {
      const { ledger, cast } = chain;
      const settled = await rows(`SELECT * FROM settlements ORDER BY shipment_id`);
      const events = await ledger.orderBook.queryFilter(ledger.orderBook.filters.ShipmentSettled());
      // The procured shipment, the claimed one, the consigned one and the fund-drawn one.
      expect(events).to.have.length(4);
      expect(settled).to.have.length(4);
      for (const e of events) {
        const row = settled.find((r) => r.shipment_id === e.args.shipmentId.toString())!;
        expect(row).to.include({
          settled_by: lc(e.args.settledBy),
          accepted: e.args.confirmation.accepted.toString(),
          rejected: e.args.confirmation.rejected.toString(),
          gross: e.args.payout.gross.toString(),
          paid: e.args.payout.paid.toString(),
          days_late: Number(e.args.payout.daysLate),
        });
        expect(ms(row.delivered_at)).to.equal(Number(e.args.payout.deliveredAt) * 1000);
      }
      // The supplier's claim settled the undisputed units and rejected the disputed ones.
      const claim = settled.find((r) => r.shipment_id === String(shipment2))!;
      expect(claim).to.include({ settled_by: lc(cast.supplier.address), accepted: "3", rejected: "2" });
    });

    it("recalls: one row per recall with its scope and lift; the open ones are what isRecalled answers", async function () {
      const { ledger, cast } = chain;
      const recalls = await rows(
        `SELECT scope, recalled_by, reason_code, lifted_by, lift_reason_code FROM recalls
         WHERE gtin = $1 AND lot = $2 ORDER BY block_number, log_index`,
        [GTIN, RECALL_LOT],
      );
      const [regulator, supplier] = [lc(cast.regulator.address), lc(cast.supplier.address)];
      expect(recalls).to.deep.equal([
        { scope: ZERO, recalled_by: regulator, reason_code: 1, lifted_by: regulator, lift_reason_code: 2 },
        { scope: supplier, recalled_by: supplier, reason_code: 3, lifted_by: regulator, lift_reason_code: 5 },
        { scope: ZERO, recalled_by: regulator, reason_code: 4, lifted_by: null, lift_reason_code: null },
      ]);
      const open = await rows(`SELECT scope FROM recalls WHERE lot = $1 AND lifted_at IS NULL`, [RECALL_LOT]);
      for (const who of [cast.supplier, cast.supplier2]) {
        const covered = open.some((r) => r.scope === ZERO || r.scope === lc(who.address));
        expect(await ledger.trace.isRecalled(BigInt(GTIN), RECALL_LOT, who.address)).to.equal(covered);
      }
    });

    it("campus transfers: as their events state them, GLNs as 13 digits", async function () {
      const { ledger, cast } = chain;
      const transfers = await rows(`SELECT * FROM campus_transfers`);
      expect(transfers).to.have.lengthOf(Number(await ledger.campusTransfers.transferCount()));
      expect(transfers[0]).to.deep.include({
        hospital: lc(cast.hospital.address),
        from_gln: "6900000000014",
        to_gln: "6900000000021",
        gtin: GTIN,
        lot: "LOT-T",
        quantity: "2",
        serials_root: act.serialTree(["T1", "T2"]).root,
        recorded_by: lc(cast.receiver.address),
      });
    });

    it("budgets and their adjustments: as the budget book has them", async function () {
      const { ledger, cast } = chain;
      const hospital = cast.hospital.address;
      const [b] = await rows(`SELECT * FROM budgets`);
      const onChain = await ledger.budgets.budget(hospital, STENTS, budgetPeriod);
      expect([b.hospital, b.category, b.period, b.amount, b.spent]).to.deep.equal([
        lc(hospital),
        STENTS,
        budgetPeriod,
        String(onChain.amount),
        String(onChain.spent),
      ]);
      // Order 2 charged it: what it still holds in escrow plus what its supplier was paid; the
      // consigned order: what its consigned stock still holds plus the unit used (the returned
      // unit went back to the budget); and the fund-drawn order, whatever paid for it: what its
      // delivery cost (its cancelled rest went back).
      const paidFor = async (orderId: bigint) =>
        (await ledger.orderBook.queryFilter(ledger.orderBook.filters.ShipmentSettled(undefined, orderId)))[0]
          .args.payout.paid;
      const consigned = await ledger.consignment.stock(consignedShipment);
      expect(onChain.spent).to.equal(
        (await ledger.orderBook.order(order2)).escrow +
          (await paidFor(order2)) +
          consigned.held +
          10_000n +
          (await paidFor(fundOrder)),
      );
      const adjustments = await rows(`SELECT * FROM budget_adjustments ORDER BY id`);
      expect(adjustments).to.have.lengthOf(Number(await ledger.budgets.adjustmentCount()));
      const statuses = ["none", "proposed", "applied", "withdrawn"];
      for (const r of adjustments) {
        const a = await ledger.budgets.adjustment(r.id as string);
        expect([r.status, r.delta, r.reason_code, r.proposer, r.period]).to.deep.equal([
          statuses[Number(a.status)],
          String(a.delta),
          Number(a.reasonCode),
          lc(a.proposer),
          Number(a.period),
        ]);
      }
      expect(adjustments.map((r) => [r.status, r.decided_by, r.new_amount])).to.deep.equal([
        ["applied", lc(cast.approver2.address), "1500000"],
        ["withdrawn", lc(cast.approver2.address), null],
      ]);
    });

    it("hospital members and invitations: as the registry has them", async function () {
      const { ledger, cast } = chain;
      const hospital = cast.hospital.address;
      const members = new Map(
        (await rows(`SELECT member, roles FROM hospital_members`)).map((r) => [r.member, r.roles]),
      );
      const invitations = await rows(
        `SELECT member, roles, invited_at FROM hospital_invitations WHERE hospital = $1`,
        [lc(hospital)],
      );
      const invitedRoles = new Map(invitations.map((r) => [r.member, r.roles]));
      for (const w of [
        cast.approver,
        cast.approver2,
        cast.settler,
        cast.receiver,
        invited,
        withdrawn,
        unbound,
      ]) {
        const a = lc(w.address);
        expect(members.get(a) ?? 0, `member ${a}`).to.equal(
          Number(await ledger.hospitals.memberRoles(hospital, a)),
        );
        expect(invitedRoles.get(a) ?? 0, `invitation ${a}`).to.equal(
          Number(await ledger.hospitals.invitation(hospital, a)),
        );
      }
      // Only the pending invitation is left; the one who left and the one unbound are gone.
      expect(invitations.map((r) => r.member)).to.deep.equal([lc(invited.address)]);
      expect(members.has(lc(cast.approver2.address)) || members.has(lc(unbound.address))).to.equal(false);
    });

    it("GTIN registrations: the current certificate per supplier and GTIN, and the GTINs each declared", async function () {
      const { ledger, cast } = chain;
      const registered = await rows(`SELECT * FROM supplier_gtins ORDER BY supplier, gtin`);
      const events = await ledger.registry.queryFilter(ledger.registry.filters.GtinRegistered());
      const latest = new Map(events.map((e) => [`${lc(e.args.supplier)}:${e.args.gtin}`, e.args]));
      expect(registered.map((r) => [r.supplier, r.gtin])).to.deep.equal(
        [
          [lc(cast.supplier.address), GTIN],
          [lc(cast.supplier.address), OTHER_GTIN],
          [lc(cast.supplier.address), MA_KEY],
          [lc(cast.supplier2.address), GTIN],
        ].sort((x, y) => (x.join() < y.join() ? -1 : 1)),
      );
      for (const r of registered) {
        const e = latest.get(`${r.supplier}:${BigInt(r.gtin as string)}`)!;
        expect(r.document_id).to.equal(e.documentId.toString());
        const [from, until] = [ms(r.valid_from) / 1000, ms(r.valid_until) / 1000];
        expect([from, until]).to.deep.equal([Number(e.validFrom), Number(e.validUntil)]);
        const at = (t: number) =>
          ledger.registry.isGtinRegistered(r.supplier as string, BigInt(r.gtin as string), t);
        expect([await at(from), await at(until), await at(until + 1)]).to.deep.equal([true, true, false]);
      }
      // The renewal is the supplier's current certificate for both GTINs.
      const docs = await rows(`SELECT id, gtins FROM supplier_documents WHERE gtins IS NOT NULL ORDER BY id`);
      expect(docs.map((d) => d.gtins)).to.deep.equal([[GTIN], [GTIN], [GTIN, OTHER_GTIN, MA_KEY]]);
      const renewal = docs[2].id;
      expect(registered.filter((r) => r.document_id === renewal)).to.have.length(3);
    });

    it("device identifiers: the MA identifier its supplier declared, under its product key", async function () {
      const declared = await rows(
        `SELECT product_key, agency, device_identifier, declared_by FROM device_identifiers`,
      );
      expect(declared).to.deep.equal([
        {
          product_key: MA_KEY,
          agency: "MA",
          device_identifier: MA_DI,
          declared_by: lc(chain.cast.supplier.address),
        },
      ]);
    });

    it("consignment: terms, the elected order, the stock and its movements as the book has them", async function () {
      const { consignment } = chain.ledger;
      const st = await consignment.stock(consignedShipment);
      const [stock] = await rows(`SELECT * FROM consigned_stock WHERE shipment_id = $1`, [
        consignedShipment.toString(),
      ]);
      expect([
        stock.received,
        stock.used,
        stock.returned,
        stock.expired,
        stock.held,
        stock.paid,
        stock.refunded,
      ]).to.deep.equal([
        Number(st.received),
        Number(st.used),
        Number(st.returned),
        Number(st.expired),
        st.held.toString(),
        "10000",
        "10000",
      ]);
      expect([stock.order_id, stock.hospital, stock.supplier]).to.deep.equal([
        consignedOrder.toString(),
        lc(chain.cast.hospital.address),
        lc(chain.cast.supplier.address),
      ]);
      const [terms] = await rows(`SELECT * FROM consignment_terms WHERE agreement_id = $1`, [
        p.agreementId.toString(),
      ]);
      expect([terms.supplier, terms.hospital_bears_expiry]).to.deep.equal([
        lc(chain.cast.supplier.address),
        false,
      ]);
      const [elected] = await rows(`SELECT * FROM consigned_orders WHERE order_id = $1`, [
        consignedOrder.toString(),
      ]);
      expect(elected.elected_by).to.equal(lc(chain.cast.approver.address));
      const moves = await rows(
        `SELECT kind, units, amount, to_supplier, batch_id, reason_code FROM consignment_movements
         WHERE shipment_id = $1 ORDER BY block_number, log_index`,
        [consignedShipment.toString()],
      );
      expect(moves).to.deep.equal([
        {
          kind: "consumption",
          units: 1,
          amount: "10000",
          to_supplier: true,
          batch_id: consumptionBatch,
          reason_code: null,
        },
        {
          kind: "return-requested",
          units: 1,
          amount: "10000",
          to_supplier: false,
          batch_id: null,
          reason_code: 401,
        },
        {
          kind: "return-confirmed",
          units: 1,
          amount: "10000",
          to_supplier: false,
          batch_id: null,
          reason_code: 401,
        },
      ]);
      const [batch] = await rows(
        `SELECT units, amount, settled_by FROM consumption_batches WHERE batch_id = $1`,
        [consumptionBatch],
      );
      expect(batch).to.deep.equal({ units: 1, amount: "10000", settled_by: lc(chain.cast.settler.address) });
    });

    it("fund: the cover and every movement, whose sums are the fund book's balances", async function () {
      const { fund } = chain.ledger;
      const hospital = lc(chain.cast.hospital.address);
      const [cover] = await rows(`SELECT * FROM fund_covers WHERE tender_id = $1`, [String(forfeitTender)]);
      const c = await fund.covers(forfeitTender);
      expect([cover.payer, cover.prepay_share_bps, cover.direct]).to.deep.equal([
        lc(c.payer),
        Number(c.prepayShareBps),
        c.direct,
      ]);
      const moves = await rows(
        `SELECT kind, order_id::text, shipment_id::text, prepayment::text, escrow::text, amount::text
         FROM fund_movements WHERE agreement_id = $1 AND hospital = $2 ORDER BY block_number, log_index`,
        [String(agreementB), hospital],
      );
      expect(moves.map((m) => [m.kind, m.prepayment, m.escrow, m.amount])).to.deep.equal([
        ["prepaid", "50000", "0", "50000"],
        ["escrowed", "0", "100000", "100000"],
        ["drawn", "-50000", "-40000", "90000"],
        ["spent", "0", "0", "36000"],
        ["restored", "14000", "40000", "54000"],
      ]);
      expect(
        moves.filter((m) => m.kind !== "prepaid" && m.kind !== "escrowed").map((m) => m.order_id),
      ).to.deep.equal([String(fundOrder), String(fundOrder), String(fundOrder)]);
      const a = await fund.accounts(agreementB, chain.cast.hospital.address);
      const sum = (k: "prepayment" | "escrow") => moves.reduce((t, m) => t + BigInt(m[k] as string), 0n);
      expect([sum("prepayment"), sum("escrow")]).to.deep.equal([a.prepayment, a.escrow]);
      expect(await fund.totalDrawn()).to.equal(36_000n);
    });

    it("a rewind to a past block takes back exactly what the later blocks changed: the index up to that block", async function () {
      const tip = await chain.provider.getBlockNumber();
      // Every v2 act above inserted, updated or deleted rows of some projection.
      const full = await dump();
      await db.transaction((tx) => rewindTo(tx, procured));
      const rewound = await dump();
      expect(rewound).to.not.deep.equal(full);
      await reindex({ confirmations: tip - procured });
      expect(rewound).to.deep.equal(await dump());
      await reindex(); // the whole chain again, for the next test
    });

    it("a rewind to before the deployment takes back every projection change, leaving every table empty", async function () {
      const tables = async () => {
        const names = await rows(
          `SELECT table_name FROM information_schema.tables
           WHERE table_schema = current_schema() AND table_type = 'BASE TABLE' ORDER BY table_name`,
        );
        const filled: string[] = [];
        for (const { table_name: name } of names) {
          const [{ n }] = await rows(`SELECT count(*)::int AS n FROM ${name as string}`);
          if ((n as number) > 0) filled.push(name as string);
        }
        return filled;
      };
      // Every projection got rows from this chain (required kinds are never changed on it).
      expect(await tables()).to.include.members(PROJECTION_TABLES.filter((t) => t !== "required_kinds"));
      await db.transaction((tx) => rewindTo(tx, chain.deployment.deploymentBlock - 1));
      expect(await tables()).to.deep.equal(["schema_migrations"]);
    });
  });
});
