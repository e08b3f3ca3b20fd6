import { ethers } from "ethers";
import * as act from "../../ledger/acts";
import { TRACE_STEPS } from "../../ledger/enums";
import { fundedOrder } from "../../test/server/support/api-fixtures";
import { DAY, GTIN, LOT, procure, type ChainStack } from "../../test/server/support/chain";

/**
 * Fills a local chain with ledger events fast: one procurement, up to SHIPMENTS shipments of one
 * unit (one per STEPS_PER_SHIPMENT steps asked for: each is a transaction of its own, most of a
 * smoke run's fill), then trace steps ("departing", which changes no state) spread over them,
 * sent as JSON-RPC batches of eth_sendTransaction that Anvil signs for the unlocked supplier, with
 * automine off and blocks mined after each batch. Every transaction is checked to have succeeded.
 */

const SHIPMENTS = 200;
const STEPS_PER_SHIPMENT = 100;
const SEND_BATCH = 1000;
/** recordTraceEvent of a step that changes no state uses about 40,000 gas; with room to spare. */
const TRACE_GAS = 80_000;

export async function fillChain(
  chain: ChainStack,
  events: number,
): Promise<{ events: number; blocks: number }> {
  const { ledger, cast, provider } = chain;
  const p = await procure(chain, 10);
  const shipmentCount = Math.min(SHIPMENTS, Math.ceil(events / STEPS_PER_SHIPMENT));
  const orderId = await fundedOrder(chain, p, shipmentCount);
  const expiry = (await chain.now()) + 2 * 365 * DAY;
  const shipments: { id: bigint; record: Awaited<ReturnType<typeof act.shipmentRecord>> }[] = [];
  for (let i = 0; i < shipmentCount; i++) {
    const { shipmentId } = await act.createShipment(ledger, cast.supplier, {
      orderId,
      gtin: GTIN,
      lot: LOT,
      expiry,
      serials: [`B${i}`],
      notice: `BENCH-${i}`,
    });
    shipments.push({ id: shipmentId, record: await act.shipmentRecord(ledger, shipmentId) });
  }
  const first = await provider.getBlockNumber();
  const trace = await ledger.trace.getAddress();
  const eventTime = await chain.now();
  const step = TRACE_STEPS.indexOf("departing");
  const location = ethers.id("bench-location");
  const calldata = shipments.map((s) =>
    ledger.trace.interface.encodeFunctionData("recordTraceEvent", [
      s.id,
      s.record,
      step,
      location,
      eventTime,
      ethers.ZeroHash,
      false,
    ]),
  );
  let nonce = await provider.getTransactionCount(cast.supplier.address, "latest");
  const before = await provider.getBlockNumber();
  await provider.send("evm_setAutomine", [false]);
  try {
    for (let sent = 0; sent < events; sent += SEND_BATCH) {
      const n = Math.min(SEND_BATCH, events - sent);
      const hashes = await rpcBatch(
        chain.node.url,
        Array.from({ length: n }, (_, i) => ({
          method: "eth_sendTransaction",
          params: [
            {
              from: cast.supplier.address,
              to: trace,
              data: calldata[(sent + i) % calldata.length],
              gas: ethers.toQuantity(TRACE_GAS),
              nonce: ethers.toQuantity(nonce++),
            },
          ],
        })),
      );
      if (hashes.length !== n) throw new Error(`sent ${n} transactions, ${hashes.length} accepted`);
      await mineAll(provider);
    }
  } finally {
    await provider.send("evm_setAutomine", [true]);
  }
  // Every transaction mined and none reverted: the supplier's nonce moved by exactly `events`,
  // and the trace contract logged one event for each.
  const head = await provider.getBlockNumber();
  const logs = await countLogs(provider, trace, before + 1, head);
  if (logs !== events) throw new Error(`expected ${events} trace events, the chain has ${logs}`);
  return { events: logs, blocks: head - first };
}

async function mineAll(provider: ethers.JsonRpcProvider): Promise<void> {
  for (;;) {
    const status = await provider.send("txpool_status", []);
    if (Number(status.pending) === 0 && Number(status.queued) === 0) return;
    await provider.send("evm_mine", []);
  }
}

async function countLogs(
  provider: ethers.JsonRpcProvider,
  address: string,
  from: number,
  to: number,
): Promise<number> {
  let n = 0;
  for (let b = from; b <= to; b += 1000) {
    n += (await provider.getLogs({ address, fromBlock: b, toBlock: Math.min(to, b + 999) })).length;
  }
  return n;
}

async function rpcBatch(url: string, calls: { method: string; params: unknown[] }[]): Promise<string[]> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(calls.map((c, id) => ({ jsonrpc: "2.0", id, ...c }))),
  });
  const answers = (await response.json()) as { id: number; result?: string; error?: { message: string } }[];
  const failed = answers.find((a) => a.error);
  if (failed) throw new Error(`eth_sendTransaction: ${failed.error!.message}`);
  return answers.map((a) => a.result!);
}
