import { FundBook__factory } from "../../../../typechain-types";
import { useSession } from "../../lib/session";

const fundBook = FundBook__factory.createInterface();

/** The relayed calls of the ledger's FundBook (the session config names its address). */
export function useFundBook() {
  const { config } = useSession();
  const to = config!.contracts.fund;
  return {
    setCover: (tenderId: string, prepayShareBps: number, direct: boolean) => ({
      to,
      data: fundBook.encodeFunctionData("setCover", [BigInt(tenderId), prepayShareBps, direct]),
    }),
    /** A prepayment, or (`escrow`) direct-settlement escrow, for `hospital` under the agreement. */
    payIn: (agreementId: string, hospital: string, amount: bigint, escrow: boolean) => ({
      to,
      data: escrow
        ? fundBook.encodeFunctionData("depositEscrow", [BigInt(agreementId), hospital, amount])
        : fundBook.encodeFunctionData("prepay", [BigInt(agreementId), hospital, amount]),
    }),
    returnUndrawn: (agreementId: string, hospital: string) => ({
      to,
      data: fundBook.encodeFunctionData("returnUndrawn", [BigInt(agreementId), hospital]),
    }),
  };
}

/** A share typed in percent ("30", "12.5") as basis points; null unless 0–100 with two decimals at most. */
export function bpsFromPercent(text: string): number | null {
  const m = /^(\d{1,3})(?:\.(\d{1,2}))?$/.exec(text.trim());
  if (!m) return null;
  const bps = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return bps <= 10_000 ? bps : null;
}

/** Basis points as a percentage: 1000 → "10 %", 1250 → "12.5 %". */
export function percentOfBps(bps: number): string {
  return `${bps / 100} %`;
}
