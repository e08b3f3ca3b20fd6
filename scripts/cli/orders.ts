import { ethers } from "ethers";
import * as act from "../../ledger/acts";
import { ORDER_STATUS } from "../../ledger/enums";
import { CliError, isoTime, parseWhen, readInput, UsageError, type CommandSpec } from "./command";
import { chainAct, type Chain } from "./options";
import { record, type Row } from "./output";

/**
 * Orders under an agreement: the hospital places them (nothing is priced yet), its approvers
 * approve them (the last approval funds the order at the agreement's quote, pulling the escrow
 * from the hospital's account, or with a permit the hospital signed), and either side may open
 * the way for what the contract would refuse: the supplier consents to volume beyond the
 * hospital's commitment or to an early cancellation, an approver allows a late shipment.
 */

export async function orderState(chain: Chain, orderId: bigint): Promise<Row> {
  const o = await chain.ledger.orderBook.order(orderId);
  return {
    orderId,
    agreementId: o.agreementId,
    hospital: o.hospital,
    status: ORDER_STATUS[Number(o.status)] ?? String(o.status),
    quantity: o.quantity,
    shipped: o.shipped,
    accepted: o.accepted,
    cancelled: o.cancelled,
    escrow: o.escrow,
    fundingExpiresAt: isoTime(o.fundingExpiresAt),
    deliveryDeadline: isoTime(o.deliveryDeadline),
    excessConsented: o.excessConsented,
    lateShipmentAllowed: o.lateShipmentAllowed,
    supplierAgreedToCancel: o.supplierAgreedToCancel,
  };
}

const ORDER_OPTION = {
  order: { type: "string", value: "<id>", description: "order id", required: true },
} as const;

export const orderPlace: CommandSpec = {
  path: ["order", "place"],
  summary: "place an order under an agreement (priced and escrowed only when its last approval funds it)",
  details:
    "The quote is what funding would escrow now: the units priced from the agreement's accepted volume. Funding beyond the hospital's committed volume needs the supplier's consent (sunshine supplier consent-excess). An order not funded within the agreement's funding window expires.",
  options: {
    agreement: { type: "string", value: "<id>", description: "agreement id", required: true },
    quantity: { type: "string", value: "<n>", description: "units", required: true },
    delivery: {
      type: "string",
      value: "<when>",
      description: "requested delivery: ISO date or date-time, or +<n>d (default the agreement's lead time)",
    },
    reference: { type: "string", value: "<text>", description: "your purchase order number", required: true },
  },
  examples: [
    "sunshine hospital order place --agreement 1 --quantity 50 --delivery +20d --reference PO-2026-001",
  ],
  async run(ctx, o) {
    const agreementId = o.id("agreement");
    const quantity = o.id("quantity");
    const reference = o.string("reference");
    const chain = await ctx.chain();
    const now = await chain.now();
    const requestedDelivery = o.has("delivery") ? parseWhen(o.string("delivery"), "--delivery", now) : now;
    const orderId = await act.placeOrder(chain.ledger, chain.signer, {
      agreementId,
      quantity,
      requestedDelivery,
      reference,
    });
    const state = await orderState(chain, orderId);
    const volume = await chain.ledger.agreements.hospitalVolume(agreementId, state.hospital as string);
    return record(
      chainAct(chain, {
        ...state,
        reference,
        quote: await chain.ledger.agreements.quote(agreementId, quantity),
        needsSupplierConsent: volume.funded + quantity > volume.committed,
      }),
    );
  },
};

/** An EIP-2612 permit as `order permit` prints it and `order approve --permit` reads it. */
interface PermitFile {
  orderId: string;
  owner: string;
  spender: string;
  value: string;
  deadline: number;
  v: number;
  r: string;
  s: string;
}

function readPermit(file: string): PermitFile {
  let p: Partial<PermitFile>;
  try {
    p = JSON.parse(readInput(file, "--permit").toString("utf8")) as Partial<PermitFile>;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`--permit ${file}: not JSON (${(error as Error).message})`);
  }
  const complete =
    typeof p.owner === "string" &&
    typeof p.spender === "string" &&
    /^\d+$/.test(String(p.value)) &&
    Number.isInteger(p.deadline) &&
    Number.isInteger(p.v) &&
    typeof p.r === "string" &&
    typeof p.s === "string";
  if (!complete)
    throw new UsageError(`--permit ${file}: not a permit (sunshine hospital order permit --json writes one)`);
  return p as PermitFile;
}

export const orderApprove: CommandSpec = {
  path: ["order", "approve"],
  summary: "approve an order (the last approval funds it: its quote moves into escrow)",
  details:
    "Two approvers are needed when the hospital's approved value under the agreement over the last 30 days, plus this order, passes its threshold. The escrow comes from the hospital account's allowance for the order book, or from the permit the hospital signed with `sunshine hospital order permit` (--permit).",
  options: {
    ...ORDER_OPTION,
    permit: {
      type: "string",
      value: "<file>",
      description: "the hospital's EIP-2612 permit (JSON from `order permit --json`)",
    },
  },
  positional: "order",
  examples: [
    "sunshine hospital order approve --order 3",
    "sunshine hospital order approve --order 3 --permit permit-3.json",
  ],
  async run(ctx, o) {
    const orderId = o.id("order");
    const permit = o.has("permit") ? readPermit(o.string("permit")) : undefined;
    const chain = await ctx.chain();
    const orderBook = chain.ledger.orderBook.connect(chain.signer);
    let receipt: ethers.TransactionReceipt;
    if (permit) {
      const hospital = (await chain.ledger.orderBook.order(orderId)).hospital;
      if (
        ethers.getAddress(permit.owner) !== hospital ||
        ethers.getAddress(permit.spender) !== (await orderBook.getAddress())
      ) {
        throw new CliError(
          `--permit is ${permit.owner}'s permit for ${permit.spender}: order ${orderId} needs one of its hospital ${hospital} for the order book`,
          "PERMIT_MISMATCH",
        );
      }
      const { value, deadline, v, r, s } = permit;
      receipt = await act.sent(orderBook.approveOrderWithPermit(orderId, value, deadline, v, r, s));
    } else {
      receipt = await act.sent(orderBook.approveOrder(orderId));
    }
    const [approved] = act.eventsOf(receipt, chain.ledger.orderBook, "OrderApproved");
    return record(
      chainAct(chain, {
        ...(await orderState(chain, orderId)),
        approvals: approved.approvals as bigint,
        required: approved.required as bigint,
      }),
    );
  },
};

