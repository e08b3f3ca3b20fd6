import { time } from "@nomicfoundation/hardhat-network-helpers";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ethers } from "hardhat";
import { deployLedger, type Ledger } from "../../../ledger/contracts";
import { REGULATOR_ROLE } from "../../../ledger/roles";
import { shipmentRecord } from "../../../ledger/acts";
import type { TenderTermsStruct, TierStruct } from "../../../typechain-types/contracts/TenderHouse";

export const DAY = 24 * 60 * 60;
export const YEAR = 365 * DAY;
export const STENTS = ethers.encodeBytes32String("C0401-DES"); // drug-eluting coronary stents
export const KNEES = ethers.encodeBytes32String("C1402-KNEE");
export const ALL_KINDS = [0, 1, 2] as const; // business licence, operating permit, registration
export const APPROVER = 1;
export const SETTLER = 2;
export const RECEIVER = 4;
/** A valid GTIN-14 (check digit 8) and one with a wrong check digit. */
export const GTIN = 9520123456788n;
/** The bid bond `defaultTerms` asks for: 500.00 CNY in fen. */
export const BID_BOND = 50_000n;
export const BAD_GTIN = 9520123456787n;

export interface Actors {
  admin: HardhatEthersSigner;
  regulator: HardhatEthersSigner;
  suppliers: HardhatEthersSigner[];
  hospital: HardhatEthersSigner;
  hospital2: HardhatEthersSigner;
  approvers: HardhatEthersSigner[];
  settler: HardhatEthersSigner;
  receiver: HardhatEthersSigner;
  carrier: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
}

/** The deployed ledger and named accounts; the regulator already holds its role. */
export async function deployFixture(): Promise<{ ledger: Ledger; actors: Actors }> {
  const s = await ethers.getSigners();
  const actors: Actors = {
    admin: s[0],
    regulator: s[1],
    suppliers: [s[2], s[3], s[4], s[5]],
    hospital: s[6],
    hospital2: s[7],
    approvers: [s[8], s[9]],
    settler: s[10],
    receiver: s[11],
    carrier: s[12],
    stranger: s[13],
  };
  const { ledger } = await deployLedger(actors.admin, { regulators: [actors.regulator.address] });
  return { ledger, actors };
}

/** Registers `supplier` and gets one attested document of every kind covering `categories`. */
export async function qualify(
  ledger: Ledger,
  regulator: HardhatEthersSigner,
  supplier: HardhatEthersSigner,
  categories: string[] = [STENTS],
  validForSeconds = 2 * YEAR,
): Promise<bigint[]> {
  const now = BigInt(await time.latest());
  if ((await ledger.registry.supplierStatus(supplier.address)) === 0n) {
    await ledger.registry
      .connect(supplier)
      .register(ethers.encodeBytes32String("Supplier"), ethers.encodeBytes32String("91310000X"));
  }
  const ids: bigint[] = [];
  for (const kind of ALL_KINDS) {
    const digest = ethers.sha256(ethers.toUtf8Bytes(`${supplier.address}-${kind}-${now}`));
    await ledger.registry
      .connect(supplier)
      .fileDocument(kind, digest, now - 1n, now + BigInt(validForSeconds), categories);
    const id = await ledger.registry.documentCount();
    await ledger.registry.connect(regulator).attestDocument(id);
    ids.push(id);
  }
  return ids;
}

/**
 * Registers `supplier` if needed, files a product registration for `gtins` covering `categories`
 * (valid from a second ago for `validForSeconds`) and has `regulator` attest it, so each GTIN is
 * registered for the supplier. Returns the document id.
 */
export async function registerGtins(
  ledger: Ledger,
  regulator: HardhatEthersSigner,
  supplier: HardhatEthersSigner,
  gtins: bigint[],
  categories: string[] = [STENTS],
  validForSeconds = 2 * YEAR,
): Promise<bigint> {
  const now = BigInt(await time.latest());
  if ((await ledger.registry.supplierStatus(supplier.address)) === 0n) {
    await ledger.registry
      .connect(supplier)
      .register(ethers.encodeBytes32String("Supplier"), ethers.encodeBytes32String("91310000X"));
  }
  const digest = ethers.sha256(
    ethers.toUtf8Bytes(`${supplier.address}-registration-${gtins.join(",")}-${now}`),
  );
  await ledger.registry
    .connect(supplier)
    .fileProductRegistration(digest, now - 1n, now + BigInt(validForSeconds), categories, gtins);
  const id = await ledger.registry.documentCount();
  await ledger.registry.connect(regulator).attestDocument(id);
  return id;
}

export function tiers(...pairs: [number | bigint, number | bigint][]): TierStruct[] {
  return pairs.map(([threshold, unitPrice]) => ({ threshold, unitPrice }));
}

export async function defaultTerms(overrides: Partial<TenderTermsStruct> = {}): Promise<TenderTermsStruct> {
  const now = await time.latest();
  return {
    category: STENTS,
    reservePrice: 1_000_000n, // 10,000.00 CNY in fen
    commitDeadline: now + 7 * DAY,
    revealDeadline: now + 14 * DAY,
    termSeconds: YEAR,
    leadTimeDays: 10,
    penaltyBpsPerDay: 50,
    penaltyCapBps: 1000,
    winners: 2,
    bidBond: BID_BOND,
    fundingWindow: 14 * DAY,
    receivingWindow: DAY,
    confirmWindow: 7 * DAY,
    ...overrides,
  };
}

