import { expect } from "chai";
import type { Log } from "ethers";
import { migrate, type Db } from "../../../../server/db";
import { LedgerEventDecoder } from "../../../../ledger/events";
import { PROJECTION_KEYS, PROJECTION_TABLES } from "../../../../server/modules/indexer/indexer.projections";
import {
  Indexer,
  ReorgTooDeepError,
  type IndexerLogger,
  type IndexerOptions,
} from "../../../../server/modules/indexer/indexer.service";
import type { ShipmentRecordStruct } from "../../../../typechain-types/contracts/DeliveryTrace";
import * as act from "../../../../ledger/acts";
import { forEachEngine, type EngineFixture } from "../../helpers/engines";
import { rejectionOf } from "../../helpers/rejection";
import {
  BID_BOND,
  GTIN,
  LOT,
  procure,
  startChain,
  tenderTerms,
  type ChainStack,
  type Procurement,
} from "../../support/chain";
import { buildGateway } from "../../support/gateway";

/**
 * The ledger indexer against a real Anvil node, on both database engines: catch-up from
 * scratch in block ranges, confirmations, resume, idempotent replays, reorgs inside and beyond
 * the stored window (made with Anvil's `anvil_reorg`), one transaction per range, readiness.
 *
 * One Anvil serves the file. Each engine suite starts by reverting the chain to the snapshot
 * taken right after `procure()`, so both engines see the same chain and the same history of
 * changes; tests inside a suite run in order and build on the chain left by the one before,
 * but each starts from an empty database.
 */

interface LogEntry {
  level: "info" | "warn" | "error";
  obj: Record<string, unknown>;
  msg: string;
}

/** Silent, but keeps what was logged so tests can check it. */
function recordingLogger(): IndexerLogger & { entries: LogEntry[] } {
  const entries: LogEntry[] = [];
  const push = (level: LogEntry["level"]) => (obj: object, msg: string) => {
    entries.push({ level, obj: obj as Record<string, unknown>, msg });
  };
  return { entries, info: push("info"), warn: push("warn"), error: push("error") };
}

/** What an index of the chain consists of (the undo log aside: its ids depend on history). */
const INDEXER_TABLES = ["chain_events", "indexer_blocks", ...PROJECTION_TABLES];

/** Empties the event log, the block window, the undo log and every projection: a database never indexed. */
async function wipe(db: Db): Promise<void> {
  await db.query(`TRUNCATE indexer_undo, ${INDEXER_TABLES.join(", ")}`);
}

/**
 * `db` with a count of the statements run inside its transactions, and of the rows they
 * returned or changed: what a rewind costs, measured in work rather than time.
 */
function counting(db: Db): { db: Db; cost: { statements: number; rows: number } } {
  const cost = { statements: 0, rows: 0 };
  const counted = (tx: Db): Db => ({
    engine: tx.engine,
    query: async <T>(sql: string, params?: readonly unknown[]) => {
      const result = await tx.query<T>(sql, params);
      cost.statements++;
      cost.rows += result.rowCount;
      return result;
    },
    exec: (sql: string) => tx.exec(sql),
    transaction: <T>(fn: (inner: Db) => Promise<T>) => tx.transaction((inner) => fn(counted(inner))),
    close: () => tx.close(),
  });
  return {
    cost,
    db: {
      engine: db.engine,
      query: (sql, params) => db.query(sql, params),
      exec: (sql) => db.exec(sql),
      transaction: (fn) => db.transaction((tx) => fn(counted(tx))),
      close: () => db.close(),
    },
  };
}

type Dump = Record<string, string[]>;

/** Every row of `tables`, each as JSON, sorted: equal dumps mean equal tables. */
async function dump(db: Db, tables: readonly string[] = INDEXER_TABLES): Promise<Dump> {
  const out: Dump = {};
  for (const table of tables) {
    const { rows } = await db.query(`SELECT * FROM ${table}`);
    out[table] = rows.map((r) => JSON.stringify(r)).sort();
  }
  return out;
}

async function count(db: Db, sql: string, params: unknown[] = []): Promise<number> {
  const { rows } = await db.query<{ n: number }>(sql, params);
  return rows[0].n;
}

async function maxIndexedBlock(db: Db): Promise<number | null> {
  const { rows } = await db.query<{ n: string | null }>(`SELECT max(block_number) AS n FROM indexer_blocks`);
  return rows[0].n === null ? null : Number(rows[0].n);
}