export const orderPermit: CommandSpec = {
  path: ["order", "permit"],
  summary: "sign, as the hospital account, a permit that lets an approver fund the order (no transaction)",
  details:
    "An EIP-2612 permit for the order book of the hospital's current allowance plus the order's quote: a permit sets the allowance, so it adds this order to what other approved orders may still take rather than replacing it. Give the JSON (--json) to the approver for `sunshine hospital order approve --permit`.",
  options: {
    ...ORDER_OPTION,
    deadline: {
      type: "string",
      value: "<when>",
      description: "until when the permit may be used: +<n>d|h|m, ISO date-time (default +1d)",
    },
  },
  positional: "order",
  examples: ["sunshine hospital order permit --order 3 --json > permit-3.json"],
  async run(ctx, o) {
    const orderId = o.id("order");
    const chain = await ctx.chain();
    const { token, orderBook, agreements } = chain.ledger;
    const order = await orderBook.order(orderId);
    if (order.hospital !== chain.address) {
      throw new CliError(
        `order ${orderId} is funded from its hospital's account ${order.hospital}: sign the permit with that key, not ${chain.address}'s`,
        "PERMIT_NOT_HOSPITAL",
      );
    }
    const now = await chain.now();
    const deadline = parseWhen(o.optional("deadline") ?? "+1d", "--deadline", now);
    const spender = await orderBook.getAddress();
    const [allowance, quote] = await Promise.all([
      token.allowance(chain.address, spender),
      agreements.quote(order.agreementId, order.quantity),
    ]);
    const value = allowance + quote;
    if (value > ethers.MaxUint256) {
      throw new CliError(
        `${chain.address}'s allowance for the order book is unlimited: order ${orderId} needs no permit`,
        "PERMIT_NOT_NEEDED",
      );
    }
    const signature = await act.signPermit(chain.ledger, chain.signer, spender, value, deadline);
    const permit: PermitFile = {
      orderId: orderId.toString(),
      owner: chain.address,
      spender,
      value: value.toString(),
      deadline,
      v: signature.v,
      r: signature.r,
      s: signature.s,
    };
    return { ...record({ ...permit, quote, allowance, expires: isoTime(deadline) }), json: permit };
  },
};

export const orderCancel: CommandSpec = {
  path: ["order", "cancel"],
  summary: "cancel an order (all of it before any shipment; later the unshipped rest)",
  details:
    "Before the first shipment the whole escrow comes back. After it, the unshipped remainder can be cancelled once the delivery deadline has passed or the supplier agreed (sunshine supplier agree-cancel).",
  options: ORDER_OPTION,
  positional: "order",
  examples: ["sunshine hospital order cancel --order 3"],
  async run(ctx, o) {
    const orderId = o.id("order");
    const chain = await ctx.chain();
    const receipt = await act.sent(chain.ledger.orderBook.connect(chain.signer).cancelOrder(orderId));
    const [cancelled] = act.eventsOf(receipt, chain.ledger.orderBook, "OrderCancelled");
    return record(
      chainAct(chain, {
        ...(await orderState(chain, orderId)),
        unitsCancelled: cancelled.units as bigint,
        refund: cancelled.refund as bigint,
      }),
    );
  },
};

/** A one-call act on an order, reported as the order's state afterwards. */
function orderAct(
  spec: Omit<CommandSpec, "options" | "positional" | "run">,
  send: (chain: Chain, orderId: bigint) => Promise<unknown>,
): CommandSpec {
  return {
    ...spec,
    options: ORDER_OPTION,
    positional: "order",
    async run(ctx, o) {
      const orderId = o.id("order");
      const chain = await ctx.chain();
      await send(chain, orderId);
      return record(chainAct(chain, await orderState(chain, orderId)));
    },
  };
}

export const consentExcess = orderAct(
  {
    path: ["consent-excess"],
    summary:
      "consent to fund a placed order beyond the hospital's committed volume (the agreement's supplier)",
    examples: ["sunshine supplier consent-excess --order 5"],
  },
  (chain, orderId) => act.sent(chain.ledger.orderBook.connect(chain.signer).consentToExcess(orderId)),
);

export const agreeCancel = orderAct(
  {
    path: ["agree-cancel"],
    summary: "let the hospital cancel an order's unshipped rest before its delivery deadline (the supplier)",
    examples: ["sunshine supplier agree-cancel --order 5"],
  },
  (chain, orderId) => act.sent(chain.ledger.orderBook.connect(chain.signer).agreeToCancel(orderId)),
);

export const allowLateShipment = orderAct(
  {
    path: ["allow-late-shipment"],
    summary: "let the supplier ship a funded order after its delivery deadline (approvers)",
    examples: ["sunshine hospital allow-late-shipment --order 5"],
  },
  (chain, orderId) => act.sent(chain.ledger.orderBook.connect(chain.signer).allowLateShipment(orderId)),
);
