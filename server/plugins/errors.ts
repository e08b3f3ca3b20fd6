import type {
  FastifyError,
  FastifyInstance,
  FastifyReply,
  FastifyRequest,
  FastifySchemaValidationError,
} from "fastify";
import fp from "fastify-plugin";
import { STATUS_CODES } from "node:http";
import type { Socket } from "node:net";
import { ErrorBody } from "../../api/errors";
import { AppError, ERROR_CATALOGUE, type ErrorCode } from "./error-catalogue";

export { AppError, appError, ERROR_CATALOGUE, type ErrorBody, type ErrorCode } from "./error-catalogue";

/**
 * The one place errors become responses: every failure, whether thrown by a service, raised
 * by schema validation, by Fastify's body parsing or routing, answers `{ error, message,
 * details? }` with a catalogue code. Bad input is always a 4xx; only a fault of ours is a 500,
 * and its cause is logged, never sent.
 */

/** Fastify's own client errors whose code says more than their status. */
const FASTIFY_CODES: Readonly<Record<string, ErrorCode>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_EMPTY_JSON_BODY: "INVALID_JSON",
  FST_ERR_CTP_BODY_TOO_LARGE: "PAYLOAD_TOO_LARGE",
  FST_ERR_CTP_INVALID_MEDIA_TYPE: "UNSUPPORTED_MEDIA_TYPE",
};

/** Any other 4xx error (from Fastify or a plugin such as @fastify/static), by status. */
const STATUS_ERRORS: Readonly<Record<number, ErrorCode>> = {
  401: "UNAUTHORIZED",
  403: "FORBIDDEN",
  404: "NOT_FOUND",
  409: "CONFLICT",
  413: "PAYLOAD_TOO_LARGE",
  414: "URI_TOO_LONG",
  415: "UNSUPPORTED_MEDIA_TYPE",
  429: "RATE_LIMITED",
  431: "HEADERS_TOO_LARGE",
};

const INTERNAL: ErrorBody = { error: "INTERNAL", message: "internal error" };

export interface ErrorReply {
  status: number;
  body: ErrorBody;
}

/** The status and body to answer for anything thrown while handling a request. */
export function toErrorReply(error: unknown): ErrorReply {
  if (error instanceof AppError) return { status: error.statusCode, body: error.toBody() };
  if (!isFastifyError(error)) return { status: 500, body: INTERNAL };
  if (error.validation) return validationReply(error.validation, error.validationContext);
  const status = error.statusCode ?? 500;
  if (status < 400 || status >= 500) return { status: 500, body: INTERNAL };
  // An unlisted 4xx keeps its status (the client may rely on it) under the generic code.
  const code = FASTIFY_CODES[error.code] ?? STATUS_ERRORS[status] ?? "BAD_REQUEST";
  return { status, body: { error: code, message: error.message } };
}

export interface FieldProblem {
  /** Where in the request, e.g. `body.lines[0].gtin` or `querystring.limit`. */
  field: string;
  message: string;
}

function validationReply(
  issues: readonly FastifySchemaValidationError[],
  context: string | undefined,
): ErrorReply {
  const fields = issues.map((issue) => fieldProblem(issue, context ?? "request"));
  return {
    status: ERROR_CATALOGUE.VALIDATION_FAILED.status,
    body: {
      error: "VALIDATION_FAILED",
      message: fields.map((f) => `${f.field} ${f.message}`).join("; "),
      details: { fields },
    },
  };
}

function fieldProblem(issue: FastifySchemaValidationError, context: string): FieldProblem {
  // instancePath is a JSON pointer to the offending value; a missing or unexpected property
  // is reported on its parent, with the property's name in params.
  const segments = issue.instancePath
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"));
  const { missingProperty, additionalProperty, allowedValues } = issue.params;
  let message = issue.message ?? `failed ${issue.keyword}`;
  if (typeof missingProperty === "string") {
    segments.push(missingProperty);
    message = "is required";
  } else if (typeof additionalProperty === "string") {
    segments.push(additionalProperty);
    message = "is not allowed";
  } else if (Array.isArray(allowedValues)) {
    message = `must be one of ${allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
  }
  const field = segments.reduce((path, s) => (/^\d+$/.test(s) ? `${path}[${s}]` : `${path}.${s}`), context);
  return { field, message };
}

function isFastifyError(error: unknown): error is FastifyError {
  return error instanceof Error && typeof (error as Partial<FastifyError>).code === "string";
}

function sendError(error: unknown, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const { status, body } = toErrorReply(error);
  if (status >= 500) request.log.error({ err: error }, "request failed");
  else request.log.info({ error: body.error }, body.message);
  return reply.code(status).send(body);
}

/**
 * For Fastify's `frameworkErrors` option: errors raised while routing, before any plugin's
 * error handler applies (a URL that does not decode, a path parameter too long).
 */
export function frameworkErrorHandler(
  error: FastifyError,
  request: FastifyRequest,
  reply: FastifyReply,
): void {
  sendError(error, request, reply);
}

/**
 * For Fastify's `clientErrorHandler` option: a request Node refuses before Fastify sees it
 * (headers too large, a malformed request line) answers the catalogue's body too, then closes.
 */
export function clientErrorHandler(error: NodeJS.ErrnoException, socket: Socket): void {
  if (error.code === "ECONNRESET" || socket.destroyed || !socket.writable) return;
  const code: ErrorCode = error.code === "HPE_HEADER_OVERFLOW" ? "HEADERS_TOO_LARGE" : "BAD_REQUEST";
  const { status } = ERROR_CATALOGUE[code];
  const message =
    code === "HEADERS_TOO_LARGE" ? "the request's headers are too large" : "malformed HTTP request";
  const body = JSON.stringify({ error: code, message } satisfies ErrorBody);
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

async function errorsPlugin(app: FastifyInstance): Promise<void> {
  app.addSchema(ErrorBody);
  app.setErrorHandler((error, request, reply) => sendError(error, request, reply));
  app.setNotFoundHandler((request, reply) =>
    sendError(
      new AppError("ROUTE_NOT_FOUND", `no route for ${request.method} ${request.url.split("?")[0]}`),
      request,
      reply,
    ),
  );
}

export default fp(errorsPlugin, { name: "errors", fastify: "5.x" });