const eventKey = (blockHash: string, logIndex: number) => `${blockHash}:${logIndex}`;

describe("ledger indexer against Anvil", function () {
  let chain: ChainStack;
  let p: Procurement;
  /** The procured shipment's record: every trace step passes it back to the chain. */
  let record: ShipmentRecordStruct;
  /** `evm_snapshot` id of the chain right after procure(). */
  let base: string;

  before(async function () {
    this.timeout(180_000);
    chain = await startChain();
    p = await procure(chain, 10);
    record = await act.shipmentRecord(chain.ledger, p.shipmentId);
    base = await chain.provider.send("evm_snapshot", []);
  });

  after(async () => {
    await chain?.stop();
  });

  /** Logs of every ledger contract but the token, as `eth_getLogs` returns them. */
  async function ledgerLogs(fromBlock: number, toBlock: number): Promise<Log[]> {
    const addresses = Object.entries(chain.deployment.contracts)
      .filter(([name]) => name !== "token")
      .map(([, address]) => address);
    return chain.provider.getLogs({ address: addresses, fromBlock, toBlock });
  }

  function indexer(db: Db, options: Partial<IndexerOptions> = {}, log = recordingLogger()): Indexer {
    return new Indexer(
      db,
      chain.provider,
      new LedgerEventDecoder(chain.deployment.contracts),
      {
        deploymentBlock: chain.deployment.deploymentBlock,
        confirmations: 0,
        batchBlocks: 1000,
        pollMs: 20,
        reorgWindow: 16,
        ...options,
      },
      log,
    );
  }

  const head = () => chain.provider.getBlockNumber();

  /** A trace event by the supplier (a transporter step, allowed while in transit). */
  async function trace(location: string, excursion = false): Promise<void> {
    await act.recordTrace(chain.ledger, chain.cast.supplier, p.shipmentId, "departing", {
      location,
      eventTime: (await chain.now()) - 60,
      excursion,
    });
  }

  /** A regulator's recall of `lot` of the test GTIN (a regulator may recall any lot). */
  async function recall(lot: string): Promise<void> {
    await act.sent(chain.ledger.trace.connect(chain.cast.regulator).recall(BigInt(GTIN), lot, 7));
  }

  /** The same acts as unsigned transactions for `anvil_reorg`, which signs with its dev keys. */
  const reorgTx = {
    recall: (lot: string) => ({
      from: chain.cast.regulator.address,
      to: chain.deployment.contracts.trace,
      data: chain.ledger.trace.interface.encodeFunctionData("recall", [BigInt(GTIN), lot, 7]),
    }),
    trace: (location: string, eventTime: number, excursion: boolean) => ({
      from: chain.cast.supplier.address,
      to: chain.deployment.contracts.trace,
      data: chain.ledger.trace.interface.encodeFunctionData("recordTraceEvent", [
        p.shipmentId,
        record,
        act.TRACE_STEPS.indexOf("departing"),
        act.categoryCode(location),
        eventTime,
        `0x${"00".repeat(32)}`,
        excursion,
      ]),
    }),
  };

  /** Replaces the last `depth` blocks with as many new ones, holding `txs` at their offsets. */
  async function reorg(depth: number, txs: [object, number][]): Promise<void> {
    await chain.provider.send("anvil_reorg", [depth, txs]);
  }

  async function recalledLots(db: Db): Promise<string[]> {
    const { rows } = await db.query<{ lot: string }>(`SELECT lot FROM recalls ORDER BY lot`);
    return rows.map((r) => r.lot);
  }

  forEachEngine((engine: EngineFixture) => {
    before(async function () {
      // Every engine suite starts from the chain right after procure().
      expect(await chain.provider.send("evm_revert", [base])).to.equal(true);
      base = await chain.provider.send("evm_snapshot", []);
      await migrate(engine.db);
    });

    beforeEach(() => wipe(engine.db));

    it("indexes every ledger event from scratch into every projection", async function () {
      const db = engine.db;
      const ix = indexer(db);
      await ix.catchUp();
      const tip = await head();
      expect(ix.status()).to.include({ head: tip, indexedTo: tip, lagBlocks: 0, stopped: false });

      const { cast } = chain;
      const lc = (a: string) => a.toLowerCase();
      const supplier = (await db.query(`SELECT * FROM suppliers`)).rows;
      expect(supplier).to.have.length(1);
      expect(supplier[0]).to.include({ address: lc(cast.supplier.address), status: "active" });

      const docs = (
        await db.query<{ id: string; status: string; kind: string; gtins: string[] | null }>(
          `SELECT * FROM supplier_documents ORDER BY id`,
        )
      ).rows;
      expect(docs.map((d) => [d.kind, d.gtins])).to.deep.equal([
        ["business_licence", null],
        ["device_operating_permit", null],
        ["product_registration", null],
        ["product_registration", [GTIN]],
      ]);
      expect(docs.every((d) => d.status === "attested")).to.equal(true);
      const gtins = (await db.query(`SELECT supplier, gtin, document_id FROM supplier_gtins`)).rows;
      expect(gtins).to.deep.equal([
        { supplier: lc(cast.supplier.address), gtin: GTIN, document_id: docs[3].id },
      ]);

      const terms = tenderTerms(0);
      const tenders = (await db.query(`SELECT * FROM tenders`)).rows;
      expect(tenders).to.have.length(1);
      expect(tenders[0]).to.include({
        status: "awarded",
        reserve_price: "1000000",
        winners: 1,
        bid_bond: BID_BOND.toString(),
        funding_window: terms.fundingWindow,
        receiving_window: terms.receivingWindow,
        confirm_window: terms.confirmWindow,
        forfeited: "0",
      });

      const bids = (await db.query(`SELECT * FROM bids`)).rows;
      expect(bids).to.have.length(1);
      expect(bids[0]).to.include({
        bidder: lc(cast.supplier.address),
        bond: BID_BOND.toString(),
        bond_returned: true,
        revealed: true,
        won: true,
        skipped: false,
        sequence: null,
      });

      const agreements = (await db.query(`SELECT * FROM agreements`)).rows;
      expect(agreements).to.have.length(1);
      // Funding booked the order's 10 units; nothing is accepted, so the tier position is 0.
      expect(agreements[0]).to.include({
        id: String(p.agreementId),
        supplier: lc(cast.supplier.address),
        funded_volume: "10",
        accepted_volume: "0",
        lead_time_days: 10,
        funding_window: terms.fundingWindow,
        receiving_window: terms.receivingWindow,
        confirm_window: terms.confirmWindow,
      });
      const agreementHospitals = (await db.query(`SELECT * FROM agreement_hospitals`)).rows;
      expect(agreementHospitals).to.deep.equal([
        {
          agreement_id: String(p.agreementId),
          hospital: lc(cast.hospital.address),
          committed: "1000",
          ordered: "10",
          accepted: "0",
        },
      ]);

      const hospitals = (await db.query(`SELECT * FROM hospitals`)).rows;
      expect(hospitals).to.have.length(1);
      expect(hospitals[0]).to.include({ address: lc(cast.hospital.address), approval_threshold: "10000000" });
      const members = (
        await db.query<{ member: string; roles: number }>(`SELECT member, roles FROM hospital_members`)
      ).rows;
      expect(Object.fromEntries(members.map((m) => [m.member, m.roles]))).to.deep.equal({
        [lc(cast.approver.address)]: act.HOSPITAL_ROLES.approver,
        [lc(cast.approver2.address)]: act.HOSPITAL_ROLES.approver,
        [lc(cast.settler.address)]: act.HOSPITAL_ROLES.settler,
        [lc(cast.receiver.address)]: act.HOSPITAL_ROLES.receiver,
      });
      // Every member accepted its invitation, which used it up.
      expect((await db.query(`SELECT * FROM hospital_invitations`)).rows).to.deep.equal([]);

      const orders = (await db.query(`SELECT * FROM orders`)).rows;
      expect(orders).to.have.length(1);
      expect(orders[0]).to.include({
        id: String(p.orderId),
        status: "funded",
        quantity: "10",
        value: "100000",
        escrow: "100000",
        shipped: "10",
        approvals: 1,
        excess_consented: false,
        late_shipment_allowed: false,
      });
      const fundingExpiresAt = (await chain.ledger.orderBook.order(p.orderId)).fundingExpiresAt;
      expect(new Date(orders[0].funding_expires_at as string).getTime()).to.equal(
        Number(fundingExpiresAt) * 1000,
      );
      const approvals = (await db.query(`SELECT * FROM order_approvals`)).rows;
      expect(approvals).to.have.length(1);
      expect(approvals[0]).to.include({ order_id: String(p.orderId), approver: lc(cast.approver.address) });

      const shipments = (await db.query(`SELECT * FROM shipments`)).rows;
      expect(shipments).to.have.length(1);
      expect(shipments[0]).to.include({
        id: String(p.shipmentId),
        order_id: String(p.orderId),
        hospital: lc(cast.hospital.address),
        gtin: GTIN,
        lot: LOT,
        lot_key: await chain.ledger.trace.lotKey(BigInt(GTIN), LOT),
        quantity: "10",
        excursion: false,
        confirmed: false,
        arrived_at: null,
        chain_received_at: null,
        disputed_units: null,
      });

      // The event log holds exactly the ledger's logs on-chain, each once.
      const logs = await ledgerLogs(chain.deployment.deploymentBlock, tip);
      const { rows } = await db.query<{ block_hash: string; log_index: number }>(
        `SELECT block_hash, log_index FROM chain_events`,
      );
      expect(rows).to.have.length(logs.length);
      expect(new Set(rows.map((r) => eventKey(r.block_hash, r.log_index))).size).to.equal(rows.length);
      expect(rows.map((r) => eventKey(r.block_hash, r.log_index)).sort()).to.deep.equal(
        logs.map((l) => eventKey(l.blockHash, l.index)).sort(),
      );
    });

    it("gives the same tables in small block ranges as in one large range", async function () {
      const db = engine.db;
      const first = chain.deployment.deploymentBlock;
      const tip = await head();
      const small = indexer(db, { batchBlocks: 3 });
      let steps = 1;
      while (await small.step()) steps++;
      // One step per 3-block range, the last of which reports that it caught up.
      expect(steps).to.equal(Math.ceil((tip - first + 1) / 3));
      expect(small.status().indexedTo).to.equal(tip);
      const inSmallRanges = await dump(db);

      await wipe(db);
      const large = indexer(db, { batchBlocks: 10_000 });
      expect(await large.step()).to.equal(false);
      expect(large.status().indexedTo).to.equal(tip);
      const inOneRange = await dump(db);

      expect(inSmallRanges.chain_events.length).to.be.greaterThan(20);
      expect(inSmallRanges).to.deep.equal(inOneRange);
    });

    it("reads only blocks CONFIRMATIONS deep and reports the lag", async function () {
      const db = engine.db;
      await trace("confirm-1");
      await trace("confirm-2");
      await trace("confirm-3");
      const tip = await head();
      // Each transaction above was mined in its own block: the newest three hold one event each.
      expect(await ledgerLogs(tip - 2, tip)).to.have.length(3);

      const ix = indexer(db, { confirmations: 3 });
      await ix.catchUp();
      expect(ix.status()).to.include({ head: tip, indexedTo: tip - 3, lagBlocks: 3 });
      expect(await maxIndexedBlock(db)).to.equal(tip - 3);
      expect(
        await count(db, `SELECT count(*)::int AS n FROM chain_events WHERE block_number > $1`, [tip - 3]),
      ).to.equal(0);
      expect(await count(db, `SELECT count(*)::int AS n FROM trace_events`)).to.equal(0);
      const indexed = await count(db, `SELECT count(*)::int AS n FROM chain_events`);
      expect(indexed).to.equal((await ledgerLogs(chain.deployment.deploymentBlock, tip - 3)).length);

      await chain.mine(3);
      await ix.catchUp();
      const s = ix.status();
      expect(s).to.include({ head: tip + 3, indexedTo: tip, lagBlocks: 3 });
      expect(s.lagBlocks).to.equal(s.head! - s.indexedTo!);
      expect(await count(db, `SELECT count(*)::int AS n FROM chain_events`)).to.equal(indexed + 3);
      const { rows } = await db.query<{ block_number: string }>(
        `SELECT block_number FROM trace_events ORDER BY block_number`,
      );
      expect(rows.map((r) => Number(r.block_number))).to.deep.equal([tip - 2, tip - 1, tip]);
    });

    it("resumes where it stopped, adds only the new events, and replays without changing anything", async function () {
      const db = engine.db;
      await indexer(db).catchUp();
      const stoppedAt = await head();
      const before = await dump(db, ["chain_events"]);
      expect((await db.query(`SELECT excursion FROM shipments`)).rows).to.deep.equal([{ excursion: false }]);

      // New ledger activity while the indexer is down.
      await trace("resume-warm", true);
      await recall("RESUME-1");
      await chain.mine(2);
      const tip = await head();
      const added = await ledgerLogs(stoppedAt + 1, tip);
      expect(added).to.have.length(2);

      // A restarted indexer: a new instance, and on PostgreSQL a new connection as well.
      const restartedDb = engine.engine === "postgres" ? await engine.connect() : db;
      const restarted = indexer(restartedDb);
      await restarted.catchUp();
      expect(restarted.status()).to.include({ indexedTo: tip, lagBlocks: 0 });

      const after = await dump(db, ["chain_events"]);
      expect(after.chain_events).to.include.members(before.chain_events);
      expect(after.chain_events).to.have.length(before.chain_events.length + added.length);
      const { rows: fresh } = await db.query<{ block_hash: string; log_index: number; event: string }>(
        `SELECT block_hash, log_index, event FROM chain_events WHERE block_number > $1 ORDER BY block_number`,
        [stoppedAt],
      );
      expect(fresh.map((r) => eventKey(r.block_hash, r.log_index))).to.deep.equal(
        added.map((l) => eventKey(l.blockHash, l.index)),
      );
      expect(fresh.map((r) => r.event)).to.deep.equal(["TraceEventRecorded", "LotRecalled"]);
      expect((await db.query(`SELECT excursion, excursion_waived FROM shipments`)).rows).to.deep.equal([
        { excursion: true, excursion_waived: false },
      ]);
      const recalls = (await db.query(`SELECT * FROM recalls`)).rows;
      expect(recalls).to.have.length(1);
      expect(recalls[0]).to.include({
        gtin: GTIN,
        lot: "RESUME-1",
        // A regulator's recall covers every supplier's shipments of the lot.
        scope: "0x0000000000000000000000000000000000000000",
        recalled_by: chain.cast.regulator.address.toLowerCase(),
        reason_code: 7,
        lifted_at: null,
      });
      const indexed = await dump(db);

      // Forget the cursor above the stop, keep the events: the range is read and applied again.
      await db.query(`DELETE FROM indexer_blocks WHERE block_number > $1`, [stoppedAt]);
      expect(await maxIndexedBlock(db)).to.equal(stoppedAt);
      await indexer(db).catchUp();
      expect(await dump(db)).to.deep.equal(indexed);

      // Forget the whole cursor: every event since deployment is read again, none applied twice
      // (a second ShipmentCreated would double orders.shipped; a second TraceEventRecorded
      // would hit trace_events' primary key).
      await db.query(`DELETE FROM indexer_blocks`);
      const replay = indexer(db);
      await replay.catchUp();
      expect(replay.status().indexedTo).to.equal(tip);
      const replayed = await dump(db);
      expect(replayed).to.deep.equal(indexed);
      expect((await db.query(`SELECT shipped FROM orders`)).rows).to.deep.equal([{ shipped: "10" }]);
    });

    it("while the head block stands still, reads nothing from the database, but looks again after 2 s", async function () {
      const db = engine.db;
      const queries: string[] = [];
      const counting: Db = {
        engine: db.engine,
        query: (sql, params) => {
          queries.push(sql);
          return db.query(sql, params);
        },
        exec: (sql) => db.exec(sql),
        transaction: (fn) => db.transaction(fn),
        close: () => db.close(),
      };
      let now = 1_000_000;
      const ix = indexer(counting, { now: () => now });
      await ix.catchUp();
      const caughtUp = await dump(db);
      queries.length = 0;
      expect(await ix.step()).to.equal(false);
      now += 1_999;
      expect(await ix.step()).to.equal(false);
      expect(queries).to.deep.equal([]);

      // The database changed under it (another replica's rewind, a restored backup): within the
      // 2 s it does not see that; then it reads its cursor again and indexes what is missing.
      await wipe(db);
      expect(await ix.step()).to.equal(false);
      expect(queries).to.deep.equal([]);
      now += 2;
      await ix.catchUp();
      expect(queries.length).to.be.greaterThan(0);
      expect(await dump(db)).to.deep.equal(caughtUp);

      // A new block ends the idling at once.
      queries.length = 0;
      await recall("IDLE-1");
      expect(await ix.step()).to.equal(false);
      expect(queries.length).to.be.greaterThan(0);
      expect(await recalledLots(db)).to.include("IDLE-1");
      expect(ix.status()).to.include({ indexedTo: await head(), lagBlocks: 0 });
    });

    it("rewinds a reorg inside the window to the common ancestor and ends as a fresh index of the new chain", async function () {
      const db = engine.db;
      // A quiet stretch longer than the window, then events in the blocks that will be replaced.
      await chain.mine(20);
      const ancestor = await head();
      await trace("reorg-old-route");
      await recall("REORG-OLD");
      await chain.mine(2);
      const tip = await head();
      expect(tip).to.equal(ancestor + 4);

      const log = recordingLogger();
      const ix = indexer(db, { reorgWindow: 16 }, log);
      await ix.catchUp();
      expect(ix.status().indexedTo).to.equal(tip);
      const oldHashes = (await ledgerLogs(ancestor + 1, tip)).map((l) => l.blockHash);
      expect(oldHashes).to.have.length(2);
      expect(await recalledLots(db)).to.include("REORG-OLD");

      // The last 4 blocks are replaced: the old trace event and recall disappear, a different
      // recall and an excursion on another route appear, in other blocks.
      const t = await chain.now();
      await reorg(4, [
        [reorgTx.recall("REORG-NEW"), 1],
        [reorgTx.trace("reorg-new-route", t - 60, true), 3],
      ]);
      expect(await head()).to.equal(tip);
      const newLogs = await ledgerLogs(ancestor + 1, tip);
      expect(newLogs.map((l) => l.blockNumber)).to.deep.equal([ancestor + 2, ancestor + 4]);

      // The next step only notices the reorg and rewinds.
      expect(await ix.step()).to.equal(true);
      expect(ix.status().indexedTo).to.equal(ancestor);
      expect(await maxIndexedBlock(db)).to.equal(ancestor);
      expect(
        await count(db, `SELECT count(*)::int AS n FROM chain_events WHERE block_number > $1`, [ancestor]),
      ).to.equal(0);
      expect(await recalledLots(db)).not.to.include("REORG-OLD");
      const warning = log.entries.find((e) => e.level === "warn" && /chain reorganisation/.test(e.msg));
      expect(warning, JSON.stringify(log.entries)).to.not.equal(undefined);
      expect(warning!.obj).to.include({ ancestor, depth: 4, droppedEvents: 2 });

      await ix.catchUp();
      expect(ix.status()).to.include({ indexedTo: tip, lagBlocks: 0 });
      expect(await recalledLots(db))
        .to.include("REORG-NEW")
        .and.not.include("REORG-OLD");
      const { rows } = await db.query<{ block_hash: string }>(
        `SELECT block_hash FROM chain_events WHERE block_number > $1`,
        [ancestor],
      );
      expect(rows.map((r) => r.block_hash).sort()).to.deep.equal(newLogs.map((l) => l.blockHash).sort());
      for (const h of oldHashes) expect(rows.map((r) => r.block_hash)).not.to.include(h);
      const rewound = await dump(db);

      await wipe(db);
      await indexer(db).catchUp();
      expect(rewound).to.deep.equal(await dump(db));
    });

    it("keeps an undo trigger on every projection table, keyed by its primary key", async function () {
      const db = engine.db;
      const { rows: triggers } = await db.query<{ table_name: string }>(
        `SELECT DISTINCT event_object_table AS table_name FROM information_schema.triggers
         WHERE action_statement LIKE '%indexer_record_undo%' ORDER BY 1`,
      );
      expect(triggers.map((t) => t.table_name)).to.deep.equal([...PROJECTION_TABLES].sort());
      for (const table of PROJECTION_TABLES) {
        const { rows } = await db.query<{ column_name: string }>(
          `SELECT k.column_name FROM information_schema.table_constraints c
           JOIN information_schema.key_column_usage k USING (constraint_schema, constraint_name)
           WHERE c.table_name = $1 AND c.constraint_type = 'PRIMARY KEY' ORDER BY k.ordinal_position`,
          [table],
        );
        expect(
          rows.map((r) => r.column_name),
          table,
        ).to.deep.equal(PROJECTION_KEYS[table]);
      }
    });

    it("rewinds with work proportional to the reorg's depth, not to the history", async function () {
      const db = engine.db;
      const { db: metered, cost } = counting(db);
      const ix = indexer(metered, { reorgWindow: 16 });
      let round = 0;

      /**
       * Records `depth` trace events in as many blocks (the first with an excursion, which also
       * updates the shipment), indexes them, replaces those blocks with as many holding other
       * trace events, and returns what the rewind cost and what the dropped blocks had changed.
       */
      async function reorgOf(depth: number) {
        round++;
        const ancestor = await head();
        for (let i = 0; i < depth; i++) await trace(`cost-${round}-${i}`, i === 0);
        await ix.catchUp();
        const { rows } = await db.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM indexer_undo WHERE block_number > $1`,
          [ancestor],
        );
        const changes = rows[0].n;
        const t = await chain.now();
        await reorg(
          depth,
          Array.from({ length: depth }, (_, i): [object, number] => [
            reorgTx.trace(`cost-${round}-new-${i}`, t - 60, false),
            i,
          ]),
        );
        cost.statements = 0;
        cost.rows = 0;
        expect(await ix.step(), "the rewind").to.equal(true);
        expect(ix.status().indexedTo).to.equal(ancestor);
        const rewind = { ...cost };
        await ix.catchUp();
        return { ...rewind, changes };
      }

      await ix.catchUp();
      const small = await reorgOf(2);
      // One inserted trace event per dropped block, and the excursion's update of the shipment.
      expect(small.changes).to.equal(3);

      // Much more history: a rebuild would replay every event of it.
      const before = await count(db, `SELECT count(*)::int AS n FROM chain_events`);
      for (let i = 0; i < 20; i++) await recall(`HISTORY-${i}`);
      await chain.mine(20); // the history moves out of the window
      await ix.catchUp();
      expect(await count(db, `SELECT count(*)::int AS n FROM chain_events`)).to.equal(before + 20);

      const again = await reorgOf(2);
      expect(again).to.deep.equal(small);
      const deeper = await reorgOf(4);
      // Two more dropped blocks, two more recorded inserts to take back: a statement and a row
      // for each of them, and as many more events and blocks dropped.
      expect(deeper.changes - small.changes).to.equal(2);
      expect(deeper.statements - small.statements).to.equal(2);
      expect(deeper.rows - small.rows).to.equal(2 * 4);

      // And the result is the index a fresh start would build from the new chain.
      const rewound = await dump(db);
      await wipe(db);
      await indexer(db).catchUp();
      expect(rewound).to.deep.equal(await dump(db));
    });

    it("fails loudly on a reorg deeper than the window and stops its loop", async function () {
      const db = engine.db;
      await chain.mine(3);
      await recall("DEEP-OLD");
      await chain.mine(3);
      const ix = indexer(db, { reorgWindow: 2 });
      await ix.catchUp();
      const indexed = await dump(db);

      await reorg(5, [[reorgTx.recall("DEEP-NEW"), 0]]);
      const error = await rejectionOf(ix.step());
      expect(error).to.be.instanceOf(ReorgTooDeepError);
      expect(error.message).to.match(/deeper than the indexer's window/);
      // Nothing was guessed: the database is as it was.
      expect(await dump(db)).to.deep.equal(indexed);

      // The loop ends by itself (this test would time out otherwise): no retry brings it back.
      const log = recordingLogger();
      const looping = indexer(db, { reorgWindow: 2 }, log);
      await looping.start();
      const s = looping.status();
      expect(s.stopped).to.equal(true);
      expect(s.lastError).to.match(/deeper than the indexer's window/);
      expect(log.entries.some((e) => e.level === "error" && e.msg === "indexer stopped")).to.equal(true);
      expect(await dump(db)).to.deep.equal(indexed);
    });

    it("stores a block range in one transaction: a failing projection leaves nothing of it", async function () {
      const db = engine.db;
      await indexer(db).catchUp();
      const cursor = await maxIndexedBlock(db);
      const before = await dump(db);
      await recall("ATOMIC-1");
      await trace("atomic-cold-chain", true);
      const tip = await head();

      // The trace event's `UPDATE shipments` fails once, after the range's recall, its events
      // and the trace_events row have been written inside the transaction.
      let failures = 0;
      const seen: string[] = [];
      const failOnce = (tx: Db): Db => ({
        engine: tx.engine,
        query: async <T>(sql: string, params?: readonly unknown[]) => {
          seen.push(sql.trim().split(/\s+/).slice(0, 3).join(" "));
          if (failures === 0 && /^UPDATE shipments\b/.test(sql.trim())) {
            failures++;
            throw new Error("injected failure on shipments");
          }
          return tx.query<T>(sql, params);
        },
        exec: (sql: string) => tx.exec(sql),
        transaction: <T>(fn: (inner: Db) => Promise<T>) => tx.transaction((inner) => fn(failOnce(inner))),
        close: () => tx.close(),
      });
      const flaky: Db = {
        engine: db.engine,
        query: (sql, params) => db.query(sql, params),
        exec: (sql) => db.exec(sql),
        transaction: (fn) => db.transaction((tx) => fn(failOnce(tx))),
        close: () => db.close(),
      };

      const ix = indexer(flaky);
      const error = await rejectionOf(ix.step());
      expect(error.message).to.equal("injected failure on shipments");
      expect(seen).to.include.members(["INSERT INTO recalls", "INSERT INTO trace_events"]);
      expect(await maxIndexedBlock(db)).to.equal(cursor);
      expect(await dump(db)).to.deep.equal(before);

      expect(await ix.step()).to.equal(false);
      expect(ix.status()).to.include({ indexedTo: tip, lagBlocks: 0 });
      expect(await maxIndexedBlock(db)).to.equal(tip);
      expect(await recalledLots(db)).to.include("ATOMIC-1");
      expect((await db.query(`SELECT excursion FROM shipments`)).rows).to.deep.equal([{ excursion: true }]);
      expect(await count(db, `SELECT count(*)::int AS n FROM chain_events`)).to.equal(
        before.chain_events.length + 2,
      );
    });

    it("records which trace events an excursion's waiver covers, and when the chain recorded each", async function () {
      const db = engine.db;
      await trace("waiver-1", true);
      const waiver = await act.sent(
        chain.ledger.trace.connect(chain.cast.approver).waiveExcursion(p.shipmentId, record, 3),
      );
      const [waived] = act.eventsOf(waiver, chain.ledger.trace, "ExcursionWaived");
      const blockTime = async (blockNumber: number) =>
        new Date((await chain.provider.getBlock(blockNumber))!.timestamp * 1000);
      await trace("waiver-2", true);
      await indexer(db).catchUp();
      // Every trace event carries its block's time; the earlier tests' too, replayed from the chain.
      const { rows: events } = await db.query<{
        event_index: number;
        block_number: string;
        recorded_at: Date;
      }>(`SELECT event_index, block_number, recorded_at FROM trace_events ORDER BY event_index`);
      for (const e of events) expect(e.recorded_at).to.deep.equal(await blockTime(Number(e.block_number)));
      // The waiver covers every event before it, not the excursion after it.
      expect(
        (
          await db.query(
            `SELECT shipment_id, approver, reason_code, waived_at, covers_through, tx_hash FROM excursion_waivers`,
          )
        ).rows,
      ).to.deep.equal([
        {
          shipment_id: p.shipmentId.toString(),
          approver: String(waived.approver).toLowerCase(),
          reason_code: 3,
          waived_at: await blockTime(waiver.blockNumber),
          covers_through: events.length - 1,
          tx_hash: waiver.hash,
        },
      ]);
      expect((await db.query(`SELECT excursion, excursion_waived FROM shipments`)).rows).to.deep.equal([
        { excursion: true, excursion_waived: false },
      ]);
    });

    it("reports its lag and last block on GET /ready and GET /metrics", async function () {
      const app = await buildGateway(engine.db, chain, { CONFIRMATIONS: "2" });
      try {
        const notYet = await app.inject({ method: "GET", url: "/ready" });
        expect(notYet.statusCode).to.equal(503);
        expect(notYet.json().checks.indexer).to.include({ ok: false, lagBlocks: null });

        await app.indexer.catchUp();
        const tip = await head();
        const res = await app.inject({ method: "GET", url: "/ready" });
        expect(res.statusCode, res.body).to.equal(200);
        const check = res.json().checks.indexer;
        expect(check).to.include({ ok: true, lagBlocks: 2, indexedTo: tip - 2, head: tip });
        expect(check.lagBlocks).to.be.a("number");

        const metrics = await app.inject({ method: "GET", url: "/metrics" });
        expect(metrics.statusCode).to.equal(200);
        expect(metrics.body).to.match(/^indexer_lag_blocks 2$/m);
        expect(metrics.body).to.match(new RegExp(`^indexer_indexed_block ${tip - 2}$`, "m"));
      } finally {
        await app.close();
      }
    });
  });
});
