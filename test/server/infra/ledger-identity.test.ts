import { expect } from "chai";
import { assertLedgerIdentity, LedgerIdentityError, migrate } from "../../../server/db";
import { forEachEngine } from "../helpers/engines";
import { rejectionOf } from "../helpers/rejection";

const DEPLOYMENT = "0xAbC0000000000000000000000000000000000001";

describe("assertLedgerIdentity", function () {
  forEachEngine((engine) => {
    before(() => migrate(engine.db));

    it("records the chain and deployment on first start", async function () {
      await assertLedgerIdentity(engine.db, { chainId: 31337n, deploymentId: DEPLOYMENT });
      const { rows } = await engine.db.query("SELECT key, value FROM ledger_meta ORDER BY key");
      expect(rows).to.deep.equal([
        { key: "chain_id", value: "31337" },
        { key: "deployment_id", value: DEPLOYMENT.toLowerCase() },
      ]);
    });

    it("accepts the same ledger on later starts, hex ids in any case", async function () {
      await assertLedgerIdentity(engine.db, { chainId: 31337, deploymentId: DEPLOYMENT.toLowerCase() });
      await assertLedgerIdentity(engine.db, {
        chainId: 31337n,
        deploymentId: ` ${DEPLOYMENT.toUpperCase().replace("0X", "0x")} `,
      });
    });

    it("refuses another chain, saying what to do", async function () {
      const error = await rejectionOf(
        assertLedgerIdentity(engine.db, { chainId: 1n, deploymentId: "0xdef" }),
      );
      expect(error).to.be.instanceOf(LedgerIdentityError);
      expect(error.message).to.equal(
        `database was indexed from chain 31337 deployment ${DEPLOYMENT.toLowerCase()}, but the configuration ` +
          "points at chain 1 deployment 0xdef; use a fresh DATA_DIR/database or run npm run reset",
      );
    });

    it("refuses another deployment on the same chain", async function () {
      const error = await rejectionOf(
        assertLedgerIdentity(engine.db, { chainId: 31337n, deploymentId: "0x02" }),
      );
      expect(error).to.be.instanceOf(LedgerIdentityError);
      expect(error.message).to.match(/points at chain 31337 deployment 0x02;/);
    });

    it("rejects an empty deployment id", async function () {
      const error = await rejectionOf(assertLedgerIdentity(engine.db, { chainId: 1n, deploymentId: " " }));
      expect(error).to.be.instanceOf(LedgerIdentityError);
      expect(error.message).to.equal("deploymentId must not be empty");
    });

    it("lets only one of several first starts record its identity", async function () {
      await engine.db.query("DELETE FROM ledger_meta");
      const handles =
        engine.engine === "postgres"
          ? [await engine.connect(), await engine.connect()]
          : [engine.db, engine.db];
      const outcomes = await Promise.allSettled([
        assertLedgerIdentity(handles[0], { chainId: 5n, deploymentId: "0xaa" }),
        assertLedgerIdentity(handles[1], { chainId: 6n, deploymentId: "0xbb" }),
      ]);
      expect(outcomes.map((o) => o.status).sort()).to.deep.equal(["fulfilled", "rejected"]);
    });
  });
});
