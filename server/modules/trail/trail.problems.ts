import type { Mismatch, MismatchProblem } from "../../../api/trail";

/** What a problem's sentence names: the supplier (QUALIFICATION_*), the block or the log index. */
interface Named {
  supplier?: string;
  block?: number;
  logIndex?: number;
}

/** The English sentence of each problem a verification can find. */
const SENTENCES: Record<MismatchProblem, (n: Named) => string> = {
  MISSING_FROM_TRAIL: () => "missing from the trail",
  NOT_AMONG_CHAIN_EVENTS: () => "not among the chain's events for this trail",
  NO_TRANSACTION_STORED: () => "the gateway holds no transaction and log for this on-chain step",
  TX_HASH_MALFORMED: () => "the stated transaction hash is not a 32-byte hash",
  TX_NOT_ON_CHAIN: () => "no such transaction on the chain",
  TX_REVERTED: () => "the transaction reverted",
  BLOCK_NOT_CANONICAL: (n) => `block ${n.block} of the transaction is no longer canonical`,
  LOG_NOT_IN_TX: (n) => `the transaction has no log ${n.logIndex}`,
  SHIPMENT_NOT_ON_CHAIN: () => "DeliveryTrace has no such shipment",
  RECORD_HASH_WRONG: () => "the trail's record hash is not the hash of its record",
  ORDER_NOT_ON_CHAIN: () => "OrderBook has no such order",
  AGREEMENT_NOT_ON_CHAIN: () => "AgreementBook has no such agreement",
  QUALIFICATION_REPLAYS_UNQUALIFIED: (n) =>
    `the chain accepted this act, yet ${n.supplier}'s registry logs replay as not qualified`,
  QUALIFICATION_NOT_STATED: (n) => `no qualification of ${n.supplier} stated here`,
  QUALIFICATION_NOT_CHECKED: (n) => `the chain checked no qualification of ${n.supplier} here`,
};

/** A problem's fields of a mismatch: its code, its sentence and the supplier it names, if any. */
export function problem(
  code: MismatchProblem,
  named: Named = {},
): Pick<Mismatch, "problem" | "problemCode" | "supplier"> {
  return {
    problemCode: code,
    problem: SENTENCES[code](named),
    ...(named.supplier === undefined ? {} : { supplier: named.supplier }),
  };
}
