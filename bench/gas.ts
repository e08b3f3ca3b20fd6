import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { deployLedger } from "../ledger/contracts";
import {
  addMember,
  commitmentOf,
  DAY,
  defaultTerms,
  fundBond,
  GTIN,
  qualify,
  registerGtins,
  serials,
  serialTree,
  shipmentRecord,
  STENTS,
  tiers,
  YEAR,
} from "../test/contracts/helpers/fixtures";

/**
 * Gas of each everyday ledger act, measured on the Hardhat network from a warm state (the
 * accounts, balances and agreement positions a real year has already touched), printed with
 * its goal and written to bench/out/gas.json. A missed goal fails the run.
 *
 * It then compares DeliveryTrace's shipments (a record hash and a Merkle root) with a naive
 * baseline kept in bench/baseline that stores every serial on chain.
 */
const GOALS: Record<string, number> = {
  createShipment_10: 120_000,
  createShipment_100000: 120_000,
  confirmShipment: 120_000,
  recordTraceEvent: 40_000,
  placeOrder: 150_000,
  approveOrderFunding: 100_000,
  commitBid: 120_000,
  revealBid_8tiers: 150_000,
};
const BLOCK_GAS_LIMIT = 30_000_000n;

const EIGHT_TIERS = tiers(
  [0, 10_000],
  [100, 9_800],
  [200, 9_600],
  [300, 9_400],
  [400, 9_200],
  [500, 9_000],
  [600, 8_800],
  [700, 8_600],
);

