import { loadFixture, setBalance, time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { ethers, network } from "hardhat";
import {
  BID_BOND,
  commitmentOf,
  DAY,
  defaultTerms,
  deployFixture,
  fundBond,
  KNEES,
  qualify,
  REGULATOR_ROLE,
  runTender,
  STENTS,
  tiers,
  YEAR,
} from "./helpers/fixtures";
import { deployLedger, type Ledger } from "../../ledger/contracts";
import type { TenderHouse } from "../../typechain-types";
import type { TenderTermsStruct, TierStruct } from "../../typechain-types/contracts/TenderHouse";

const PAUSER_ROLE = ethers.id("PAUSER_ROLE");

const Phase = {
  None: 0n,
  Commit: 1n,
  Reveal: 2n,
  Finalizable: 3n,
  Awarded: 4n,
  Failed: 5n,
  Cancelled: 6n,
} as const;
const Status = { None: 0n, Open: 1n, Awarded: 2n, Failed: 3n, Cancelled: 4n } as const;
/** `TierSchedule.Defect`, in declaration order. */
const Defect = {
  TierCount: 1n,
  FirstThresholdNotZero: 2n,
  ThresholdNotIncreasing: 3n,
  PriceIncreasing: 4n,
  AboveReserve: 5n,
  ZeroPrice: 6n,
  ValueTooLarge: 7n,
} as const;

/** The schedules of the usual three bidders: B is cheapest, then A, then C. */
const SCHEDULE_A = tiers([0, 9_000], [200, 8_500]);
const SCHEDULE_B = tiers([0, 8_000], [300, 7_000], [600, 6_500]);
const SCHEDULE_C = tiers([0, 9_500]);
const VOLUMES = [1_000n, 501n];
/** Bonds each bidder of the fixtures holds and has approved: enough for a few tenders. */
const BONDS_HELD = 4n;
const CANCEL_REASON = 11;
/** EIP-7825 (Osaka) caps the gas of one transaction at 2^24. */
const TX_GAS_CAP = 1n << 24n;
/** Fixtures of hundreds of transactions, slower still under coverage's instrumented contracts. */
const LARGE_TIMEOUT = 30 * 60 * 1000;

function salt(label: string): string {
  return ethers.id(`salt-${label}`);
}

/** What the contract stores of a commitment: its first 24 bytes. */
function prefix(commitment: string): string {
  return ethers.dataSlice(commitment, 0, 24);
}

/** The TenderTerms struct as an event argument (a tuple in declaration order). */
function termsTuple(t: TenderTermsStruct) {
  return [
    t.category,
    t.bidBond,
    t.commitDeadline,
    t.revealDeadline,
    t.reservePrice,
    t.termSeconds,
    t.leadTimeDays,
    t.penaltyBpsPerDay,
    t.penaltyCapBps,
    t.winners,
    t.fundingWindow,
    t.receivingWindow,
    t.confirmWindow,
  ];
}

function tierTuples(schedule: TierStruct[]) {
  return schedule.map((t) => [BigInt(t.threshold), BigInt(t.unitPrice)]);
}

async function gasOf(tx: Promise<ContractTransactionResponse>): Promise<bigint> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was dropped");
  return receipt.gasUsed;
}

async function commit(
  tenders: TenderHouse,
  tenderId: bigint,
  bidder: HardhatEthersSigner,
  schedule: TierStruct[],
  label: string,
) {
  return tenders
    .connect(bidder)
    .commitBid(tenderId, commitmentOf(tenderId, bidder.address, schedule, salt(label)));
}

async function reveal(
  tenders: TenderHouse,
  tenderId: bigint,
  bidder: HardhatEthersSigner,
  schedule: TierStruct[],
  label: string,
) {
  return tenders.connect(bidder).revealBid(tenderId, schedule, salt(label));
}

/** Relays `data` to `to` through the ledger's ERC-2771 forwarder, signed by `signer`. */
async function relay(
  ledger: Ledger,
  signer: HardhatEthersSigner,
  relayer: HardhatEthersSigner,
  to: string,
  data: string,
) {
  const { chainId } = await ethers.provider.getNetwork();
  const forwarder = ledger.forwarder;
  const request = {
    from: signer.address,
    to,
    value: 0n,
    gas: 1_000_000n,
    nonce: await forwarder.nonces(signer.address),
    deadline: BigInt(await time.latest()) + 3_600n,
    data,
  };
  const signature = await signer.signTypedData(
    { name: "SunshineLedger", version: "1", chainId, verifyingContract: await forwarder.getAddress() },
    {
      ForwardRequest: [
        { name: "from", type: "address" },
        { name: "to", type: "address" },
        { name: "value", type: "uint256" },
        { name: "gas", type: "uint256" },
        { name: "nonce", type: "uint256" },
        { name: "deadline", type: "uint48" },
        { name: "data", type: "bytes" },
      ],
    },
    request,
  );
  const { from, value, gas, deadline } = request;
  return forwarder.connect(relayer).execute({ from, to, value, gas, deadline, data, signature });
}

/** `count` extra accounts (impersonated, funded), each qualified for stents and holding a bond. */
async function qualifiedCrowd(ledger: Ledger, regulator: HardhatEthersSigner, count: number) {
  const crowd: HardhatEthersSigner[] = [];
  for (let i = 0; i < count; i++) {
    const address = ethers.getAddress(ethers.dataSlice(ethers.id(`bidder-${i}`), 12));
    await setBalance(address, ethers.parseEther("10"));
    const signer = await ethers.getImpersonatedSigner(address);
    await qualify(ledger, regulator, signer);
    await fundBond(ledger, signer, BID_BOND);
    crowd.push(signer);
  }
  return crowd;
}

/** Suppliers 0–3 qualified for stents, each holding BONDS_HELD bid bonds the tender house may take. */
async function biddersFixture() {
  const { ledger, actors } = await deployFixture();
  for (const supplier of actors.suppliers) {
    await qualify(ledger, actors.regulator, supplier);
    await fundBond(ledger, supplier, BONDS_HELD * BID_BOND);
  }
  const [a, b, c, d] = actors.suppliers;
  return { ledger, actors, tenders: ledger.tenders, registry: ledger.registry, a, b, c, d };
}

/** A stents tender for two hospitals (1000 and 501 units), two winners, in its commit phase. */
async function openFixture() {
  const base = await biddersFixture();
  const terms = await defaultTerms();
  const hospitals = [base.actors.hospital.address, base.actors.hospital2.address];
  await base.tenders.connect(base.actors.regulator).openTender(terms, hospitals, VOLUMES);
  return { ...base, terms, hospitals, tenderId: 1n };
}

/** A, B and C committed; the reveal window has just opened. */
async function committedFixture() {
  const base = await openFixture();
  const { tenders, tenderId, a, b, c, terms } = base;
  await commit(tenders, tenderId, a, SCHEDULE_A, "a");
  await commit(tenders, tenderId, b, SCHEDULE_B, "b");
  await commit(tenders, tenderId, c, SCHEDULE_C, "c");
  await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
  return base;
}

/** A, B and C revealed; the reveal deadline has passed. */
async function revealedFixture() {
  const base = await committedFixture();
  const { tenders, tenderId, a, b, c, terms } = base;
  await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
  await reveal(tenders, tenderId, b, SCHEDULE_B, "b");
  await reveal(tenders, tenderId, c, SCHEDULE_C, "c");
  await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
  return base;
}

/** The tender awarded: agreement 1 to B (best), agreement 2 to A. */
async function awardedFixture() {
  const base = await revealedFixture();
  await base.tenders.finalize(base.tenderId);
  return { ...base, agreementB: 1n, agreementA: 2n };
}

