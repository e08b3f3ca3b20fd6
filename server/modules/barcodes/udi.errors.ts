/** The agencies (and look-alikes) a scanned code can be recognised as. */
export type CodeScheme = "MA (IDcode)" | "AHM (阿里健康)" | "industrial-internet identifier";

/**
 * A scanned code of a non-GS1 scheme that cannot be used: malformed (MALFORMED), or well formed
 * but not a medical-device UDI (NOT_UDI). The message starts with the scheme's name.
 */
export class UdiError extends Error {
  constructor(
    public readonly scheme: CodeScheme,
    public readonly code: "MALFORMED" | "NOT_UDI",
    problem: string,
    public readonly details?: Record<string, unknown>,
  ) {
    super(`${scheme}: ${problem}`);
    this.name = "UdiError";
  }
}
