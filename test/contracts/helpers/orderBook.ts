/**
 * Helpers for the order book tests: the fixtures the OrderBook.*.test.ts files share, placing,
 * funding and shipping against orders, trace steps that fix the delivery time, and the
 * pricing and settlement maths the tests compute expected amounts with.
 *
 * The base fixture (`orderFixture`): supplier 0 qualified for stents and registered for GTIN,
 * one stents agreement with it (tiers 0→10000 fen, 100→9000, 500→8000; lead time 10 days;
 * penalty 50 bps/day capped at 1000 bps; funding window 14 days, receiving window 1 day,
 * confirmation window 7 days) awarded by a tender both hospitals are in (1000 units each), both
 * hospitals enrolled and funded with an approval threshold of 5,000,000 fen. Hospital 1 has two
 * approvers, a settler and a receiver (see `enrolHospital`); hospital 2 has one approver and
 * one settler.
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { expect } from "chai";
import type { ContractTransactionResponse } from "ethers";
import { ethers } from "hardhat";
import { recordOf } from "../../../ledger/acts";
import { deployLedger, type Ledger } from "../../../ledger/contracts";
import { TRACE_STEPS, type TraceStepName } from "../../../ledger/enums";
import type {
  ShipmentInputStruct,
  ShipmentRecordStruct,
} from "../../../typechain-types/contracts/DeliveryTrace";
import type { ConfirmationStruct } from "../../../typechain-types/contracts/OrderBook";
import {
  addMember,
  APPROVER,
  DAY,
  deployFixture,
  enrolHospital,
  GTIN,
  qualify,
  registerGtins,
  runTender,
  SETTLER,
  STENTS,
  tiers,
  type Actors,
} from "./fixtures";

/** `OrderStatus` as the contract numbers it. */
export const OrderStatus = { None: 0n, Placed: 1n, Funded: 2n, Closed: 3n, Cancelled: 4n } as const;

export const ORDER_REF = ethers.encodeBytes32String("PO-2025-0001");
export const RECEIPT_HASH = ethers.id("goods-receipt GR-0001");
export const SERIAL_ROOT = ethers.id("serial-root");
export const NOTICE_HASH = ethers.id("advance-shipping-notice");
export const LOCATION = ethers.id("GLN 6901234000017");
export const LOT = "LOT-A1";
/** The agreement's schedule as [threshold, unit price] pairs. */
export const TIERS: readonly [bigint, bigint][] = [
  [0n, 10_000n],
  [100n, 9_000n],
  [500n, 8_000n],
];
/** Each hospital's committed volume in the tender. */
export const COMMITTED = 1000n;
export const LEAD_TIME = 10n * BigInt(DAY);
export const PENALTY_BPS_PER_DAY = 50n;
export const PENALTY_CAP_BPS = 1000n;
export const FUNDING_WINDOW = 14n * BigInt(DAY);
export const RECEIVING_WINDOW = BigInt(DAY);
export const CONFIRM_WINDOW = 7n * BigInt(DAY);
export const THRESHOLD = 5_000_000n;
export const HOSPITAL_FUNDS = 10_000_000_000n;
export const BPS = 10_000n;
/** Margin for "as soon as possible" dates: blocks follow the wall clock, slowly under coverage. */
export const HOUR = 3600n;

/** A shipment as the tests handle it: its id and the record every later act passes back. */
export interface Shipment {
  id: bigint;
  record: ShipmentRecordStruct;
}

export async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

/** Value of `quantity` units after `before` accepted ones: `TierSchedule.valueOf`, piecewise. */
export function scheduleValue(
  before: bigint,
  quantity: bigint,
  schedule: readonly [bigint, bigint][] = TIERS,
): bigint {
  let value = 0n;
  let from = before;
  const to = before + quantity;
  for (let i = 0; i < schedule.length && from < to; i++) {
    const end = i + 1 < schedule.length ? schedule[i + 1][0] : to;
    if (from >= end) continue;
    const upTo = to < end ? to : end;
    value += (upTo - from) * schedule[i][1];
    from = upTo;
  }
  return value;
}

