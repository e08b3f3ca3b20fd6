import { createHmac } from "node:crypto";
import Fastify, { type FastifyInstance } from "fastify";
import type { Usage, UsageRequest } from "../../api/usages";
import type { Db } from "../../server/db";
import { insertOnce, requestHash } from "../../server/lib/idempotency";
import { insertNewUsage, type NewUsage } from "../../server/modules/usages/usages.repository";
import { UsagesService, saltId } from "../../server/modules/usages/usages.service";

/**
 * The usage route taken apart, to see where a usage's cost lies beside the bare insert. Three
 * routes on a bare Fastify app (no plugins, no token, no chain read), each answering as the
 * gateway's route does:
 *
 * - `/parts/usage-statement`: the usage's one statement as the service sends it (`insertOnce`
 *   with `insertNewUsage`), the row taken from the body with no checks;
 * - `/parts/usage-statements-grouped`: the same rows, but the requests that arrive while a
 *   statement runs go together into one multi-row statement. The gateway does not do this: it is
 *   measured to know what grouping concurrent usages would give (docs/performance.md);
 * - `/parts/usage-service`: `UsagesService.record`, the route's whole work below HTTP (its checks,
 *   the patient's salted hash, the statement).
 */

export function partsApp(db: Db, salt: string, actor: { address: string; hospital: string }, now: Date) {
  const app = Fastify();
  const service = new UsagesService(db, salt);
  const grouped = groupedInserts(db);
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
  const view = (u: NewUsage): Usage => ({
    hospital: u.hospital,
    usageId: u.usageId,
    gtin: u.gtin,
    lot: u.lot,
    serial: null,
    expiry: null,
    department: u.department,
    campus: null,
    patientRefHash: u.patientHash,
    usedAt: u.usedAt.toISOString(),
    billingCode: u.billingCode,
    billedAmount: u.billedAmount.toString(),
    quantity: u.quantity,
    correctsUsageId: null,
    caseId: null,
    caseGroup: null,
    recordedBy: u.recordedBy,
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
      insertNewUsage(u, view(u)),
    );
    return reply.code(201).send(outcome?.body);
  });
  app.post<Post>("/parts/usage-statements-grouped", async (request, reply) => {
    const u = row(request.body);
    return reply.code(201).send(await grouped(u, view(u), request.headers["idempotency-key"], request.body));
  });
  app.post<Post>("/parts/usage-service", async (request, reply) => {
    const outcome = await service.record(request.body, actor, request.headers["idempotency-key"], now);
    return reply.code(outcome.statusCode as 201).send(outcome.body);
  });
  return app satisfies FastifyInstance;
}

/**
 * Grouped inserts: a request waits for the statement in flight, if any, and goes in the next one
 * with every request that arrived meanwhile. One statement inserts the group's usages and their
 * idempotency keys, the columns as arrays (one statement text, prepared once, for any group).
 * A bench's requests are all new and distinct: a repeated key or usage would fail the group here,
 * where the gateway would have to answer each request on its own.
 */
function groupedInserts(db: Db) {
  type Waiting = { params: unknown[]; resolve: (response: Usage) => void; reject: (error: unknown) => void };
  let waiting: Waiting[] = [];
  let running = false;
  const send = async () => {
    if (running || waiting.length === 0) return;
    const group = waiting;
    waiting = [];
    running = true;
    try {
      const columns = GROUPED_TYPES.map((_, c) => group.map((w) => w.params[c]));
      const { rows } = await db.query<{ key: string; response: Usage }>(GROUPED_SQL, columns, {
        prepared: true,
      });
      const byKey = new Map(rows.map((r) => [r.key, r.response]));
      for (const w of group) {
        const response = byKey.get(w.params[GROUPED_TYPES.length - 2] as string);
        if (response) w.resolve(response);
        else w.reject(new Error("a grouped usage was not inserted"));
      }
    } catch (error) {
      for (const w of group) w.reject(error);
    } finally {
      running = false;
      // After the event loop has read the requests that came meanwhile.
      setImmediate(() => void send());
    }
  };
  return (u: NewUsage, view: Usage, key: string, body: unknown) =>
    new Promise<Usage>((resolve, reject) => {
      const { params } = insertNewUsage(u, view);
      waiting.push({
        // insertNewUsage's 19 columns and view, then the key's scope, key and request hash.
        params: [...params, `usages:${u.hospital}`, key, requestHash(body)],
        resolve,
        reject,
      });
      setImmediate(() => void send());
    });
}

const GROUPED_TYPES = [
  ...["text", "text", "text", "text", "text", "date", "text", "text", "text", "text"],
  ...["timestamptz", "text", "numeric", "int", "text", "text", "text", "text", "text"],
  ...["jsonb", "text", "text", "text"],
];

const GROUPED_SQL = `WITH input AS (
    SELECT * FROM unnest(${GROUPED_TYPES.map((t, i) => `$${i + 1}::${t}[]`).join(", ")})
      AS i(hospital, usage_id, gtin, lot, serial, expiry, barcode, department, patient_hash, patient_salt_id,
        used_at, billing_code, billed_amount, quantity, corrects_usage_id, recorded_by, campus, case_id, case_group,
        view, scope, key, hash)
  ),
  effect AS (
    INSERT INTO usages (hospital, usage_id, gtin, lot, serial, expiry, barcode, department, patient_hash,
      patient_salt_id, used_at, billing_code, billed_amount, quantity, corrects_usage_id, recorded_by, campus,
      case_id, case_group)
    SELECT hospital, usage_id, gtin, lot, serial, expiry, barcode, department, patient_hash, patient_salt_id,
      used_at, billing_code, billed_amount, quantity, corrects_usage_id, recorded_by,
      COALESCE(campus, (SELECT gln FROM campuses c WHERE c.hospital = input.hospital AND main)), case_id, case_group
    FROM input
    ON CONFLICT (hospital, usage_id) DO NOTHING
    RETURNING hospital, usage_id, campus
  ),
  stored AS (
    INSERT INTO idempotency_keys (scope, key, request_hash, status_code, response)
    SELECT i.scope, i.key, i.hash, 201, i.view || jsonb_build_object('campus', e.campus)
    FROM effect e JOIN input i USING (hospital, usage_id)
    RETURNING key, response
  )
  SELECT key, response FROM stored`;