describe("TenderHouse", function () {
  describe("deployment", function () {
    it("points at the token, the registry and the agreement book and has no tenders", async function () {
      const { ledger } = await loadFixture(deployFixture);
      expect(await ledger.tenders.token()).to.equal(await ledger.token.getAddress());
      expect(await ledger.tenders.registry()).to.equal(await ledger.registry.getAddress());
      expect(await ledger.tenders.agreements()).to.equal(await ledger.agreements.getAddress());
      expect(await ledger.tenders.roles()).to.equal(await ledger.roles.getAddress());
      expect(await ledger.tenders.isTrustedForwarder(await ledger.forwarder.getAddress())).to.equal(true);
      expect(await ledger.tenders.tenderCount()).to.equal(0n);
      expect(await ledger.tenders.MAX_BIDDERS()).to.equal(32n);
      expect(await ledger.tenders.MAX_HOSPITALS()).to.equal(64n);
      expect(await ledger.tenders.MAX_WINNERS()).to.equal(8n);
      expect(await ledger.tenders.MIN_WINDOW()).to.equal(3600n);
    });
  });

  describe("openTender", function () {
    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const terms = await defaultTerms();
        for (const caller of [actors.stranger, actors.admin, actors.suppliers[0]]) {
          await expect(ledger.tenders.connect(caller).openTender(terms, [actors.hospital.address], [10n]))
            .to.be.revertedWithCustomError(ledger.tenders, "LedgerUnauthorized")
            .withArgs(caller.address, REGULATOR_ROLE);
        }
      });
    });

    describe("when the tender house is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await ledger.tenders.connect(actors.admin).pause();
        await expect(
          ledger.tenders
            .connect(actors.regulator)
            .openTender(await defaultTerms(), [actors.hospital.address], [10n]),
        ).to.be.revertedWithCustomError(ledger.tenders, "EnforcedPause");
      });
    });

    describe("when the terms are invalid", function () {
      async function open(overrides: Partial<TenderTermsStruct>) {
        const { ledger, actors } = await loadFixture(deployFixture);
        const terms = await defaultTerms(overrides);
        const tx = ledger.tenders
          .connect(actors.regulator)
          .openTender(terms, [actors.hospital.address], [10n]);
        return { tenders: ledger.tenders, terms, tx };
      }

      it("reverts with TenderZeroCategory for a zero category", async function () {
        const { tenders, tx } = await open({ category: ethers.ZeroHash });
        await expect(tx).to.be.revertedWithCustomError(tenders, "TenderZeroCategory");
      });

      it("reverts with TenderInvalidReservePrice for a zero reserve", async function () {
        const { tenders, tx } = await open({ reservePrice: 0n });
        await expect(tx).to.be.revertedWithCustomError(tenders, "TenderInvalidReservePrice").withArgs(0n);
      });

      it("reverts with TenderInvalidDeadlines when the reveal deadline is not after the commit deadline", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const commitDeadline = (await time.latest()) + DAY;
        for (const revealDeadline of [commitDeadline, commitDeadline - 1]) {
          const terms = await defaultTerms({ commitDeadline, revealDeadline });
          const now = (await time.latest()) + 10;
          await time.setNextBlockTimestamp(now);
          await expect(
            ledger.tenders.connect(actors.regulator).openTender(terms, [actors.hospital.address], [10n]),
          )
            .to.be.revertedWithCustomError(ledger.tenders, "TenderInvalidDeadlines")
            .withArgs(commitDeadline, revealDeadline, now);
        }
      });

      it("reverts with TenderInvalidDeadlines for a commit deadline in the past", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const now = (await time.latest()) + 100;
        const terms = await defaultTerms({ commitDeadline: now - 1, revealDeadline: now + DAY });
        await time.setNextBlockTimestamp(now);
        await expect(
          ledger.tenders.connect(actors.regulator).openTender(terms, [actors.hospital.address], [10n]),
        )
          .to.be.revertedWithCustomError(ledger.tenders, "TenderInvalidDeadlines")
          .withArgs(now - 1, now + DAY, now);
      });

      it("reverts with TenderInvalidWinners for zero or more than eight winners", async function () {
        for (const winners of [0, 9]) {
          const { tenders, tx } = await open({ winners });
          await expect(tx).to.be.revertedWithCustomError(tenders, "TenderInvalidWinners").withArgs(winners);
        }
      });

      it("reverts with TenderInvalidTerm for a zero term", async function () {
        const { tenders, tx } = await open({ termSeconds: 0 });
        await expect(tx).to.be.revertedWithCustomError(tenders, "TenderInvalidTerm").withArgs(0);
      });

      it("reverts with TenderInvalidTerm for a term longer than ten years", async function () {
        const tooLong = 10 * 365 * 24 * 3600 + 1;
        const { tenders, tx } = await open({ termSeconds: tooLong });
        await expect(tx).to.be.revertedWithCustomError(tenders, "TenderInvalidTerm").withArgs(tooLong);
      });

      it("reverts with TenderInvalidPenalty for a cap above 100%", async function () {
        const { tenders, tx } = await open({ penaltyBpsPerDay: 50, penaltyCapBps: 10_001 });
        await expect(tx).to.be.revertedWithCustomError(tenders, "TenderInvalidPenalty").withArgs(50, 10_001);
      });

      it("reverts with TenderInvalidPenalty for a rate without a cap and a cap without a rate", async function () {
        for (const [rate, cap] of [
          [50, 0],
          [0, 1_000],
        ]) {
          const { tenders, tx } = await open({ penaltyBpsPerDay: rate, penaltyCapBps: cap });
          await expect(tx).to.be.revertedWithCustomError(tenders, "TenderInvalidPenalty").withArgs(rate, cap);
        }
      });

      it("cannot even encode a reserve a packed tier price cannot hold (48 bits)", async function () {
        const { tx } = await open({ reservePrice: 2n ** 48n });
        await expect(tx).to.be.rejectedWith(/value out-of-bounds/);
      });

      it("reverts with TenderZeroBidBond for a tender without a bid bond", async function () {
        const { tenders, tx } = await open({ bidBond: 0n });
        await expect(tx).to.be.revertedWithCustomError(tenders, "TenderZeroBidBond");
      });

      for (const window of ["fundingWindow", "receivingWindow", "confirmWindow"] as const) {
        it(`reverts with TenderInvalidWindows for a ${window} under an hour`, async function () {
          const windows = {
            fundingWindow: 3_600,
            receivingWindow: 3_600,
            confirmWindow: 3_600,
            [window]: 3_599,
          };
          const { tenders, tx } = await open(windows);
          await expect(tx)
            .to.be.revertedWithCustomError(tenders, "TenderInvalidWindows")
            .withArgs(windows.fundingWindow, windows.receivingWindow, windows.confirmWindow);
        });
      }
    });

    describe("at the edge of the commit deadline", function () {
      it("reverts with TenderInvalidDeadlines for a commit deadline equal to now", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const now = (await time.latest()) + 100;
        const terms = await defaultTerms({ commitDeadline: now, revealDeadline: now + DAY });
        await time.setNextBlockTimestamp(now);
        await expect(
          ledger.tenders.connect(actors.regulator).openTender(terms, [actors.hospital.address], [10n]),
        )
          .to.be.revertedWithCustomError(ledger.tenders, "TenderInvalidDeadlines")
          .withArgs(now, now + DAY, now);
      });

      it("accepts a commit deadline one second from now", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const now = (await time.latest()) + 100;
        const terms = await defaultTerms({ commitDeadline: now + 1, revealDeadline: now + 2 });
        await time.setNextBlockTimestamp(now);
        await expect(
          ledger.tenders.connect(actors.regulator).openTender(terms, [actors.hospital.address], [10n]),
        ).to.emit(ledger.tenders, "TenderOpened");
      });
    });

    describe("when the terms sit at their limits", function () {
      it("accepts eight winners, a 100% cap, no penalty, one-hour windows and the largest prices and volumes", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const h = [actors.hospital.address];
        const tenders = ledger.tenders.connect(actors.regulator);
        await tenders.openTender(await defaultTerms({ winners: 8 }), h, [10n]);
        await tenders.openTender(await defaultTerms({ penaltyBpsPerDay: 10_000, penaltyCapBps: 10_000 }), h, [
          10n,
        ]);
        await tenders.openTender(await defaultTerms({ penaltyBpsPerDay: 0, penaltyCapBps: 0 }), h, [10n]);
        await tenders.openTender(
          await defaultTerms({
            fundingWindow: 3_600,
            receivingWindow: 3_600,
            confirmWindow: 3_600,
            bidBond: 1n,
          }),
          h,
          [10n],
        );
        await tenders.openTender(await defaultTerms({ reservePrice: 2n ** 48n - 1n }), h, [2n ** 64n - 1n]);
        expect(await ledger.tenders.tenderCount()).to.equal(5n);
      });
    });

    describe("when the hospitals are invalid", function () {
      it("reverts with TenderInvalidHospitals for none", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(ledger.tenders.connect(actors.regulator).openTender(await defaultTerms(), [], []))
          .to.be.revertedWithCustomError(ledger.tenders, "TenderInvalidHospitals")
          .withArgs(0, 0);
      });

      it("reverts with TenderInvalidHospitals when the volumes do not match", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        await expect(
          ledger.tenders
            .connect(actors.regulator)
            .openTender(await defaultTerms(), [actors.hospital.address, actors.hospital2.address], [10n]),
        )
          .to.be.revertedWithCustomError(ledger.tenders, "TenderInvalidHospitals")
          .withArgs(2, 1);
      });

      it("reverts with TenderInvalidHospitals for 65 and accepts 64", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const many = Array.from({ length: 65 }, (_, i) =>
          ethers.getAddress(ethers.dataSlice(ethers.id(`h${i}`), 12)),
        );
        const volumes = many.map(() => 1n);
        const tenders = ledger.tenders.connect(actors.regulator);
        await expect(tenders.openTender(await defaultTerms(), many, volumes))
          .to.be.revertedWithCustomError(ledger.tenders, "TenderInvalidHospitals")
          .withArgs(65, 65);
        await expect(
          tenders.openTender(await defaultTerms(), many.slice(0, 64), volumes.slice(0, 64)),
        ).to.emit(ledger.tenders, "TenderOpened");
      });

      it("reverts with TenderDuplicateHospital for a repeated hospital", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const h = [actors.hospital.address, actors.hospital2.address, actors.hospital.address];
        await expect(
          ledger.tenders.connect(actors.regulator).openTender(await defaultTerms(), h, [1n, 2n, 3n]),
        )
          .to.be.revertedWithCustomError(ledger.tenders, "TenderDuplicateHospital")
          .withArgs(actors.hospital.address);
      });

      it("reverts with TenderZeroVolume for a hospital committing nothing", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const h = [actors.hospital.address, actors.hospital2.address];
        await expect(ledger.tenders.connect(actors.regulator).openTender(await defaultTerms(), h, [5n, 0n]))
          .to.be.revertedWithCustomError(ledger.tenders, "TenderZeroVolume")
          .withArgs(actors.hospital2.address);
      });

      it("reverts with TenderZeroVolume for a volume the agreement book cannot hold", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const h = [actors.hospital.address];
        await expect(
          ledger.tenders.connect(actors.regulator).openTender(await defaultTerms(), h, [2n ** 64n]),
        )
          .to.be.revertedWithCustomError(ledger.tenders, "TenderZeroVolume")
          .withArgs(actors.hospital.address);
      });
    });

    describe("when everything is valid", function () {
      it("stores the tender under id 1, in its commit phase, and emits TenderOpened", async function () {
        const { ledger, actors } = await loadFixture(deployFixture);
        const terms = await defaultTerms();
        const hospitals = [actors.hospital.address, actors.hospital2.address];
        const tenders = ledger.tenders.connect(actors.regulator);
        expect(await tenders.openTender.staticCall(terms, hospitals, VOLUMES)).to.equal(1n);
        await expect(tenders.openTender(terms, hospitals, VOLUMES))
          .to.emit(ledger.tenders, "TenderOpened")
          .withArgs(1n, STENTS, termsTuple(terms), hospitals, VOLUMES, actors.regulator.address);
        expect(await ledger.tenders.tenderCount()).to.equal(1n);
        expect(await ledger.tenders.tenderPhase(1n)).to.equal(Phase.Commit);
        const stored = await ledger.tenders.tenderTerms(1n);
        expect(stored.category).to.equal(STENTS);
        const [, ...numbers] = termsTuple(terms);
        expect([...stored].slice(1)).to.deep.equal(numbers.map((n) => ethers.toBigInt(n as bigint | number)));
        const [h, v, bidders] = await ledger.tenders.tenderParticipants(1n);
        expect(h).to.deep.equal(hospitals);
        expect(v).to.deep.equal(VOLUMES);
        expect(bidders).to.deep.equal([]);
        expect(await ledger.tenders.hospitalVolume(1n, hospitals[1])).to.equal(VOLUMES[1]);
        expect(await ledger.tenders.hospitalVolume(1n, actors.stranger.address)).to.equal(0n);
      });
    });
  });

  describe("tender views", function () {
    describe("when the tender does not exist", function () {
      it("reports phase None and reverts the other views with TenderNotFound", async function () {
        const { tenders } = await loadFixture(openFixture);
        expect(await tenders.tenderPhase(0n)).to.equal(Phase.None);
        expect(await tenders.tenderPhase(2n)).to.equal(Phase.None);
        await expect(tenders.tenderTerms(0n))
          .to.be.revertedWithCustomError(tenders, "TenderNotFound")
          .withArgs(0n);
        await expect(tenders.tenderParticipants(2n))
          .to.be.revertedWithCustomError(tenders, "TenderNotFound")
          .withArgs(2n);
      });
    });

    describe("tenderPhase", function () {
      it("is Commit up to the commit deadline, Reveal up to the reveal deadline, then Finalizable", async function () {
        const { tenders, tenderId, terms } = await loadFixture(openFixture);
        await time.increaseTo(terms.commitDeadline);
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Commit);
        await time.increase(1);
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Reveal);
        await time.increaseTo(terms.revealDeadline);
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Reveal);
        await time.increase(1);
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Finalizable);
      });

      it("is Awarded after an award and Failed after a failure", async function () {
        const { tenders, tenderId, actors, terms } = await loadFixture(awardedFixture);
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Awarded);
        await tenders
          .connect(actors.regulator)
          .openTender(await defaultTerms(), [actors.hospital.address], [1n]);
        await time.increaseTo(BigInt(terms.revealDeadline) + 30n * BigInt(DAY));
        await tenders.finalize(2n);
        expect(await tenders.tenderPhase(2n)).to.equal(Phase.Failed);
      });
    });

    describe("commitmentOf", function () {
      it("hashes abi.encode(tenderId, bidder, tiers, salt) and changes with each of them", async function () {
        const { tenders, a, b } = await loadFixture(openFixture);
        const expected = commitmentOf(1n, a.address, SCHEDULE_A, salt("a"));
        expect(await tenders.commitmentOf(1n, a.address, SCHEDULE_A, salt("a"))).to.equal(expected);
        const variants = [
          await tenders.commitmentOf(2n, a.address, SCHEDULE_A, salt("a")),
          await tenders.commitmentOf(1n, b.address, SCHEDULE_A, salt("a")),
          await tenders.commitmentOf(1n, a.address, SCHEDULE_B, salt("a")),
          await tenders.commitmentOf(1n, a.address, SCHEDULE_A, salt("b")),
        ];
        for (const v of variants) expect(v).to.not.equal(expected);
      });
    });
  });

  describe("commitBid", function () {
    describe("when the tender does not exist", function () {
      it("reverts with TenderNotFound", async function () {
        const { tenders, a } = await loadFixture(openFixture);
        await expect(commit(tenders, 7n, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderNotFound")
          .withArgs(7n);
      });
    });

    describe("when the tender house is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { tenders, tenderId, a, actors } = await loadFixture(openFixture);
        await tenders.connect(actors.admin).pause();
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a")).to.be.revertedWithCustomError(
          tenders,
          "EnforcedPause",
        );
      });
    });

    describe("at the commit deadline", function () {
      it("accepts a commitment exactly at the deadline", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(openFixture);
        await time.setNextBlockTimestamp(terms.commitDeadline);
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a")).to.emit(tenders, "BidCommitted");
      });

      it("reverts with TenderBidTooLate one second after the deadline", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(openFixture);
        const late = BigInt(terms.commitDeadline) + 1n;
        await time.setNextBlockTimestamp(late);
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderBidTooLate")
          .withArgs(tenderId, terms.commitDeadline, late);
      });

      it("reverts with TenderBidTooLate for a replacement after the deadline", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(openFixture);
        await commit(tenders, tenderId, a, SCHEDULE_A, "a");
        const late = BigInt(terms.commitDeadline) + 5n;
        await time.setNextBlockTimestamp(late);
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a2"))
          .to.be.revertedWithCustomError(tenders, "TenderBidTooLate")
          .withArgs(tenderId, terms.commitDeadline, late);
        expect((await tenders.bid(tenderId, a.address)).commitment).to.equal(
          prefix(commitmentOf(tenderId, a.address, SCHEDULE_A, salt("a"))),
        );
      });
    });

    describe("when the commitment is zero", function () {
      it("reverts with TenderZeroCommitment", async function () {
        const { tenders, tenderId, a } = await loadFixture(openFixture);
        await expect(tenders.connect(a).commitBid(tenderId, ethers.ZeroHash)).to.be.revertedWithCustomError(
          tenders,
          "TenderZeroCommitment",
        );
      });
    });

    describe("when the bidder is not qualified", function () {
      it("reverts with TenderBidderNotQualified for an unregistered account", async function () {
        const { tenders, tenderId, actors } = await loadFixture(openFixture);
        await expect(commit(tenders, tenderId, actors.stranger, SCHEDULE_A, "x"))
          .to.be.revertedWithCustomError(tenders, "TenderBidderNotQualified")
          .withArgs(tenderId, actors.stranger.address, STENTS);
      });

      it("reverts with TenderBidderNotQualified for a suspended supplier", async function () {
        const { tenders, registry, tenderId, a, actors } = await loadFixture(openFixture);
        await registry.connect(actors.regulator).suspend(a.address, 1);
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderBidderNotQualified")
          .withArgs(tenderId, a.address, STENTS);
      });

      it("reverts with TenderBidderNotQualified for a supplier qualified only in another category", async function () {
        const { ledger, tenders, actors } = await loadFixture(biddersFixture);
        await tenders
          .connect(actors.regulator)
          .openTender(await defaultTerms({ category: KNEES }), [actors.hospital.address], [10n]);
        await expect(commit(tenders, 1n, actors.suppliers[0], SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderBidderNotQualified")
          .withArgs(1n, actors.suppliers[0].address, KNEES);
        await qualify(ledger, actors.regulator, actors.suppliers[0], [KNEES]);
        await expect(commit(tenders, 1n, actors.suppliers[0], SCHEDULE_A, "a")).to.emit(
          tenders,
          "BidCommitted",
        );
      });
    });

    describe("when a qualified supplier commits", function () {
      it("records the commitment's prefix and time, takes the bond and emits BidCommitted", async function () {
        const { ledger, tenders, tenderId, a } = await loadFixture(openFixture);
        const commitment = commitmentOf(tenderId, a.address, SCHEDULE_A, salt("a"));
        const at = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(at);
        const tx = await tenders.connect(a).commitBid(tenderId, commitment);
        await expect(tx).to.emit(tenders, "BidCommitted").withArgs(tenderId, a.address, commitment, BID_BOND);
        await expect(tx).to.changeTokenBalances(ledger.token, [a, tenders], [-BID_BOND, BID_BOND]);
        const bid = await tenders.bid(tenderId, a.address);
        expect(bid.commitment).to.equal(prefix(commitment));
        expect(bid.committedAt).to.equal(at);
        expect([bid.revealed, bid.bondReturned]).to.deep.equal([false, false]);
        expect(bid.tiers).to.deep.equal([]);
        const [, , bidders] = await tenders.tenderParticipants(tenderId);
        expect(bidders).to.deep.equal([a.address]);
      });

      it("takes a bond for each tender it bids in", async function () {
        const { ledger, tenders, tenderId, a, actors } = await loadFixture(openFixture);
        await commit(tenders, tenderId, a, SCHEDULE_A, "a");
        await tenders
          .connect(actors.regulator)
          .openTender(await defaultTerms({ bidBond: 7n }), [actors.hospital.address], [5n]);
        const tx = await commit(tenders, 2n, a, SCHEDULE_A, "a");
        await expect(tx)
          .to.emit(tenders, "BidCommitted")
          .withArgs(2n, a.address, commitmentOf(2n, a.address, SCHEDULE_A, salt("a")), 7n);
        await expect(tx).to.changeTokenBalances(ledger.token, [a, tenders], [-7n, 7n]);
        expect(await ledger.token.balanceOf(await tenders.getAddress())).to.equal(BID_BOND + 7n);
      });
    });

    describe("when the bidder replaces its commitment", function () {
      it("keeps the latest commitment and its time, takes no second bond and lists the bidder once", async function () {
        const { ledger, tenders, tenderId, a, b } = await loadFixture(openFixture);
        await commit(tenders, tenderId, a, SCHEDULE_A, "a");
        await commit(tenders, tenderId, b, SCHEDULE_B, "b");
        const replacement = commitmentOf(tenderId, a.address, SCHEDULE_C, salt("a2"));
        const at = (await time.latest()) + 10;
        await time.setNextBlockTimestamp(at);
        const tx = await tenders.connect(a).commitBid(tenderId, replacement);
        await expect(tx).to.emit(tenders, "BidCommitted").withArgs(tenderId, a.address, replacement, 0n);
        await expect(tx).to.changeTokenBalances(ledger.token, [a, tenders], [0n, 0n]);
        const bid = await tenders.bid(tenderId, a.address);
        expect(bid.commitment).to.equal(prefix(replacement));
        expect(bid.committedAt).to.equal(at);
        const [, , bidders] = await tenders.tenderParticipants(tenderId);
        expect(bidders).to.deep.equal([a.address, b.address]);
      });
    });

    describe("when 32 bidders have committed", function () {
      async function fullTenderFixture() {
        const base = await openFixture();
        const { ledger, actors, tenders, tenderId } = base;
        const crowd = await qualifiedCrowd(ledger, actors.regulator, 33);
        for (const bidder of crowd.slice(0, 32)) await commit(tenders, tenderId, bidder, SCHEDULE_C, "crowd");
        return { ...base, crowd };
      }

      it("reverts a 33rd bidder with TenderTooManyBidders", async function () {
        const { tenders, tenderId, crowd } = await loadFixture(fullTenderFixture);
        await expect(commit(tenders, tenderId, crowd[32], SCHEDULE_C, "crowd"))
          .to.be.revertedWithCustomError(tenders, "TenderTooManyBidders")
          .withArgs(tenderId, 32);
      });

      it("still lets a listed bidder replace its commitment", async function () {
        const { tenders, tenderId, crowd } = await loadFixture(fullTenderFixture);
        await expect(commit(tenders, tenderId, crowd[5], SCHEDULE_A, "again")).to.emit(
          tenders,
          "BidCommitted",
        );
        const [, , bidders] = await tenders.tenderParticipants(tenderId);
        expect(bidders.length).to.equal(32);
      });
    });

    describe("when the tender is no longer open", function () {
      it("reverts with TenderStatusInvalid after an award", async function () {
        const { tenders, tenderId, d } = await loadFixture(awardedFixture);
        await expect(commit(tenders, tenderId, d, SCHEDULE_A, "d"))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Awarded, Status.Open);
      });
    });

    describe("when relayed through the trusted forwarder", function () {
      it("records the signer, not the relayer, as the bidder", async function () {
        const { ledger, tenders, tenderId, a, actors, terms } = await loadFixture(openFixture);
        const commitment = commitmentOf(tenderId, a.address, SCHEDULE_A, salt("a"));
        const data = tenders.interface.encodeFunctionData("commitBid", [tenderId, commitment]);
        const tx = relay(ledger, a, actors.stranger, await tenders.getAddress(), data);
        await expect(tx).to.emit(tenders, "BidCommitted").withArgs(tenderId, a.address, commitment, BID_BOND);
        await expect(tx).to.emit(ledger.forwarder, "ExecutedForwardRequest").withArgs(a.address, 0n, true);
        // The signer's bond was taken, not the relayer's.
        await expect(tx).to.changeTokenBalances(ledger.token, [a, actors.stranger], [-BID_BOND, 0n]);
        expect((await tenders.bid(tenderId, a.address)).commitment).to.equal(prefix(commitment));
        expect((await tenders.bid(tenderId, actors.stranger.address)).committedAt).to.equal(0n);
        const [, , bidders] = await tenders.tenderParticipants(tenderId);
        expect(bidders).to.deep.equal([a.address]);
        // The signer reveals it directly: the relayed commitment is its own.
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a")).to.emit(tenders, "BidRevealed");
      });
    });
  });

  describe("revealBid", function () {
    describe("when the tender does not exist", function () {
      it("reverts with TenderNotFound", async function () {
        const { tenders, a } = await loadFixture(committedFixture);
        await expect(reveal(tenders, 3n, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderNotFound")
          .withArgs(3n);
      });
    });

    describe("when the tender house is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { tenders, tenderId, a, actors } = await loadFixture(committedFixture);
        await tenders.connect(actors.admin).pause();
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a")).to.be.revertedWithCustomError(
          tenders,
          "EnforcedPause",
        );
      });
    });

    describe("at the commit deadline", function () {
      it("reverts with TenderRevealNotOpen exactly at the commit deadline", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(openFixture);
        await commit(tenders, tenderId, a, SCHEDULE_A, "a");
        await time.setNextBlockTimestamp(terms.commitDeadline);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderRevealNotOpen")
          .withArgs(tenderId, terms.commitDeadline, terms.commitDeadline);
      });

      it("accepts a reveal one second after the commit deadline", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(openFixture);
        await commit(tenders, tenderId, a, SCHEDULE_A, "a");
        await time.setNextBlockTimestamp(BigInt(terms.commitDeadline) + 1n);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a")).to.emit(tenders, "BidRevealed");
      });
    });

    describe("at the reveal deadline", function () {
      it("accepts a reveal exactly at the reveal deadline", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(committedFixture);
        await time.setNextBlockTimestamp(terms.revealDeadline);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a")).to.emit(tenders, "BidRevealed");
      });

      it("reverts with TenderRevealTooLate one second after the reveal deadline", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(committedFixture);
        const late = BigInt(terms.revealDeadline) + 1n;
        await time.setNextBlockTimestamp(late);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderRevealTooLate")
          .withArgs(tenderId, terms.revealDeadline, late);
      });
    });

    describe("when the caller never committed", function () {
      it("reverts with TenderNoCommitment", async function () {
        const { tenders, tenderId, d } = await loadFixture(committedFixture);
        await expect(reveal(tenders, tenderId, d, SCHEDULE_A, "d"))
          .to.be.revertedWithCustomError(tenders, "TenderNoCommitment")
          .withArgs(tenderId, d.address);
      });
    });

    describe("when the bid is already revealed", function () {
      it("reverts with TenderAlreadyRevealed", async function () {
        const { tenders, tenderId, a } = await loadFixture(committedFixture);
        await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderAlreadyRevealed")
          .withArgs(tenderId, a.address);
      });
    });

    describe("when the hash does not match", function () {
      async function expectMismatch(
        tenders: TenderHouse,
        tenderId: bigint,
        bidder: HardhatEthersSigner,
        committed: string,
        schedule: TierStruct[],
        label: string,
      ) {
        await expect(reveal(tenders, tenderId, bidder, schedule, label))
          .to.be.revertedWithCustomError(tenders, "TenderCommitmentMismatch")
          .withArgs(
            tenderId,
            bidder.address,
            prefix(committed),
            commitmentOf(tenderId, bidder.address, schedule, salt(label)),
          );
      }

      it("reverts with TenderCommitmentMismatch for another salt", async function () {
        const { tenders, tenderId, a } = await loadFixture(committedFixture);
        const committed = commitmentOf(tenderId, a.address, SCHEDULE_A, salt("a"));
        await expectMismatch(tenders, tenderId, a, committed, SCHEDULE_A, "not-a");
      });

      it("reverts with TenderCommitmentMismatch for other tiers", async function () {
        const { tenders, tenderId, a } = await loadFixture(committedFixture);
        const committed = commitmentOf(tenderId, a.address, SCHEDULE_A, salt("a"));
        // A lower price than committed, after seeing the others' commitments: refused.
        await expectMismatch(tenders, tenderId, a, committed, tiers([0, 8_999], [200, 8_500]), "a");
      });

      it("reverts with TenderCommitmentMismatch when revealing another bidder's schedule and salt", async function () {
        const { tenders, tenderId, a, b } = await loadFixture(committedFixture);
        // A copies B's opening: the bidder is in the hash, so it does not match A's commitment.
        const committed = commitmentOf(tenderId, a.address, SCHEDULE_A, salt("a"));
        await expectMismatch(tenders, tenderId, a, committed, SCHEDULE_B, "b");
        expect((await tenders.bid(tenderId, b.address)).revealed).to.equal(false);
      });

      it("reverts with TenderCommitmentMismatch for a commitment computed for another tender", async function () {
        const { tenders, tenderId, d, terms } = await loadFixture(openFixture);
        const foreign = commitmentOf(tenderId + 1n, d.address, SCHEDULE_A, salt("d"));
        await tenders.connect(d).commitBid(tenderId, foreign);
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await expectMismatch(tenders, tenderId, d, foreign, SCHEDULE_A, "d");
      });

      it("reverts with TenderCommitmentMismatch for a replaced commitment, and accepts the latest", async function () {
        const { tenders, tenderId, d, terms } = await loadFixture(openFixture);
        await commit(tenders, tenderId, d, SCHEDULE_A, "first");
        await commit(tenders, tenderId, d, SCHEDULE_C, "second");
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        const latest = commitmentOf(tenderId, d.address, SCHEDULE_C, salt("second"));
        await expectMismatch(tenders, tenderId, d, latest, SCHEDULE_A, "first");
        await expect(reveal(tenders, tenderId, d, SCHEDULE_C, "second")).to.emit(tenders, "BidRevealed");
      });
    });

    describe("when the schedule is invalid", function () {
      const cases: [string, TierStruct[], bigint][] = [
        ["no tiers", [], Defect.TierCount],
        [
          "nine tiers",
          Array.from({ length: 9 }, (_, i) => ({ threshold: i * 10, unitPrice: 9_000 - i })),
          Defect.TierCount,
        ],
        ["a first threshold above zero", tiers([1, 9_000]), Defect.FirstThresholdNotZero],
        [
          "a repeated threshold",
          tiers([0, 9_000], [100, 8_000], [100, 7_000]),
          Defect.ThresholdNotIncreasing,
        ],
        ["a rising price", tiers([0, 9_000], [100, 9_001]), Defect.PriceIncreasing],
        ["a first price above the reserve", tiers([0, 1_000_001]), Defect.AboveReserve],
        ["a zero price", tiers([0, 9_000], [100, 0]), Defect.ZeroPrice],
        ["a threshold above 2^32 - 1", tiers([0, 9_000], [2n ** 32n, 8_000]), Defect.ValueTooLarge],
      ];
      for (const [name, schedule, defect] of cases) {
        it(`reverts with TenderInvalidSchedule for ${name}`, async function () {
          const { tenders, tenderId, d, terms } = await loadFixture(openFixture);
          await commit(tenders, tenderId, d, schedule, "bad");
          await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
          await expect(reveal(tenders, tenderId, d, schedule, "bad"))
            .to.be.revertedWithCustomError(tenders, "TenderInvalidSchedule")
            .withArgs(tenderId, d.address, defect);
          expect((await tenders.bid(tenderId, d.address)).revealed).to.equal(false);
        });
      }
    });

    describe("when the opening matches a valid schedule", function () {
      it("stores the tiers, marks the bid revealed, returns the bond and emits BidRevealed", async function () {
        const { ledger, tenders, tenderId, b } = await loadFixture(committedFixture);
        const committedAt = (await tenders.bid(tenderId, b.address)).committedAt;
        const tx = await reveal(tenders, tenderId, b, SCHEDULE_B, "b");
        await expect(tx)
          .to.emit(tenders, "BidRevealed")
          .withArgs(tenderId, b.address, tierTuples(SCHEDULE_B), BID_BOND);
        await expect(tx).to.changeTokenBalances(ledger.token, [b, tenders], [BID_BOND, -BID_BOND]);
        const bid = await tenders.bid(tenderId, b.address);
        expect([bid.revealed, bid.bondReturned]).to.deep.equal([true, true]);
        expect(bid.committedAt).to.equal(committedAt);
        expect(bid.tiers.map((t) => [t.threshold, t.unitPrice])).to.deep.equal(tierTuples(SCHEDULE_B));
      });

      it("accepts eight tiers starting exactly at the reserve", async function () {
        const { tenders, tenderId, d, terms } = await loadFixture(openFixture);
        const eight = Array.from({ length: 8 }, (_, i) => ({
          threshold: i * 100,
          unitPrice: BigInt(terms.reservePrice) - BigInt(i),
        }));
        await commit(tenders, tenderId, d, eight, "eight");
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await expect(reveal(tenders, tenderId, d, eight, "eight")).to.emit(tenders, "BidRevealed");
      });

      it("accepts the reveal of a supplier suspended since it committed (it is skipped at award)", async function () {
        const { tenders, registry, tenderId, a, actors } = await loadFixture(committedFixture);
        await registry.connect(actors.regulator).suspend(a.address, 9);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a")).to.emit(tenders, "BidRevealed");
      });
    });

    describe("when the tender is no longer open", function () {
      it("reverts with TenderStatusInvalid after a failure", async function () {
        const { tenders, tenderId, a, terms } = await loadFixture(committedFixture);
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await tenders.finalize(tenderId);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Failed, Status.Open);
      });
    });
  });

  describe("finalize", function () {
    describe("when the tender does not exist", function () {
      it("reverts with TenderNotFound", async function () {
        const { tenders } = await loadFixture(revealedFixture);
        await expect(tenders.finalize(0n))
          .to.be.revertedWithCustomError(tenders, "TenderNotFound")
          .withArgs(0n);
      });
    });

    describe("when the tender house is paused", function () {
      it("reverts with EnforcedPause", async function () {
        const { tenders, tenderId, actors } = await loadFixture(revealedFixture);
        await tenders.connect(actors.admin).pause();
        await expect(tenders.finalize(tenderId)).to.be.revertedWithCustomError(tenders, "EnforcedPause");
      });
    });

    describe("at the reveal deadline", function () {
      it("reverts with TenderRevealNotOver exactly at the reveal deadline", async function () {
        const { tenders, tenderId, terms } = await loadFixture(committedFixture);
        await time.setNextBlockTimestamp(terms.revealDeadline);
        await expect(tenders.finalize(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderRevealNotOver")
          .withArgs(tenderId, terms.revealDeadline, terms.revealDeadline);
      });

      it("reverts with TenderRevealNotOver during the commit phase", async function () {
        const { tenders, tenderId, terms } = await loadFixture(openFixture);
        const now = BigInt(terms.commitDeadline) - 1n;
        await time.setNextBlockTimestamp(now);
        await expect(tenders.finalize(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderRevealNotOver")
          .withArgs(tenderId, terms.revealDeadline, now);
      });

      it("finalizes one second after the reveal deadline, called by anyone", async function () {
        const { tenders, tenderId, a, terms, actors } = await loadFixture(committedFixture);
        await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
        await time.setNextBlockTimestamp(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.connect(actors.stranger).finalize(tenderId)).to.emit(tenders, "TenderAwarded");
      });
    });

    describe("when nobody bid", function () {
      it("fails the tender and emits TenderFailed only", async function () {
        const { ledger, tenders, tenderId, terms } = await loadFixture(openFixture);
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderFailed")
          .withArgs(tenderId)
          .and.not.to.emit(tenders, "TenderAwarded");
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Failed);
        expect(await ledger.agreements.agreementCount()).to.equal(0n);
      });
    });

    describe("when no bid was revealed", function () {
      it("fails the tender without skipping anyone", async function () {
        const { tenders, tenderId, terms } = await loadFixture(committedFixture);
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderFailed")
          .withArgs(tenderId)
          .and.not.to.emit(tenders, "BidderSkipped");
      });
    });

    describe("when the only reveal was refused as invalid", function () {
      it("fails the tender", async function () {
        const { tenders, tenderId, d, terms } = await loadFixture(openFixture);
        const aboveReserve = tiers([0, 2_000_000]);
        await commit(tenders, tenderId, d, aboveReserve, "d");
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await expect(reveal(tenders, tenderId, d, aboveReserve, "d"))
          .to.be.revertedWithCustomError(tenders, "TenderInvalidSchedule")
          .withArgs(tenderId, d.address, Defect.AboveReserve);
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId)).to.emit(tenders, "TenderFailed").withArgs(tenderId);
      });
    });

    describe("when every revealed bidder lost its qualification", function () {
      it("skips them and fails the tender", async function () {
        const { ledger, tenders, registry, tenderId, a, b, c, actors } = await loadFixture(revealedFixture);
        for (const s of [a, b, c]) await registry.connect(actors.regulator).suspend(s.address, 1);
        const tx = tenders.finalize(tenderId);
        await expect(tx).to.emit(tenders, "BidderSkipped").withArgs(tenderId, a.address);
        await expect(tx).to.emit(tenders, "BidderSkipped").withArgs(tenderId, b.address);
        await expect(tx).to.emit(tenders, "BidderSkipped").withArgs(tenderId, c.address);
        await expect(tx).to.emit(tenders, "TenderFailed").withArgs(tenderId);
        await expect(tx).not.to.emit(ledger.agreements, "AgreementCreated");
      });
    });

    describe("when a bidder's documents lapse after the reveal deadline", function () {
      it("judges them as they stood when reveals closed: waiting to finalize until a rival's lapse wins nothing", async function () {
        // The attack (a helper's review): anyone may finalize at any time, and qualification was
        // read then, so a bidder could wait for the best bidder's licence to lapse to win.
        const { tenders, tenderId, a, b, terms, registry } = await loadFixture(revealedFixture);
        const later = BigInt(terms.revealDeadline) + 3n * BigInt(YEAR);
        await time.increaseTo(later);
        expect(await registry.isQualified(b.address, STENTS, later)).to.equal(false);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [b.address, a.address], [1n, 2n])
          .and.not.to.emit(tenders, "BidderSkipped");
      });
    });

    describe("when there are more valid bids than winners", function () {
      it("awards the lowest first-tier prices in order and emits TenderAwarded", async function () {
        const { ledger, tenders, tenderId, a, b } = await loadFixture(revealedFixture);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [b.address, a.address], [1n, 2n])
          .and.not.to.emit(tenders, "BidderSkipped")
          .and.not.to.emit(tenders, "TenderFailed")
          .and.not.to.emit(tenders, "BondsForfeited");
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Awarded);
        expect(await ledger.agreements.agreementCount()).to.equal(2n);
      });

      it("creates an agreement per winner in the agreement book, the remainder of each split going to the best bid", async function () {
        const { ledger, tenders, tenderId, a, b, terms, hospitals } = await loadFixture(revealedFixture);
        const at = BigInt(terms.revealDeadline) + 10n;
        await time.setNextBlockTimestamp(at);
        const end = at + BigInt(terms.termSeconds);
        const tx = tenders.finalize(tenderId);
        await expect(tx)
          .to.emit(ledger.agreements, "AgreementCreated")
          .withArgs(1n, tenderId, b.address, STENTS, at, end, tierTuples(SCHEDULE_B), hospitals, [
            500n,
            251n,
          ]);
        await expect(tx)
          .to.emit(ledger.agreements, "AgreementCreated")
          .withArgs(2n, tenderId, a.address, STENTS, at, end, tierTuples(SCHEDULE_A), hospitals, [
            500n,
            250n,
          ]);

        const agreement = await ledger.agreements.agreement(1n);
        expect([...agreement.terms]).to.deep.equal([
          b.address,
          tenderId,
          STENTS,
          at,
          end,
          BigInt(terms.leadTimeDays),
          BigInt(terms.penaltyBpsPerDay),
          BigInt(terms.penaltyCapBps),
          BigInt(terms.fundingWindow),
          BigInt(terms.receivingWindow),
          BigInt(terms.confirmWindow),
        ]);
        expect(agreement.acceptedVolume).to.equal(0n);
        expect([agreement.rank, agreement.winnerCount]).to.deep.equal([0n, 2n]);
        expect(agreement.tiers.map((t) => [t.threshold, t.unitPrice])).to.deep.equal(tierTuples(SCHEDULE_B));
        const committed = async (id: bigint, h: string) =>
          (await ledger.agreements.hospitalVolume(id, h)).committed;
        expect(await committed(1n, hospitals[0])).to.equal(500n);
        expect(await committed(1n, hospitals[1])).to.equal(251n);
        expect(await committed(2n, hospitals[0])).to.equal(500n);
        expect(await committed(2n, hospitals[1])).to.equal(250n);
        const second = await ledger.agreements.agreement(2n);
        expect([second.terms.supplier, second.rank, second.winnerCount]).to.deep.equal([a.address, 1n, 2n]);
      });

      it("leaves the third-best bid without an agreement", async function () {
        const { ledger, tenders, tenderId, c, actors } = await loadFixture(revealedFixture);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [actors.suppliers[1].address, actors.suppliers[0].address], [1n, 2n]);
        expect(await ledger.agreements.agreementCount()).to.equal(2n);
        expect((await tenders.bid(tenderId, c.address)).revealed).to.equal(true);
        await expect(ledger.agreements.agreement(3n))
          .to.be.revertedWithCustomError(ledger.agreements, "AgreementNotFound")
          .withArgs(3n);
      });
    });

    describe("when there are fewer valid bids than winners", function () {
      it("awards every valid bid, the only winner taking the whole volume", async function () {
        const { ledger, actors } = await loadFixture(biddersFixture);
        const [a, , , d] = actors.suppliers;
        const { tenderId, agreementIds } = await runTender(
          ledger,
          actors.regulator,
          [{ bidder: a, schedule: SCHEDULE_A, salt: salt("a") }],
          [actors.hospital.address, actors.hospital2.address],
          [7n, 3n],
          { winners: 3 },
        );
        expect(agreementIds).to.deep.equal([1n]);
        expect(await ledger.tenders.tenderPhase(tenderId)).to.equal(Phase.Awarded);
        expect((await ledger.agreements.hospitalVolume(1n, actors.hospital.address)).committed).to.equal(7n);
        expect((await ledger.agreements.hospitalVolume(1n, actors.hospital2.address)).committed).to.equal(3n);
        expect((await ledger.tenders.bid(tenderId, d.address)).committedAt).to.equal(0n);
      });
    });

    describe("when the volume does not split evenly between three winners", function () {
      it("gives the remainder to the best bid only", async function () {
        const { ledger, actors } = await loadFixture(biddersFixture);
        const [a, b, c] = actors.suppliers;
        await runTender(
          ledger,
          actors.regulator,
          [
            { bidder: a, schedule: SCHEDULE_A, salt: salt("a") },
            { bidder: b, schedule: SCHEDULE_B, salt: salt("b") },
            { bidder: c, schedule: SCHEDULE_C, salt: salt("c") },
          ],
          [actors.hospital.address],
          [1_000n],
          { winners: 3 },
        );
        // Award order B (8000), A (9000), C (9500).
        expect((await ledger.agreements.agreement(1n)).terms.supplier).to.equal(b.address);
        for (const [id, share] of [
          [1n, 334n],
          [2n, 333n],
          [3n, 333n],
        ]) {
          expect((await ledger.agreements.hospitalVolume(id, actors.hospital.address)).committed).to.equal(
            share,
          );
        }
      });
    });

    describe("when bidders offer the same first-tier price", function () {
      const SAME_A = tiers([0, 8_000], [100, 7_000]);
      const SAME_D = tiers([0, 8_000], [100, 6_000]);

      it("ranks the earlier final commitment first, whatever the later tiers", async function () {
        const { ledger, actors } = await loadFixture(biddersFixture);
        const [a, , , d] = actors.suppliers;
        const { tenderId } = await runTender(
          ledger,
          actors.regulator,
          [
            { bidder: a, schedule: SAME_A, salt: salt("a") },
            { bidder: d, schedule: SAME_D, salt: salt("d") },
          ],
          [actors.hospital.address],
          [11n],
          { winners: 1 },
        );
        expect((await ledger.agreements.agreement(1n)).terms.supplier).to.equal(a.address);
        expect(await ledger.agreements.agreementCount()).to.equal(1n);
        expect((await ledger.tenders.bid(tenderId, d.address)).revealed).to.equal(true);
      });

      it("ranks by the final commitment, so replacing a commitment gives up the earlier place", async function () {
        const { ledger, tenders, tenderId, a, d, terms, hospitals } = await loadFixture(openFixture);
        await commit(tenders, tenderId, a, SAME_A, "a");
        await commit(tenders, tenderId, d, SAME_D, "d");
        await commit(tenders, tenderId, a, SAME_A, "a-final"); // A's final commitment is now the later one
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await reveal(tenders, tenderId, a, SAME_A, "a-final");
        await reveal(tenders, tenderId, d, SAME_D, "d");
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [d.address, a.address], [1n, 2n]);
        // D ranks first, so it gets the remainder of 1000 and 501 split in two.
        expect((await ledger.agreements.agreement(1n)).terms.supplier).to.equal(d.address);
        expect((await ledger.agreements.hospitalVolume(1n, hospitals[1])).committed).to.equal(251n);
        expect((await ledger.agreements.hospitalVolume(2n, hospitals[1])).committed).to.equal(250n);
      });

      it("ranks the earlier first commitment first when the final ones share a block", async function () {
        const { ledger, tenders, tenderId, a, d, terms } = await loadFixture(openFixture);
        await commit(tenders, tenderId, d, SAME_D, "d-first");
        // D's replacement and A's first commitment land in one block: the same commitment time.
        await network.provider.send("evm_setAutomine", [false]);
        try {
          await commit(tenders, tenderId, a, SAME_A, "a");
          await commit(tenders, tenderId, d, SAME_D, "d");
          await network.provider.send("evm_mine", []);
        } finally {
          await network.provider.send("evm_setAutomine", [true]);
        }
        const [bidA, bidD] = [await tenders.bid(tenderId, a.address), await tenders.bid(tenderId, d.address)];
        expect(bidA.committedAt).to.equal(bidD.committedAt);
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await reveal(tenders, tenderId, a, SAME_A, "a");
        await reveal(tenders, tenderId, d, SAME_D, "d");
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [d.address, a.address], [1n, 2n]);
        expect((await ledger.agreements.agreement(1n)).terms.supplier).to.equal(d.address);
      });

      it("prefers a lower price over an earlier commitment", async function () {
        const { ledger, actors } = await loadFixture(biddersFixture);
        const [a, , , d] = actors.suppliers;
        await runTender(
          ledger,
          actors.regulator,
          [
            { bidder: a, schedule: SAME_A, salt: salt("a") },
            { bidder: d, schedule: tiers([0, 7_999]), salt: salt("d") },
          ],
          [actors.hospital.address],
          [10n],
          { winners: 1 },
        );
        expect((await ledger.agreements.agreement(1n)).terms.supplier).to.equal(d.address);
      });
    });

    describe("when a revealed bidder lost its qualification before finalize", function () {
      it("skips a suspended supplier with BidderSkipped and awards the next best", async function () {
        const { tenders, registry, tenderId, a, b, c, actors } = await loadFixture(revealedFixture);
        await registry.connect(actors.regulator).suspend(b.address, 13);
        const tx = tenders.finalize(tenderId);
        await expect(tx).to.emit(tenders, "BidderSkipped").withArgs(tenderId, b.address);
        await expect(tx)
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [a.address, c.address], [1n, 2n]);
        const receipt = await (await tx).wait();
        const skipped = receipt!.logs
          .map((log) => tenders.interface.parseLog(log))
          .filter((event) => event?.name === "BidderSkipped");
        expect(skipped.length).to.equal(1);
      });

      it("skips a supplier whose document lapsed", async function () {
        const { ledger, actors } = await loadFixture(biddersFixture);
        const a = actors.suppliers[0];
        // The stranger's documents lapse 10 days in: after the commit deadline (7 days), before
        // the reveal deadline (14 days), so it commits and reveals but is no longer qualified at award.
        await qualify(ledger, actors.regulator, actors.stranger, [STENTS], 10 * DAY);
        await fundBond(ledger, actors.stranger, BID_BOND);
        const terms = await defaultTerms({ winners: 2 });
        await ledger.tenders.connect(actors.regulator).openTender(terms, [actors.hospital.address], [10n]);
        await commit(ledger.tenders, 1n, a, SCHEDULE_A, "a");
        await commit(ledger.tenders, 1n, actors.stranger, SCHEDULE_B, "s");
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await reveal(ledger.tenders, 1n, a, SCHEDULE_A, "a");
        await reveal(ledger.tenders, 1n, actors.stranger, SCHEDULE_B, "s");
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        const tx = ledger.tenders.finalize(1n);
        await expect(tx).to.emit(ledger.tenders, "BidderSkipped").withArgs(1n, actors.stranger.address);
        await expect(tx).to.emit(ledger.tenders, "TenderAwarded").withArgs(1n, [a.address], [1n]);
      });

      it("does not skip a supplier reinstated before finalize", async function () {
        const { tenders, registry, tenderId, a, b, actors } = await loadFixture(revealedFixture);
        await registry.connect(actors.regulator).suspend(b.address, 13);
        await registry.connect(actors.regulator).reinstate(b.address, 14);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [b.address, a.address], [1n, 2n])
          .and.not.to.emit(tenders, "BidderSkipped");
      });
    });

    describe("when a committed bidder never revealed", function () {
      it("leaves it out without a BidderSkipped event", async function () {
        const { tenders, registry, tenderId, a, c, actors, terms } = await loadFixture(committedFixture);
        await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
        await reveal(tenders, tenderId, c, SCHEDULE_C, "c");
        await registry.connect(actors.regulator).suspend(actors.suppliers[1].address, 1); // B, unrevealed
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [a.address, c.address], [1n, 2n])
          .and.to.emit(tenders, "BondsForfeited")
          .withArgs(tenderId, [actors.suppliers[1].address], BID_BOND)
          .and.not.to.emit(tenders, "BidderSkipped");
      });
    });

    describe("when the tender was already finalized", function () {
      it("reverts with TenderStatusInvalid after an award", async function () {
        const { tenders, tenderId } = await loadFixture(awardedFixture);
        await expect(tenders.finalize(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Awarded, Status.Open);
      });

      it("reverts with TenderStatusInvalid after a failure", async function () {
        const { tenders, tenderId, terms } = await loadFixture(openFixture);
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await tenders.finalize(tenderId);
        await expect(tenders.finalize(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Failed, Status.Open);
      });
    });
  });

  describe("cancelTender", function () {
    describe("when a regulator cancels an open tender", function () {
      it("emits TenderCancelled and ends it: no more reveals, no award", async function () {
        const { tenders, tenderId, a, actors, terms } = await loadFixture(committedFixture);
        await expect(tenders.connect(actors.regulator).cancelTender(tenderId, CANCEL_REASON))
          .to.emit(tenders, "TenderCancelled")
          .withArgs(tenderId, actors.regulator.address, CANCEL_REASON);
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Cancelled);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Cancelled, Status.Open);
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Cancelled, Status.Open);
      });

      it("refuses further commitments when cancelled in the commit phase", async function () {
        const { tenders, tenderId, a, b, actors } = await loadFixture(openFixture);
        await commit(tenders, tenderId, a, SCHEDULE_A, "a");
        await tenders.connect(actors.regulator).cancelTender(tenderId, CANCEL_REASON);
        await expect(commit(tenders, tenderId, b, SCHEDULE_B, "b"))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Cancelled, Status.Open);
      });

      it("works while the tender house is paused", async function () {
        const { tenders, tenderId, actors } = await loadFixture(committedFixture);
        await tenders.connect(actors.admin).pause();
        await expect(tenders.connect(actors.regulator).cancelTender(tenderId, CANCEL_REASON)).to.emit(
          tenders,
          "TenderCancelled",
        );
      });
    });

    describe("when the caller is not a regulator", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { tenders, tenderId, actors, a } = await loadFixture(committedFixture);
        for (const caller of [actors.admin, actors.hospital, a, actors.stranger]) {
          await expect(tenders.connect(caller).cancelTender(tenderId, CANCEL_REASON))
            .to.be.revertedWithCustomError(tenders, "LedgerUnauthorized")
            .withArgs(caller.address, REGULATOR_ROLE);
        }
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Reveal);
      });
    });

    describe("when the tender is not open", function () {
      it("reverts with TenderStatusInvalid once awarded, failed or cancelled", async function () {
        const { tenders, tenderId, actors } = await loadFixture(awardedFixture);
        const regulator = tenders.connect(actors.regulator);
        await expect(regulator.cancelTender(tenderId, CANCEL_REASON))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Awarded, Status.Open);
        const h = [actors.hospital.address];
        await regulator.openTender(await defaultTerms(), h, [1n]);
        await time.increaseTo(BigInt((await tenders.tenderTerms(2n)).revealDeadline) + 1n);
        await tenders.finalize(2n);
        await expect(regulator.cancelTender(2n, CANCEL_REASON))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(2n, Status.Failed, Status.Open);
        await regulator.openTender(await defaultTerms(), h, [1n]);
        await regulator.cancelTender(3n, CANCEL_REASON);
        await expect(regulator.cancelTender(3n, CANCEL_REASON))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(3n, Status.Cancelled, Status.Open);
      });

      it("reverts with TenderNotFound for a tender that does not exist", async function () {
        const { tenders, actors } = await loadFixture(openFixture);
        await expect(tenders.connect(actors.regulator).cancelTender(9n, CANCEL_REASON))
          .to.be.revertedWithCustomError(tenders, "TenderNotFound")
          .withArgs(9n);
      });
    });
  });

  describe("withdrawBond", function () {
    describe("while the tender is open or once it is awarded", function () {
      it("reverts with TenderStatusInvalid: bonds come back by revealing or are forfeited", async function () {
        const { tenders, tenderId, a, c, terms } = await loadFixture(committedFixture);
        await expect(tenders.connect(c).withdrawBond(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Open, Status.Cancelled);
        await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await tenders.finalize(tenderId);
        await expect(tenders.connect(c).withdrawBond(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Awarded, Status.Cancelled);
      });

      it("reverts with TenderNotFound for a tender that does not exist", async function () {
        const { tenders, a } = await loadFixture(committedFixture);
        await expect(tenders.connect(a).withdrawBond(4n))
          .to.be.revertedWithCustomError(tenders, "TenderNotFound")
          .withArgs(4n);
      });
    });
  });

  describe("claimForfeit", function () {
    describe("when every bidder revealed", function () {
      it("leaves nothing to claim", async function () {
        const { tenders, tenderId, actors } = await loadFixture(awardedFixture);
        expect(await tenders.forfeitShare(tenderId, actors.hospital.address)).to.equal(0n);
        await expect(tenders.connect(actors.hospital).claimForfeit(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderNothingToClaim")
          .withArgs(tenderId, actors.hospital.address);
      });
    });
  });

  describe("attack: cover bids", function () {
    /** A and B revealed, C (a cover bid) never did; the reveal deadline has passed. */
    async function coverBidFixture() {
      const base = await committedFixture();
      const { tenders, tenderId, a, b, terms } = base;
      await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
      await reveal(tenders, tenderId, b, SCHEDULE_B, "b");
      await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
      return base;
    }

    /** The tender awarded with C's bond forfeited. */
    async function forfeitedFixture() {
      const base = await coverBidFixture();
      await base.tenders.finalize(base.tenderId);
      return base;
    }

    /** Shares of one forfeited bond: rounded down, in proportion to 1000 and 501 units. */
    const SHARES = VOLUMES.map((v) => (BID_BOND * v) / (VOLUMES[0] + VOLUMES[1]));

    describe("when a bidder commits and never reveals (free on v1)", function () {
      it("forfeits its bond at award, which it cannot withdraw", async function () {
        const { ledger, tenders, tenderId, a, b, c } = await loadFixture(coverBidFixture);
        const before = await ledger.token.balanceOf(c.address);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "BondsForfeited")
          .withArgs(tenderId, [c.address], BID_BOND)
          .and.to.emit(tenders, "TenderAwarded")
          .withArgs(tenderId, [b.address, a.address], [1n, 2n]);
        expect(await ledger.token.balanceOf(await tenders.getAddress())).to.equal(BID_BOND);
        await expect(tenders.connect(c).withdrawBond(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderStatusInvalid")
          .withArgs(tenderId, Status.Awarded, Status.Cancelled);
        expect(await ledger.token.balanceOf(c.address)).to.equal(before);
      });

      it("forfeits every unrevealed bond", async function () {
        const { tenders, tenderId, a, b, c, terms } = await loadFixture(committedFixture);
        await reveal(tenders, tenderId, b, SCHEDULE_B, "b");
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "BondsForfeited")
          .withArgs(tenderId, [a.address, c.address], 2n * BID_BOND);
      });

      it("lets each hospital claim its share in proportion to its volume, once", async function () {
        const { ledger, tenders, tenderId, actors } = await loadFixture(forfeitedFixture);
        const [h1, h2] = [actors.hospital, actors.hospital2];
        expect(SHARES).to.deep.equal([33_311n, 16_688n]);
        expect(await tenders.forfeitShare(tenderId, h1.address)).to.equal(SHARES[0]);
        expect(await tenders.forfeitShare(tenderId, h2.address)).to.equal(SHARES[1]);

        const first = await tenders.connect(h1).claimForfeit(tenderId);
        await expect(first).to.emit(tenders, "ForfeitClaimed").withArgs(tenderId, h1.address, SHARES[0]);
        await expect(first).to.changeTokenBalances(ledger.token, [h1, tenders], [SHARES[0], -SHARES[0]]);
        expect(await tenders.forfeitShare(tenderId, h1.address)).to.equal(0n);
        await expect(tenders.connect(h1).claimForfeit(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderNothingToClaim")
          .withArgs(tenderId, h1.address);

        await expect(tenders.connect(h2).claimForfeit(tenderId))
          .to.emit(tenders, "ForfeitClaimed")
          .withArgs(tenderId, h2.address, SHARES[1]);
        // Rounding leaves at most one base unit per hospital behind.
        expect(await ledger.token.balanceOf(await tenders.getAddress())).to.equal(
          BID_BOND - SHARES[0] - SHARES[1],
        );
        expect(BID_BOND - SHARES[0] - SHARES[1]).to.equal(1n);
      });

      it("gives nothing to anyone but the tender's hospitals", async function () {
        const { tenders, tenderId, actors, a, c } = await loadFixture(forfeitedFixture);
        for (const account of [actors.stranger, actors.regulator, a, c]) {
          expect(await tenders.forfeitShare(tenderId, account.address)).to.equal(0n);
          await expect(tenders.connect(account).claimForfeit(tenderId))
            .to.be.revertedWithCustomError(tenders, "TenderNothingToClaim")
            .withArgs(tenderId, account.address);
        }
      });

      it("lets hospitals claim while the tender house is paused", async function () {
        const { tenders, tenderId, actors } = await loadFixture(forfeitedFixture);
        await tenders.connect(actors.admin).pause();
        await expect(tenders.connect(actors.hospital).claimForfeit(tenderId))
          .to.emit(tenders, "ForfeitClaimed")
          .withArgs(tenderId, actors.hospital.address, SHARES[0]);
      });
    });

    describe("when a bidder commits and reveals", function () {
      it("gets its bond back in the reveal transaction and ends where it started", async function () {
        const { ledger, tenders, tenderId, a, terms } = await loadFixture(openFixture);
        const start = await ledger.token.balanceOf(a.address);
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a")).to.changeTokenBalances(
          ledger.token,
          [a, tenders],
          [-BID_BOND, BID_BOND],
        );
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        await expect(reveal(tenders, tenderId, a, SCHEDULE_A, "a")).to.changeTokenBalances(
          ledger.token,
          [a, tenders],
          [BID_BOND, -BID_BOND],
        );
        expect(await ledger.token.balanceOf(a.address)).to.equal(start);
      });
    });

    describe("when nobody eligible revealed and the tender failed", function () {
      it("lets every unrevealed bidder withdraw its bond, once", async function () {
        const { ledger, tenders, registry, tenderId, a, b, c, d, actors, terms } =
          await loadFixture(committedFixture);
        // A revealed (its bond came back) but lost its qualification: the tender fails.
        await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
        await registry.connect(actors.regulator).suspend(a.address, 1);
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        await expect(tenders.finalize(tenderId))
          .to.emit(tenders, "TenderFailed")
          .withArgs(tenderId)
          .and.not.to.emit(tenders, "BondsForfeited");
        for (const bidder of [b, c]) {
          const tx = await tenders.connect(bidder).withdrawBond(tenderId);
          await expect(tx).to.emit(tenders, "BondWithdrawn").withArgs(tenderId, bidder.address, BID_BOND);
          await expect(tx).to.changeTokenBalances(ledger.token, [bidder, tenders], [BID_BOND, -BID_BOND]);
          expect((await tenders.bid(tenderId, bidder.address)).bondReturned).to.equal(true);
          await expect(tenders.connect(bidder).withdrawBond(tenderId))
            .to.be.revertedWithCustomError(tenders, "TenderNothingToClaim")
            .withArgs(tenderId, bidder.address);
        }
        for (const account of [a, d]) {
          await expect(tenders.connect(account).withdrawBond(tenderId))
            .to.be.revertedWithCustomError(tenders, "TenderNothingToClaim")
            .withArgs(tenderId, account.address);
        }
        await expect(tenders.connect(actors.hospital).claimForfeit(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderNothingToClaim")
          .withArgs(tenderId, actors.hospital.address);
        expect(await ledger.token.balanceOf(await tenders.getAddress())).to.equal(0n);
      });
    });

    describe("when a regulator cancelled the tender", function () {
      it("lets every unrevealed bidder withdraw its bond, even while paused", async function () {
        const { ledger, tenders, tenderId, a, b, c, actors } = await loadFixture(committedFixture);
        await reveal(tenders, tenderId, a, SCHEDULE_A, "a");
        await tenders.connect(actors.regulator).cancelTender(tenderId, CANCEL_REASON);
        await tenders.connect(actors.admin).pause();
        for (const bidder of [b, c]) {
          const tx = await tenders.connect(bidder).withdrawBond(tenderId);
          await expect(tx).to.emit(tenders, "BondWithdrawn").withArgs(tenderId, bidder.address, BID_BOND);
          await expect(tx).to.changeTokenBalances(ledger.token, [bidder, tenders], [BID_BOND, -BID_BOND]);
        }
        await expect(tenders.connect(a).withdrawBond(tenderId))
          .to.be.revertedWithCustomError(tenders, "TenderNothingToClaim")
          .withArgs(tenderId, a.address);
        expect(await ledger.token.balanceOf(await tenders.getAddress())).to.equal(0n);
      });
    });

    describe("when the bidder has not approved the bond or cannot pay it", function () {
      it("reverts the commitment and records no bid", async function () {
        const { ledger, tenders, tenderId, actors } = await loadFixture(openFixture);
        const bidder = actors.stranger;
        await qualify(ledger, actors.regulator, bidder);
        const spender = await tenders.getAddress();
        await expect(commit(tenders, tenderId, bidder, SCHEDULE_A, "s"))
          .to.be.revertedWithCustomError(ledger.token, "ERC20InsufficientAllowance")
          .withArgs(spender, 0n, BID_BOND);
        await ledger.token.connect(bidder).approve(spender, BID_BOND);
        await expect(commit(tenders, tenderId, bidder, SCHEDULE_A, "s"))
          .to.be.revertedWithCustomError(ledger.token, "ERC20InsufficientBalance")
          .withArgs(bidder.address, 0n, BID_BOND);
        expect((await tenders.bid(tenderId, bidder.address)).committedAt).to.equal(0n);
        const [, , bidders] = await tenders.tenderParticipants(tenderId);
        expect(bidders).to.deep.equal([]);
      });
    });

    describe("when the settlement token takes a fee on transfer", function () {
      it("refuses the bond with TenderTokenTransferMismatch", async function () {
        const { actors } = await loadFixture(deployFixture);
        const feeToken = await ethers.deployContract("FeeOnTransferToken");
        await feeToken.setFee(100); // 1 % of every transfer burnt
        const { ledger } = await deployLedger(actors.admin, {
          regulators: [actors.regulator.address],
          tokenAddress: await feeToken.getAddress(),
        });
        const bidder = actors.suppliers[0];
        await qualify(ledger, actors.regulator, bidder);
        await fundBond(ledger, bidder, BID_BOND);
        await ledger.tenders
          .connect(actors.regulator)
          .openTender(await defaultTerms(), [actors.hospital.address], [10n]);
        const fee = (BID_BOND * (await feeToken.feeBps())) / 10_000n;
        await expect(commit(ledger.tenders, 1n, bidder, SCHEDULE_A, "a"))
          .to.be.revertedWithCustomError(ledger.tenders, "TenderTokenTransferMismatch")
          .withArgs(BID_BOND, BID_BOND - fee);
        expect(await feeToken.balanceOf(bidder.address)).to.equal(BID_BOND);
      });
    });
  });

  describe("attack: qualification spam", function () {
    /**
     * Each bidder files `extra` documents the regulator rejects and `extra` attested ones that
     * lapsed a year ago, then leaves 16 pending (the cap): on v1 each of them made every
     * qualification check, and so finalize, dearer.
     */
    async function fileSpam(
      ledger: Ledger,
      regulator: HardhatEthersSigner,
      bidders: HardhatEthersSigner[],
      extra: number,
    ) {
      const registry = ledger.registry;
      const now = BigInt(await time.latest());
      const [from, until] = [now - 2n * BigInt(YEAR), now - BigInt(YEAR)];
      for (const bidder of bidders) {
        const digest = (label: string) => ethers.sha256(ethers.toUtf8Bytes(`${bidder.address}-${label}`));
        for (let i = 0; i < extra; i++) {
          await registry.connect(bidder).fileDocument(i % 3, digest(`rejected-${i}`), from, until, [STENTS]);
          await registry.connect(regulator).rejectDocument(await registry.documentCount(), 1);
          await registry.connect(bidder).fileDocument(i % 3, digest(`lapsed-${i}`), from, until, [STENTS]);
          await registry.connect(regulator).attestDocument(await registry.documentCount());
        }
        for (let i = 0; i < 16; i++) {
          await registry.connect(bidder).fileDocument(i % 3, digest(`pending-${i}`), from, until, [STENTS]);
        }
        expect(await registry.pendingDocumentCount(bidder.address)).to.equal(16n);
      }
    }

    it("costs finalize the same gas whether the bidders filed 3 documents each or over a hundred", async function () {
      this.timeout(LARGE_TIMEOUT);
      const baseline = await loadFixture(revealedFixture);
      const expectedWinners = [baseline.b.address, baseline.a.address];
      const gas3 = await gasOf(baseline.tenders.finalize(baseline.tenderId));
      for (const extra of [8, 48]) {
        const { ledger, tenders, tenderId, actors, a, b, c } = await loadFixture(revealedFixture);
        await fileSpam(ledger, actors.regulator, [a, b, c], extra);
        const filed = await ledger.registry.documentCount();
        // 3 per qualified supplier (four of them) and 2 × extra + 16 per spamming bidder.
        expect(filed).to.equal(BigInt(4 * 3 + 3 * (2 * extra + 16)));
        const tx = tenders.finalize(tenderId);
        await expect(tx).to.emit(tenders, "TenderAwarded").withArgs(tenderId, expectedWinners, [1n, 2n]);
        expect(await gasOf(tx), `${extra} rejected, ${extra} lapsed and 16 pending each`).to.equal(gas3);
      }
    });

    describe("when the tender is as large as openTender allows and every bidder filed the most it can", function () {
      /** 32 bidders with eight tiers and 16 pending documents each, 64 hospitals, 8 winners. */
      async function largestTenderFixture() {
        const base = await deployFixture();
        const { ledger, actors } = base;
        const crowd = await qualifiedCrowd(ledger, actors.regulator, 32);
        await fileSpam(ledger, actors.regulator, crowd, 0);
        const hospitals = Array.from({ length: 64 }, (_, i) =>
          ethers.getAddress(ethers.dataSlice(ethers.id(`hospital-${i}`), 12)),
        );
        const volumes = hospitals.map((_, i) => 1_000n + BigInt(i));
        // Deadlines from the chain now, after the slow set-up of the crowd.
        const terms = await defaultTerms({ winners: 8 });
        await ledger.tenders.connect(actors.regulator).openTender(terms, hospitals, volumes);
        // Eight tiers each; bidder i opens at 9000 - i, so the last eight bidders are the best.
        const schedules = crowd.map((_, i) =>
          Array.from({ length: 8 }, (_, k) => ({ threshold: k * 100, unitPrice: 9_000 - i - k })),
        );
        for (const [i, bidder] of crowd.entries())
          await commit(ledger.tenders, 1n, bidder, schedules[i], "big");
        await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
        for (const [i, bidder] of crowd.entries())
          await reveal(ledger.tenders, 1n, bidder, schedules[i], "big");
        await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
        return { ...base, tenders: ledger.tenders, crowd, hospitals, volumes };
      }

      it("finalizes 32 bids, 8 winners and 64 hospitals within one transaction's gas cap", async function () {
        this.timeout(LARGE_TIMEOUT);
        const { ledger, tenders, crowd, hospitals, volumes } = await loadFixture(largestTenderFixture);
        const winners = crowd.slice(24).reverse();
        // Sent with the cap as its limit: a finalize that needs more could never be mined.
        const tx = tenders.finalize(1n, { gasLimit: TX_GAS_CAP });
        await expect(tx)
          .to.emit(tenders, "TenderAwarded")
          .withArgs(
            1n,
            winners.map((w) => w.address),
            [1n, 2n, 3n, 4n, 5n, 6n, 7n, 8n],
          );
        const gasUsed = await gasOf(tx);
        expect(gasUsed < TX_GAS_CAP).to.equal(true, `finalize used ${gasUsed} gas`);

        // Rank 0 takes each remainder: 1000 + i split eight ways.
        for (const i of [0, 7, 63]) {
          const share = volumes[i] / 8n;
          expect((await ledger.agreements.hospitalVolume(1n, hospitals[i])).committed).to.equal(
            share + (volumes[i] % 8n),
          );
          expect((await ledger.agreements.hospitalVolume(8n, hospitals[i])).committed).to.equal(share);
        }
        const last = await ledger.agreements.agreement(8n);
        expect(last.terms.supplier).to.equal(winners[7].address);
        expect(last.tiers.length).to.equal(8);
      });
    });
  });

  describe("pause and unpause", function () {
    describe("when the caller lacks PAUSER_ROLE", function () {
      it("reverts with LedgerUnauthorized", async function () {
        const { tenders, actors } = await loadFixture(openFixture);
        await expect(tenders.connect(actors.regulator).pause())
          .to.be.revertedWithCustomError(tenders, "LedgerUnauthorized")
          .withArgs(actors.regulator.address, PAUSER_ROLE);
        await tenders.connect(actors.admin).pause();
        await expect(tenders.connect(actors.regulator).unpause())
          .to.be.revertedWithCustomError(tenders, "LedgerUnauthorized")
          .withArgs(actors.regulator.address, PAUSER_ROLE);
      });
    });

    describe("when a pauser pauses and unpauses", function () {
      it("emits Paused and Unpaused and the tender resumes", async function () {
        const { tenders, tenderId, a, actors } = await loadFixture(openFixture);
        await expect(tenders.connect(actors.admin).pause())
          .to.emit(tenders, "Paused")
          .withArgs(actors.admin.address);
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a")).to.be.revertedWithCustomError(
          tenders,
          "EnforcedPause",
        );
        expect(await tenders.tenderPhase(tenderId)).to.equal(Phase.Commit);
        await expect(tenders.connect(actors.admin).unpause())
          .to.emit(tenders, "Unpaused")
          .withArgs(actors.admin.address);
        await expect(commit(tenders, tenderId, a, SCHEDULE_A, "a")).to.emit(tenders, "BidCommitted");
        await expect(tenders.connect(actors.admin).unpause()).to.be.revertedWithCustomError(
          tenders,
          "ExpectedPause",
        );
      });
    });
  });

  describe("a whole tender through the shared helper", function () {
    it("awards agreements that price by tier", async function () {
      const { ledger, actors } = await loadFixture(biddersFixture);
      const [a, b] = actors.suppliers;
      const { agreementIds } = await runTender(
        ledger,
        actors.regulator,
        [
          { bidder: a, schedule: SCHEDULE_A, salt: salt("a") },
          { bidder: b, schedule: SCHEDULE_B, salt: salt("b") },
        ],
        [actors.hospital.address],
        [100n],
        { termSeconds: 2 * YEAR },
      );
      expect(agreementIds).to.deep.equal([1n, 2n]);
      expect(await ledger.agreements.priceAt(agreementIds[1], 200)).to.equal(8_500n);
      const { terms } = await ledger.agreements.agreement(agreementIds[0]);
      expect(terms.end - terms.start).to.equal(BigInt(2 * YEAR));
    });
  });
});