/** `SettlementMath.deliveredAt`: the arrival counts at most `window` before the receipt. */
export function deliveredAt(
  arrivedAt: bigint,
  receivedAt: bigint,
  window: bigint = RECEIVING_WINDOW,
): bigint {
  if (arrivedAt === 0n || arrivedAt >= receivedAt) return receivedAt;
  const earliest = receivedAt > window ? receivedAt - window : 0n;
  return arrivedAt > earliest ? arrivedAt : earliest;
}

/** What the contract charges for lateness: [penalty, days late], whole days rounded up. */
export function expectedPenalty(
  gross: bigint,
  deadline: bigint,
  delivered: bigint,
  bpsPerDay: bigint = PENALTY_BPS_PER_DAY,
  capBps: bigint = PENALTY_CAP_BPS,
): [bigint, bigint] {
  if (delivered <= deadline) return [0n, 0n];
  const day = BigInt(DAY);
  const daysLate = (delivered - deadline + day - 1n) / day;
  let bps = daysLate * bpsPerDay;
  if (bps > capBps) bps = capBps;
  return [(gross * bps) / BPS, daysLate];
}

export function confirmation(
  accepted: bigint,
  rejected: bigint,
  receiptHash: string = RECEIPT_HASH,
): ConfirmationStruct {
  return { accepted, rejected, receiptHash };
}

/** The `Confirmation` tuple as a ShipmentSettled event carries it. */
export function confirmationArgs(c: ConfirmationStruct): unknown[] {
  return [c.accepted, c.rejected, c.receiptHash];
}

/** The `Payout` tuple (gross, penalty, paid, daysLate, deliveredAt) of a ShipmentSettled event. */
export function payoutArgs(gross: bigint, penalty: bigint, daysLate: bigint, delivered: bigint): unknown[] {
  return [gross, penalty, gross - penalty, daysLate, delivered];
}

export { acceptedUnits } from "../../../ledger/volumes";

/**
 * Σ escrow over every order. `totalEscrow()` is the token balance less refunds owed, so only
 * this sum, with `totalRefundsOwed`, checks the balance against the orders.
 */
export async function sumOfEscrow(ledger: Ledger): Promise<bigint> {
  let sum = 0n;
  const count = await ledger.orderBook.orderCount();
  for (let id = 1n; id <= count; id++) sum += (await ledger.orderBook.order(id)).escrow;
  return sum;
}

/** The order book holds exactly Σ order escrow plus the refunds it owes. */
export async function expectBalanced(ledger: Ledger, token: { balanceOf(a: string): Promise<bigint> }) {
  const held = await token.balanceOf(await ledger.orderBook.getAddress());
  expect(held, "order book balance vs Σ escrow + refunds owed").to.equal(
    (await sumOfEscrow(ledger)) + (await ledger.orderBook.totalRefundsOwed()),
  );
}

/** Signs an EIP-2612 permit of `owner` over the settlement token. */
export { signPermit } from "../../../ledger/acts";

/** Members of hospital 2 (the fixture's spare signers). */
export interface Hospital2Staff {
  approver: HardhatEthersSigner;
  settler: HardhatEthersSigner;
}

/** Hospital 2's approver and settler, and an enrolled-to-be hospital outside every tender. */
export async function extraSigners(): Promise<Hospital2Staff & { outsider: HardhatEthersSigner }> {
  const s = await ethers.getSigners();
  return { approver: s[14], settler: s[15], outsider: s[16] };
}

/** Lets `supplier` ship GTIN unless it already may (a shared fixture may have done so). */
export async function ensureGtinRegistered(
  ledger: Ledger,
  regulator: HardhatEthersSigner,
  supplier: HardhatEthersSigner,
): Promise<void> {
  if (!(await ledger.registry.isGtinRegistered(supplier.address, GTIN, await now()))) {
    await registerGtins(ledger, regulator, supplier, [GTIN]);
  }
}

/** The base fixture described at the top of this file. */
export async function orderFixture() {
  return orderFixtureWith();
}

/**
 * The base fixture, settling in the ERC-20 at `tokenAddress` when given (a test token with an
 * open `mint`): `deployFixture` names the accounts, then a ledger on that token replaces its own.
 */
