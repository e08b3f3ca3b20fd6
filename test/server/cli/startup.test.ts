import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "chai";
import { buildOnce, compiled } from "../helpers/build";

/**
 * Every CLI command is a process of its own, so what its start loads is paid on every command:
 * the ledger's code and ethers, not the gateway's schemas (TypeBox), server or databases.
 */
describe("sunshine CLI: start-up", function () {
  before(async function () {
    this.timeout(300_000);
    await buildOnce();
  });

  it("loads neither TypeBox nor the gateway's server and database packages", async function () {
    const { stdout } = await promisify(execFile)(process.execPath, [
      "-e",
      `require(${JSON.stringify(compiled("scripts/cli/main.ts"))});
       console.log(JSON.stringify(Object.keys(require.cache)))`,
    ]);
    const loaded = JSON.parse(stdout) as string[];
    expect(loaded.some((file) => file.includes("/dist/scripts/cli/"))).to.equal(true);
    const packages = loaded.filter((file) =>
      /\/node_modules\/(typebox|fastify|pg|@electric-sql\/pglite)\//.test(file),
    );
    expect(packages).to.deep.equal([]);
  });
});
