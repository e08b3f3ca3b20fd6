import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { ethers, type BaseContract, type ContractTransactionResponse, type Signer } from "ethers";
import type { Ledger } from "./contracts";
import type { TenderTermsStruct, TierStruct } from "../typechain-types/contracts/TenderHouse";
import type { ShipmentRecordStruct } from "../typechain-types/contracts/DeliveryTrace";

/**
 * The ledger's everyday acts as plain functions over typed contracts and signers: one place
 * that the demo scenario, the CLI and the integration tests all go through, each returning
 * the ids the chain assigned (read from the events, never guessed from counters).
 */

import {
  DOCUMENT_KINDS,
  ISSUING_AGENCIES,
  TRACE_STEPS,
  type IssuingAgency,
  type TraceStepName,
} from "./enums";
import { signPermitRequest } from "./permit";
import { PAYER_ROLE } from "./roles";

export { DOCUMENT_KINDS, TRACE_STEPS, type TraceStepName } from "./enums";
export { HOSPITAL_ROLES } from "./roles";

/** Sends a transaction and waits for its receipt; a dropped transaction is an error. */
export async function sent(tx: Promise<ContractTransactionResponse>): Promise<ethers.TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error("transaction was dropped");
  return receipt;
}

/** The named argument of the first `event` the receipt holds from `contract`. */
export function eventArg(
  receipt: ethers.TransactionReceipt,
  contract: BaseContract,
  event: string,
  arg: string,
): bigint {
  for (const log of receipt.logs) {
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === event) return parsed.args.getValue(arg) as bigint;
  }
  throw new Error(`transaction ${receipt.hash} emitted no ${event}`);
}

/** The arguments of every `event` the receipt holds from `contract`, in log order. */
export function eventsOf(
  receipt: ethers.TransactionReceipt,
  contract: BaseContract,
  event: string,
): ethers.Result[] {
  const found: ethers.Result[] = [];
  for (const log of receipt.logs) {
    const parsed = contract.interface.parseLog(log);
    if (parsed?.name === event) found.push(parsed.args);
  }
  return found;
}

export function categoryCode(code: string): string {
  return code.length <= 31 ? ethers.encodeBytes32String(code) : ethers.id(code);
}

export function commitment(tenderId: bigint, bidder: string, tiers: TierStruct[], salt: string): string {
  return ethers.keccak256(
    ethers.AbiCoder.defaultAbiCoder().encode(
      ["uint256", "address", "tuple(uint128 threshold, uint128 unitPrice)[]", "bytes32"],
      [tenderId, bidder, tiers.map((t) => [t.threshold, t.unitPrice]), salt],
    ),
  );
}

export function serialTree(serials: string[]): StandardMerkleTree<string[]> {
  return StandardMerkleTree.of(
    serials.map((s) => [s]),
    ["string"],
  );
}

export async function registerSupplier(
  ledger: Ledger,
  supplier: Signer,
  name: string,
  registrationId: string,
): Promise<void> {
  await sent(
    ledger.registry
      .connect(supplier)
      .register(
        ethers.encodeBytes32String(name.slice(0, 31)),
        ethers.encodeBytes32String(registrationId.slice(0, 31)),
      ),
  );
}

export async function fileDocument(
  ledger: Ledger,
  supplier: Signer,
  doc: { kind: number; sha256: string; validFrom: number; validUntil: number; categories: string[] },
): Promise<bigint> {
  const receipt = await sent(
    ledger.registry
      .connect(supplier)
      .fileDocument(doc.kind, doc.sha256, doc.validFrom, doc.validUntil, doc.categories),
  );
  return eventArg(receipt, ledger.registry, "DocumentFiled", "documentId");
}

