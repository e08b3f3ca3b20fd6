import type { RelayRequest } from "../../../api/relay";
import { expect } from "chai";
import type { HDNodeWallet } from "ethers";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { migrate, type Db } from "../../../server/db";
import type { ShipmentRecordStruct } from "../../../typechain-types/contracts/DeliveryTrace";
import type { ShipmentRecord } from "../../../api/shipments";
import { FORWARD_REQUEST_TYPES } from "../../../ledger/forward-request";
import * as act from "../../../ledger/acts";
import { devWallet } from "../../../scripts/lib/anvil";
import { DAY, GTIN, LOT, procure, startChain, type ChainStack, type Procurement } from "./chain";
import { buildGateway, login } from "./gateway";

/**
 * Shared set-up of the route tests (the `*.routes.test.ts` files under test/server/modules): one Anvil, one ledger
 * and one gateway per engine and file, plus the small acts the tests repeat — another order
 * and shipment, a second hospital, a signed forward request, an error body checked in one go.
 */

export interface ApiStack {
  chain: ChainStack;
  app: FastifyInstance;
  p: Procurement;
}

/** Starts Anvil, runs the common procurement, migrates `db` and builds an indexed gateway. */
export async function startApi(db: Db, env: Record<string, string> = {}): Promise<ApiStack> {
  const chain = await startChain();
  try {
    const p = await procure(chain, 10);
    await migrate(db);
    const app = await buildGateway(db, chain, env);
    await app.indexer.catchUp();
    return { chain, app, p };
  } catch (error) {
    await chain.stop();
    throw error;
  }
}

export async function stopApi(stack: ApiStack | undefined): Promise<void> {
  await stack?.app.close();
  await stack?.chain.stop();
}

/** Signs in every named wallet; the tokens by the same names. */
export async function loginAll<K extends string>(
  app: FastifyInstance,
  wallets: Record<K, HDNodeWallet>,
): Promise<Record<K, string>> {
  const tokens = {} as Record<K, string>;
  for (const name of Object.keys(wallets) as K[]) tokens[name] = await login(app, wallets[name]);
  return tokens;
}

/** A development account beyond the cast of support/chain.ts (index 12 and up). */
export function extraWallet(chain: ChainStack, index: number): HDNodeWallet {
  return devWallet(index, chain.provider);
}

/** Enrols a second hospital with the given members (regulator acts). */
export async function enrolSecondHospital(
  chain: ChainStack,
  members: { wallet: HDNodeWallet; roles: number }[],
): Promise<void> {
  await act.enrolHospital(
    chain.ledger,
    chain.cast.regulator,
    chain.cast.hospital2,
    "Second Hospital",
    members.map((m) => ({ member: m.wallet, roles: m.roles })),
    10_000_000n,
  );
}

/** Places and approves (funds) an order of `quantity` units on the procured agreement. */
export async function fundedOrder(chain: ChainStack, p: Procurement, quantity: number): Promise<bigint> {
  const orderId = await placedOrder(chain, p, quantity);
  await act.approveOrder(chain.ledger, chain.cast.approver, orderId);
  return orderId;
}

/** Places an order (not yet approved) of `quantity` units on the procured agreement. */
export async function placedOrder(chain: ChainStack, p: Procurement, quantity: number): Promise<bigint> {
  const t = await chain.now();
  return act.placeOrder(chain.ledger, chain.cast.hospital, {
    agreementId: p.agreementId,
    quantity: BigInt(quantity),
    requestedDelivery: t + 20 * DAY,
    reference: `PO-${t}-${Math.random()}`,
  });
}

export interface ShipmentSpec {
  /** Serial numbers (one per unit); `quantity` generates them from `prefix`. */
  serials?: string[];
  quantity?: number;
  prefix?: string;
  lot?: string;
  /** Seconds from now; two years by default. */
  expiresIn?: number;
  /** The product shipped: GTIN by default, or a declared product key. */
  gtin?: string;
}

