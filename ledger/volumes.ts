import type { BigNumberish } from "ethers";
import type { Ledger } from "./contracts";

/**
 * A hospital's units counted toward an agreement's tier position, from the chain's events: the
 * agreement book keeps only the agreement's total. A plain order's units count when its deliveries
 * settle (ShipmentSettled's accepted units); a consigned order's only when used
 * (ConsumptionConfirmed) or expired at the hospital's cost (ConsignedStockExpired paid to the
 * supplier), never when taken into custody: stock given back was never bought.
 */
export async function acceptedUnits(
  ledger: Ledger,
  agreementId: BigNumberish,
  hospital: string,
  fromBlock = 0,
): Promise<bigint> {
  const { orderBook, consignment } = ledger;
  let units = 0n;
  const placed = await orderBook.queryFilter(
    orderBook.filters.OrderPlaced(undefined, agreementId, hospital),
    fromBlock,
  );
  for (const { args } of placed) {
    const orderId = args.orderId;
    if (!(await consignment.isConsigned(orderId))) {
      const settled = await orderBook.queryFilter(
        orderBook.filters.ShipmentSettled(undefined, orderId),
        fromBlock,
      );
      for (const e of settled) units += e.args.confirmation.accepted;
      continue;
    }
    const used = await consignment.queryFilter(
      consignment.filters.ConsumptionConfirmed(undefined, undefined, orderId),
      fromBlock,
    );
    for (const e of used) units += e.args.units;
    const expired = await consignment.queryFilter(
      consignment.filters.ConsignedStockExpired(undefined, orderId),
      fromBlock,
    );
    for (const e of expired) if (e.args.paidToSupplier) units += e.args.units;
  }
  return units;
}
