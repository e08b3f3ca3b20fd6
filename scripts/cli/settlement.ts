import { ethers } from "ethers";
import * as act from "../../ledger/acts";
import { ORDER_STATUS } from "../../ledger/enums";
import {
  isoTime,
  parseReason,
  readInput,
  reasonFields,
  reasonOption,
  UsageError,
  type CommandSpec,
  type Opts,
} from "./command";
import { chainAct, type Chain } from "./options";
import { record, type Row } from "./output";

/**
 * Settling shipments: the hospital's settler confirms (accepted units are paid from escrow at
 * the agreement's accepted-volume price, less any late penalty), a settler or approver disputes
 * units first, an approver waives a temperature excursion, and the supplier claims settlement
 * of the undisputed units once the hospital let the confirmation window pass. Refunds a token
 * could not deliver are withdrawn. Every act passes the shipment's record (from its
 * `ShipmentCreated` event) back to the ledger.
 */

const SHIPMENT_OPTION = {
  shipment: { type: "string", value: "<id>", description: "shipment id", required: true },
} as const;

/** What a settlement paid, from its `ShipmentSettled` event, and where the order stands. */
async function settled(chain: Chain, receipt: ethers.TransactionReceipt, shipmentId: bigint): Promise<Row> {
  const [e] = act.eventsOf(receipt, chain.ledger.orderBook, "ShipmentSettled");
  const c = e.confirmation as { accepted: bigint; rejected: bigint };
  const p = e.payout as {
    gross: bigint;
    penalty: bigint;
    paid: bigint;
    daysLate: bigint;
    deliveredAt: bigint;
  };
  const order = await chain.ledger.orderBook.order(e.orderId as bigint);
  return {
    shipmentId,
    orderId: e.orderId as bigint,
    settledBy: e.settledBy as string,
    accepted: c.accepted,
    rejected: c.rejected,
    gross: p.gross,
    penalty: p.penalty,
    paid: p.paid,
    daysLate: p.daysLate,
    deliveredAt: isoTime(p.deliveredAt),
    orderStatus: ORDER_STATUS[Number(order.status)],
  };
}

/** The goods receipt's hash: SHA-256 of --receipt-file, or --receipt-hash; zero without either. */
function receiptHash(o: Opts): string {
  if (o.has("receipt-file") && o.has("receipt-hash"))
    throw new UsageError("give at most one of --receipt-file and --receipt-hash");
  if (o.has("receipt-file")) return ethers.sha256(readInput(o.string("receipt-file"), "--receipt-file"));
  if (!o.has("receipt-hash")) return ethers.ZeroHash;
  let hash = o.string("receipt-hash").toLowerCase();
  if (!hash.startsWith("0x")) hash = `0x${hash}`;
  if (!/^0x[0-9a-f]{64}$/.test(hash)) throw new UsageError("--receipt-hash must be 32 bytes of hex");
  return hash;
}

export const confirm: CommandSpec = {
  path: ["confirm"],
  summary: "confirm a shipment as the hospital's settler: accepted units are paid from escrow",
  details:
    "Usually the gateway confirms after matching a goods receipt; this is the same act by hand. Accepted plus rejected must equal the shipment's quantity (--rejected defaults to the rest). Nothing is paid for a recalled lot, goods expired at delivery, an unqualified supplier or an unwaived excursion; rejecting every unit is always possible.",
  options: {
    ...SHIPMENT_OPTION,
    accepted: { type: "string", value: "<n>", description: "units accepted", required: true },
    rejected: { type: "string", value: "<n>", description: "units rejected (default the rest)" },
    "receipt-file": {
      type: "string",
      value: "<file>",
      description: "the goods receipt (its SHA-256 is recorded)",
    },
    "receipt-hash": {
      type: "string",
      value: "<hex>",
      description: "the goods receipt's hash, instead of --receipt-file",
    },
  },
  positional: "shipment",
  examples: ["sunshine hospital confirm --shipment 4 --accepted 18 --receipt-file GR-0001.csv"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const accepted = o.int("accepted", undefined, 2 ** 32 - 1);
    const hash = receiptHash(o);
    const chain = await ctx.chain();
    const shipment = await act.shipmentRecord(chain.ledger, shipmentId);
    const rejected = o.has("rejected")
      ? o.int("rejected", 0, 2 ** 32 - 1)
      : Math.max(0, Number(shipment.quantity) - accepted);
    const receipt = await act.sent(
      chain.ledger.orderBook
        .connect(chain.signer)
        .confirmShipment(shipmentId, shipment, { accepted, rejected, receiptHash: hash }),
    );
    return record(chainAct(chain, { ...(await settled(chain, receipt, shipmentId)), receiptHash: hash }));
  },
};

