import type { FastifyInstance } from "fastify";
import type { BaseWallet } from "ethers";

/**
 * The relayer's low-balance alarm. An empty relayer cannot relay, but everything else the
 * gateway does still works, so a low balance is a warning in /ready (the check stays ok, with
 * `low: true`) and an alert in /metrics (`relayer_balance_low` 1), not a reason to take the
 * instance out of service. Only a balance that cannot be read fails the check.
 */
export function watchRelayerBalance(app: FastifyInstance, relayer: BaseWallet, minBalanceWei: bigint): void {
  const provider = app.chain.provider;
  const balance = () => provider.getBalance(relayer.address);

  app.metrics.gauge({
    name: "relayer_balance_wei",
    help: "Balance of the relayer key, which pays the gas of POST /v1/relay",
    collect: async (gauge) => gauge.set(Number(await balance())),
  });
  app.metrics.gauge({
    name: "relayer_balance_low",
    help: "1 when the relayer's balance is below RELAYER_MIN_BALANCE_WEI (relays will soon fail), else 0",
    collect: async (gauge) => gauge.set((await balance()) < minBalanceWei ? 1 : 0),
  });

  app.readiness.register("relayer", async () => {
    let wei: bigint;
    try {
      wei = await balance();
    } catch (error) {
      // The node's own words may carry the RPC URL (and its key): logged, never answered.
      app.log.warn({ err: error }, "relayer balance unreadable");
      return { ok: false, error: "the relayer's balance cannot be read from the chain" };
    }
    return {
      ok: true,
      address: relayer.address,
      balanceWei: wei.toString(),
      minBalanceWei: minBalanceWei.toString(),
      low: wei < minBalanceWei,
    };
  });
}
