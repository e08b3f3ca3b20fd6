import { expect } from "chai";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { encryptKeystoreJson, Wallet } from "ethers";
import { DeploymentError } from "../../../ledger/deployment";
import { ChainConfigError, openChain } from "../../../server/plugins/chain";
import { rejectionOf } from "../helpers/rejection";
import { tempDir } from "../helpers/temp-dir";
import { testConfig } from "../helpers/config";
import { startChain, type ChainStack } from "../support/chain";

/** The chain plugin's start: deployment file, the node's chain id, and the settler key sources. */
describe("openChain", function () {
  let chain: ChainStack;
  let dir: string;
  let deploymentFile: string;
  const settler = Wallet.createRandom();

  before(async function () {
    this.timeout(120_000);
    chain = await startChain();
    dir = tempDir("chain-plugin");
    deploymentFile = path.join(dir, "deployment.json");
    writeFileSync(deploymentFile, JSON.stringify(chain.deployment));
    // Light scrypt parameters: the file format is the same, decryption just takes milliseconds.
    writeFileSync(
      path.join(dir, "settler.json"),
      await encryptKeystoreJson(
        { address: settler.address, privateKey: settler.privateKey },
        "correct horse",
        { scrypt: { N: 1024 } },
      ),
    );
  });

  after(async () => chain?.stop());

  const config = (env: Record<string, string>) =>
    testConfig({
      RPC_URL: chain.node.url,
      DEPLOYMENT_FILE: deploymentFile,
      PAYMENTS_ENABLED: "true",
      ...env,
    });

  it("decrypts the settler key from an encrypted JSON keystore", async function () {
    const ctx = await openChain(
      config({
        SETTLER_KEYSTORE: path.join(dir, "settler.json"),
        SETTLER_KEYSTORE_PASSWORD: "correct horse",
      }),
    );
    try {
      expect(ctx.settler?.address).to.equal(settler.address);
      expect(ctx.chainId).to.equal(31337);
    } finally {
      ctx.provider.destroy();
    }
  });

  it("refuses a wrong keystore password, naming the setting", async function () {
    const error = await rejectionOf(
      openChain(
        config({ SETTLER_KEYSTORE: path.join(dir, "settler.json"), SETTLER_KEYSTORE_PASSWORD: "wrong" }),
      ),
    );
    expect(error).to.be.instanceOf(ChainConfigError);
    expect((error as Error).message).to.match(/^SETTLER_KEYSTORE .*settler\.json: cannot decrypt/);
  });

  it("refuses a deployment made for another chain, naming both", async function () {
    const other = path.join(dir, "other-chain.json");
    writeFileSync(other, JSON.stringify({ ...chain.deployment, chainId: 1 }));
    const error = await rejectionOf(
      openChain(config({ SETTLER_KEY: settler.privateKey, DEPLOYMENT_FILE: other })),
    );
    expect((error as Error).message).to.equal(
      `RPC_URL ${chain.node.url} serves chain 31337, but DEPLOYMENT_FILE ${other} is for chain 1`,
    );
  });

  it("refuses a deployment record without the agreement book (one written for the v1 contracts)", async function () {
    const v1 = path.join(dir, "v1.json");
    const { agreements: _agreements, ...contracts } = chain.deployment.contracts;
    writeFileSync(v1, JSON.stringify({ ...chain.deployment, contracts }));
    const error = await rejectionOf(
      openChain(config({ SETTLER_KEY: settler.privateKey, DEPLOYMENT_FILE: v1 })),
    );
    expect(error).to.be.instanceOf(DeploymentError);
    expect((error as Error).message).to.equal(
      `DEPLOYMENT_FILE ${v1}: contracts.agreements is not an address`,
    );
  });

  it("refuses an RPC endpoint that does not answer", async function () {
    const error = await rejectionOf(
      openChain(config({ SETTLER_KEY: settler.privateKey, RPC_URL: "http://127.0.0.1:1" })),
    );
    expect((error as Error).message).to.match(/^RPC_URL http:\/\/127\.0\.0\.1:1 does not answer/);
  });
});
