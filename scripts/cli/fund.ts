import type { FundAccounts, FundStatement } from "../../api/fund";
import * as act from "../../ledger/acts";
import { allowanceCommands } from "./allowance";
import { claims, claimsRisk } from "./claims";
import { UsageError, type CommandSpec, type GroupSpec } from "./command";
import { chainAct } from "./options";
import { list, record } from "./output";

/**
 * The insurance fund's commands (FundBook, GET /v1/fund/*): the payer covers tenders, pays
 * prepayments and direct-settlement escrow in, takes back what was not drawn after the term, and
 * reads its accounts, the monthly reimbursement statement and the claim audit. A regulator makes
 * an account the payer (`sunshine regulator grant-payer`).
 */

const MONTH = /^[0-9]{4}-(0[1-9]|1[0-2])$/;
const ACCOUNT_OPTIONS = {
  agreement: { type: "string", value: "<id>", description: "the agreement", required: true },
  hospital: { type: "string", value: "<address>", description: "the hospital account", required: true },
} as const;

const cover: CommandSpec = {
  path: ["cover"],
  summary:
    "cover a tender, once: the share of each hospital's committed value you may prepay, and direct settlement",
  details:
    "--share is a percentage of the value of each hospital's committed volume at the agreement's price (e.g. 30). With --direct the fund also settles the tender's agreements directly: deliveries are paid from the prepayment, then from escrow you deposit with `fund prepay --escrow`, and the hospital's reimbursement is reduced by the same amount. A cover never changes once set.",
  options: {
    tender: { type: "string", value: "<id>", description: "the tender", required: true },
    share: {
      type: "string",
      value: "<percent>",
      description: "prepayment share, 0–100 (two decimals at most)",
      required: true,
    },
    direct: { type: "boolean", description: "the fund settles the tender's agreements directly" },
  },
  examples: [
    "sunshine fund cover --tender 1 --share 30",
    "sunshine fund cover --tender 2 --share 30 --direct",
  ],
  async run(ctx, o) {
    const tenderId = o.id("tender");
    const share = o.string("share");
    if (!/^\d{1,3}(\.\d{1,2})?$/.test(share) || Number(share) > 100)
      throw new UsageError(`--share must be a percentage from 0 to 100 (got "${share}")`);
    const bps = Math.round(Number(share) * 100);
    const direct = o.flag("direct");
    const chain = await ctx.chain();
    await act.coverTender(chain.ledger, chain.signer, tenderId, bps, direct);
    return record(chainAct(chain, { tenderId, prepayShareBps: bps, direct }));
  },
};

const prepay: CommandSpec = {
  path: ["prepay"],
  summary:
    "pay into a hospital's fund account under an agreement: a prepayment, or (--escrow) direct-settlement escrow",
  details:
    "The fund book takes the amount under your allowance (`sunshine fund allowance grant`). A prepayment may reach the cover's share of the hospital's committed value in all; escrow needs a direct-settled tender. Only during the agreement's term.",
  options: {
    ...ACCOUNT_OPTIONS,
    amount: { type: "string", value: "<fen>", description: "the amount in fen", required: true },
    escrow: { type: "boolean", description: "direct-settlement escrow instead of a prepayment" },
  },
  examples: ["sunshine fund prepay --agreement 1 --hospital 0x… --amount 300000"],
  async run(ctx, o) {
    const agreementId = o.id("agreement");
    const hospital = o.address("hospital");
    const amount = o.id("amount");
    const escrow = o.flag("escrow");
    const chain = await ctx.chain();
    await act.payIntoFund(chain.ledger, chain.signer, { agreementId, hospital, amount, escrow });
    return record(chainAct(chain, { agreementId, hospital, amount, kind: escrow ? "escrow" : "prepayment" }));
  },
};

