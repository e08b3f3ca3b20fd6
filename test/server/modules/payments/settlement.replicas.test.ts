import { expect } from "chai";
import { migrate, type Db } from "../../../../server/db";
import { forEachEngine } from "../../helpers/engines";
import type { Counter } from "../../helpers/latch";
import { procure, startChain, type ChainStack } from "../../support/chain";
import {
  fullAcceptance,
  jobOf,
  queueJobs,
  RecordingProvider,
  settledLogs,
  settlementWorker,
  settlerNonces,
  shipOrder,
  silentLog,
  supplierBalance,
  type Broadcast,
  type RecordingLog,
  type ShippedOrder,
} from "./support";

/**
 * Several gateway replicas share one PostgreSQL and one settler key. Jobs are claimed with
 * FOR UPDATE SKIP LOCKED and nonces handed out under an advisory lock, so two workers running
 * flat out over the same outbox must still send each job's transaction once, never reuse a
 * nonce, and pay each shipment once. PGlite serves one process, so this is PostgreSQL only.
 */

const JOBS = 12;

describe("SettlementWorker replicas on one PostgreSQL", function () {
  let chain: ChainStack;
  let agreementId: bigint;

  before(async function () {
    chain = await startChain();
    ({ agreementId } = await procure(chain, 1));
  });

  after(async function () {
    await chain?.stop();
  });

  forEachEngine((engine) => {
    // Defining no test leaves the PGlite suite empty, and mocha runs none of its hooks.
    if (engine.engine !== "postgres") return;

    before(() => migrate(engine.db));

    it(`two workers racing over ${JOBS} jobs send each exactly once and pay each shipment once`, async function () {
      await race({ stall: false });
    });

    it("a replica that stalls between committing a job and sending it keeps it to itself", async function () {
      // A pause after the commit (GC, a slow link to the node) must not let the other replica
      // take the job for an orphan and send it too.
      await race({ stall: true });
    });

    async function race({ stall }: { stall: boolean }): Promise<void> {
      const orders: ShippedOrder[] = [];
      while (orders.length * 2 < JOBS) orders.push(await shipOrder(chain, agreementId, [1, 1]));
      const units = orders.flatMap((o) => o.shipments);
      await queueJobs(
        engine.db,
        chain,
        units.map((unit) => fullAcceptance(unit)),
      );
      const balanceBefore = await supplierBalance(chain);
      const nonceBefore = await settlerNonces(chain);

      const broadcasts: Broadcast[] = [];
      const replicas: { name: string; db: Db; provider: RecordingProvider; log: RecordingLog }[] = [];
      const counts = new Map<string, Counter>(); // both replicas' log messages, counted together
      for (const name of ["a", "b"]) {
        // Each replica has its own pool of connections and its own RPC client and wallet.
        replicas.push({
          name,
          db: await engine.connect(),
          provider: new RecordingProvider(chain.node.url, name, broadcasts),
          log: silentLog(counts),
        });
      }
      const [a, b] = replicas;
      let stalled = false;
      const workers = replicas.map((r) =>
        settlementWorker(r.db, chain, {
          provider: r.provider,
          log: r.log,
          pollMs: 5,
          hooks: {
            // Replica a's first job waits, committed but unsent, until b has sent one of its own.
            at: async (point) => {
              if (!stall || point !== "signed" || r !== a || stalled) return;
              stalled = true;
              await b.provider.sent.reach(1);
            },
          },
        }),
      );
      const loops = workers.map((w) => w.start());
      try {
        await a.log.logged("settlement confirmed on-chain", JOBS);
      } finally {
        await Promise.all(workers.map((w) => w.stop()));
        await Promise.all(loops);
        for (const r of replicas) r.provider.destroy();
      }
      expect(
        (
          await engine.db.query<{ n: number }>(
            "SELECT count(*)::int AS n FROM settlement_jobs WHERE status <> 'confirmed'",
          )
        ).rows[0].n,
      ).to.equal(0);

      const logs = await settledLogs(chain);
      for (const unit of units) {
        const sent = broadcasts.filter((b) => b.shipmentId === unit.shipmentId);
        const hashes = new Set(sent.map((b) => b.hash));
        expect([...hashes], `shipment ${unit.shipmentId}: one transaction`).to.have.lengthOf(1);
        expect(
          new Set(sent.map((b) => b.replica)).size,
          `shipment ${unit.shipmentId}: sent by one replica`,
        ).to.equal(1);
        const settled = logs.get(unit.shipmentId) ?? [];
        expect(settled, `shipment ${unit.shipmentId}: one ShipmentSettled`).to.have.lengthOf(1);
        const job = await jobOf(engine.db, unit.shipmentId);
        expect(job.status).to.equal("confirmed");
        expect(job.tx_hash).to.equal(settled[0].txHash);
        expect(hashes.has(settled[0].txHash)).to.equal(true);
      }

      // No two transactions shared a nonce, none is left waiting in the pool, none was wasted.
      const nonces = new Map(broadcasts.map((b) => [b.hash, b.nonce]));
      expect(new Set(nonces.values()).size).to.equal(nonces.size);
      expect(nonces.size).to.equal(JOBS);
      const nonceAfter = await settlerNonces(chain);
      expect(nonceAfter.latest).to.equal(nonceBefore.latest + JOBS);
      expect(nonceAfter.pending).to.equal(nonceAfter.latest);
      expect(replicas.flatMap((r) => r.log.warnings)).to.deep.equal([]);

      const paid = orders.reduce((sum, o) => sum + o.value, 0n);
      expect((await supplierBalance(chain)) - balanceBefore).to.equal(paid);
      // Both replicas really worked the outbox: the race above was a race.
      for (const r of replicas) {
        expect(
          broadcasts.some((b) => b.replica === r.name),
          `replica ${r.name} sent something`,
        ).to.equal(true);
      }
      const perReplica = replicas.map((r) => broadcasts.filter((b) => b.replica === r.name).length);
      console.log(`      broadcasts per replica: ${perReplica.join(" / ")} for ${JOBS} jobs`);
    }
  });
});
