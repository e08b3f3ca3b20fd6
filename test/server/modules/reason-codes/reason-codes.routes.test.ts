import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { ReasonCatalogue } from "../../../../api/reason-codes";
import { REASON_ACTS, REASON_LIST, reasonOf, reasonsFor } from "../../../../ledger/reasons";
import { buildApp } from "../../../../server/app";
import { migrate } from "../../../../server/db";
import { forEachEngine } from "../../helpers/engines";
import { testConfig } from "../../helpers/config";
import { expectServedAsDocumented } from "../../support/documented-fields";

/**
 * GET /v1/reason-codes: the catalogue that says what each ledger reason code means, public and
 * fixed in the build. The codes the demo year records keep the meaning they were recorded with.
 */
forEachEngine((engine) => {
  let app: FastifyInstance;

  before(async function () {
    await migrate(engine.db);
    // The catalogue needs no chain: it is served by the gateway's infrastructure alone.
    app = buildApp(testConfig({}), { db: engine.db, ledger: false });
    await app.ready();
  });

  after(() => app?.close());

  it("serves every reason, in code order, without a token", async function () {
    const res = await app.inject({ method: "GET", url: "/v1/reason-codes" });
    expectServedAsDocumented(res, ReasonCatalogue, { items: REASON_LIST });
    const { items } = res.json<ReasonCatalogue>();
    expect(items[0]).to.deep.equal({
      code: 0,
      key: "unspecified",
      label: "No reason stated",
      acts: [...REASON_ACTS],
    });
    const codes = items.map((r) => r.code);
    expect(codes).to.deep.equal([...codes].sort((a, b) => a - b));
    expect(new Set(codes).size, "each code once").to.equal(codes.length);
    expect(new Set(items.map((r) => r.key)).size, "each key once").to.equal(items.length);
    for (const r of items) {
      expect(r.code, r.key).to.be.within(0, 65_535);
      expect(r.acts, r.key).to.not.be.empty;
    }
  });
});

describe("the reason-code catalogue", function () {
  it("keeps the demo year's codes meaning what the demo recorded them for", function () {
    // scripts/demo.ts: the waiver, Acme's own recall, Cardia's suspension, the dispute of damaged
    // units, the regulator's recall on a field safety notice and its lift.
    const demo: [number, string, string][] = [
      [1, "excursion_within_stability", "waiveExcursion"],
      [2, "quality_defect", "recall"],
      [7, "safety_investigation", "suspend"],
      [31, "units_damaged", "disputeShipment"],
      [41, "field_safety_notice", "recall"],
      [42, "field_action_completed", "liftRecall"],
    ];
    for (const [code, key, act] of demo) {
      expect(reasonOf(code)?.key, String(code)).to.equal(key);
      expect(reasonOf(code)?.acts, key).to.include(act);
    }
    expect(reasonOf(65_535)).to.equal(undefined);
  });

  it("gives every act that records a reason at least one reason of its own besides 'unspecified'", function () {
    for (const act of REASON_ACTS) {
      expect(
        reasonsFor(act).filter((r) => r.code !== 0),
        act,
      ).to.not.be.empty;
    }
  });

  it("is the table docs/ledger-rules.md shows, row for row", function () {
    const doc = readFileSync(path.join(__dirname, "../../../../docs/ledger-rules.md"), "utf8");
    const section = doc.slice(doc.indexOf("## Reason codes"), doc.indexOf("## Tokens"));
    const rows = section
      .split("\n")
      .filter((l) => /^\| \d/.test(l))
      .map((l) =>
        l
          .split("|")
          .slice(1, -1)
          .map((c) => c.trim()),
      );
    expect(rows).to.deep.equal(
      REASON_LIST.map((r) => [
        String(r.code),
        `\`${r.key}\``,
        r.label,
        r.code === 0 ? "every act (the CLI default)" : r.acts.map((a) => `\`${a}\``).join(", "),
      ]),
    );
  });
});
