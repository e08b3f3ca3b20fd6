import { expect } from "chai";
import fc from "fast-check";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { formatSiwe } from "../../../ledger/siwe";
import { devWallet } from "../../../scripts/lib/anvil";
import { forEachEngine } from "../helpers/engines";
import {
  bearer,
  chainIso,
  isoDate,
  loginAll,
  receiveWholeShipment,
  serialLines,
  startApi,
  stopApi,
  type ApiStack,
  type ReceiptPayload,
} from "../support/api-fixtures";
import type { Stocktake } from "../../../api/stock";
import { GTIN, LOT, STENTS } from "../support/chain";
import { gln } from "../modules/stock/stock-seed";
import { RELAYER_WALLET_INDEX, signIn } from "../support/gateway";
import { signInCallers, type Caller } from "./callers";
import { DatabaseWatch, publicTables } from "./fingerprint";
import {
  operationsOf,
  requestFor,
  withAuthorization,
  type Examples,
  type FuzzRequest,
  type Hints,
  type Operation,
} from "./openapi-arbitraries";
import { errorCode, responseProblems, ROUTING_ERRORS, type Secrets } from "./response-checks";
import { Tally } from "./summary";

/**
 * Property-based fuzzing of every operation in the gateway's OpenAPI document, as every caller
 * (each role, an account without one, no token, a garbage token), with requests generated from
 * the operation's own schemas: valid ones and mutated ones (openapi-arbitraries.ts), and for the
 * writes whose fields must agree with the ledger, whole known-good requests as they are and with
 * one thing wrong (`examplesOf`). For every request:
 *  1. the answer is never a 5xx;
 *  2. a 4xx is the catalogue's JSON error body, with a message;
 *  3. a refused request (4xx), and any read, leaves the database as it was (fingerprint.ts);
 *  4. no answer carries a secret or an upstream error's text (response-checks.ts);
 *  5. authentication, then the caller's role, are checked before anything the caller sent: without
 *     a valid token every secured operation answers 401, and a caller without the route's role 403.
 *
 * Every operation is exercised. Those that write to the chain (POST /v1/relay, /v1/relay/permits)
 * need a forward request or permit signed by the caller's key for a call that would succeed; the
 * fuzzer cannot forge one, so for those it exercises validation, policy, signature and quota
 * checks, which is every path a client can reach without the key.
 *
 * FUZZ_RUNS sets the requests per operation and caller (default 2: the smoke run of `npm test`);
 * `npm run fuzz` runs many more and prints the summary (FUZZ_SUMMARY=1 prints it for any run).
 * FUZZ_SEED replays a run: a failure names the seed it ran with.
 */

const RUNS = Number(process.env.FUZZ_RUNS ?? 2);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);
const SUMMARY = process.env.FUZZ_SUMMARY === "1" || process.env.FUZZ_RUNS !== undefined;

