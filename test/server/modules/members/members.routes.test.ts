import { expect } from "chai";
import type { FastifyInstance } from "fastify";
import { InvitationList, Member, MemberPage } from "../../../../api/members";
import * as act from "../../../../ledger/acts";
import { forEachEngine } from "../../helpers/engines";
import { expectServedAsDocumented } from "../../support/documented-fields";
import type { ChainStack } from "../../support/chain";
import {
  bearer,
  enrolSecondHospital,
  expectError,
  expectInvalidField,
  extraWallet,
  loginAll,
  startApi,
  stopApi,
  type ApiStack,
} from "../../support/api-fixtures";
import { invitationsOf, listMembers } from "../../../../server/modules/members/members.repository";

/**
 * Who works for a hospital: GET /v1/members lists a hospital's members and open invitations with
 * their roles as the indexer read them from HospitalRegistry (the hospital's own accounts; every
 * hospital's for a regulator), and GET /v1/invitations gives any signed-in account the
 * invitations addressed to it, which it has no other way to see before it joins.
 */

forEachEngine((engine) => {
  let stack: ApiStack;
  let app: FastifyInstance;
  let chain: ChainStack;
  let t: Record<"regulator" | "supplier" | "hospital" | "receiver" | "hospital2" | "newcomer", string>;
  let H: string;
  let H2: string;
  const lc = (a: string) => a.toLowerCase();

  before(async function () {
    this.timeout(180_000);
    stack = await startApi(engine.db);
    ({ app, chain } = stack);
    const { cast, ledger } = chain;
    H = lc(cast.hospital.address);
    H2 = lc(cast.hospital2.address);
    await enrolSecondHospital(chain, []);
    // Both hospitals invite the newcomer; it accepts neither yet.
    const newcomer = extraWallet(chain, 12);
    await act.sent(ledger.hospitals.connect(cast.hospital).setMemberRoles(newcomer.address, 1 | 4));
    await act.sent(ledger.hospitals.connect(cast.hospital2).setMemberRoles(newcomer.address, 2));
    await app.indexer.catchUp();
    t = await loginAll(app, {
      regulator: cast.regulator,
      supplier: cast.supplier,
      hospital: cast.hospital,
      receiver: cast.receiver,
      hospital2: cast.hospital2,
      newcomer,
    });
  });

  after(() => stopApi(stack));

  const get = (path: string, token?: string) =>
    app.inject({ method: "GET", url: path, headers: token ? bearer(token) : {} });

  const member = (address: string, roles: Member["roles"], hospital = H): Member => ({
    hospital,
    address: lc(address),
    name: null,
    roles,
    status: "member",
    invitedAt: null,
  });

  /** The newcomer's invitation by `hospital`, dated at its MemberInvited block. */
  async function invitation(hospital: string): Promise<Member> {
    const [log] = await chain.ledger.hospitals.queryFilter(
      chain.ledger.hospitals.filters.MemberInvited(hospital, extraWallet(chain, 12).address),
    );
    const block = await chain.provider.getBlock(log.blockNumber);
    return {
      hospital: lc(hospital),
      address: lc(extraWallet(chain, 12).address),
      name: null,
      roles: hospital === chain.cast.hospital.address ? ["approver", "receiver"] : ["settler"],
      status: "invited",
      invitedAt: new Date(block!.timestamp * 1000).toISOString(),
    };
  }

  describe("GET /v1/members", function () {
    it("gives a hospital's accounts its members with their roles, then its open invitations", async function () {
      const { cast } = chain;
      const expected = [
        member(cast.approver.address, ["approver"]),
        member(cast.approver2.address, ["approver"]),
        member(cast.settler.address, ["settler"]),
        member(cast.receiver.address, ["receiver"]),
        await invitation(cast.hospital.address),
      ].sort((a, b) =>
        a.address === b.address ? a.status.localeCompare(b.status) : a.address < b.address ? -1 : 1,
      );

      for (const token of [t.hospital, t.receiver]) {
        const res = await get("/v1/members", token);
        expectServedAsDocumented(res, MemberPage, await listMembers(engine.db, {}, H));
        expect(res.json<MemberPage>()).to.deep.equal({ items: expected, nextCursor: null });
      }
      // A hospital never sees another's, even when it asks for it.
      expect((await get(`/v1/members?hospital=${H}`, t.hospital2)).json<MemberPage>().items).to.deep.equal(
        [],
      );
      const own = await get("/v1/members", t.hospital2);
      expect(own.json<MemberPage>().items).to.deep.equal([await invitation(cast.hospital2.address)]);
    });

    it("filters by status and walks the list a page at a time", async function () {
      const invited = await get("/v1/members?status=invited", t.hospital);
      expect(invited.json<MemberPage>().items.map((m) => m.status)).to.deep.equal(["invited"]);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res = await get(
          `/v1/members?status=member&limit=3${cursor ? `&cursor=${cursor}` : ""}`,
          t.hospital,
        );
        const page = res.json<MemberPage>();
        expect(page.items.length).to.be.at.most(3);
        seen.push(...page.items.map((m) => m.address));
        cursor = page.nextCursor;
      } while (cursor);
      const { cast } = chain;
      expect(seen).to.deep.equal(
        [cast.approver, cast.approver2, cast.settler, cast.receiver].map((w) => lc(w.address)).sort(),
      );
    });

    it("gives a regulator every hospital's, or one hospital's on request", async function () {
      const all = (await get("/v1/members?status=invited", t.regulator)).json<MemberPage>();
      expect(all.items.map((m) => m.hospital)).to.deep.equal([H, H2].sort());
      const one = (await get(`/v1/members?hospital=${H2}`, t.regulator)).json<MemberPage>();
      expect(one.items).to.deep.equal([await invitation(chain.cast.hospital2.address)]);
    });

    it("refuses no token (401), a supplier and an account of no hospital (403), before it reads the query", async function () {
      expectError(await get("/v1/members"), 401, "UNAUTHORIZED");
      expectError(await get("/v1/members?status=nobody", t.supplier), 403, "FORBIDDEN");
      expectError(await get("/v1/members", t.newcomer), 403, "FORBIDDEN");
      expectInvalidField(await get("/v1/members?status=nobody", t.hospital), "querystring.status");
      expectInvalidField(await get("/v1/members?hospital=General", t.regulator), "querystring.hospital");
    });
  });

  describe("PUT /v1/members/{address}/name", function () {
    const put = (address: string, payload: object, token?: string) =>
      app.inject({
        method: "PUT",
        url: `/v1/members/${address}/name`,
        headers: token ? bearer(token) : {},
        payload,
      });

    it("lets the hospital account name a member or an invitee, as every list then shows it", async function () {
      const { cast } = chain;
      const newcomer = extraWallet(chain, 12).address;
      const named = await put(cast.receiver.address, { name: "Wang Fang, receiving dock" }, t.hospital);
      expectServedAsDocumented(named, Member, {
        ...member(cast.receiver.address, ["receiver"]),
        name: "Wang Fang, receiving dock",
      });
      expect((await put(newcomer, { name: "Li Na" }, t.hospital)).json<Member>()).to.include({
        name: "Li Na",
        status: "invited",
      });
      // Named again: the last name stands.
      expect((await put(cast.receiver.address, { name: "王芳（库房）" }, t.hospital)).statusCode).to.equal(
        200,
      );

      for (const token of [t.receiver, t.regulator]) {
        const listed = (await get(`/v1/members?hospital=${H}`, token)).json<MemberPage>().items;
        expect(listed.filter((m) => m.name !== null).map((m) => [m.address, m.name])).to.deep.equal(
          [
            [lc(cast.receiver.address), "王芳（库房）"],
            [lc(newcomer), "Li Na"],
          ].sort((a, b) => (a[0] < b[0] ? -1 : 1)),
        );
      }
      // Another hospital's invitation of the same account carries no name of this one's.
      const other = (await get("/v1/members", t.hospital2)).json<MemberPage>().items;
      expect(other.map((m) => m.name)).to.deep.equal([null]);
    });

    it("refuses a stranger (401), a member (403) before its body, another hospital's account (404) and a bad name (400)", async function () {
      const { cast } = chain;
      expectError(await put(cast.receiver.address, { name: "x" }), 401, "UNAUTHORIZED");
      expectError(await put(cast.receiver.address, { name: "" }, t.receiver), 403, "FORBIDDEN");
      expectError(await put(cast.receiver.address, { name: "x" }, t.supplier), 403, "FORBIDDEN");
      const refused = expectError(
        await put(cast.receiver.address, { name: "x" }, t.hospital2),
        404,
        "MEMBER_NOT_FOUND",
      );
      expect(refused.message.toLowerCase()).to.include(lc(cast.receiver.address)).and.include(H2);
      expectInvalidField(await put(cast.receiver.address, { name: "" }, t.hospital), "body.name");
      expectInvalidField(
        await put(cast.receiver.address, { name: "x".repeat(101) }, t.hospital),
        "body.name",
      );
      expectInvalidField(await put("0x12", { name: "x" }, t.hospital), "params.address");
    });
  });

  describe("GET /v1/invitations", function () {
    it("gives an invited account the invitations addressed to it, oldest first", async function () {
      const res = await get("/v1/invitations", t.newcomer);
      const newcomer = extraWallet(chain, 12).address;
      expectServedAsDocumented(res, InvitationList, { items: await invitationsOf(engine.db, newcomer) });
      const strip = ({ hospital, roles, invitedAt }: Member) => ({ hospital, roles, invitedAt: invitedAt! });
      expect(res.json<InvitationList>().items).to.deep.equal([
        strip(await invitation(chain.cast.hospital.address)),
        strip(await invitation(chain.cast.hospital2.address)),
      ]);
      expect((await get("/v1/invitations", t.receiver)).json<InvitationList>().items).to.deep.equal([]);
      expectError(await get("/v1/invitations"), 401, "UNAUTHORIZED");
    });

    it("drops an invitation once accepted, and lists the account as a member with its roles", async function () {
      const { cast, ledger } = chain;
      const newcomer = extraWallet(chain, 12);
      await act.sent(ledger.hospitals.connect(newcomer).acceptMembership(cast.hospital2.address));
      await act.sent(ledger.hospitals.connect(cast.hospital).setMemberRoles(newcomer.address, 0));
      await app.indexer.catchUp();

      expect((await get("/v1/invitations", t.newcomer)).json<InvitationList>().items).to.deep.equal([]);
      const page = (await get(`/v1/members?hospital=${H2}`, t.regulator)).json<MemberPage>();
      expect(page.items).to.deep.equal([member(newcomer.address, ["settler"], H2)]);
      const withdrawn = (await get("/v1/members?status=invited", t.hospital)).json<MemberPage>();
      expect(withdrawn.items).to.deep.equal([]);
    });
  });
});