async function main(): Promise<void> {
  const gas: Record<string, number> = {};
  const measure = async (name: string, tx: Promise<ContractTransactionResponse>): Promise<void> => {
    const receipt = await (await tx).wait();
    if (!receipt) throw new Error(`${name}: no receipt`);
    gas[name] = Number(receipt.gasUsed);
  };

  const [admin, regulator, supplier, rival, hospital, approver1, approver2, settler] =
    await ethers.getSigners();
  const { ledger } = await deployLedger(admin, { regulators: [regulator.address] });
  const { tenders, hospitals, orderBook, trace, token } = ledger;

  for (const s of [supplier, rival]) {
    await qualify(ledger, regulator, s);
    await registerGtins(ledger, regulator, s, [GTIN]);
  }
  await hospitals.connect(regulator).enrolHospital(hospital.address, ethers.id("General Hospital"));
  await addMember(ledger, hospital, approver1, 1);
  await addMember(ledger, hospital, approver2, 1);
  await addMember(ledger, hospital, settler, 2);
  await hospitals.connect(hospital).setApprovalThreshold(5_000_000n);
  await token.mint(hospital.address, 100_000_000_000n);
  await token.connect(hospital).approve(await orderBook.getAddress(), ethers.MaxUint256);
  for (const s of [supplier, rival]) await fundBond(ledger, s, 10_000_000n);

  // Tender 1 warms the tender house (its bond balance, both bidders' balances and allowances)
  // and awards the agreement the orders below run on.
  const agreementId = await tender(1, EIGHT_TIERS);
  // Tender 2 is the measured one: both bidders have bid before, as in a real year.
  await tender(2, EIGHT_TIERS, true);

  // A first order, shipment and settlement warm the hospital's position, the approval window,
  // the supplier's balance and the trace's counters.
  const firstOrder = await order(agreementId);
  await orderBook.connect(approver1).approveOrder(firstOrder);
  const first = await ship(firstOrder, 10, "LOT-2026-A");
  await trace
    .connect(supplier)
    .recordTraceEvent(
      first,
      await shipmentRecord(ledger, first),
      0,
      ethers.ZeroHash,
      now(),
      ethers.ZeroHash,
      false,
    );
  await orderBook.connect(settler).confirmShipment(first, await shipmentRecord(ledger, first), {
    accepted: 10,
    rejected: 0,
    receiptHash: ethers.id("GR-0"),
  });

  const delivery = BigInt(await time.latest()) + BigInt(30 * DAY);
  await measure(
    "placeOrder",
    orderBook.connect(hospital).placeOrder(agreementId, 20, delivery, ethers.id("PO-2")),
  );
  const orderId = await orderBook.orderCount();
  await measure("approveOrderFunding", orderBook.connect(approver1).approveOrder(orderId));
  // A large order needs two approvers: the first approval only records itself.
  await orderBook.connect(hospital).placeOrder(agreementId, 600, delivery, ethers.id("PO-3"));
  const bigOrder = await orderBook.orderCount();
  await measure("approveOrder_firstOfTwo", orderBook.connect(approver1).approveOrder(bigOrder));
  await measure("approveOrder_secondOfTwo", orderBook.connect(approver2).approveOrder(bigOrder));
  // The same funding once the hospital budgets the category: a first budgeted order warms the
  // budget's slot, as in a real year. A higher threshold keeps these orders single-approver.
  await hospitals.connect(hospital).setApprovalThreshold(100_000_000_000n);
  const period = await ledger.budgets.currentPeriod();
  await ledger.budgets.connect(hospital).setBudget(STENTS, period, 10_000_000_000n);
  await orderBook.connect(approver1).approveOrder(await order(agreementId));
  const budgeted = await order(agreementId);
  await measure("approveOrderFunding_budgeted", orderBook.connect(approver1).approveOrder(budgeted));

  // Both shipments start from the same state, so warm-up cannot favour either.
  const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
  for (const count of [100_000, 10]) {
    if (count === 10) await ethers.provider.send("evm_revert", [snapshot]);
    const root = serialTree(serials(`S${count}-`, count)).root;
    const input = {
      orderId,
      gtin: GTIN,
      expiry: BigInt(await time.latest()) + BigInt(2 * YEAR),
      quantity: 10,
      serialRoot: root,
      noticeHash: ethers.id(`DESADV-${count}`),
      lot: "LOT-2026-B",
    };
    await measure(`createShipment_${count}`, trace.connect(supplier).createShipment(input));
  }
  const shipmentId = await trace.shipmentCount();
  const record = await shipmentRecord(ledger, shipmentId);
  await trace
    .connect(supplier)
    .recordTraceEvent(shipmentId, record, 0, ethers.ZeroHash, now(), ethers.ZeroHash, false);
  await measure(
    "recordTraceEvent",
    trace
      .connect(supplier)
      .recordTraceEvent(
        shipmentId,
        record,
        1,
        ethers.id("urn:epc:id:sgln:0614141.00001.0"),
        now(),
        ethers.ZeroHash,
        false,
      ),
  );
  // The supplier's arrival record: the first Arriving writes the shipment's state slot.
  await measure(
    "recordTraceEvent_arriving",
    trace
      .connect(supplier)
      .recordTraceEvent(shipmentId, record, 2, ethers.ZeroHash, now(), ethers.ZeroHash, false),
  );
  await measure(
    "confirmShipment",
    orderBook
      .connect(settler)
      .confirmShipment(shipmentId, record, { accepted: 10, rejected: 0, receiptHash: ethers.id("GR-1") }),
  );
  await measure("recall_supplier", trace.connect(supplier).recall(GTIN, "LOT-2026-B", 1));

  const out = path.join(__dirname, "out", "gas.json");
  mkdirSync(path.dirname(out), { recursive: true });
  const baseline = await compareBaseline(gas.createShipment_10, gas.createShipment_100000);
  writeFileSync(out, JSON.stringify({ gas, baseline }, null, 2) + "\n");

  console.log("act                            gas       goal");
  const missed: string[] = [];
  for (const [name, used] of Object.entries(gas)) {
    const goal = GOALS[name];
    const verdict = goal === undefined ? "" : used <= goal ? "  ok" : "  MISSED";
    if (goal !== undefined && used > goal) missed.push(name);
    console.log(
      `${name.padEnd(28)} ${fmt(used).padStart(9)} ${goal === undefined ? "" : fmt(goal).padStart(10)}${verdict}`,
    );
  }
  console.log("\nshipment vs naive baseline (every serial stored)");
  console.log("serials      ledger        baseline      ratio");
  for (const row of baseline.rows) {
    const base = `${fmt(row.baseline)}${row.extrapolated ? "*" : ""}`;
    console.log(
      `${fmt(row.serials).padStart(7)} ${fmt(row.ledger).padStart(11)} ${base.padStart(15)} ${row.ratio.toFixed(1).padStart(10)}x`,
    );
  }
  console.log(
    `* extrapolated: ${fmt(baseline.perSerial)} gas per serial above ${fmt(baseline.fixed)} (fitted on 10 and 300, checked at 600)`,
  );
  console.log(
    `the baseline no longer fits a ${fmt(Number(BLOCK_GAS_LIMIT))}-gas block at ${fmt(baseline.firstCountOverBlock)} serials`,
  );
  console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
  // The roots differ only in which of their 32 bytes are zero (4 gas of calldata instead of 16).
  if (Math.abs(gas.createShipment_10 - gas.createShipment_100000) > 32 * 12) {
    throw new Error(
      `shipment cost grows with serials: ${gas.createShipment_10} vs ${gas.createShipment_100000}`,
    );
  }
  if (missed.length > 0) throw new Error(`gas goals missed: ${missed.join(", ")}`);

  async function tender(n: number, schedule: typeof EIGHT_TIERS, measured = false): Promise<bigint> {
    const terms = await defaultTerms({ winners: 1 });
    await tenders.connect(regulator).openTender(terms, [hospital.address], [10_000n]);
    const tenderId = await tenders.tenderCount();
    const salt = ethers.id(`salt-${n}`);
    const rivalSchedule = tiers([0, 10_500]);
    await tenders
      .connect(rival)
      .commitBid(tenderId, commitmentOf(tenderId, rival.address, rivalSchedule, salt));
    const commit = tenders
      .connect(supplier)
      .commitBid(tenderId, commitmentOf(tenderId, supplier.address, schedule, salt));
    if (measured) await measure("commitBid", commit);
    else await (await commit).wait();
    await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
    const reveal = tenders.connect(supplier).revealBid(tenderId, schedule, salt);
    if (measured) await measure("revealBid_8tiers", reveal);
    else await (await reveal).wait();
    await tenders.connect(rival).revealBid(tenderId, rivalSchedule, salt);
    await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
    const finalize = tenders.finalize(tenderId);
    if (measured) await measure("finalizeTender", finalize);
    else await (await finalize).wait();
    return ledger.agreements.agreementCount();
  }

  async function order(agreement: bigint): Promise<bigint> {
    const date = BigInt(await time.latest()) + BigInt(30 * DAY);
    await orderBook.connect(hospital).placeOrder(agreement, 20, date, ethers.id("PO-1"));
    return orderBook.orderCount();
  }

  async function ship(id: bigint, quantity: number, lot: string): Promise<bigint> {
    await trace.connect(supplier).createShipment({
      orderId: id,
      gtin: GTIN,
      expiry: BigInt(await time.latest()) + BigInt(2 * YEAR),
      quantity,
      serialRoot: serialTree(serials("W", quantity)).root,
      noticeHash: ethers.id("DESADV-0"),
      lot,
    });
    return trace.shipmentCount();
  }
}

