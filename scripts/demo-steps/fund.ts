import type { Signer } from "ethers";
import type { ConsoleConfig } from "../../api/console";
import type { FundAccounts, FundStatement } from "../../api/fund";
import * as act from "../../ledger/acts";
import type { Ledger } from "../../ledger/contracts";
import { monthOf } from "../../server/lib/month-range";
import type { GatewayClient } from "../lib/gateway-client";
import { until } from "../lib/until";

/**
 * The insurance fund in the demo year. The regulator makes the Provincial Medical Insurance Fund
 * a payer; it covers the stent tender (a VBP agreement) with a 30 % prepayment and prepays City
 * General ¥20,000.00 under Acme's agreement, which City General's first stent order draws; and
 * it settles the knee tender directly, escrowing ¥100,000.00 for City General's knees, so the
 * knee order is funded, and Boreal paid, with the fund's money (the late penalty goes back to the
 * fund). At the end the payer reads its accounts and City General's monthly statements.
 */

/** ¥20,000.00 prepaid to City General under Acme's stent agreement. */
export const STENT_PREPAYMENT = 2_000_000n;
/** ¥100,000.00 escrowed for City General's directly settled knees. */
export const KNEE_ESCROW = 10_000_000n;
const DAY = 86_400;
/** The cover's prepayment share of each hospital's committed value: 30 %. */
const PREPAY_SHARE_BPS = 3_000;

export interface FundCoverContext {
  ledger: Ledger;
  log: (line: string) => void;
  admin: Signer;
  regulator: Signer;
  payer: Signer;
  hospital: string;
  stentTender: bigint;
  kneeTender: bigint;
  stentAgreement: bigint;
  kneeAgreement: bigint;
  yuan: (fen: bigint) => string;
}

export async function runFundCoverStep(c: FundCoverContext): Promise<void> {
  const { ledger: L, yuan } = c;
  const payer = await c.payer.getAddress();
  c.log("  the regulator makes the Provincial Medical Insurance Fund a payer on the ledger…");
  await act.grantPayer(L, c.regulator, payer);
  // On this development chain the fund is simply minted its money.
  await act.sent(L.token.connect(c.admin).mint(payer, KNEE_ESCROW + STENT_PREPAYMENT));
  await act.sent(L.token.connect(c.payer).approve(await L.fund.getAddress(), KNEE_ESCROW + STENT_PREPAYMENT));
  await act.coverTender(L, c.payer, c.stentTender, PREPAY_SHARE_BPS, false);
  await act.coverTender(L, c.payer, c.kneeTender, PREPAY_SHARE_BPS, true);
  await act.payIntoFund(L, c.payer, {
    agreementId: c.stentAgreement,
    hospital: c.hospital,
    amount: STENT_PREPAYMENT,
  });
  await act.payIntoFund(L, c.payer, {
    agreementId: c.kneeAgreement,
    hospital: c.hospital,
    amount: KNEE_ESCROW,
    escrow: true,
  });
  c.log(
    `  the fund prepays City General ${yuan(STENT_PREPAYMENT)} of its stents (30 % cover) and escrows ${yuan(KNEE_ESCROW)} to settle its knees directly…`,
  );
}

export interface FundSummary {
  accounts: FundAccounts;
  /** City General's statement for every month of the year with fund money moved. */
  statements: FundStatement[];
}

/**
 * The payer's accounts and the statements of the months from `from` to `to` (chain seconds),
 * once the gateway has indexed every settlement the fund paid (`fundPaid`, from the chain).
 */
export async function fundSummary(
  payer: GatewayClient,
  from: number,
  to: number,
  fundPaid: bigint,
): Promise<FundSummary> {
  const accounts = await until("the gateway to index the fund's payments", async () => {
    const a = await payer.get<FundAccounts>("/v1/fund/accounts");
    return BigInt(a.totals.spent) === fundPaid ? a : undefined;
  });
  const { timeZone } = await payer.get<ConsoleConfig>("/v1/console/config");
  const months = new Set<string>();
  for (let t = from; t <= to + DAY; t += DAY) months.add(monthOf(new Date(t * 1000), timeZone));
  const statements: FundStatement[] = [];
  for (const month of months) {
    const s = await payer.get<FundStatement>(`/v1/fund/statements?month=${month}`);
    if (s.lines.length > 0) statements.push(s);
  }
  return { accounts, statements };
}

export function fundLines(s: FundSummary, yuan: (fen: bigint) => string): string[] {
  const deductions = s.statements.map(
    (m) => `${m.month} ${yuan(m.hospitals.reduce((t, h) => t + BigInt(h.reimbursementDeduction), 0n))}`,
  );
  return [
    `  insurance fund:              paid in ${yuan(BigInt(s.accounts.totals.paidIn))}, drawn by orders ${yuan(BigInt(s.accounts.totals.drawn))}, paid to suppliers ${yuan(BigInt(s.accounts.totals.spent))}, held ${yuan(BigInt(s.accounts.totals.held))}`,
    `  reimbursement deductions:    ${deductions.join(", ") || "none"}`,
  ];
}
