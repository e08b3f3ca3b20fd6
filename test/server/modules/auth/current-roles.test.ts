import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import * as act from "../../../../ledger/acts";
import type { RoleReader } from "../../../../server/modules/auth/chain-roles";
import { CurrentRoles } from "../../../../server/modules/auth/current-roles";
import { forEachEngine } from "../../helpers/engines";
import { GTIN, LOT, type ChainStack } from "../../support/chain";
import { chainReads } from "../../support/chain-reads";
import { login } from "../../support/gateway";
import {
  bearer,
  chainIso,
  expectError,
  isoDate,
  postReceipt,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";

/**
 * Roles stay current (issue 11, item 3): a write takes the roles the chain gives at its latest
 * block, not the ones in the token. Before the fix a supplier suspended on chain, or a member
 * removed from its hospital, kept writing until its token expired (an hour by default).
 */

/** A reader whose answers the test sets, counting the reads per account. */
function fakeLedger(answers: { supplierStatus: bigint }, reads: string[]): RoleReader {
  const reader = {
    roles: { hasRole: async () => false },
    registry: {
      supplierStatus: async (address: string) => {
        reads.push(address);
        if (answers.supplierStatus < 0n) throw new Error("RPC down at http://secret-rpc.example/key");
        return answers.supplierStatus;
      },
    },
    hospitals: { hospitalOf: async () => "0x0000000000000000000000000000000000000000" },
  };
  return reader as unknown as RoleReader;
}

describe("CurrentRoles", function () {
  it("reads an account's roles once per block and again at the next block", async function () {
    const reads: string[] = [];
    const answers = { supplierStatus: 1n };
    const current = new CurrentRoles(fakeLedger(answers, reads));
    const [a, b] = await Promise.all([current.of("0xa", 10), current.of("0xa", 10)]);
    expect(a.roles).to.deep.equal(["supplier"]);
    expect(b).to.equal(a);
    await current.of("0xa", 10);
    expect(reads).to.deep.equal(["0xa"]);

    answers.supplierStatus = 2n;
    expect(await current.of("0xa", 11)).to.deep.include({ roles: ["supplier"], supplierSuspended: true });
    expect(reads).to.deep.equal(["0xa", "0xa"]);
  });

  it("does not keep a failed read", async function () {
    const reads: string[] = [];
    const answers = { supplierStatus: -1n };
    const current = new CurrentRoles(fakeLedger(answers, reads));
    await current.of("0xb", 5).then(
      () => expect.fail("a failed read answered"),
      () => undefined,
    );
    answers.supplierStatus = 1n;
    expect((await current.of("0xb", 5)).roles).to.deep.equal(["supplier"]);
    expect(reads).to.have.length(2);
  });
});

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain } = stack);
  });

  after(() => stopApi(stack));

  /** The supplier's manifest upload with a body no schema allows: 400 once past the role check. */
  const supplierWrite = (token: string) =>
    app.inject({
      method: "PUT",
      url: `/v1/shipments/${stack.p.shipmentId}/manifest`,
      headers: bearer(token),
      payload: { bogus: true },
    });
  /** A goods receipt with a body no schema allows: 400 once past the role check. */
  const receiverWrite = (token: string) =>
    app.inject({
      method: "POST",
      url: "/v1/receipts",
      headers: { ...bearer(token), "idempotency-key": "current-roles" },
      payload: { bogus: true },
    });

  it("reads the chain's head once for a whole receipt: its role check and matching's chain reads are at that block", async function () {
    const token = await login(app, chain.cast.receiver);
    const { p } = stack;
    const payload = {
      receiptNo: "ONE-HEAD",
      shipmentId: String(p.shipmentId),
      receivedAt: await chainIso(chain),
      lines: [{ gtin: GTIN, lot: LOT, expiry: isoDate(p.expiry), quantity: p.serials.length }],
    };
    const {
      result: res,
      heads,
      calls,
    } = await chainReads(app.chain.provider, () => postReceipt(app, token, payload, "one-head"));
    expect(res.statusCode, res.body).to.equal(201);
    expect(res.json().match.status).to.equal("matched");
    expect(heads).to.have.length(1);
    // The receiver's roles (its hospital, the receiver role), the qualification and the recall.
    expect(calls.length).to.be.greaterThan(2);
    expect(new Set(calls.map((c) => c.block))).to.deep.equal(new Set(heads));
  });

  it("refuses a suspended supplier's write with 403 at the next block, with its old token; reads go on", async function () {
    const { ledger, cast } = chain;
    const token = await login(app, cast.supplier);
    expectError(await supplierWrite(token), 400, "VALIDATION_FAILED");

    await act.sent(ledger.registry.connect(cast.regulator).suspend(cast.supplier.address, 7));
    try {
      expectError(
        await supplierWrite(token),
        403,
        "FORBIDDEN",
        `this route needs one of the roles supplier; ${cast.supplier.address.toLowerCase()} has none`,
      );
      // Its own records stay readable with the token's roles.
      const read = await app.inject({
        method: "GET",
        url: `/v1/shipments/${stack.p.shipmentId}`,
        headers: bearer(token),
      });
      expect(read.statusCode, read.body).to.equal(200);
    } finally {
      await act.sent(ledger.registry.connect(cast.regulator).reinstate(cast.supplier.address, 7));
    }
    // Reinstated at the next block: the same token writes again.
    expectError(await supplierWrite(token), 400, "VALIDATION_FAILED");
  });

  it("refuses a write by a member removed from its hospital with 403 at the next block, with its old token", async function () {
    const { ledger, cast } = chain;
    const token = await login(app, cast.receiver);
    expectError(await receiverWrite(token), 400, "VALIDATION_FAILED");

    await act.sent(ledger.hospitals.connect(cast.regulator).unbindMember(cast.receiver.address, 3));
    expectError(
      await receiverWrite(token),
      403,
      "FORBIDDEN",
      `this route needs one of the roles hospital-receiver; ${cast.receiver.address.toLowerCase()} has none`,
    );
  });
});
