import { expect } from "chai";
import type { JsonRpcPayload, JsonRpcProvider } from "ethers";
import type { FastifyInstance } from "fastify";
import type { ChainStack, Procurement } from "../support/chain";
import {
  chainIso,
  postReceipt,
  serialLines,
  startApi,
  stopApi,
  type ApiStack,
} from "../support/api-fixtures";
import { login } from "../support/gateway";
import { forEachEngine } from "../helpers/engines";

/**
 * Found by the faults bench (bench/faults): when the chain node goes away between the auth
 * hook's role check (which answers 503 CHAIN_UNAVAILABLE) and a handler's own chain read, the
 * handler's read fails with the socket's error (ethers' FetchRequest passes Node's ECONNREFUSED,
 * ECONNRESET or "socket hang up" through unwrapped) and the gateway answered 500 INTERNAL, as for
 * a bug of its own. It answers 503 CHAIN_UNAVAILABLE, so clients and load balancers retry, with
 * the catalogue's message and nothing of the upstream error (which may quote the RPC URL).
 *
 * A write's role check and its handler share the request's latest-block read (`requestHead` in
 * plugins/chain.ts), and a fault on it is answered by the role check's own CHAIN_UNAVAILABLE, so
 * the faults here hit reads the role check does not make: a read route's ledger time (reads take
 * the token's roles), and a receipt's eth_call after the role check's reads went through.
 */

const UNAVAILABLE = { error: "CHAIN_UNAVAILABLE", message: "the chain RPC endpoint cannot be reached" };

/** Node's errors as its http client raises them (a "socket hang up" is an ECONNRESET). */
function refused(): Error {
  return Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:8545"), {
    code: "ECONNREFUSED",
    syscall: "connect",
    errno: -111,
  });
}
function hungUp(): Error {
  return Object.assign(new Error("socket hang up"), { code: "ECONNRESET" });
}

interface Fault {
  /** The calls that went through to the node, and those that met the fault, by method. */
  passed: string[];
  faulted: string[];
  restore(): void;
}

/**
 * Fails the batches holding a call `hits` picks, below `send` (at ethers' transport), where a
 * real outage happens; the rest reach the node.
 */
function injectFault(
  provider: JsonRpcProvider,
  hits: (call: JsonRpcPayload) => boolean,
  error: () => Error,
): Fault {
  const transport = provider._send.bind(provider);
  const fault: Fault = { passed: [], faulted: [], restore: () => (provider._send = transport) };
  provider._send = async (payload) => {
    const calls = Array.isArray(payload) ? payload : [payload];
    if (calls.some(hits)) {
      fault.faulted.push(...calls.map((c) => c.method));
      throw error();
    }
    fault.passed.push(...calls.map((c) => c.method));
    return transport(payload);
  };
  return fault;
}

describe("a chain node lost in the middle of a request", function () {
  forEachEngine((engine) => {
    let stack: ApiStack;
    let app: FastifyInstance;
    let chain: ChainStack;
    let p: Procurement;
    let token: string;

    before(async function () {
      this.timeout(240_000);
      stack = await startApi(engine.db);
      ({ app, chain, p } = stack);
      token = await login(app, chain.cast.receiver);
    });

    after(() => stopApi(stack));

    it("answers 503 CHAIN_UNAVAILABLE, not 500, when the handler's latest-block read finds the connection refused", async function () {
      // A report's "to" defaults to the ledger's time: the handler's own latest-block read,
      // refused as when the node stops just then.
      const fault = injectFault(chain.provider, (c) => c.method === "eth_getBlockByNumber", refused);
      try {
        const res = await app.inject({
          method: "GET",
          url: "/v1/payments/spend",
          headers: { authorization: `Bearer ${token}` },
        });
        expect(fault.faulted, "the handler's read met the fault").to.include("eth_getBlockByNumber");
        expect(res.statusCode, res.body).to.equal(503);
        expect(res.json()).to.deep.equal(UNAVAILABLE);
      } finally {
        fault.restore();
      }
      const again = await app.inject({
        method: "GET",
        url: "/v1/payments/spend",
        headers: { authorization: `Bearer ${token}` },
      });
      expect(again.statusCode, again.body).to.equal(200);
    });

    it("answers 503 CHAIN_UNAVAILABLE, not 500, when the handler's eth_call (isQualified) loses its socket", async function () {
      const payload = {
        receiptNo: "GR-OUTAGE",
        shipmentId: String(p.shipmentId),
        receivedAt: await chainIso(chain),
        lines: serialLines(p.serials, p.expiry),
      };
      const isQualified = chain.ledger.registry.interface.getFunction("isQualified")!.selector;
      const fault = injectFault(
        chain.provider,
        (c) => c.method === "eth_call" && JSON.stringify(c.params).includes(isQualified.slice(2)),
        hungUp,
      );
      try {
        const res = await postReceipt(app, token, payload, "outage-receipt");
        expect(fault.passed, "the auth hook read the latest block").to.include("eth_getBlockByNumber");
        expect(fault.faulted, "the handler's eth_call met the fault").to.include("eth_call");
        expect(res.statusCode, res.body).to.equal(503);
        expect(res.json()).to.deep.equal(UNAVAILABLE);
      } finally {
        fault.restore();
      }

      // Nothing was recorded: the same request, once the node answers, records the receipt.
      const retried = await postReceipt(app, token, payload, "outage-receipt");
      expect(retried.statusCode, retried.body).to.equal(201);
    });
  });
});
