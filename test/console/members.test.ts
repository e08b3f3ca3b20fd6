import { expect } from "chai";
import { JsonRpcProvider } from "ethers";
import type { Locator } from "playwright-core";
import type { ConsoleConfig } from "../../api/console";
import type { MemberPage } from "../../api/members";
import { HOSPITAL_ROLES } from "../../ledger/roles";
import { devWallet } from "../../scripts/lib/anvil";
import { HospitalRegistry__factory } from "../../typechain-types";
import { checkPage, openPage, signInAs, type ConsolePage } from "./support/browser";
import { demoSuite } from "./support/stack";
import { openWalletPage } from "./support/wallet";

/**
 * The hospital's members without a terminal, on the demo year: City General's account reads its
 * members with their roles as GET /v1/members gives them, invites the spare account (which has no
 * role) as a receiver, the account accepts on its start page with a browser wallet and is signed
 * in again with the role, and the hospital account removes it. A stack of its own: membership
 * changes would show on the pages other files read.
 */
describe("console: the hospital's members", function () {
  this.timeout(300_000);
  const HOSPITAL = "City General Hospital";
  const suite = demoSuite(HOSPITAL);
  // The demo's spare account: no role on the ledger (scripts/lib/stack/accounts.ts).
  const spare = devWallet(19);

  async function openMembers(): Promise<{ p: ConsolePage; table: Locator }> {
    const p = await openPage(suite.browser, suite.stack.url);
    await signInAs(p, HOSPITAL);
    await p.page.getByRole("link", { name: "Members", exact: true }).click();
    await p.page.getByRole("heading", { name: "Members of the hospital", level: 1 }).waitFor();
    return { p, table: p.page.getByRole("table", { name: "Members and open invitations" }) };
  }

  const rowOf = (p: ConsolePage, table: Locator, address: string) =>
    table.getByRole("row").filter({ has: p.page.locator(`[title="${address.toLowerCase()}"]`) });

  const registry = async () =>
    HospitalRegistry__factory.connect(
      (await suite.client.get<ConsoleConfig>("/v1/console/config")).contracts.hospitals,
      new JsonRpcProvider(suite.stack.rpcUrl),
    );

  it("lists the members as the API gives them; invites an account, which accepts on its start page; removes it", async function () {
    const members = (await suite.client.get<MemberPage>("/v1/members")).items;
    const hospital = suite.stack.account(HOSPITAL).address;
    expect(members.map((m) => [m.address, m.roles, m.status])).to.deep.equal(
      [
        [suite.stack.account(`${HOSPITAL}, approver 1`).address, ["approver"]],
        [suite.stack.account(`${HOSPITAL}, approver 2`).address, ["approver"]],
        [suite.stack.account(`${HOSPITAL}, receiving dock`).address, ["receiver"]],
        [suite.stack.account(`${HOSPITAL}, settler (gateway)`).address, ["settler"]],
      ]
        .map(([a, roles]) => [(a as string).toLowerCase(), roles, "member"])
        .sort((x, y) => ((x[0] as string) < (y[0] as string) ? -1 : 1)),
    );

    const first = await openMembers();
    try {
      const { p, table } = first;
      // The hospital account's line names its hospital once: the account is the hospital.
      expect((await p.page.getByTestId("who").textContent())?.split(HOSPITAL)).to.have.length(2);
      await rowOf(p, table, members[0].address).getByText("Member", { exact: true }).waitFor();
      expect(await table.getByRole("row").count()).to.equal(members.length + 1);
      const dock = rowOf(p, table, suite.stack.account(`${HOSPITAL}, receiving dock`).address);
      await dock.getByText("Warehouse", { exact: true }).waitFor();
      // The demo year named each member for the hospital's pages.
      await dock.getByText("Receiving dock", { exact: false }).waitFor();
      expect(members.map((m) => m.name)).to.deep.equal(
        members.map((m) => {
          const cast = suite.stack.accounts.find((a) => a.address.toLowerCase() === m.address)!.name;
          const label = cast.slice(`${HOSPITAL}, `.length);
          return label.charAt(0).toUpperCase() + label.slice(1);
        }),
      );
      // The gateway's own settler is marked: removing it would stop this gateway's payments.
      const settler = rowOf(p, table, suite.stack.account(`${HOSPITAL}, settler (gateway)`).address);
      await settler.getByText("Pays suppliers through this gateway", { exact: true }).waitFor();
      await settler.getByRole("button", { name: "Remove" }).click();
      await p.page.getByText("This account pays suppliers through this gateway.", { exact: false }).waitFor();
      await p.page.getByRole("button", { name: "No", exact: true }).click();
      expect(await dock.getByText("Pays suppliers through this gateway").count()).to.equal(0);
      await checkPage(p, "members");

      const form = p.page.getByRole("region", { name: "Invite an account, change its roles or name it" });
      const account = form.getByRole("textbox", { name: "Account address" });
      await account.fill("0x1234");
      await form.getByText("Give an account address: 0x followed by 40 hexadecimal characters").waitFor();
      await account.fill(spare.address);
      await form.getByRole("checkbox", { name: "Warehouse" }).check();
      await form.getByRole("button", { name: "Invite" }).click();
      const invited = rowOf(p, table, spare.address);
      await invited.getByText("Invited, not yet accepted", { exact: true }).waitFor();
      // Named for the hospital's pages, while still an invitee.
      await form
        .getByRole("textbox", { name: /^Name on the hospital's pages/ })
        .fill("Wang Fang, new warehouse");
      await form.getByRole("button", { name: "Save name" }).click();
      await form.getByText("Name saved.", { exact: true }).waitFor();
      await invited.getByText("Wang Fang, new warehouse", { exact: false }).waitFor();
      await invited.getByRole("button", { name: "Withdraw invitation" }).waitFor();
      await checkPage(p, "members-invited");
    } finally {
      await first.p.close();
    }
    expect(await (await registry()).invitation(hospital, spare.address)).to.equal(
      BigInt(HOSPITAL_ROLES.receiver),
    );

    const joining = await openWalletPage(
      suite.browser,
      suite.stack.url,
      spare.privateKey,
      suite.stack.rpcUrl,
    );
    try {
      const { page } = joining;
      await page.getByRole("button", { name: "Sign in with a browser wallet" }).click();
      await page.getByText("This account has no role on the ledger yet.", { exact: false }).waitFor();
      const card = page.getByRole("region", { name: "Invitations to join a hospital" });
      await card.getByText("invited this account on", { exact: false }).waitFor();
      await card.getByText("as Warehouse.", { exact: false }).waitFor();
      await checkPage(joining, "members-invitation");
      await card.getByRole("button", { name: `Accept and join ${HOSPITAL}` }).click();
      // Signed in again: the token now carries the role, and the menu the receiver's pages.
      await page.getByRole("link", { name: "Receive goods" }).waitFor();
      expect(await page.getByTestId("who").textContent()).to.include("Warehouse");
      expect(await card.count(), "no invitation left").to.equal(0);
    } finally {
      await joining.close();
    }
    expect(await (await registry()).memberRoles(hospital, spare.address)).to.equal(
      BigInt(HOSPITAL_ROLES.receiver),
    );
    const after = (await suite.client.get<MemberPage>("/v1/members")).items;
    expect(after.find((m) => m.address === spare.address.toLowerCase())).to.deep.include({
      roles: ["receiver"],
      status: "member",
    });

    const last = await openMembers();
    try {
      const { p, table } = last;
      const joined = rowOf(p, table, spare.address);
      await joined.getByText("Member", { exact: true }).waitFor();
      await joined.getByRole("button", { name: "Remove" }).click();
      await p.page.getByRole("button", { name: "Yes, do it" }).click();
      await joined.waitFor({ state: "detached" });
    } finally {
      await last.p.close();
    }
    expect(await (await registry()).hospitalOf(spare.address)).to.equal(
      "0x0000000000000000000000000000000000000000",
    );
  });

  it("reads in Chinese: the roles as the other pages name them, the settler's mark and its warning", async function () {
    const zh = await openPage(suite.browser, suite.stack.url, "zh-CN");
    try {
      await zh.page.getByRole("button", { name: `以 ${HOSPITAL} 身份登录`, exact: true }).click();
      await zh.page.getByRole("link", { name: "成员", exact: true }).click();
      await zh.page.getByRole("heading", { name: "本院成员", level: 1 }).waitFor();
      const table = zh.page.getByRole("table", { name: "成员及待接受的邀请" });
      const dock = rowOf(zh, table, suite.stack.account(`${HOSPITAL}, receiving dock`).address);
      await dock.getByText("库房验收", { exact: true }).waitFor();
      await dock.getByText("成员", { exact: true }).waitFor();
      const approver = rowOf(zh, table, suite.stack.account(`${HOSPITAL}, approver 1`).address);
      await approver.getByText("采购审批人", { exact: true }).waitFor();
      const settler = rowOf(zh, table, suite.stack.account(`${HOSPITAL}, settler (gateway)`).address);
      await settler.getByText("结算", { exact: true }).waitFor();
      await settler.getByText("通过本网关向供应商付款", { exact: true }).waitFor();
      // Ant Design spaces a two-character Chinese label on a button: "移 除".
      await settler.getByRole("button", { name: /^移\s?除$/ }).click();
      await zh.page.getByText("在网关改用其他结算账户的密钥之前，付款将暂停。", { exact: false }).waitFor();
      await zh.page.getByRole("button", { name: /^返\s?回$/ }).click();
      await zh.page
        .getByRole("region", { name: "邀请账户、修改角色或名称" })
        .getByRole("checkbox", { name: "库房验收" })
        .waitFor();
      await checkPage(zh, "members-zh");
    } finally {
      await zh.close();
    }
  });
});
