import { readFileSync } from "node:fs";
import { isAddress } from "ethers";
import { LEDGER_CONTRACTS, type DeploymentRecord } from "./contracts";

export class DeploymentError extends Error {}

/** Reads and checks `deployments/<network>.json` as written by `scripts/deploy.ts`. */
export function loadDeployment(file: string): DeploymentRecord {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, "utf8"));
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === "ENOENT" ? "file not found" : (error as Error).message;
    throw new DeploymentError(
      `DEPLOYMENT_FILE ${file}: ${reason} (deploy first: npx hardhat run scripts/deploy.ts)`,
    );
  }
  const record = raw as Partial<DeploymentRecord>;
  const problems: string[] = [];
  if (!Number.isInteger(record.chainId)) problems.push("chainId must be an integer");
  if (!Number.isInteger(record.deploymentBlock)) problems.push("deploymentBlock must be an integer");
  if (typeof record.deploymentId !== "string") problems.push("deploymentId is missing");
  for (const name of LEDGER_CONTRACTS) {
    const address = record.contracts?.[name];
    if (typeof address !== "string" || !isAddress(address))
      problems.push(`contracts.${name} is not an address`);
  }
  if (problems.length > 0) throw new DeploymentError(`DEPLOYMENT_FILE ${file}: ${problems.join("; ")}`);
  return record as DeploymentRecord;
}

/**
 * Hardhat's and Anvil's chain: a local development chain, whose development keys are public.
 * Conveniences that would be holes elsewhere (loopback sign-in origins, the console's demo
 * accounts) exist only here.
 */
export const LOCAL_DEVELOPMENT_CHAIN_ID = 31337;