export async function orderFixtureWith(tokenAddress?: string) {
  const fixture = await deployFixture();
  const { actors } = fixture;
  const ledger = tokenAddress
    ? (await deployLedger(actors.admin, { regulators: [actors.regulator.address], tokenAddress })).ledger
    : fixture.ledger;
  const supplier = actors.suppliers[0];
  const { approver, settler, outsider } = await extraSigners();
  await qualify(ledger, actors.regulator, supplier, [STENTS]);
  await ensureGtinRegistered(ledger, actors.regulator, supplier);
  await enrolHospital(ledger, actors, actors.hospital, HOSPITAL_FUNDS, THRESHOLD);
  await enrolHospital(ledger, actors, actors.hospital2, HOSPITAL_FUNDS, THRESHOLD);
  await addMember(ledger, actors.hospital2, approver, APPROVER);
  await addMember(ledger, actors.hospital2, settler, SETTLER);
  const { tenderId, agreementIds } = await runTender(
    ledger,
    actors.regulator,
    [{ bidder: supplier, schedule: tiers(...TIERS), salt: ethers.id("salt") }],
    [actors.hospital.address, actors.hospital2.address],
    [COMMITTED, COMMITTED],
    { winners: 1 },
  );
  return {
    ledger,
    actors,
    supplier,
    tenderId,
    agreementId: agreementIds[0],
    staff2: { approver, settler } as Hospital2Staff,
    outsider,
  };
}

export type OrderContext = Awaited<ReturnType<typeof orderFixture>>;

/**
 * Places an order and returns its id; the requested delivery defaults to "as soon as possible"
 * (an hour from the latest block, well within the lead time, so the deadline is placement +
 * lead time). The date is read from the chain right before the transaction.
 */
export async function placeOrder(
  ledger: Ledger,
  by: HardhatEthersSigner,
  agreementId: bigint,
  quantity: bigint,
  requestedDelivery?: bigint,
): Promise<bigint> {
  const requested = requestedDelivery ?? (await now()) + HOUR;
  await ledger.orderBook.connect(by).placeOrder(agreementId, quantity, requested, ORDER_REF);
  return ledger.orderBook.orderCount();
}

/** Approves with `approvers` in turn until the order is funded. */
export async function fundOrder(
  ledger: Ledger,
  approvers: HardhatEthersSigner[],
  orderId: bigint,
): Promise<void> {
  for (const approver of approvers) {
    await ledger.orderBook.connect(approver).approveOrder(orderId);
    if ((await ledger.orderBook.order(orderId)).status === OrderStatus.Funded) return;
  }
  throw new Error(`order ${orderId} is not funded after every approver approved`);
}

/** Places and funds an order of hospital 1 (its two approvers as needed). */
export async function placeFundedOrder(ctx: OrderContext, quantity: bigint): Promise<bigint> {
  const id = await placeOrder(ctx.ledger, ctx.actors.hospital, ctx.agreementId, quantity);
  await fundOrder(ctx.ledger, ctx.actors.approvers, id);
  return id;
}

export async function shipmentInput(
  orderId: bigint,
  quantity: bigint,
  overrides: Partial<ShipmentInputStruct> = {},
): Promise<ShipmentInputStruct> {
  return {
    orderId,
    gtin: GTIN,
    expiry: (await now()) + 2n * 365n * BigInt(DAY),
    quantity,
    serialRoot: SERIAL_ROOT,
    noticeHash: NOTICE_HASH,
    lot: LOT,
    ...overrides,
  };
}

/** The shipment a `createShipment` transaction created, with its record from the event. */
export async function createdShipment(ledger: Ledger, tx: ContractTransactionResponse): Promise<Shipment> {
  const receipt = await tx.wait();
  for (const log of receipt?.logs ?? []) {
    const parsed = ledger.trace.interface.parseLog(log);
    if (parsed?.name !== "ShipmentCreated") continue;
    const r = parsed.args.record;
    return {
      id: parsed.args.shipmentId as bigint,
      record: recordOf(r),
    };
  }
  throw new Error(`transaction ${tx.hash} created no shipment`);
}

