import { ethers, type HDNodeWallet, type JsonRpcProvider } from "ethers";
import { FORWARD_REQUEST_TYPES } from "../../ledger/forward-request";
import type { Ledger } from "../../ledger/contracts";
import { DOCUMENT_KINDS } from "../../ledger/enums";
import { GTIN, STENTS } from "../../test/server/support/chain";
import type { BenchClient } from "./client";
import { pause } from "./poll";
import { CHECK_LEASE_SECONDS } from "../../server/modules/relay/relay.claims";
import type { PoolShipment } from "./setup";

/**
 * The mixed traffic, for `seconds`: goods receipts for the pool's shipments (one in
 * EXCEPTION_EVERY with a wrong lot, so it is held as an exception, the others matched and
 * queued for payment), usages, reads of the regulator's lists, and the supplier's relayed acts
 * (a qualification document filed through POST /v1/relay: prepared, signed as an EIP-712
 * forward request, relayed). Each kind runs in a few loops of sequential requests, paced to its
 * rate; a request that is being retried holds its loop, as a real client's would.
 *
 * Every write carries an idempotency key (receipts and usages take one; a relayed request is
 * idempotent by its forwarder nonce), and what each one finally got is kept for the checks.
 */

export const RATES = {
  /** Per second, over all loops of the kind. */
  receipts: { loops: 2, perSecond: 1 },
  usages: { loops: 3, perSecond: 3 },
  reads: { loops: 2, perSecond: 4 },
  relays: { loops: 1, perSecond: 0.5 },
} as const;

const EXCEPTION_EVERY = 8;

export interface ReceiptSent {
  shipmentId: string;
  receiptNo: string;
  expected: "matched" | "exception";
  status: number;
  /** The match status the gateway answered. */
  match?: "matched" | "exception";
  ambiguous: boolean;
  attempts: number;
  /** The error body of a final answer other than 2xx. */
  error?: string;
}

export interface UsageSent {
  usageId: string;
  status: number;
  ambiguous: boolean;
}

export interface RelaySent {
  digest: string;
  nonce: string;
  status: number;
  /** 202, or a retry refused because an earlier attempt's transaction had used the nonce. */
  accepted: boolean;
  /** The relaying transaction the gateway named (202, or the 409 of a retry), when accepted. */
  txHash?: string;
  error?: string;
  /** The regulator's relayed rejection of the filed document. */
  rejected?: boolean;
  rejectError?: string;
}

export interface Traffic {
  receipts: ReceiptSent[];
  usages: UsageSent[];
  relays: RelaySent[];
  /** Shipments the pool still held when time ran out. */
  unusedShipments: number;
}

export interface TrafficClients {
  receiver: BenchClient;
  regulator: BenchClient;
  supplier: BenchClient;
}

export interface TrafficContext {
  clients: TrafficClients;
  supplier: HDNodeWallet;
  regulator: HDNodeWallet;
  ledger: Ledger;
  provider: JsonRpcProvider;
  pool: PoolShipment[];
  /** Chain time minus wall-clock time, in ms (the chain runs behind the wall clock, chain.ts). */
  clockOffsetMs: number;
  /** Chain time (s) by which every shipment of the pool was created. */
  shippedBy: number;
  runId: string;
}

/** Runs `perSecond / loops` iterations a second of `step` in each of `loops` loops until `until`. */
async function loops(
  count: number,
  perSecond: number,
  until: number,
  step: (loop: number) => Promise<boolean>,
): Promise<void> {
  const interval = (1000 * count) / perSecond;
  await Promise.all(
    Array.from({ length: count }, async (_, loop) => {
      // Spread the loops' first requests over one interval.
      await pause((interval * loop) / count);
      while (Date.now() < until) {
        const started = Date.now();
        if (!(await step(loop))) return;
        await pause(Math.max(0, interval - (Date.now() - started)));
      }
    }),
  );
}

