/**
 * The trail's step sentences, English and Chinese, written by the console from each step's
 * figures (step-sentence.tsx): `{…}` values are formatted there (amounts in yuan, times in the
 * gateway's zone, accounts short and copyable). One per ledger event (`trail.step.<contract>.<event>`)
 * and per off-chain record (`trail.step.<kind>`).
 */
export const en = {
  "trail.kind.qualification": "qualification",
  "trail.kind.product": "product",
  "trail.kind.tender": "tender",
  "trail.kind.bid": "bid",
  "trail.kind.bond": "bond",
  "trail.kind.agreement": "agreement",
  "trail.kind.membership": "membership",
  "trail.kind.order": "order",
  "trail.kind.approval": "approval",
  "trail.kind.funding": "funding",
  "trail.kind.consent": "consent",
  "trail.kind.cancellation": "cancellation",
  "trail.kind.closure": "closure",
  "trail.kind.shipment": "shipment",
  "trail.kind.trace": "trace",
  "trail.kind.waiver": "waiver",
  "trail.kind.dispute": "dispute",
  "trail.kind.recall": "recall",
  "trail.kind.manifest": "serial list",
  "trail.kind.receipt": "receipt",
  "trail.kind.match": "match",
  "trail.kind.exception": "exception",
  "trail.kind.resolution": "resolution",
  "trail.kind.payment": "payment",
  "trail.kind.usage": "usage",
  "trail.kind.budget": "budget",
  "trail.kind.transfer": "transfer",
  "trail.tier": "{price} per unit from {threshold} units",
  "trail.item": "GTIN {gtin} lot {lot}",
  "trail.itemSerial": "GTIN {gtin} lot {lot} serial {serial}",
  "trail.scope.everyone": "every supplier's shipments",
  "trail.scope.supplier": "the shipments of {supplier}",
  "trail.match.matched": "matched",
  "trail.match.exception": "exception",
  "trail.source.match": "from the receipt's match",
  "trail.source.settlement": "from the settlement",
  "trail.resolution.accept_all": "accepted what matching proposed",
  "trail.resolution.accept_part": "accepted part",
  "trail.resolution.reject": "rejected everything",
  "trail.job.pending": "queued",
  "trail.job.submitted": "sent, not yet confirmed",
  "trail.job.confirmed": "confirmed, not yet read back",
  "trail.job.failed": "refused by the ledger",
  "trail.step.registry.SupplierRegistered":
    "Supplier {supplier} registered as {name} (registration {registrationId})",
  "trail.step.registry.DocumentFiled":
    "Supplier {supplier} filed document {documentId} ({kind}), valid {validFrom} to {validUntil}, for {categories}",
  "trail.step.registry.ProductsDeclared":
    "Supplier {supplier}'s product registration {documentId} lists GTIN {gtins}",
  "trail.step.registry.DeviceIdentifierDeclared":
    "Supplier {supplier} declared {agency} device identifier {deviceIdentifier}, known on the ledger as product {productKey}",
  "trail.step.registry.DocumentAttested":
    "Regulator {regulator} attested document {documentId} of {supplier}",
  "trail.step.registry.GtinRegistered":
    "GTIN {gtin} registered to supplier {supplier} from {validFrom} to {validUntil} (product registration {documentId})",
  "trail.step.registry.DocumentRejected":
    "Regulator {regulator} rejected document {documentId} of {supplier} (reason: {reason})",
  "trail.step.registry.SupplierSuspended":
    "Regulator {regulator} suspended supplier {supplier} (reason: {reason})",
  "trail.step.registry.SupplierReinstated":
    "Regulator {regulator} reinstated supplier {supplier} (reason: {reason})",
  "trail.step.registry.RequiredKindsChanged":
    "Regulator {regulator} set the required qualification documents to {kinds}",
  "trail.step.tenders.TenderOpened":
    "Regulator {regulator} opened tender {tenderId} for {category}: reserve price {reservePrice}, bid bond {bidBond}, {hospitals} hospital(s) committing volume, bids until {commitDeadline}",
  "trail.step.tenders.BidCommitted":
    "{bidder} committed a sealed bid to tender {tenderId}, escrowing a bid bond of {bond}",
  "trail.step.tenders.BidCommittedBondHeld":
    "{bidder} committed a sealed bid to tender {tenderId} (bond already held)",
  "trail.step.tenders.BidRevealed":
    "{bidder} revealed its bid to tender {tenderId} (bond of {bond} returned): {tiers}",
  "trail.step.tenders.BidderSkipped":
    "{bidder} was left out of tender {tenderId}'s award: no longer qualified",
  "trail.step.tenders.TenderAwarded": "Tender {tenderId} awarded to {winners} (agreements {agreements})",
  "trail.step.tenders.TenderFailed": "Tender {tenderId} failed: no valid bid; every bond can be withdrawn",
  "trail.step.tenders.TenderCancelled":
    "Regulator {regulator} cancelled tender {tenderId} before award (reason: {reason}); every bond can be withdrawn",
  "trail.step.tenders.BondsForfeited":
    "Bid bonds of {bidders} ({amount} in all) forfeited to tender {tenderId}'s hospitals: they never revealed",
  "trail.step.tenders.BondWithdrawn": "{bidder} withdrew its bid bond of {amount} from tender {tenderId}",
  "trail.step.tenders.ForfeitClaimed":
    "Hospital {hospital} claimed {amount} of tender {tenderId}'s forfeited bonds",
  "trail.step.agreements.AgreementCreated":
    "Agreement {agreementId} from tender {tenderId} with {supplier} for {category}, {start} to {end}",
  "trail.step.agreements.AgreementVolumeChanged":
    "Hospital {hospital} now has {funded} units funded under agreement {agreementId}, which has {accepted} units accepted; prices follow the accepted volume",
  "trail.step.hospitals.HospitalEnrolled": "Regulator {regulator} enrolled hospital {hospital}",
  "trail.step.hospitals.ApprovalThresholdChanged":
    "Hospital {hospital} set its approval threshold to {threshold}: an order that would take its approved value under the agreement (draining one threshold per 30 days) past it needs two approvers",
  "trail.step.hospitals.MemberInvited": "Hospital {hospital} invited {member} as {roles}",
  "trail.step.hospitals.MemberInvitationWithdrawn": "Hospital {hospital} withdrew its invitation to {member}",
  "trail.step.hospitals.HospitalMemberChanged": "{member} is a member of hospital {hospital} as {roles}",
  "trail.step.hospitals.HospitalMemberRemoved": "{member} is no longer a member of hospital {hospital}",
  "trail.step.hospitals.MemberLeft": "{member} left hospital {hospital}",
  "trail.step.hospitals.MemberUnbound":
    "Regulator {regulator} unbound {member} from hospital {hospital} (reason: {reason})",
  "trail.step.orderBook.OrderPlaced":
    "Order {orderId} placed by {placedBy} for hospital {hospital} under agreement {agreementId}: {quantity} units, delivery by {deliveryDeadline}, to be funded by {fundingExpiresAt}",
  "trail.step.orderBook.OrderApproved": "Order {orderId} approved by {approver} ({approvals} of {required})",
  "trail.step.orderBook.OrderFunded":
    "Order {orderId} funded: {amount} moved from {hospital} into escrow (its units priced at the agreement's accepted volume)",
  "trail.step.orderBook.ExcessVolumeConsented":
    "Supplier {supplier} consented to deliver order {orderId} beyond the hospital's committed volume",
  "trail.step.orderBook.LateShipmentAllowed":
    "{approver} allowed shipments of order {orderId} after its delivery deadline",
  "trail.step.orderBook.SupplierAgreedToCancel":
    "Supplier {supplier} agreed to cancel the rest of order {orderId}",
  "trail.step.orderBook.OrderCancelled":
    "{by} cancelled {units} undelivered units of order {orderId}; {refund} refunded (order now {status})",
  "trail.step.orderBook.ShipmentDisputed":
    "{by} disputed {units} units of shipment {shipmentId} (reason: {reason}): a supplier's claim can only settle the others",
  "trail.step.orderBook.ShipmentSettled":
    "Shipment {shipmentId} settled by {settledBy}: {accepted} accepted, {rejected} rejected, delivered {deliveredAt}; {paid} paid to {supplier} (gross {gross}, penalty {penalty}, {daysLate} days late)",
  "trail.step.orderBook.ShipmentSettledOnClaim":
    "Shipment {shipmentId} settled on the supplier's claim: {accepted} accepted, {rejected} rejected, delivered {deliveredAt}; {paid} paid to {supplier} (gross {gross}, penalty {penalty}, {daysLate} days late)",
  "trail.step.orderBook.OrderClosed": "Order {orderId} closed; {refund} of escrow returned to the hospital",
  "trail.step.trace.ShipmentCreated":
    "Shipment {shipmentId} against order {orderId} by {supplier} to {hospital}: {quantity} × {item}, expiry {expiry}",
  "trail.step.trace.TraceEventRecorded":
    "Shipment {shipmentId}: {step} (trace event {index}) recorded by {actor}",
  "trail.step.trace.TraceEventRecordedExcursion":
    "Shipment {shipmentId}: {step} (trace event {index}) recorded by {actor}; temperature excursion reported",
  "trail.step.trace.ShipmentDeemedReceived":
    "Shipment {shipmentId} counts as received on {receivedAt}: the hospital recorded no receipt within its receiving window after the supplier's arrival, and the supplier claimed payment",
  "trail.step.trace.ExcursionWaived":
    "{approver} accepted shipment {shipmentId} despite its temperature excursion (reason: {reason})",
  "trail.step.budgets.BudgetSet": "Hospital {hospital} set its {period} budget for {category} to {amount}",
  "trail.step.budgets.BudgetAdjusted":
    "Approver {proposer} proposed and approver {confirmer} confirmed changing {hospital}'s {period} budget for {category} by {delta} to {newAmount} (reason: {reason})",
  "trail.step.budgets.BudgetCharged":
    "Funding order {orderId} charged {amount} to {hospital}'s {period} budget for {category}: {spent} spent",
  "trail.step.budgets.BudgetReturned":
    "{amount} refunded from order {orderId} went back to {hospital}'s {period} budget for {category}: {spent} spent",
  "trail.step.campusTransfers.CampusTransferRecorded":
    "{quantity} unit(s) of lot {lot} of GTIN {gtin} moved from location {from} to {to} in {hospital}'s custody, recorded by {by}",
  "trail.step.trace.LotRecalled":
    "Lot {lot} of GTIN {gtin} recalled by {by} (reason: {reason}), covering {scope}",
  "trail.step.trace.RecallLifted":
    "Regulator {regulator} lifted the recall of lot {lot} of GTIN {gtin} covering {scope} (reason: {reason})",
  "trail.step.manifest":
    "Serial list of shipment {shipmentId} uploaded by {uploadedBy}: {count} serials, Merkle root {root}",
  "trail.step.receipt":
    "Goods receipt {receiptNo} for shipment {shipmentId} at {hospital}: {received} received, {accepted} accepted, {rejected} rejected (its hash is what the settlement states on chain)",
  "trail.step.match":
    "Three-way match of receipt {receiptNo} with shipment {shipmentId} and its order: {status}, {accepted} accepted, {rejected} rejected",
  "trail.step.exception": "Exception {exceptionId} on shipment {shipmentId} ({source}): {reasons}; {status}",
  "trail.step.resolution":
    "Exception {exceptionId} resolved by {resolvedBy}: {resolution}, {accepted} accepted",
  "trail.step.paymentJob":
    "Payment of shipment {shipmentId} ({accepted} accepted) queued by the gateway: {status}",
  "trail.step.usage":
    "Hospital {hospital} ({department}) billed the use of {quantity} × {item} on a patient, code {code}, amount {amount}",
  "trail.step.usageReturn":
    "Hospital {hospital} billed a return of {quantity} × {item} (corrects usage {corrects}), amount {amount}",
} as const;

