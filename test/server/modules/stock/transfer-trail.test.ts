import fs from "node:fs";
import path from "node:path";
import Ajv from "ajv";
import addFormats from "ajv-formats";
import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import type { EpcisDocument } from "../../../../api/epcis";
import type { Trail, Verification } from "../../../../api/trail";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import { GTIN } from "../../support/chain";
import { bearer, loginAll, orderAndShip, startApi, stopApi, type ApiStack } from "../../support/api-fixtures";
import { gln } from "./stock-seed";

/**
 * A campus transfer in a lot's trail: the step with its figures, verified against the chain like
 * every other on-chain step, and in the lot's EPCIS export as an event between two locations
 * that GS1's own EPCIS 2.0 JSON schema accepts.
 */
const SCHEMA_PATH = path.resolve(__dirname, "../../../../../shared/standards/epcis/EPCIS-JSON-Schema.json");
const MAIN = gln(11);
const EAST = gln(12);
const LOT = "LOT-MOVE";

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let t: Record<"regulator" | "supplier" | "receiver", string>;
  let transferId: bigint;
  const URL = `/v1/trail/lots/${GTIN}/${LOT}`;

  before(async function () {
    this.timeout(240_000);
    stack = await startApi(engine.db);
    app = stack.app;
    const { chain, p } = stack;
    const { cast } = chain;
    t = await loginAll(app, { regulator: cast.regulator, supplier: cast.supplier, receiver: cast.receiver });
    const shipped = await orderAndShip(chain, p, { quantity: 3, prefix: "M", lot: LOT });
    transferId = await act.recordCampusTransfer(chain.ledger, cast.receiver, {
      gtin: GTIN,
      lot: LOT,
      from: MAIN,
      to: EAST,
      quantity: 2,
      serials: shipped.serials.slice(0, 2),
    });
    await app.indexer.catchUp();
  });
  after(() => stopApi(stack));

  const get = (url: string, token: string) => app.inject({ method: "GET", url, headers: bearer(token) });

  it("shows the transfer as a step of the lot's trail, to the regulator and the supplier that shipped it", async () => {
    for (const token of [t.regulator, t.supplier, t.receiver]) {
      const trail = (await get(URL, token)).json<Trail>();
      const step = trail.steps.find((s) => s.kind === "transfer");
      expect(step, JSON.stringify(trail.steps.map((s) => s.id))).to.not.equal(undefined);
      expect(step!.data).to.deep.include({
        transferId: String(transferId),
        hospital: stack.chain.cast.hospital.address.toLowerCase(),
        gtin: GTIN,
        lot: LOT,
        fromGln: MAIN,
        toGln: EAST,
        quantity: "2",
        recordedBy: stack.chain.cast.receiver.address.toLowerCase(),
      });
      expect(step!.summary).to.include(`moved from location ${MAIN} to ${EAST}`);
      expect(step!.onChain?.contractName).to.equal("campusTransfers");
      expect(trail.contracts.campusTransfers).to.equal(
        stack.chain.deployment.contracts.campusTransfers.toLowerCase(),
      );
    }
  });

  it("verifies the transfer against the chain like every on-chain step", async () => {
    const trail = (await get(URL, t.regulator)).json<Trail>();
    const result = (await get(`${URL}/verify`, t.regulator)).json<Verification>();
    expect(result.mismatches).to.deep.equal([]);
    expect(result.verified).to.equal(true);
    expect(result.checked).to.equal(trail.steps.filter((s) => s.source === "chain").length);
    // A changed quantity in the database is caught.
    await engine.db.query(`UPDATE chain_events SET args = jsonb_set(args, '{quantity}', '"3"')
      WHERE contract = 'campusTransfers'`);
    try {
      const changed = (await get(`${URL}/verify`, t.regulator)).json<Verification>();
      expect(changed.verified).to.equal(false);
      expect(changed.mismatches).to.deep.include({
        step: trail.steps.find((s) => s.kind === "transfer")!.id,
        field: "quantity",
        database: "3",
        chain: "2",
      });
    } finally {
      await engine.db.query(`UPDATE chain_events SET args = jsonb_set(args, '{quantity}', '"2"')
        WHERE contract = 'campusTransfers'`);
    }
  });

  it("exports the transfer in the lot's EPCIS document, between two locations", async () => {
    const res = await get(`${URL}/epcis`, t.regulator);
    expect(res.statusCode, res.body).to.equal(200);
    const doc = res.json<EpcisDocument>();
    const moved = doc.epcisBody.eventList.filter((e) => e["sl:ledgerEvent"] === "CampusTransferRecorded");
    expect(moved).to.have.length(1);
    expect(moved[0]).to.deep.include({
      quantityList: [{ epcClass: `https://id.gs1.org/01/${GTIN}/10/${LOT}`, quantity: 2 }],
      sourceList: [{ type: "location", source: `https://id.gs1.org/414/${MAIN}` }],
      destinationList: [{ type: "location", destination: `https://id.gs1.org/414/${EAST}` }],
      bizLocation: { id: `https://id.gs1.org/414/${EAST}` },
      "sl:transferId": String(transferId),
      "sl:serialRoot": act.serialTree(["M001", "M002"]).root,
    });
    expect(fs.existsSync(SCHEMA_PATH), SCHEMA_PATH).to.equal(true);
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(ajv);
    const validate = ajv.compile(JSON.parse(fs.readFileSync(SCHEMA_PATH, "utf8")) as object);
    expect(validate(doc), JSON.stringify(validate.errors)).to.equal(true);
  });
});