export interface Shipped {
  orderId: bigint;
  shipmentId: bigint;
  serials: string[];
  lot: string;
  expiry: number;
}

/** A new funded order shipped in full by the supplier, in one shipment. */
export async function orderAndShip(chain: ChainStack, p: Procurement, spec: ShipmentSpec): Promise<Shipped> {
  const serials =
    spec.serials ??
    Array.from(
      { length: spec.quantity ?? 2 },
      (_, i) => `${spec.prefix ?? "X"}${String(i + 1).padStart(3, "0")}`,
    );
  const orderId = await fundedOrder(chain, p, serials.length);
  const lot = spec.lot ?? LOT;
  const expiry = (await chain.now()) + (spec.expiresIn ?? 2 * 365 * DAY);
  const { shipmentId } = await act.createShipment(chain.ledger, chain.cast.supplier, {
    orderId,
    gtin: spec.gtin ?? GTIN,
    lot,
    expiry,
    serials,
    notice: `DESADV-${orderId}`,
  });
  return { orderId, shipmentId, serials, lot, expiry };
}

/** A shipment record as the gateway's JSON carries it: decimal strings, lower-case hex. */
export function recordAsJson(r: ShipmentRecordStruct): ShipmentRecord {
  const text = (v: unknown) => String(v).toLowerCase();
  return {
    orderId: text(r.orderId),
    supplier: text(r.supplier),
    hospital: text(r.hospital),
    gtin: text(r.gtin),
    expiry: text(r.expiry),
    quantity: text(r.quantity),
    createdAt: text(r.createdAt),
    serialRoot: text(r.serialRoot),
    noticeHash: text(r.noticeHash),
    lot: String(r.lot),
  };
}

/** Uploads a shipment's serial list as its supplier; fails the test unless it is stored. */
export async function uploadManifest(
  app: FastifyInstance,
  supplierToken: string,
  shipmentId: bigint,
  serials: string[],
): Promise<void> {
  const res = await app.inject({
    method: "PUT",
    url: `/v1/shipments/${shipmentId}/manifest`,
    headers: { authorization: `Bearer ${supplierToken}` },
    payload: { serials },
  });
  expect(res.statusCode, res.body).to.be.oneOf([200, 201]);
}

/**
 * The supplier lodges a shipment's serial manifest and the hospital's dock receives the whole
 * shipment now, by the chain's clock (one barcode line a serial); fails the test unless the
 * receipt is stored. Returns the receipt as posted.
 */
export async function receiveWholeShipment(
  app: FastifyInstance,
  chain: ChainStack,
  tokens: { supplier: string; receiver: string },
  shipment: { shipmentId: bigint; serials: string[]; expiry: number },
  receiptNo: string,
  idempotencyKey: string,
): Promise<ReceiptPayload> {
  await uploadManifest(app, tokens.supplier, shipment.shipmentId, shipment.serials);
  const receipt = {
    receiptNo,
    shipmentId: String(shipment.shipmentId),
    receivedAt: await chainIso(chain),
    lines: serialLines(shipment.serials, shipment.expiry),
  };
  const res = await postReceipt(app, tokens.receiver, receipt, idempotencyKey);
  expect(res.statusCode, res.body).to.equal(201);
  return receipt;
}

/** The chain's clock as an ISO timestamp (receipt times must not be ahead of the ledger's). */
export async function chainIso(chain: ChainStack, offsetSeconds = 0): Promise<string> {
  return new Date(((await chain.now()) + offsetSeconds) * 1000).toISOString();
}

export interface ReceiptPayload {
  receiptNo: string;
  shipmentId: string;
  receivedAt: string;
  lines: Record<string, unknown>[];
}

