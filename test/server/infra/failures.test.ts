import { expect } from "chai";
import { JsonRpcProvider, makeError } from "ethers";
import { createServer } from "node:net";
import { migrate, openPostgres, type Db } from "../../../server/db";
import { DbUsageError } from "../../../server/db/db";
import {
  classifyFailure,
  isCallException,
  isConnectionFailure,
  isNonceConsumed,
  isUncodedRpcError,
  isUniqueViolation,
  PermanentError,
  RetryableError,
} from "../../../server/lib/failures";
import { ReorgTooDeepError } from "../../../server/modules/indexer/indexer.service";
import { devWallet, startAnvil, type AnvilNode } from "../../../scripts/lib/anvil";
import { forEachEngine } from "../helpers/engines";
import { rejectionOf } from "../helpers/rejection";
import { freePort } from "../support/chain";

/**
 * Failures are classified by class and code, never by message: the errors here are the real
 * ones each engine and the node raise.
 */
describe("failure classification", function () {
  it("takes the word of RetryableError and PermanentError, subclasses included", function () {
    expect(classifyFailure(new RetryableError("block not found yet"))).to.equal("retryable");
    expect(classifyFailure(new PermanentError("bad configuration"))).to.equal("permanent");
    const deep = new ReorgTooDeepError(12);
    expect(deep).to.be.instanceOf(PermanentError);
    expect(deep.name).to.equal("ReorgTooDeepError");
    expect(classifyFailure(deep)).to.equal("permanent");
  });

  it("counts unknown failures as retryable, and misuse of the database as permanent", function () {
    expect(classifyFailure(new Error("something odd"))).to.equal("retryable");
    expect(classifyFailure("a string")).to.equal("retryable");
    expect(classifyFailure(null)).to.equal("retryable");
    expect(classifyFailure(new DbUsageError("db.query() called after close"))).to.equal("permanent");
  });

  it("classifies ethers errors by code", function () {
    for (const code of ["NETWORK_ERROR", "TIMEOUT", "SERVER_ERROR", "BAD_DATA", "UNKNOWN_ERROR"] as const) {
      expect(classifyFailure(makeError("x", code)), code).to.equal("retryable");
    }
    expect(classifyFailure(makeError("x", "CALL_EXCEPTION"))).to.equal("retryable");
    for (const code of ["INVALID_ARGUMENT", "NUMERIC_FAULT", "NOT_IMPLEMENTED"] as const) {
      expect(classifyFailure(makeError("x", code)), code).to.equal("permanent");
    }
    expect(isCallException(makeError("x", "CALL_EXCEPTION"))).to.equal(true);
    expect(isCallException(new Error("CALL_EXCEPTION"))).to.equal(false);
    // A message that merely mentions a code is not that code.
    expect(isNonceConsumed(new Error("nonce too low"))).to.equal(false);
    expect(isNonceConsumed(makeError("x", "REPLACEMENT_UNDERPRICED"))).to.equal(true);
  });

  it("counts a refused connection as retryable", async function () {
    const error = await rejectionOf(
      openPostgres({ url: `postgres://nobody@127.0.0.1:${await freePort()}/x` }),
    );
    expect((error as NodeJS.ErrnoException).code).to.equal("ECONNREFUSED");
    expect(classifyFailure(error)).to.equal("retryable");
  });

  it("tells a node that cannot be reached from one that answered, by code", async function () {
    const dead = `http://127.0.0.1:${await freePort()}`;
    const provider = new JsonRpcProvider(dead, 31337, { staticNetwork: true });
    // Nothing listens: ethers passes Node's ECONNREFUSED through as it is.
    const refused = await rejectionOf(provider.send("eth_blockNumber", []));
    provider.destroy();
    expect((refused as NodeJS.ErrnoException).code).to.equal("ECONNREFUSED");
    expect(isConnectionFailure(refused)).to.equal(true);

    // A peer that closes the connection unanswered: Node's "socket hang up" (ECONNRESET).
    const hangUp = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => hangUp.listen(0, "127.0.0.1", resolve));
    const { port } = hangUp.address() as { port: number };
    const hungUpOn = new JsonRpcProvider(`http://127.0.0.1:${port}`, 31337, { staticNetwork: true });
    const hungUp = await rejectionOf(hungUpOn.send("eth_blockNumber", []));
    hungUpOn.destroy();
    await new Promise((resolve) => hangUp.close(resolve));
    expect((hungUp as Error).message).to.equal("socket hang up");
    expect(isConnectionFailure(hungUp)).to.equal(true);

    // fetch's TypeError says only "fetch failed"; the socket's error is its cause.
    const fetchFailed = await rejectionOf(fetch(dead));
    expect(isConnectionFailure(fetchFailed)).to.equal(true);

    for (const code of ["NETWORK_ERROR", "TIMEOUT"] as const) {
      expect(isConnectionFailure(makeError("x", code)), code).to.equal(true);
    }
    // The node answered: a revert, a server error, a message that merely names a socket code.
    for (const code of ["CALL_EXCEPTION", "SERVER_ERROR", "UNKNOWN_ERROR"] as const) {
      expect(isConnectionFailure(makeError("x", code)), code).to.equal(false);
    }
    expect(isConnectionFailure(new Error("connect ECONNREFUSED 127.0.0.1:8545"))).to.equal(false);
    const loop = new Error("its own cause");
    loop.cause = loop;
    expect(isConnectionFailure(loop)).to.equal(false);
    expect(isConnectionFailure(null)).to.equal(false);
  });

  forEachEngine((engine) => {
    let db: Db;
    before(async () => {
      db = engine.db;
      await migrate(db);
      await db.exec(`CREATE TABLE failure_probe (id INT PRIMARY KEY, n INT CHECK (n > 0))`);
    });

    it("classifies database errors by SQLSTATE", async function () {
      const division = await rejectionOf(db.query(`SELECT 1 / 0`));
      expect(classifyFailure(division), "22012 division by zero").to.equal("permanent");
      const undefinedTable = await rejectionOf(db.query(`SELECT * FROM no_such_table`));
      expect(classifyFailure(undefinedTable), "42P01 undefined table").to.equal("permanent");
      const check = await rejectionOf(db.query(`INSERT INTO failure_probe VALUES (1, -1)`));
      expect(classifyFailure(check), "23514 check violation").to.equal("permanent");
      expect(isUniqueViolation(check)).to.equal(false);

      await db.query(`INSERT INTO failure_probe VALUES (2, 1)`);
      const duplicate = await rejectionOf(db.query(`INSERT INTO failure_probe VALUES (2, 1)`));
      // A replica may have inserted the same key first: worth another look.
      expect(isUniqueViolation(duplicate)).to.equal(true);
      expect(classifyFailure(duplicate), "23505 unique violation").to.equal("retryable");
    });
  });

  describe("against a node", function () {
    let node: AnvilNode;
    before(async () => {
      node = await startAnvil({ port: await freePort() });
    });
    after(() => node?.stop());

    it("tells a spent nonce and an already known transaction apart without reading messages", async function () {
      const provider = node.provider;
      const wallet = devWallet(3, provider);
      await provider.send("evm_setAutomine", [false]);
      const raw = await wallet.signTransaction(
        await wallet.populateTransaction({ to: wallet.address, value: 1n }),
      );
      const { hash } = await provider.broadcastTransaction(raw);

      // In the pool: the node answers in its own words, which ethers leaves uncoded; the
      // transaction itself is there to be asked for.
      const known = await rejectionOf(provider.broadcastTransaction(raw));
      expect(isUncodedRpcError(known)).to.equal(true);
      expect(isNonceConsumed(known)).to.equal(false);
      expect((await provider.getTransaction(hash))?.hash).to.equal(hash);

      // Mined: its nonce is spent.
      await provider.send("evm_mine", []);
      await provider.send("evm_setAutomine", [true]);
      const spent = await rejectionOf(provider.broadcastTransaction(raw));
      expect(isNonceConsumed(spent)).to.equal(true);
      expect(classifyFailure(spent)).to.equal("retryable");
    });
  });
});
