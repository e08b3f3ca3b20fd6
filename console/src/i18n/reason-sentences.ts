import type { MatchReasonCode } from "../../../api/receipts";

/**
 * Why a receipt did not match, or a stocktake differed, as a sentence from the reason's figures
 * (its `details`), keyed `reasonText.<code>`; `{line}` is the receipt line where the reason is a
 * line's. English and Chinese for every code: a code added to the API without its sentences is
 * a compile error. The gateway's `message` says the same in English, for scripts and logs.
 */
type Sentences = { [K in MatchReasonCode | "STOCK_MISSING" | "STOCK_EXTRA" as `reasonText.${K}`]: string };

export const en: Sentences = {
  "reasonText.GTIN_MISMATCH": "Line {line}: GTIN {found} is not the shipment's {expected}",
  "reasonText.LOT_MISMATCH": "Line {line}: lot {found} is not the shipment's {expected}",
  "reasonText.EXPIRY_MISMATCH": "Line {line}: expiry {found} is not the shipment's {expected}",
  "reasonText.SHELF_LIFE_SHORT":
    "Expiry {expiry} leaves less than {minShelfLifeDays} days of shelf life at receipt",
  "reasonText.OVER_DELIVERY": "Received {received} units but {shipped} were shipped; the excess is rejected",
  "reasonText.SHORT_DELIVERY":
    "Received {received} of {shipped} shipped units, beyond the {tolerancePct}% tolerance",
  "reasonText.SERIAL_NOT_IN_MANIFEST": "Line {line}: serial {serial} is not in the shipment's serial list",
  "reasonText.MANIFEST_MISSING":
    "Line {line}: serial {serial} cannot be checked: the supplier uploaded no serial list",
  "reasonText.SERIAL_DUPLICATED": "Line {line}: serial {serial} is scanned more than once",
  "reasonText.SERIAL_ALREADY_RECEIVED": "Line {line}: serial {serial} was already received",
  "reasonText.SUPPLIER_NOT_QUALIFIED": "The supplier was suspended or not qualified at receipt",
  "reasonText.LOT_RECALLED": "Lot {lot} is recalled",
  "reasonText.EXCURSION_HOLD":
    "A temperature excursion was recorded on this shipment and no approver has waived it",
  "reasonText.STOCK_MISSING":
    "{units} unit(s) of lot {lot} of GTIN {gtin} missing at {campus}: {expected} by the records, {counted} on the shelf (used without a usage record, or lost)",
  "reasonText.STOCK_EXTRA":
    "{units} unit(s) of lot {lot} of GTIN {gtin} more at {campus} than the records' {expected} (received without a receipt)",
};

export const zh: Sentences = {
  "reasonText.GTIN_MISMATCH": "第 {line} 行：产品 GTIN {found} 与发货的 {expected} 不符",
  "reasonText.LOT_MISMATCH": "第 {line} 行：批号 {found} 与发货的批号 {expected} 不符",
  "reasonText.EXPIRY_MISMATCH": "第 {line} 行：有效期 {found} 与发货的有效期 {expected} 不符",
  "reasonText.SHELF_LIFE_SHORT": "有效期至 {expiry}，收货时剩余效期不足 {minShelfLifeDays} 天",
  "reasonText.OVER_DELIVERY": "收到 {received} 件，而发货为 {shipped} 件，多出部分拒收",
  "reasonText.SHORT_DELIVERY": "发货 {shipped} 件，仅收到 {received} 件，短缺超出 {tolerancePct}% 的容差",
  "reasonText.SERIAL_NOT_IN_MANIFEST": "第 {line} 行：序列号 {serial} 不在该发货的序列号清单中",
  "reasonText.MANIFEST_MISSING": "第 {line} 行：供应商未上传序列号清单，无法核对序列号 {serial}",
  "reasonText.SERIAL_DUPLICATED": "第 {line} 行：序列号 {serial} 重复扫描",
  "reasonText.SERIAL_ALREADY_RECEIVED": "第 {line} 行：序列号 {serial} 此前已收货",
  "reasonText.SUPPLIER_NOT_QUALIFIED": "收货时供应商资质已暂停或未获准入",
  "reasonText.LOT_RECALLED": "批号 {lot} 已召回",
  "reasonText.EXCURSION_HOLD": "该发货记录了温度偏离，尚无审批人豁免",
  "reasonText.STOCK_MISSING":
    "{campus} 批号 {lot}（GTIN {gtin}）盘亏 {units} 件：账面数 {expected} 件，实盘数 {counted} 件（使用未登记，或丢失）",
  "reasonText.STOCK_EXTRA":
    "{campus} 批号 {lot}（GTIN {gtin}）盘盈 {units} 件：实盘数比账面数 {expected} 件多（收货未登记）",
};
