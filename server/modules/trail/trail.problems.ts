import type { Mismatch, MismatchProblem } from "../../../api/trail";

/** The English sentence of each problem a verification can find; `supplier` where it names one. */
const SENTENCES: Record<MismatchProblem, (supplier: string) => string> = {
  MISSING_FROM_TRAIL: () => "missing from the trail",
  NOT_AMONG_CHAIN_EVENTS: () => "not among the chain's events for this trail",
  NO_TRANSACTION_STORED: () => "the gateway holds no transaction and log for this on-chain step",
  TX_HASH_MALFORMED: () => "the stated transaction hash is not a 32-byte hash",
  TX_NOT_ON_CHAIN: () => "no such transaction on the chain",
  TX_REVERTED: () => "the transaction reverted",
  BLOCK_NOT_CANONICAL: () => "the block of the transaction is no longer canonical",
  LOG_NOT_IN_TX: () => "the transaction has no log of the stated index",
  SHIPMENT_NOT_ON_CHAIN: () => "DeliveryTrace has no such shipment",
  RECORD_HASH_WRONG: () => "the trail's record hash is not the hash of its record",
  ORDER_NOT_ON_CHAIN: () => "OrderBook has no such order",
  AGREEMENT_NOT_ON_CHAIN: () => "AgreementBook has no such agreement",
  QUALIFICATION_REPLAYS_UNQUALIFIED: (s) =>
    `the chain accepted this act, yet ${s}'s registry logs replay as not qualified`,
  QUALIFICATION_NOT_STATED: (s) => `no qualification of ${s} stated here`,
  QUALIFICATION_NOT_CHECKED: (s) => `the chain checked no qualification of ${s} here`,
};

/** A problem's fields of a mismatch: its code, its sentence and the supplier it names, if any. */
export function problem(
  code: MismatchProblem,
  supplier?: string,
): Pick<Mismatch, "problem" | "problemCode" | "supplier"> {
  return {
    problemCode: code,
    problem: SENTENCES[code](supplier ?? ""),
    ...(supplier === undefined ? {} : { supplier }),
  };
}