export function commitmentOf(tenderId: bigint, bidder: string, schedule: TierStruct[], salt: string): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address", "tuple(uint128 threshold, uint128 unitPrice)[]", "bytes32"],
      [tenderId, bidder, schedule.map((t) => [t.threshold, t.unitPrice]), salt],
    ),
  );
}

export interface SealedBid {
  bidder: HardhatEthersSigner;
  schedule: TierStruct[];
  salt: string;
}

/**
 * Runs a whole tender: opens it, commits and reveals every bid, finalizes, and returns the
 * tender id and the agreement ids it awarded.
 */
export async function runTender(
  ledger: Ledger,
  regulator: HardhatEthersSigner,
  bids: SealedBid[],
  hospitals: string[],
  volumes: bigint[],
  overrides: Partial<TenderTermsStruct> = {},
): Promise<{ tenderId: bigint; agreementIds: bigint[] }> {
  const terms = await defaultTerms(overrides);
  await ledger.tenders.connect(regulator).openTender(terms, hospitals, volumes);
  const tenderId = await ledger.tenders.tenderCount();
  for (const b of bids) {
    await fundBond(ledger, b.bidder, BigInt(terms.bidBond));
    await ledger.tenders
      .connect(b.bidder)
      .commitBid(tenderId, commitmentOf(tenderId, b.bidder.address, b.schedule, b.salt));
  }
  await time.increaseTo(BigInt(terms.commitDeadline) + 1n);
  for (const b of bids) await ledger.tenders.connect(b.bidder).revealBid(tenderId, b.schedule, b.salt);
  await time.increaseTo(BigInt(terms.revealDeadline) + 1n);
  const before = await ledger.agreements.agreementCount();
  await ledger.tenders.finalize(tenderId);
  const after = await ledger.agreements.agreementCount();
  const agreementIds: bigint[] = [];
  for (let id = before + 1n; id <= after; id++) agreementIds.push(id);
  return { tenderId, agreementIds };
}

/** Mints `bidder` a bid bond and lets the tender house take it. */
export async function fundBond(ledger: Ledger, bidder: HardhatEthersSigner, bond: bigint): Promise<void> {
  const [admin] = await ethers.getSigners();
  await ledger.token.connect(admin).mint(bidder.address, bond);
  const spender = await ledger.tenders.getAddress();
  const allowance = await ledger.token.allowance(bidder.address, spender);
  await ledger.token.connect(bidder).approve(spender, allowance + bond);
}

/** Makes `member` a member of `hospital` with `roles`: the hospital invites, the member accepts. */
export async function addMember(
  ledger: Ledger,
  hospital: HardhatEthersSigner,
  member: HardhatEthersSigner,
  roles: number,
): Promise<void> {
  await ledger.hospitals.connect(hospital).setMemberRoles(member.address, roles);
  await ledger.hospitals.connect(member).acceptMembership(hospital.address);
}

/**
 * Enrols `hospital` with two approvers, a settler and a receiver, mints it `funds` and lets
 * the order book pull them.
 */
export async function enrolHospital(
  ledger: Ledger,
  actors: Actors,
  hospital: HardhatEthersSigner = actors.hospital,
  funds = 10_000_000_000n,
  threshold = 5_000_000n,
): Promise<void> {
  await ledger.hospitals.connect(actors.regulator).enrolHospital(hospital.address, ethers.id("Hospital"));
  if (hospital === actors.hospital) {
    for (const a of actors.approvers) await addMember(ledger, hospital, a, APPROVER);
    await addMember(ledger, hospital, actors.settler, SETTLER);
    await addMember(ledger, hospital, actors.receiver, RECEIVER);
  }
  await ledger.hospitals.connect(hospital).setApprovalThreshold(threshold);
  await ledger.token.connect(actors.admin).mint(hospital.address, funds);
  await ledger.token.connect(hospital).approve(await ledger.orderBook.getAddress(), ethers.MaxUint256);
}

/**
 * The usual starting point for order tests: supplier 0 qualified and registered for GTIN (so it
 * can ship), a stents agreement with it (tiers 0→10000 fen, 100→9000, 500→8000), the hospital
 * enrolled and funded.
 */
export async function agreementFixture() {
  const base = await deployFixture();
  const { ledger, actors } = base;
  const supplier = actors.suppliers[0];
  await qualify(ledger, actors.regulator, supplier);
  await registerGtins(ledger, actors.regulator, supplier, [GTIN]);
  await enrolHospital(ledger, actors);
  const { agreementIds } = await runTender(
    ledger,
    actors.regulator,
    [{ bidder: supplier, schedule: tiers([0, 10_000], [100, 9_000], [500, 8_000]), salt: ethers.id("salt") }],
    [actors.hospital.address],
    [1000n],
    { winners: 1 },
  );
  return { ...base, supplier, agreementId: agreementIds[0] };
}

/** A StandardMerkleTree over `["string"]` leaves, as the ledger's shipments use. */
export function serialTree(serials: string[]) {
  return StandardMerkleTree.of(
    serials.map((s) => [s]),
    ["string"],
  );
}

export function serials(prefix: string, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `${prefix}${String(i + 1).padStart(6, "0")}`);
}

export { REGULATOR_ROLE, shipmentRecord };
