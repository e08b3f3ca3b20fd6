/** Text of the spend page, English and Chinese (zh must give every key of en). */
export const en = {
  "nav.spend": "Spend by category",
  "spend.title": "Spend by category and month",
  "spend.intro": "Money paid to suppliers on the ledger, by product category and month ({timeZone}).",
  "spend.chart": "Paid per month, stacked by category",
  "spend.month": "Month",
  "spend.paid": "Paid",
  "spend.penalties": "Late penalties kept",
  "spend.settlements": "Settlements",
  "nav.sales": "Sales by category",
  "sales.title": "Sales by category and month",
  "sales.intro": "Money the ledger paid you for deliveries, by product category and month ({timeZone}).",
  "sales.chart": "Received per month, stacked by category",
  "sales.paid": "Received",
  "sales.penalties": "Late penalties deducted",
} as const;

export const zh: Record<keyof typeof en, string> = {
  "nav.spend": "品类支出",
  "spend.title": "按品类和月份的支出",
  "spend.intro": "账本上支付给供应商的金额，按产品品类和月份统计（{timeZone}）。",
  "spend.chart": "每月支付金额（按品类堆叠）",
  "spend.month": "月份",
  "spend.paid": "已支付",
  "spend.penalties": "扣留的逾期违约金",
  "spend.settlements": "结算笔数",
  "nav.sales": "品类销售收入",
  "sales.title": "按品类和月份的销售收入",
  "sales.intro": "账本为您的交货支付的金额，按产品品类和月份统计（{timeZone}）。",
  "sales.chart": "每月收款金额（按品类堆叠）",
  "sales.paid": "已收款",
  "sales.penalties": "被扣逾期违约金",
};
