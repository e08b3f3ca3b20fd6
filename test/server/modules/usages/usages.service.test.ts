import { expect } from "chai";
import { createHmac } from "node:crypto";
import { migrate, type Db } from "../../../../server/db";
import type { UsageRequest } from "../../../../api/usages";
import { saltId, UsagesService } from "../../../../server/modules/usages/usages.service";
import { forEachEngine } from "../../helpers/engines";
import { rejectionOf } from "../../helpers/rejection";

const NOW = new Date("2026-09-01T00:00:00Z");
const SALT = "usage-test-salt-0123456789";
const HOSPITAL = "0x00000000000000000000000000000000000000AB";
const OTHER_HOSPITAL = "0x00000000000000000000000000000000000000cd";
const NURSE = "0x00000000000000000000000000000000000000EF";
const ACTOR = { address: NURSE, hospital: HOSPITAL };
const GTIN = "09520123456788";
const GS = "\x1d";

let counter = 0;
/** A valid usage with a fresh id; `overrides` replace or (as undefined) remove fields. */
function usage(overrides: Record<string, unknown> = {}): UsageRequest {
  const request: Record<string, unknown> = {
    usageId: `U-${++counter}`,
    gtin: GTIN,
    lot: "LOT1",
    department: "cardiology",
    patientRef: "MRN-000123",
    usedAt: "2026-08-01T10:00:00+08:00",
    billingCode: "C-1001",
    billedAmount: "125000",
    ...overrides,
  };
  for (const key of Object.keys(request)) if (request[key] === undefined) delete request[key];
  return request as unknown as UsageRequest;
}

