import { LogController, type FastifyReply, type FastifyRequest } from "fastify";

/**
 * One log line a request, written when it is answered: its method, URL, host and client address
 * (Fastify's `req` serializer), its status and how long it took. Fastify's default writes two,
 * one on arrival with the request and one on completion with the status, tied by the request's
 * id: 358 bytes a request against 255 in one line. What is lost is the arrival line: a request
 * whose response never finishes (still running, or its client gone first) leaves no line with
 * its method and URL, and the other lines it causes (errors, aborted streams) carry only its id.
 * Fastify uses a supplied controller as it is: its own `disableRequestLogging` option no longer
 * applies, and would be passed to this constructor instead.
 */
export class AccessLog extends LogController {
  override incomingRequest(): void {}

  override requestCompleted(
    error: Error | null | undefined,
    request: FastifyRequest,
    reply: FastifyReply,
  ): void {
    if (this.isLogDisabled(request)) return;
    const line = { req: request, res: reply, responseTime: reply.elapsedTime };
    if (error) reply.log.error({ ...line, err: error }, "request errored");
    else reply.log.info(line, "request completed");
  }
}