export async function postReceipt(
  app: FastifyInstance,
  token: string,
  payload: unknown,
  idempotencyKey: string | null,
): Promise<LightMyRequestResponse> {
  const headers: Record<string, string> = { authorization: `Bearer ${token}` };
  if (idempotencyKey !== null) headers["idempotency-key"] = idempotencyKey;
  return app.inject({ method: "POST", url: "/v1/receipts", headers, payload: payload as object });
}

/** The date of a UNIX time in UTC, YYYY-MM-DD: a receipt line's `expiry` field. */
export function isoDate(seconds: number): string {
  return new Date(seconds * 1000).toISOString().slice(0, 10);
}

/** YYMMDD of a UNIX time in UTC, as GS1 AI (17) prints it. */
export function yymmdd(seconds: number): string {
  return isoDate(seconds).slice(2).replace(/-/g, "");
}

/**
 * One barcode line per serial: `(01)GTIN(17)EXPIRY(10)LOT(21)SERIAL`. `expiry` is the shipment's
 * (UNIX seconds): every line must print it, and matching holds any other date.
 */
export function serialLines(
  serials: string[],
  expiry: number,
  lot = LOT,
  gtin = GTIN,
): { barcode: string }[] {
  return serials.map((s) => ({ barcode: `(01)${gtin}(17)${yymmdd(expiry)}(10)${lot}(21)${s}` }));
}

export interface ErrorBody {
  error: string;
  message: string;
  details?: { fields?: { field: string; message: string }[]; [key: string]: unknown };
}

/** Asserts status, error code and (optionally) a piece of the message; returns the body. */
export function expectError(
  res: LightMyRequestResponse,
  status: number,
  code: string,
  messagePart?: string | RegExp,
): ErrorBody {
  expect(res.statusCode, res.body).to.equal(status);
  const body = res.json<ErrorBody>();
  expect(body.error, res.body).to.equal(code);
  if (typeof messagePart === "string") expect(body.message).to.include(messagePart);
  else if (messagePart) expect(body.message).to.match(messagePart);
  return body;
}

/** A 400 VALIDATION_FAILED naming `field` in details.fields; returns that field's message. */
export function expectInvalidField(res: LightMyRequestResponse, field: string): string {
  const body = expectError(res, 400, "VALIDATION_FAILED");
  const fields = body.details?.fields ?? [];
  const found = fields.find((f) => f.field === field);
  expect(found, `${field} not in ${JSON.stringify(fields)}`).to.not.equal(undefined);
  expect(body.message).to.include(field);
  return found!.message;
}

export function bearer(token: string): { authorization: string } {
  return { authorization: `Bearer ${token}` };
}

/**
 * An ERC-2771 forward request to `to` with calldata `data`, signed (EIP-712, the
 * LedgerForwarder's domain) by `signer` — or by `signWith` to forge one.
 */
export async function signForward(
  chain: ChainStack,
  signer: HDNodeWallet,
  to: string,
  data: string,
  options: { nonce?: bigint; deadline?: number; gas?: bigint; signWith?: HDNodeWallet } = {},
): Promise<RelayRequest> {
  const forwarder = chain.ledger.forwarder;
  const nonce = options.nonce ?? (await forwarder.nonces(signer.address));
  const deadline = options.deadline ?? (await chain.now()) + 3600;
  const message = {
    from: signer.address,
    to,
    value: 0n,
    gas: options.gas ?? 500_000n,
    nonce,
    deadline,
    data,
  };
  const domain = {
    name: "SunshineLedger",
    version: "1",
    chainId: chain.deployment.chainId,
    verifyingContract: await forwarder.getAddress(),
  };
  const signature = await (options.signWith ?? signer).signTypedData(domain, FORWARD_REQUEST_TYPES, message);
  return {
    from: message.from,
    to,
    value: "0",
    gas: message.gas.toString(),
    nonce: nonce.toString(),
    deadline,
    data,
    signature,
  };
}

/** Parses the Prometheus text into `name{labels}` → value. */
export function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const i = line.lastIndexOf(" ");
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
