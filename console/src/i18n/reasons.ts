import { REASONS, type ReasonKey } from "../../../ledger/reasons";

/**
 * The ledger's reason codes in words, keyed `reason.<key>` by the catalogue's keys
 * (ledger/reasons.ts). English is the catalogue's own label; Chinese is given here for every
 * key — a reason added to the catalogue without its Chinese label is a compile error.
 */

type ReasonMessages = { [K in ReasonKey as `reason.${K}`]: string };

const ZH: Record<ReasonKey, string> = {
  unspecified: "未说明原因",
  excursion_within_stability: "温度偏离在产品稳定性数据范围内",
  quality_defect: "批次存在质量缺陷",
  excursion_logger_fault: "温度记录仪故障，冷链未中断",
  safety_investigation: "产品安全调查中",
  document_unreadable: "文件无法辨认或不完整",
  document_not_valid: "文件已过期或尚未生效",
  document_mismatch: "文件所载企业、产品或类别不符",
  document_not_authentic: "文件不真实",
  licence_revoked: "许可证被吊销或已失效",
  procurement_misconduct: "采购违规（串标、贿赂）",
  corrective_action_completed: "整改已完成并经核实",
  investigation_closed: "调查结束，未发现问题",
  decided_in_error: "此前的决定有误",
  units_damaged: "运输途中损坏",
  units_missing: "到货数量短缺",
  wrong_product: "送错产品或批次",
  receipt_held: "收货单暂挂，待医院决定",
  field_safety_notice: "现场安全通告",
  field_action_completed: "现场安全纠正措施已完成",
  counterfeit_suspected: "疑似假冒",
  tender_specification_error: "招标文件规格有误",
  demand_withdrawn: "医院撤回需求",
  member_left: "该成员已离开医院",
  member_key_compromised: "该成员的密钥丢失或泄露",
  demand_above_plan: "需求超出计划",
  plan_reduced: "计划调减，退回不需要的预算",
  price_change: "新协议价格变化",
  emergency_demand: "突发或疫情需求",
  unused_at_term_end: "寄售期满未使用",
  near_expiry_returned: "临近效期，到期前退回",
  overstocked: "在库数量超出医院用量",
  product_discontinued: "产品停用或已被替换",
  return_not_received: "退回的产品未收到",
  return_short: "收到的数量少于退货申报数量",
  return_damaged: "退回的产品已拆封或损坏",
};

function messages(label: (key: ReasonKey) => string): ReasonMessages {
  return Object.fromEntries(
    (Object.keys(REASONS) as ReasonKey[]).map((key) => [`reason.${key}`, label(key)]),
  ) as ReasonMessages;
}

export const en = {
  ...messages((key) => REASONS[key].label),
  "reasons.code": "reason {code}",
  "reasons.field": "Reason",
  "reasons.choose": "Choose the reason recorded on the ledger",
};

export const zh: typeof en = {
  ...messages((key) => ZH[key]),
  "reasons.code": "原因 {code}",
  "reasons.field": "原因",
  "reasons.choose": "选择记入账本的原因",
};
