import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { deployLedger, deploymentRecord } from "../ledger/contracts";

/**
 * Deploys the ledger to the network Hardhat runs against (`--network <name>`) and writes
 * `deployments/<network>.json` for the gateway. REGULATORS (comma-separated addresses) get the
 * regulator role; SETTLEMENT_TOKEN settles in an existing ERC-20 instead of the test token.
 */
async function main(): Promise<void> {
  const [deployer] = await hre.ethers.getSigners();
  const regulators = (process.env.REGULATORS ?? "")
    .split(",")
    .map((a) => a.trim())
    .filter(Boolean);
  const { ledger, deploymentBlock } = await deployLedger(deployer, {
    regulators,
    tokenAddress: process.env.SETTLEMENT_TOKEN,
  });
  const record = await deploymentRecord(hre.network.name, ledger, deploymentBlock);
  const file = process.env.DEPLOYMENT_FILE ?? path.join("deployments", `${hre.network.name}.json`);
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(record, null, 2) + "\n");
  console.log(`Deployed the ledger to ${hre.network.name} (chain ${record.chainId}) → ${file}`);
  for (const [name, address] of Object.entries(record.contracts))
    console.log(`  ${name.padEnd(10)} ${address}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