/** Files one document of every kind covering `categories` and has `regulator` attest each. */
export async function qualifySupplier(
  ledger: Ledger,
  regulator: Signer,
  supplier: Signer,
  categories: string[],
  validFrom: number,
  validUntil: number,
): Promise<bigint[]> {
  const ids: bigint[] = [];
  const address = await supplier.getAddress();
  for (let kind = 0; kind < DOCUMENT_KINDS.length; kind++) {
    const sha256 = ethers.sha256(ethers.toUtf8Bytes(`${address}:${DOCUMENT_KINDS[kind]}:${validFrom}`));
    const id = await fileDocument(ledger, supplier, { kind, sha256, validFrom, validUntil, categories });
    await sent(ledger.registry.connect(regulator).attestDocument(id));
    ids.push(id);
  }
  return ids;
}

/**
 * Declares another agency's device identifier (ledger/product-key.ts) and returns its product key,
 * which a product registration then lists like a GTIN.
 */
export async function declareDeviceIdentifier(
  ledger: Ledger,
  supplier: Signer,
  agency: IssuingAgency,
  deviceIdentifier: string,
): Promise<string> {
  const receipt = await sent(
    ledger.registry
      .connect(supplier)
      .declareDeviceIdentifier(ISSUING_AGENCIES.indexOf(agency), deviceIdentifier),
  );
  return String(await eventArg(receipt, ledger.registry, "DeviceIdentifierDeclared", "productKey"));
}

/** Files a product registration certificate that lists `gtins`; returns the pending document's id. */
export async function fileProductRegistration(
  ledger: Ledger,
  supplier: Signer,
  p: { sha256: string; gtins: string[]; categories: string[]; validFrom: number; validUntil: number },
): Promise<bigint> {
  const receipt = await sent(
    ledger.registry.connect(supplier).fileProductRegistration(
      p.sha256,
      p.validFrom,
      p.validUntil,
      p.categories,
      p.gtins.map((g) => BigInt(g)),
    ),
  );
  return eventArg(receipt, ledger.registry, "DocumentFiled", "documentId");
}

/**
 * Files a product registration certificate listing `gtins` and has `regulator` attest it, so
 * `supplier` may ship those GTINs.
 */
export async function registerProducts(
  ledger: Ledger,
  regulator: Signer,
  supplier: Signer,
  p: { gtins: string[]; categories: string[]; validFrom: number; validUntil: number },
): Promise<bigint> {
  const address = await supplier.getAddress();
  const sha256 = ethers.sha256(
    ethers.toUtf8Bytes(`${address}:registration:${p.gtins.join(",")}:${p.validFrom}`),
  );
  const id = await fileProductRegistration(ledger, supplier, { ...p, sha256 });
  await sent(ledger.registry.connect(regulator).attestDocument(id));
  return id;
}

export async function openTender(
  ledger: Ledger,
  regulator: Signer,
  terms: TenderTermsStruct,
  commitments: { hospital: string; volume: bigint }[],
): Promise<bigint> {
  const receipt = await sent(
    ledger.tenders.connect(regulator).openTender(
      terms,
      commitments.map((c) => c.hospital),
      commitments.map((c) => c.volume),
    ),
  );
  return eventArg(receipt, ledger.tenders, "TenderOpened", "tenderId");
}

export async function commitBid(
  ledger: Ledger,
  bidder: Signer,
  tenderId: bigint,
  tiers: TierStruct[],
  salt: string,
): Promise<void> {
  // The first commitment escrows the tender's bid bond: let the tender house take it.
  const address = await bidder.getAddress();
  const bond = await bondDue(ledger, tenderId, address);
  const spender = await ledger.tenders.getAddress();
  const allowance = await ledger.token.allowance(address, spender);
  if (allowance < bond) await sent(ledger.token.connect(bidder).approve(spender, allowance + bond));
  await sent(ledger.tenders.connect(bidder).commitBid(tenderId, commitment(tenderId, address, tiers, salt)));
}

/** The bond `bidder`'s next commitment escrows: the tender's bid bond, or nothing when it replaces one. */
export async function bondDue(ledger: Ledger, tenderId: bigint, bidder: string): Promise<bigint> {
  if ((await ledger.tenders.bid(tenderId, bidder)).committedAt !== 0n) return 0n;
  return (await ledger.tenders.tenderTerms(tenderId)).bidBond;
}