/** Creates a shipment of `quantity` units against `orderId`. */
export async function ship(
  ledger: Ledger,
  supplier: HardhatEthersSigner,
  orderId: bigint,
  quantity: bigint,
  overrides: Partial<ShipmentInputStruct> = {},
): Promise<Shipment> {
  const input = await shipmentInput(orderId, quantity, overrides);
  return createdShipment(ledger, await ledger.trace.connect(supplier).createShipment(input));
}

/** Records trace step `step` by `actor`, stating the latest block time as the event time. */
export async function traceStep(
  ledger: Ledger,
  actor: HardhatEthersSigner,
  shipment: Shipment,
  step: TraceStepName,
  excursion = false,
): Promise<ContractTransactionResponse> {
  return ledger.trace
    .connect(actor)
    .recordTraceEvent(
      shipment.id,
      shipment.record,
      TRACE_STEPS.indexOf(step),
      LOCATION,
      await now(),
      ethers.ZeroHash,
      excursion,
    );
}

/** The supplier records the shipment arriving; returns the block time it counts at. */
export async function arrive(
  ledger: Ledger,
  supplier: HardhatEthersSigner,
  shipment: Shipment,
): Promise<bigint> {
  await traceStep(ledger, supplier, shipment, "arriving");
  return (await ledger.trace.shipmentState(shipment.id)).arrivedAt;
}

/** A hospital member records receiving the shipment; returns the block time it counts at. */
export async function receive(
  ledger: Ledger,
  member: HardhatEthersSigner,
  shipment: Shipment,
): Promise<bigint> {
  await traceStep(ledger, member, shipment, "receiving");
  return (await ledger.trace.shipmentState(shipment.id)).receivedAt;
}

export function confirm(
  ledger: Ledger,
  settler: HardhatEthersSigner,
  shipment: Shipment,
  accepted: bigint,
  rejected = 0n,
): Promise<ContractTransactionResponse> {
  return ledger.orderBook
    .connect(settler)
    .confirmShipment(shipment.id, shipment.record, confirmation(accepted, rejected));
}

/** Ships `quantity` units against `orderId` and has the hospital's settler accept them all. */
export async function deliver(
  ctx: { ledger: Ledger; supplier: HardhatEthersSigner; actors: Actors },
  orderId: bigint,
  quantity: bigint,
  settler?: HardhatEthersSigner,
) {
  const s = await ship(ctx.ledger, ctx.supplier, orderId, quantity);
  await confirm(ctx.ledger, settler ?? ctx.actors.settler, s, quantity);
  return s;
}

/** An order of 100 units (1,000,000 fen at the first tier, one approver) placed by hospital 1. */
export async function placedOrderFixture() {
  return placeOrderIn(await orderFixture());
}

/**
 * The same order placed while hospital 1's threshold is one fen below its value: placement
 * decides that it needs two approvers.
 */
export async function twoApproverOrderFixture() {
  const base = await orderFixture();
  await base.ledger.hospitals.connect(base.actors.hospital).setApprovalThreshold(999_999n);
  return placeOrderIn(base);
}

async function placeOrderIn(base: OrderContext) {
  const { ledger, actors, agreementId } = base;
  const quantity = 100n;
  const orderId = await placeOrder(ledger, actors.hospital, agreementId, quantity);
  const o = await ledger.orderBook.order(orderId);
  return {
    ...base,
    orderId,
    quantity,
    value: await ledger.agreements.quote(agreementId, quantity),
    deadline: o.deliveryDeadline,
    fundingExpiresAt: o.fundingExpiresAt,
  };
}

/** The same order, approved once and so funded with 1,000,000 fen. */
export async function fundedOrderFixture() {
  const base = await placedOrderFixture();
  await base.ledger.orderBook.connect(base.actors.approvers[0]).approveOrder(base.orderId);
  return base;
}

/** The funded order with one shipment of 40 units in flight. */
export async function shippedOrderFixture() {
  const base = await fundedOrderFixture();
  const shipped = 40n;
  const shipment = await ship(base.ledger, base.supplier, base.orderId, shipped);
  return { ...base, shipment, shipped };
}
