import { expect } from "chai";
import { openPglite, type Db } from "../../../server/db";
import { GTIN, LOT } from "../support/chain";
import { chainIso, startApi, stopApi, type ApiStack } from "../support/api-fixtures";
import { login } from "../support/gateway";

/**
 * Found by the faults bench (bench/faults): when the chain node goes away between the auth
 * hook's role check (which answers 503 CHAIN_UNAVAILABLE) and a handler's own chain read, the
 * handler's read fails with the socket's error (ethers' FetchRequest passes Node's ECONNREFUSED,
 * ECONNRESET or "socket hang up" through unwrapped) and the gateway answers 500 INTERNAL, as for
 * a bug of its own. It should answer 503 CHAIN_UNAVAILABLE, so clients and load balancers retry.
 *
 * Skipped until the chain plugin maps a failure to reach the node to CHAIN_UNAVAILABLE: in
 * server/plugins/chain.ts, the `send` wrapper that meters every RPC call (wrap()) rethrows an
 * error with a Node socket code (ECONNREFUSED, ECONNRESET, ETIMEDOUT, EPIPE, EHOSTUNREACH,
 * ENOTFOUND), ethers' TIMEOUT, or "socket hang up" as appError("CHAIN_UNAVAILABLE", …) with the
 * original as its cause. With that change this test passes (checked), and the faults bench sees
 * no 500 during chain outages.
 */
describe("a chain node lost in the middle of a request", function () {
  let db: Db;
  let stack: ApiStack;

  before(async function () {
    db = await openPglite();
    stack = await startApi(db, { PATIENT_REF_SALT: "chain-outage-salt-".padEnd(32, "x") });
  });

  after(async function () {
    await stopApi(stack);
    await db?.close();
  });

  it.skip("answers 503 CHAIN_UNAVAILABLE, not 500, when a handler cannot reach the node", async function () {
    const { app, chain } = stack;
    const token = await login(app, chain.cast.receiver);
    const usedAt = await chainIso(chain, -60);
    // The role check (eth_blockNumber, eth_call) still reaches the node; the handler's read of
    // the latest block (ledgerNow) finds the connection refused, as when the node stops just
    // then. The fault is below `send` (at ethers' transport), where a real one happens.
    const provider = chain.provider;
    const transport = provider._send.bind(provider);
    provider._send = async (payload) => {
      const calls = Array.isArray(payload) ? payload : [payload];
      if (calls.some((c) => c.method === "eth_getBlockByNumber")) {
        throw Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), {
          code: "ECONNREFUSED",
          syscall: "connect",
          errno: -111,
        });
      }
      return transport(payload);
    };
    try {
      const res = await app.inject({
        method: "POST",
        url: "/v1/usages",
        headers: { authorization: `Bearer ${token}`, "idempotency-key": "outage-1" },
        payload: {
          usageId: "OUTAGE-1",
          gtin: GTIN,
          lot: LOT,
          department: "Cardiology",
          patientRef: "MRN-1",
          usedAt,
          billingCode: "C-1",
          billedAmount: "1200",
        },
      });
      expect(res.statusCode, res.body).to.equal(503);
      expect(res.json()).to.include({ error: "CHAIN_UNAVAILABLE" });
    } finally {
      provider._send = transport;
    }
  });
});
