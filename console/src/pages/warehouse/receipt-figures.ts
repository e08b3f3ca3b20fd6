import type { ReceiptResult } from "../../../../api/receipts";

/**
 * A receipt's units as the dock reads them. The match's `rejected` is every shipped unit not paid
 * for (shipped − accepted), which mixes units that never arrived with units the dock refused:
 * "counted 4, accepted 3, rejected 7" reads as a contradiction, so they are told apart.
 */
export interface ReceiptFigures {
  shipped: bigint;
  counted: bigint;
  accepted: bigint;
  /** Shipped, not paid for: `missing` + `refused`. */
  unpaid: bigint;
  /** Shipped but not counted at the dock. */
  missing: bigint;
  /** Counted but not accepted: refused at the dock, or not conforming (a wrong lot, an expired unit). */
  refused: bigint;
  /** Counted beyond what was shipped: never paid for. */
  surplus: bigint;
}

export function receiptFigures(result: Pick<ReceiptResult, "received" | "match">): ReceiptFigures {
  const accepted = BigInt(result.match.accepted);
  const unpaid = BigInt(result.match.rejected);
  const counted = BigInt(result.received);
  const shipped = accepted + unpaid;
  const missing = shipped > counted ? shipped - counted : 0n;
  const surplus = counted > shipped ? counted - shipped : 0n;
  return { shipped, counted, accepted, unpaid, missing, refused: unpaid - missing, surplus };
}
