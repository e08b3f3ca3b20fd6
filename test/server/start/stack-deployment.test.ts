import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import { startAnvil, type AnvilNode } from "../../../scripts/lib/anvil";
import { LEDGER_CONTRACTS } from "../../../ledger/contracts";
import { checkExternalDeployment, ensureDeployment } from "../../../scripts/lib/stack/deployment";
import { StackError, StackMismatchError } from "../../../scripts/lib/stack/errors";
import type { Reporter } from "../../../scripts/lib/stack/report";
import { tempDir } from "../helpers/temp-dir";
import { freePort } from "../support/chain";

/**
 * The stack and a deployment record of the ledger before v2 (no agreement book): a DATA_DIR
 * built on it is refused with the way to start over, one nothing was built from is redeployed,
 * and an external chain's record is refused with the deploy command. Nothing is deleted.
 */

/** A deployment record as the v1 ledger wrote it: every contract but the agreement book. */
function v1Record(): Record<string, unknown> {
  const contracts: Record<string, string> = {};
  LEDGER_CONTRACTS.filter((name) => name !== "agreements").forEach(
    (name, i) => (contracts[name] = `0x${String(i + 1).padStart(40, "0")}`),
  );
  return { network: "localhost", chainId: 31337, deploymentBlock: 1, deploymentId: "0x01", contracts };
}

function recorder(): Reporter & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    step: (label, fn) => {
      lines.push(`step ${label}`);
      return fn();
    },
    done: (line) => void lines.push(`done ${line}`),
    info: (line) => void lines.push(`info ${line}`),
    warn: (line) => void lines.push(`warn ${line}`),
  };
}

describe("the stack and a deployment of an earlier ledger", function () {
  this.timeout(120_000);

  it("refuses a DATA_DIR whose database was built on it, naming the missing contract and the reset, and deletes nothing", async () => {
    const dir = tempDir("stack-v1");
    const file = path.join(dir, "deployment.json");
    const content = JSON.stringify(v1Record());
    writeFileSync(file, content);
    mkdirSync(path.join(dir, "pglite"));
    writeFileSync(path.join(dir, "pglite", "PG_VERSION"), "17\n");
    // Never asked: the record alone settles it.
    const provider = new JsonRpcProvider("http://127.0.0.1:9", undefined, { staticNetwork: true });
    try {
      await ensureDeployment(dir, provider);
      expect.fail("expected a refusal");
    } catch (error) {
      expect(error).to.be.instanceOf(StackMismatchError);
      const message = (error as Error).message;
      expect(message).to.include(`${dir} holds a stack of an earlier version of the ledger`);
      expect(message).to.include(`its deployment ${file} has no agreements contract`);
      expect(message).to.include(`the database ${path.join(dir, "pglite")} was built from it`);
      expect(message).to.include(`DATA_DIR=${dir} npm run reset`);
    } finally {
      provider.destroy();
    }
    expect(readFileSync(file, "utf8")).to.equal(content);
  });

  describe("on a chain", () => {
    let node: AnvilNode;

    before(async () => {
      node = await startAnvil({ port: await freePort() });
    });

    after(async () => {
      await node?.stop();
    });

    it("redeploys the current contracts when nothing was built on the earlier ledger's deployment yet", async () => {
      const dir = tempDir("stack-v1-fresh");
      const file = path.join(dir, "deployment.json");
      writeFileSync(file, JSON.stringify(v1Record()));
      const reporter = recorder();
      const state = await ensureDeployment(dir, node.provider, reporter);
      expect(state.deployed).to.equal(true);
      expect(reporter.lines).to.include(
        `warn ${file} has no agreements contract: it deploys an earlier ledger. Nothing was built from it yet: deploying the current contracts.`,
      );
      const written = JSON.parse(readFileSync(file, "utf8")) as { contracts: Record<string, string> };
      expect(Object.keys(written.contracts).sort()).to.deep.equal([...LEDGER_CONTRACTS].sort());
      expect(await node.provider.getCode(written.contracts.agreements)).to.not.equal("0x");
    });

    it("refuses an external chain's deployment of the earlier ledger, with the command that deploys the current one", async () => {
      const file = path.join(tempDir("external-v1"), "sepolia.json");
      writeFileSync(file, JSON.stringify(v1Record()));
      try {
        await checkExternalDeployment(file, node.provider, { NETWORK: "sepolia" });
        expect.fail("expected a refusal");
      } catch (error) {
        expect(error).to.be.instanceOf(StackError);
        expect((error as Error).message).to.equal(
          `the deployment ${file} is of an earlier version of the ledger (it has no agreements contract): ` +
            "deploy the current contracts there first: RPC_URL=… npx hardhat run scripts/deploy.ts --network sepolia",
        );
      }
    });
  });
});