export async function revealBid(
  ledger: Ledger,
  bidder: Signer,
  tenderId: bigint,
  tiers: TierStruct[],
  salt: string,
): Promise<void> {
  await sent(ledger.tenders.connect(bidder).revealBid(tenderId, tiers, salt));
}

export async function finalizeTender(ledger: Ledger, caller: Signer, tenderId: bigint): Promise<bigint[]> {
  const receipt = await sent(ledger.tenders.connect(caller).finalize(tenderId));
  const ids: bigint[] = [];
  for (const log of receipt.logs) {
    const parsed = ledger.agreements.interface.parseLog(log);
    if (parsed?.name === "AgreementCreated") ids.push(parsed.args.agreementId as bigint);
  }
  return ids;
}

export async function enrolHospital(
  ledger: Ledger,
  regulator: Signer,
  hospital: Signer,
  name: string,
  members: { member: Signer; roles: number }[],
  approvalThreshold: bigint,
): Promise<void> {
  const address = await hospital.getAddress();
  await sent(ledger.hospitals.connect(regulator).enrolHospital(address, ethers.id(name)));
  // The hospital only invites: each member joins by accepting with its own key.
  for (const m of members) {
    await sent(ledger.hospitals.connect(hospital).setMemberRoles(await m.member.getAddress(), m.roles));
    await sent(ledger.hospitals.connect(m.member).acceptMembership(address));
  }
  await sent(ledger.hospitals.connect(hospital).setApprovalThreshold(approvalThreshold));
  await sent(ledger.token.connect(hospital).approve(await ledger.orderBook.getAddress(), ethers.MaxUint256));
}

export async function placeOrder(
  ledger: Ledger,
  buyer: Signer,
  order: { agreementId: bigint; quantity: bigint; requestedDelivery: number; reference: string },
): Promise<bigint> {
  const receipt = await sent(
    ledger.orderBook
      .connect(buyer)
      .placeOrder(order.agreementId, order.quantity, order.requestedDelivery, ethers.id(order.reference)),
  );
  return eventArg(receipt, ledger.orderBook, "OrderPlaced", "orderId");
}

export async function approveOrder(ledger: Ledger, approver: Signer, orderId: bigint): Promise<void> {
  await sent(ledger.orderBook.connect(approver).approveOrder(orderId));
}

/** The hospital account sets its budget for `category` in fiscal `period` (once). */
export async function setBudget(
  ledger: Ledger,
  hospital: Signer,
  budget: { category: string; period: number; amount: bigint },
): Promise<void> {
  await sent(ledger.budgets.connect(hospital).setBudget(budget.category, budget.period, budget.amount));
}

/** An approver proposes changing its hospital's budget; returns the proposal's id. */
export async function proposeBudgetAdjustment(
  ledger: Ledger,
  approver: Signer,
  adjustment: { category: string; period: number; delta: bigint; reasonCode: number },
): Promise<bigint> {
  const receipt = await sent(
    ledger.budgets
      .connect(approver)
      .proposeAdjustment(adjustment.category, adjustment.period, adjustment.delta, adjustment.reasonCode),
  );
  return eventArg(receipt, ledger.budgets, "BudgetAdjustmentProposed", "adjustmentId");
}

/** A second approver confirms a proposal; returns the budget's new amount. */
export async function confirmBudgetAdjustment(
  ledger: Ledger,
  approver: Signer,
  adjustmentId: bigint,
): Promise<bigint> {
  const receipt = await sent(ledger.budgets.connect(approver).confirmAdjustment(adjustmentId));
  return eventArg(receipt, ledger.budgets, "BudgetAdjusted", "newAmount");
}