export async function runTraffic(context: TrafficContext, seconds: number): Promise<Traffic> {
  const until = Date.now() + seconds * 1000;
  const { clients, pool, runId } = context;
  // The chain's time as the client can tell it (its clock offset, measured at a block's
  // one-second resolution), and never before the shipments were created.
  const ledgerNow = () =>
    new Date(Math.max(Date.now() + context.clockOffsetMs, (context.shippedBy + 1) * 1000)).toISOString();
  const traffic: Traffic = { receipts: [], usages: [], relays: [], unusedShipments: 0 };

  let nextShipment = 0;
  const receipts = loops(RATES.receipts.loops, RATES.receipts.perSecond, until, async () => {
    const index = nextShipment++;
    const shipment = pool[index];
    if (!shipment) return false;
    const expected = index % EXCEPTION_EVERY === EXCEPTION_EVERY - 1 ? "exception" : "matched";
    const receiptNo = `GR-${runId}-${shipment.shipmentId}`;
    const outcome = await clients.receiver.request<{
      match?: { status: "matched" | "exception" };
      error?: string;
      message?: string;
    }>(
      "receipt",
      "POST",
      "/v1/receipts",
      {
        receiptNo,
        shipmentId: shipment.shipmentId,
        receivedAt: ledgerNow(),
        lines: [
          {
            gtin: GTIN,
            lot: expected === "matched" ? shipment.lot : `${shipment.lot}X`,
            expiry: shipment.expiry,
            quantity: shipment.quantity,
          },
        ],
      },
      `receipt-${receiptNo}`,
    );
    traffic.receipts.push({
      shipmentId: shipment.shipmentId,
      receiptNo,
      expected,
      status: outcome.status,
      match: outcome.body?.match?.status,
      ambiguous: outcome.ambiguous,
      attempts: outcome.attempts,
      error: outcome.status >= 300 ? `${outcome.body?.error}: ${outcome.body?.message}` : undefined,
    });
    return true;
  });

  let nextUsage = 0;
  const usages = loops(RATES.usages.loops, RATES.usages.perSecond, until, async () => {
    const usageId = `U-${runId}-${nextUsage++}`;
    const outcome = await clients.receiver.request(
      "usage",
      "POST",
      "/v1/usages",
      {
        usageId,
        gtin: GTIN,
        lot: pool[nextUsage % pool.length]?.lot ?? "LOT-U",
        department: ["Cardiology", "ICU", "Surgery"][nextUsage % 3],
        patientRef: `MRN-${nextUsage % 97}`,
        usedAt: ledgerNow(),
        billingCode: "C-1",
        billedAmount: "1200",
        quantity: 1,
      },
      `usage-${usageId}`,
    );
    traffic.usages.push({ usageId, status: outcome.status, ambiguous: outcome.ambiguous });
    return true;
  });

  const paths = [
    "/v1/orders?limit=20",
    "/v1/receipts?limit=20",
    "/v1/exceptions?limit=20",
    "/v1/usages?limit=20",
    "/v1/payments?limit=20",
  ];
  let nextRead = 0;
  const reads = loops(RATES.reads.loops, RATES.reads.perSecond, until, async () => {
    await clients.regulator.request("read", "GET", paths[nextRead++ % paths.length]);
    return true;
  });

  let nextRelay = 0;
  const relays = loops(RATES.relays.loops, RATES.relays.perSecond, until, async () => {
    traffic.relays.push(await relayOne(context, ethers.id(`faults ${runId} document ${nextRelay++}`)));
    return true;
  });

  await Promise.all([receipts, usages, reads, relays]);
  traffic.unusedShipments = Math.max(0, pool.length - nextShipment);
  return traffic;
}

/**
 * One relayed act as a client does it: POST /v1/relay/prepare, sign the forward request, POST
 * /v1/relay. A retry whose nonce an earlier attempt used is that attempt's success (the
 * forwarder's nonce tells, or the relay's 409 RELAY_NONCE_PENDING while it is not mined); a
 * request that expired while the chain was away (a restarted chain jumps to the wall clock, see
 * chain.ts) is prepared and signed again, as a wallet would.
 */
