import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { expect } from "chai";
import { ethers } from "hardhat";
import { AgreementBook__factory } from "../../typechain-types";
import {
  addMember,
  APPROVER,
  defaultTerms,
  deployFixture,
  enrolHospital,
  qualify,
  runTender,
  SETTLER,
  STENTS,
  tiers,
  YEAR,
} from "./helpers/fixtures";
import {
  acceptedUnits,
  confirm,
  CONFIRM_WINDOW,
  deliver,
  ensureGtinRegistered,
  extraSigners,
  FUNDING_WINDOW,
  fundOrder,
  HOSPITAL_FUNDS,
  HOUR,
  placeOrder,
  RECEIVING_WINDOW,
  scheduleValue,
  ship,
  THRESHOLD,
  TIERS,
} from "./helpers/orderBook";

const RUNNER_UP_PRICE = 11_000n;
/** Each hospital's tender volume: odd, so the split between two winners leaves a remainder. */
const VOLUMES = [1001n, 300n];

/**
 * A two-winner stents tender: supplier 0 (tiers 0→10000, 100→9000, 500→8000) ranks first,
 * supplier 1 (a flat 11000) second. Both hospitals are in it, hospital 2 with one approver and
 * one settler.
 */
async function twoWinnerFixture() {
  const { ledger, actors } = await deployFixture();
  const [first, second] = actors.suppliers;
  const staff2 = await extraSigners();
  for (const s of [first, second]) await qualify(ledger, actors.regulator, s, [STENTS]);
  await ensureGtinRegistered(ledger, actors.regulator, first);
  await enrolHospital(ledger, actors, actors.hospital, HOSPITAL_FUNDS, THRESHOLD);
  await enrolHospital(ledger, actors, actors.hospital2, HOSPITAL_FUNDS, THRESHOLD);
  await addMember(ledger, actors.hospital2, staff2.approver, APPROVER);
  await addMember(ledger, actors.hospital2, staff2.settler, SETTLER);
  const hospitals = [actors.hospital.address, actors.hospital2.address];
  const { tenderId, agreementIds } = await runTender(
    ledger,
    actors.regulator,
    [
      { bidder: first, schedule: tiers(...TIERS), salt: ethers.id("first") },
      { bidder: second, schedule: tiers([0, RUNNER_UP_PRICE]), salt: ethers.id("second") },
    ],
    hospitals,
    VOLUMES,
    { winners: 2 },
  );
  const [best, runnerUp] = agreementIds;
  return { ledger, actors, first, second, staff2, hospitals, tenderId, best, runnerUp, supplier: first };
}

