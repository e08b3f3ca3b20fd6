import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { AddressLike } from "ethers";
import { ethers } from "hardhat";
import { shipmentRecordHash } from "../../../ledger/contracts";
import type {
  ShipmentInputStruct,
  ShipmentRecordStruct,
} from "../../../typechain-types/contracts/DeliveryTrace";
import { agreementFixture, DAY, GTIN, serials, serialTree, shipmentRecord, YEAR } from "./fixtures";

/** EPCIS business steps, in the order of the `TraceStep` enum. */
export enum Step {
  Shipping,
  Departing,
  Arriving,
  Receiving,
  Inspecting,
  Accepting,
  Holding,
  Storing,
}
export const TRANSPORT_STEPS = [Step.Shipping, Step.Departing, Step.Arriving] as const;
export const HOSPITAL_STEPS = [
  Step.Receiving,
  Step.Inspecting,
  Step.Accepting,
  Step.Holding,
  Step.Storing,
] as const;

export const ORDER_QUANTITY = 100n; // 100 × 10,000 fen: below the two-approver threshold
export const LOT = "LOT-2025-A1";
export const NOTICE_HASH = ethers.id("ASN-0001");
/** A GLN (6901234000017) held as a bytes32, as trace events carry locations. */
export const WAREHOUSE_GLN = ethers.zeroPadValue(ethers.toBeHex(6901234000017n), 32);

/**
 * `shipmentRecordHash` of a record typed as the contract's input struct, whose addresses and
 * hashes may be any AddressLike and BytesLike: records read back from ShipmentCreated hold
 * address strings.
 */
export function recordHash(record: ShipmentRecordStruct): string {
  const address = (a: AddressLike): string => {
    if (typeof a !== "string") throw new Error("a shipment record read from an event holds address strings");
    return a;
  };
  return shipmentRecordHash({
    ...record,
    supplier: address(record.supplier),
    hospital: address(record.hospital),
    serialRoot: ethers.hexlify(record.serialRoot),
    noticeHash: ethers.hexlify(record.noticeHash),
  });
}

/** Places an order for `quantity` stents and has one approver fund it. */
export async function placeFundedOrder(
  { ledger, actors, agreementId }: Awaited<ReturnType<typeof agreementFixture>>,
  quantity = ORDER_QUANTITY,
): Promise<bigint> {
  const deliveryDate = BigInt(await time.latest()) + 30n * BigInt(DAY);
  await ledger.orderBook
    .connect(actors.hospital)
    .placeOrder(agreementId, quantity, deliveryDate, ethers.id("PO"));
  const orderId = await ledger.orderBook.orderCount();
  await ledger.orderBook.connect(actors.approvers[0]).approveOrder(orderId);
  return orderId;
}

/** The agreement fixture plus a funded order of ORDER_QUANTITY units. */
export async function fundedOrderFixture() {
  const base = await agreementFixture();
  const orderId = await placeFundedOrder(base);
  return { ...base, orderId };
}

/** A valid shipment of `quantity` units of LOT against `orderId`, expiring in two years. */
export async function shipmentInput(
  orderId: bigint,
  overrides: Partial<ShipmentInputStruct> = {},
): Promise<ShipmentInputStruct> {
  return {
    orderId,
    gtin: GTIN,
    expiry: BigInt(await time.latest()) + 2n * BigInt(YEAR),
    quantity: 10n,
    serialRoot: serialTree(serials("SN", 10)).root,
    noticeHash: NOTICE_HASH,
    lot: LOT,
    ...overrides,
  };
}

/**
 * The funded order with one 10-unit shipment of LOT created by supplier 0, and the shipment's
 * record as its ShipmentCreated event carries it (every later act on it passes the record).
 */
export async function shippedFixture() {
  const base = await fundedOrderFixture();
  const tree = serialTree(serials("SN", 10));
  const input = await shipmentInput(base.orderId, { serialRoot: tree.root });
  await base.ledger.trace.connect(base.supplier).createShipment(input);
  const shipmentId = await base.ledger.trace.shipmentCount();
  const record = await shipmentRecord(base.ledger, shipmentId);
  return { ...base, tree, input, shipmentId, record };
}
