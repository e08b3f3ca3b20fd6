import { createHmac } from "node:crypto";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { UsagePage, type Usage } from "../../../../api/usages";
import * as act from "../../../../ledger/acts";
import { listUsages } from "../../../../server/modules/usages/usages.repository";
import { forEachEngine } from "../../helpers/engines";
import { expectServedAsDocumented } from "../../support/documented-fields";
import { GTIN, LOT } from "../../support/chain";
import {
  bearer,
  chainIso,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  loginAll,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * GET /v1/usages: a hospital's billing usages for its account, approvers and receivers (every
 * hospital's for a regulator), by hospital and usage id, filtered by item, department and time
 * used. The patient is served only as the salted hash stored, never as the reference sent.
 */

/** The gateway's salt in tests (support/gateway.ts). */
const SALT = "test-patient-salt-".padEnd(32, "x");
const PATIENT = "MRN-0042-SECRET";
/**
 * A billing id JSON and a cursor must carry intact: quotes, a slash, a non-ASCII letter. It sorts
 * after U-1 and U-2 under any collation (C, or one that ignores punctuation).
 */
const ODD_ID = 'U-3"/é';

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let t: Record<
    "regulator" | "hospital" | "approver" | "receiver" | "receiver2" | "settler" | "supplier" | "stranger",
    string
  >;
  /** Hospital A's usages in usage id order, then hospital B's. */
  let a: Usage[];
  let b: Usage[];
  let earlier: string;
  let later: string;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const { chain } = stack;
    const { cast } = chain;
    await enrolSecondHospital(chain, [{ wallet: cast.receiver2, roles: act.HOSPITAL_ROLES.receiver }]);
    t = await loginAll(app, {
      regulator: cast.regulator,
      hospital: cast.hospital,
      approver: cast.approver,
      receiver: cast.receiver,
      receiver2: cast.receiver2,
      settler: cast.settler,
      supplier: cast.supplier,
      stranger: cast.stranger,
    });
    earlier = await chainIso(chain, -7200);
    later = await chainIso(chain, -60);
    const record = async (token: string, body: Record<string, unknown>): Promise<Usage> => {
      const res = await app.inject({
        method: "POST",
        url: "/v1/usages",
        headers: { ...bearer(token), "idempotency-key": `usage-${String(body.usageId)}-${token.slice(-8)}` },
        payload: { gtin: GTIN, lot: LOT, patientRef: PATIENT, billingCode: "C-1", ...body },
      });
      expect(res.statusCode, res.body).to.equal(201);
      return res.json<Usage>();
    };
    const u1 = await record(t.receiver, {
      usageId: "U-1",
      department: "Cardiology",
      usedAt: earlier,
      billedAmount: "1200",
      quantity: 2,
    });
    const u2 = await record(t.receiver, {
      usageId: "U-2",
      lot: "LOTB2026",
      department: "ICU",
      usedAt: later,
      billedAmount: "900",
    });
    // A return of one unit of U-1: a usage of its own.
    const u3 = await record(t.receiver, {
      usageId: ODD_ID,
      department: "Cardiology",
      usedAt: later,
      billedAmount: "-600",
      quantity: -1,
      correctsUsageId: "U-1",
    });
    const b1 = await record(t.receiver2, {
      usageId: "U-1",
      department: "Cardiology",
      usedAt: later,
      billedAmount: "500",
    });
    a = [u1, u2, u3];
    b = [b1];
  });

  after(() => stopApi(stack));

  const get = (url: string, token?: string) =>
    app.inject({ method: "GET", url, headers: token ? bearer(token) : {} });
  const items = async (url: string, token: string) => {
    const res = await get(url, token);
    expect(res.statusCode, res.body).to.equal(200);
    return res.json<UsagePage>().items;
  };
  const hospitalA = () => stack.chain.cast.hospital.address.toLowerCase();
  const hospitalB = () => stack.chain.cast.hospital2.address.toLowerCase();
  /** Every usage in list order: by hospital address, then usage id. */
  const every = () => (hospitalA() < hospitalB() ? [...a, ...b] : [...b, ...a]);

  it("lists exactly what POST /v1/usages answered: the hospital's usages for its account, approvers and receivers", async function () {
    for (const token of [t.hospital, t.approver, t.receiver]) {
      expect(await items("/v1/usages", token)).to.deep.equal(a);
    }
    expect(await items("/v1/usages", t.receiver2)).to.deep.equal(b);
    expect(await items("/v1/usages", t.regulator)).to.deep.equal(every());
    expect(
      await items(`/v1/usages?hospital=${stack.chain.cast.hospital2.address}`, t.regulator),
    ).to.deep.equal(b);
  });

  it("never serves the patient reference: only the salted hash stored", async function () {
    const res = await get("/v1/usages", t.regulator);
    expect(res.body).to.not.include(PATIENT);
    const hash = createHmac("sha256", SALT).update(PATIENT).digest("hex");
    expect(res.json<UsagePage>().items.map((u) => u.patientRefHash)).to.deep.equal([hash, hash, hash, hash]);
  });

  it("lists nothing to a hospital that names another: the filter narrows, never widens", async function () {
    expect(await items(`/v1/usages?hospital=${hospitalA()}`, t.receiver2)).to.deep.equal([]);
    expect(await items(`/v1/usages?hospital=${hospitalB()}`, t.approver)).to.deep.equal([]);
  });

  it("filters by GTIN, lot, department and the time used (from inclusive, to exclusive)", async function () {
    const ids = async (query: string) =>
      (await items(`/v1/usages?${query}`, t.receiver)).map((u) => u.usageId);
    expect(await ids(`gtin=${GTIN}`)).to.deep.equal(a.map((u) => u.usageId));
    expect(await ids("gtin=09520123456795")).to.deep.equal([]);
    expect(await ids("lot=LOTB2026")).to.deep.equal(["U-2"]);
    expect(await ids("department=Cardiology")).to.deep.equal(["U-1", ODD_ID]);
    expect(await ids("department=cardiology")).to.deep.equal([]);
    expect(await ids(`from=${later}`)).to.deep.equal(["U-2", ODD_ID]);
    expect(await ids(`to=${later}`)).to.deep.equal(["U-1"]);
    expect(await ids(`from=${earlier}&to=${later}&department=Cardiology`)).to.deep.equal(["U-1"]);
  });

  it("serves each item as documented: what the repository listed, field for field", async function () {
    const produced = await listUsages(app.db, {}, undefined);
    expectServedAsDocumented(await get("/v1/usages", t.regulator), UsagePage, produced);
  });

  it("pages one at a time across hospitals: the pages add up to the whole list, each usage once", async function () {
    const seen: Usage[][] = [];
    let cursor: string | null = null;
    do {
      const res = await get(
        `/v1/usages?limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`,
        t.regulator,
      );
      expect(res.statusCode, res.body).to.equal(200);
      const page = res.json<UsagePage>();
      seen.push(page.items);
      cursor = page.nextCursor;
    } while (cursor !== null && seen.length < 10);
    expect(seen).to.deep.equal(every().map((u) => [u]));
  });

  it("answers 400 CURSOR_INVALID for a cursor it did not issue, and 400 naming a bad filter", async function () {
    const cursor = (key: string) => Buffer.from(key).toString("base64url");
    for (const forged of [
      "!!not-ours",
      cursor("U-1"),
      cursor('["only-one"]'),
      cursor(`["${hospitalA()}", 7]`),
      cursor('["a","b\\u0000"]'),
    ]) {
      expectError(
        await get(`/v1/usages?cursor=${forged}`, t.receiver),
        400,
        "CURSOR_INVALID",
        "not one this API issued",
      );
    }
    expectInvalidField(await get("/v1/usages?gtin=123", t.receiver), "querystring.gtin");
    expectInvalidField(await get("/v1/usages?lot=", t.receiver), "querystring.lot");
    expectInvalidField(await get("/v1/usages?department=%01", t.receiver), "querystring.department");
    expectInvalidField(await get("/v1/usages?from=last-week", t.receiver), "querystring.from");
    expectInvalidField(await get("/v1/usages?patientRef=MRN", t.receiver), "querystring.patientRef");
  });

  it("answers 401 without a token and 403 to a settler, a supplier or an account without roles", async function () {
    expectError(await get("/v1/usages"), 401, "UNAUTHORIZED");
    for (const token of [t.settler, t.supplier, t.stranger]) {
      expectError(
        await get("/v1/usages?gtin=123", token),
        403,
        "FORBIDDEN",
        "this route needs one of the roles regulator, hospital-admin, hospital-approver, hospital-receiver;",
      );
    }
  });
});