describe("AgreementBook", function () {
  describe("createAgreement (through a tender's award)", function () {
    it("emits AgreementCreated for each winner with its schedule and the hospitals' shares", async function () {
      const { ledger, first, second, hospitals, tenderId, best, runnerUp } =
        await loadFixture(twoWinnerFixture);
      const events = await ledger.agreements.queryFilter(ledger.agreements.filters.AgreementCreated());
      expect(events).to.have.length(2);
      const [a, b] = events.map((e) => e.args);
      const { start, end } = await ledger.agreements.agreementTerms(best);
      expect([a.agreementId, a.tenderId, a.supplier, a.category, a.start, a.end]).to.deep.equal([
        best,
        tenderId,
        first.address,
        STENTS,
        start,
        end,
      ]);
      expect(a.tiers.map((t) => [t.threshold, t.unitPrice])).to.deep.equal(TIERS);
      expect([...a.hospitals]).to.deep.equal(hospitals);
      // The best bid takes the remainder of the split.
      expect([...a.volumes]).to.deep.equal([501n, 150n]);
      expect([b.agreementId, b.supplier]).to.deep.equal([runnerUp, second.address]);
      expect(b.tiers.map((t) => [t.threshold, t.unitPrice])).to.deep.equal([[0n, RUNNER_UP_PRICE]]);
      expect([...b.volumes]).to.deep.equal([500n, 150n]);
      expect(await ledger.agreements.agreementCount()).to.equal(2n);
    });

    describe("when called by anyone but the bound tender house", function () {
      it("reverts with AgreementCallerNotAllowed", async function () {
        const { ledger, actors, first, hospitals } = await loadFixture(twoWinnerFixture);
        const terms = await defaultTerms();
        await expect(
          ledger.agreements
            .connect(actors.regulator)
            .createAgreement(1n, first.address, 0, 1, terms, [0n, 0n, 0n], hospitals, VOLUMES),
        )
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementCallerNotAllowed")
          .withArgs(actors.regulator.address);
      });
    });
  });

  describe("agreement and agreementTerms", function () {
    it("show the tender's terms and windows, the rank, and no volume yet", async function () {
      const { ledger, first, tenderId, best, runnerUp } = await loadFixture(twoWinnerFixture);
      const agr = await ledger.agreements.agreement(best);
      const t = agr.terms;
      expect([t.supplier, t.tenderId, t.category]).to.deep.equal([first.address, tenderId, STENTS]);
      expect(t.end - t.start).to.equal(BigInt(YEAR));
      expect([t.leadTimeDays, t.penaltyBpsPerDay, t.penaltyCapBps]).to.deep.equal([10n, 50n, 1000n]);
      expect([t.fundingWindow, t.receivingWindow, t.confirmWindow]).to.deep.equal([
        FUNDING_WINDOW,
        RECEIVING_WINDOW,
        CONFIRM_WINDOW,
      ]);
      expect([agr.acceptedVolume, agr.rank, agr.winnerCount]).to.deep.equal([0n, 0n, 2n]);
      expect(agr.tiers.map((x) => [x.threshold, x.unitPrice])).to.deep.equal(TIERS);
      expect(await ledger.agreements.agreementTerms(best)).to.deep.equal(t);
      expect((await ledger.agreements.agreement(runnerUp)).rank).to.equal(1n);
    });

    it("revert with AgreementNotFound for an unknown id", async function () {
      const { ledger } = await loadFixture(twoWinnerFixture);
      for (const id of [0n, 3n]) {
        await expect(ledger.agreements.agreement(id))
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotFound")
          .withArgs(id);
        await expect(ledger.agreements.agreementTerms(id))
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotFound")
          .withArgs(id);
      }
    });
  });

  describe("priceAt", function () {
    it("is the unit price of the tier a cumulative volume falls in", async function () {
      const { ledger, best } = await loadFixture(twoWinnerFixture);
      const cases: [bigint, bigint][] = [
        [0n, 10_000n],
        [99n, 10_000n],
        [100n, 9_000n],
        [499n, 9_000n],
        [500n, 8_000n],
        [10n ** 9n, 8_000n],
      ];
      for (const [volume, price] of cases)
        expect(await ledger.agreements.priceAt(best, volume)).to.equal(price);
      await expect(ledger.agreements.priceAt(9n, 0n))
        .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotFound")
        .withArgs(9n);
    });
  });

  describe("quote", function () {
    it("prices units piecewise from the accepted volume, ignoring funded volume", async function () {
      const fx = await loadFixture(twoWinnerFixture);
      const { ledger, actors, best } = fx;
      expect(await ledger.agreements.quote(best, 600n)).to.equal(scheduleValue(0n, 600n));
      const funded = await placeOrder(ledger, actors.hospital, best, 97n);
      await fundOrder(ledger, actors.approvers, funded);
      expect(await ledger.agreements.quote(best, 7n)).to.equal(70_000n);
      await deliver(fx, funded, 97n);
      expect(await ledger.agreements.quote(best, 7n)).to.equal(3n * 10_000n + 4n * 9_000n);
      expect(await ledger.agreements.quote(best, 7n)).to.equal(scheduleValue(97n, 7n));
      await expect(ledger.agreements.quote(3n, 1n))
        .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotFound")
        .withArgs(3n);
    });
  });

  describe("hospitalVolume", function () {
    describe("before the hospital's first order", function () {
      it("reads the committed share from the tender: the best bid takes the remainder", async function () {
        const { ledger, actors, best, runnerUp } = await loadFixture(twoWinnerFixture);
        const volume = async (id: bigint, hospital: string) => {
          const v = await ledger.agreements.hospitalVolume(id, hospital);
          return [v.committed, v.funded, v.party];
        };
        expect(await volume(best, actors.hospital.address)).to.deep.equal([501n, 0n, true]);
        expect(await volume(runnerUp, actors.hospital.address)).to.deep.equal([500n, 0n, true]);
        expect(await volume(best, actors.hospital2.address)).to.deep.equal([150n, 0n, true]);
        expect(await volume(best, actors.stranger.address)).to.deep.equal([0n, 0n, false]);
      });
    });

    describe("as orders are funded, cancelled and accepted", function () {
      it("moves the hospital's funded volume and the agreement's accepted volume; AgreementVolumeChanged reports funding changes only", async function () {
        const fx = await loadFixture(twoWinnerFixture);
        const { ledger, actors, staff2, best } = fx;
        const a = await placeOrder(ledger, actors.hospital, best, 100n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(a))
          .to.emit(ledger.agreements, "AgreementVolumeChanged")
          .withArgs(best, actors.hospital.address, 100n, 0n);
        const b = await placeOrder(ledger, actors.hospital2, best, 50n);
        await expect(ledger.orderBook.connect(staff2.approver).approveOrder(b))
          .to.emit(ledger.agreements, "AgreementVolumeChanged")
          .withArgs(best, actors.hospital2.address, 50n, 0n);
        const c = await placeOrder(ledger, actors.hospital, best, 10n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(c))
          .to.emit(ledger.agreements, "AgreementVolumeChanged")
          .withArgs(best, actors.hospital.address, 110n, 0n);
        await expect(ledger.orderBook.connect(actors.hospital).cancelOrder(c))
          .to.emit(ledger.agreements, "AgreementVolumeChanged")
          .withArgs(best, actors.hospital.address, 100n, 0n);

        // Acceptance moves the agreement's tier position, reported by ShipmentSettled alone.
        const shipment = await ship(ledger, fx.supplier, a, 100n);
        await expect(confirm(ledger, actors.settler, shipment, 100n))
          .to.emit(ledger.orderBook, "ShipmentSettled")
          .and.not.to.emit(ledger.agreements, "AgreementVolumeChanged");
        const position = await ledger.agreements.hospitalVolume(best, actors.hospital.address);
        expect([position.committed, position.funded, position.party]).to.deep.equal([501n, 100n, true]);
        expect((await ledger.agreements.hospitalVolume(best, actors.hospital2.address)).funded).to.equal(50n);
        expect((await ledger.agreements.agreement(best)).acceptedVolume).to.equal(100n);
        expect(await acceptedUnits(ledger, best, actors.hospital.address)).to.equal(100n);
        expect(await acceptedUnits(ledger, best, actors.hospital2.address)).to.equal(0n);

        // A later funding change carries the agreement's accepted volume at that time.
        await expect(ledger.orderBook.connect(actors.hospital2).cancelOrder(b))
          .to.emit(ledger.agreements, "AgreementVolumeChanged")
          .withArgs(best, actors.hospital2.address, 0n, 100n);
      });
    });

    it("reverts with AgreementNotFound for an unknown id", async function () {
      const { ledger, actors } = await loadFixture(twoWinnerFixture);
      await expect(ledger.agreements.hospitalVolume(3n, actors.hospital.address))
        .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotFound")
        .withArgs(3n);
    });
  });

  describe("fund", function () {
    describe("when the order was placed in term but is funded after the term ended", function () {
      it("reverts with AgreementNotInTerm", async function () {
        const { ledger, actors, best } = await loadFixture(twoWinnerFixture);
        const { start, end } = await ledger.agreements.agreementTerms(best);
        await time.increaseTo(end - HOUR);
        const id = await placeOrder(ledger, actors.hospital, best, 10n);
        await time.setNextBlockTimestamp(end + 1n);
        await expect(ledger.orderBook.connect(actors.approvers[0]).approveOrder(id))
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotInTerm")
          .withArgs(best, start, end, end + 1n);
      });
    });
  });

  describe("the order book's entry points", function () {
    it("revert with AgreementCallerNotAllowed for anyone but the bound order book", async function () {
      const { ledger, actors, best } = await loadFixture(twoWinnerFixture);
      const caller = actors.admin;
      const book = ledger.agreements.connect(caller);
      const hospital = actors.hospital.address;
      // Each call is sent only when its assertion awaits it: sent together, the later ones
      // would reject before anything handles them.
      for (const call of [
        () => book.openPosition(best, hospital),
        () => book.fund(best, hospital, 1n, false),
        () => book.releaseFunding(best, hospital, 1n),
        () => book.recordAcceptance(best, 1n),
      ]) {
        await expect(call())
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementCallerNotAllowed")
          .withArgs(caller.address);
      }
    });
  });

  describe("bind", function () {
    async function unboundFixture() {
      const base = await deployFixture();
      const { ledger, actors } = base;
      const unbound = await new AgreementBook__factory(actors.admin).deploy(
        await ledger.roles.getAddress(),
        await ledger.forwarder.getAddress(),
      );
      return { ...base, unbound };
    }

    it("binds the tender house and order book once and emits AgreementBookBound", async function () {
      const { actors, unbound } = await loadFixture(unboundFixture);
      const [tenders, book] = [actors.suppliers[2].address, actors.suppliers[3].address];
      await expect(unbound.connect(actors.admin).bind(tenders, book))
        .to.emit(unbound, "AgreementBookBound")
        .withArgs(tenders, book);
      expect([await unbound.tenders(), await unbound.orderBook()]).to.deep.equal([tenders, book]);
      await expect(unbound.connect(actors.admin).bind(tenders, book)).to.be.revertedWithCustomError(
        unbound,
        "AgreementBookBindingInvalid",
      );
    });

    it("refuses a zero address with AgreementBookBindingInvalid", async function () {
      const { actors, unbound } = await loadFixture(unboundFixture);
      const other = actors.suppliers[2].address;
      for (const [tenders, book] of [
        [ethers.ZeroAddress, other],
        [other, ethers.ZeroAddress],
      ]) {
        await expect(unbound.connect(actors.admin).bind(tenders, book)).to.be.revertedWithCustomError(
          unbound,
          "AgreementBookBindingInvalid",
        );
      }
    });

    it("is for the administrator only: LedgerUnauthorized", async function () {
      const { actors, unbound } = await loadFixture(unboundFixture);
      const other = actors.suppliers[2].address;
      await expect(unbound.connect(actors.regulator).bind(other, other))
        .to.be.revertedWithCustomError(unbound, "LedgerUnauthorized")
        .withArgs(actors.regulator.address, ethers.ZeroHash);
    });
  });
});