const ROLE_REFUSAL = /^this route needs one of the roles /;

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let operations: Operation[];
  let callers: Caller[];
  let hints: Hints;
  let examples: Examples;
  let secrets: Secrets;

  before(async function () {
    this.timeout(300_000);
    stack = await startApi(engine.db, {
      // The relay's daily quotas and the per-client nonce cap would otherwise answer 429 to most
      // of a long run, hiding the checks behind them (their own tests cover the limits).
      RELAY_ACCOUNT_DAILY_REQUESTS: "100000000",
      RELAY_IP_DAILY_REQUESTS: "100000000",
      AUTH_MAX_NONCES_PER_CLIENT: "10000",
    });
    app = stack.app;
    operations = operationsOf(app.swagger() as Parameters<typeof operationsOf>[0]);
    callers = await signInCallers(stack);
    const lodged = await lodgeRecords(stack);
    hints = await hintsOf(stack);
    examples = await examplesOf(stack, lodged);
    const config = app.config;
    secrets = {
      values: [
        config.auth.secret,
        ...config.auth.previousSecrets,
        devWallet(RELAYER_WALLET_INDEX).privateKey,
        devWallet(RELAYER_WALLET_INDEX).privateKey.slice(2),
        stack.chain.cast.settler.privateKey.slice(2),
        ...(config.patientRefSalt ? [config.patientRefSalt] : []),
      ],
    };
  });

  after(() => stopApi(stack));

  it("fuzzes every documented operation as every caller: no 5xx, no leak, errors well formed, refusals change nothing", async function () {
    this.timeout(0);
    const tally = new Tally();
    const failures: string[] = [];
    let pair = 0;
    const watch = new DatabaseWatch(engine.db, await publicTables(engine.db));
    for (const op of operations) {
      const requests = requestFor(op, hints, examples[op.key]);
      for (const caller of callers) {
        const seed = SEED + pair++;
        const roleRefused = await refusesRole(op, caller);
        const property = fc.asyncProperty(
          withAuthorization(requests, caller.authorization),
          async (request) => {
            await watch.begin();
            const res = await send(request);
            const changed = await watch.changed();
            const code = errorCode(res);
            tally.record(op.key, caller.name, res.statusCode, code);
            const problems = responseProblems(res, secrets);
            if ((res.statusCode >= 400 || op.method === "GET") && changed.length > 0)
              problems.push(`changed ${changed.join(", ")}`);
            // Refused while routing, or taken to another route by a raw path value.
            const routing = (code !== undefined && ROUTING_ERRORS.has(code)) || request.reroutes === true;
            if (op.secured && caller.unauthenticated && res.statusCode !== 401 && !routing)
              problems.push("not 401 without a valid token");
            if (roleRefused && !routing && !(code === "FORBIDDEN" && ROLE_REFUSAL.test(messageOf(res))))
              problems.push("not refused for the caller's role (403) whatever it sent");
            if (problems.length > 0)
              throw new Error(
                `${problems.join("; ")}\n  answer: ${res.statusCode} ${res.body.slice(0, 300)}`,
              );
          },
        );
        const started = Date.now();
        const details = await fc.check(property, { numRuns: RUNS, seed });
        tally.spent(op.key, Date.now() - started);
        if (details.failed)
          failures.push(
            `${op.key} as ${caller.name} (FUZZ_SEED=${SEED}, pair seed ${seed}):\n` +
              `  request: ${describe(details.counterexample?.[0])}\n` +
              `  ${details.errorInstance instanceof Error ? details.errorInstance.message : String(details.errorInstance)}`,
          );
      }
    }
    if (SUMMARY) console.log(tally.format(`fuzz on ${engine.engine} (FUZZ_RUNS=${RUNS}, FUZZ_SEED=${SEED})`));
    expect(tally.operations.size, "operations exercised").to.equal(operations.length);
    expect(failures, failures.join("\n\n")).to.deep.equal([]);
  });

  function send(request: FuzzRequest): Promise<LightMyRequestResponse> {
    return app.inject({
      method: request.method as "GET",
      url: request.url,
      headers: request.headers,
      ...(request.payload === undefined ? {} : { payload: request.payload }),
    });
  }

  /**
   * Whether `caller` lacks the role `op` needs: asked with a plain request (known path values,
   * no query, an empty JSON body), as the gateway's role check answers before it reads anything.
   */
  async function refusesRole(op: Operation, caller: Caller): Promise<boolean> {
    if (!op.secured || caller.unauthenticated) return false;
    const [authorization] = fc.sample(caller.authorization, 1);
    const url = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) =>
      encodeURIComponent(hints[name]?.[0] ?? "1"),
    );
    const res = await app.inject({
      method: op.method,
      url,
      headers: { ...(authorization ? { authorization } : {}), "idempotency-key": "fuzz-role-probe" },
      ...(op.body ? { payload: {} } : {}),
    });
    return errorCode(res) === "FORBIDDEN" && ROLE_REFUSAL.test(messageOf(res));
  }
});

function messageOf(res: LightMyRequestResponse): string {
  try {
    return String((JSON.parse(res.body) as { message?: unknown }).message ?? "");
  } catch {
    return "";
  }
}