export const disputeShipment: CommandSpec = {
  path: ["dispute-shipment"],
  summary: "dispute units of a shipment before confirming it (settlers and approvers)",
  details:
    "A supplier's claim after the confirmation window settles only the undisputed units; the disputed ones are rejected. A later dispute replaces an earlier one.",
  options: {
    ...SHIPMENT_OPTION,
    units: { type: "string", value: "<n>", description: "units disputed", required: true },
    ...reasonOption("disputeShipment"),
  },
  positional: "shipment",
  examples: ["sunshine hospital dispute-shipment --shipment 4 --units 3 --reason units_damaged"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const units = o.int("units", undefined, 2 ** 32 - 1);
    const reason = parseReason(o, "disputeShipment");
    const chain = await ctx.chain();
    const shipment = await act.shipmentRecord(chain.ledger, shipmentId);
    await act.sent(
      chain.ledger.orderBook.connect(chain.signer).disputeShipment(shipmentId, shipment, units, reason.code),
    );
    return record(
      chainAct(chain, {
        shipmentId,
        orderId: shipment.orderId,
        units,
        of: shipment.quantity,
        ...reasonFields(reason),
        by: chain.address,
      }),
    );
  },
};

export const claimSettlement: CommandSpec = {
  path: ["claim-settlement"],
  summary: "settle a shipment the hospital did not confirm in time (the supplier)",
  details:
    "Open once the agreement's confirmation window has passed since the hospital's receiving record; if the hospital recorded none, once the receiving and confirmation windows have passed since your Arriving record (the shipment then counts as received at the end of the receiving window, and is judged delivered at the arrival). The undisputed units are accepted and paid, the disputed ones rejected, under the same rules as a confirmation, except that a temperature excursion the hospital did not waive within the window does not hold the claim.",
  options: SHIPMENT_OPTION,
  positional: "shipment",
  examples: ["sunshine supplier claim-settlement --shipment 4"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const chain = await ctx.chain();
    const shipment = await act.shipmentRecord(chain.ledger, shipmentId);
    const receipt = await act.sent(
      chain.ledger.orderBook.connect(chain.signer).claimSettlement(shipmentId, shipment),
    );
    return record(chainAct(chain, await settled(chain, receipt, shipmentId)));
  },
};

export const waiveExcursion: CommandSpec = {
  path: ["waive-excursion"],
  summary: "accept a shipment despite its temperature excursion, so the hospital can confirm it (approvers)",
  options: { ...SHIPMENT_OPTION, ...reasonOption("waiveExcursion") },
  positional: "shipment",
  examples: ["sunshine hospital waive-excursion --shipment 4 --reason excursion_within_stability"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const reason = parseReason(o, "waiveExcursion");
    const chain = await ctx.chain();
    const shipment = await act.shipmentRecord(chain.ledger, shipmentId);
    await act.sent(
      chain.ledger.trace.connect(chain.signer).waiveExcursion(shipmentId, shipment, reason.code),
    );
    return record(
      chainAct(chain, {
        shipmentId,
        orderId: shipment.orderId,
        waived: true,
        ...reasonFields(reason),
        by: chain.address,
      }),
    );
  },
};

export const withdrawRefund: CommandSpec = {
  path: ["withdraw-refund"],
  summary: "withdraw refunds the order book owes you (ones the token could not deliver at the time)",
  options: {},
  examples: ["sunshine hospital withdraw-refund"],
  async run(ctx) {
    const chain = await ctx.chain();
    const receipt = await act.sent(chain.ledger.orderBook.connect(chain.signer).withdrawRefund());
    const [withdrawn] = act.eventsOf(receipt, chain.ledger.orderBook, "RefundWithdrawn");
    return record(chainAct(chain, { account: chain.address, amount: withdrawn.amount as bigint }));
  },
};
