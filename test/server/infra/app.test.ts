import { expect } from "chai";
import { buildApp } from "../../../server/app";
import { DbUsageError, openPglite } from "../../../server/db";
import { testConfig } from "../helpers/config";
import { rejectionOf } from "../helpers/rejection";

describe("buildApp", function () {
  describe("without a database passed in", function () {
    it("opens the configured one, migrates it, and closes it with the app", async function () {
      const app = buildApp(testConfig(), { ledger: false });
      await app.ready();
      expect(app.db.engine).to.equal("pglite");
      expect(app.config.db).to.deep.equal({ engine: "pglite", dir: undefined });
      const { rows } = await app.db.query("SELECT count(*)::int AS n FROM ledger_meta");
      expect(rows).to.deep.equal([{ n: 0 }]);
      await app.close();
      expect(await rejectionOf(app.db.query("SELECT 1"))).to.be.instanceOf(DbUsageError);
    });

    it("fails to start when PostgreSQL cannot be reached", async function () {
      const app = buildApp(testConfig({ DATABASE_URL: "postgres://postgres@127.0.0.1:1/ledger" }), {
        ledger: false,
      });
      const error = await rejectionOf(app.ready());
      expect(error.message).to.match(/ECONNREFUSED/);
      await app.close();
    });
  });

  describe("with a database passed in", function () {
    it("migrates it and leaves it open when the app closes", async function () {
      const db = await openPglite();
      try {
        const app = buildApp(testConfig(), { db, ledger: false });
        await app.ready();
        expect(app.db).to.equal(db);
        await app.close();
        const { rows } = await db.query<{ name: string }>("SELECT name FROM schema_migrations");
        expect(rows.map((r) => r.name)).to.include("0001_meta.sql");
      } finally {
        await db.close();
      }
    });
  });
});
