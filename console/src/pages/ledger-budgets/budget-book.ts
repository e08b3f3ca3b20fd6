import { BudgetBook__factory } from "../../../../typechain-types";
import { useSession } from "../../lib/session";
import { fenFromYuan } from "../supplier/money";

const budgetBook = BudgetBook__factory.createInterface();

/** The relayed calls of the ledger's BudgetBook (the session config names its address). */
export function useBudgetBook() {
  const { config } = useSession();
  const to = config!.contracts.budgets;
  return {
    setBudget: (category: string, period: number, amount: bigint) => ({
      to,
      data: budgetBook.encodeFunctionData("setBudget", [category, period, amount]),
    }),
    proposeAdjustment: (category: string, period: number, delta: bigint, reasonCode: number) => ({
      to,
      data: budgetBook.encodeFunctionData("proposeAdjustment", [category, period, delta, reasonCode]),
    }),
    confirmAdjustment: (id: string) => ({
      to,
      data: budgetBook.encodeFunctionData("confirmAdjustment", [BigInt(id)]),
    }),
    withdrawAdjustment: (id: string) => ({
      to,
      data: budgetBook.encodeFunctionData("withdrawAdjustment", [BigInt(id)]),
    }),
  };
}

/** Signed fen from what a person types in yuan ("-1,200.5", "+5000"); null if no amount or zero. */
export function signedFenFromYuan(text: string): bigint | null {
  const m = /^\s*([+-]?)(.*)$/.exec(text)!;
  const fen = fenFromYuan(m[2]);
  if (fen === null || fen === 0n) return null;
  return m[1] === "-" ? -fen : fen;
}

/** Percent of `amount` spent, to one decimal, from fen (bigint: no float rounding of the money). */
export function percentSpent(spent: string, amount: string): number {
  const a = BigInt(amount);
  return a === 0n ? 0 : Number((BigInt(spent) * 1000n) / a) / 10;
}
