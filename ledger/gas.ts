import { JsonRpcProvider, type TransactionRequest } from "ethers";

/**
 * Gas limit = estimate + 25 %. An estimate is taken against the chain as it is now, but the
 * transaction is mined after whatever lands first: the gateway's settler confirming a shipment,
 * another party's act, an owner turning an unlimited allowance into a limited one. The same call
 * can then cost more (the last shipment of an order also closes it; a draw on a limited allowance
 * writes it down), and a limit equal to the estimate runs out of gas and fails with no reason.
 * Seen: the demo's reorder failing after the settler's payment landed first. Unused gas is not
 * charged.
 */
export const GAS_HEADROOM_PERCENT = 125n;

export function withGasHeadroom(estimate: bigint): bigint {
  return (estimate * GAS_HEADROOM_PERCENT) / 100n;
}

/**
 * A JSON-RPC provider whose estimates carry the headroom, for the scripts that send a user's acts
 * (the demo, the CLI): a signer on it fills each transaction's gas limit from them, so every act
 * sent through a typed contract call gets the headroom without each call asking for it.
 */
export class HeadroomProvider extends JsonRpcProvider {
  override async estimateGas(tx: TransactionRequest): Promise<bigint> {
    return withGasHeadroom(await super.estimateGas(tx));
  }
}
