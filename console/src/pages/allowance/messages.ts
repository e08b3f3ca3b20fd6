/** Text of the allowances page, English and Chinese (zh must give every key of en). */
export const en = {
  "nav.allowance": "Allowances",
  "allowance.title": "Token allowances",
  "allowance.intro":
    "The ledger takes the settlement token from your account only up to the allowance you gave the contract that takes it. Set an allowance by signing a permit (EIP-2612) on this page: the gateway's relayer sends it, so you pay no gas. A permit sets the allowance to the amount you give; it does not add to it.",
  "allowance.balance": "Your settlement-token balance",
  "allowance.token": "Settlement token",
  "allowance.tenders.title": "Bid bond allowance (tender house)",
  "allowance.tenders.text":
    "Your first sealed bid on a tender escrows its bid bond: the tender house takes it under this allowance. Set it to at least the bonds of the tenders you will bid on; revealing a bid gives its bond back.",
  "allowance.orderBook.title": "Order escrow allowance (order book)",
  "allowance.orderBook.text":
    "The approval that funds an order moves its value into escrow: the order book takes it from this hospital account under this allowance. Set it to at least the value of the orders your approvers will fund.",
  "allowance.fund.title": "Fund allowance (the fund contract)",
  "allowance.fund.text":
    "Prepayments and direct-settlement escrow move from the fund's account into the fund contract under this allowance. Set it to at least what you will pay in.",
  "allowance.current": "Current allowance",
  "allowance.contract": "Contract",
  "allowance.unlimited": "Unlimited",
  "allowance.newValue": "New allowance (yuan)",
  "allowance.newValueHelp": "For example 50000 or 1,234.50; 0 withdraws the allowance.",
  "allowance.invalid": "Enter an amount in yuan with at most two decimals.",
  "allowance.set": "Sign and set the allowance",
  "allowance.none": "Your roles draw on no token allowance.",
} as const;

export const zh: Record<keyof typeof en, string> = {
  "nav.allowance": "授权额度",
  "allowance.title": "代币授权额度",
  "allowance.intro":
    "账本只会在您授予相应合约的额度内从您的账户划转结算代币。在本页签署一份许可（EIP-2612）即可设定额度：由网关的中继账户发送交易，您无需支付 gas。许可将额度设为您填写的金额，而不是在原额度上累加。",
  "allowance.balance": "您的结算代币余额",
  "allowance.token": "结算代币",
  "allowance.tenders.title": "投标保证金授权额度（招标合约）",
  "allowance.tenders.text":
    "您在一次招标中首次提交密封投标时将托管该招标的投标保证金：招标合约在此额度内划转。请至少设为您将参与的招标的保证金之和；解密投标后保证金退还。",
  "allowance.orderBook.title": "订单托管授权额度（订单合约）",
  "allowance.orderBook.text":
    "使订单注资的那次审批会将订单金额转入托管：订单合约在此额度内从本医院账户划转。请至少设为审批人将要审批的订单金额之和。",
  "allowance.fund.title": "医保基金授权额度（基金合约）",
  "allowance.fund.text":
    "预付款和直接结算资金在此额度内从医保基金账户转入基金合约。请至少设为您将要拨付的金额。",
  "allowance.current": "当前额度",
  "allowance.contract": "合约",
  "allowance.unlimited": "不限额",
  "allowance.newValue": "新额度（元）",
  "allowance.newValueHelp": "例如 50000 或 1,234.50；填 0 即撤销授权。",
  "allowance.invalid": "请输入以元为单位、最多两位小数的金额。",
  "allowance.set": "签署并设定额度",
  "allowance.none": "您的角色不需要代币授权额度。",
};
