import type { ErrorCode } from "../../../api/errors";
import type { Lang } from "./lang";

/**
 * Chinese sentences for the gateway's error codes (api/errors.ts): the gateway's messages are
 * English, written for developers and support staff. In English the gateway's own message is
 * shown, as it names the very order, nonce or field; in Chinese it stays in small print. Every code of the catalogue has one (the type says so), each with what the user can do about it.
 * NETWORK is the console's own: the gateway could not be reached.
 */
export const GATEWAY_SENTENCES_ZH: Record<ErrorCode | "NETWORK", string> = {
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
  INVALID_JSON: "提交的内容不是有效的 JSON，请刷新页面后重试。",
  BARCODE_INVALID: "条码无法识别：格式有误或校验位不符，请重新扫描或手工录入。",
  BARCODE_NOT_UDI: "该条码不是医疗器械唯一标识（UDI），请扫描产品包装上的 UDI 条码。",
  IDEMPOTENCY_KEY_REQUIRED: "提交缺少防重复标识，请刷新页面后重新提交。",
  CURSOR_INVALID: "翻页位置已失效，请回到第一页重新查看。",
  RECEIPT_LINE_INVALID: "收货单中有一行信息不完整或前后矛盾，请按下方提示的行号核对。",
  RECEIPT_TIME_INVALID: "收货时间有误：不能晚于当前时间，也不能早于发货时间。",
  MANIFEST_INVALID: "序列号清单格式有误或与该发货不符，请核对后重新上传。",
  MANIFEST_ROOT_MISMATCH: "序列号清单与链上登记的发货清单不一致，请上传发货时登记的那份清单。",
  HOSPITAL_NAME_MISMATCH: "医院名称与链上登记的名称不一致，请按登记时的全称填写。",
  GLN_INVALID: "GLN 应为 13 位数字且校验位正确。",
  CAMPUS_UNKNOWN: "该 GLN 不是本院已登记的院区。",
  RESOLUTION_INVALID: "该异常无法按所选方式处理，请查看说明后另选处理方式。",
  SIWE_INVALID: "登录请求无效或不是发给本网关的，请刷新页面后重新登录。",
  RELAY_TARGET_NOT_LEDGER: "该操作调用的不是账本合约，网关不予代付。",
  RELAY_VALUE_NOT_ALLOWED: "代付的操作不能附带转账金额。",
  RELAY_PERMIT_SPENDER_NOT_LEDGER: "授权对象不是接收结算代币的账本合约。",
  SIWE_SIGNATURE_INVALID: "登录签名与账户不符，请用所选账户重新签名。",
  SIWE_NONCE_UNKNOWN: "登录请求已过期或已使用，请重新登录。",
  SIWE_EXPIRED: "登录请求已过期，请重新登录。",
  ROUTE_NOT_FOUND: "网关没有此功能，请刷新页面；如仍出现，请联系技术支持。",
  ORDER_NOT_FOUND: "未找到该订单，请核对订单号。",
  SHIPMENT_NOT_FOUND: "未找到该发货单：编号有误，或尚未同步到网关，请稍后再试。",
  LOT_NOT_FOUND: "未找到该批号。",
  SERIAL_NOT_FOUND: "未找到该序列号。",
  RECEIPT_NOT_FOUND: "未找到该收货单，请核对收货单号。",
  SUPPLIER_NOT_FOUND: "未找到该供应商。",
  HOSPITAL_NOT_FOUND: "未找到该医院。",
  MEMBER_NOT_FOUND: "该账户不是本院的成员，也未受本院邀请。",
  TENDER_NOT_FOUND: "未找到该招标。",
  AGREEMENT_NOT_FOUND: "未找到该协议。",
  SETTLEMENT_NOT_FOUND: "未找到该结算。",
  MANIFEST_NOT_FOUND: "该发货尚未上传序列号清单。",
  EXCEPTION_NOT_FOUND: "未找到该异常，可能不属于本院。",
  CAMPUS_EXISTS: "该 GLN 已登记为院区。",
  RECEIPT_EXISTS: "该收货单号已登记过，请核对单号，勿重复收货。",
  RECEIPT_NUMBER_AMBIGUOUS: "多家医院使用了这个收货单号，请同时指定医院。",
  SHIPMENT_ALREADY_RECEIVED: "该发货已有收货记录，勿重复收货。",
  EXCEPTION_ALREADY_RESOLVED: "该异常已由他人处理，请刷新查看处理结果。",
  SHIPMENT_ALREADY_SETTLED: "该发货的结算已在进行或已完成。",
  UNSUPPORTED_MEDIA_TYPE: "上传的文件类型不受支持。",
  URI_TOO_LONG: "请求的地址过长，请缩短查询条件后重试。",
  HEADERS_TOO_LARGE: "请求头过大，请清除浏览器缓存后重新登录。",
  DEVICE_IDENTIFIER_NOT_DECLARED: "该器械标识尚无供应商在链上登记，任何发货都不会包含它，请核对条码。",
  SIWE_TOO_MANY_NONCES: "未完成的登录请求过多，请稍后再试。",
};

/** The sentence for a gateway error code in `lang`; null where the gateway's message is shown. */
export function gatewayErrorSentence(code: string, lang: Lang): string | null {
  // Own keys only: the code comes from whatever answered, and `__proto__` is a key of every object.
  return lang === "zh" && Object.hasOwn(GATEWAY_SENTENCES_ZH, code)
    ? GATEWAY_SENTENCES_ZH[code as ErrorCode | "NETWORK"]
    : null;
}
