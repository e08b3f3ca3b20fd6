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
  EnforcedPause: {
    en: "The contract is paused: this act waits until it is resumed.",
    zh: "该合约已暂停，此操作须待恢复后进行。",
  },
  // The consignment book (ConsignmentBook): its acts in the console, and the refused batches.
  ConsignmentNotSupplier: {
    en: "Only the agreement's supplier may offer it on consignment.",
    zh: "只有该协议的供应商可以提供寄售。",
  },
  ConsignmentAlreadyOffered: {
    en: "This agreement is already offered on consignment.",
    zh: "该协议已提供寄售。",
  },
  ConsignmentNotOffered: {
    en: "The order's agreement is not offered on consignment.",
    zh: "该订单所属协议未提供寄售。",
  },
  ConsignmentOrderNotPlaced: {
    en: "Only a placed order, before it is funded, can be made a consignment.",
    zh: "只有已下达且尚未注资的订单才能改为寄售。",
  },
  ConsignmentAlreadyElected: { en: "This order is already a consignment.", zh: "该订单已是寄售订单。" },
  ConsignmentNotHospitalStaff: {
    en: "You are neither the hospital's account nor one of its approvers.",
    zh: "您既不是该医院的账户，也不是其审批人。",
  },
  ConsignmentNotSettler: {
    en: "The gateway's key is not the hospital's settler: the batch cannot be paid with it.",
    zh: "网关的密钥不是该医院的结算人，无法用其支付该批次。",
  },
  ConsignmentStockNotFound: {
    en: "No consigned stock is recorded for this shipment.",
    zh: "该发货单没有寄售库存记录。",
  },
  ConsignmentBatchEmpty: { en: "The consumption batch has no units.", zh: "该消耗批次没有数量。" },
  ConsignmentBatchRepeated: {
    en: "This consumption batch was already paid.",
    zh: "该消耗批次已付款。",
  },
  ConsignmentBatchMixed: {
    en: "The batch mixes shipments of another hospital or supplier.",
    zh: "该批次混入了其他医院或供应商的发货单。",
  },
  ConsignmentZeroUnits: { en: "Give at least one unit.", zh: "数量至少为 1 件。" },
  ConsignmentExceedsOnHand: {
    en: "More units than the hospital holds of this consigned shipment.",
    zh: "超出该寄售发货单的在库数量。",
  },
  ConsignmentReturnNotAllowed: {
    en: "You may not return this stock: the hospital may at any time, the supplier only after the agreement's term.",
    zh: "您无权退回该库存：医院可随时退回，供应商仅在协议期满后可取回。",
  },
  ConsignmentReturnPending: {
    en: "A return of this shipment is already waiting for the supplier's answer.",
    zh: "该发货单已有一笔退货在等待供应商答复。",
  },
  ConsignmentNoReturnPending: {
    en: "This shipment has no return waiting for an answer.",
    zh: "该发货单没有等待答复的退货。",
  },
  ConsignmentNotShipmentSupplier: {
    en: "Only the shipment's supplier answers its return.",
    zh: "只有该发货单的供应商可以答复退货。",
  },
  ConsignmentReturnAfterExpiry: {
    en: "This stock has expired: it is written off under the agreement's rule, not returned.",
    zh: "该库存已过期：按协议规则核销，不能退回。",
  },
  ConsignmentReturnAnswerDue: {
    en: "The supplier may still answer this return: the hospital may confirm it only after the answer window.",
    zh: "供应商仍可答复该退货：答复期限过后医院方可自行确认。",
  },
  ConsignmentReturnAnswerWindowClosed: {
    en: "The 14 days to refuse this return have passed: it can only be confirmed.",
    zh: "拒收该退货的 14 天期限已过，只能确认。",
  },
  ConsignmentNotExpired: {
    en: "The shipment has not expired yet: it cannot be written off.",
    zh: "该发货单尚未过期，不能核销。",
  },
  // The fund book (FundBook): the payer's acts on the fund accounts page.
  FundCoverAlreadySet: {
    en: "This tender is already covered: a cover is set once and never changes.",
    zh: "该招标项目已被承保：承保只能设定一次，且不可更改。",
  },
  FundShareTooHigh: { en: "The prepayment share cannot exceed 100 %.", zh: "预付比例不能超过 100%。" },
  FundNotCoverPayer: {
    en: "You do not cover this agreement's tender: only the payer that covers it pays in.",
    zh: "您未承保该协议所属的招标项目：只有承保方可以拨付资金。",
  },
  FundNotDirect: {
    en: "This agreement's tender is not settled directly by the fund: only a prepayment can be paid in.",
    zh: "该协议所属招标项目不由医保基金直接结算：只能拨付预付款。",
  },
  FundZeroAmount: { en: "Give an amount above zero.", zh: "金额必须大于零。" },
  FundTermEnded: {
    en: "The agreement's term has ended: nothing more is paid in.",
    zh: "该协议已期满，不能再拨付资金。",
  },
  FundTermNotEnded: {
    en: "The agreement's term has not ended: the undrawn balance is returned only after it.",
    zh: "该协议尚未期满：期满后方可退回未支取余额。",
  },
  FundHospitalNotParty: {
    en: "This hospital has no committed volume under the agreement.",
    zh: "该医院在此协议下没有约定采购量。",
  },
  FundPrepaymentAboveCap: {
    en: "The prepayment exceeds what the cover's share of the hospital's committed value still allows.",
    zh: "预付金额超出承保比例下该医院约定采购金额的剩余可预付额度。",
  },
  FundNothingToReturn: {
    en: "Nothing undrawn is left in this account to return.",
    zh: "该账户没有可退回的未支取余额。",
  },
};

export function chainErrorSentence(name: string | undefined, lang: Lang): string | null {
  return name !== undefined && name in SENTENCES ? SENTENCES[name][lang] : null;
}
