import type { Db } from "./db";

/**
 * Which chain and deployment a database mirrors. Everything in it was derived from that
 * ledger's events, so pointing an existing database at another chain or redeployed contracts
 * would mix two ledgers; the gateway refuses to start instead.
 */

export interface LedgerIdentity {
  chainId: bigint | number;
  /** Identifies the contract deployment, e.g. a hash of the deployment file or a registry address. */
  deploymentId: string;
}

export class LedgerIdentityError extends Error {
  override readonly name = "LedgerIdentityError";
}

/** Records the identity on first start; afterwards throws `LedgerIdentityError` if it differs. */
export async function assertLedgerIdentity(db: Db, identity: LedgerIdentity): Promise<void> {
  const chainId = BigInt(identity.chainId).toString();
  const trimmed = identity.deploymentId.trim();
  // Hex ids compare case-insensitively: an EIP-55 checksummed address is the same address.
  const deploymentId = /^0x[0-9a-f]+$/i.test(trimmed) ? trimmed.toLowerCase() : trimmed;
  if (deploymentId === "") throw new LedgerIdentityError("deploymentId must not be empty");

  const stored = await db.transaction(async (tx) => {
    // Replicas starting together race on the primary key; the losers read the winner's rows.
    await tx.query(
      `INSERT INTO ledger_meta (key, value) VALUES ('chain_id', $1), ('deployment_id', $2)
       ON CONFLICT (key) DO NOTHING`,
      [chainId, deploymentId],
    );
    const { rows } = await tx.query<{ key: string; value: string }>(
      "SELECT key, value FROM ledger_meta WHERE key IN ('chain_id', 'deployment_id')",
    );
    return new Map(rows.map((row) => [row.key, row.value]));
  });

  const storedChainId = stored.get("chain_id");
  const storedDeploymentId = stored.get("deployment_id");
  if (storedChainId !== chainId || storedDeploymentId !== deploymentId) {
    throw new LedgerIdentityError(
      `database was indexed from chain ${storedChainId} deployment ${storedDeploymentId}, ` +
        `but the configuration points at chain ${chainId} deployment ${deploymentId}; ` +
        "use a fresh DATA_DIR/database or run npm run reset",
    );
  }
}
