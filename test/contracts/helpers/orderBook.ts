/**
 * Helpers for the order book tests: placing, funding and shipping against orders, and the
 * fixtures the OrderBook.*.test.ts files share. Built on `agreementFixture` (supplier 0's
 * stents agreement, tiers 0→10000 fen, 100→9000, 500→8000, lead time 10 days, penalty
 * 50 bps/day capped at 1000 bps, approval threshold 5,000,000 fen).
 */
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { ethers } from "hardhat";
import type { Ledger } from "../../../scripts/lib/ledger";
import type { ShipmentInputStruct } from "../../../typechain-types/contracts/DeliveryTrace";
import type { ConfirmationStruct } from "../../../typechain-types/contracts/OrderBook";
import { agreementFixture, DAY, GTIN, type Actors } from "./fixtures";

/** `OrderStatus` as the contract numbers it. */
export const OrderStatus = { None: 0n, Placed: 1n, Funded: 2n, Closed: 3n, Cancelled: 4n } as const;

export const ORDER_REF = ethers.encodeBytes32String("PO-2025-0001");
export const RECEIPT_HASH = ethers.id("goods-receipt GR-0001");
export const SERIAL_ROOT = ethers.id("serial-root");
export const NOTICE_HASH = ethers.id("advance-shipping-notice");
export const LOT = "LOT-A1";
/** The agreement's lead time and penalty terms, as `agreementFixture` sets them. */
export const LEAD_TIME = 10n * BigInt(DAY);
export const PENALTY_BPS_PER_DAY = 50n;
export const PENALTY_CAP_BPS = 1000n;
export const THRESHOLD = 5_000_000n;
export const BPS = 10_000n;
/** Margin for "as soon as possible" dates: blocks follow the wall clock, slowly under coverage. */
export const HOUR = 3600n;

export async function now(): Promise<bigint> {
  return BigInt(await time.latest());
}

/** Places an order and returns its id; the requested delivery defaults to "as soon as possible"
 * (an hour from now, well within the lead time, so the deadline is placement + lead time). */
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

/** Approves with the hospital's approvers until the order is funded. */
export async function fundOrder(ledger: Ledger, actors: Actors, orderId: bigint): Promise<void> {
  for (const approver of actors.approvers) {
    await ledger.orderBook.connect(approver).approveOrder(orderId);
    if ((await ledger.orderBook.order(orderId)).status === OrderStatus.Funded) return;
  }
  throw new Error(`order ${orderId} is not funded after every approver approved`);
}

/** Creates a shipment of `quantity` units against `orderId` and returns its id. */
export async function ship(
  ledger: Ledger,
  supplier: HardhatEthersSigner,
  orderId: bigint,
  quantity: bigint,
  overrides: Partial<ShipmentInputStruct> = {},
): Promise<bigint> {
  await ledger.trace.connect(supplier).createShipment(await shipmentInput(orderId, quantity, overrides));
  return ledger.trace.shipmentCount();
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

export function confirmation(
  accepted: bigint,
  rejected: bigint,
  receivedAt: bigint,
  receiptHash: string = RECEIPT_HASH,
): ConfirmationStruct {
  return { accepted, rejected, receivedAt, receiptHash };
}

/** The `Confirmation` tuple as a ShipmentSettled event carries it. */
export function confirmationArgs(c: ConfirmationStruct): unknown[] {
  return [c.accepted, c.rejected, c.receivedAt, c.receiptHash];
}

/** The `Payout` tuple (gross, penalty, paid, daysLate) as a ShipmentSettled event carries it. */
export function payoutArgs(gross: bigint, penalty: bigint, daysLate: bigint): unknown[] {
  return [gross, penalty, gross - penalty, daysLate];
}

/** What the contract charges for lateness: whole days rounded up, bps per day, capped. */
export function expectedPenalty(gross: bigint, deadline: bigint, receivedAt: bigint): [bigint, bigint] {
  if (receivedAt <= deadline) return [0n, 0n];
  const day = BigInt(DAY);
  const daysLate = (receivedAt - deadline + day - 1n) / day;
  let bps = daysLate * PENALTY_BPS_PER_DAY;
  if (bps > PENALTY_CAP_BPS) bps = PENALTY_CAP_BPS;
  return [(gross * bps) / BPS, daysLate];
}

/** An order of 100 units (1,000,000 fen, one approver) placed by the hospital admin. */
export async function placedOrderFixture() {
  const base = await agreementFixture();
  const { ledger, actors, agreementId } = base;
  const quantity = 100n;
  const orderId = await placeOrder(ledger, actors.hospital, agreementId, quantity);
  const o = await ledger.orderBook.order(orderId);
  return { ...base, orderId, quantity, value: o.value, deadline: o.deliveryDeadline };
}

/** The same order, approved once and so funded. */
export async function fundedOrderFixture() {
  const base = await placedOrderFixture();
  await base.ledger.orderBook.connect(base.actors.approvers[0]).approveOrder(base.orderId);
  return base;
}

/** The funded order with one shipment of 40 units in flight. */
export async function shippedOrderFixture() {
  const base = await fundedOrderFixture();
  const shipped = 40n;
  const shipmentId = await ship(base.ledger, base.supplier, base.orderId, shipped);
  const shippedAt = (await base.ledger.trace.shipment(shipmentId)).createdAt;
  return { ...base, shipmentId, shipped, shippedAt };
}
