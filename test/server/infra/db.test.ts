import { expect } from "chai";
import { existsSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setImmediate } from "node:timers/promises";
import {
  DataDirLockedError,
  DbUsageError,
  openPglite,
  TransactionAbortedError,
  type Db,
} from "../../../server/db";
import { forEachEngine } from "../helpers/engines";
import { rejectionOf } from "../helpers/rejection";
import { tempDir } from "../helpers/temp-dir";
import { until } from "../helpers/latch";

const MAX_UINT256 = 2n ** 256n - 1n;

/** Sessions of this PostgreSQL database waiting for a lock. */
async function lockWaiters(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
  );
  return rows[0].n;
}

describe("Db", function () {
  forEachEngine((engine) => {
    beforeEach(async function () {
      await engine.db.exec(`
        DROP TABLE IF EXISTS items;
        CREATE TABLE items (id INTEGER PRIMARY KEY, amount NUMERIC(78,0) NOT NULL, note TEXT);
      `);
    });

    describe("query", function () {
      it("binds parameters and returns rows and a row count", async function () {
        const insert = await engine.db.query("INSERT INTO items (id, amount) VALUES ($1, $2), ($3, $4)", [
          1,
          10n,
          2,
          20n,
        ]);
        expect(insert.rowCount).to.equal(2);
        const { rows, rowCount } = await engine.db.query<{ id: number; amount: string }>(
          "SELECT id, amount FROM items WHERE amount > $1 ORDER BY id",
          ["5"],
        );
        expect(rows).to.deep.equal([
          { id: 1, amount: "10" },
          { id: 2, amount: "20" },
        ]);
        expect(rowCount).to.equal(2);
        const skipped = await engine.db.query(
          "INSERT INTO items (id, amount) VALUES (1, 0) ON CONFLICT DO NOTHING",
        );
        expect(skipped.rowCount).to.equal(0);
      });

      it("answers a prepared statement as an unprepared one, every time and in a transaction", async function () {
        const insert = `INSERT INTO items (id, amount, note) VALUES ($1, $2, $3) RETURNING id, amount, note`;
        for (const [id, note] of [
          [1, "one"],
          [2, null],
        ] as const) {
          const { rows, rowCount } = await engine.db.query(insert, [id, BigInt(id) * 10n, note], {
            prepared: true,
          });
          expect(rowCount).to.equal(1);
          expect(rows).to.deep.equal([{ id, amount: String(id * 10), note }]);
        }
        const inTx = await engine.db.transaction((tx) =>
          tx.query(insert, [3, 30n, "three"], { prepared: true }),
        );
        expect(inTx.rows).to.deep.equal([{ id: 3, amount: "30", note: "three" }]);
        const { rows } = await engine.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM items`);
        expect(rows[0].n).to.equal(3);
      });

      it("answers every value type alike, prepared or not", async function () {
        const select = `SELECT $1::int AS int, $2::bigint AS big, $3::numeric AS money, $4::date AS expiry,
                  $5::timestamptz AS at, $6::jsonb AS doc, $7::bytea AS bytes, $8::boolean AS flag,
                  $9::text AS none, $10::bigint[] AS ids, $11::text[] AS names`;
        const params = [
          7,
          2n ** 62n,
          MAX_UINT256,
          "2027-03-31",
          new Date("2026-01-02T03:04:05.678Z"),
          JSON.stringify({ a: [1, "2"] }),
          Buffer.from([0, 1, 254]),
          true,
          null,
          [1n, 2n],
          ["a", "b,c"],
        ];
        const plain = await engine.db.query(select, params);
        const prepared = await engine.db.query(select, params, { prepared: true });
        expect(prepared.rows).to.deep.equal(plain.rows);
        expect(prepared.rows[0]).to.deep.include({
          big: (2n ** 62n).toString(),
          ids: ["1", "2"],
          names: ["a", "b,c"],
        });
      });

      it("reports a prepared statement's failure by its SQLSTATE and stays usable, in a transaction too", async function () {
        const insert = `INSERT INTO items (id, amount) VALUES ($1, $2)`;
        await engine.db.query(insert, [1, 1], { prepared: true });
        const duplicate = await rejectionOf(engine.db.query(insert, [1, 2], { prepared: true }));
        expect(duplicate).to.have.property("code", "23505");
        await engine.db.query(insert, [2, 2], { prepared: true });
        await engine.db.transaction(async (tx) => {
          const nested = await rejectionOf(
            tx.transaction((inner) => inner.query(insert, [2, 9], { prepared: true })),
          );
          expect(nested).to.have.property("code", "23505");
          await tx.query(insert, [3, 3], { prepared: true });
        });
        // Parsed inside an aborted transaction, a statement is refused and prepared again later.
        const select = `SELECT amount FROM items WHERE id = $1`;
        const aborted = await rejectionOf(
          engine.db.transaction(async (tx) => {
            await tx.query("SELECT 1 / 0").catch(() => undefined);
            await tx.query(select, [1], { prepared: true });
          }),
        );
        expect(aborted).to.have.property("code", "25P02"); // in_failed_sql_transaction
        expect((await engine.db.query(select, [3], { prepared: true })).rows).to.deep.equal([
          { amount: "3" },
        ]);
        expect((await engine.db.query(`SELECT id FROM items ORDER BY id`)).rows).to.deep.equal([
          { id: 1 },
          { id: 2 },
          { id: 3 },
        ]);
      });

      it("runs prepared statements sent together in one transaction one after another", async function () {
        // Two statements never run before (each is prepared under its own name), then a failing
        // insert beside a read: each caller gets its own answer, the failure its own error.
        const [text, number] = await engine.db.transaction((tx) =>
          Promise.all([
            tx.query(`SELECT $1::text AS a`, ["x"], { prepared: true }),
            tx.query(`SELECT $1::int AS b`, [7], { prepared: true }),
          ]),
        );
        expect(text.rows).to.deep.equal([{ a: "x" }]);
        expect(number.rows).to.deep.equal([{ b: 7 }]);

        await engine.db.query(`INSERT INTO items (id, amount) VALUES (1, 1)`);
        let settled: PromiseSettledResult<unknown>[] = [];
        const aborted = await rejectionOf(
          engine.db.transaction(async (tx) => {
            settled = await Promise.allSettled([
              tx.query(`INSERT INTO items (id, amount) VALUES ($1, $2)`, [1, 2], { prepared: true }),
              tx.query(`SELECT amount FROM items WHERE id = $1`, [1], { prepared: true }),
            ]);
          }),
        );
        expect(aborted).to.be.instanceOf(TransactionAbortedError);
        expect(settled.map((r) => r.status)).to.deep.equal(["rejected", "rejected"]);
        expect((settled[0] as PromiseRejectedResult).reason).to.have.property("code", "23505");
        expect((settled[1] as PromiseRejectedResult).reason).to.have.property("code", "25P02");
      });

      it("prepares a statement once per connection, whatever its parameters", async function () {
        const select = `SELECT id FROM items WHERE id = $1`;
        const prepared = await engine.db.transaction(async (tx) => {
          await tx.query(select, [1]);
          await tx.query(select, [1], { prepared: true });
          await tx.query(select, [2], { prepared: true });
          return (
            await tx.query<{ statement: string }>(
              `SELECT statement FROM pg_prepared_statements WHERE statement = $1`,
              [select],
            )
          ).rows;
        });
        expect(prepared).to.deep.equal([{ statement: select }]);
      });

      it("runs several statements with exec", async function () {
        await engine.db.exec("INSERT INTO items VALUES (1, 1); INSERT INTO items VALUES (2, 2);");
        expect((await engine.db.query("SELECT count(*)::int AS n FROM items")).rows).to.deep.equal([
          { n: 2 },
        ]);
      });

      it("reports the engine it runs on", function () {
        expect(engine.db.engine).to.equal(engine.engine);
      });
    });

    describe("value types", function () {
      it("round-trips NUMERIC(78,0) money as a string, up to 2^256 - 1", async function () {
        await engine.db.query("INSERT INTO items (id, amount) VALUES (1, $1), (2, $2)", [MAX_UINT256, "0"]);
        const { rows } = await engine.db.query<{ amount: string }>("SELECT amount FROM items ORDER BY id");
        expect(rows.map((r) => r.amount)).to.deep.equal([MAX_UINT256.toString(), "0"]);
        expect(BigInt(rows[0].amount)).to.equal(MAX_UINT256);
      });

      it("returns BIGINT as a string whatever its size, counts included", async function () {
        const { rows } = await engine.db.query(
          "SELECT 1::bigint AS small, $1::bigint AS large, count(*) AS n, ARRAY[1, 2]::bigint[] AS list FROM items",
          [2n ** 62n],
        );
        expect(rows[0]).to.deep.equal({
          small: "1",
          large: (2n ** 62n).toString(),
          n: "0",
          list: ["1", "2"],
        });
      });

      it("returns NUMERIC arrays as strings, without float rounding", async function () {
        const { rows } = await engine.db.query("SELECT ARRAY[$1::numeric, NULL, 0.1]::numeric[] AS list", [
          MAX_UINT256,
        ]);
        expect(rows[0].list).to.deep.equal([MAX_UINT256.toString(), null, "0.1"]);
      });

      it("returns integers as numbers, dates as YYYY-MM-DD, timestamptz as Date, jsonb parsed, bytea as Buffer", async function () {
        const { rows } = await engine.db.query(
          `SELECT 7::int AS int, '2027-03-31'::date AS expiry, ARRAY['2027-03-31'::date] AS expiries,
                  '2026-01-02T03:04:05.678Z'::timestamptz AS at, '{"a":[1,"2"]}'::jsonb AS doc,
                  $1::bytea AS bytes, true AS flag`,
          [Buffer.from([0, 1, 254])],
        );
        expect(rows[0]).to.deep.equal({
          int: 7,
          expiry: "2027-03-31",
          expiries: ["2027-03-31"],
          at: new Date("2026-01-02T03:04:05.678Z"),
          doc: { a: [1, "2"] },
          bytes: Buffer.from([0, 1, 254]),
          flag: true,
        });
        expect(Buffer.isBuffer(rows[0].bytes)).to.equal(true);
      });
    });

    describe("transaction", function () {
      it("commits when the callback resolves, and returns its value", async function () {
        const value = await engine.db.transaction(async (tx) => {
          await tx.query("INSERT INTO items VALUES (1, 1)");
          await tx.query("INSERT INTO items VALUES (2, 2)");
          return "done";
        });
        expect(value).to.equal("done");
        expect((await engine.db.query("SELECT id FROM items ORDER BY id")).rows).to.deep.equal([
          { id: 1 },
          { id: 2 },
        ]);
      });

      it("rolls back when the callback throws, and rethrows its error", async function () {
        const failure = new Error("business rule");
        const error = await rejectionOf(
          engine.db.transaction(async (tx) => {
            await tx.query("INSERT INTO items VALUES (1, 1)");
            throw failure;
          }),
        );
        expect(error).to.equal(failure);
        expect((await engine.db.query("SELECT * FROM items")).rows).to.deep.equal([]);
      });

      it("rolls back when a statement fails", async function () {
        const error = await rejectionOf(
          engine.db.transaction(async (tx) => {
            await tx.query("INSERT INTO items VALUES (1, 1)");
            await tx.query("INSERT INTO items VALUES (1, 2)");
          }),
        );
        expect(error).to.have.property("code", "23505"); // unique_violation, as PostgreSQL reports it
        expect((await engine.db.query("SELECT * FROM items")).rows).to.deep.equal([]);
        // The engine is usable afterwards: no transaction was left open.
        await engine.db.query("INSERT INTO items VALUES (3, 3)");
      });

      it("refuses to commit a transaction whose failed statement was caught", async function () {
        const error = await rejectionOf(
          engine.db.transaction(async (tx) => {
            await tx.query("INSERT INTO items VALUES (1, 1)");
            await tx.query("SELECT 1 / 0").catch(() => undefined);
          }),
        );
        expect(error).to.be.instanceOf(TransactionAbortedError);
        expect((await engine.db.query("SELECT * FROM items")).rows).to.deep.equal([]);
      });

      it("opens a savepoint for a nested transaction, so an expected failure can be recovered", async function () {
        await engine.db.transaction(async (tx) => {
          await tx.query("INSERT INTO items VALUES (1, 1)");
          const nested = await rejectionOf(
            tx.transaction(async (inner) => {
              await inner.query("INSERT INTO items VALUES (2, 2)");
              await inner.query("INSERT INTO items VALUES (1, 9)");
            }),
          );
          expect(nested).to.have.property("code", "23505");
          await tx.transaction((inner) => inner.query("INSERT INTO items VALUES (3, 3)"));
        });
        expect((await engine.db.query("SELECT id FROM items ORDER BY id")).rows).to.deep.equal([
          { id: 1 },
          { id: 3 },
        ]);
      });

      it("refuses the root handle inside a transaction, which would deadlock on PGlite", async function () {
        const error = await rejectionOf(engine.db.transaction(() => engine.db.query("SELECT 1")));
        expect(error).to.be.instanceOf(DbUsageError);
        expect(error.message).to.equal(
          "db.query() called inside db.transaction(); use the tx handle passed to the callback",
        );
        await engine.db.query("SELECT 1"); // and still works outside
      });

      it("refuses a transaction handle used after its transaction ended", async function () {
        let leaked: Db | undefined;
        await engine.db.transaction(async (tx) => {
          leaked = tx;
        });
        const error = await rejectionOf(leaked!.query("SELECT 1"));
        expect(error).to.be.instanceOf(DbUsageError);
        expect(error.message).to.equal("transaction handle used after its transaction ended");
      });

      it("cannot close the database through a transaction handle", async function () {
        const error = await rejectionOf(engine.db.transaction((tx) => tx.close()));
        expect(error).to.be.instanceOf(DbUsageError);
      });

      it("serialises read-modify-write transactions that lock the row", async function () {
        await engine.db.query("INSERT INTO items VALUES (1, 0)");
        const WRITERS = 10;
        // The first to lock the row holds it until every other writer is queued behind it: on
        // PostgreSQL waiting for the row lock in the server (seen from a connection of its own,
        // the pool's ten being busy). On PGlite the others wait for the engine's one session.
        const observer = engine.engine === "postgres" ? await engine.connect() : null;
        let first = true;
        await Promise.all(
          Array.from({ length: WRITERS }, () =>
            engine.db.transaction(async (tx) => {
              const { rows } = await tx.query<{ amount: string }>(
                "SELECT amount FROM items WHERE id = 1 FOR UPDATE",
              );
              if (first && observer) {
                await until(
                  "the other writers to wait for the row lock",
                  async () => (await lockWaiters(observer)) === WRITERS - 1,
                );
              }
              first = false;
              await tx.query("UPDATE items SET amount = $1 WHERE id = 1", [BigInt(rows[0].amount) + 1n]);
            }),
          ),
        );
        expect((await engine.db.query("SELECT amount FROM items")).rows).to.deep.equal([{ amount: "10" }]);
      });

      it("accepts FOR UPDATE SKIP LOCKED", async function () {
        await engine.db.exec("INSERT INTO items VALUES (1, 1); INSERT INTO items VALUES (2, 2);");
        const { rows } = await engine.db.transaction((tx) =>
          tx.query("SELECT id FROM items ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"),
        );
        expect(rows).to.deep.equal([{ id: 1 }]);
      });
    });

    if (engine.engine === "postgres") {
      it("opens every pooled session with JIT compiling off", async function () {
        // Ten at once, so the pool opens more than one connection.
        const settings = await Promise.all(
          Array.from({ length: 10 }, () =>
            engine.db.transaction(async (tx) => (await tx.query<{ jit: string }>("SHOW jit")).rows[0].jit),
          ),
        );
        expect(settings).to.deep.equal(Array(10).fill("off"));
      });

      describe("across connections (PostgreSQL)", function () {
        it("lets a second worker skip the rows the first has locked", async function () {
          await engine.db.exec("INSERT INTO items VALUES (1, 1); INSERT INTO items VALUES (2, 2);");
          const other = await engine.connect();
          const claim = (db: Db, wait: Promise<void>, onLocked: () => void = () => undefined) =>
            db.transaction(async (tx) => {
              const { rows } = await tx.query<{ id: number }>(
                "SELECT id FROM items ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED",
              );
              onLocked();
              await wait;
              return rows.map((r) => r.id);
            });
          let release!: () => void;
          const held = new Promise<void>((resolve) => (release = resolve));
          let locked!: () => void;
          const firstLocked = new Promise<void>((resolve) => (locked = resolve));
          const first = claim(engine.db, held, locked);
          await firstLocked;
          const second = await claim(other, Promise.resolve());
          release();
          expect(await first).to.deep.equal([1]);
          expect(second).to.deep.equal([2]);
        });
      });
    }
  });

  describe("on PGlite", function () {
    let db: Db;

    before(async function () {
      db = await openPglite();
      await db.exec("CREATE TABLE events (seq SERIAL PRIMARY KEY, tag TEXT NOT NULL)");
    });

    after(() => db.close());

    it("keeps outside queries out of a running transaction", async function () {
      let seenDuringTransaction: unknown;
      let entered!: () => void;
      const inside = new Promise<void>((resolve) => (entered = resolve));
      let issued!: () => void;
      const outsideIssued = new Promise<void>((resolve) => (issued = resolve));
      const transaction = db.transaction(async (tx) => {
        await tx.query("INSERT INTO events (tag) VALUES ('a')");
        entered();
        await outsideIssued;
        await tx.query("INSERT INTO events (tag) VALUES ('b')");
        throw new Error("roll back");
      });
      // Issued between the transaction's statements: it must wait, not see 'a' and not have its
      // own write rolled back with the transaction.
      await inside;
      const outside = db.query("INSERT INTO events (tag) VALUES ('outside')").then(async () => {
        seenDuringTransaction = (await db.query("SELECT tag FROM events ORDER BY seq")).rows;
      });
      issued();
      await rejectionOf(transaction);
      await outside;
      expect(seenDuringTransaction).to.deep.equal([{ tag: "outside" }]);
    });

    it("runs concurrent transactions one after another, never interleaved", async function () {
      await db.exec("TRUNCATE events");
      await Promise.all(
        ["x", "y", "z"].map((tag) =>
          db.transaction(async (tx) => {
            for (let i = 0; i < 3; i++) {
              await tx.query("INSERT INTO events (tag) VALUES ($1)", [tag]);
              await setImmediate(); // every queued transaction may run now, if the engine let it
            }
          }),
        ),
      );
      const { rows } = await db.query<{ tag: string }>("SELECT tag FROM events ORDER BY seq");
      expect(rows.map((r) => r.tag).join("")).to.equal("xxxyyyzzz");
    });

    it("starts every in-memory database empty, whatever this process's earlier ones hold", async function () {
      // The earlier ones include this suite's, with its table and rows: a later one starts from a
      // copy of a fresh cluster, never of a used one.
      await db.query("INSERT INTO events (tag) VALUES ('kept')");
      const [second, third] = [await openPglite(), await openPglite()];
      try {
        await second.exec("CREATE TABLE events (tag TEXT)");
        expect((await third.query("SELECT to_regclass('events') AS t")).rows).to.deep.equal([{ t: null }]);
        expect((await second.query("SELECT count(*) AS n FROM events")).rows).to.deep.equal([{ n: "0" }]);
        expect((await db.query("SELECT count(*) AS n FROM events WHERE tag = 'kept'")).rows).to.deep.equal([
          { n: "1" },
        ]);
      } finally {
        await Promise.all([second.close(), third.close()]);
      }
    });

    it("finishes queued work, then refuses new work after close", async function () {
      const scratch = await openPglite();
      const queued = scratch.query("SELECT 1 AS one");
      await scratch.close();
      expect((await queued).rows).to.deep.equal([{ one: 1 }]);
      const error = await rejectionOf(scratch.query("SELECT 1"));
      expect(error).to.be.instanceOf(DbUsageError);
      expect(error.message).to.equal("db.query() called after the database was closed");
      await scratch.close(); // idempotent
    });

    describe("in a data folder", function () {
      const dir = path.join(tempDir("pglite"), "pglite");

      it("keeps committed data across a restart", async function () {
        const first = await openPglite(dir);
        await first.exec("CREATE TABLE kept (v TEXT); INSERT INTO kept VALUES ('still here');");
        await first.close();
        const second = await openPglite(dir);
        try {
          expect((await second.query("SELECT v FROM kept")).rows).to.deep.equal([{ v: "still here" }]);
        } finally {
          await second.close();
        }
      });

      it("refuses a second opener while the folder is in use", async function () {
        const owner = await openPglite(dir);
        try {
          const error = await rejectionOf(openPglite(dir));
          expect(error).to.be.instanceOf(DataDirLockedError);
          expect(error.message).to.equal(`PGlite data folder ${dir} is already open in this process`);
        } finally {
          await owner.close();
        }
        expect(existsSync(`${dir}.lock`)).to.equal(false);
      });

      it("refuses a folder locked by another live process", async function () {
        writeFileSync(`${dir}.lock`, `${process.ppid}\n`);
        const error = await rejectionOf(openPglite(dir));
        expect(error).to.be.instanceOf(DataDirLockedError);
        expect(error.message).to.match(
          new RegExp(`is in use by process ${process.ppid}; PGlite serves one process`),
        );
      });

      it("takes over a lock left by a process that is gone", async function () {
        writeFileSync(`${dir}.lock`, "999999999\n");
        const db = await openPglite(dir);
        await db.close();
        expect(existsSync(`${dir}.lock`)).to.equal(false);
      });
    });
  });
});
