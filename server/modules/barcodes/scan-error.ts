import { appError, type AppError } from "../../plugins/error-catalogue";
import { Gs1Error } from "./gs1.errors";
import { UdiError } from "./udi.errors";

/**
 * A parser's refusal as the API's 400: BARCODE_INVALID for a malformed code of any agency,
 * BARCODE_NOT_UDI for a well-formed code that does not identify a medical device. `where`
 * prefixes the message (e.g. "line 2"); anything else thrown is not a parser's and is rethrown.
 */
export function scanError(error: unknown, where?: string, details: Record<string, unknown> = {}): AppError {
  const prefix = where === undefined ? "" : `${where}: `;
  if (error instanceof Gs1Error) {
    // The parse route answers where in the data the fault is; a receipt or usage names its line
    // or field, as it always has.
    const at = where === undefined ? error.details : {};
    return appError("BARCODE_INVALID", prefix + error.message, { ...details, gs1: error.code, ...at });
  }
  if (error instanceof UdiError) {
    const code = error.code === "NOT_UDI" ? "BARCODE_NOT_UDI" : "BARCODE_INVALID";
    return appError(code, prefix + error.message, { ...details, scheme: error.scheme, ...error.details });
  }
  throw error;
}
