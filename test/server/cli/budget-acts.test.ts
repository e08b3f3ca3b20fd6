import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import * as act from "../../../ledger/acts";
import type { Ledger } from "../../../ledger/contracts";
import { DAY, useCliHarness } from "./harness";

/**
 * `sunshine hospital budget …`: the hospital account sets a budget once, one approver proposes
 * an adjustment and another confirms it, a proposal can be withdrawn, and `budget show` reads
 * what the ledger holds; each refusal prints the ledger's custom error decoded, and an order
 * past the budget cannot be approved until the adjustment is confirmed.
 */

const GTIN = "09520123456788";
const CATEGORY = "C0401-DES";
const STENTS = act.categoryCode(CATEGORY);
const UTC8 = 8 * 3600;

describe("sunshine CLI: budgets", function () {
  this.timeout(300_000);

  const h = useCliHarness({ gateway: false, name: "cli-budgets" });
  const { ok, fails, field, json } = h;
  let L: Ledger;
  let hospital: HDNodeWallet;
  let approver: HDNodeWallet;
  let approver2: HDNodeWallet;
  let period: number;
  let orderId: bigint;

  before(async function () {
    this.timeout(120_000);
    L = h.ledger;
    const [admin, regulator, supplier] = [0, 1, 2].map(h.w);
    [hospital, approver, approver2] = [4, 5, 6].map(h.w);
    // Every act below falls in one fiscal period, whatever the day the test runs.
    const now = await h.now();
    const newYear = Date.UTC(new Date((now + UTC8) * 1000).getUTCFullYear() + 1, 0, 1) / 1000 - UTC8;
    if (newYear - now < 10 * DAY) await h.advance(newYear - now + 60);
    const start = await h.now();
    await act.registerSupplier(L, supplier, "Acme", "REG-Acme");
    await act.qualifySupplier(L, regulator, supplier, [STENTS], start - DAY, start + 3 * 365 * DAY);
    await act.registerProducts(L, regulator, supplier, {
      gtins: [GTIN],
      categories: [STENTS],
      validFrom: start - DAY,
      validUntil: start + 3 * 365 * DAY,
    });
    await act.enrolHospital(
      L,
      regulator,
      hospital,
      "General",
      [
        { member: approver, roles: act.HOSPITAL_ROLES.approver },
        { member: approver2, roles: act.HOSPITAL_ROLES.approver },
      ],
      10_000_000n,
    );
    await act.sent(L.token.connect(admin).mint(hospital.address, 100_000_000n));
    await act.sent(L.token.connect(admin).mint(supplier.address, 50_000n));
    const tiers = [{ threshold: 0n, unitPrice: 10_000n }];
    const tenderId = await act.openTender(
      L,
      regulator,
      {
        category: STENTS,
        reservePrice: 1_000_000n,
        commitDeadline: start + DAY,
        revealDeadline: start + 2 * DAY,
        termSeconds: 365 * DAY,
        leadTimeDays: 5,
        penaltyBpsPerDay: 50,
        penaltyCapBps: 1000,
        winners: 1,
        bidBond: 50_000n,
        fundingWindow: 7 * DAY,
        receivingWindow: DAY,
        confirmWindow: 2 * DAY,
      },
      [{ hospital: hospital.address, volume: 100n }],
    );
    await act.commitBid(L, supplier, tenderId, tiers, ethers.id("salt"));
    await h.advance(DAY + 1);
    await act.revealBid(L, supplier, tenderId, tiers, ethers.id("salt"));
    await h.advance(DAY + 1);
    const [agreementId] = await act.finalizeTender(L, regulator, tenderId);
    orderId = await act.placeOrder(L, hospital, {
      agreementId,
      quantity: 20n, // 200,000 at the first tier
      requestedDelivery: (await h.now()) + 10 * DAY,
      reference: "PO-BUDGET",
    });
    period = Number(await L.budgets.currentPeriod());
  });

  it("budget set: the hospital account sets this year's budget once; an approver cannot", async function () {
    const args = ["hospital", "budget", "set", "--category", CATEGORY, "--amount", "150000"];
    const out = ok(await h.as(hospital, args));
    expect([
      field(out, "period"),
      field(out, "amount"),
      field(out, "spent"),
      field(out, "remaining"),
    ]).to.deep.equal([String(period), "150000", "0", "150000"]);
    expect((await L.budgets.budget(hospital.address, STENTS, period)).amount).to.equal(150_000n);
    fails(
      await h.as(hospital, args),
      new RegExp(
        `^error: BudgetAlreadySet\\(hospital=${hospital.address}, category=${CATEGORY}, period=${period}, amount=150000\\)$`,
      ),
    );
    fails(
      await h.as(approver, ["hospital", "budget", "set", "--category", "C1402-KNEE", "--amount", "1"]),
      new RegExp(`^error: BudgetNotHospital\\(account=${approver.address}\\)$`),
    );
  });

  it("order approve past the budget: BudgetExceeded, with what remains", async function () {
    fails(
      await h.as(approver, ["hospital", "order", "approve", "--order", String(orderId)]),
      new RegExp(
        `^error: BudgetExceeded\\(hospital=${hospital.address}, category=${CATEGORY}, period=${period}, value=200000, remaining=150000\\)$`,
      ),
    );
  });

  it("budget propose and confirm: two approvers raise it, and the order is funded", async function () {
    fails(
      await h.as(approver, ["hospital", "budget", "propose", "--category", CATEGORY, "--delta", "0"]),
      /^error: --delta must be a non-zero whole number, negative to cut \(got "0"\)$/,
    );
    fails(
      await h.as(approver, ["hospital", "budget", "propose", "--category", CATEGORY, "--delta=-150001"]),
      new RegExp(
        `^error: BudgetBelowSpent\\(hospital=${hospital.address}, category=${CATEGORY}, period=${period}, newAmount=-1, spent=0\\)$`,
      ),
    );
    const proposed = json(
      await h.as(approver, [
        "hospital",
        "budget",
        "propose",
        "--category",
        CATEGORY,
        "--delta",
        "50000",
        "--reason",
        "301",
        "--json",
      ]),
    );
    expect([proposed.adjustmentId, proposed.delta, proposed.reasonCode, proposed.status]).to.deep.equal([
      "1",
      "50000",
      301,
      "proposed",
    ]);
    fails(
      await h.as(approver, ["hospital", "budget", "confirm", "1"]),
      new RegExp(`^error: BudgetSelfConfirmation\\(adjustmentId=1, approver=${approver.address}\\)$`),
    );
    const confirmed = ok(await h.as(approver2, ["hospital", "budget", "confirm", "1"]));
    expect([field(confirmed, "amount"), field(confirmed, "proposer")]).to.deep.equal([
      "200000",
      approver.address,
    ]);
    ok(await h.as(approver, ["hospital", "order", "approve", "--order", String(orderId)]));
    const shown = ok(await h.as(approver, ["hospital", "budget", "show", "--category", CATEGORY]));
    expect([field(shown, "amount"), field(shown, "spent"), field(shown, "remaining")]).to.deep.equal([
      "200000",
      "200000",
      "0",
    ]);
  });

  it("budget withdraw: the proposer takes a proposal back; it can no longer be confirmed", async function () {
    const proposed = json(
      await h.as(approver2, [
        "hospital",
        "budget",
        "propose",
        "--category",
        CATEGORY,
        "--delta",
        "1000",
        "--json",
      ]),
    );
    const id = proposed.adjustmentId;
    expect(field(ok(await h.as(approver2, ["hospital", "budget", "withdraw", id])), "status")).to.equal(
      "withdrawn",
    );
    fails(
      await h.as(approver, ["hospital", "budget", "confirm", id]),
      new RegExp(`^error: BudgetAdjustmentNotPending\\(adjustmentId=${id}, status=withdrawn\\)$`),
    );
  });

  it("budget show without --category: every category budgeted in the period, and a plain line for none", async function () {
    const next = String(period + 1);
    ok(
      await h.as(hospital, [
        "hospital",
        "budget",
        "set",
        "--category",
        "C1402-KNEE",
        "--period",
        next,
        "--amount",
        "7",
      ]),
    );
    const rows = async (p: string[]) =>
      json<Record<string, string>[]>(await h.as(approver, ["hospital", "budget", "show", ...p, "--json"]));
    const pick = (r: Record<string, string>) => [
      r.category,
      String(r.period),
      r.amount,
      r.spent,
      r.remaining,
    ];
    expect((await rows([])).map(pick)).to.deep.equal([[CATEGORY, String(period), "200000", "200000", "0"]]);
    expect((await rows(["--period", next])).map(pick)).to.deep.equal([["C1402-KNEE", next, "7", "0", "7"]]);
    const none = String(period + 2);
    expect(ok(await h.as(approver, ["hospital", "budget", "show", "--period", none])).trim()).to.equal(
      `no budget set for ${none}: orders in every category are funded with no budget limit`,
    );
    // Without --period, the ledger's year, said so (it may not be the wall calendar's).
    const nobody = ethers.Wallet.createRandom().address;
    expect(ok(await h.as(approver, ["hospital", "budget", "show", "--hospital", nobody])).trim()).to.equal(
      `no budget set for ${period} (the ledger's current year): orders in every category are funded with no budget limit`,
    );
  });
});
