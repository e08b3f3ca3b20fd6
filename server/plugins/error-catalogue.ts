import { ERROR_CATALOGUE, type ErrorBody, type ErrorCode } from "../../api/errors";

/**
 * The error services and repositories throw (`appError(code, …)`); the codes and the body are
 * the public contract in `api/errors.ts`. No Fastify in this file.
 */

export { ERROR_CATALOGUE, type ErrorBody, type ErrorCode };

export class AppError extends Error {
  override readonly name = "AppError";
  /** Named as Fastify expects, should the error ever reach its default handler. */
  readonly statusCode: number;

  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly details?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.statusCode = ERROR_CATALOGUE[code].status;
  }

  toBody(): ErrorBody {
    return this.details === undefined
      ? { error: this.code, message: this.message }
      : { error: this.code, message: this.message, details: this.details };
  }
}

/**
 * `options.cause`: the error this one stands for (an upstream failure whose own message may not
 * reach the client), kept for the log.
 */
export function appError(
  code: ErrorCode,
  message: string,
  details?: unknown,
  options?: ErrorOptions,
): AppError {
  return new AppError(code, message, details, options);
}
