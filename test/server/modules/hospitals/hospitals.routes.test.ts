import { expect } from "chai";
import { ethers } from "ethers";
import type { FastifyInstance } from "fastify";
import { Hospital, HospitalPage } from "../../../../api/hospitals";
import * as act from "../../../../ledger/acts";
import { HospitalsRepository } from "../../../../server/modules/hospitals/hospitals.repository";
import { forEachEngine } from "../../helpers/engines";
import { expectServedAsDocumented } from "../../support/documented-fields";
import type { ChainStack } from "../../support/chain";
import {
  bearer,
  enrolSecondHospital,
  expectError,
  extraWallet,
  expectInvalidField,
  loginAll,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * The hospital directory: GET /v1/hospitals[/:address] lists the enrolled hospitals with their
 * enrolment on chain and their names, and PUT /v1/hospitals/:address/name publishes a name — taken
 * only when its keccak256 is the nameHash the regulator enrolled the hospital under, so a wrong
 * name cannot be put on anyone, whoever sends it.
 */

// test/server/support/chain.ts procure(): the regulator enrols the hospital under this name.
const NAME = "General Hospital";

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let t: Record<"regulator" | "supplier" | "hospital" | "stranger", string>;
  let hospital: string;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain } = stack);
    await enrolSecondHospital(chain, []);
    await app.indexer.catchUp();
    const { cast } = chain;
    hospital = cast.hospital.address;
    t = await loginAll(app, {
      regulator: cast.regulator,
      supplier: cast.supplier,
      hospital: cast.hospital,
      stranger: cast.stranger,
    });
  });

  after(() => stopApi(stack));

  const get = (path: string, token?: string) =>
    app.inject({ method: "GET", url: path, headers: token ? bearer(token) : {} });
  const publish = (address: string, payload: unknown, token?: string) =>
    app.inject({
      method: "PUT",
      url: `/v1/hospitals/${address}/name`,
      headers: token ? bearer(token) : {},
      payload: payload as object,
    });

  /** The HospitalEnrolled log of `address` on chain: what the listing must point at. */
  async function enrolment(address: string) {
    const [log] = await chain.ledger.hospitals.queryFilter(
      chain.ledger.hospitals.filters.HospitalEnrolled(address),
    );
    return { txHash: log.transactionHash, blockNumber: log.blockNumber, regulator: log.args.regulator };
  }

  describe("before any name is published", function () {
    it("lists every enrolled hospital with its nameHash, its enrolment on chain and no name", async function () {
      const res = await get("/v1/hospitals", t.supplier);
      const page = res.json<HospitalPage>();
      const second = chain.cast.hospital2.address;
      expect(page.items.map((h) => h.address)).to.deep.equal(
        [hospital, second].map((a) => a.toLowerCase()).sort(),
      );
      const general = page.items.find((h) => h.address === hospital.toLowerCase())!;
      const onChain = await enrolment(hospital);
      expect(general).to.deep.include({
        name: null,
        namePublished: null,
        nameHash: ethers.id(NAME),
        enrolledBy: onChain.regulator.toLowerCase(),
        enrolment: { txHash: onChain.txHash, blockNumber: onChain.blockNumber },
      });
      const block = await chain.provider.getBlock(onChain.blockNumber);
      expect(general.enrolledAt).to.equal(new Date(block!.timestamp * 1000).toISOString());
      expectServedAsDocumented(res, HospitalPage, await new HospitalsRepository(app.db).list({}));
    });

    it("pages by address with a cursor", async function () {
      const first = (await get("/v1/hospitals?limit=1", t.stranger)).json<HospitalPage>();
      expect(first.items).to.have.length(1);
      expect(first.nextCursor).to.be.a("string");
      const next = (
        await get(`/v1/hospitals?limit=1&cursor=${encodeURIComponent(first.nextCursor!)}`, t.stranger)
      ).json<HospitalPage>();
      expect(next.items).to.have.length(1);
      expect(next.nextCursor).to.equal(null);
      expect(next.items[0].address > first.items[0].address).to.equal(true);
    });
  });

  describe("PUT /v1/hospitals/:address/name", function () {
    it("refuses a name that is not the enrolled one: 400 HOSPITAL_NAME_MISMATCH with both hashes", async function () {
      for (const wrong of ["General Hospital ", "general hospital", "City General Hospital"]) {
        const body = expectError(
          await publish(hospital, { name: wrong }, t.regulator),
          400,
          "HOSPITAL_NAME_MISMATCH",
          `not the nameHash ${ethers.id(NAME)} the hospital was enrolled under`,
        );
        expect(body.details).to.deep.equal({ computedHash: ethers.id(wrong), onChainHash: ethers.id(NAME) });
      }
      // Nothing was stored: the hospital still has no name.
      expect((await get(`/v1/hospitals/${hospital}`, t.supplier)).json<Hospital>().name).to.equal(null);
    });

    it("takes the enrolled name from any signed-in account: 201, then 200 for the same name again", async function () {
      const first = await publish(hospital, { name: NAME }, t.stranger);
      expect(first.statusCode, first.body).to.equal(201);
      const published = first.json<Hospital>();
      expect(published.name).to.equal(NAME);
      expect(published.namePublished!.by).to.equal(chain.cast.stranger.address.toLowerCase());

      // A repeat changes nothing: the first publisher stays on record.
      const again = await publish(hospital.toLowerCase(), { name: NAME }, t.hospital);
      expect(again.statusCode, again.body).to.equal(200);
      expect(again.json<Hospital>()).to.deep.equal(published);

      const read = await get(`/v1/hospitals/${hospital}`, t.supplier);
      expectServedAsDocumented(read, Hospital, await new HospitalsRepository(app.db).get(hospital));
      expect(read.json<Hospital>()).to.deep.equal(published);
      const listed = (await get("/v1/hospitals", t.supplier)).json<HospitalPage>();
      expect(listed.items.map((h) => h.name)).to.have.members([NAME, null]);
    });

    it("hashes a name as its UTF-8 bytes: a Chinese name is taken exactly as enrolled", async function () {
      const third = extraWallet(chain, 14);
      await act.enrolHospital(chain.ledger, chain.cast.regulator, third, "第三人民医院", [], 10_000_000n);
      await app.indexer.catchUp();
      expectError(
        await publish(third.address, { name: "第三医院" }, t.hospital),
        400,
        "HOSPITAL_NAME_MISMATCH",
      );
      const res = await publish(third.address, { name: "第三人民医院" }, t.hospital);
      expect(res.statusCode, res.body).to.equal(201);
      expect(res.json<Hospital>()).to.deep.include({
        name: "第三人民医院",
        nameHash: ethers.id("第三人民医院"),
      });
    });

    it("answers 404 HOSPITAL_NOT_FOUND for an account the ledger never enrolled", async function () {
      const supplier = chain.cast.supplier.address;
      expectError(
        await publish(supplier, { name: NAME }, t.regulator),
        404,
        "HOSPITAL_NOT_FOUND",
        `no hospital ${supplier} is enrolled on the ledger`,
      );
      expectError(await get(`/v1/hospitals/${supplier}`, t.regulator), 404, "HOSPITAL_NOT_FOUND");
    });

    it("checks the token before the body: 401 without one, whatever is sent", async function () {
      expectError(await publish(hospital, { name: NAME }), 401, "UNAUTHORIZED");
      expectError(await publish(hospital, { nom: 1 }), 401, "UNAUTHORIZED");
      expectError(await get("/v1/hospitals"), 401, "UNAUTHORIZED");
    });

    it("answers 400 VALIDATION_FAILED for a missing, empty, too long or control-character name", async function () {
      expect(expectInvalidField(await publish(hospital, {}, t.regulator), "body.name")).to.equal(
        "is required",
      );
      expectInvalidField(await publish(hospital, { name: "" }, t.regulator), "body.name");
      expectInvalidField(await publish(hospital, { name: "H".repeat(201) }, t.regulator), "body.name");
      expectInvalidField(await publish(hospital, { name: NAME, extra: 1 }, t.regulator), "body.extra");
      expectInvalidField(
        await publish(hospital, { name: "General\u0007Hospital" }, t.regulator),
        "body.name",
      );
      expectInvalidField(await publish("0x1234", { name: NAME }, t.regulator), "params.address");
    });
  });
});