const returnUndrawn: CommandSpec = {
  path: ["return"],
  summary: "after the agreement's term, send a hospital account's undrawn money back to the payer",
  details:
    "Anyone may send it; it always goes to the payer. Refunds that reach the account later can be returned again.",
  options: ACCOUNT_OPTIONS,
  examples: ["sunshine fund return --agreement 1 --hospital 0x…"],
  async run(ctx, o) {
    const agreementId = o.id("agreement");
    const hospital = o.address("hospital");
    const chain = await ctx.chain();
    await act.returnUndrawn(chain.ledger, chain.signer, agreementId, hospital);
    return record(chainAct(chain, { agreementId, hospital, returned: true }));
  },
};

const accounts: CommandSpec = {
  path: ["accounts"],
  summary:
    "the fund's accounts per agreement and hospital: paid in, drawn, spent on settlements, returned, balances",
  options: {
    hospital: { type: "string", value: "<address>", description: "one hospital only" },
  },
  examples: ["sunshine fund accounts"],
  async run(ctx, o) {
    const query = new URLSearchParams();
    if (o.has("hospital")) query.set("hospital", o.address("hospital"));
    const gateway = await ctx.gateway();
    const body = await gateway.get<FundAccounts>(`/v1/fund/accounts?${query}`);
    return list(
      body.items.map((a) => ({
        agreement: a.agreementId,
        hospital: a.hospital,
        share: `${a.prepayShareBps / 100}%`,
        direct: a.direct,
        prepaid: a.prepaid,
        escrowed: a.escrowed,
        drawn: a.drawn,
        spent: a.spent,
        returned: a.returned,
        prepaymentBalance: a.prepaymentBalance,
        escrowBalance: a.escrowBalance,
      })),
      { empty: "no fund accounts", json: body },
    );
  },
};

const statement: CommandSpec = {
  path: ["statement"],
  summary:
    "the month's statement per hospital: the fund's money paid to suppliers, deducted from reimbursement",
  options: {
    month: {
      type: "string",
      value: "<YYYY-MM>",
      description: "the month, in the gateway's time zone",
      required: true,
    },
    hospital: { type: "string", value: "<address>", description: "one hospital only" },
    lines: { type: "boolean", description: "list every line (drawn, restored, spent) instead of the totals" },
  },
  examples: ["sunshine fund statement --month 2027-03", "sunshine hospital fund-statement --month 2027-03"],
  async run(ctx, o) {
    const month = o.string("month");
    if (!MONTH.test(month)) throw new UsageError(`--month must be a month as YYYY-MM (got "${month}")`);
    const query = new URLSearchParams({ month });
    if (o.has("hospital")) query.set("hospital", o.address("hospital"));
    const gateway = await ctx.gateway();
    const body = await gateway.get<FundStatement>(`/v1/fund/statements?${query}`);
    if (o.flag("lines"))
      return list(
        body.lines.map((l) => ({ ...l })),
        { empty: "no fund money moved in the month", json: body },
      );
    return list(
      body.hospitals.map((h) => ({ ...h })),
      { empty: "no fund money moved in the month", json: body },
    );
  },
};

/** The hospital's view of its statement. */
export const hospitalFundStatement: CommandSpec = { ...statement, path: ["fund-statement"] };

export const fundGroup: GroupSpec = {
  name: "fund",
  summary:
    "the insurance fund (payer): covers, prepayments and escrow, accounts, monthly statements, claim audit",
  commands: [
    cover,
    prepay,
    returnUndrawn,
    accounts,
    statement,
    ...allowanceCommands("fund", "fund"),
    { ...claims, examples: ["sunshine fund claims --from 2027-03 --outliers"] },
    claimsRisk,
  ],
};

/** A regulator makes an account the fund's payer. */
export const grantPayer: CommandSpec = {
  path: ["grant-payer"],
  summary: "make an account the insurance fund's payer (PAYER_ROLE)",
  options: {
    account: { type: "string", value: "<address>", description: "the fund's account", required: true },
  },
  positional: "account",
  examples: ["sunshine regulator grant-payer --account 0x…"],
  async run(ctx, o) {
    const account = o.address("account");
    const chain = await ctx.chain();
    await act.grantPayer(chain.ledger, chain.signer, account);
    return record(chainAct(chain, { account, role: "payer" }));
  },
};
