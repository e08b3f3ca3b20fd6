import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import { ethers } from "hardhat";
import type { ContractTransactionResponse } from "ethers";
import { deployLedger } from "../scripts/lib/ledger";
import {
  addMember,
  commitmentOf,
  DAY,
  GTIN,
  serials,
  serialTree,
  STENTS,
  tiers,
  YEAR,
} from "../test/contracts/helpers/fixtures";

/**
 * Gas used by each ledger operation on the Hardhat network, written to bench/out/gas.json as a
 * flat { operation: gas } object and printed as a table. Shipments with 10 and 10,000 serials
 * are measured separately: a shipment stores only the Merkle root, so they must cost the same.
 */
async function main(): Promise<void> {
  const gas: Record<string, number> = {};
  const measure = async (name: string, tx: Promise<ContractTransactionResponse>): Promise<void> => {
    const receipt = await (await tx).wait();
    if (!receipt) throw new Error(`${name}: no receipt`);
    gas[name] = Number(receipt.gasUsed);
  };

  const [admin, regulator, supplier, hospital, approver1, approver2, settler] = await ethers.getSigners();
  const { ledger } = await deployLedger(admin, { regulators: [regulator.address] });
  const { registry, tenders, hospitals, orderBook, trace, token } = ledger;
  const now = BigInt(await time.latest());

  await measure(
    "registerSupplier",
    registry
      .connect(supplier)
      .register(ethers.encodeBytes32String("Acme Medical"), ethers.encodeBytes32String("91310000X")),
  );
  for (const kind of [0, 1, 2]) {
    const digest = ethers.sha256(ethers.toUtf8Bytes(`document-${kind}`));
    await measure(
      "fileDocument",
      registry.connect(supplier).fileDocument(kind, digest, now, now + BigInt(2 * YEAR), [STENTS]),
    );
    await measure(
      "attestDocument",
      registry.connect(regulator).attestDocument(await registry.documentCount()),
    );
  }

  await hospitals.connect(regulator).enrolHospital(hospital.address, ethers.id("General Hospital"));
  await addMember(ledger, hospital, approver1, 1);
  await addMember(ledger, hospital, approver2, 1);
  await addMember(ledger, hospital, settler, 2);
  await hospitals.connect(hospital).setApprovalThreshold(100_000n);
  await token.mint(hospital.address, 100_000_000_000n);
  await token.connect(hospital).approve(await orderBook.getAddress(), ethers.MaxUint256);

  const terms = {
    category: STENTS,
    reservePrice: 1_000_000n,
    commitDeadline: now + BigInt(7 * DAY),
    revealDeadline: now + BigInt(14 * DAY),
    termSeconds: YEAR,
    leadTimeDays: 10,
    penaltyBpsPerDay: 50,
    penaltyCapBps: 1000,
    winners: 1,
  };
  await measure("openTender", tenders.connect(regulator).openTender(terms, [hospital.address], [1000n]));
  const schedule = tiers([0, 10_000], [100, 9_000], [500, 8_000]);
  const salt = ethers.id("salt");
  await measure(
    "commitBid",
    tenders.connect(supplier).commitBid(1n, commitmentOf(1n, supplier.address, schedule, salt)),
  );
  await time.increaseTo(terms.commitDeadline + 1n);
  await measure("revealBid", tenders.connect(supplier).revealBid(1n, schedule, salt));
  await time.increaseTo(terms.revealDeadline + 1n);
  await measure("finalizeTender", tenders.finalize(1n));

  const delivery = BigInt(await time.latest()) + BigInt(30 * DAY);
  await measure("placeOrder", orderBook.connect(hospital).placeOrder(1n, 200, delivery, ethers.id("PO-1")));
  await measure("approveOrder", orderBook.connect(approver1).approveOrder(1n));
  await measure("approveOrderFunding", orderBook.connect(approver2).approveOrder(1n));

  const expiry = BigInt(await time.latest()) + BigInt(2 * YEAR);
  // Both shipments start from the same state (snapshot/revert), so storage warm-up cannot make
  // one look cheaper than the other.
  const snapshot = (await ethers.provider.send("evm_snapshot", [])) as string;
  for (const count of [10_000, 10]) {
    if (count === 10) await ethers.provider.send("evm_revert", [snapshot]);
    const root = serialTree(serials(`S${count}-`, count)).root;
    const input = {
      orderId: 1n,
      gtin: GTIN,
      expiry,
      quantity: 10n,
      serialRoot: root,
      noticeHash: ethers.id(`DESADV-${count}`),
      lot: "LOT2026A",
    };
    await measure(`createShipment_${count}`, trace.connect(supplier).createShipment(input));
  }
  await measure(
    "recordTraceEvent",
    trace
      .connect(supplier)
      .recordTraceEvent(
        1n,
        0,
        ethers.id("urn:epc:id:sgln:0614141.00001.0"),
        BigInt(await time.latest()),
        ethers.ZeroHash,
        false,
      ),
  );
  const confirmation = {
    accepted: 10,
    rejected: 0,
    receivedAt: BigInt(await time.latest()),
    receiptHash: ethers.id("GR-1"),
  };
  await measure("confirmShipment", orderBook.connect(settler).confirmShipment(1n, confirmation));
  await measure("recall", trace.connect(supplier).recall(GTIN, "LOT2026A", 1));

  const out = path.join(__dirname, "out", "gas.json");
  mkdirSync(path.dirname(out), { recursive: true });
  writeFileSync(out, JSON.stringify(gas, null, 2) + "\n");
  console.log("operation                 gas");
  for (const [name, used] of Object.entries(gas))
    console.log(`${name.padEnd(24)} ${used.toLocaleString("en-US").padStart(10)}`);
  console.log(`\nwritten to ${path.relative(process.cwd(), out)}`);
  if (gas.createShipment_10 !== gas.createShipment_10000) {
    throw new Error(
      `shipment cost grows with serials: ${gas.createShipment_10} vs ${gas.createShipment_10000}`,
    );
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