function now(): number {
  return Math.floor(Date.now() / 1000) - 60;
}

function fmt(n: number): string {
  return n.toLocaleString("en-US");
}

interface BaselineRow {
  serials: number;
  ledger: number;
  baseline: number;
  ratio: number;
  extrapolated: boolean;
}

/**
 * Deploys the naive baseline (compiled here with the project's solc, since it is not part of
 * the ledger) and measures it at 10, 300 and 600 serials; 100,000 serials cannot run in one block,
 * so its cost is extrapolated from the linear per-serial cost fitted on 10 and 300 and checked
 * at 600.
 */
async function compareBaseline(ledger10: number, ledger100k: number) {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const solc = require("solc") as { compile(input: string): string };
  const source = readFileSync(path.join(__dirname, "baseline", "NaiveShipments.sol"), "utf8");
  const output = JSON.parse(
    solc.compile(
      JSON.stringify({
        language: "Solidity",
        sources: { "NaiveShipments.sol": { content: source } },
        settings: {
          optimizer: { enabled: true, runs: 200 },
          evmVersion: "cancun",
          outputSelection: { "*": { "*": ["abi", "evm.bytecode.object"] } },
        },
      }),
    ),
  ) as {
    contracts: Record<string, Record<string, { abi: unknown[]; evm: { bytecode: { object: string } } }>>;
  };
  const artifact = output.contracts["NaiveShipments.sol"].NaiveShipments;
  const [deployer] = await ethers.getSigners();
  const factory = new ethers.ContractFactory(artifact.abi as never, artifact.evm.bytecode.object, deployer);
  const naive = await factory.deploy();
  await naive.waitForDeployment();
  const expiry = BigInt(await time.latest()) + BigInt(2 * YEAR);
  let batch = 0;
  const args = (count: number) => [1n, GTIN, expiry, "LOT-2026-B", serials(`N${batch++}-`, count)];
  const run = async (count: number): Promise<number> => {
    const tx = (await naive.getFunction("createShipment")(...args(count))) as ContractTransactionResponse;
    const receipt = await tx.wait();
    return Number(receipt!.gasUsed);
  };
  // One shipment first, so the measured ones see a non-zero counter like the ledger's.
  await run(1);
  const at10 = await run(10);
  const at300 = await run(300);
  const perSerial = (at300 - at10) / 290;
  const fixed = at10 - 10 * perSerial;
  const predict = (count: number) => Math.round(fixed + count * perSerial);
  const at600 = await run(600);
  if (Math.abs(at600 - predict(600)) / at600 > 0.01) {
    throw new Error(`baseline is not linear: 600 serials cost ${at600}, predicted ${predict(600)}`);
  }
  let firstCountOverBlock = Math.floor((Number(BLOCK_GAS_LIMIT) - fixed) / perSerial) + 1;
  // The model's answer, checked on the real contract: one serial fewer fits, this many does not.
  const estimate = async (count: number): Promise<bigint> => {
    try {
      return await naive.getFunction("createShipment").estimateGas(...args(count));
    } catch {
      return BLOCK_GAS_LIMIT + 1n;
    }
  };
  while ((await estimate(firstCountOverBlock - 1)) > BLOCK_GAS_LIMIT) firstCountOverBlock--;
  while ((await estimate(firstCountOverBlock)) <= BLOCK_GAS_LIMIT) firstCountOverBlock++;
  // Measured where it fits a block, else from the checked linear cost.
  const at1000 = firstCountOverBlock > 1000 ? await run(1000) : undefined;
  const rows: BaselineRow[] = [
    { serials: 10, ledger: ledger10, baseline: at10, ratio: at10 / ledger10, extrapolated: false },
    {
      serials: 1000,
      ledger: ledger10,
      baseline: at1000 ?? predict(1000),
      ratio: (at1000 ?? predict(1000)) / ledger10,
      extrapolated: at1000 === undefined,
    },
    {
      serials: 100_000,
      ledger: ledger100k,
      baseline: predict(100_000),
      ratio: predict(100_000) / ledger100k,
      extrapolated: true,
    },
  ];
  return { rows, perSerial: Math.round(perSerial), fixed: Math.round(fixed), firstCountOverBlock };
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
