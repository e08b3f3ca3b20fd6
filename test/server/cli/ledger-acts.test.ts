import { readFileSync } from "node:fs";
import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import * as act from "../../../ledger/acts";
import { deployLedger, deploymentRecord, type Ledger } from "../../../ledger/contracts";
import { ReentrantToken__factory } from "../../../typechain-types";
import { DAY, useCliHarness } from "./harness";

/**
 * The CLI's commands for the acts the v2 ledger added — membership, bonds and forfeits, excess
 * volume, permits, late shipments, cancellation by agreement, confirmation, disputes, claims,
 * excursion waivers, refunds, carriers, lifting recalls, pausing — each run to success with its
 * exact effect on chain, and to a refusal that prints the ledger's custom error decoded. The
 * ledger state each needs is set up through scripts/lib/actions.ts; no gateway is involved.
 */

const GTIN = "09520123456788";
const STENTS = act.categoryCode("C0401-DES");
const BOND = 50_000n;
const TIERS = [
  { threshold: 0n, unitPrice: 10_000n },
  { threshold: 100n, unitPrice: 9_000n },
];

describe("sunshine CLI: ledger acts", function () {
  this.timeout(300_000);

  const h = useCliHarness({ gateway: false, name: "cli-acts" });
  const { ok, fails, field, file } = h;
  let L: Ledger;
  let admin: HDNodeWallet;
  let regulator: HDNodeWallet;
  let supplier: HDNodeWallet;
  let cover: HDNodeWallet;
  let hospital: HDNodeWallet;
  let approver: HDNodeWallet;
  let settler: HDNodeWallet;
  let receiver: HDNodeWallet;
  let hospital2: HDNodeWallet;
  let approver2: HDNodeWallet;
  let stranger: HDNodeWallet;
  let hospital3: HDNodeWallet;
  let member: HDNodeWallet;
  let carrier: HDNodeWallet;
  /** The agreement of the tender run in `before`: the hospital committed 100 units, hospital2 50. */
  let agreementId: bigint;

  function terms(now: number, overrides: Record<string, unknown> = {}) {
    return {
      category: STENTS,
      reservePrice: 1_000_000n,
      commitDeadline: now + DAY,
      revealDeadline: now + 2 * DAY,
      termSeconds: 365 * DAY,
      leadTimeDays: 5,
      penaltyBpsPerDay: 50,
      penaltyCapBps: 1000,
      winners: 1,
      bidBond: BOND,
      fundingWindow: 7 * DAY,
      receivingWindow: DAY,
      confirmWindow: 2 * DAY,
      ...overrides,
    };
  }

  /** Opens a tender, has each bidder commit (bond minted first) and the revealers reveal; returns its id. */
  async function tender(
    ledger: Ledger,
    hospitals: { hospital: string; volume: bigint }[],
    bidders: { bidder: HDNodeWallet; reveal: boolean }[],
    reveal = true,
  ): Promise<bigint> {
    const id = await act.openTender(ledger, regulator, terms(await h.now()), hospitals);
    for (const { bidder } of bidders) {
      await act.sent(ledger.token.connect(admin).mint(bidder.address, BOND));
      await act.commitBid(ledger, bidder, id, TIERS, ethers.id(`salt-${id}`));
    }
    if (!reveal) return id;
    await h.advance(DAY + 1);
    for (const { bidder } of bidders.filter((b) => b.reveal))
      await act.revealBid(ledger, bidder, id, TIERS, ethers.id(`salt-${id}`));
    await h.advance(DAY + 1);
    return id;
  }

  async function fundedOrder(quantity: bigint, by = hospital, approverOf = approver): Promise<bigint> {
    const orderId = await act.placeOrder(L, by, {
      agreementId,
      quantity,
      requestedDelivery: (await h.now()) + 10 * DAY,
      reference: `PO-${quantity}-${await h.now()}`,
    });
    await act.approveOrder(L, approverOf, orderId);
    return orderId;
  }

  async function ship(orderId: bigint, lot: string, n: number): Promise<bigint> {
    const serials = Array.from({ length: n }, (_, i) => `${lot}-${i + 1}`);
    const { shipmentId } = await act.createShipment(L, supplier, {
      orderId,
      gtin: GTIN,
      lot,
      expiry: (await h.now()) + 365 * DAY,
      serials,
      notice: `DESADV-${lot}`,
    });
    return shipmentId;
  }

  before(async function () {
    this.timeout(120_000);
    L = h.ledger;
    [admin, regulator, supplier, cover, hospital, approver] = [0, 1, 2, 3, 4, 5].map(h.w);
    [settler, receiver, hospital2, approver2, stranger] = [7, 8, 9, 10, 11].map(h.w);
    [hospital3, member, carrier] = [13, 14, 15].map(h.w);
    const now = await h.now();
    for (const [s, name] of [
      [supplier, "Acme"],
      [cover, "Cover"],
    ] as const) {
      await act.registerSupplier(L, s, name, `REG-${name}`);
      await act.qualifySupplier(L, regulator, s, [STENTS], now - DAY, now + 3 * 365 * DAY);
    }
    await act.registerProducts(L, regulator, supplier, {
      gtins: [GTIN],
      categories: [STENTS],
      validFrom: now - DAY,
      validUntil: now + 3 * 365 * DAY,
    });
    await act.enrolHospital(
      L,
      regulator,
      hospital,
      "General",
      [
        { member: approver, roles: act.HOSPITAL_ROLES.approver },
        { member: settler, roles: act.HOSPITAL_ROLES.settler },
        { member: receiver, roles: act.HOSPITAL_ROLES.receiver },
      ],
      10_000_000n,
    );
    await act.sent(L.token.connect(admin).mint(hospital.address, 100_000_000n));
    // Hospital 2 gives the order book no allowance: its orders are funded with permits.
    await act.sent(L.hospitals.connect(regulator).enrolHospital(hospital2.address, ethers.id("Second")));
    await act.sent(
      L.hospitals.connect(hospital2).setMemberRoles(approver2.address, act.HOSPITAL_ROLES.approver),
    );
    await act.sent(L.hospitals.connect(approver2).acceptMembership(hospital2.address));
    await act.sent(L.hospitals.connect(hospital2).setApprovalThreshold(10_000_000n));
    await act.sent(L.token.connect(admin).mint(hospital2.address, 100_000_000n));

    const id = await tender(
      L,
      [
        { hospital: hospital.address, volume: 100n },
        { hospital: hospital2.address, volume: 50n },
      ],
      [{ bidder: supplier, reveal: true }],
    );
    [agreementId] = await act.finalizeTender(L, regulator, id);
  });

  // -------------------------------------------------------------------------------------------
  // hospitals and members
  // -------------------------------------------------------------------------------------------

  describe("hospitals and members", () => {
    it("regulator enrol-hospital: enrols the account under its name's hash; twice is HospitalAlreadyEnrolled", async () => {
      const args = [
        "regulator",
        "enrol-hospital",
        "--hospital",
        hospital3.address,
        "--name",
        "Riverside Hospital",
      ];
      const out = ok(await h.as(regulator, args));
      expect(field(out, "nameHash")).to.equal(ethers.id("Riverside Hospital"));
      expect(await L.hospitals.isEnrolled(hospital3.address)).to.equal(true);
      fails(
        await h.as(regulator, args),
        new RegExp(`^error: HospitalAlreadyEnrolled\\(hospital=${hospital3.address}\\)$`),
      );
    });

    it("hospital set-member: invites (a member only once it accepts) and withdraws; a non-hospital is HospitalNotEnrolled", async () => {
      const invited = ok(
        await h.as(hospital3, [
          "hospital",
          "set-member",
          "--member",
          member.address,
          "--roles",
          "approver,receiver",
        ]),
      );
      expect(field(invited, "status")).to.equal("invited");
      expect(field(invited, "roles")).to.equal("approver, receiver");
      expect(await L.hospitals.invitation(hospital3.address, member.address)).to.equal(5n);
      expect(await L.hospitals.memberRoles(hospital3.address, member.address)).to.equal(0n);

      ok(
        await h.as(hospital3, ["hospital", "set-member", "--member", stranger.address, "--roles", "settler"]),
      );
      const withdrawn = ok(
        await h.as(hospital3, ["hospital", "set-member", "--member", stranger.address, "--roles", "none"]),
      );
      expect(field(withdrawn, "status")).to.equal("invitation withdrawn");
      expect(await L.hospitals.invitation(hospital3.address, stranger.address)).to.equal(0n);

      fails(
        await h.as(stranger, ["hospital", "set-member", "--member", member.address, "--roles", "approver"]),
        new RegExp(`^error: HospitalNotEnrolled\\(hospital=${stranger.address}\\)$`),
      );
    });

    it("hospital accept-membership: the invited account joins with the invited roles; without an invitation it is HospitalNoInvitation", async () => {
      const out = ok(await h.as(member, ["hospital", "accept-membership", hospital3.address]));
      expect(field(out, "roles")).to.equal("approver, receiver");
      expect(await L.hospitals.memberRoles(hospital3.address, member.address)).to.equal(5n);
      expect(await L.hospitals.hospitalOf(member.address)).to.equal(hospital3.address);
      fails(
        await h.as(stranger, ["hospital", "accept-membership", "--hospital", hospital3.address]),
        new RegExp(
          `^error: HospitalNoInvitation\\(hospital=${hospital3.address}, member=${stranger.address}\\)$`,
        ),
      );
    });

    it("hospital set-threshold: sets the two-approver threshold; a member is not the hospital (HospitalNotEnrolled)", async () => {
      const out = ok(await h.as(hospital3, ["hospital", "set-threshold", "2500000"]));
      expect(field(out, "threshold")).to.equal("2500000");
      expect(await L.hospitals.approvalThreshold(hospital3.address)).to.equal(2_500_000n);
      fails(
        await h.as(member, ["hospital", "set-threshold", "--amount", "1"]),
        new RegExp(`^error: HospitalNotEnrolled\\(hospital=${member.address}\\)$`),
      );
    });

    it("hospital leave-hospital: the member leaves; leaving again is HospitalNotMember", async () => {
      const out = ok(await h.as(member, ["hospital", "leave-hospital"]));
      expect(field(out, "hospital")).to.equal(hospital3.address);
      expect(await L.hospitals.hospitalOf(member.address)).to.equal(ethers.ZeroAddress);
      fails(
        await h.as(member, ["hospital", "leave-hospital"]),
        new RegExp(`^error: HospitalNotMember\\(account=${member.address}\\)$`),
      );
    });

    it("regulator unbind-member: removes a member from its hospital; the hospital itself may not (LedgerUnauthorized)", async () => {
      await act.sent(
        L.hospitals.connect(hospital3).setMemberRoles(member.address, act.HOSPITAL_ROLES.receiver),
      );
      await act.sent(L.hospitals.connect(member).acceptMembership(hospital3.address));
      fails(
        await h.as(hospital3, ["regulator", "unbind-member", member.address]),
        new RegExp(`^error: LedgerUnauthorized\\(account=${hospital3.address}, role=REGULATOR_ROLE\\)$`),
      );
      const out = ok(
        await h.as(regulator, [
          "regulator",
          "unbind-member",
          "--member",
          member.address,
          "--reason",
          "member_left",
        ]),
      );
      expect(field(out, "hospital")).to.equal(hospital3.address);
      expect(await L.hospitals.hospitalOf(member.address)).to.equal(ethers.ZeroAddress);
      const [unbound] = await L.hospitals.queryFilter(L.hospitals.filters.MemberUnbound(hospital3.address));
      expect([unbound.args.member, unbound.args.reasonCode]).to.deep.equal([member.address, 61n]);
    });
  });

  // -------------------------------------------------------------------------------------------
  // tenders and bid bonds
  // -------------------------------------------------------------------------------------------

  describe("tenders and bid bonds", () => {
    let forfeitTender: bigint;
    let cancelledTender: bigint;

    it("regulator tender finalize: forfeits the bonds of bidders that never revealed; finalizing twice is TenderStatusInvalid", async () => {
      forfeitTender = await tender(
        L,
        [
          { hospital: hospital.address, volume: 300n },
          { hospital: hospital2.address, volume: 100n },
        ],
        [
          { bidder: supplier, reveal: true },
          { bidder: cover, reveal: false },
        ],
      );
      const out = h.json<{ bondsForfeited: string; forfeitedBy: string[]; winners: string[] }>(
        await h.as(regulator, ["regulator", "tender", "finalize", String(forfeitTender), "--json"]),
      );
      expect(out.bondsForfeited).to.equal(String(BOND));
      expect(out.forfeitedBy).to.deep.equal([cover.address]);
      expect(out.winners).to.deep.equal([supplier.address]);
      fails(
        await h.as(regulator, ["regulator", "tender", "finalize", String(forfeitTender)]),
        new RegExp(
          `^error: TenderStatusInvalid\\(tenderId=${forfeitTender}, status=awarded, expected=open\\)$`,
        ),
      );
    });

    it("hospital claim-forfeit: the hospital takes its volume's share of the forfeited bonds; twice is TenderNothingToClaim", async () => {
      const share = (BOND * 300n) / 400n;
      expect(await L.tenders.forfeitShare(forfeitTender, hospital.address)).to.equal(share);
      const before = await L.token.balanceOf(hospital.address);
      const out = ok(await h.as(hospital, ["hospital", "claim-forfeit", String(forfeitTender)]));
      expect(field(out, "amount")).to.equal(String(share));
      expect(await L.token.balanceOf(hospital.address)).to.equal(before + share);
      fails(
        await h.as(hospital, ["hospital", "claim-forfeit", "--tender", String(forfeitTender)]),
        new RegExp(
          `^error: TenderNothingToClaim\\(tenderId=${forfeitTender}, account=${hospital.address}\\)$`,
        ),
      );
    });

    it("regulator tender cancel: cancels an open tender; cancelling it again is TenderStatusInvalid", async () => {
      cancelledTender = await tender(
        L,
        [{ hospital: hospital.address, volume: 10n }],
        [{ bidder: cover, reveal: false }],
        false,
      );
      const out = ok(
        await h.as(regulator, ["regulator", "tender", "cancel", String(cancelledTender), "--reason", "52"]),
      );
      expect(field(out, "status")).to.equal("cancelled");
      expect([field(out, "reason"), field(out, "reasonKey")]).to.deep.equal(["52", "demand_withdrawn"]);
      expect(await L.tenders.tenderPhase(cancelledTender)).to.equal(6n);
      fails(
        await h.as(regulator, ["regulator", "tender", "cancel", String(cancelledTender)]),
        new RegExp(
          `^error: TenderStatusInvalid\\(tenderId=${cancelledTender}, status=cancelled, expected=open\\)$`,
        ),
      );
    });

    it("supplier withdraw-bond: the bidder takes its bond back from the cancelled tender; twice is TenderNothingToClaim", async () => {
      const before = await L.token.balanceOf(cover.address);
      const out = ok(await h.as(cover, ["supplier", "withdraw-bond", "--tender", String(cancelledTender)]));
      expect(field(out, "amount")).to.equal(String(BOND));
      expect(await L.token.balanceOf(cover.address)).to.equal(before + BOND);
      fails(
        await h.as(cover, ["supplier", "withdraw-bond", String(cancelledTender)]),
        new RegExp(
          `^error: TenderNothingToClaim\\(tenderId=${cancelledTender}, account=${cover.address}\\)$`,
        ),
      );
    });
  });

  // -------------------------------------------------------------------------------------------
  // orders
  // -------------------------------------------------------------------------------------------

  describe("orders and settlement", () => {
    let excessOrder: bigint;
    let lateOrder: bigint;
    let cancelOrder: bigint;

    it("supplier consent-excess: funding past the commitment is AgreementExceedsCommitment until the supplier consents; the hospital cannot consent (OrderNotSupplier)", async () => {
      excessOrder = await act.placeOrder(L, hospital2, {
        agreementId,
        quantity: 60n,
        requestedDelivery: (await h.now()) + 10 * DAY,
        reference: "H2-PO-1",
      });
      fails(
        await h.as(approver2, ["hospital", "order", "approve", String(excessOrder)]),
        new RegExp(
          `^error: AgreementExceedsCommitment\\(agreementId=${agreementId}, hospital=${hospital2.address}, quantity=60, remaining=50\\)$`,
        ),
      );
      fails(
        await h.as(hospital2, ["supplier", "consent-excess", String(excessOrder)]),
        new RegExp(`^error: OrderNotSupplier\\(orderId=${excessOrder}, caller=${hospital2.address}\\)$`),
      );
      const out = ok(await h.as(supplier, ["supplier", "consent-excess", "--order", String(excessOrder)]));
      expect(field(out, "excessConsented")).to.equal("true");
      expect((await L.orderBook.order(excessOrder)).excessConsented).to.equal(true);
    });

    it("hospital order permit + order approve --permit: the hospital signs, an approver funds with it; a permit below allowance + quote is OrderPermitBelowAllowance", async () => {
      const orderBook = await L.orderBook.getAddress();
      expect(await L.token.allowance(hospital2.address, orderBook)).to.equal(0n);
      const quote = await L.agreements.quote(agreementId, 60n);
      const permit = h.json<{ value: string; owner: string; spender: string }>(
        await h.as(hospital2, ["hospital", "order", "permit", String(excessOrder), "--json"]),
      );
      expect(permit).to.include({ value: String(quote), owner: hospital2.address, spender: orderBook });
      const permitFile = file("permit.json", JSON.stringify(permit));
      const balance = await L.token.balanceOf(hospital2.address);
      const out = ok(
        await h.as(approver2, [
          "hospital",
          "order",
          "approve",
          "--order",
          String(excessOrder),
          "--permit",
          permitFile,
        ]),
      );
      expect(field(out, "status")).to.equal("funded");
      expect(field(out, "escrow")).to.equal(String(quote));
      expect(await L.token.balanceOf(hospital2.address)).to.equal(balance - quote);
      expect(await L.token.allowance(hospital2.address, orderBook)).to.equal(0n);

      const next = await act.placeOrder(L, hospital2, {
        agreementId,
        quantity: 5n,
        requestedDelivery: (await h.now()) + 10 * DAY,
        reference: "H2-PO-2",
      });
      const short = file(
        "short-permit.json",
        JSON.stringify({ ...permit, orderId: String(next), value: "1" }),
      );
      fails(
        await h.as(approver2, ["hospital", "order", "approve", String(next), "--permit", short]),
        new RegExp(
          `^error: OrderPermitBelowAllowance\\(permitValue=1, needed=${await L.agreements.quote(agreementId, 5n)}\\)$`,
        ),
      );
    });

    let lateShipment: bigint;

    it("hospital allow-late-shipment: shipping after the deadline is OrderShipmentLate until an approver allows it; a receiver may not (OrderNotApprover)", async () => {
      lateOrder = await fundedOrder(10n);
      const { deliveryDeadline } = await L.orderBook.order(lateOrder);
      await h.advance(Number(deliveryDeadline) - (await h.now()) + 2 * DAY);
      const serials = file("late.txt", Array.from({ length: 10 }, (_, i) => `LATE-${i + 1}`).join("\n"));
      const expiry = new Date(((await h.now()) + 365 * DAY) * 1000).toISOString().slice(0, 10);
      const shipArgs = [
        "supplier",
        "ship",
        "--order",
        String(lateOrder),
        "--gtin",
        GTIN,
        "--lot",
        "LATE1",
        "--expiry",
        expiry,
        "--serials",
        serials,
      ];
      fails(
        await h.as(supplier, shipArgs),
        new RegExp(
          `^error: OrderShipmentLate\\(orderId=${lateOrder}, deliveryDeadline=${deliveryDeadline}, now=\\d+\\)$`,
        ),
      );
      fails(
        await h.as(receiver, ["hospital", "allow-late-shipment", String(lateOrder)]),
        new RegExp(`^error: OrderNotApprover\\(orderId=${lateOrder}, caller=${receiver.address}\\)$`),
      );
      const out = ok(await h.as(approver, ["hospital", "allow-late-shipment", "--order", String(lateOrder)]));
      expect(field(out, "lateShipmentAllowed")).to.equal("true");
      lateShipment = BigInt(field(ok(await h.as(supplier, shipArgs)), "shipmentId"));
      expect((await L.orderBook.order(lateOrder)).shipped).to.equal(10n);
    });

    it("supplier agree-cancel: lets the hospital cancel the unshipped rest before the deadline; the hospital cannot agree for it (OrderNotSupplier)", async () => {
      cancelOrder = await fundedOrder(10n);
      await ship(cancelOrder, "COLD1", 4);
      fails(
        await h.as(hospital, ["hospital", "order", "cancel", String(cancelOrder)]),
        new RegExp(
          `^error: OrderCancelNotAllowed\\(orderId=${cancelOrder}, deliveryDeadline=\\d+, now=\\d+\\)$`,
        ),
      );
      fails(
        await h.as(hospital, ["supplier", "agree-cancel", String(cancelOrder)]),
        new RegExp(`^error: OrderNotSupplier\\(orderId=${cancelOrder}, caller=${hospital.address}\\)$`),
      );
      const agreed = ok(await h.as(supplier, ["supplier", "agree-cancel", "--order", String(cancelOrder)]));
      expect(field(agreed, "supplierAgreedToCancel")).to.equal("true");
      const cancelled = ok(await h.as(hospital, ["hospital", "order", "cancel", String(cancelOrder)]));
      expect(field(cancelled, "unitsCancelled")).to.equal("6");
      expect(field(cancelled, "status")).to.equal("funded"); // four units still in flight
      expect((await L.orderBook.order(cancelOrder)).cancelled).to.equal(6n);
    });

    // -----------------------------------------------------------------------------------------
    // settlement
    // -----------------------------------------------------------------------------------------

    it("hospital confirm: the settler confirms the late shipment, paid less the late penalty; a receiver is SettlementNotSettler", async () => {
      fails(
        await h.as(receiver, ["hospital", "confirm", String(lateShipment), "--accepted", "10"]),
        new RegExp(
          `^error: SettlementNotSettler\\(shipmentId=${lateShipment}, caller=${receiver.address}\\)$`,
        ),
      );
      const receipt = file("GR-LATE.csv", "barcode\n(01)09520123456788(10)LATE1\n");
      const paidBefore = await L.token.balanceOf(supplier.address);
      const out = h.json<Record<string, string>>(
        await h.as(settler, [
          "hospital",
          "confirm",
          "--shipment",
          String(lateShipment),
          "--accepted",
          "10",
          "--receipt-file",
          receipt,
          "--json",
        ]),
      );
      const { deliveryDeadline } = await L.orderBook.order(lateOrder);
      const deliveredAt = BigInt(Date.parse(out.deliveredAt) / 1000);
      const daysLate = (deliveredAt - deliveryDeadline + BigInt(DAY) - 1n) / BigInt(DAY);
      const gross = 10n * 10_000n;
      const bps = daysLate * 50n > 1000n ? 1000n : daysLate * 50n;
      expect(daysLate > 0n, "days late").to.equal(true);
      expect(out).to.include({
        accepted: "10",
        rejected: "0",
        gross: String(gross),
        daysLate: String(daysLate),
        penalty: String((gross * bps) / 10_000n),
        paid: String(gross - (gross * bps) / 10_000n),
        orderStatus: "closed",
        receiptHash: ethers.sha256(readFileSync(receipt)),
      });
      expect(await L.token.balanceOf(supplier.address)).to.equal(paidBefore + BigInt(out.paid));
      expect((await L.trace.shipmentState(lateShipment)).confirmed).to.equal(true);
    });

    let coldShipment: bigint;

    it("hospital waive-excursion: an approver waives the excursion; a shipment without one is TraceNoExcursion", async () => {
      [coldShipment] = (await L.trace.queryFilter(L.trace.filters.ShipmentCreated()))
        .slice(-1)
        .map((e) => e.args.shipmentId);
      expect((await act.shipmentRecord(L, coldShipment)).orderId).to.equal(cancelOrder);
      await act.recordTrace(L, supplier, coldShipment, "departing", {
        location: "GLN:6901234000017",
        eventTime: await h.now(),
        sensorLog: "logger 7: 11.2 C for 40 min",
        excursion: true,
      });
      fails(
        await h.as(approver, ["hospital", "waive-excursion", String(lateShipment)]),
        new RegExp(`^error: TraceNoExcursion\\(shipmentId=${lateShipment}\\)$`),
      );
      const out = ok(
        await h.as(approver, [
          "hospital",
          "waive-excursion",
          "--shipment",
          String(coldShipment),
          "--reason",
          "excursion_within_stability",
        ]),
      );
      expect(field(out, "waived")).to.equal("true");
      const [waived] = await L.trace.queryFilter(L.trace.filters.ExcursionWaived(coldShipment));
      expect(waived.args.reasonCode).to.equal(1n);
      const state = await L.trace.shipmentState(coldShipment);
      expect([state.excursion, state.excursionWaived]).to.deep.equal([true, true]);
    });

    it("hospital dispute-shipment: disputes units before confirming; more than shipped is SettlementDisputeTooLarge", async () => {
      fails(
        await h.as(settler, ["hospital", "dispute-shipment", String(coldShipment), "--units", "5"]),
        new RegExp(`^error: SettlementDisputeTooLarge\\(shipmentId=${coldShipment}, units=5, shipped=4\\)$`),
      );
      const out = ok(
        await h.as(approver, [
          "hospital",
          "dispute-shipment",
          String(coldShipment),
          "--units",
          "1",
          "--reason",
          "units_damaged",
        ]),
      );
      expect(field(out, "units")).to.equal("1");
      expect(await L.orderBook.disputedUnits(coldShipment)).to.equal(1n);
    });

    it("supplier claim-settlement: after receipt on chain and the confirmation window, the undisputed units are paid; earlier it is SettlementClaimTooEarly", async () => {
      fails(
        await h.as(supplier, ["supplier", "claim-settlement", String(coldShipment)]),
        new RegExp(
          `^error: SettlementClaimTooEarly\\(shipmentId=${coldShipment}, claimableAt=0, now=\\d+\\)$`,
        ),
      );
      await act.recordTrace(L, receiver, coldShipment, "receiving", {
        location: "GLN:6901234000024",
        eventTime: await h.now(),
      });
      await h.advance(2 * DAY + 1);
      const before = await L.token.balanceOf(supplier.address);
      const out = h.json<Record<string, string>>(
        await h.as(supplier, ["supplier", "claim-settlement", "--shipment", String(coldShipment), "--json"]),
      );
      expect(out).to.include({
        accepted: "3",
        rejected: "1",
        settledBy: supplier.address,
        penalty: "0",
        orderStatus: "closed",
      });
      expect(BigInt(out.paid)).to.equal(BigInt(out.gross));
      expect(await L.token.balanceOf(supplier.address)).to.equal(before + BigInt(out.paid));
      const order = await L.orderBook.order(cancelOrder);
      expect([order.accepted, order.cancelled, order.escrow]).to.deep.equal([3n, 7n, 0n]);
    });
  });

  // -------------------------------------------------------------------------------------------
  // refunds, carriers, recalls, pausing
  // -------------------------------------------------------------------------------------------

  describe("refunds, carriers, recalls and pausing", () => {
    it("hospital withdraw-refund: takes a refund the token could not deliver at cancellation; with none owed it is OrderNoRefundOwed", async () => {
      fails(
        await h.as(stranger, ["hospital", "withdraw-refund"]),
        new RegExp(`^error: OrderNoRefundOwed\\(account=${stranger.address}\\)$`),
      );
      // A ledger on a token that, once armed, fails its next transfer: the refund is deferred.
      const token = await new ReentrantToken__factory(new ethers.NonceManager(admin)).deploy();
      await token.waitForDeployment();
      const { ledger: L2, deploymentBlock } = await deployLedger(new ethers.NonceManager(admin), {
        regulators: [regulator.address],
        tokenAddress: await token.getAddress(),
      });
      const deployment2 = file(
        "deployment-refund.json",
        JSON.stringify(await deploymentRecord("anvil", L2, deploymentBlock)),
      );
      const now = await h.now();
      await act.registerSupplier(L2, supplier, "Acme", "REG-Acme");
      await act.qualifySupplier(L2, regulator, supplier, [STENTS], now - DAY, now + 365 * DAY);
      await act.enrolHospital(
        L2,
        regulator,
        hospital,
        "General",
        [{ member: approver, roles: act.HOSPITAL_ROLES.approver }],
        10_000_000n,
      );
      await act.sent(L2.token.connect(admin).mint(hospital.address, 10_000_000n));
      const [agreement] = await act.finalizeTender(
        L2,
        regulator,
        await tender(
          L2,
          [{ hospital: hospital.address, volume: 100n }],
          [{ bidder: supplier, reveal: true }],
        ),
      );
      const orderId = await act.placeOrder(L2, hospital, {
        agreementId: agreement,
        quantity: 3n,
        requestedDelivery: (await h.now()) + 10 * DAY,
        reference: "R-1",
      });
      await act.approveOrder(L2, approver, orderId);
      const orderBook = await L2.orderBook.getAddress();
      // The armed call re-enters the order book, which its reentrancy guard refuses: the transfer fails.
      await act.sent(
        token.connect(admin).arm(orderBook, L2.orderBook.interface.encodeFunctionData("withdrawRefund")),
      );
      await act.sent(L2.orderBook.connect(hospital).cancelOrder(orderId));
      await act.sent(token.connect(admin).arm(ethers.ZeroAddress, "0x"));
      expect(await L2.orderBook.refundsOwed(hospital.address)).to.equal(30_000n);

      const before = await token.balanceOf(hospital.address);
      const out = ok(await h.as(hospital, ["hospital", "withdraw-refund", "--deployment", deployment2]));
      expect(field(out, "amount")).to.equal("30000");
      expect(await token.balanceOf(hospital.address)).to.equal(before + 30_000n);
      expect(await L2.orderBook.refundsOwed(hospital.address)).to.equal(0n);
    });

    it("supplier set-carrier: the carrier records transport steps for the supplier until revoked (then TraceStepNotAllowed)", async () => {
      const shipmentId = await ship(await fundedOrder(2n), "CARRY1", 2);
      const trace = [
        "supplier",
        "trace",
        String(shipmentId),
        "--step",
        "departing",
        "--location",
        "6901234000031",
      ];
      const out = ok(await h.as(supplier, ["supplier", "set-carrier", carrier.address]));
      expect(field(out, "allowed")).to.equal("true");
      expect(await L.trace.isCarrier(supplier.address, carrier.address)).to.equal(true);
      expect(field(ok(await h.as(carrier, trace)), "actor")).to.equal(carrier.address);

      ok(await h.as(supplier, ["supplier", "set-carrier", "--carrier", carrier.address, "--revoke"]));
      expect(await L.trace.isCarrier(supplier.address, carrier.address)).to.equal(false);
      fails(
        await h.as(carrier, trace),
        new RegExp(
          `^error: TraceStepNotAllowed\\(shipmentId=${shipmentId}, step=departing, actor=${carrier.address}\\)$`,
        ),
      );
    });

    it("regulator lift-recall: lifts a supplier's recall and a global one; lifting one that is not there is TraceLotNotRecalled", async () => {
      await act.sent(L.trace.connect(supplier).recall(BigInt(GTIN), "LIFT1", 2));
      expect(await L.trace.isRecalled(BigInt(GTIN), "LIFT1", supplier.address)).to.equal(true);
      const out = ok(
        await h.as(regulator, [
          "regulator",
          "lift-recall",
          "--gtin",
          GTIN,
          "--lot",
          "LIFT1",
          "--scope",
          supplier.address,
          "--reason",
          "decided_in_error",
        ]),
      );
      expect(field(out, "scope")).to.equal(supplier.address);
      expect(await L.trace.isRecalled(BigInt(GTIN), "LIFT1", supplier.address)).to.equal(false);
      fails(
        await h.as(regulator, [
          "regulator",
          "lift-recall",
          "--gtin",
          GTIN,
          "--lot",
          "LIFT1",
          "--scope",
          supplier.address,
        ]),
        new RegExp(
          `^error: TraceLotNotRecalled\\(gtin=${BigInt(GTIN)}, lot=LIFT1, scope=${supplier.address}\\)$`,
        ),
      );

      await act.sent(L.trace.connect(regulator).recall(BigInt(GTIN), "LIFT2", 1));
      expect(await L.trace.isRecalled(BigInt(GTIN), "LIFT2", cover.address)).to.equal(true);
      ok(
        await h.as(regulator, [
          "regulator",
          "lift-recall",
          "--gtin",
          GTIN,
          "--lot",
          "LIFT2",
          "--scope",
          "global",
        ]),
      );
      expect(await L.trace.isRecalled(BigInt(GTIN), "LIFT2", cover.address)).to.equal(false);
    });

    it("regulator pause / unpause: the pauser stops a contract (its acts then EnforcedPause) and restarts all; a regulator is not a pauser (LedgerUnauthorized)", async () => {
      fails(
        await h.as(regulator, ["regulator", "pause", "trace"]),
        new RegExp(`^error: LedgerUnauthorized\\(account=${regulator.address}, role=PAUSER_ROLE\\)$`),
      );
      const paused = h.json<{ contract: string; paused: boolean; changed: boolean }[]>(
        await h.as(admin, ["regulator", "pause", "--contract", "trace", "--json"]),
      );
      expect(paused.map((r) => [r.contract, r.paused, r.changed])).to.deep.equal([["trace", true, true]]);
      expect(await L.trace.paused()).to.equal(true);
      fails(await h.as(supplier, ["supplier", "set-carrier", carrier.address]), /^error: EnforcedPause\(\)$/);
      fails(await h.as(admin, ["regulator", "pause", "trace"]), /^error: EnforcedPause\(\)$/);

      const all = h.json<{ contract: string; paused: boolean; changed: boolean }[]>(
        await h.as(admin, ["regulator", "unpause", "all", "--json"]),
      );
      expect(all.map((r) => [r.contract, r.paused, r.changed])).to.deep.equal([
        ["registry", false, false],
        ["tenders", false, false],
        ["agreements", false, false],
        ["hospitals", false, false],
        ["trace", false, true],
        ["orderBook", false, false],
        ["budgets", false, false],
        ["consignment", false, false],
        ["campusTransfers", false, false],
        ["fund", false, false],
      ]);
      expect(await L.trace.paused()).to.equal(false);
      ok(await h.as(supplier, ["supplier", "set-carrier", carrier.address]));
    });
  });
});
