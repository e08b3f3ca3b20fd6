import type { ErrorCode } from "../../../api/errors";
import type { Lang } from "./lang";

/**
 * Chinese sentences for the gateway's error codes (api/errors.ts) a console user can meet: the
 * gateway's messages are English, written for developers and support staff. In English the
 * gateway's own message is shown, as it names the very order, nonce or field. A code not listed
 * is shown by that message. NETWORK is the console's own: the gateway could not be reached.
 * test/console/gateway-errors.test.ts keeps every code here one the catalogue has.
 */
export const GATEWAY_SENTENCES_ZH: Partial<Record<ErrorCode | "NETWORK", string>> = {
  NETWORK: "无法连接网关，请检查网络后重试。",
  VALIDATION_FAILED: "提交的内容有误，请检查填写的各项后重试。",
  BAD_REQUEST: "请求格式有误，请刷新页面后重试。",
  UNAUTHORIZED: "登录已失效，请重新登录。",
  FORBIDDEN: "您的角色无权进行此操作。",
  NOT_YOUR_HOSPITAL: "该记录属于其他医院，您无权操作。",
  NOT_THE_SUPPLIER: "该记录属于其他供应商，您无权操作。",
  NOT_FOUND: "未找到该记录，可能已被删除或编号有误。",
  CONFLICT: "该记录的当前状态不允许此操作，请刷新后查看最新状态。",
  IDEMPOTENCY_KEY_REUSED: "此次提交与之前的提交内容不一致，请刷新页面后重新提交。",
  IDEMPOTENCY_KEY_IN_PROGRESS: "相同的提交仍在处理中，请稍候。",
  RATE_LIMITED: "操作过于频繁，请稍后再试。",
  PAYLOAD_TOO_LARGE: "上传的内容过大。",
  RELAY_NONCE_PENDING: "您的上一笔操作仍在链上确认中，请待其完成后再试。",
  RELAY_PERMIT_NONCE_PENDING: "您的上一笔授权仍在链上确认中，请待其完成后再试。",
  RELAY_NONCE_INVALID: "签名的请求已过时（其间另有操作已上链），请重新操作。",
  RELAY_PERMIT_NONCE_INVALID: "签名的授权已过时（其间另有授权已上链），请重新操作。",
  RELAY_EXPIRED: "签名的请求已过期，请重新操作。",
  RELAY_PERMIT_EXPIRED: "签名的授权已过期，请重新操作。",
  RELAY_SIGNATURE_INVALID: "签名与账户不符，请使用登录的账户重新签名。",
  RELAY_PERMIT_SIGNATURE_INVALID: "授权签名与账户不符，请使用登录的账户重新签名。",
  RELAY_NOT_YOUR_REQUEST: "只能代付您本人签名的请求。",
  RELAY_PERMIT_NOT_YOURS: "只能代付您本人签名的授权。",
  RELAY_FUNCTION_NOT_ALLOWED: "网关不为您的角色代付此操作的手续费。",
  RELAY_PERMIT_NOT_ALLOWED: "网关不为您的角色代付此项授权。",
  RELAY_GAS_TOO_HIGH: "此操作所需的手续费超出网关代付的上限。",
  RELAY_CALL_REVERTED: "账本拒绝了此操作。",
  RELAY_BUDGET_EXHAUSTED: "网关今日代付的手续费额度已用完，请明日再试。",
  CHAIN_REVERTED: "账本拒绝了此操作。",
  CHAIN_UNAVAILABLE: "暂时无法连接区块链节点，请稍后重试。",
  DATABASE_UNAVAILABLE: "网关数据库暂时不可用，请稍后重试。",
  NOT_CONFIGURED: "网关未开启此功能，请联系系统管理员。",
  INTERNAL: "网关发生内部错误，已记录，请稍后重试或联系技术支持。",
};

/** The sentence for a gateway error code in `lang`; null where the gateway's message is shown. */
export function gatewayErrorSentence(code: string, lang: Lang): string | null {
  return lang === "zh" ? (GATEWAY_SENTENCES_ZH[code as ErrorCode | "NETWORK"] ?? null) : null;
}
