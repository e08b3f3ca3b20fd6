import { expect } from "chai";
import { ethers, JsonRpcProvider, Network, type JsonRpcPayload, type JsonRpcResult } from "ethers";
import { migrate } from "../../../../server/db";
import { enqueue } from "../../../../server/modules/payments/settlement.repository";
import { listPayments } from "../../../../server/modules/payments/payments.repository";
import * as act from "../../../../ledger/acts";
import { settlerCheck } from "../../../../server/modules/payments/settler-check";
import { PermanentError } from "../../../../server/lib/failures";
import { forEachEngine } from "../../helpers/engines";
import { rejectionOf } from "../../helpers/rejection";
import { freePort, GTIN, procure, startChain, type ChainStack } from "../../support/chain";
import { extraWallet } from "../../support/api-fixtures";
import { indexLedger } from "../../support/indexer";
import {
  CHAIN_ID,
  FlakyProvider,
  fullAcceptance,
  jobOf,
  providerFor,
  queueJobs,
  settle,
  settledLogs,
  settlementWorker,
  settlerNonces,
  shipOrder,
  silentLog,
  supplierBalance,
} from "./support";

/**
 * The payment worker against a real Anvil node and both database engines: a queued job is paid
 * exactly once and recorded with its transaction; the chain is asked before anything is sent;
 * refusals become exceptions carrying the decoded custom error; network trouble never loses or
 * fails a job; and a worker that dies at any point of the payment path is finished by the next
 * one without paying twice.
 */

/** Thrown from a hook to stand for the process dying there. */
class Died extends Error {}

const CRASH_POINTS = ["signed", "broadcast", "mined"] as const;