async function relayAct(
  context: TrafficContext,
  kind: string,
  client: BenchClient,
  signer: HDNodeWallet,
  to: string,
  data: string,
): Promise<{ status: number; accepted: boolean; nonce: string; txHash?: string; error?: string }> {
  let last = { status: 0, accepted: false, nonce: "", error: "never sent" as string | undefined };
  for (let signing = 0; signing < 3; signing++) {
    const prepared = await client.request<{
      request: Record<string, string | number>;
      domain: ethers.TypedDataDomain;
    }>(`${kind}-prepare`, "POST", "/v1/relay/prepare", { to, data });
    if (prepared.status !== 200) {
      return { status: prepared.status, accepted: false, nonce: "", error: JSON.stringify(prepared.body) };
    }
    const { request, domain } = prepared.body;
    const nonce = String(request.nonce);
    const signature = await signer.signTypedData(domain, FORWARD_REQUEST_TYPES, request);
    const body = { ...request, signature };
    let sent = await client.request<RelayAnswer>(kind, "POST", "/v1/relay", body);
    // An earlier attempt of this very request may have reached a gateway.
    let ambiguous = sent.ambiguous;
    // That attempt still holds the nonce, being checked: it has sent nothing yet and may send
    // nothing (its gateway killed, or the chain away). Asked again until it sent (its 409 then
    // names the transaction), gave up (this request then takes the nonce) or its claim lapsed.
    const checkingUntil = Date.now() + (CHECK_LEASE_SECONDS + 30) * 1000;
    while (ambiguous && pendingTx(sent.body) === null && Date.now() < checkingUntil) {
      await pause(500);
      sent = await client.request<RelayAnswer>(kind, "POST", "/v1/relay", body);
      ambiguous ||= sent.ambiguous;
    }
    if (sent.status === 202) return { status: 202, accepted: true, nonce, txHash: sent.body.txHash };
    const error = sent.body?.error;
    // An earlier attempt of this very request got through and is not mined yet.
    const txHash = pendingTx(sent.body);
    if (ambiguous && txHash) return { status: sent.status, accepted: true, nonce, txHash, error };
    if (ambiguous && error === "RELAY_NONCE_INVALID") {
      const used = await retryRead(() => context.ledger.forwarder.nonces(signer.address));
      return { status: sent.status, accepted: used > BigInt(nonce), nonce, error };
    }
    last = { status: sent.status, accepted: false, nonce, error: JSON.stringify(sent.body) };
    if (error !== "RELAY_EXPIRED") break;
  }
  return last;
}

interface RelayAnswer {
  txHash?: string;
  error?: string;
  details?: { txHash?: string };
}

/**
 * For a 409 RELAY_NONCE_PENDING, the transaction holding the nonce: its hash, or null while the
 * request holding it is still being checked. Undefined for any other answer.
 */
function pendingTx(body: RelayAnswer | undefined): string | null | undefined {
  if (body?.error !== "RELAY_NONCE_PENDING") return undefined;
  return body.details?.txHash ?? null;
}

/** A read of the chain by the bench itself, retried while the node is away. */
async function retryRead<T>(read: () => Promise<T>): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await read();
    } catch (error) {
      if (attempt > 120) throw error;
      await pause(500);
    }
  }
}

/**
 * The supplier files a (pending) business licence through the relay, `digest` telling it apart;
 * the regulator then rejects it through the relay (a supplier may hold only 16 pending documents).
 */
async function relayOne(context: TrafficContext, digest: string): Promise<RelaySent> {
  const { clients, ledger } = context;
  const registry = await ledger.registry.getAddress();
  const now = Math.floor((Date.now() + context.clockOffsetMs) / 1000);
  const filed = await relayAct(
    context,
    "relay",
    clients.supplier,
    context.supplier,
    registry,
    ledger.registry.interface.encodeFunctionData("fileDocument", [
      DOCUMENT_KINDS.indexOf("business_licence"),
      digest,
      now - 86_400,
      now + 365 * 86_400,
      [STENTS],
    ]),
  );
  const sent: RelaySent = {
    digest,
    nonce: filed.nonce,
    status: filed.status,
    accepted: filed.accepted,
    txHash: filed.txHash,
  };
  if (!filed.accepted) return { ...sent, error: filed.error };
  const logs = await retryRead(async () =>
    ledger.registry.queryFilter(
      ledger.registry.filters.DocumentFiled(undefined, context.supplier.address),
      Math.max(0, (await context.provider.getBlockNumber()) - 500),
    ),
  );
  const documentId = logs.find((l) => l.args.sha256Digest === digest)?.args.documentId;
  if (documentId === undefined) return { ...sent, error: "filed, but no DocumentFiled found" };
  const rejected = await relayAct(
    context,
    "relay-reject",
    clients.regulator,
    context.regulator,
    registry,
    ledger.registry.interface.encodeFunctionData("rejectDocument", [documentId, 1]),
  );
  return { ...sent, rejected: rejected.accepted, rejectError: rejected.error };
}