export async function createShipment(
  ledger: Ledger,
  supplier: Signer,
  s: { orderId: bigint; gtin: string; lot: string; expiry: number; serials: string[]; notice: string },
): Promise<{ shipmentId: bigint; root: string }> {
  const tree = serialTree(s.serials);
  const receipt = await sent(
    ledger.trace.connect(supplier).createShipment({
      orderId: s.orderId,
      gtin: BigInt(s.gtin),
      lot: s.lot,
      expiry: s.expiry,
      quantity: s.serials.length,
      serialRoot: tree.root,
      noticeHash: ethers.id(s.notice),
    }),
  );
  return { shipmentId: eventArg(receipt, ledger.trace, "ShipmentCreated", "shipmentId"), root: tree.root };
}

/**
 * The full record of a shipment, read back from its `ShipmentCreated` event: the ledger stores
 * only its hash, and every later act on the shipment passes the record back.
 */
export async function shipmentRecord(ledger: Ledger, shipmentId: bigint): Promise<ShipmentRecordStruct> {
  const [log] = await ledger.trace.queryFilter(ledger.trace.filters.ShipmentCreated(shipmentId));
  if (!log) throw new Error(`no ShipmentCreated event for shipment ${shipmentId}`);
  return recordOf(log.args.record);
}

/** A decoded `ShipmentCreated.record` as the plain struct the acts on a shipment take. */
export function recordOf(r: ShipmentRecordStruct): ShipmentRecordStruct {
  return {
    orderId: r.orderId,
    supplier: r.supplier,
    hospital: r.hospital,
    gtin: r.gtin,
    expiry: r.expiry,
    quantity: r.quantity,
    createdAt: r.createdAt,
    serialRoot: r.serialRoot,
    noticeHash: r.noticeHash,
    lot: r.lot,
  };
}

export async function recordTrace(
  ledger: Ledger,
  actor: Signer,
  shipmentId: bigint,
  step: TraceStepName,
  e: { location: string; eventTime: number; sensorLog?: string; excursion?: boolean },
): Promise<void> {
  await sent(
    ledger.trace
      .connect(actor)
      .recordTraceEvent(
        shipmentId,
        await shipmentRecord(ledger, shipmentId),
        TRACE_STEPS.indexOf(step),
        ethers.id(e.location),
        e.eventTime,
        e.sensorLog ? ethers.id(e.sensorLog) : ethers.ZeroHash,
        e.excursion ?? false,
      ),
  );
}

/** The hospital's settler confirms a shipment: accepted units are paid from escrow. */
export async function confirmShipment(
  ledger: Ledger,
  settler: Signer,
  shipmentId: bigint,
  c: { accepted: number; rejected: number; receiptHash: string },
): Promise<ethers.TransactionReceipt> {
  return sent(
    ledger.orderBook
      .connect(settler)
      .confirmShipment(shipmentId, await shipmentRecord(ledger, shipmentId), c),
  );
}

/**
 * The agreement's supplier makes it a consignment agreement (once); stock that expires unused is
 * the supplier's loss unless `hospitalBearsExpiry`.
 */
export async function offerConsignment(
  ledger: Ledger,
  supplier: Signer,
  agreementId: bigint,
  hospitalBearsExpiry = false,
): Promise<void> {
  await sent(ledger.consignment.connect(supplier).offerConsignment(agreementId, hospitalBearsExpiry));
}

/** The hospital (its account or an approver) makes a placed order a consignment. */
export async function electConsignment(ledger: Ledger, staff: Signer, orderId: bigint): Promise<void> {
  await sent(ledger.consignment.connect(staff).electConsignment(orderId));
}

/** The hospital's settler pays units used of consigned shipments, as one batch. */
export async function confirmConsumption(
  ledger: Ledger,
  settler: Signer,
  batchId: string,
  lines: { shipmentId: bigint; units: number }[],
): Promise<ethers.TransactionReceipt> {
  return sent(ledger.consignment.connect(settler).confirmConsumption(batchId, lines));
}

/**
 * Unused consigned units go back to the supplier. The supplier's own return is final at once; a
 * hospital's waits for the supplier's answer (`confirmConsignedReturn` / `refuseConsignedReturn`).
 */