describe("SettlementWorker", function () {
  let chain: ChainStack;
  let agreementId: bigint;

  before(async function () {
    chain = await startChain();
    ({ agreementId } = await procure(chain, 1));
  });

  after(async function () {
    await chain?.stop();
  });

  describe("its settler key check", function () {
    it("passes the hospital's settler, for its hospital or when the gateway keeps any", async function () {
      const { ledger, cast } = chain;
      expect(await settlerCheck(ledger, cast.settler.address, cast.hospital.address)).to.equal(null);
      expect(await settlerCheck(ledger, cast.settler.address, undefined)).to.equal(null);
    });

    it("waits for a key of no hospital, and for a hospital member without the settler role", async function () {
      const { ledger, cast } = chain;
      expect(await settlerCheck(ledger, cast.supplier.address, undefined)).to.match(
        new RegExp(
          `^SETTLER_KEY's account ${cast.supplier.address} is not a settler of any hospital on the chain`,
        ),
      );
      expect(await settlerCheck(ledger, cast.receiver.address, undefined)).to.match(
        new RegExp(
          `^SETTLER_KEY's account ${cast.receiver.address} is not a settler of hospital ${cast.hospital.address.toLowerCase()} on the chain`,
        ),
      );
    });

    it("stops for a settler of another hospital than the gateway's", async function () {
      const { ledger, cast } = chain;
      const wrong = await rejectionOf(settlerCheck(ledger, cast.settler.address, cast.hospital2.address));
      expect(wrong).to.be.instanceOf(PermanentError);
    });
  });

  forEachEngine((engine) => {
    before(() => migrate(engine.db));

    describe("when the settler key has no settler role yet", function () {
      it("stays idle with nothing sent, says why once, and pays once the key may", async function () {
        const order = await shipOrder(chain, agreementId, [2]);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        const noncesBefore = await settlerNonces(chain);
        // The role arrives between the second and the third ask, as an admin's grant would.
        let asked = 0;
        const log = silentLog();
        const worker = settlementWorker(engine.db, chain, {
          preflight: () =>
            ++asked < 3
              ? settlerCheck(chain.ledger, chain.cast.receiver.address, undefined)
              : Promise.resolve(null),
          log,
        });
        expect(await worker.tick()).to.equal(false);
        expect(await worker.tick()).to.equal(false);
        expect(worker.halted()).to.equal(false);
        expect(log.warnings.map((w) => w.msg)).to.deep.equal(["settlement worker waiting"]);
        expect(String((log.warnings[0].obj as { reason: string }).reason)).to.match(
          new RegExp(`^SETTLER_KEY's account ${chain.cast.receiver.address} is not a settler of hospital`),
        );
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("pending");
        expect(await settlerNonces(chain)).to.deep.equal(noncesBefore);
        await worker.drain();
        expect(asked).to.equal(3);
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("confirmed");
      });
    });

    describe("when the settler key cannot pay for the gateway's hospital", function () {
      it("stops before its first job, with the job pending and nothing sent", async function () {
        const order = await shipOrder(chain, agreementId, [2]);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        const noncesBefore = await settlerNonces(chain);
        const log = silentLog();
        const worker = settlementWorker(engine.db, chain, {
          // The key of hospital2's gateway, as a wrongly configured HOSPITAL would make it.
          preflight: () =>
            settlerCheck(chain.ledger, chain.cast.settler.address, chain.cast.hospital2.address),
          log,
        });
        await worker.start();
        expect(worker.halted()).to.equal(true);
        expect(log.errors.map((e) => e.msg)).to.deep.equal(["settlement worker stopped"]);
        expect(String((log.errors[0].obj as { err: Error }).err.message)).to.include(
          `SETTLER_KEY's account ${chain.cast.settler.address} settles for hospital ${chain.cast.hospital.address.toLowerCase()}, ` +
            `but this gateway keeps hospital ${chain.cast.hospital2.address} (HOSPITAL)`,
        );
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("pending");
        expect(await settlerNonces(chain)).to.deep.equal(noncesBefore);
        // The right hospital's gateway pays it.
        const right = settlementWorker(engine.db, chain, {
          preflight: () =>
            settlerCheck(chain.ledger, chain.cast.settler.address, chain.cast.hospital.address),
        });
        await right.drain();
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("confirmed");
      });
    });

    describe("when a matched shipment is queued", function () {
      it("confirms it on-chain, pays the supplier the order value once and records the tx hash", async function () {
        const order = await shipOrder(chain, agreementId, [3]);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        const balanceBefore = await supplierBalance(chain);

        await settle(settlementWorker(engine.db, chain), engine.db, [unit.shipmentId]);

        const job = await jobOf(engine.db, unit.shipmentId);
        const logs = (await settledLogs(chain)).get(unit.shipmentId) ?? [];
        expect(job.status).to.equal("confirmed");
        expect(logs).to.have.lengthOf(1);
        expect(job.tx_hash).to.equal(logs[0].txHash);
        // A full delivery on time releases the whole escrow, with no penalty, to the supplier.
        expect(logs[0].paid).to.equal(order.value);
        expect((await supplierBalance(chain)) - balanceBefore).to.equal(order.value);
        expect((await chain.ledger.trace.shipmentState(unit.shipmentId)).confirmed).to.equal(true);
        expect((await chain.ledger.orderBook.order(order.orderId)).escrow).to.equal(0n);
      });
    });

    describe("when a reorganisation drops the payment's block (CONFIRMATIONS=2)", function () {
      it("keeps the job submitted until its block is two deep, and sends the same transaction again once the block is gone", async function () {
        const order = await shipOrder(chain, agreementId, [2]);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        const balanceBefore = await supplierBalance(chain);
        // pollMs 0: a job waiting for depth is due again at once, so each tick below acts.
        const worker = settlementWorker(engine.db, chain, { confirmations: 2, pollMs: 0 });

        expect(await worker.tick()).to.equal(true);
        const sent = await jobOf(engine.db, unit.shipmentId);
        expect(sent.status, "mined in the newest block, not yet final").to.equal("submitted");
        expect(sent.last_error).to.equal(null);
        expect((await settledLogs(chain)).get(unit.shipmentId)).to.have.lengthOf(1);

        // The payment's block is replaced by an empty one, and the node forgets the transaction.
        await chain.provider.send("anvil_reorg", [1, []]);
        expect(await chain.provider.getTransactionReceipt(sent.tx_hash!)).to.equal(null);
        expect(await chain.provider.getTransaction(sent.tx_hash!)).to.equal(null);
        expect(await supplierBalance(chain)).to.equal(balanceBefore);

        // The worker finds its transaction gone and the shipment unpaid: it sends the same bytes.
        expect(await worker.tick()).to.equal(true);
        const resent = await jobOf(engine.db, unit.shipmentId);
        expect(resent.status).to.equal("submitted");
        expect(resent.tx_hash).to.equal(sent.tx_hash);
        expect(resent.nonce).to.equal(sent.nonce);
        expect(await chain.provider.getTransactionReceipt(sent.tx_hash!)).to.not.equal(null);

        // One block on top is not yet two deep; the second makes it final.
        await chain.mine(1);
        expect(await worker.tick()).to.equal(true);
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("submitted");
        await chain.mine(1);
        expect(await worker.tick()).to.equal(true);

        const job = await jobOf(engine.db, unit.shipmentId);
        const logs = (await settledLogs(chain)).get(unit.shipmentId) ?? [];
        expect(job.status).to.equal("confirmed");
        expect(logs.map((l) => l.txHash)).to.deep.equal([sent.tx_hash]);
        expect(logs[0].paid).to.equal(order.value);
        expect((await supplierBalance(chain)) - balanceBefore).to.equal(order.value);
        expect(await worker.tick(), "nothing left to do").to.equal(false);
      });
    });

    describe("when a reorganisation drops two payments and another settler pays the first meanwhile", function () {
      it("fills the first's unused nonce with a transfer of nothing, again when that is lost too, so the second lands: each shipment paid once", async function () {
        const { ledger, cast } = chain;
        // A second settler of the hospital, outside this worker (the bench of another office).
        const other = extraWallet(chain, 13);
        if (!(await ledger.hospitals.hasHospitalRole(cast.hospital.address, other.address, 2))) {
          await act.sent(ledger.hospitals.connect(cast.hospital).setMemberRoles(other.address, 2));
          await act.sent(ledger.hospitals.connect(other).acceptMembership(cast.hospital.address));
        }
        const order = await shipOrder(chain, agreementId, [1, 1]);
        const [a, b] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(a), fullAcceptance(b)]);
        const balanceBefore = await supplierBalance(chain);
        // A poll of a minute: nothing is looked at again until the test says the poll has come.
        const worker = settlementWorker(engine.db, chain, {
          confirmations: 2,
          pollMs: 60_000,
          receiptTimeoutMs: 300,
        });
        const pollComes = () =>
          engine.db.query(
            `UPDATE settlement_jobs SET next_attempt_at = now() WHERE shipment_id = ANY($1::bigint[])`,
            [[a.shipmentId.toString(), b.shipmentId.toString()]],
          );
        const settler = cast.settler.address;
        /** The settler's transaction at `nonce` among the newest blocks. */
        async function minedAt(nonce: number) {
          const head = await chain.provider.getBlockNumber();
          for (let n = head; n > head - 3; n--) {
            const block = await chain.provider.getBlock(n, true);
            const found = block!.prefetchedTransactions.find((t) => t.from === settler && t.nonce === nonce);
            if (found) return found;
          }
          throw new Error(`no transaction of the settler at nonce ${nonce} in the last 3 blocks`);
        }

        expect(await worker.tick()).to.equal(true);
        expect(await worker.tick()).to.equal(true);
        const [sentA, sentB] = [await jobOf(engine.db, a.shipmentId), await jobOf(engine.db, b.shipmentId)];
        expect([sentA.status, sentB.status]).to.deep.equal(["submitted", "submitted"]);
        expect(Number(sentB.nonce)).to.equal(Number(sentA.nonce) + 1);

        await chain.provider.send("anvil_reorg", [2, []]);
        expect(await chain.provider.getTransaction(sentA.tx_hash!)).to.equal(null);
        expect(await chain.provider.getTransaction(sentB.tx_hash!)).to.equal(null);
        await act.confirmShipment(ledger, other, a.shipmentId, {
          accepted: 1,
          rejected: 0,
          receiptHash: ethers.id("the other office's receipt"),
        });
        await chain.mine(2);

        await pollComes();
        expect(await worker.tick()).to.equal(true);
        expect((await jobOf(engine.db, a.shipmentId)).status).to.equal("confirmed");
        expect(await chain.provider.getTransactionCount(settler, "latest"), "the nonce is used").to.equal(
          Number(sentA.nonce) + 1,
        );
        const filler = await minedAt(Number(sentA.nonce));
        expect([filler.to, filler.value, filler.data]).to.deep.equal([settler, 0n, "0x"]);

        // The filler's block is dropped in its turn, and the node forgets it: a gap again.
        await chain.provider.send("anvil_reorg", [1, []]);
        expect(await chain.provider.getTransactionCount(settler, "latest")).to.equal(Number(sentA.nonce));
        // The second payment is sent again, and waits in the node's pool behind the gap...
        expect(await worker.tick()).to.equal(true);
        const resent = await jobOf(engine.db, b.shipmentId);
        expect(resent.tx_hash).to.equal(sentB.tx_hash);
        expect(await chain.provider.getTransactionReceipt(sentB.tx_hash!), "behind the gap").to.equal(null);
        // ...until the worker looks at it again and fills the nonce no job holds.
        await pollComes();
        expect(await worker.tick()).to.equal(true);
        expect(
          await chain.provider.getTransactionReceipt(sentB.tx_hash!),
          "mined behind the filler",
        ).to.not.equal(null);
        expect((await minedAt(Number(sentA.nonce))).to).to.equal(settler);
        await chain.mine(2);
        await pollComes();
        expect(await worker.tick()).to.equal(true);

        expect((await jobOf(engine.db, b.shipmentId)).status).to.equal("confirmed");
        const logs = await settledLogs(chain);
        expect((logs.get(a.shipmentId) ?? []).map((l) => l.txHash)).to.have.lengthOf(1);
        expect((logs.get(b.shipmentId) ?? []).map((l) => l.txHash)).to.deep.equal([sentB.tx_hash]);
        expect((await supplierBalance(chain)) - balanceBefore).to.equal(order.value);
      });
    });

    describe("when the chain already shows the shipment confirmed", function () {
      it("records the job confirmed without sending anything", async function () {
        const order = await shipOrder(chain, agreementId, [2]);
        const [unit] = order.shipments;
        const job = fullAcceptance(unit);
        // Paid by hand (or by an earlier run whose database write was lost).
        await act.confirmShipment(chain.ledger, chain.cast.settler, unit.shipmentId, {
          accepted: Number(job.accepted),
          rejected: Number(job.rejected),
          receiptHash: job.receiptHash,
        });
        await queueJobs(engine.db, chain, [job]);
        const nonceBefore = await settlerNonces(chain);
        const balanceBefore = await supplierBalance(chain);

        await settle(settlementWorker(engine.db, chain), engine.db, [unit.shipmentId]);

        const row = await jobOf(engine.db, unit.shipmentId);
        expect(row.status).to.equal("confirmed");
        expect(row.tx_hash, "the worker sent no transaction of its own").to.equal(null);
        expect(await settlerNonces(chain)).to.deep.equal(nonceBefore);
        expect(await supplierBalance(chain)).to.equal(balanceBefore);
        expect((await settledLogs(chain)).get(unit.shipmentId)).to.have.lengthOf(1);
      });
    });

    describe("when the shipment's creation is not indexed yet", function () {
      it("keeps the job pending without sending anything, and pays it once the record is indexed", async function () {
        const order = await shipOrder(chain, agreementId, [2]);
        const [unit] = order.shipments;
        // Queued straight into the outbox, ahead of the indexer: the worker has no record to send.
        await enqueue(engine.db, fullAcceptance(unit));
        const nonceBefore = await settlerNonces(chain);

        expect(await settlementWorker(engine.db, chain).tick()).to.equal(true);

        const waiting = await jobOf(engine.db, unit.shipmentId);
        expect(waiting).to.deep.include({ status: "pending", tx_hash: null, error_name: null });
        expect(waiting.last_error).to.equal("the shipment's creation is not indexed yet");
        expect(await settlerNonces(chain)).to.deep.equal(nonceBefore);

        await indexLedger(engine.db, chain);
        await settle(settlementWorker(engine.db, chain), engine.db, [unit.shipmentId]);
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("confirmed");
        const logs = (await settledLogs(chain)).get(unit.shipmentId) ?? [];
        expect(logs).to.have.lengthOf(1);
        expect(logs[0].paid).to.equal(order.value);
      });
    });

    describe("when the chain refuses the confirmation", function () {
      it("records the job failed with the decoded custom error and raises a settlement exception", async function () {
        const lot = `RCL-${engine.engine}`;
        const order = await shipOrder(chain, agreementId, [2], lot);
        const [unit] = order.shipments;
        await act.sent(chain.ledger.trace.connect(chain.cast.supplier).recall(BigInt(GTIN), lot, 1));
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        const nonceBefore = await settlerNonces(chain);

        await settle(settlementWorker(engine.db, chain), engine.db, [unit.shipmentId]);

        const job = await jobOf(engine.db, unit.shipmentId);
        expect(job.status).to.equal("failed");
        expect(job.error_name).to.equal("SettlementLotRecalled");
        const expected = `SettlementLotRecalled(shipmentId=${unit.shipmentId}, gtin=${BigInt(GTIN)}, lot=${lot})`;
        expect(job.last_error).to.equal(expected);
        // GET /v1/payments names the error, for the console to word it in the reader's language.
        const { items } = await listPayments(engine.db, { orderId: String(order.orderId), limit: 10 });
        expect(items[0]).to.include({
          status: "failed",
          errorName: "SettlementLotRecalled",
          error: expected,
        });
        const { rows } = await engine.db.query<{
          source: string;
          reasons: unknown;
          proposed_accepted: string;
        }>("SELECT source, reasons, proposed_accepted FROM exceptions WHERE shipment_id = $1", [
          unit.shipmentId.toString(),
        ]);
        expect(rows).to.deep.equal([
          {
            source: "settlement",
            reasons: [{ code: "CHAIN_REVERT", error: "SettlementLotRecalled", message: expected }],
            proposed_accepted: "2",
          },
        ]);
        // Refused at gas estimation: nothing was signed into the chain, nobody was paid.
        expect(await settlerNonces(chain)).to.deep.equal(nonceBefore);
        expect((await settledLogs(chain)).get(unit.shipmentId)).to.equal(undefined);
      });
    });

    describe("when the transaction reverts after it was sent", function () {
      it("records the failure from the mined receipt, with the error replayed at its block", async function () {
        const lot = `LATE-${engine.engine}`;
        const order = await shipOrder(chain, agreementId, [2], lot);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        // The lot is recalled between signing (gas estimated fine) and mining.
        let recalled = false;
        const worker = settlementWorker(engine.db, chain, {
          hooks: {
            at: async (point) => {
              if (point !== "signed" || recalled) return;
              recalled = true;
              await act.sent(chain.ledger.trace.connect(chain.cast.supplier).recall(BigInt(GTIN), lot, 1));
            },
          },
        });

        // One tick sends, sees the reverted receipt and records it: no crash, no second attempt.
        expect(await worker.tick()).to.equal(true);

        const job = await jobOf(engine.db, unit.shipmentId);
        expect(job.status).to.equal("failed");
        expect(job.error_name).to.equal("SettlementLotRecalled");
        const receipt = await chain.provider.getTransactionReceipt(job.tx_hash!);
        expect(receipt?.status).to.equal(0);
        const { rows } = await engine.db.query<{ reasons: { error: string }[] }>(
          "SELECT reasons FROM exceptions WHERE shipment_id = $1 AND source = 'settlement'",
          [unit.shipmentId.toString()],
        );
        expect(rows.map((r) => r.reasons[0].error)).to.deep.equal(["SettlementLotRecalled"]);
        expect((await settledLogs(chain)).get(unit.shipmentId)).to.equal(undefined);
      });
    });

    describe("when the payment is mined just after the worker first asks for its receipt", function () {
      it("sees it mined at its next question, without waiting for a later block or a polling interval", async function () {
        const lot = `MINED-${engine.engine}`;
        const order = await shipOrder(chain, agreementId, [2], lot);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        // The node holds the payment until the worker's first receipt question has been answered
        // "not yet", then mines it — and mines nothing after it, as an automining chain does
        // until someone sends again.
        const provider = new (class extends JsonRpcProvider {
          asked = 0;
          override async _send(payload: JsonRpcPayload | JsonRpcPayload[]): Promise<JsonRpcResult[]> {
            const method = Array.isArray(payload) ? payload[0].method : payload.method;
            const reply = await super._send(payload);
            if (method === "eth_getTransactionReceipt" && this.asked++ === 0) {
              await chain.provider.send("evm_mine", []);
              await chain.provider.send("evm_setAutomine", [true]);
            }
            return reply;
          }
        })(chain.node.url, undefined, {
          staticNetwork: Network.from(CHAIN_ID),
          cacheTimeout: -1,
          // Longer than the test may take: the worker asks again well before a polling interval.
          pollingInterval: 600_000,
        });
        const worker = settlementWorker(engine.db, chain, {
          provider,
          // Long enough that a wait for the next block, which never comes, ends the tick unpaid.
          receiptTimeoutMs: 5_000,
          hooks: {
            at: async (point) => {
              if (point === "signed") await chain.provider.send("evm_setAutomine", [false]);
            },
          },
        });
        try {
          expect(await worker.tick()).to.equal(true);
        } finally {
          await chain.provider.send("evm_setAutomine", [true]);
          provider.destroy();
        }
        expect(provider.asked).to.be.greaterThan(1);
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("confirmed");
        expect((await settledLogs(chain)).get(unit.shipmentId)).to.have.lengthOf(1);
      });
    });

    describe("when the transaction fails for its place in the block", function () {
      it("does not take it for a refusal: it signs again and lets the chain decide", async function () {
        const lot = `ORD-${engine.engine}`;
        const order = await shipOrder(chain, agreementId, [2], lot);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        // The recall lands in the same block, just before the payment: replayed on the state
        // before that block, the payment goes through, so the receipt alone cannot say why.
        const worker = settlementWorker(engine.db, chain, {
          hooks: {
            at: async (point) => {
              if (point === "signed") {
                await chain.provider.send("evm_setAutomine", [false]);
                await chain.ledger.trace.connect(chain.cast.supplier).recall(BigInt(GTIN), lot, 1);
              }
              if (point === "broadcast") {
                await chain.provider.send("evm_mine", []);
                await chain.provider.send("evm_setAutomine", [true]);
              }
            },
          },
        });
        const nonceBefore = await settlerNonces(chain);
        try {
          expect(await worker.tick()).to.equal(true);
        } finally {
          await chain.provider.send("evm_setAutomine", [true]);
        }
        // The payment was mined, and failed (a payment that went through would be confirmed).
        expect((await settlerNonces(chain)).latest).to.equal(nonceBefore.latest + 1);

        const retried = await jobOf(engine.db, unit.shipmentId);
        expect(retried).to.deep.include({ status: "pending", tx_hash: null, error_name: null });
        expect(retried.last_error).to.match(/does not revert when replayed/);

        await settle(settlementWorker(engine.db, chain), engine.db, [unit.shipmentId]);
        const job = await jobOf(engine.db, unit.shipmentId);
        expect(job.status).to.equal("failed");
        expect(job.error_name).to.equal("SettlementLotRecalled");
        expect((await settledLogs(chain)).get(unit.shipmentId)).to.equal(undefined);
        // The second attempt was refused at gas estimation: nothing more was mined.
        expect((await settlerNonces(chain)).latest).to.equal(nonceBefore.latest + 1);
      });
    });

    describe("when the RPC node cannot be reached", function () {
      it("fails the tick but leaves the job pending, then pays it once the node answers", async function () {
        const order = await shipOrder(chain, agreementId, [1]);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        const dead = providerFor(`http://127.0.0.1:${await freePort()}`);
        try {
          const offline = settlementWorker(engine.db, chain, { provider: dead });
          const error = await offline.tick().then(
            () => null,
            (e: unknown) => e,
          );
          expect(error, "tick() reports the network error to its caller").to.be.instanceOf(Error);

          // The loop keeps at it with growing pauses and never gives the job up.
          const log = silentLog();
          const looping = settlementWorker(engine.db, chain, { provider: dead, log, pollMs: 10 });
          const loop = looping.start();
          await log.logged("settlement worker step failed; retrying", 3);
          await looping.stop();
          await loop;
          const failures = log.warnings.map((w) => w.obj as { failures: number; retryInMs: number });
          expect(failures.length).to.be.at.least(3);
          expect(failures.slice(0, 3).map((f) => f.failures)).to.deep.equal([1, 2, 3]);
          // Jittered within the doubling ceilings of 20, 40 and 80 ms (pollMs 10).
          failures.slice(0, 3).forEach((f, i) => {
            expect(f.retryInMs).to.be.within(10 * 2 ** i, 20 * 2 ** i);
          });
          expect(log.errors, "a network error never stops the worker").to.deep.equal([]);

          const job = await jobOf(engine.db, unit.shipmentId);
          expect(job).to.deep.include({ status: "pending", tx_hash: null, error_name: null });
          const { rows } = await engine.db.query("SELECT 1 FROM exceptions WHERE shipment_id = $1", [
            unit.shipmentId.toString(),
          ]);
          expect(rows, "a network error is not a business exception").to.have.lengthOf(0);
        } finally {
          dead.destroy();
        }

        await settle(settlementWorker(engine.db, chain), engine.db, [unit.shipmentId]);
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("confirmed");
        expect((await settledLogs(chain)).get(unit.shipmentId)).to.have.lengthOf(1);
      });

      it("retries through dropped requests and lost replies, asking the chain before resending", async function () {
        const order = await shipOrder(chain, agreementId, [2]);
        const [unit] = order.shipments;
        await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
        const balanceBefore = await supplierBalance(chain);
        const flaky = new FlakyProvider(chain.node.url, {
          eth_call: { times: 2, lose: "request" },
          eth_getTransactionCount: { times: 1, lose: "request" },
          eth_estimateGas: { times: 1, lose: "request" },
          // The node takes the transaction and mines it, but the worker never hears back.
          eth_sendRawTransaction: { times: 1, lose: "reply" },
          eth_getTransactionReceipt: { times: 1, lose: "request" },
        });
        const log = silentLog();
        const worker = settlementWorker(engine.db, chain, {
          provider: flaky,
          log,
          pollMs: 10,
          receiptTimeoutMs: 300,
        });
        const loop = worker.start();
        try {
          await log.logged("settlement confirmed on-chain");
        } finally {
          await worker.stop();
          await loop;
          flaky.destroy();
        }
        expect((await jobOf(engine.db, unit.shipmentId)).status).to.equal("confirmed");

        // Every fault was hit, in the order of the payment path, and each cost one retried step.
        expect(flaky.injected).to.deep.equal([
          "eth_call:request",
          "eth_call:request",
          "eth_getTransactionCount:request",
          "eth_estimateGas:request",
          "eth_sendRawTransaction:reply",
          "eth_getTransactionReceipt:request",
        ]);
        expect(log.warnings).to.have.lengthOf(flaky.injected.length);
        // The lost reply was answered by the receipt, not by sending the transaction again.
        expect(flaky.calls.get("eth_sendRawTransaction")).to.equal(1);
        const logs = (await settledLogs(chain)).get(unit.shipmentId) ?? [];
        expect(logs).to.have.lengthOf(1);
        expect((await jobOf(engine.db, unit.shipmentId)).tx_hash).to.equal(logs[0].txHash);
        expect((await supplierBalance(chain)) - balanceBefore).to.equal(order.value);
      });
    });

    describe("when the worker dies during a payment", function () {
      for (const point of CRASH_POINTS) {
        it(`at "${point}", a new worker finishes the job with the same transaction and pays once`, async function () {
          const order = await shipOrder(chain, agreementId, [2]);
          const [unit] = order.shipments;
          await queueJobs(engine.db, chain, [fullAcceptance(unit)]);
          const balanceBefore = await supplierBalance(chain);
          const nonceBefore = await settlerNonces(chain);

          const dying = settlementWorker(engine.db, chain, {
            // The job is leased to its signer for one receipt wait; the next worker takes over after.
            receiptTimeoutMs: 300,
            hooks: {
              at: (reached) => {
                if (reached === point) throw new Died(point);
              },
            },
          });
          const death = await dying.tick().then(
            () => null,
            (e: unknown) => e,
          );
          expect(death).to.be.instanceOf(Died);

          // What the dead worker left: the signed transaction, committed before it was sent.
          const left = await jobOf(engine.db, unit.shipmentId);
          expect(left.status).to.equal("submitted");
          expect(left.tx_hash).to.match(/^0x[0-9a-f]{64}$/);
          expect(left.raw_tx).to.be.a("string");
          expect(ethers.Transaction.from(left.raw_tx!).hash).to.equal(left.tx_hash);
          if (point === "signed") expect(await chain.provider.getTransaction(left.tx_hash!)).to.equal(null);
          if (point === "mined")
            expect(await chain.provider.getTransactionReceipt(left.tx_hash!)).to.not.equal(null);

          await settle(settlementWorker(engine.db, chain), engine.db, [unit.shipmentId]);

          const job = await jobOf(engine.db, unit.shipmentId);
          const logs = (await settledLogs(chain)).get(unit.shipmentId) ?? [];
          expect(job.status).to.equal("confirmed");
          expect(logs, "exactly one ShipmentSettled").to.have.lengthOf(1);
          expect(logs[0].txHash, "the transaction signed before the crash").to.equal(left.tx_hash);
          expect(job.tx_hash).to.equal(left.tx_hash);
          expect((await supplierBalance(chain)) - balanceBefore).to.equal(order.value);
          expect((await settlerNonces(chain)).latest).to.equal(nonceBefore.latest + 1);
        });
      }
    });
  });
});
