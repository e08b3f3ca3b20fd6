import { CliError, UsageError } from "./command";
import { reasonOf, type Context } from "./options";

/**
 * Every expected failure as one line a reader understands: usage errors, the CLI's own errors,
 * gateway errors (CODE (status): message) and ledger reverts decoded to the custom error with
 * its arguments — role ids by name, enum values by name, short packed strings as text.
 */

export interface DescribedError {
  code: string;
  message: string;
  status?: number;
  args?: Record<string, string>;
}

const SUPPLIER_STATUS = ["none", "active", "suspended"];
const DOCUMENT_STATUS = ["none", "pending", "attested", "rejected"];

/** Enum arguments of the ledger's errors, by error and argument name. */
async function enumNames(): Promise<Record<string, Record<string, readonly string[]>>> {
  const { ADJUSTMENT_STATUS, ORDER_STATUS, TENDER_STATUS, TRACE_STEPS } = await import("../../ledger/enums");
  return {
    OrderStatusInvalid: { status: ORDER_STATUS, expected: ORDER_STATUS },
    TenderStatusInvalid: { status: TENDER_STATUS, expected: TENDER_STATUS },
    TraceStepNotAllowed: { step: TRACE_STEPS },
    RegistrySupplierStatus: { status: SUPPLIER_STATUS, expected: SUPPLIER_STATUS },
    RegistryDocumentNotPending: { status: DOCUMENT_STATUS },
    BudgetAdjustmentNotPending: { status: ADJUSTMENT_STATUS },
  };
}

/**
 * A revert argument as a reader wants it: a role id by its name, a bytes32 holding a short
 * code (a category packed as the ledger packs it) as that code, anything else as decoded.
 */
async function readable(): Promise<(value: string) => string> {
  const { decodeBytes32String, id, ZeroHash } = await import("ethers");
  const roles = new Map([[ZeroHash, "DEFAULT_ADMIN_ROLE"]]);
  for (const name of ["REGULATOR_ROLE", "PAUSER_ROLE"]) roles.set(id(name), name);
  return (value) => {
    const role = roles.get(value);
    if (role) return role;
    if (/^0x[0-9a-f]{64}$/i.test(value)) {
      try {
        const text = decodeBytes32String(value);
        if (/^[\x20-\x7e]+$/.test(text)) return text;
      } catch {
        // not a packed string: keep the hex
      }
    }
    return value;
  };
}

export async function describeError(error: unknown, ctx?: Context): Promise<DescribedError> {
  if (error instanceof UsageError) return { code: "USAGE", message: error.message };
  if (error instanceof CliError) return { code: error.code, message: error.message };
  const { GatewayError } = await import("../lib/gateway-client");
  if (error instanceof GatewayError) {
    return { code: error.code, status: error.status, message: error.message };
  }
  const { decodeRevert, revertDataOf } = await import("../../ledger/revert");
  const data = revertDataOf(error);
  const e = error as { code?: string; reason?: string | null; shortMessage?: string; message?: string };
  if (data) {
    const revert = decodeRevert(data);
    if (revert) {
      const show = await readable();
      const names = (await enumNames())[revert.name] ?? {};
      const args = Object.fromEntries(
        Object.entries(revert.args).map(([k, v]) => [k, names[k]?.[Number(v)] ?? show(v)]),
      );
      const list = Object.entries(args)
        .map(([k, v]) => `${k}=${v}`)
        .join(", ");
      return { code: revert.name, message: `${revert.name}(${list})`, args };
    }
    if (e.reason) return { code: "REVERTED", message: `reverted: ${e.reason}` };
    return {
      code: "REVERTED",
      message: `reverted with an error the ledger does not define (selector ${data.slice(0, 10)})`,
    };
  }
  if (e?.code === "CALL_EXCEPTION") {
    return {
      code: "REVERTED",
      message: e.reason ? `reverted: ${e.reason}` : "the transaction reverted (no reason given)",
    };
  }
  if (error instanceof TypeError && /fetch failed/.test(error.message)) {
    const url = ctx?.globals.gateway ?? ctx?.globals.relay ?? "the gateway";
    return { code: "GATEWAY_UNREACHABLE", message: `cannot reach the gateway at ${url}: ${reasonOf(error)}` };
  }
  if (error instanceof SyntaxError)
    return { code: "BAD_RESPONSE", message: `the gateway sent a reply that is not JSON: ${error.message}` };
  if (e?.code && e.shortMessage) return { code: e.code, message: e.shortMessage };
  return { code: "ERROR", message: e?.message ?? String(error) };
}
