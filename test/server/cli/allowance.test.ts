import { existsSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { ethers, type HDNodeWallet } from "ethers";
import * as act from "../../../ledger/acts";
import { DAY, useCliHarness } from "./harness";

/**
 * `sunshine supplier|hospital allowance show|grant` and the allowance a bid commit gives: a
 * hospital account sets the order book's allowance with its key's approve, or without gas as a
 * permit through the gateway's relay (--relay); a supplier without gas bids, its bond's
 * allowance a relayed permit. The relayer pays; the key's ether stays at zero.
 */

const STENTS = "C0401-DES";
const BOND = 50_000n;

describe("sunshine CLI: allowances", function () {
  this.timeout(300_000);

  const h = useCliHarness({ gateway: true, name: "cli-allowance" });
  const { ok, fails, field } = h;
  let regulator: HDNodeWallet;
  let supplier: HDNodeWallet;
  let hospital: HDNodeWallet;
  let approver: HDNodeWallet;
  let relayer: string;

  before(async function () {
    regulator = h.w(1);
    supplier = h.w(2);
    hospital = h.w(4);
    approver = h.w(5);
    relayer = h.w(13).address;
    const now = await h.now();
    await act.registerSupplier(h.ledger, supplier, "Gasless Medical", "91310000GAS");
    await act.qualifySupplier(
      h.ledger,
      regulator,
      supplier,
      [act.categoryCode(STENTS)],
      now - DAY,
      now + 365 * DAY,
    );
    await act.enrolHospital(
      h.ledger,
      regulator,
      hospital,
      "Allowance Hospital",
      [{ member: approver, roles: act.HOSPITAL_ROLES.approver }],
      10_000_000n,
    );
    await act.sent(h.ledger.token.connect(h.w(0)).mint(supplier.address, BOND));
    await act.sent(h.ledger.token.connect(h.w(0)).mint(hospital.address, 1_000_000n));
  });

  /** Takes every wei from `who`: what it does next, it does without gas. */
  async function spendAllEther(who: HDNodeWallet): Promise<void> {
    await h.node.provider.send("anvil_setBalance", [who.address, "0x0"]);
  }

  it("hospital allowance show / grant: reads the order book's allowance; the key's approve replaces it", async () => {
    const orderBook = h.deployment.contracts.orderBook;
    const shown = ok(await h.as(hospital, ["hospital", "allowance", "show"]));
    expect(field(shown, "owner")).to.equal(hospital.address);
    expect(field(shown, "balance")).to.equal("1000000");
    expect(field(shown, "spender")).to.equal(`the order book (${orderBook})`);
    // Enrolment gave the order book an unlimited allowance: the word for people, the number for scripts.
    expect(field(shown, "allowance")).to.equal("unlimited");
    const raw = h.json(await h.as(hospital, ["hospital", "allowance", "show", "--json"]));
    expect([raw.spender, raw.allowance]).to.deep.equal([orderBook, ethers.MaxUint256.toString()]);

    const out = ok(await h.as(hospital, ["hospital", "allowance", "grant", "123456"]));
    expect(field(out, "allowance")).to.equal("123456");
    // The act's fields in their order: owner, spender, allowance, then its transaction.
    expect(out.split("\n").map((l) => l.split(/\s+/)[0])).to.deep.equal([
      "owner",
      "spender",
      "allowance",
      "tx",
      "",
    ]);
    expect(out).not.to.match(/^relayed /m);
    const receipt = (await h.node.provider.getTransactionReceipt(field(out, "tx")))!;
    expect(receipt.from).to.equal(hospital.address);
    expect(await h.ledger.token.allowance(hospital.address, orderBook)).to.equal(123_456n);
  });

  it("hospital allowance grant --relay: a hospital account without gas gives it by a permit the relayer sends", async () => {
    await spendAllEther(hospital);
    const orderBook = h.deployment.contracts.orderBook;
    const out = ok(
      await h.as(hospital, ["hospital", "allowance", "grant", "--amount", "500000", "--relay", h.gatewayUrl]),
    );
    expect(field(out, "allowance")).to.equal("500000");
    expect(field(out, "relayed")).to.equal("true");
    const receipt = (await h.node.provider.getTransactionReceipt(field(out, "tx")))!;
    expect(receipt.from).to.equal(relayer);
    expect(receipt.to).to.equal(h.deployment.contracts.token);
    expect(await h.ledger.token.allowance(hospital.address, orderBook)).to.equal(500_000n);
    expect(await h.node.provider.getBalance(hospital.address)).to.equal(0n);
  });

  it("allowance grant by a key the spender does not draw on: NOT_THE_ALLOWANCE_HOLDER, nothing sent", async () => {
    fails(
      await h.as(approver, ["hospital", "allowance", "grant", "1", "--relay", h.gatewayUrl]),
      new RegExp(`^error: ${approver.address} is not a hospital account: the order book funds orders`),
    );
    fails(
      await h.as(hospital, ["supplier", "allowance", "grant", "1"]),
      new RegExp(`^error: ${hospital.address} is no registered supplier`),
    );
    fails(
      await h.as(hospital, ["hospital", "allowance", "grant", "--amount", "1.5"]),
      /^error: --amount must be a whole number \(got "1\.5"\)$/,
    );
    expect(await h.ledger.token.allowance(approver.address, h.deployment.contracts.orderBook)).to.equal(0n);
  });

  it("supplier bid commit --relay: a supplier without gas allows its bond by a relayed permit, then commits", async () => {
    await spendAllEther(supplier);
    const tenders = h.deployment.contracts.tenders;
    const now = await h.now();
    const tenderId = await act.openTender(
      h.ledger,
      regulator,
      {
        category: act.categoryCode(STENTS),
        reservePrice: 1_000_000n,
        commitDeadline: now + DAY,
        revealDeadline: now + 2 * DAY,
        termSeconds: 365 * DAY,
        leadTimeDays: 10,
        penaltyBpsPerDay: 0,
        penaltyCapBps: 0,
        winners: 1,
        bidBond: BOND,
        fundingWindow: 7 * DAY,
        receivingWindow: DAY,
        confirmWindow: 2 * DAY,
      },
      [{ hospital: hospital.address, volume: 10n }],
    );
    expect(field(ok(await h.as(supplier, ["supplier", "allowance", "show"])), "allowance")).to.equal("0");

    const out = ok(
      await h.as(supplier, [
        "supplier",
        "bid",
        "commit",
        String(tenderId),
        "--tiers",
        "0:10000",
        "--relay",
        h.gatewayUrl,
      ]),
    );
    expect(field(out, "bond")).to.equal(String(BOND));
    expect(field(out, "relayed")).to.equal("true");
    expect((await h.ledger.tenders.bid(tenderId, supplier.address)).committedAt).to.not.equal(0n);
    // The bond was allowed and taken: escrowed with the tender house, nothing left allowed.
    expect(await h.ledger.token.balanceOf(supplier.address)).to.equal(0n);
    expect(await h.ledger.token.allowance(supplier.address, tenders)).to.equal(0n);
    expect(await h.node.provider.getBalance(supplier.address)).to.equal(0n);
    expect(
      existsSync(
        path.join(h.tmp, ".sunshine", "bids", `${h.deployment.chainId}-${tenderId}-${supplier.address}.json`),
      ),
    ).to.equal(true);
  });
});
