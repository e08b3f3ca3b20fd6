export type Gs1ErrorCode =
  | "EMPTY_BARCODE"
  | "MALFORMED_BARCODE"
  | "MALFORMED_DIGITAL_LINK"
  | "UNKNOWN_AI"
  | "FIELD_TOO_SHORT"
  | "FIELD_TOO_LONG"
  | "INVALID_CHARACTER"
  | "BAD_CHECK_DIGIT"
  /** A calendar date or a time of day that does not exist. */
  | "INVALID_DATE"
  /** Any other content rule of an AI (piece of total, yes/no flag, coordinates, ...). */
  | "INVALID_VALUE"
  | "DUPLICATE_AI"
  | "CONFLICTING_AI"
  | "MISSING_REQUIRED_AI";

export class Gs1Error extends Error {
  constructor(
    public readonly code: Gs1ErrorCode,
    message: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(message);
    this.name = "Gs1Error";
  }
}
