import { createHmac } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { Usage, UsageRequest } from "../../api/usages";
import type { Db } from "../../server/db";
import { insertOnce } from "../../server/lib/idempotency";
import { insertNewUsage, type NewUsage } from "../../server/modules/usages/usages.repository";
import { UsagesService, saltId, usageView } from "../../server/modules/usages/usages.service";

/**
 * The usage route taken apart, to see where a usage's cost lies beside the bare insert. Two
 * routes on a bare Fastify app (no plugins, no token, no chain read), each answering as the
 * gateway's route does:
 *
 * - `/parts/usage-statement`: one usage's statement a request (`insertOnce` with
 *   `insertNewUsage`, as the service sends a usage that arrives alone), the row taken from the
 *   body with no checks: what the database costs without grouping;
 * - `/parts/usage-service`: `UsagesService.record`, the route's whole work below HTTP (its checks,
 *   the patient's salted hash, the usages that arrive together grouped into one statement).
 */

export function partsApp(db: Db, salt: string, actor: { address: string; hospital: string }, now: Date) {
  const app = Fastify();
  const service = new UsagesService(db, salt);
  const row = (body: UsageRequest): NewUsage => ({
    hospital: actor.hospital.toLowerCase(),
    usageId: body.usageId,
    gtin: body.gtin ?? "",
    lot: body.lot ?? "",
    serial: null,
    expiry: null,
    barcode: null,
    department: body.department,
    campus: null,
    patientHash: createHmac("sha256", salt).update(body.patientRef).digest("hex"),
    patientSaltId: saltId(salt),
    usedAt: new Date(body.usedAt),
    billingCode: body.billingCode,
    billedAmount: BigInt(body.billedAmount),
    quantity: 1,
    correctsUsageId: null,
    recordedBy: actor.address.toLowerCase(),
  });
  type Post = { Body: UsageRequest; Headers: { "idempotency-key": string } };

  app.post<Post>("/parts/usage-statement", async (request, reply) => {
    const u = row(request.body);
    const key = request.headers["idempotency-key"];
    const outcome = await insertOnce<Usage>(
      db,
      `usages:${u.hospital}`,
      key,
      request.body,
      201,
      insertNewUsage(u, usageView(u)),
    );
    return reply.code(201).send(outcome?.body);
  });
  app.post<Post>("/parts/usage-service", async (request, reply) => {
    const outcome = await service.record(request.body, actor, request.headers["idempotency-key"], now);
    return reply.code(outcome.statusCode as 201).send(outcome.body);
  });
  return app satisfies FastifyInstance;
}