describe("UsagesService.record", function () {
  forEachEngine((engine) => {
    let service: UsagesService;
    const record = (request: UsageRequest, key = `key-${request.usageId}`, actor = ACTOR) =>
      service.record(request, actor, key, NOW);
    const rejection = (request: UsageRequest) => rejectionOf(record(request));

    before(async function () {
      await migrate(engine.db);
      service = new UsagesService(engine.db, SALT);
    });

    describe("when the item comes as fields", function () {
      it("stores the usage and answers with it, the patient only as its salted hash", async function () {
        const request = usage({
          usageId: "U-fields",
          serial: "SN1",
          expiry: "2028-04-26",
          billedAmount: 125000,
        });
        const response = await record(request);
        expect(response).to.deep.equal({
          statusCode: 201,
          replayed: false,
          body: {
            hospital: HOSPITAL.toLowerCase(),
            usageId: "U-fields",
            gtin: GTIN,
            lot: "LOT1",
            serial: "SN1",
            expiry: "2028-04-26",
            department: "cardiology",
            // No campus registered: counted at the main campus once there is one.
            campus: null,
            patientRefHash: createHmac("sha256", SALT).update("MRN-000123").digest("hex"),
            usedAt: "2026-08-01T02:00:00.000Z",
            billingCode: "C-1001",
            billedAmount: "125000",
            quantity: 1,
            correctsUsageId: null,
            caseId: null,
            caseGroup: null,
            recordedBy: NURSE.toLowerCase(),
          },
        });
      });

      it("keeps the case and its DRG/DIP group; a correction naming none is the original's; a group needs its case", async function () {
        const used = await record(
          usage({
            usageId: "U-case",
            quantity: 2,
            billedAmount: "2000",
            caseId: "IP-2026-0042",
            caseGroup: "FM19",
          }),
        );
        expect(used.body).to.include({ caseId: "IP-2026-0042", caseGroup: "FM19" });
        const refund = await record(
          usage({ usageId: "R-case", quantity: -1, billedAmount: "-1000", correctsUsageId: "U-case" }),
        );
        expect(refund.body).to.include({ caseId: "IP-2026-0042", caseGroup: "FM19" });
        const { rows } = await engine.db.query<{ usage_id: string; case_id: string; case_group: string }>(
          `SELECT usage_id, case_id, case_group FROM usages WHERE usage_id IN ('U-case', 'R-case') ORDER BY usage_id`,
        );
        expect(rows).to.deep.equal([
          { usage_id: "R-case", case_id: "IP-2026-0042", case_group: "FM19" },
          { usage_id: "U-case", case_id: "IP-2026-0042", case_group: "FM19" },
        ]);
        const error = await rejection(usage({ usageId: "U-group", caseGroup: "FM19" }));
        expect(error).to.include({
          code: "VALIDATION_FAILED",
          message: "caseGroup needs the caseId of its case",
        });
      });

      it("widens a GTIN-13 to GTIN-14", async function () {
        const { body } = await record(usage({ gtin: GTIN.slice(1) }));
        expect(body.gtin).to.equal(GTIN);
      });
    });

    describe("when the item comes as a barcode", function () {
      const forms: [string, string][] = [
        ["bracketed", `(01)${GTIN}(17)280426(10)ABC1(21)12345`],
        [
          "scanned, with a symbology identifier and GS separators",
          `]d201${GTIN}17280426` + `10ABC1${GS}2112345`,
        ],
        ["a Digital Link URI", `https://id.gs1.org/01/${GTIN}/10/ABC1/21/12345?17=280426`],
      ];
      forms.forEach(([form, barcode], i) => {
        it(`reads GTIN, lot, serial and expiry from ${form}`, async function () {
          const { body } = await record(
            usage({ gtin: undefined, lot: undefined, barcode, usageId: `U-scan-${i}` }),
          );
          expect(body).to.include({ gtin: GTIN, lot: "ABC1", serial: `12345`, expiry: "2028-04-26" });
          // The same serial is recorded three times here on purpose: reuse is the report's to flag.
        });
      });
    });

    describe("returns and corrections", function () {
      it("takes back part of a usage, then refuses to take back more than is left", async function () {
        await record(usage({ usageId: "U-box", quantity: 3, billedAmount: "3000" }));
        const first = await record(
          usage({ usageId: "R-box-1", quantity: -2, billedAmount: "-2000", correctsUsageId: "U-box" }),
        );
        expect(first.body).to.include({ quantity: -2, billedAmount: "-2000", correctsUsageId: "U-box" });
        const error = await rejection(
          usage({ usageId: "R-box-2", quantity: -2, billedAmount: "0", correctsUsageId: "U-box" }),
        );
        expect(error).to.include({
          code: "CONFLICT",
          message: "usage U-box has 1 unit(s) left to return; returning 2 would over-return it",
        });
      });

      it("refuses to refund more than was billed", async function () {
        await record(usage({ usageId: "U-refund", billedAmount: "500" }));
        const error = await rejection(
          usage({ usageId: "R-refund", quantity: -1, billedAmount: "-501", correctsUsageId: "U-refund" }),
        );
        expect(error).to.include({
          code: "CONFLICT",
          message: "usage U-refund has 500 left to refund; refunding 501 would exceed what was billed",
        });
      });

      it("refuses a correction of an unknown usage", async function () {
        const error = await rejection(usage({ quantity: -1, billedAmount: "0", correctsUsageId: "U-404" }));
        expect(error).to.include({
          code: "VALIDATION_FAILED",
          message: "correctsUsageId U-404 is not a usage of this hospital",
        });
      });

      it("refuses a correction of another hospital's usage", async function () {
        await record(usage({ usageId: "U-elsewhere" }), "key-elsewhere", {
          address: NURSE,
          hospital: OTHER_HOSPITAL,
        });
        const error = await rejection(
          usage({ quantity: -1, billedAmount: "0", correctsUsageId: "U-elsewhere" }),
        );
        expect(error.message).to.equal("correctsUsageId U-elsewhere is not a usage of this hospital");
      });

      it("refuses a correction for a different item", async function () {
        await record(usage({ usageId: "U-item", serial: "SN-9" }));
        const error = await rejection(
          usage({ serial: "SN-8", quantity: -1, billedAmount: "0", correctsUsageId: "U-item" }),
        );
        expect(error).to.include({
          code: "VALIDATION_FAILED",
          message: `correctsUsageId U-item is for (01)${GTIN}(10)LOT1(21)SN-9, not (01)${GTIN}(10)LOT1(21)SN-8`,
        });
      });

      it("refuses a correction of a correction", async function () {
        await record(usage({ usageId: "U-twice", quantity: 2 }));
        await record(
          usage({ usageId: "R-twice", quantity: -1, billedAmount: "0", correctsUsageId: "U-twice" }),
        );
        const error = await rejection(usage({ quantity: -1, billedAmount: "0", correctsUsageId: "R-twice" }));
        expect(error.message).to.equal(
          "correctsUsageId R-twice is itself a correction; refer to the original usage",
        );
      });

      it("refuses a correction dated before the usage", async function () {
        await record(usage({ usageId: "U-early" }));
        const error = await rejection(
          usage({
            quantity: -1,
            billedAmount: "0",
            correctsUsageId: "U-early",
            usedAt: "2026-07-31T00:00:00Z",
          }),
        );
        expect(error.message).to.equal(
          "usedAt must not be before the usage it corrects (2026-08-01T02:00:00.000Z)",
        );
      });
    });

    describe("with bad input", function () {
      const cases: [string, Record<string, unknown>, string, string][] = [
        [
          "a barcode with a bad check digit",
          { gtin: undefined, lot: undefined, barcode: "(01)09520123456787(10)L1" },
          "BARCODE_INVALID",
          "barcode: AI (01) GTIN 09520123456787: check digit should be 8, got 7",
        ],
        [
          "a barcode without a lot",
          { gtin: undefined, lot: undefined, barcode: `(01)${GTIN}(21)SN1` },
          "VALIDATION_FAILED",
          "barcode has no lot (AI 10); usage is reconciled per lot",
        ],
        [
          "a barcode and fields together",
          { barcode: `(01)${GTIN}(10)L1` },
          "VALIDATION_FAILED",
          "barcode or gtin/lot: give the item as a barcode or as fields, not both",
        ],
        ["a missing department", { department: undefined }, "VALIDATION_FAILED", "department is required"],
        ["a missing lot", { lot: undefined }, "VALIDATION_FAILED", "lot is required (or give a barcode)"],
        [
          "a lot outside GS1's character set",
          { lot: "LOT 1" },
          "VALIDATION_FAILED",
          'lot: AI (10) batch/lot "LOT 1": character " " at position 4 is outside the GS1 character set 82',
        ],
        [
          "a lot the ledger refuses (it would be a formula in a spreadsheet)",
          { lot: "=1+1" },
          "VALIDATION_FAILED",
          'lot "=1+1" must not begin with =: no ledger lot may',
        ],
        [
          "a scanned lot the ledger refuses",
          { gtin: undefined, lot: undefined, barcode: `(01)${GTIN}(10)-L1` },
          "VALIDATION_FAILED",
          'barcode lot "-L1" must not begin with -: no ledger lot may',
        ],
        [
          "an empty patient reference",
          { patientRef: " " },
          "VALIDATION_FAILED",
          "patientRef must be a non-empty string of at most 128 characters",
        ],
        [
          "a time without a zone",
          { usedAt: "2026-08-01T10:00:00" },
          "VALIDATION_FAILED",
          "usedAt must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00+08:00",
        ],
        [
          "an impossible date",
          { usedAt: "2026-02-30T10:00:00Z" },
          "VALIDATION_FAILED",
          "usedAt must be an ISO 8601 date-time with a time zone, e.g. 2026-03-01T09:30:00+08:00",
        ],
        [
          "a time in the future",
          { usedAt: "2026-09-01T00:10:00Z" },
          "VALIDATION_FAILED",
          "usedAt 2026-09-01T00:10:00Z is in the future",
        ],
        [
          "an amount with a fraction",
          { billedAmount: 12.5 },
          "VALIDATION_FAILED",
          "billedAmount must be a whole number of minor units, as a string or a safe integer, not 12.5",
        ],
        [
          "an amount as a decimal string",
          { billedAmount: "12.50" },
          "VALIDATION_FAILED",
          'billedAmount must be a whole number of minor units, as a string or a safe integer, not "12.50"',
        ],
        [
          "a zero quantity",
          { quantity: 0 },
          "VALIDATION_FAILED",
          "quantity must be a whole number from -1000000 to 1000000, other than 0",
        ],
        [
          "several units of one serial",
          { serial: "SN1", quantity: 2 },
          "VALIDATION_FAILED",
          "quantity must be 1 (or -1 for a return) for a serialised item, not 2",
        ],
        [
          "a negative quantity without the usage it corrects",
          { quantity: -1, billedAmount: "0" },
          "VALIDATION_FAILED",
          "correctsUsageId is required when quantity is negative (a return or correction)",
        ],
        [
          "a positive quantity that claims to correct",
          { correctsUsageId: "U-1" },
          "VALIDATION_FAILED",
          "correctsUsageId is only for returns and corrections, which have a negative quantity",
        ],
        [
          "a negative amount on a usage",
          { billedAmount: "-1" },
          "VALIDATION_FAILED",
          "billedAmount must not be negative on a usage; a refund is a correction with a negative quantity",
        ],
        [
          "a charge on a return",
          { quantity: -1, billedAmount: "500", correctsUsageId: "U-1" },
          "VALIDATION_FAILED",
          "billedAmount of a return or correction must be 0 or negative (a refund), not 500",
        ],
      ];
      for (const [what, overrides, code, message] of cases) {
        it(`refuses ${what}: ${message}`, async function () {
          const before = await count();
          const error = await rejection(usage(overrides));
          expect(error).to.include({ code, message });
          expect(await count()).to.equal(before);
        });
      }

      it("names the field in the error details", async function () {
        const error = await rejection(usage({ department: undefined }));
        expect((error as unknown as { details: unknown }).details).to.deep.equal({ field: "department" });
      });
    });

    describe("idempotency", function () {
      it("answers a repeat with the same key and body with the first response", async function () {
        const request = usage({ usageId: "U-idem" });
        const first = await record(request, "idem-1");
        const again = await record({ ...request }, "idem-1");
        expect(again).to.deep.equal({ ...first, replayed: true });
        expect(await count("U-idem")).to.equal(1);
      });

      it("refuses the same key with a different body", async function () {
        const request = usage({ usageId: "U-idem-2" });
        await record(request, "idem-2");
        const conflict = {
          code: "IDEMPOTENCY_KEY_REUSED",
          message: "Idempotency-Key idem-2 was already used with a different request body",
        };
        expect(await rejectionOf(record({ ...request, billedAmount: "1" }, "idem-2"))).to.include(conflict);
        // The patient reference takes part in the comparison through its hash.
        expect(await rejectionOf(record({ ...request, patientRef: "MRN-999" }, "idem-2"))).to.include(
          conflict,
        );
      });

      it("refuses a usage id already recorded under another key", async function () {
        await record(usage({ usageId: "U-dup" }), "dup-1");
        const error = await rejectionOf(record(usage({ usageId: "U-dup" }), "dup-2"));
        expect(error).to.include({ code: "CONFLICT", message: "usage U-dup was already recorded" });
      });

      it("refuses a key reused for another usage id, and stores nothing of that usage", async function () {
        await record(usage({ usageId: "U-reuse-1" }), "reuse");
        const error = await rejectionOf(record(usage({ usageId: "U-reuse-2" }), "reuse"));
        expect(error).to.include({
          code: "IDEMPOTENCY_KEY_REUSED",
          message: "Idempotency-Key reuse was already used with a different request body",
        });
        expect(await count("U-reuse-1")).to.equal(1);
        expect(await count("U-reuse-2")).to.equal(0);
      });

      it("stores a usage sent five times at once with one key once, and answers all five alike", async function () {
        const request = usage({ usageId: "U-burst" });
        const outcomes = await Promise.all(Array.from({ length: 5 }, () => record({ ...request }, "burst")));
        expect(outcomes.filter((o) => !o.replayed)).to.have.length(1);
        const first = outcomes.find((o) => !o.replayed);
        for (const o of outcomes) expect({ ...o, replayed: false }).to.deep.equal(first);
        expect(await count("U-burst")).to.equal(1);
      });

      it("stores a usage id sent at once under five keys once, and refuses the other four", async function () {
        const outcomes = await Promise.allSettled(
          Array.from({ length: 5 }, (_, i) => record(usage({ usageId: "U-race" }), `race-${i}`)),
        );
        expect(outcomes.filter((o) => o.status === "fulfilled")).to.have.length(1);
        for (const o of outcomes.filter((o) => o.status === "rejected")) {
          expect(o.reason).to.include({ code: "CONFLICT", message: "usage U-race was already recorded" });
        }
        expect(await count("U-race")).to.equal(1);
        const { rows } = await engine.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM idempotency_keys WHERE key LIKE 'race-%'`,
        );
        expect(rows[0].n).to.equal(1);
      });
    });

    describe("usages that arrive together", function () {
      /**
       * A service on the same database that counts the statements it sends; `failure` may fail a
       * statement instead of sending it (as the database would refuse it).
       */
      function countingService(failure?: (sql: string, sent: number) => Error | undefined): {
        service: UsagesService;
        statements: string[];
      } {
        const statements: string[] = [];
        const db: Db = {
          engine: engine.db.engine,
          query: (sql, params, options) => {
            statements.push(sql);
            const error = failure?.(sql, statements.length);
            if (error) return Promise.reject(error);
            return engine.db.query(sql, params, options);
          },
          exec: (sql) => engine.db.exec(sql),
          transaction: (fn) => engine.db.transaction(fn),
          close: () => engine.db.close(),
        };
        return { service: new UsagesService(db, SALT), statements };
      }

      it("go into the database as one statement, each answered as if it came alone", async function () {
        const { service: grouped, statements } = countingService();
        const requests = Array.from({ length: 6 }, (_, i) => usage({ usageId: `U-group-${i}` }));
        const outcomes = await Promise.all(
          requests.map((r) => grouped.record(r, ACTOR, `group-${r.usageId}`, NOW)),
        );
        expect(statements).to.have.length(1);
        expect(outcomes.map((o) => [o.statusCode, o.replayed, o.body.usageId])).to.deep.equal(
          requests.map((r) => [201, false, r.usageId]),
        );
        for (const [i, o] of outcomes.entries()) {
          expect(o.body).to.deep.include({
            hospital: HOSPITAL.toLowerCase(),
            patientRefHash: createHmac("sha256", SALT).update("MRN-000123").digest("hex"),
            billedAmount: "125000",
            campus: null,
          });
          // What the key stored is what was answered: a repeat (alone) replays it.
          expect(await record(requests[i], `group-${requests[i].usageId}`)).to.deep.equal({
            ...o,
            replayed: true,
          });
          expect(await count(requests[i].usageId)).to.equal(1);
        }
      });

      it("answer a replay and a usage id already recorded as alone, and store the rest", async function () {
        await record(usage({ usageId: "U-group-r" }), "group-r");
        await record(usage({ usageId: "U-group-q" }), "group-q");
        const { service: grouped, statements } = countingService();
        const [replay, conflict, a, b] = await Promise.allSettled([
          grouped.record(usage({ usageId: "U-group-r" }), ACTOR, "group-r", NOW),
          grouped.record(usage({ usageId: "U-group-q" }), ACTOR, "group-q-again", NOW),
          grouped.record(usage({ usageId: "U-group-a" }), ACTOR, "group-a", NOW),
          grouped.record(usage({ usageId: "U-group-b" }), ACTOR, "group-b", NOW),
        ]);
        expect(replay).to.have.property("status", "fulfilled");
        expect((replay as PromiseFulfilledResult<{ replayed: boolean }>).value.replayed).to.equal(true);
        expect(conflict).to.have.property("status", "rejected");
        expect((conflict as PromiseRejectedResult).reason).to.include({
          code: "CONFLICT",
          message: "usage U-group-q was already recorded",
        });
        for (const o of [a, b]) expect(o).to.deep.include({ status: "fulfilled" });
        // The group's statement, then the two it did not insert, each on its own: the replay in
        // one statement, the conflict in two (the insert, then the read of its key).
        expect(statements).to.have.length(4);
        expect(await count("U-group-a")).to.equal(1);
        expect(await count("U-group-b")).to.equal(1);
        expect(await count("U-group-q")).to.equal(1);
      });

      it("with a key already used for another usage: refuse that one, store the others", async function () {
        await record(usage({ usageId: "U-group-used" }), "group-used");
        const { service: grouped, statements } = countingService();
        const outcomes = await Promise.allSettled([
          grouped.record(usage({ usageId: "U-group-c" }), ACTOR, "group-c", NOW),
          grouped.record(usage({ usageId: "U-group-other" }), ACTOR, "group-used", NOW),
          grouped.record(usage({ usageId: "U-group-d" }), ACTOR, "group-d", NOW),
        ]);
        expect(outcomes.map((o) => o.status)).to.deep.equal(["fulfilled", "rejected", "fulfilled"]);
        // The group's statement failed on the key; then each alone, the reused key's in two (its
        // insert, then the read of the key it found).
        expect(statements).to.have.length(5);
        expect((outcomes[1] as PromiseRejectedResult).reason).to.include({
          code: "IDEMPOTENCY_KEY_REUSED",
          message: "Idempotency-Key group-used was already used with a different request body",
        });
        expect(await count("U-group-c")).to.equal(1);
        expect(await count("U-group-d")).to.equal(1);
        expect(await count("U-group-other")).to.equal(0);
      });

      it("store every column as a usage sent alone does, the main campus filled in", async function () {
        await engine.db.query(
          `INSERT INTO campuses (hospital, gln, name, main, registered_by, registered_at)
           VALUES ($1, '6901234000017', 'Main campus', true, $2, now()), ($3, '6901234000024', 'Main campus', true, $2, now())`,
          [HOSPITAL.toLowerCase(), NURSE.toLowerCase(), OTHER_HOSPITAL.toLowerCase()],
        );
        const variants = [
          { serial: "SN-G1", expiry: "2028-04-26", quantity: 1 },
          { barcode: `01${GTIN}17280426` + `10LOT7${GS}21SN-G2`, gtin: undefined, lot: undefined },
          { caseId: "CASE-9", caseGroup: "DRG-FM19", quantity: 3, billedAmount: "0" },
          { usedAt: "2026-08-31T23:59:59Z", department: "icu", patientRef: "MRN-777" },
        ];
        // The same usages under each hospital: one hospital's alone, the other's together.
        for (const [i, v] of variants.entries()) await record(usage({ usageId: `U-cols-${i}`, ...v }));
        const { service: grouped, statements } = countingService();
        const other = { address: NURSE, hospital: OTHER_HOSPITAL };
        await Promise.all(
          variants.map((v, i) =>
            grouped.record(usage({ usageId: `U-cols-${i}`, ...v }), other, `cols-${i}`, NOW),
          ),
        );
        expect(statements).to.have.length(1);
        const stored = async (hospital: string) =>
          (
            await engine.db.query(
              `SELECT usage_id, gtin, lot, serial, expiry::text, barcode, department, patient_hash, patient_salt_id,
                 used_at, billing_code, billed_amount::text, quantity, corrects_usage_id, recorded_by,
                 case_id, case_group, campus IS NOT NULL AS has_campus
               FROM usages WHERE hospital = $1 AND usage_id LIKE 'U-cols-%' ORDER BY usage_id`,
              [hospital.toLowerCase()],
            )
          ).rows;
        const alone = await stored(HOSPITAL);
        expect(alone).to.have.length(4);
        expect(await stored(OTHER_HOSPITAL)).to.deep.equal(alone);
        expect(alone.every((r) => r.has_campus)).to.equal(true);
        const { rows: campuses } = await engine.db.query<{ campus: string }>(
          `SELECT DISTINCT campus FROM usages WHERE hospital = $1 AND usage_id LIKE 'U-cols-%'`,
          [OTHER_HOSPITAL.toLowerCase()],
        );
        expect(campuses.map((r) => r.campus)).to.deep.equal(["6901234000024"]);
      });

      it("send a usage alone again when PostgreSQL picks it as a deadlock's victim", async function () {
        const deadlock = Object.assign(new Error("deadlock detected"), { code: "40P01", severity: "ERROR" });
        const { service: once, statements } = countingService((_, sent) =>
          sent === 1 ? deadlock : undefined,
        );
        const outcome = await once.record(usage({ usageId: "U-victim" }), ACTOR, "victim", NOW);
        expect([outcome.statusCode, outcome.replayed]).to.deep.equal([201, false]);
        expect(statements).to.have.length(2);
        expect(await count("U-victim")).to.equal(1);
      });

      it("give each usage of a group the database's failure, when it is not a key or a deadlock", async function () {
        const down = Object.assign(new Error("terminating connection"), { code: "57P01", severity: "FATAL" });
        const { service: failing, statements } = countingService((sql) =>
          sql.includes("unnest(") ? down : undefined,
        );
        const outcomes = await Promise.allSettled(
          [0, 1, 2].map((i) => failing.record(usage({ usageId: `U-down-${i}` }), ACTOR, `down-${i}`, NOW)),
        );
        expect(outcomes.map((o) => o.status === "rejected" && o.reason === down)).to.deep.equal([
          true,
          true,
          true,
        ]);
        // Not sent again one by one into a database that is failing.
        expect(statements).to.have.length(1);
        expect(await count("U-down-0")).to.equal(0);
      });
    });

    it("never stores the raw patient reference, in any column of any table", async function () {
      const secret = "MRN-SECRET-774411";
      const { body } = await record(usage({ usageId: "U-secret", patientRef: secret }), "secret-key");
      expect(JSON.stringify(body)).to.not.include(secret);
      const { rows: tables } = await engine.db.query<{ table_name: string }>(
        `SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE'`,
      );
      expect(tables.map((t) => t.table_name)).to.include.members(["usages", "idempotency_keys"]);
      for (const { table_name } of tables) {
        // A row cast to text holds every column, JSON included.
        const { rows } = await engine.db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM "${table_name}" t WHERE t::text LIKE '%' || $1 || '%'`,
          [secret],
        );
        expect(rows[0].n, table_name).to.equal(0);
      }
      const { rows } = await engine.db.query<{ patient_hash: string }>(
        `SELECT patient_hash FROM usages WHERE usage_id = 'U-secret'`,
      );
      expect(rows[0].patient_hash).to.equal(createHmac("sha256", SALT).update(secret).digest("hex"));
    });

    it("stores the salt's id beside each hash, so a rotation of the salt is visible", async function () {
      const rotated = new UsagesService(engine.db, "rotated-salt-9876543210");
      await record(usage({ usageId: "U-salt-old" }), "salt-old");
      await rotated.record(usage({ usageId: "U-salt-new" }), ACTOR, "salt-new", NOW);
      const { rows } = await engine.db.query<{ usage_id: string; patient_salt_id: string }>(
        `SELECT usage_id, patient_salt_id FROM usages WHERE usage_id LIKE 'U-salt-%' ORDER BY usage_id`,
      );
      expect(rows).to.deep.equal([
        { usage_id: "U-salt-new", patient_salt_id: saltId("rotated-salt-9876543210") },
        { usage_id: "U-salt-old", patient_salt_id: saltId(SALT) },
      ]);
      expect(saltId(SALT))
        .to.match(/^[0-9a-f]{16}$/)
        .and.not.equal(saltId("rotated-salt-9876543210"));
      // The id gives the salt away no more than any HMAC under it does.
      expect(saltId(SALT)).not.to.include(Buffer.from(SALT).toString("hex").slice(0, 8));
    });

    it("refuses a salt too short to keep patient references secret", function () {
      expect(() => new UsagesService(engine.db, "short")).to.throw(
        "the patient-reference salt must be at least 16 bytes",
      );
    });

    async function count(usageId?: string): Promise<number> {
      const { rows } = await engine.db.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM usages WHERE $1::text IS NULL OR usage_id = $1`,
        [usageId ?? null],
      );
      return rows[0].n;
    }
  });
});
