import type { Lang } from "./lang";

/**
 * Plain-language sentences for the ledger's custom errors a console user meets most, by the
 * error's name (the gateway decodes reverts: RELAY_CALL_REVERTED's details.error). An error
 * not listed is shown by its name and arguments. test/console/chain-errors.test.ts keeps every
 * name here one the contracts (or the token) really raise.
 */
export const SENTENCES: Record<string, Record<Lang, string>> = {
  OrderNotApprover: {
    en: "You are not an approver of this order's hospital.",
    zh: "您不是该订单所属医院的审批人。",
  },
  OrderAlreadyApproved: { en: "You have already approved this order.", zh: "您已审批过该订单。" },
  RegistrySupplierAlreadyRegistered: {
    en: "This account is already a registered supplier.",
    zh: "该账户已注册为供应商。",
  },
  TenderCommitmentMismatch: {
    en: "The tiers or salt differ from what was committed: the bid cannot be revealed with them.",
    zh: "阶梯报价或随机盐与承诺时不一致，无法揭示。",
  },
  TenderRevealNotOpen: {
    en: "The tender's reveal window has not opened yet.",
    zh: "该招标尚未进入揭标阶段。",
  },
  TenderRevealTooLate: { en: "The tender's reveal window has closed.", zh: "该招标的揭标阶段已结束。" },
  TenderBidTooLate: { en: "The tender no longer takes bids.", zh: "该招标已不接受投标。" },
  TenderBidderNotQualified: {
    en: "You are not qualified for this tender's category (documents missing, lapsed or not attested).",
    zh: "您不具备该招标品类的资质（资质文件缺失、过期或未获认证）。",
  },
  ERC20InsufficientAllowance: {
    en: "The bond or payment token allowance is too low.",
    zh: "保证金或付款代币的授权额度不足。",
  },
  ERC20InsufficientBalance: { en: "The token balance is too low.", zh: "代币余额不足。" },
};

export function chainErrorSentence(name: string | undefined, lang: Lang): string | null {
  return name !== undefined && name in SENTENCES ? SENTENCES[name][lang] : null;
}