function describe(request: FuzzRequest | undefined): string {
  if (!request) return "(none)";
  const payload = request.payload === undefined ? "" : ` ${request.payload.slice(0, 300)}`;
  const headers = { ...request.headers };
  if (headers.authorization) headers.authorization = `${headers.authorization.slice(0, 40)}…`;
  return `[${request.kind}] ${request.method} ${request.url.slice(0, 300)} ${JSON.stringify(headers)}${payload}`;
}

/** What the set-up lodged with the gateway, for the examples. */
interface Lodged {
  receipt: ReceiptPayload;
  /** The exception the stocktake raised: the received lot, counted as none. */
  exceptionId: string;
}

/**
 * What the lookups find besides the ledger: the procured shipment's serial manifest and a goods
 * receipt of it (GR-FUZZ-1, among the hints), the hospital's main campus, and a stocktake of it
 * that found none of the received lot, which raised an exception. Without them a serial's trail,
 * its proof and a receipt could only be refused, a stocktake had no campus to count and no
 * exception could be decided, and their success paths went unfuzzed.
 */
async function lodgeRecords(stack: ApiStack): Promise<Lodged> {
  const { app, chain, p } = stack;
  const tokens = await loginAll(app, {
    supplier: chain.cast.supplier,
    receiver: chain.cast.receiver,
    hospital: chain.cast.hospital,
  });
  const receipt = await receiveWholeShipment(app, chain, tokens, p, RECEIPT_KEY, RECEIPT_KEY);
  const post = async (url: string, token: string, payload: Record<string, unknown>) => {
    const res = await app.inject({
      method: "POST",
      url,
      headers: { ...bearer(token), "idempotency-key": `fuzz-set-up ${url}` },
      payload,
    });
    expect(res.statusCode, res.body).to.equal(201);
    return res;
  };
  await post("/v1/campuses", tokens.hospital, { gln: campusGln(0), name: "Main campus" });
  const stocktake = await post("/v1/stock/stocktakes", tokens.receiver, { campus: campusGln(0), lines: [] });
  const [difference] = stocktake.json<Stocktake>().differences;
  expect(difference, stocktake.body).to.include({ gtin: GTIN, lot: LOT, counted: 0 });
  return { receipt, exceptionId: difference.exceptionId! };
}

const RECEIPT_KEY = "GR-FUZZ-1";

/** The fuzz's campus GLNs, far from the ones other tests number (stock-seed.ts). */
const campusGln = (n: number) => gln(900_000 + n);

/** How many sign-ins the fuzz may make with a fresh nonce (each nonce is good once). */
const SIGN_INS = 8;

/**
 * Whole requests that succeed for the right caller, whose fields must agree with the ledger all
 * at once: the receipt lodged at set-up sent again under its key (the replay), a use of one of its
 * serials under a new usage id, its manifest lodged again, sign-ins signed by a member, the
 * hospital's name as enrolled, and relayed calls prepared for signing. The
 * fuzz sends them as they are and with one thing wrong, so the checks behind validation (the
 * replay's body compared, the stock, the manifest against the chain, the signature) meet both.
 */
