import type { ConsignedStockPage, ConsumptionBatchPage } from "../../api/consignment";
import * as act from "../../ledger/acts";
import { parseReason, reasonFields, reasonOption, type CommandSpec } from "./command";
import { chainAct, type Chain } from "./options";
import { list, record } from "./output";

/**
 * Consignment (ConsignmentBook): a supplier offers its agreement on consignment, a hospital
 * elects it for a placed order; received units are paid only when used (the gateway batches the
 * usage records into on-chain consumption confirmations) and unused ones can be returned.
 */

const ORDER_OPTION = {
  order: { type: "string", value: "<id>", description: "the order", required: true },
} as const;

export const consignmentOffer: CommandSpec = {
  path: ["consignment", "offer"],
  summary: "make your agreement a consignment agreement, once (the agreement's supplier)",
  details:
    "Stock that expires unused is your loss (its value goes back to the hospital) unless --hospital-bears-expiry: then it is paid to you. The terms never change once offered.",
  options: {
    agreement: { type: "string", value: "<id>", description: "your agreement", required: true },
    "hospital-bears-expiry": { type: "boolean", description: "expired unused stock is paid to the supplier" },
  },
  examples: ["sunshine supplier consignment offer --agreement 1"],
  async run(ctx, o) {
    const agreementId = o.id("agreement");
    const hospitalBearsExpiry = o.flag("hospital-bears-expiry");
    const chain = await ctx.chain();
    await act.offerConsignment(chain.ledger, chain.signer, agreementId, hospitalBearsExpiry);
    return record(chainAct(chain, { agreementId, hospitalBearsExpiry }));
  },
};

export const consignmentElect: CommandSpec = {
  path: ["consignment", "elect"],
  summary: "make a placed order a consignment, before it is funded (the hospital account or an approver)",
  options: ORDER_OPTION,
  positional: "order",
  examples: ["sunshine hospital consignment elect --order 12"],
  async run(ctx, o) {
    const orderId = o.id("order");
    const chain = await ctx.chain();
    await act.electConsignment(chain.ledger, chain.signer, orderId);
    return record(chainAct(chain, { orderId, consigned: true }));
  },
};

export const consignmentReturn: CommandSpec = {
  path: ["consignment", "return"],
  summary:
    "give unused consigned units back to the supplier (the hospital at any time: its value comes back once the supplier confirms; the supplier after the agreement's term: at once)",
  options: {
    shipment: { type: "string", value: "<id>", description: "the consigned shipment", required: true },
    units: { type: "string", value: "<n>", description: "units to return", required: true },
    ...reasonOption("returnStock"),
  },
  examples: ["sunshine hospital consignment return --shipment 9 --units 2 --reason overstocked"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const units = o.int("units", undefined, 4_294_967_295);
    const reason = parseReason(o, "returnStock");
    const chain = await ctx.chain();
    await act.returnConsignedStock(chain.ledger, chain.signer, shipmentId, units, reason.code);
    return record(
      chainAct(chain, {
        shipmentId,
        returned: units,
        ...reasonFields(reason),
        ...(await shelf(chain, shipmentId)),
      }),
    );
  },
};

const SHIPMENT_OPTION = {
  shipment: { type: "string", value: "<id>", description: "the consigned shipment", required: true },
} as const;

export const consignmentConfirmReturn: CommandSpec = {
  path: ["consignment", "confirm-return"],
  summary:
    "confirm a hospital's pending return: the units arrived, their value goes back to the hospital (the supplier; the hospital itself once the 14 days to answer pass)",
  options: SHIPMENT_OPTION,
  positional: "shipment",
  examples: ["sunshine supplier consignment confirm-return --shipment 9"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const chain = await ctx.chain();
    await act.confirmConsignedReturn(chain.ledger, chain.signer, shipmentId);
    return record(chainAct(chain, { shipmentId, confirmed: true, ...(await shelf(chain, shipmentId)) }));
  },
};

export const consignmentRefuseReturn: CommandSpec = {
  path: ["consignment", "refuse-return"],
  summary:
    "refuse a hospital's pending return within its 14 days: the units did not arrive as declared and are on the hospital's shelf again, payable on use (the supplier)",
  options: { ...SHIPMENT_OPTION, ...reasonOption("refuseReturn") },
  examples: ["sunshine supplier consignment refuse-return --shipment 9 --reason return_not_received"],
  async run(ctx, o) {
    const shipmentId = o.id("shipment");
    const reason = parseReason(o, "refuseReturn");
    const chain = await ctx.chain();
    await act.refuseConsignedReturn(chain.ledger, chain.signer, shipmentId, reason.code);
    return record(
      chainAct(chain, {
        shipmentId,
        refused: true,
        ...reasonFields(reason),
        ...(await shelf(chain, shipmentId)),
      }),
    );
  },
};

/** A consigned shipment's shelf after an act: on hand, held value and any return still pending. */
async function shelf(chain: Chain, shipmentId: bigint) {
  const [s, pending] = await Promise.all([
    chain.ledger.consignment.stock(shipmentId),
    chain.ledger.consignment.pendingReturn(shipmentId),
  ]);
  return {
    onHand: s.received - s.used - s.returned - s.expired - pending.units,
    held: s.held,
    pendingReturn: pending.units,
    ...(pending.units === 0n ? {} : { answerBy: new Date(Number(pending.answerBy) * 1000).toISOString() }),
  };
}

export const consignmentStock: CommandSpec = {
  path: ["consignment", "stock"],
  summary: "consigned stock per shipment as the gateway indexed it: received, used, returned, on hand, paid",
  options: {},
  examples: ["sunshine hospital consignment stock --gateway http://127.0.0.1:8080"],
  async run(ctx) {
    const gateway = await ctx.gateway();
    const rows = [];
    for await (const page of gateway.pages<ConsignedStockPage>("/v1/consignment/stock?limit=500"))
      for (const s of page.items)
        rows.push({
          shipment: s.shipmentId,
          order: s.orderId,
          lot: s.lot,
          received: s.received,
          used: s.used,
          returned: s.returned,
          expired: s.expired,
          onHand: s.onHand,
          pendingReturn: s.pendingReturn?.units ?? 0,
          answerBy: s.pendingReturn?.answerBy ?? null,
          held: s.held,
          paid: s.paid,
        });
    return list(rows, { empty: "no consigned stock" });
  },
};

export const consignmentBatches: CommandSpec = {
  path: ["consignment", "batches"],
  summary: "consumption batches: units used, amount paid, transaction and status",
  options: {},
  examples: ["sunshine supplier consignment batches"],
  async run(ctx) {
    const gateway = await ctx.gateway();
    const rows = [];
    for await (const page of gateway.pages<ConsumptionBatchPage>("/v1/consignment/batches?limit=500"))
      for (const b of page.items)
        rows.push({
          batch: b.batchId,
          status: b.status,
          units: b.units,
          amount: b.amount,
          tx: b.txHash,
          error: b.errorName,
        });
    return list(rows, { empty: "no consumption batches" });
  },
};