export async function returnConsignedStock(
  ledger: Ledger,
  by: Signer,
  shipmentId: bigint,
  units: number,
  reasonCode: number,
): Promise<ethers.TransactionReceipt> {
  return sent(ledger.consignment.connect(by).returnStock(shipmentId, units, reasonCode));
}

/** The supplier has a hospital's returned units (or, past the window, the hospital says so). */
export async function confirmConsignedReturn(
  ledger: Ledger,
  by: Signer,
  shipmentId: bigint,
): Promise<ethers.TransactionReceipt> {
  return sent(ledger.consignment.connect(by).confirmReturn(shipmentId));
}

/** The supplier did not get a hospital's returned units: they are on its shelf again. */
export async function refuseConsignedReturn(
  ledger: Ledger,
  supplier: Signer,
  shipmentId: bigint,
  reasonCode: number,
): Promise<ethers.TransactionReceipt> {
  return sent(ledger.consignment.connect(supplier).refuseReturn(shipmentId, reasonCode));
}

/** A regulator makes `account` a payer (the insurance fund). */
export async function grantPayer(ledger: Ledger, regulator: Signer, account: string): Promise<void> {
  await sent(ledger.roles.connect(regulator).grantRole(PAYER_ROLE, account));
}

/** The payer covers a tender: its prepayment share (basis points) and whether it settles directly. */
export async function coverTender(
  ledger: Ledger,
  payer: Signer,
  tenderId: bigint,
  prepayShareBps: number,
  direct: boolean,
): Promise<void> {
  await sent(ledger.fund.connect(payer).setCover(tenderId, prepayShareBps, direct));
}

/**
 * The payer pays `amount` fen into a hospital's account under an agreement: a prepayment, or
 * (`escrow`) direct-settlement escrow. The fund book takes it under the payer's allowance.
 */
export async function payIntoFund(
  ledger: Ledger,
  payer: Signer,
  p: { agreementId: bigint; hospital: string; amount: bigint; escrow?: boolean },
): Promise<ethers.TransactionReceipt> {
  const fund = ledger.fund.connect(payer);
  return sent(
    p.escrow
      ? fund.depositEscrow(p.agreementId, p.hospital, p.amount)
      : fund.prepay(p.agreementId, p.hospital, p.amount),
  );
}

/** After the term: the account's undrawn money goes back to the payer. */
export async function returnUndrawn(
  ledger: Ledger,
  by: Signer,
  agreementId: bigint,
  hospital: string,
): Promise<ethers.TransactionReceipt> {
  return sent(ledger.fund.connect(by).returnUndrawn(agreementId, hospital));
}

/** `owner`'s EIP-2612 permit for `spender` over the settlement token, at its current nonce. */
export async function signPermit(
  ledger: Ledger,
  owner: Signer,
  spender: string,
  value: bigint,
  deadline: bigint | number,
): Promise<ethers.Signature> {
  const permit = await signPermitRequest(ledger.token, owner, spender, value, Number(deadline));
  return ethers.Signature.from(permit.signature);
}

/**
 * A hospital's receiver (or the hospital account) records units of a lot moving between two of
 * its locations (GLNs), with the Merkle root of their serials when they are known; returns the
 * transfer's id.
 */
export async function recordCampusTransfer(
  ledger: Ledger,
  actor: Signer,
  t: { gtin: string | bigint; lot: string; from: string; to: string; quantity: number; serials?: string[] },
): Promise<bigint> {
  const root = t.serials && t.serials.length > 0 ? serialTree(t.serials).root : ethers.ZeroHash;
  const receipt = await sent(
    ledger.campusTransfers
      .connect(actor)
      .recordTransfer(BigInt(t.gtin), t.lot, BigInt(t.from), BigInt(t.to), t.quantity, root),
  );
  return eventArg(receipt, ledger.campusTransfers, "CampusTransferRecorded", "transferId");
}