async function examplesOf(stack: ApiStack, { receipt, exceptionId }: Lodged): Promise<Examples> {
  const { app, chain, p } = stack;
  const contracts = chain.deployment.contracts;
  const setCarrier = (carrier: string) =>
    chain.ledger.trace.interface.encodeFunctionData("setCarrier", [carrier, true]);
  const usedAt = await chainIso(chain, -60);
  const signIns = [];
  for (let i = 0; i < SIGN_INS; i++) signIns.push(await signIn(app, chain.cast.receiver));
  return {
    "post /v1/receipts": fc.constant({ body: receipt, headers: { "idempotency-key": RECEIPT_KEY } }),
    "post /v1/usages": fc.tuple(fc.uuid(), fc.constantFrom(...p.serials)).map(([usageId, serial]) => ({
      body: {
        usageId,
        barcode: `(01)${GTIN}(10)${LOT}(21)${serial}`,
        department: "Cardiology",
        patientRef: `MRN-${usageId.slice(0, 8)}`,
        usedAt,
        billingCode: "C0401-DES-PCI",
        billedAmount: "10000",
      },
    })),
    "put /v1/shipments/{id}/manifest": fc.constant({
      body: { serials: p.serials },
      path: { id: String(p.shipmentId) },
    }),
    "post /v1/auth/login": fc.constantFrom(...signIns).map((body) => ({ body })),
    // A new campus, a stocktake of the main one (a count of some serials), and the decision on
    // the exception the set-up's stocktake raised (once; later ones are 409).
    "post /v1/campuses": fc
      .integer({ min: 1, max: 50 })
      .map((n) => ({ body: { gln: campusGln(n), name: `Campus ${n}` } })),
    "post /v1/stock/stocktakes": fc.subarray(p.serials).map((counted) => ({
      body: {
        campus: campusGln(0),
        lines: counted.map((serial) => ({ barcode: `(01)${GTIN}(10)${LOT}(21)${serial}` })),
      },
    })),
    "post /v1/exceptions/{id}/resolve": fc
      .constantFrom("accept_all", "reject")
      .map((action) => ({ body: { action, note: "counted again" }, path: { id: exceptionId } })),
    "put /v1/hospitals/{address}/name": fc.constant({
      body: { name: "General Hospital" },
      path: { address: chain.cast.hospital.address },
    }),
    // Calls a supplier or a hospital may have relayed, and that would succeed: appointing a
    // carrier, and an allowance for the ledger's escrow or bid bonds.
    "post /v1/relay/prepare": fc
      .constantFrom(chain.cast.receiver.address, chain.cast.stranger.address)
      .map((carrier) => ({ body: { to: contracts.trace, data: setCarrier(carrier) } })),
    "post /v1/relay/permits/prepare": fc
      .constantFrom(contracts.orderBook, contracts.tenders)
      .map((spender) => ({ body: { spender, value: "1" } })),
  };
}

/**
 * Values the test ledger knows, by field name: the procured order, shipment and agreement, the
 * cast's addresses, the GTIN, lot and serials shipped, the ledger's contracts, a well-formed
 * sign-in message. Mixed into generated values, they take requests past "not found".
 */
async function hintsOf(stack: ApiStack): Promise<Hints> {
  const { chain, p, app } = stack;
  const { cast } = chain;
  const ids = [p.orderId, p.shipmentId, p.agreementId, 1n].map(String);
  const addresses = [cast.supplier, cast.hospital, cast.regulator, cast.receiver].map((w) => w.address);
  const contracts = Object.values(chain.deployment.contracts);
  const now = await chain.now();
  const months = [0, 1, 11].map((m) => new Date((now + m * 31 * 86_400) * 1000).toISOString().slice(0, 7));
  const times = [-30, 0, 30].map((d) => new Date((now + d * 86_400) * 1000).toISOString());
  const nonce = (await app.inject({ method: "POST", url: "/v1/auth/nonce" })).json<{
    nonce: string;
    domain: string;
    chainId: number;
  }>();
  const siwe = formatSiwe({
    domain: nonce.domain,
    address: cast.supplier.address,
    statement: "Sign in to the Sunshine Ledger gateway",
    uri: `http://${nonce.domain}`,
    chainId: nonce.chainId,
    nonce: "0123456789abcdef",
    issuedAt: new Date(),
  });
  return {
    id: ids,
    orderId: [String(p.orderId)],
    shipmentId: [String(p.shipmentId)],
    agreementId: [String(p.agreementId)],
    tenderId: ["1"],
    address: addresses,
    hospital: [cast.hospital.address],
    supplier: [cast.supplier.address],
    // An address (the relay), a month (claims) or a timestamp (lists): each schema takes its own.
    from: [...addresses, ...months, ...times],
    to: [...contracts, ...months, ...times],
    month: months,
    owner: addresses,
    spender: contracts,
    gtin: [GTIN],
    lot: [LOT],
    serial: p.serials,
    serials: p.serials,
    expiry: [isoDate(p.expiry)],
    barcode: serialLines(p.serials, p.expiry).map((l) => l.barcode),
    category: [STENTS],
    receiptNo: [RECEIPT_KEY],
    message: [siwe],
  };
}
