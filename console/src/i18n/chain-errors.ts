import type { Lang } from "./lang";

/**
 * Plain-language sentences for the ledger's custom errors a console user can meet, by the
 * error's name (the gateway decodes reverts: RELAY_CALL_REVERTED's details.error). An error
 * not listed (a check between ledger contracts, an admin's setting) is shown by its name and
 * arguments. test/console/chain-errors.test.ts keeps every name here one the contracts (or
 * the token) really raise.
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
    zh: "阶梯报价或解密密钥与投标密封时不一致，无法解密。",
  },
  TenderRevealNotOpen: {
    en: "The tender's reveal window has not opened yet.",
    zh: "该招标尚未进入解密阶段。",
  },
  TenderRevealTooLate: { en: "The tender's reveal window has closed.", zh: "该招标的解密阶段已结束。" },
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
  ConsignmentOwnStock: {
    en: "A supplier's account cannot confirm the use of its own consigned stock, whatever role the hospital gave it.",
    zh: "供应商账户不能确认自己寄售库存的使用，即使医院授予了它角色。",
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
    zh: "该招标项目已设定基金支付方式：只能设定一次，且不可更改。",
  },
  FundShareTooHigh: { en: "The prepayment share cannot exceed 100 %.", zh: "预付比例不能超过 100%。" },
  FundNotCoverPayer: {
    en: "You do not cover this agreement's tender: only the payer that covers it pays in.",
    zh: "该协议所属招标项目的基金支付方式不是由您设定的：只有设定方可以拨付资金。",
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
    zh: "预付金额超出该医院约定采购金额按预付比例计算的剩余可预付额度。",
  },
  FundNothingToReturn: {
    en: "Nothing undrawn is left in this account to return.",
    zh: "该账户没有可退回的未支取余额。",
  },
  // The order book (OrderBook): placing, approving and cancelling orders, the supplier's
  // consents, and the settlement of shipments (the gateway's confirmations and supplier claims).
  OrderNotFound: { en: "No such order: check the order number.", zh: "未找到该订单，请核对订单号。" },
  OrderStatusInvalid: {
    en: "The order is not at the stage this act needs (it may not be funded yet, or already be funded, cancelled or closed): reload it to see where it stands.",
    zh: "该订单当前所处阶段不允许此操作（可能尚未注资，或已注资、已取消、已完结），请刷新查看最新状态。",
  },
  OrderNotHospitalStaff: {
    en: "Only the hospital's own account or one of its approvers may do this for the hospital's orders.",
    zh: "只有该医院的医院账户或其审批人可以办理该医院的订单。",
  },
  OrderZeroQuantity: { en: "Order at least one unit.", zh: "订购数量至少为 1 件。" },
  OrderDeliveryDateInPast: {
    en: "The requested delivery date has passed: choose a later date.",
    zh: "要求的交货日期已过，请选择以后的日期。",
  },
  OrderFundingExpired: {
    en: "This order waited too long for approval and can no longer be funded: place it again if it is still needed.",
    zh: "该订单等待审批时间过长，已不能注资；如仍需要，请重新下单。",
  },
  OrderCancelNotAllowed: {
    en: "Part of this order has shipped: the rest can be cancelled after the delivery deadline, or earlier if the supplier agrees.",
    zh: "该订单已部分发货：剩余部分须在交货期限过后才能取消，经供应商同意也可提前取消。",
  },
  OrderCancelAlreadyRequested: {
    en: "The rest of this order is already cancelled.",
    zh: "该订单的剩余部分已取消。",
  },
  OrderNotSupplier: {
    en: "You are not the supplier of this order's agreement.",
    zh: "您不是该订单所属协议的供应商。",
  },
  OrderQuantityExceedsRemaining: {
    en: "More units than remain to ship on this order.",
    zh: "发货数量超过该订单尚待发货的数量。",
  },
  OrderShipmentLate: {
    en: "The order's delivery deadline has passed: an approver of the hospital must allow a late shipment first.",
    zh: "该订单的交货期限已过：须先经医院审批人同意逾期发货。",
  },
  OrderPermitBelowAllowance: {
    en: "The signed allowance is smaller than what the hospital's other approved orders already rely on plus this order: sign one for a larger amount.",
    zh: "签署的授权额度小于其他已审批订单占用的额度加上本订单的金额，请签署更大的额度。",
  },
  OrderNoRefundOwed: { en: "No refund is owed to this account.", zh: "该账户没有待领取的退款。" },
  SettlementNotSettler: {
    en: "This account is not a settler of the shipment's hospital, so it cannot confirm the shipment (a dispute may also come from an approver).",
    zh: "该账户不是该发货所属医院的结算人，不能确认该发货（提出异议也可由审批人进行）。",
  },
  SettlementQuantityMismatch: {
    en: "Accepted and rejected units must add up to the units shipped.",
    zh: "验收与拒收件数之和必须等于发货件数。",
  },
  SettlementLotRecalled: {
    en: "The lot is recalled: the shipment cannot be paid, only rejected in full.",
    zh: "该批号已被召回：该发货不能付款，只能全部拒收。",
  },
  SettlementExpiredAtDelivery: {
    en: "The goods had expired when they were delivered: they cannot be paid, only rejected.",
    zh: "货品送达时已过有效期：不能付款，只能拒收。",
  },
  SettlementSupplierNotQualified: {
    en: "The supplier's qualification for this category is missing, lapsed or suspended: nothing can be paid until it is qualified again (rejecting every unit is still possible).",
    zh: "供应商在该品类的资质缺失、过期或已被暂停：恢复资质前不能付款（仍可全部拒收）。",
  },
  SettlementExcursionNotWaived: {
    en: "A temperature excursion was reported for this shipment: an approver must waive it before the hospital confirms units as accepted (rejecting them needs no waiver).",
    zh: "该发货报告了温度超标：须经审批人豁免后，本院才能确认验收付款（拒收无需豁免）。",
  },
  SettlementClaimTooEarly: {
    en: "Too early to claim: the hospital's confirmation window after its receipt is still open, or, if it recorded no receipt, the receiving and confirmation windows after your arrival record. Without an arrival record, record the shipment's arrival first.",
    zh: "尚不能申请结算：医院验收后的确认期限尚未届满；医院未登记验收的，自您登记到货起的验收期限和确认期限尚未届满。尚未登记到货的，请先登记到货。",
  },
  OrderOwnDelivery: {
    en: "A supplier's account cannot allow its own late shipment or cancel an order placed with it, whatever role the hospital gave it: the hospital's own staff decide.",
    zh: "供应商账户不能批准自己延迟发货，也不能取消向它下的订单，即使医院授予了它角色：须由医院自己的人员决定。",
  },
  OrderOwnAgreement: {
    en: "A supplier's account cannot place the hospital's order on its own agreement, whatever role the hospital gave it.",
    zh: "供应商账户不能替医院在自己的协议下下单，即使医院授予了它角色。",
  },
  SettlementOwnDelivery: {
    en: "A supplier's account cannot confirm or dispute its own delivery, whatever role the hospital gave it: the hospital's own staff decide.",
    zh: "供应商账户不能确认自己的发货，也不能对其提出异议，即使医院授予了它角色：须由医院自己的人员决定。",
  },
  SettlementDisputeTooLarge: {
    en: "More units disputed than were shipped.",
    zh: "提出异议的件数超过了发货件数。",
  },
  // The agreement book (AgreementBook): refused when an order is placed or funded.
  AgreementNotFound: {
    en: "No such agreement: check the agreement number.",
    zh: "未找到该协议，请核对协议编号。",
  },
  AgreementNotInTerm: {
    en: "The agreement's term has ended: no more orders are placed or funded under it.",
    zh: "该协议已期满，不能再据此下单或注资。",
  },
  AgreementHospitalNotParty: {
    en: "The hospital has no committed volume under this agreement: only the tender's hospitals order under it.",
    zh: "本院在该协议下没有约定采购量：只有参加该招标的医院可以据此下单。",
  },
  AgreementExceedsCommitment: {
    en: "Funding this order would go past the hospital's remaining committed volume: the supplier must first consent to the extra volume.",
    zh: "为该订单注资将超出本院剩余的承诺量：须先经供应商同意超量。",
  },
  // The budget book (BudgetBook): setting and adjusting budgets, and funding orders against them.
  BudgetNotHospital: {
    en: "Only a hospital's own account sets its budgets.",
    zh: "只有医院账户本身可以设定预算。",
  },
  BudgetAlreadySet: {
    en: "This category's budget for that fiscal year is already set: an approver proposes an adjustment and another confirms it.",
    zh: "该品类在该财年的预算已设定：如需更改，请由一名审批人提议调整、另一名审批人确认。",
  },
  BudgetPeriodPast: {
    en: "That fiscal year has ended: set a budget for this year or a later one.",
    zh: "该财年已结束，请为本财年或以后的财年设定预算。",
  },
  BudgetAmountTooLarge: {
    en: "The amount is larger than a budget can hold.",
    zh: "金额超出预算可记录的上限。",
  },
  BudgetNotSet: {
    en: "No budget is set for this category and fiscal year: the hospital account must set one before it can be adjusted.",
    zh: "该品类在该财年尚未设定预算：须先由医院账户设定，才能调整。",
  },
  BudgetNotApprover: { en: "You are not an approver of this hospital.", zh: "您不是该医院的审批人。" },
  BudgetZeroAdjustment: { en: "Give an adjustment other than zero.", zh: "调整额不能为零。" },
  BudgetBelowSpent: {
    en: "The adjustment would take the budget below what its orders have already spent.",
    zh: "调整后的预算将低于订单已占用的金额。",
  },
  BudgetAdjustmentNotFound: { en: "No such budget adjustment.", zh: "未找到该预算调整。" },
  BudgetAdjustmentNotPending: {
    en: "This adjustment was already confirmed or withdrawn.",
    zh: "该调整已被确认或撤回。",
  },
  BudgetSelfConfirmation: {
    en: "You proposed this adjustment: another approver must confirm it.",
    zh: "该调整由您提议，须由另一名审批人确认。",
  },
  BudgetProposerNotApprover: {
    en: "Whoever proposed this adjustment is no longer an approver, so the proposal has lapsed: propose it again.",
    zh: "提议该调整的人员已不再是审批人，该提议已失效，请重新提议。",
  },
  BudgetExceeded: {
    en: "Funding this order would exceed the hospital's remaining budget for its category this fiscal year: adjust the budget first.",
    zh: "为该订单注资将超出本院该品类本财年的剩余预算：请先调整预算。",
  },
  // The delivery trace (DeliveryTrace): shipping, custody steps, temperature excursions, recalls.
  TraceShipmentNotFound: {
    en: "No such shipment: check the shipment number.",
    zh: "未找到该发货单，请核对编号。",
  },
  TraceRecordMismatch: {
    en: "The shipment's details differ from those the ledger recorded when it was shipped: reload the page and try again.",
    zh: "提交的发货信息与发货时账本记录的不一致，请刷新页面后重试。",
  },
  TraceInvalidGtin: {
    en: "The GTIN is not valid: check its digits and its check digit.",
    zh: "GTIN 无效，请核对其数字及校验位。",
  },
  TraceGtinNotRegistered: {
    en: "This GTIN is on none of your attested product registrations in force: file the registration, or wait for it to be attested.",
    zh: "该 GTIN 不在您已认证且在有效期内的产品注册证中：请提交注册证，或等待其获得认证。",
  },
  TraceInvalidLot: {
    en: "The lot number is not valid: 1 to 20 letters, digits or permitted symbols, not starting with =, +, - or @.",
    zh: "批号无效：应为 1 至 20 个字母、数字或允许的符号，且不能以 =、+、-、@ 开头。",
  },
  TraceExpiryPassed: {
    en: "The expiry date has passed: expired goods cannot be shipped.",
    zh: "有效期已过，过期货品不能发货。",
  },
  TraceZeroQuantity: { en: "Ship at least one unit.", zh: "发货数量至少为 1 件。" },
  TraceZeroSerialRoot: {
    en: "The shipment has no serial list: upload it first.",
    zh: "该发货缺少序列号清单，请先上传。",
  },
  TraceLotRecalled: {
    en: "This lot is recalled: it cannot be shipped, nor recalled a second time.",
    zh: "该批号已被召回：不能发货，也无需再次召回。",
  },
  TraceLotNotRecalled: {
    en: "This lot has no such recall in force: there is nothing to lift.",
    zh: "该批号没有生效中的此项召回，无需解除。",
  },
  TraceSupplierNotQualified: {
    en: "You are not qualified for this agreement's category now (documents missing, lapsed or suspended): you cannot ship until you are.",
    zh: "您目前不具备该协议品类的资质（资质文件缺失、过期或已被暂停），恢复前不能发货。",
  },
  TraceStepNotAllowed: {
    en: "You may not record this step: the supplier or its carrier records transport until the hospital takes the goods; the hospital's staff record receiving and later steps, never the shipment's own supplier.",
    zh: "您无权记录此环节：医院接收前的运输环节由供应商或其承运人记录，收货及之后的环节由该医院人员记录，发货的供应商本身不可记录。",
  },
  TraceEventInFuture: {
    en: "The event's time is in the future: check the date and time.",
    zh: "事件时间晚于当前时间，请核对日期和时间。",
  },
  TraceNoExcursion: {
    en: "No temperature excursion was reported for this shipment: there is nothing to waive.",
    zh: "该发货没有温度超标报告，无需豁免。",
  },
  TraceOwnDelivery: {
    en: "A supplier's account cannot waive a temperature excursion on its own delivery, whatever role the hospital gave it.",
    zh: "供应商账户不能豁免自己发货的温度超标，即使医院授予了它角色。",
  },
  TraceNotApprover: {
    en: "Only an approver of the shipment's hospital may waive a temperature excursion.",
    zh: "只有该发货所属医院的审批人可以豁免温度超标。",
  },
  TraceAlreadyConfirmed: {
    en: "This shipment is already confirmed and settled: it can no longer be disputed or confirmed again.",
    zh: "该发货已确认结算，不能再提出异议或重复确认。",
  },
  // The hospital registry (HospitalRegistry): enrolling hospitals, inviting and removing members.
  HospitalAlreadyEnrolled: {
    en: "This account is already an enrolled hospital.",
    zh: "该账户已登记为医院。",
  },
  HospitalNotEnrolled: {
    en: "That account is not an enrolled hospital.",
    zh: "该账户不是已登记的医院。",
  },
  HospitalMemberOfOther: {
    en: "The account already belongs to a hospital: it must leave that hospital first.",
    zh: "该账户已是某家医院的成员，须先退出该医院。",
  },
  HospitalInvalidRoles: {
    en: "The roles given are not hospital roles (approver, settler, warehouse receiver).",
    zh: "所选角色无效：医院角色只有审批人、结算人和库房验收。",
  },
  HospitalInvalidMember: {
    en: "This account cannot be a hospital member: the address is empty, is the hospital itself or is an enrolled hospital.",
    zh: "该账户不能成为医院成员：地址为空、是医院本身或是已登记的医院。",
  },
  HospitalNoInvitation: {
    en: "The hospital has not invited this account, or withdrew its invitation.",
    zh: "该医院没有邀请此账户，或已撤回邀请。",
  },
  HospitalNotMember: {
    en: "The account is not a member of any hospital.",
    zh: "该账户不是任何医院的成员。",
  },
  // The tender house (TenderHouse): opening tenders, sealed bids, award, bonds.
  TenderNotFound: { en: "No such tender: check the tender number.", zh: "未找到该招标，请核对招标编号。" },
  TenderZeroCategory: { en: "Give the tender's product category.", zh: "请填写招标的产品品类。" },
  TenderInvalidReservePrice: { en: "Give a reserve price above zero.", zh: "最高限价必须大于零。" },
  TenderInvalidDeadlines: {
    en: "The bid deadline must be in the future and the reveal deadline after it.",
    zh: "密封投标截止时间须晚于当前时间，解密截止时间须晚于密封投标截止时间。",
  },
  TenderInvalidWinners: { en: "The number of winners must be 1 to 8.", zh: "中选数须为 1 至 8。" },
  TenderInvalidTerm: {
    en: "The agreement term must be above zero and at most ten years.",
    zh: "协议期限须大于零且不超过十年。",
  },
  TenderInvalidPenalty: {
    en: "The late penalty is inconsistent: give both the daily rate and the cap (at most 100 %), or neither.",
    zh: "逾期罚金设置有误：每日比例与上限须同时填写或同时为零，且上限不超过 100%。",
  },
  TenderZeroBidBond: { en: "Give a bid bond above zero.", zh: "投标保证金必须大于零。" },
  TenderInvalidWindows: {
    en: "The funding, receiving and confirmation windows must each be at least one hour.",
    zh: "注资、收货和确认期限均不得短于 1 小时。",
  },
  TenderInvalidHospitals: {
    en: "List 1 to 64 hospitals, each with its committed volume.",
    zh: "须列出 1 至 64 家医院，并为每家填写约定采购量。",
  },
  TenderDuplicateHospital: { en: "A hospital is listed twice.", zh: "有医院被重复列出。" },
  TenderZeroVolume: {
    en: "Every hospital's committed volume must be above zero.",
    zh: "每家医院的约定采购量都必须大于零。",
  },
  TenderTooManyBidders: {
    en: "This tender already has the most bidders it takes (32).",
    zh: "该招标的投标人数已达上限（32 家）。",
  },
  TenderZeroCommitment: {
    en: "The sealed bid is empty: prepare the bid again.",
    zh: "密封投标内容为空，请重新生成投标。",
  },
  TenderRevealNotOver: {
    en: "The reveal window has not closed yet: the tender can be awarded only after it.",
    zh: "解密期尚未结束，结束后方可确定中选。",
  },
  TenderStatusInvalid: {
    en: "The tender is not at the stage this act needs (it may be awarded, failed or cancelled already; a bond is taken back only from a failed or cancelled tender).",
    zh: "该招标当前状态不允许此操作（可能已确定中选、流标或取消；投标保证金只能在流标或取消后取回）。",
  },
  TenderNoCommitment: {
    en: "You placed no sealed bid in this tender: there is nothing to reveal.",
    zh: "您未在该招标中提交密封投标，没有可解密的投标。",
  },
  TenderAlreadyRevealed: {
    en: "You have already revealed your bid in this tender.",
    zh: "您已在该招标中解密过投标。",
  },
  TenderInvalidSchedule: {
    en: "The tiered prices are not valid: at most 8 tiers, the first starting at 0 units, thresholds rising, unit prices never rising, above zero and within the reserve price.",
    zh: "阶梯报价无效：最多 8 档，首档从 0 件起，数量门槛逐档递增，单价逐档不升、大于零且不超过最高限价。",
  },
  TenderNothingToClaim: {
    en: "Nothing is left for you to take in this tender: the bond was returned already, or no forfeited bonds are due to your hospital.",
    zh: "您在该招标中没有可领取的款项：保证金已退还，或本院没有应得的没收保证金。",
  },
  // Campus transfers (CampusTransfers): moving stock between a hospital's locations.
  TransferNotHospitalReceiver: {
    en: "Only the hospital's account or its warehouse receivers record transfers.",
    zh: "只有医院账户或其库房验收人员可以登记调拨。",
  },
  TransferInvalidGtin: {
    en: "The GTIN is not valid: check its digits and its check digit.",
    zh: "GTIN 无效，请核对其数字及校验位。",
  },
  TransferInvalidLot: {
    en: "The lot number is not valid: 1 to 20 letters, digits or permitted symbols, not starting with =, +, - or @.",
    zh: "批号无效：应为 1 至 20 个字母、数字或允许的符号，且不能以 =、+、-、@ 开头。",
  },
  TransferInvalidGln: {
    en: "A location is not a valid GLN (13 digits with a correct check digit).",
    zh: "地点不是有效的 GLN（应为 13 位数字且校验位正确）。",
  },
  TransferSameLocation: {
    en: "The source and destination are the same location.",
    zh: "调出地点与调入地点相同。",
  },
  TransferZeroQuantity: { en: "Transfer at least one unit.", zh: "调拨数量至少为 1 件。" },
  TransferQuantityTooLarge: {
    en: "The quantity is larger than one transfer can record.",
    zh: "调拨数量超出单次可登记的上限。",
  },
  // The supplier registry (SupplierRegistry): registration, documents and products; their review.
  RegistrySupplierNotRegistered: {
    en: "This account is not a registered supplier: register first.",
    zh: "该账户尚未注册为供应商，请先注册。",
  },
  RegistrySupplierStatus: {
    en: "The supplier is not in the state this act needs: only an active supplier can be suspended, and only a suspended one reinstated.",
    zh: "该供应商当前状态不允许此操作：只能暂停正常状态的供应商，只能恢复已暂停的供应商。",
  },
  RegistryInvalidValidity: {
    en: "The validity dates are wrong: “valid until” must be after “valid from”.",
    zh: "有效期有误：“有效期至”必须晚于“有效期自”。",
  },
  RegistryInvalidCategories: {
    en: "A document must cover 1 to 32 categories.",
    zh: "每份文件须涵盖 1 至 32 个品类。",
  },
  RegistryZeroDigest: {
    en: "The document's file fingerprint is missing: choose the file again.",
    zh: "缺少文件摘要，请重新选择文件。",
  },
  RegistryDocumentNotFound: { en: "No such document.", zh: "未找到该文件。" },
  RegistryDocumentNotPending: {
    en: "This document has already been attested or rejected.",
    zh: "该文件已被认证或驳回。",
  },
  RegistryTooManyPendingDocuments: {
    en: "You have 16 documents awaiting review: file more once the regulator has decided some of them.",
    zh: "您已有 16 份文件待审核，请待监管机构处理部分文件后再提交。",
  },
  RegistryInvalidGtins: {
    en: "A product registration must list 1 to 32 GTINs or product keys.",
    zh: "产品注册证须列出 1 至 32 个 GTIN 或产品键。",
  },
  RegistryInvalidGtin: {
    en: "A GTIN listed is not valid: check its digits and its check digit.",
    zh: "所列 GTIN 有误，请核对其数字及校验位。",
  },
  RegistryProductKeyNotDeclared: {
    en: "A product key listed was never declared: declare its device identifier (DI) first.",
    zh: "所列产品键尚未声明，请先声明其产品标识（DI）。",
  },
  RegistryProductKeyTaken: {
    en: "This device identifier is already declared: list its product key in your product registration.",
    zh: "该产品标识已声明过，请直接在产品注册证中列出其产品键。",
  },
  RegistryInvalidDeviceIdentifier: {
    en: "The device identifier (DI) does not have its issuing agency's form (MA: MA.156.M0.<6 letters or digits>.<product code>; AHM: up to 64 characters, no spaces).",
    zh: "产品标识（DI）不符合发码机构的格式（MA：MA.156.M0.<6 位字母或数字>.<产品代码>；AHM：最多 64 个字符，不含空格）。",
  },
  // Any ledger contract, the roles, the token's signed allowances and the relay's forwarder.
  LedgerUnauthorized: {
    en: "Your account lacks the ledger role this act needs (for example, regulator).",
    zh: "您的账户没有此操作所需的账本角色（例如监管机构）。",
  },
  AccessControlUnauthorizedAccount: {
    en: "Your account may not grant or revoke this role: regulators grant and revoke the insurance fund's role.",
    zh: "您的账户无权授予或撤销该角色：医保基金角色由监管机构授予和撤销。",
  },
  ERC2612ExpiredSignature: {
    en: "The signed allowance has expired: sign it again.",
    zh: "签署的授权许可已过期，请重新签署。",
  },
  ERC2612InvalidSigner: {
    en: "The signed allowance does not match the account, or was already used: sign it again.",
    zh: "签署的授权许可与账户不符或已被使用，请重新签署。",
  },
  ERC2771ForwarderExpiredRequest: {
    en: "Your signed request expired before it reached the ledger: do the act again.",
    zh: "签名的请求在记入账本前已过期，请重新操作。",
  },
  ERC2771ForwarderInvalidSigner: {
    en: "Your signed request no longer matches your account (another act of yours may have gone first): do the act again.",
    zh: "签名的请求与您的账户不符（其间可能已有您的另一笔操作上链），请重新操作。",
  },
  SafeCastOverflowedUintDowncast: {
    en: "A date or figure is beyond what the ledger can record (a date too far ahead?): check what you entered.",
    zh: "日期或数值超出账本可记录的范围（日期是否过远？），请核对填写的内容。",
  },
};

export function chainErrorSentence(name: string | undefined, lang: Lang): string | null {
  return name !== undefined && Object.hasOwn(SENTENCES, name) ? SENTENCES[name][lang] : null;
}