export const zh: Record<keyof typeof en, string> = {
  "trail.kind.qualification": "资质",
  "trail.kind.product": "产品",
  "trail.kind.tender": "招标",
  "trail.kind.bid": "投标",
  "trail.kind.bond": "保证金",
  "trail.kind.agreement": "协议",
  "trail.kind.membership": "成员",
  "trail.kind.order": "订单",
  "trail.kind.approval": "审批",
  "trail.kind.funding": "资金托管",
  "trail.kind.consent": "同意",
  "trail.kind.cancellation": "取消",
  "trail.kind.closure": "关闭",
  "trail.kind.shipment": "发货",
  "trail.kind.trace": "追溯",
  "trail.kind.waiver": "豁免",
  "trail.kind.dispute": "争议",
  "trail.kind.recall": "召回",
  "trail.kind.manifest": "序列号清单",
  "trail.kind.receipt": "收货",
  "trail.kind.match": "核对",
  "trail.kind.exception": "异常",
  "trail.kind.resolution": "处理",
  "trail.kind.payment": "付款",
  "trail.kind.usage": "使用",
  "trail.kind.budget": "预算",
  "trail.kind.transfer": "调拨",
  "trail.tier": "自 {threshold} 件起每件 {price}",
  "trail.item": "GTIN {gtin}，批号 {lot}",
  "trail.itemSerial": "GTIN {gtin}，批号 {lot}，序列号 {serial}",
  "trail.scope.everyone": "所有供应商的发货",
  "trail.scope.supplier": "{supplier} 的发货",
  "trail.match.matched": "相符",
  "trail.match.exception": "异常",
  "trail.source.match": "来自收货核对",
  "trail.source.settlement": "来自结算",
  "trail.resolution.accept_all": "按核对结果验收",
  "trail.resolution.accept_part": "部分验收",
  "trail.resolution.reject": "全部拒收",
  "trail.job.pending": "排队中",
  "trail.job.submitted": "已发送，尚未确认",
  "trail.job.confirmed": "已确认，网关尚未读回",
  "trail.job.failed": "被账本拒绝",
  "trail.step.registry.SupplierRegistered": "供应商 {supplier} 注册为 {name}（注册号 {registrationId}）",
  "trail.step.registry.DocumentFiled":
    "供应商 {supplier} 提交了文件 {documentId}（{kind}），有效期 {validFrom} 至 {validUntil}，品类 {categories}",
  "trail.step.registry.ProductsDeclared": "供应商 {supplier} 的产品注册证 {documentId} 列明 GTIN {gtins}",
  "trail.step.registry.DeviceIdentifierDeclared":
    "供应商 {supplier} 声明了 {agency} 器械标识 {deviceIdentifier}，账本上的产品编号为 {productKey}",
  "trail.step.registry.DocumentAttested": "监管机构 {regulator} 认证了 {supplier} 的文件 {documentId}",
  "trail.step.registry.GtinRegistered":
    "GTIN {gtin} 登记于供应商 {supplier} 名下，{validFrom} 至 {validUntil}（产品注册证 {documentId}）",
  "trail.step.registry.DocumentRejected":
    "监管机构 {regulator} 驳回了 {supplier} 的文件 {documentId}（原因：{reason}）",
  "trail.step.registry.SupplierSuspended": "监管机构 {regulator} 暂停了供应商 {supplier}（原因：{reason}）",
  "trail.step.registry.SupplierReinstated": "监管机构 {regulator} 恢复了供应商 {supplier}（原因：{reason}）",
  "trail.step.registry.RequiredKindsChanged": "监管机构 {regulator} 将必备资质文件设为 {kinds}",
  "trail.step.tenders.TenderOpened":
    "监管机构 {regulator} 发起招标 {tenderId}（品类 {category}）：最高限价 {reservePrice}，投标保证金 {bidBond}，{hospitals} 家医院承诺采购量，投标截止 {commitDeadline}",
  "trail.step.tenders.BidCommitted": "{bidder} 向招标 {tenderId} 提交了密封投标，托管投标保证金 {bond}",
  "trail.step.tenders.BidCommittedBondHeld": "{bidder} 向招标 {tenderId} 提交了密封投标（保证金已托管）",
  "trail.step.tenders.BidRevealed": "{bidder} 解密了对招标 {tenderId} 的投标（退还保证金 {bond}）：{tiers}",
  "trail.step.tenders.BidderSkipped": "{bidder} 已不再合格，未纳入招标 {tenderId} 的中选",
  "trail.step.tenders.TenderAwarded": "招标 {tenderId} 确定中选：{winners}（协议 {agreements}）",
  "trail.step.tenders.TenderFailed": "招标 {tenderId} 流标：没有有效投标，保证金均可取回",
  "trail.step.tenders.TenderCancelled":
    "监管机构 {regulator} 在确定中选前取消了招标 {tenderId}（原因：{reason}），保证金均可取回",
  "trail.step.tenders.BondsForfeited":
    "{bidders} 未解密投标，其投标保证金（共 {amount}）没收归招标 {tenderId} 的医院",
  "trail.step.tenders.BondWithdrawn": "{bidder} 从招标 {tenderId} 取回投标保证金 {amount}",
  "trail.step.tenders.ForfeitClaimed": "医院 {hospital} 领取了招标 {tenderId} 被没收保证金中的 {amount}",
  "trail.step.agreements.AgreementCreated":
    "协议 {agreementId}（来自招标 {tenderId}）：供应商 {supplier}，品类 {category}，{start} 至 {end}",
  "trail.step.agreements.AgreementVolumeChanged":
    "医院 {hospital} 在协议 {agreementId} 下已托管资金 {funded} 件；该协议已验收 {accepted} 件，价格按已验收量确定",
  "trail.step.hospitals.HospitalEnrolled": "监管机构 {regulator} 登记了医院 {hospital}",
  "trail.step.hospitals.ApprovalThresholdChanged":
    "医院 {hospital} 将审批阈值设为 {threshold}：若订单会使该协议下的已审批金额（每 30 天减少一个阈值）超过该值，则需两名审批人",
  "trail.step.hospitals.MemberInvited": "医院 {hospital} 邀请 {member} 担任 {roles}",
  "trail.step.hospitals.MemberInvitationWithdrawn": "医院 {hospital} 撤回了对 {member} 的邀请",
  "trail.step.hospitals.HospitalMemberChanged": "{member} 是医院 {hospital} 的成员，担任 {roles}",
  "trail.step.hospitals.HospitalMemberRemoved": "{member} 不再是医院 {hospital} 的成员",
  "trail.step.hospitals.MemberLeft": "{member} 离开了医院 {hospital}",
  "trail.step.hospitals.MemberUnbound":
    "监管机构 {regulator} 解除了 {member} 与医院 {hospital} 的绑定（原因：{reason}）",
  "trail.step.orderBook.OrderPlaced":
    "{placedBy} 为医院 {hospital} 在协议 {agreementId} 下订购（订单 {orderId}）：{quantity} 件，{deliveryDeadline} 前交货，{fundingExpiresAt} 前托管资金",
  "trail.step.orderBook.OrderApproved": "订单 {orderId} 由 {approver} 审批（{approvals}/{required}）",
  "trail.step.orderBook.OrderFunded":
    "订单 {orderId} 已托管资金：{amount} 从 {hospital} 转入托管（按协议已验收量定价）",
  "trail.step.orderBook.ExcessVolumeConsented": "供应商 {supplier} 同意超出医院承诺量交付订单 {orderId}",
  "trail.step.orderBook.LateShipmentAllowed": "{approver} 允许订单 {orderId} 在交货期限后发货",
  "trail.step.orderBook.SupplierAgreedToCancel": "供应商 {supplier} 同意取消订单 {orderId} 的剩余部分",
  "trail.step.orderBook.OrderCancelled":
    "{by} 取消了订单 {orderId} 未交付的 {units} 件，退款 {refund}（订单现为{status}）",
  "trail.step.orderBook.ShipmentDisputed":
    "{by} 对发货单 {shipmentId} 的 {units} 件提出争议（原因：{reason}）：供应商的结算申请只能结算其余部分",
  "trail.step.orderBook.ShipmentSettled":
    "发货单 {shipmentId} 由 {settledBy} 结算：验收 {accepted} 件，拒收 {rejected} 件，{deliveredAt} 送达；向 {supplier} 支付 {paid}（总额 {gross}，逾期违约金 {penalty}，逾期 {daysLate} 天）",
  "trail.step.orderBook.ShipmentSettledOnClaim":
    "发货单 {shipmentId} 按供应商的申请结算：验收 {accepted} 件，拒收 {rejected} 件，{deliveredAt} 送达；向 {supplier} 支付 {paid}（总额 {gross}，逾期违约金 {penalty}，逾期 {daysLate} 天）",
  "trail.step.orderBook.OrderClosed": "订单 {orderId} 已关闭；{refund} 托管资金退回医院",
  "trail.step.trace.ShipmentCreated":
    "{supplier} 依订单 {orderId} 向 {hospital} 发货（发货单 {shipmentId}）：{quantity} 件 {item}，有效期至 {expiry}",
  "trail.step.trace.TraceEventRecorded": "发货单 {shipmentId}：{actor} 记录了{step}（第 {index} 个追溯事件）",
  "trail.step.trace.TraceEventRecordedExcursion":
    "发货单 {shipmentId}：{actor} 记录了{step}（第 {index} 个追溯事件），报告运输温度超标",
  "trail.step.trace.ShipmentDeemedReceived":
    "发货单 {shipmentId} 视为已于 {receivedAt} 验收：供应商记录到货后，医院在验收期限内未记录验收，供应商申请了结算",
  "trail.step.trace.ExcursionWaived": "{approver} 接收了运输温度超标的发货单 {shipmentId}（原因：{reason}）",
  "trail.step.budgets.BudgetSet": "医院 {hospital} 将 {period} 年度 {category} 预算设为 {amount}",
  "trail.step.budgets.BudgetAdjusted":
    "审批人 {proposer} 提议、审批人 {confirmer} 确认，将 {hospital} {period} 年度 {category} 预算调整 {delta}，调整后为 {newAmount}（原因：{reason}）",
  "trail.step.budgets.BudgetCharged":
    "订单 {orderId} 付款托管时从 {hospital} {period} 年度 {category} 预算中扣减 {amount}：已用 {spent}",
  "trail.step.budgets.BudgetReturned":
    "订单 {orderId} 退回的 {amount} 已返还 {hospital} {period} 年度 {category} 预算：已用 {spent}",
  "trail.step.campusTransfers.CampusTransferRecorded":
    "GTIN {gtin} 批号 {lot} 的 {quantity} 件在 {hospital} 内由位置 {from} 调拨至 {to}，记录人 {by}",
  "trail.step.trace.LotRecalled": "GTIN {gtin} 批号 {lot} 由 {by} 召回（原因：{reason}），范围：{scope}",
  "trail.step.trace.RecallLifted":
    "监管机构 {regulator} 解除了 GTIN {gtin} 批号 {lot} 的召回，范围：{scope}（原因：{reason}）",
  "trail.step.manifest":
    "{uploadedBy} 上传了发货单 {shipmentId} 的序列号清单：{count} 个序列号，Merkle 根 {root}",
  "trail.step.receipt":
    "{hospital} 的收货单 {receiptNo}（发货单 {shipmentId}）：实收 {received} 件，验收 {accepted} 件，拒收 {rejected} 件（结算时链上记载其哈希）",
  "trail.step.match":
    "收货单 {receiptNo} 与发货单 {shipmentId} 及其订单的三方核对：{status}，验收 {accepted} 件，拒收 {rejected} 件",
  "trail.step.exception": "发货单 {shipmentId} 的异常 {exceptionId}（{source}）：{reasons}；{status}",
  "trail.step.resolution": "异常 {exceptionId} 由 {resolvedBy} 处理：{resolution}，验收 {accepted} 件",
  "trail.step.paymentJob": "网关已将发货单 {shipmentId} 的付款（验收 {accepted} 件）排队：{status}",
  "trail.step.usage":
    "医院 {hospital}（{department}）为患者使用 {quantity} 件 {item} 并计费，收费编码 {code}，金额 {amount}",
  "trail.step.usageReturn":
    "医院 {hospital} 计费退回 {quantity} 件 {item}（冲正使用记录 {corrects}），金额 {amount}",
};
