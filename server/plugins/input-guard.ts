import type { FastifyInstance, FastifyRequest } from "fastify";
import fp from "fastify-plugin";
import { appError } from "./error-catalogue";

/**
 * The last line of the edge: no control character reaches the database. PostgreSQL cannot hold
 * a NUL byte in TEXT nor in JSON, so `/v1/receipts/%00` or `?reason=a%00b` failed in SQL as a
 * 500. The schemas forbid control characters where they define a string (api/common.ts,
 * `PlainText`); this hook covers every path, query and body string whatever its schema says.
 * It runs as `preHandler`: after `requireRole` (onRequest), so a stranger still gets 401 or 403
 * and learns nothing more; after the rate limit (preValidation), so refused requests count; and
 * after the schemas, whose own refusals name the field more precisely.
 */

// Tab, line feed and carriage return are text, and GS (U+001D) separates the elements of a GS1
// barcode as a scanner sends it; no other control character is allowed.
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001c\u001e\u001f\u007f]/;

/** The JSON-pointer-like path of the first string holding a control character, or null. */
export function findControlCharacter(value: unknown, where: string, depth = 0): string | null {
  if (typeof value === "string") return CONTROL.test(value) ? where : null;
  // A body nested this deep is refused by the schemas anyway; stop before the stack does.
  if (value === null || typeof value !== "object" || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    const found = CONTROL.test(key)
      ? `${where}.${key}`
      : findControlCharacter(item, `${where}.${key}`, depth + 1);
    if (found !== null) return found;
  }
  return null;
}

function check(request: FastifyRequest): void {
  const found =
    findControlCharacter(request.params, "params") ??
    findControlCharacter(request.query, "querystring") ??
    findControlCharacter(request.body, "body");
  if (found !== null)
    throw appError("VALIDATION_FAILED", `${found} must not contain control characters`, {
      fields: [{ field: found, message: "must not contain control characters" }],
    });
}

async function inputGuard(app: FastifyInstance): Promise<void> {
  // A path no route has answers 404 (its handler reads nothing): said so even with a NUL in it,
  // rather than a 400 for a field of a route that does not exist.
  app.addHook("preHandler", async (request) => {
    if (!request.is404) check(request);
  });
}

export default fp(inputGuard, { name: "input-guard", fastify: "5.x" });
